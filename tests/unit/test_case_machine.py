"""The case state machine (shared/api.md, "Case events"; shared/domain.md, "Cases"): every move of
the event table, the kinds each event applies to, single-case decisions, finalization, and one
shared machine without automatic `to_<state>` events."""
from __future__ import annotations

import dataclasses
import itertools
from types import SimpleNamespace

import pytest

import workflow.case_machine as case_machine
from workflow.case_machine import (APPLICANT, CALLER_EVENTS, CHAIR, EVENTS, HR, IN_STAGE, INITIAL_STATE, KINDS,
                                   STAGE_PARTY, STATES, SUPERVISOR, SYSTEM, TERMINAL_STATES, WHO, CaseMachine,
                                   EventDoesNotApply)
from workflow.policy import load_policy

PROMOTION, PROBATION, DEMOTION, EXIT = "promotion", "probation_confirmation", "demotion", "exit"
NOT_PROMOTION = (PROBATION, DEMOTION, EXIT)


@pytest.fixture(scope="module")
def machine() -> CaseMachine:
    return CaseMachine(load_policy())


def case(state: str, kind: str = PROMOTION, *, exceptional: bool = False, cycle_code: str | None = "2026H2",
         outcome: str | None = None, reopened_by_appeal: bool = False) -> SimpleNamespace:
    return SimpleNamespace(kind=kind, state=state, exceptional=exceptional, cycle_code=cycle_code, outcome=outcome,
                           reopened_by_appeal=reopened_by_appeal, stage=None)


def every_case():
    """A stand-in case for every kind, state and condition flag."""
    for kind, state, exceptional, cycle_code, outcome, reopened in itertools.product(
            KINDS, STATES, (False, True), (None, "2026H2"), (None, "approved", "denied"), (False, True)):
        yield case(state, kind, exceptional=exceptional, cycle_code=cycle_code, outcome=outcome,
                   reopened_by_appeal=reopened)


def moves_to(machine: CaseMachine, c, event: str) -> str:
    assert machine.fire(c, event)[1] == c.state
    return c.state


def refuses(machine: CaseMachine, c, event: str) -> None:
    before = c.state
    assert not machine.applies(c, event)
    with pytest.raises(EventDoesNotApply) as raised:
        machine.fire(c, event)
    assert (raised.value.event, raised.value.state) == (event, before)
    assert c.state == before


# --- the event table ------------------------------------------------------------------

def test_approve_materials_moves_a_promotion_to_interview(machine):
    c = case("submitted")
    assert machine.fire(c, "approve_materials") == ("submitted", "interview")
    assert c.state == "interview"


def test_approve_materials_sends_an_exceptional_promotion_to_hr_review(machine):
    assert moves_to(machine, case("submitted", exceptional=True), "approve_materials") == "hr_review"


def test_approve_materials_goes_straight_to_interview_when_exceptions_need_no_hr_approval():
    policy = load_policy()
    no_review = dataclasses.replace(
        policy, eligibility=dataclasses.replace(policy.eligibility, exceptional_needs_hr_approval=False))
    assert moves_to(CaseMachine(no_review), case("submitted", exceptional=True), "approve_materials") == "interview"


@pytest.mark.parametrize("event, source, dest", [
    ("return_materials", "submitted", "returned"),
    ("reject_materials", "submitted", "rejected"),
    ("resubmit", "returned", "submitted"),
    ("withdraw", "submitted", "withdrawn"),
    ("withdraw", "returned", "withdrawn"),
    ("withdraw", "hr_review", "withdrawn"),
    ("withdraw", "interview", "withdrawn"),
    ("approve_exception", "hr_review", "interview"),
    ("reject_exception", "hr_review", "rejected"),
    ("interview_complete", "interview", "deliberation"),
    ("close_interview", "interview", "deliberation"),
    ("decide", "deliberation", "decided"),
    ("cycle_publish", "decided", "published"),
    ("appeal", "published", "appealed"),
    ("uphold", "appealed", "published"),
    ("overturn", "appealed", "deliberation"),
])
def test_promotion_moves_of_the_event_table(machine, event, source, dest):
    assert machine.fire(case(source), event) == (source, dest)


@pytest.mark.parametrize("event", ["pass_probation", "fail_probation"])
def test_probation_pass_or_fail_moves_submitted_to_decided(machine, event):
    assert machine.fire(case("submitted", PROBATION, cycle_code=None), event) == ("submitted", "decided")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("event, source, dest", [
    ("approve", "deliberation", "decided"),
    ("deny", "deliberation", "decided"),
    ("publish", "decided", "published"),
    ("appeal", "published", "appealed"),
    ("uphold", "appealed", "published"),
    ("overturn", "appealed", "deliberation"),
])
def test_single_case_moves_apply_to_every_kind_outside_a_cycle(machine, kind, event, source, dest):
    assert machine.fire(case(source, kind, cycle_code=None), event) == (source, dest)


def test_demotion_exit_and_advancement_start_in_deliberation_others_in_submitted():
    assert INITIAL_STATE == {PROMOTION: "submitted", PROBATION: "submitted", DEMOTION: "deliberation",
                             EXIT: "deliberation", "advancement": "deliberation"}


def test_a_promotion_walks_the_whole_cycle_path(machine):
    c = case("submitted")
    for event, dest in [("return_materials", "returned"), ("resubmit", "submitted"),
                        ("approve_materials", "interview"), ("close_interview", "deliberation"),
                        ("decide", "decided"), ("cycle_publish", "published"), ("appeal", "appealed"),
                        ("overturn", "deliberation")]:
        assert moves_to(machine, c, event) == dest
    c.reopened_by_appeal = True
    c.outcome = "approved"
    for event, dest in [("approve", "decided"), ("publish", "published"), ("finalize", "effective")]:
        assert moves_to(machine, c, event) == dest


# --- kinds limit events ---------------------------------------------------------------

@pytest.mark.parametrize("kind", NOT_PROMOTION)
@pytest.mark.parametrize("state", ["submitted", "returned", "hr_review", "interview"])
def test_withdraw_applies_only_to_promotions(machine, kind, state):
    refuses(machine, case(state, kind, cycle_code=None), "withdraw")


@pytest.mark.parametrize("kind", NOT_PROMOTION)
@pytest.mark.parametrize("event, state", [
    ("approve_materials", "submitted"), ("return_materials", "submitted"), ("reject_materials", "submitted"),
    ("resubmit", "returned"), ("approve_exception", "hr_review"), ("reject_exception", "hr_review"),
    ("interview_complete", "interview"), ("close_interview", "interview"), ("decide", "deliberation"),
    ("cycle_publish", "decided"),
])
def test_promotion_only_events_do_not_apply_to_other_kinds(machine, kind, event, state):
    refuses(machine, case(state, kind), event)


@pytest.mark.parametrize("kind", [PROMOTION, DEMOTION, EXIT])
@pytest.mark.parametrize("event", ["pass_probation", "fail_probation"])
def test_probation_events_apply_only_to_probation_confirmations(machine, kind, event):
    refuses(machine, case("submitted", kind, cycle_code=None), event)


def test_probation_confirmation_is_not_reviewed_as_materials(machine):
    c = case("submitted", PROBATION, cycle_code=None)
    assert set(machine.applicable(c)) == {"pass_probation", "fail_probation"}


def test_demotion_in_deliberation_is_only_approved_or_denied(machine):
    assert set(machine.applicable(case("deliberation", DEMOTION, cycle_code=None))) == {"approve", "deny"}


# --- single-case decisions and publication --------------------------------------------

@pytest.mark.parametrize("event, state", [("approve", "deliberation"), ("deny", "deliberation"),
                                          ("publish", "decided")])
def test_single_case_events_do_not_apply_to_a_cycle_case(machine, event, state):
    refuses(machine, case(state, cycle_code="2026H2"), event)


@pytest.mark.parametrize("event, state, dest", [("approve", "deliberation", "decided"),
                                                ("deny", "deliberation", "decided"),
                                                ("publish", "decided", "published")])
def test_single_case_events_apply_to_a_cycle_case_reopened_by_appeal(machine, event, state, dest):
    assert moves_to(machine, case(state, cycle_code="2026H2", reopened_by_appeal=True), event) == dest


def test_cycle_decision_needs_a_cycle(machine):
    refuses(machine, case("deliberation", cycle_code=None), "decide")


# --- finalization ---------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_finalize_makes_an_approved_case_effective(machine, kind):
    assert moves_to(machine, case("published", kind, outcome="approved"), "finalize") == "effective"


@pytest.mark.parametrize("kind", [PROMOTION, DEMOTION, EXIT])
def test_finalize_closes_a_denied_case(machine, kind):
    assert moves_to(machine, case("published", kind, outcome="denied"), "finalize") == "closed"


@pytest.mark.parametrize("outcome", ["approved", "denied"])
def test_finalize_makes_a_probation_confirmation_effective_either_way(machine, outcome):
    """A failed probation, once final, moves the manager to exited: the grade changes."""
    c = case("published", PROBATION, cycle_code=None, outcome=outcome)
    assert moves_to(machine, c, "finalize") == "effective"


@pytest.mark.parametrize("state", ["appealed", "decided", "deliberation"])
def test_finalize_applies_only_to_published_cases(machine, state):
    refuses(machine, case(state, outcome="approved"), "finalize")


# --- events that do not apply ---------------------------------------------------------

@pytest.mark.parametrize("state", TERMINAL_STATES)
def test_terminal_states_have_no_events(machine, state):
    for kind in KINDS:
        c = case(state, kind, outcome="approved")
        assert machine.applicable(c) == ()
        for event in EVENTS:
            refuses(machine, c, event)


@pytest.mark.parametrize("event, state", [
    ("approve_materials", "returned"), ("approve_materials", "interview"), ("resubmit", "submitted"),
    ("withdraw", "deliberation"), ("withdraw", "decided"), ("withdraw", "published"),
    ("approve_exception", "submitted"), ("close_interview", "deliberation"), ("decide", "interview"),
    ("appeal", "decided"), ("appeal", "appealed"), ("uphold", "published"), ("overturn", "published"),
    ("cycle_publish", "deliberation"),
])
def test_event_outside_its_source_states_does_not_apply(machine, event, state):
    refuses(machine, case(state), event)


def test_unknown_event_does_not_apply(machine):
    refuses(machine, case("submitted"), "promote_everyone")


# --- the machine itself ---------------------------------------------------------------

def test_machine_has_no_automatic_to_state_events(machine):
    assert not any(name.startswith("to_") for name in machine.machine.events)
    assert set(machine.machine.events) == set(EVENTS)
    for state in STATES:
        refuses(machine, case("submitted"), f"to_{state}")


def test_applicable_agrees_with_fire(machine):
    for c in every_case():
        applicable = machine.applicable(c)
        for event in EVENTS:
            probe = SimpleNamespace(**vars(c))
            assert machine.applies(probe, event) == (event in applicable)
            if event in applicable:
                before, after = machine.fire(probe, event)
                assert (before, after) == (c.state, probe.state)
                assert after in STATES
            else:
                with pytest.raises(EventDoesNotApply):
                    machine.fire(probe, event)
                assert probe.state == c.state


def test_every_state_is_reachable_and_every_open_state_has_a_way_out(machine):
    reached, ways_out = set(INITIAL_STATE.values()), set()
    for c in every_case():
        for event in machine.applicable(c):
            probe = SimpleNamespace(**vars(c))
            machine.fire(probe, event)
            reached.add(probe.state)
            ways_out.add(c.state)
    assert reached == set(STATES) - {IN_STAGE}  # a policy's own stages: tests/unit/test_stages.py
    assert ways_out == set(STATES) - set(TERMINAL_STATES)


def test_one_machine_is_shared_by_every_case(machine, monkeypatch):
    """Firing builds no Machine and attaches nothing to the case: the machine is built once."""
    def no_new_machine(*args, **kwargs):
        raise AssertionError("a Machine was built for a case")

    monkeypatch.setattr(case_machine, "Machine", no_new_machine)
    first, second = case("submitted"), case("submitted", exceptional=True)
    machine.fire(first, "approve_materials")
    machine.fire(second, "approve_materials")
    assert (first.state, second.state) == ("interview", "hr_review")
    assert set(vars(first)) == {"kind", "state", "exceptional", "cycle_code", "outcome", "reopened_by_appeal", "stage"}
    assert list(machine.machine.models) == []


# --- who fires each event -------------------------------------------------------------

def test_who_matches_the_event_table():
    assert WHO == {
        "approve_materials": {SUPERVISOR}, "return_materials": {SUPERVISOR}, "reject_materials": {SUPERVISOR},
        "pass_probation": {SUPERVISOR}, "fail_probation": {SUPERVISOR},
        "resubmit": {APPLICANT}, "withdraw": {APPLICANT}, "appeal": {APPLICANT},
        "approve_exception": {HR}, "reject_exception": {HR}, "publish": {HR}, "cycle_publish": {HR},
        "uphold": {HR}, "overturn": {HR},
        "close_interview": {CHAIR}, "decide": {CHAIR, HR}, "approve": {CHAIR, HR}, "deny": {CHAIR, HR},
        "interview_complete": {SYSTEM}, "finalize": {SYSTEM},
        "pass_stage": {STAGE_PARTY}, "fail_stage": {STAGE_PARTY},
    }


def test_caller_events_leave_out_the_services_and_the_cycle_wide_moves():
    assert set(CALLER_EVENTS) == set(EVENTS) - {"interview_complete", "finalize", "decide", "cycle_publish"}
