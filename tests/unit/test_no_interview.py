"""A promotion without the committee's interview (issue 13, point 1: the salon of seed 000 has no committee): the
policy's `committee: {interview: false}`, the machine that goes from the review (or the last stage) to the
decision, and the score card without an interview component."""
from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
import yaml

from tests.support.policies import default_document
from workflow.case_machine import DELIBERATION, HR_REVIEW, IN_STAGE, INTERVIEW, CaseMachine
from workflow.policy import PolicyError, parse_policy
from workflow.policy_summary import describe
from workflow.scoring import score_card


def salon(**changes) -> dict:
    document = default_document()
    document["committee"] = {"interview": False}
    document["scoring"]["weights"] = {"supervisor": 0.5, "interview": 0, "performance": 0.5}
    document["ranking"]["tie_break"] = ["time_in_grade", "employee_no"]
    del document["scoring"]["trim"]
    for key, value in changes.items():
        document[key] = value
    return document


def parsed(document: dict):
    return parse_policy(yaml.safe_dump(document, allow_unicode=True))


def problems(document: dict) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        parsed(document)
    return [f"{p.key}: {p.problem}" for p in caught.value.problems]


SALON = parsed(salon())


def test_a_policy_without_the_interview_has_no_quorum():
    assert (SALON.interview, SALON.quorum) == (False, 0)
    assert parsed(default_document()).interview is True


@pytest.mark.parametrize("change, expected", [
    (lambda d: d["committee"].update(quorum=3),
     "committee.quorum: a policy without the interview has no quorum (nobody scores an interview)"),
    (lambda d: d["scoring"]["weights"].update(supervisor=0.3, interview=0.2),
     "scoring.weights.interview: must be 0: the policy has no interview (committee.interview: false)"),
    (lambda d: d["scoring"].update(component_pass_marks={"interview": 60}),
     "scoring.component_pass_marks.interview: cannot be set: the policy has no interview (committee.interview: "
     "false)"),
    (lambda d: d["ranking"].update(tie_break=["interview_score", "employee_no"]),
     "ranking.tie_break: cannot break ties by interview_score: the policy has no interview (committee.interview: "
     "false)"),
    (lambda d: d["committee"].update(interview="no"), "committee.interview: must be true or false"),
    (lambda d: d["scoring"].update(trim={"min_scores": 5, "drop_highest": 1, "drop_lowest": 1}),
     "scoring.trim: cannot be set: the policy has no interview (committee.interview: false)"),
])
def test_nothing_may_read_an_interview_the_policy_does_not_hold(change, expected):
    document = salon()
    change(document)
    assert problems(document) == [expected]


def test_a_policy_with_the_interview_still_needs_its_quorum_and_its_trim():
    document = default_document()
    del document["committee"]["quorum"]
    assert problems(document) == ["committee.quorum: is required"]
    document = default_document()
    del document["scoring"]["trim"]
    assert problems(document) == ["scoring.trim: is required"]


def a_case(state="submitted", *, stage=None, exceptional=False):
    return SimpleNamespace(kind="promotion", state=state, stage=stage, exceptional=exceptional, cycle_code="2026H2",
                           outcome=None, reopened_by_appeal=False)


def test_approved_materials_go_straight_to_the_decision():
    machine = CaseMachine(SALON)
    case = a_case()
    assert machine.fire(case, "approve_materials") == ("submitted", DELIBERATION)
    exceptional = a_case(exceptional=True)
    machine.fire(exceptional, "approve_materials")
    assert machine.fire(exceptional, "approve_exception") == (HR_REVIEW, DELIBERATION)


def test_after_the_last_stage_comes_the_decision_where_there_is_no_interview():
    staged_salon = parsed(salon(stages={"promotion": [{"stage": "sales_check", "label": "业绩核对", "by": "hr"}]}))
    machine, case = CaseMachine(staged_salon), a_case()
    assert machine.fire(case, "approve_materials") == ("submitted", IN_STAGE)
    assert machine.fire(case, "pass_stage") == (IN_STAGE, DELIBERATION)


def test_the_machines_moves_under_such_a_policy_never_reach_the_interview():
    moves = CaseMachine(SALON).moves
    assert all(INTERVIEW not in (move.dest, *move.sources) for move in moves)
    assert {m.event for m in moves if m.dest == DELIBERATION} >= {"approve_materials", "approve_exception"}


def test_the_score_card_without_an_interview_weighs_the_other_components():
    card = score_card(SALON.scoring, supervisor=Decimal(80), committee=None, performance=Decimal("90.5"))
    assert (card.interview, card.interview_mean, card.final) == (None, None, Decimal("85.25"))


def test_policy_check_says_there_is_no_interview():
    lines = describe(SALON)
    (promotion,) = [line for line in lines if line.startswith("  promotion:")]
    assert "→ decision (hr, or the cycle's chair if it has one, for the whole cycle; no interview) →" in promotion
    assert "interview (" not in promotion
    assert "  supervisor 50 % + annual performance 50 %" in lines
    assert "  an exceptional promotion ignores tenure, then hr approves it before the decision" in lines


def test_no_interview_documented_example_prints_as_the_page_says():
    from tests.support.policies import documented_example
    lines, printed = documented_example("A promotion without the interview", "A publication without appeals")
    assert printed and all(line in lines for line in printed)


def test_the_moves_leave_out_hrs_exception_review_where_the_policy_does_not_ask_for_it():
    document = default_document()
    document["eligibility"]["exceptional"]["needs_hr_approval"] = False
    moves = CaseMachine(parsed(document)).moves
    assert all(HR_REVIEW not in (move.dest, *move.sources) for move in moves)
    assert any(move.dest == HR_REVIEW for move in CaseMachine(parsed(default_document())).moves)
