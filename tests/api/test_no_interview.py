"""A promotion without the committee's interview, over HTTP (issue 13, point 1; seed 005, the salon, has no
committee): approved materials wait for the decision at once, the cycle is decided by hr with no committee and
no quorum, and the final score weighs the supervisor and the performance only.

The policy is the default one with `committee: {interview: false}`, weights supervisor 0.5 and performance 0.5,
and ties broken by time in grade. The organisation is the committee tests' (S002 supervises E001 and E002, whose
2025 scores are 90 and 88; hr1; cycle 2026-H2, with no committee)."""
from __future__ import annotations

import pytest

from tests.support.answers import assert_problem, ok
from tests.support.committee_world import CYCLE, HR, committee_org


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
    case = _reviewed(salon, "e001", 80)
    assert case["state"] == "deliberation"
    assert salon.case(case["id"], HR)["interview"] is None  # nothing to score, no quorum to show
    assert_problem(salon.put(f"/cases/{case['id']}/score", as_="cm1", json={"score": 90}), 404, "not_found")


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
