"""A promotion without the committee's interview, over HTTP (issue 13, point 1; seed 000, the salon, has no
committee): approved materials wait for the decision at once, the cycle is decided by hr with no committee and
no quorum, and the final score weighs the supervisor and the performance only.

The policy is the default one with `committee: {interview: false}`, weights supervisor 0.5 and performance 0.5,
and ties broken by time in grade. The organisation is the committee tests' (S002 supervises E001 and E002, whose
2025 scores are 90 and 88; hr1; cycle 2026-H2, with no committee)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import OutboxMessage, db
from tests.support.answers import assert_problem, ok
from tests.support.committee_world import CYCLE, HR, committee_org
from tests.support.steps import move_clock


def without_interview(document):
    document["committee"] = {"interview": False}
    document["scoring"]["weights"] = {"supervisor": 0.5, "interview": 0, "performance": 0.5}
    document["ranking"]["tie_break"] = ["time_in_grade", "employee_no"]
    del document["scoring"]["trim"]


@pytest.fixture
def salon(build, tmp_path):
    from tests.support.driver import Driver
    from tests.support.policies import policy_file
    return committee_org(Driver(build(GRADEFLOW_POLICY=policy_file(tmp_path, without_interview))))


def _reviewed(gf, applicant: str, supervisor_score: int) -> dict:
    case_id = ok(gf.post("/cases", as_=applicant, json={"cycle": CYCLE, "target_grade": "mid",
                                                       "statement": "申请晋升"}), 201)["id"]
    return ok(gf.post(f"/cases/{case_id}/events", as_="s002",
                      json={"event": "approve_materials", "supervisor_score": supervisor_score}))


def test_approved_materials_wait_for_the_decision_with_no_interview(salon):
    ok(salon.put(f"/cycles/{CYCLE}/committee", as_=HR, json={"chair": "chair1", "members": ["chair1", "cm1"]}))
    case = _reviewed(salon, "e001", 80)
    assert case["state"] == "deliberation"
    assert salon.case(case["id"], HR)["interview"] is None  # nothing to score, no quorum to show
    assert_problem(salon.put(f"/cases/{case['id']}/score", as_="cm1", json={"score": 90}), 409,
                   "invalid_transition")


def test_a_chair_with_a_reason_to_step_aside_is_recused_and_the_case_waits_on_hr(salon):
    """S001 chairs the cycle and is E001's line manager: recused as the case enters deliberation (no interview
    records it), so hr is reminded and decides; a member may also declare a conflict before the decision."""
    salon.user("root", "admin")
    ok(salon.put(f"/cycles/{CYCLE}/committee", as_=HR, json={"chair": "s001", "members": ["s001", "cm1"]}))
    case = _reviewed(salon, "e001", 80)
    history = salon.history(case["id"], HR)
    assert {"member": "s001", "reason": "line_manager"} in [e["data"] for e in history if e["event"] == "recusal"]
    move_clock(salon, "2026-09-07T09:00:00+08:00")  # overdue: the reminder goes to hr, not to the recused chair
    with salon.app.app_context():
        reminded = set(db.session.scalars(sa.select(OutboxMessage.recipient)
                                          .where(OutboxMessage.case_id == case["id"])))
        db.session.remove()
    assert reminded == {HR}
    declared = ok(salon.post(f"/cases/{case['id']}/recusal", as_="cm1", json={"comment": "亲属关系"}))
    assert declared["state"] == "deliberation"
    recusals = [e["data"] for e in salon.history(case["id"], HR) if e["event"] == "recusal"]
    assert {"member": "cm1", "reason": "declared"} in recusals


def test_the_last_stage_leads_to_the_decision_where_there_is_no_interview(build, tmp_path):
    from tests.support.driver import Driver
    from tests.support.policies import policy_file

    def staged_salon(document):
        without_interview(document)
        document["stages"] = {"promotion": [{"stage": "sales_check", "label": "业绩核对", "by": "hr"}]}
    gf = committee_org(Driver(build(GRADEFLOW_POLICY=policy_file(tmp_path, staged_salon))))
    case = _reviewed(gf, "e001", 80)
    assert (case["state"], case["stage"]) == ("in_stage", "sales_check")
    passed = ok(gf.post(f"/cases/{case['id']}/events", as_=HR, json={"event": "pass_stage"}))
    assert (passed["state"], passed["stage"]) == ("deliberation", None)


def test_hr_decides_the_cycle_without_a_committee_on_the_supervisor_and_performance_scores(salon):
    first, second = _reviewed(salon, "e001", 80), _reviewed(salon, "e002", 40)
    decided = ok(salon.post(f"/cycles/{CYCLE}/decide", as_=HR))["decided"]
    by_case = {d["case_id"]: d for d in decided}
    assert (by_case[first["id"]]["outcome"], by_case[first["id"]]["final_score"]) == ("approved", 85)  # 40 + 45
    assert (by_case[second["id"]]["outcome"], by_case[second["id"]]["final_score"]) == ("approved", 64)  # 20 + 44
    case = salon.case(first["id"], HR)
    assert (case["interview_score"], case["supervisor_score"], case["performance_score"]) == (None, 80, 90)
    decide = [e for e in salon.history(first["id"], HR) if e["event"] == "decide"][-1]
    assert "interview_score" not in decide["data"] and decide["data"]["final_score"] == "85.00"


def test_the_cycle_page_says_nobody_scores_and_hr_decides(salon):
    from tests.web.visitor import Visitor, text
    _reviewed(salon, "e001", 80)
    visitor = Visitor(salon.app, accept_language="zh-CN")
    assert visitor.sign_in(HR).status_code == 302
    shown = text(visitor.get(f"/cycles/{CYCLE}"))
    assert "本批次案件没有面试" in shown
