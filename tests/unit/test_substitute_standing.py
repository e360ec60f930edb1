"""A substitute's standing on a case (workflow/delegations.py, workflow/case_access.py standing), and escalation's
rules (workflow/escalation.py): pure, no database."""
from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from workflow.accounts import Actor
from workflow.case_access import LINE_MANAGER, MEMBER, CasePeople, parties_for, standing
from workflow.case_machine import APPLICANT, CHAIR, HR, SUPERVISOR
from workflow.delegations import StandIn, scopes_overlap, status
from workflow.escalation import NO_ACCOUNT, ON_LEAVE, absence, escalate_to, holds, leave_covers, waited_level
from workflow.stages import SECOND_SUPERVISOR, Stage

# E100 applies; E050 supervises them, E010 supervises E050; the committee: chair, m1, m2, m3.
PEOPLE = CasePeople(applicant_no="E100", supervisor_chain=("E050", "E010"), chair="chair",
                    members=("chair", "m1", "m2", "m3"), recused=(), reviewer="e050")
BOSS = Actor(1, "e050", frozenset({"employee", "supervisor"}), "E050")
CHAIRMAN = Actor(2, "chair", frozenset({"committee"}), None)
MEMBER_ONE = Actor(3, "m1", frozenset({"committee"}), None)


def substitute(username: str = "sub", *roles: str, employee_no: str | None = "E070", principal: Actor = BOSS,
               scope: str = "supervisor", superiors: tuple[str, ...] = ()) -> Actor:
    roles = roles or ("employee", "supervisor", "committee")
    return Actor(9, username, frozenset(roles), employee_no, stands_in_for=(StandIn(1, principal, scope),),
                 superiors=superiors)


def people(**changes) -> CasePeople:
    return dataclasses.replace(PEOPLE, **changes)


def test_a_substitute_holds_the_absent_supervisors_standing_and_names_them():
    s = standing(substitute(), PEOPLE)
    assert s.parties == {LINE_MANAGER, SUPERVISOR}
    assert s.on_behalf_of({SUPERVISOR}) == "e050"


def test_a_substitute_acts_only_within_the_scope():
    assert standing(substitute(scope="committee", principal=MEMBER_ONE), PEOPLE).parties == {MEMBER}
    assert standing(substitute(scope="supervisor", principal=MEMBER_ONE), PEOPLE).parties == set()
    assert standing(substitute(scope="committee"), PEOPLE).parties == set()


def test_a_substitute_holds_the_roles_of_the_scope_themselves():
    assert standing(substitute("sub", "employee", "committee"), PEOPLE).parties == set()


def test_a_substitutes_own_substitute_does_not_inherit():
    """The principal is read with their own standing only: what they hold as somebody's substitute stays theirs."""
    middle = substitute("middle")
    assert standing(substitute("last", principal=middle), PEOPLE).parties == set()


def test_a_substitute_never_acts_on_their_own_case():
    assert standing(substitute(employee_no="E100"), PEOPLE).parties == {APPLICANT}


def test_a_substitute_does_not_act_on_the_case_of_someone_above_them():
    assert standing(substitute(superiors=("E100", "E050")), PEOPLE).parties == set()
    chair_for = substitute(scope="committee", principal=CHAIRMAN, superiors=("E100",))
    assert standing(chair_for, PEOPLE).recused


def test_on_a_committee_the_substitute_is_recused_where_a_member_would_be():
    in_the_chain = substitute("e010", employee_no="E010", scope="committee", principal=MEMBER_ONE)
    assert standing(in_the_chain, PEOPLE).recused
    reviewer = substitute("e050x", scope="committee", principal=MEMBER_ONE)
    assert standing(reviewer, people(reviewer="e050x")).recused
    declared = substitute(scope="committee", principal=MEMBER_ONE)
    assert standing(declared, people(recused=("sub",))).recused


def test_on_a_committee_the_substitute_is_recused_where_the_member_is():
    s = standing(substitute(scope="committee", principal=MEMBER_ONE), people(recused=("m1",)))
    assert s.is_(MEMBER) and s.recused


def test_a_recused_substitute_does_not_chair():
    chair_for = substitute("e010", employee_no="E010", scope="committee", principal=CHAIRMAN)
    assert not standing(chair_for, PEOPLE).is_(CHAIR)
    assert standing(substitute(scope="committee", principal=CHAIRMAN), PEOPLE).is_(CHAIR)


def test_a_member_of_the_same_committee_keeps_only_their_own_seat():
    own_member = substitute("m2", "committee", employee_no=None, scope="committee", principal=MEMBER_ONE)
    s = standing(own_member, PEOPLE)
    assert s.is_(MEMBER) and s.on_behalf_of({MEMBER}) is None


def test_the_absent_persons_own_standing_is_theirs_in_their_own_right():
    assert standing(BOSS, PEOPLE).on_behalf_of({SUPERVISOR}) is None


def test_the_supervisor_a_wait_was_escalated_to_holds_the_absent_ones_part():
    top = Actor(4, "e010", frozenset({"supervisor"}), "E010")
    s = standing(top, people(escalated=("E050", "E010")))
    assert s.is_(SUPERVISOR) and s.on_behalf_of({SUPERVISOR}) == "E050"
    assert standing(top, people(escalated=("E010", "E001"))).on_behalf_of({SECOND_SUPERVISOR}) is None
    assert not standing(top, PEOPLE).is_(SUPERVISOR)


# --- four eyes: one person, one of the supervisors' reviews ---------------------------------------------------

SECOND_REVIEW = Stage("second_review", "二次审核", SECOND_SUPERVISOR)
ABOVE = Actor(4, "e010", frozenset({"employee", "supervisor"}), "E010")


def test_the_second_supervisor_standing_in_for_the_first_holds_both_parts_until_they_do_one():
    s = standing(substitute("e010", employee_no="E010"), PEOPLE)
    assert s.is_(SUPERVISOR) and s.is_(SECOND_SUPERVISOR) and not s.four_eyes


def test_whoever_did_the_supervisors_review_holds_not_the_second_supervisors_part():
    done = people(reviews=(("supervisor", "e010", "E010"),))
    s = standing(ABOVE, done)
    assert not s.is_(SECOND_SUPERVISOR) and s.four_eyes == {SECOND_SUPERVISOR} and s.is_(LINE_MANAGER)


def test_whoever_did_the_second_supervisors_review_holds_not_the_supervisors_part_as_a_substitute():
    done = people(reviews=(("second_supervisor", "e010", "E010"),))
    s = standing(substitute("e010", employee_no="E010"), done)
    assert not s.is_(SUPERVISOR) and s.on_behalf_of({SUPERVISOR}) is None and s.four_eyes == {SUPERVISOR}


def test_the_review_kept_from_the_only_second_supervisor_is_hrs_too():
    done = people(reviews=(("supervisor", "e010", "E010"),))
    assert parties_for("pass_stage", SECOND_REVIEW, done) == {SECOND_SUPERVISOR, HR}
    assert parties_for("pass_stage", SECOND_REVIEW, PEOPLE) == {SECOND_SUPERVISOR}


def test_an_escalation_holds_only_under_the_reporting_line_of_its_time():
    assert holds(("E050", "E010"), 0, "E050", "E010") and holds(("E050",), 0, "E050", None)
    assert not holds(("E060", "E010"), 0, "E050", "E010")  # a new direct supervisor
    assert not holds(("E050", "E020"), 0, "E050", "E010")  # whoever it went to is no longer above them
    assert not holds(("E050",), 1, "E050", None)


# --- delegations and escalation --------------------------------------------------------------------------

def test_scopes_overlap_where_they_share_a_role():
    assert scopes_overlap("both", "committee") and scopes_overlap("supervisor", "supervisor")
    assert not scopes_overlap("supervisor", "committee")


@pytest.mark.parametrize("starts, ends, cancelled, expected", [
    (date(2026, 9, 2), date(2026, 9, 5), False, "planned"), (date(2026, 9, 1), date(2026, 9, 1), False, "active"),
    (date(2026, 8, 1), date(2026, 8, 31), False, "ended"), (date(2026, 9, 1), date(2026, 9, 5), True, "cancelled")])
def test_a_delegations_status_follows_its_days(starts, ends, cancelled, expected):
    assert status(starts, ends, cancelled, date(2026, 9, 1)) == expected


def test_a_leave_covers_its_days_from_the_first():
    assert [leave_covers(date(2026, 9, 1), 3, date(2026, 9, d)) for d in (1, 3, 4)] == [True, True, False]


def test_a_supervisor_cannot_act_without_an_account_or_on_leave_unless_a_substitute_can():
    assert absence(has_account=False, on_leave=False, substituted=False) == NO_ACCOUNT
    assert absence(has_account=True, on_leave=True, substituted=False) == ON_LEAVE
    assert absence(has_account=True, on_leave=True, substituted=True) is None
    assert absence(has_account=True, on_leave=False, substituted=False) is None


def test_the_case_goes_to_the_nearest_supervisor_up_who_can_act():
    chain = ("E050", "E010", "E001")
    assert escalate_to(chain, 0, lambda no: no != "E050") == "E010"
    assert escalate_to(chain, 0, lambda no: no == "E001") == "E001"
    assert escalate_to(chain, 1, lambda no: no == "E050") is None


def test_only_waits_on_a_supervisor_escalate():
    assert waited_level("submitted", None) == 0
    assert waited_level("in_stage", Stage("second", "second", by="second_supervisor")) == 1
    assert waited_level("interview", None) is None
