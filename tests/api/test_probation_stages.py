"""A probation confirmation's own stages, over HTTP (issue 13, point 1: stages for each kind of case; seed 002,
China Mobile Quzhou: 试岗期满后经工作鉴定合格, 并通过客户经理岗位技能鉴定的, 晋升为初级客户经理; 未通过客户经理岗位
技能鉴定的, 予以辞退或换岗).

The policy is the default one with a probation confirmation's skills test (岗位技能鉴定, hr, a score, 60 to pass).
The organisation is the standard one (hr1; S900 supervises P001, whose probation ended on 2026-08-01); the manual
clock stands at 2026-09-01."""
from __future__ import annotations

import pytest

from tests.support.answers import assert_problem, ok
from tests.support.reads import case_of, grade_history, manager
from tests.support.steps import event, hr_case, move_clock
from tests.support.world import BOSS, HR

SKILLS_TEST = {"stage": "skills_test", "label": "岗位技能鉴定", "by": "hr", "records": "score", "pass_mark": 60}


@pytest.fixture
def quzhou(build, tmp_path):
    from tests.support.driver import Driver
    from tests.support.policies import policy_file
    return Driver(build(GRADEFLOW_POLICY=policy_file(
        tmp_path, lambda document: document.update(stages={"probation_confirmation": [SKILLS_TEST]}))))


def _passed_by_the_supervisor(gf) -> int:
    from tests.api.test_finalization import on_probation
    case_id = hr_case(gf, "probation_confirmation", on_probation(gf))["id"]
    case = ok(event(gf, case_id, "pass_probation", BOSS, supervisor_score=85))
    assert (case["state"], case["stage"], case["outcome"]) == ("in_stage", "skills_test", None)
    return case_id


def test_the_supervisors_pass_leads_into_the_skills_test_which_hr_scores(quzhou):
    case_id = _passed_by_the_supervisor(quzhou)
    assert_problem(event(quzhou, case_id, "pass_stage", BOSS, score=80), 403, "forbidden")
    assert_problem(event(quzhou, case_id, "pass_stage", HR, score=59), 422, "validation_error", field="score",
                   rule="below_pass_mark")
    decided = ok(event(quzhou, case_id, "pass_stage", HR, score=78))
    assert (decided["state"], decided["stage"], decided["outcome"], decided["reasons"]) == (
        "decided", None, "approved", [])
    entry = [e for e in quzhou.history(case_id, HR) if e["event"] == "pass_stage"][-1]
    assert entry["data"] == {"stage": "skills_test", "score": "78", "outcome": "approved", "reasons": []}


def test_a_passed_skills_test_confirms_the_manager_once_published(quzhou):
    case_id = _passed_by_the_supervisor(quzhou)
    ok(event(quzhou, case_id, "pass_stage", HR, score=78))
    ok(event(quzhou, case_id, "publish", HR))
    move_clock(quzhou, "2026-09-05T00:00:00+08:00")
    assert case_of(quzhou, case_id)["state"] == "effective"
    assert manager(quzhou, "P001")["grade"] == "junior"


def test_a_failed_skills_test_fails_the_probation_and_the_manager_leaves(quzhou):
    case_id = _passed_by_the_supervisor(quzhou)
    failed = ok(event(quzhou, case_id, "fail_stage", HR, score=45, comment="技能鉴定未通过"))
    assert (failed["state"], failed["outcome"], failed["reasons"]) == ("decided", "denied", ["probation_failed"])
    ok(event(quzhou, case_id, "publish", HR))
    move_clock(quzhou, "2026-09-05T00:00:00+08:00")
    assert case_of(quzhou, case_id)["state"] == "effective"
    assert grade_history(quzhou, "P001")[-1]["to_grade"] == "exited"


def test_the_supervisors_fail_decides_at_once_without_the_skills_test(quzhou):
    from tests.api.test_finalization import on_probation
    case_id = hr_case(quzhou, "probation_confirmation", on_probation(quzhou))["id"]
    failed = ok(event(quzhou, case_id, "fail_probation", BOSS, supervisor_score=40))
    assert (failed["state"], failed["outcome"]) == ("decided", "denied")


def test_the_probation_case_page_shows_the_stage_and_its_form(quzhou):
    from tests.web.visitor import Visitor, text
    case_id = _passed_by_the_supervisor(quzhou)
    visitor = Visitor(quzhou.app, accept_language="zh-CN")
    assert visitor.sign_in(HR).status_code == 302
    page = visitor.get(f"/cases/{case_id}")
    shown, body = text(page), page.get_data(as_text=True)
    assert '政策规定环节：<span data-testid="own-stage">岗位技能鉴定</span>' in body and "60 分及以上为通过" in shown
    assert 'data-testid="event-pass_stage"' in body and 'data-testid="event-fail_stage"' in body


def test_the_probation_strip_shows_its_stage_and_no_deliberation(quzhou):
    """Deliberation follows only an overturned appeal for a probation confirmation: no step of its main line."""
    import re

    from tests.web.visitor import Visitor
    case_id = _passed_by_the_supervisor(quzhou)
    visitor = Visitor(quzhou.app, accept_language="zh-CN")
    assert visitor.sign_in(HR).status_code == 302
    body = visitor.get(f"/cases/{case_id}").get_data(as_text=True)
    strip = re.search(r'data-testid="workflow-strip".*?</nav>', body, flags=re.S).group(0)
    assert [label for _state, label in re.findall(r'data-state="(\w+)">([^<]+)<', strip)] == [
        "已提交", "岗位技能鉴定", "已决定", "公示中", "已生效"]
