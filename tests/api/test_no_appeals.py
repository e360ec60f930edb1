"""A policy without appeals, over HTTP (issue 13, point 1: "whether publication and an appeal window apply"; seed
002, China Mobile Quzhou: 人力资源部核准后, 公布晋级结果并立即生效). `publication: {appeals: false}`: hr's
publication is the approval, and each published decision takes effect at once, dated the day of publication; nobody
can appeal it and no appeal window's timer waits.

The policy is the default one with `publication: {show_scores: false, appeals: false}`; the organisation and cycle
are the standard ones (tests/support/cycles.py), published at the clock's start, 2026-09-01."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import Timer, db
from tests.support.answers import assert_problem, ok
from tests.support.cycles import published_cycle
from tests.support.reads import case_of, grade_history, manager
from tests.support.steps import appeal, event, hr_case
from tests.support.world import CYCLE, HR, candidate

PUBLISHED_ON = "2026-09-01"


def without_appeals(document):
    document["publication"] = {"show_scores": False, "appeals": False}


@pytest.fixture
def quzhou(build, tmp_path):
    from tests.support.driver import Driver
    from tests.support.policies import policy_file
    return Driver(build(GRADEFLOW_POLICY=policy_file(tmp_path, without_appeals)))


def test_a_published_promotion_takes_effect_at_once_without_appeals(quzhou):
    approved, denied = published_cycle(quzhou)
    shown = case_of(quzhou, approved)
    assert (shown["state"], shown["effective_on"]) == ("effective", PUBLISHED_ON)
    assert manager(quzhou, "E001")["grade"] == "mid"
    assert grade_history(quzhou, "E001") == [
        {"from_grade": "junior", "to_grade": "mid", "effective_on": PUBLISHED_ON, "case_id": approved}]
    assert case_of(quzhou, denied)["state"] == "closed"
    history = ok(quzhou.get(f"/cases/{approved}/history", as_=HR))
    assert [(e["event"], e["actor"]) for e in history[-2:]] == [("cycle_publish", HR), ("finalize", "(gradeflow)")]
    assert history[-1]["at"] == history[-2]["at"]


def test_no_appeal_is_possible_without_appeals(quzhou):
    approved, denied = published_cycle(quzhou)
    assert_problem(appeal(quzhou, denied, "e002"), 409, "appeal_window_closed")
    assert "appeal" not in case_of(quzhou, approved)["available_events"]


def test_no_appeal_window_timer_is_left_waiting_without_appeals(quzhou):
    published_cycle(quzhou)
    with quzhou.app.app_context():
        pending = db.session.scalars(sa.select(Timer.kind).where(Timer.fired_at.is_(None))).all()
        db.session.remove()
    assert "appeal_window_end" not in pending


def test_the_board_says_decisions_took_effect_as_published_without_appeals(quzhou):
    published_cycle(quzhou)
    board = ok(quzhou.get(f"/cycles/{CYCLE}/publication", as_=HR))
    assert board["appeals"] is False
    assert board["appeal_deadline"] == board["published_at"]


def test_a_single_case_takes_effect_as_hr_publishes_it_without_appeals(quzhou):
    from tests.support.world import organisation
    organisation(quzhou)
    candidate(quzhou, "E003", grade="mid")
    case_id = hr_case(quzhou, "demotion", "E003")["id"]
    ok(event(quzhou, case_id, "approve", HR, comment="连续两季度考核不达标"))
    published = ok(event(quzhou, case_id, "publish", HR))
    assert (published["state"], published["effective_on"]) == ("effective", PUBLISHED_ON)
    assert manager(quzhou, "E003")["grade"] == "junior"


def test_the_pages_say_decisions_take_effect_as_published_without_appeals(quzhou):
    from tests.web.visitor import Visitor, text
    from tests.support.cycles import decided_cycle
    decided_cycle(quzhou)
    visitor = Visitor(quzhou.app, accept_language="zh-CN")
    assert visitor.sign_in(HR).status_code == 302
    assert "公示后立即生效" in text(visitor.get(f"/cycles/{CYCLE}"))
    ok(quzhou.post(f"/cycles/{CYCLE}/publish", as_=HR))
    cycle_page, board = text(visitor.get(f"/cycles/{CYCLE}")), text(visitor.get(f"/cycles/{CYCLE}/board"))
    assert "申诉截止" not in cycle_page
    assert "每项决定公示即生效" in board and "生效日期" in board and "申诉截止" not in board


def test_the_applicant_is_told_the_decision_took_effect_as_published_without_appeals(quzhou):
    from tests.web.visitor import Visitor, text
    _approved, denied = published_cycle(quzhou)
    visitor = Visitor(quzhou.app, accept_language="zh-CN")
    assert visitor.sign_in("e002").status_code == 302
    shown = text(visitor.get(f"/cases/{denied}"))
    assert "本决定公示即生效" in shown and "申诉期已结束" not in shown
