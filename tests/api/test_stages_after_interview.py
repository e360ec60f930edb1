"""Stages after the committee's interview, over HTTP (issue 13, point 1; seed 003, the kitchen: material review →
grade exam → second review → a three-month observation period (考察期) → third review).

The company's policy is the default one with its stages placed around the interview: hr's grade exam (等级考试, a
score, 60 to pass) before it; after it a three-month observation period and a third review by the supervisor's
supervisor (三次审核, with a comment). The organisation is the committee tests' (S001 ← S002 ← E001, E002; hr1; cycle
2026-H2, committee chair1, cm1, cm2: the default quorum of 3); the manual clock stands at 2026-09-01 09:00+08:00.
"""
from __future__ import annotations

import pytest

from tests.support.answers import assert_problem, ok
from tests.support.committee_world import CYCLE, HR, appoint, committee_org
from tests.support.steps import move_clock

KITCHEN_STAGES = [
    {"stage": "grade_exam", "label": "等级考试", "by": "hr", "records": "score", "pass_mark": 60},
    {"stage": "interview"},
    {"stage": "observation", "label": "考察期", "months": 3},
    {"stage": "third_review", "label": "三次审核", "by": "second_supervisor", "records": "comment"},
]


@pytest.fixture
def kitchen(build, tmp_path):
    from tests.support.driver import Driver
    from tests.support.policies import policy_file

    def with_stages(document):
        document["stages"] = {"promotion": KITCHEN_STAGES}
    gf = committee_org(Driver(build(GRADEFLOW_POLICY=policy_file(tmp_path, with_stages))))
    gf.user("root", "admin")  # moves the manual clock
    appoint(gf, "chair1", "chair1", "cm1", "cm2")
    return gf


def _event(gf, case_id: int, as_: str, event: str, **more):
    return gf.post(f"/cases/{case_id}/events", as_=as_, json={"event": event, **more})


def _interviewed(gf, applicant: str = "e001", scores=(80, 82, 84)) -> dict:
    """Applied, reviewed by S002, the grade exam passed by hr with 75, and scored by the whole committee."""
    case_id = ok(gf.post("/cases", as_=applicant, json={"cycle": CYCLE, "target_grade": "mid",
                                                       "statement": "申请晋升"}), 201)["id"]
    assert ok(_event(gf, case_id, "s002", "approve_materials", supervisor_score=80))["stage"] == "grade_exam"
    assert ok(_event(gf, case_id, HR, "pass_stage", score=75))["state"] == "interview"
    for member, score in zip(("chair1", "cm1", "cm2"), scores):
        case = ok(gf.put(f"/cases/{case_id}/score", as_=member, json={"score": score}))
    return case


def test_the_interview_complete_leads_to_the_first_stage_after_it(kitchen):
    case = _interviewed(kitchen)
    shown = kitchen.case(case["id"], HR)
    assert (shown["state"], shown["stage"]) == ("in_stage", "observation")
    entry = [e for e in kitchen.history(case["id"], HR) if e["event"] == "interview_complete"][-1]
    assert (entry["to_state"], entry["actor"]) == ("in_stage", "(gradeflow)")


def test_the_cycle_cannot_be_decided_while_a_case_is_in_a_stage_after_the_interview(kitchen):
    _interviewed(kitchen)
    assert_problem(kitchen.post(f"/cycles/{CYCLE}/decide", as_=HR), 409, "cycle_not_ready")


def test_the_stages_after_the_interview_lead_to_the_decision_on_the_interviews_scores(kitchen):
    case_id = _interviewed(kitchen)["id"]
    move_clock(kitchen, "2026-12-01T09:00:00+08:00")  # the observation period is over
    shown = kitchen.case(case_id, HR)
    assert (shown["state"], shown["stage"]) == ("in_stage", "third_review")
    assert_problem(_event(kitchen, case_id, "s001", "pass_stage"), 422, "validation_error", field="comment",
                   rule="required")
    passed = ok(_event(kitchen, case_id, "s001", "pass_stage", comment="考察期表现良好"))
    assert (passed["state"], passed["stage"]) == ("deliberation", None)
    decided = ok(kitchen.post(f"/cycles/{CYCLE}/decide", as_=HR))["decided"]
    assert [(d["case_id"], d["outcome"]) for d in decided] == [(case_id, "approved")]
    assert kitchen.case(case_id, HR)["interview_score"] == 82


def test_failing_the_third_review_rejects_the_case_after_the_interview(kitchen):
    case_id = _interviewed(kitchen)["id"]
    move_clock(kitchen, "2026-12-01T09:00:00+08:00")
    failed = ok(_event(kitchen, case_id, "s001", "fail_stage", comment="考察期内投诉两次"))
    assert (failed["state"], failed["stage"]) == ("rejected", None)


def test_the_chair_closing_the_interview_leads_to_the_stages_after_it(kitchen):
    appoint(kitchen, "chair1", "chair1", "cm1", "cm2", "cm3")  # a quorum of 3 scores, and one member who has not
    case_id = _interviewed(kitchen)["id"]
    assert kitchen.case(case_id, HR)["state"] == "interview"
    closed = ok(_event(kitchen, case_id, "chair1", "close_interview", comment="cm3 因公出差"))
    assert (closed["state"], closed["stage"]) == ("in_stage", "observation")


def test_the_workflow_strip_shows_the_stages_after_the_interview_in_their_place(kitchen):
    import re

    from tests.web.visitor import Visitor
    case_id = _interviewed(kitchen)["id"]
    visitor = Visitor(kitchen.app, accept_language="zh-CN")
    assert visitor.sign_in("e001").status_code == 302
    body = visitor.get(f"/cases/{case_id}").get_data(as_text=True)
    strip = re.search(r'data-testid="workflow-strip".*?</nav>', body, flags=re.S).group(0)
    steps = re.findall(r'data-state="(\w+)">([^<]+)<', strip)
    assert [label for _state, label in steps][1:6] == ["等级考试", "面试评分", "考察期", "三次审核", "评议中"]
    assert re.search(r'aria-current="step" data-state="in_stage">([^<]+)<', strip).group(1) == "考察期"


def test_the_timeline_names_the_stage_each_move_entered(kitchen):
    """History entries into a stage carry `data.to_stage`; the case page names the stage, not only "in a stage"."""
    from tests.web.visitor import Visitor, text
    case_id = _interviewed(kitchen)["id"]
    complete = [e for e in kitchen.history(case_id, HR) if e["event"] == "interview_complete"][-1]
    assert complete["data"]["to_stage"] == "observation"
    visitor = Visitor(kitchen.app, accept_language="zh-CN")
    assert visitor.sign_in(HR).status_code == 302
    shown = text(visitor.get(f"/cases/{case_id}"))
    assert "材料审核通过 → 等级考试" in shown and "面试完成 → 考察期" in shown
