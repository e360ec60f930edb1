"""How a caller stands to a case (shared/api.md, "Case events" and the case resource; briefing):
the applicant acts only as the applicant, only the direct supervisor reviews, a recused chair is
no chair, committee membership needs the committee role, who sees scores when, and the automatic
recusals (回避)."""
from __future__ import annotations

import dataclasses

import pytest

from workflow.accounts import Actor
from workflow.case_access import (ADMIN_PARTY, LINE_MANAGER, MEMBER, REVIEWER, CasePeople, Standing,
                                  automatic_recusal, can_view, may_fire, sees_scores, standing)
from workflow.case_machine import APPLICANT, CHAIR, EVENTS, HR, STATES, SUPERVISOR, WHO
from workflow.stages import SECOND_SUPERVISOR

ALL_ROLES = ("employee", "supervisor", "committee", "hr", "admin")
BEFORE_DELIBERATION = ("submitted", "returned", "hr_review", "interview")
FROM_DELIBERATION = ("deliberation", "decided", "published", "appealed", "effective", "closed")

# E100 applies; E050 supervises them directly, E010 supervises E050.
PEOPLE = CasePeople(applicant_no="E100", supervisor_chain=("E050", "E010"), chair="chair",
                    members=("chair", "m1", "m2", "m3"), recused=(), reviewer="e050")


def actor(username: str, *roles: str, employee_no: str | None = None) -> Actor:
    return Actor(user_id=1, username=username, roles=frozenset(roles), employee_no=employee_no)


def people(**changes) -> CasePeople:
    return dataclasses.replace(PEOPLE, **changes)


def parties(a: Actor, p: CasePeople = PEOPLE) -> set[str]:
    return set(standing(a, p).parties)


def fireable(s: Standing) -> set[str]:
    return {e for e in EVENTS if may_fire(s, e)}


# --- the applicant --------------------------------------------------------------------

def test_applicant_is_only_the_applicant_whatever_roles_they_hold():
    """Even an applicant with every role who chairs the cycle's committee, is in their own chain and
    reviewed the materials stands to their own case as the applicant alone."""
    me = actor("e100", *ALL_ROLES, employee_no="E100")
    odd = people(chair="e100", members=("e100", "m1", "m2"), supervisor_chain=("E100", "E010"), reviewer="e100")
    assert standing(me, odd) == Standing(frozenset({APPLICANT}))


def test_applicant_fires_only_applicant_events():
    me = standing(actor("e100", *ALL_ROLES, employee_no="E100"), PEOPLE)
    assert fireable(me) == {"resubmit", "withdraw", "appeal"}
    assert can_view(me)


def test_hr_applicant_cannot_decide_or_publish_their_own_case():
    me = standing(actor("e100", "employee", "hr", employee_no="E100"), PEOPLE)
    for event in ("approve", "deny", "publish", "uphold", "overturn", "approve_exception"):
        assert not may_fire(me, event)


def test_hr_applicant_sees_own_scores_only_after_publication():
    me = standing(actor("e100", "employee", "hr", "admin", employee_no="E100"), PEOPLE)
    assert not sees_scores(me, state="deliberation", published=False)
    assert sees_scores(me, state="published", published=True)


# --- supervisors ----------------------------------------------------------------------

def test_direct_supervisor_is_the_supervisor_party():
    direct = actor("e050", "employee", "supervisor", employee_no="E050")
    assert parties(direct) >= {LINE_MANAGER, SUPERVISOR}
    s = standing(direct, PEOPLE)
    for event in ("approve_materials", "return_materials", "reject_materials", "pass_probation", "fail_probation"):
        assert may_fire(s, event)


def test_higher_line_manager_is_not_the_supervisor_party():
    higher = actor("e010", "employee", "supervisor", employee_no="E010")
    assert parties(higher) == {LINE_MANAGER, SECOND_SUPERVISOR}  # fires only what a policy's stage gives them
    s = standing(higher, PEOPLE)
    assert can_view(s)
    assert fireable(s) == set()


def test_line_manager_needs_the_supervisor_role():
    assert parties(actor("e050", "employee", employee_no="E050")) == {REVIEWER}
    assert not can_view(standing(actor("e010", "employee", employee_no="E010"), PEOPLE))


def test_a_supervisor_outside_the_chain_is_nobody_to_the_case():
    other = standing(actor("e077", "employee", "supervisor", employee_no="E077"), PEOPLE)
    assert other.parties == frozenset()
    assert not can_view(other)


# --- the committee --------------------------------------------------------------------

def test_chair_is_member_and_chair():
    chair = standing(actor("chair", "committee"), PEOPLE)
    assert chair.parties == {MEMBER, CHAIR}
    assert not chair.recused
    assert fireable(chair) == {"close_interview", "decide", "approve", "deny"}


def test_recused_chair_loses_the_chair_party():
    chair = standing(actor("chair", "committee"), people(recused=("chair",)))
    assert chair.parties == {MEMBER}
    assert chair.recused
    assert can_view(chair)
    assert fireable(chair) == set()


def test_recused_member_stays_a_member_marked_recused():
    s = standing(actor("m1", "committee"), people(recused=("m1",)))
    assert (s.parties, s.recused) == ({MEMBER}, True)


def test_committee_role_is_needed_to_be_a_member():
    listed_without_role = standing(actor("m1", "employee", employee_no="E200"), PEOPLE)
    assert MEMBER not in listed_without_role.parties
    assert not can_view(listed_without_role)
    chair_without_role = standing(actor("chair", "employee", employee_no="E201"), PEOPLE)
    assert chair_without_role.parties == frozenset()


def test_committee_role_alone_is_not_membership_of_this_committee():
    outsider = standing(actor("m9", "committee"), PEOPLE)
    assert outsider.parties == frozenset()
    assert not can_view(outsider)


# --- hr, admin and others -------------------------------------------------------------

def test_hr_fires_the_hr_events_and_decides_single_cases():
    hr = standing(actor("hr1", "hr"), PEOPLE)
    assert hr.parties == {HR}
    assert can_view(hr)
    assert fireable(hr) == {e for e, who in WHO.items() if HR in who}
    assert {"approve_exception", "reject_exception", "publish", "uphold", "overturn", "approve", "deny"} <= fireable(hr)


def test_admin_sees_the_case_but_fires_no_event():
    admin = standing(actor("root", "admin"), PEOPLE)
    assert admin.parties == {ADMIN_PARTY}
    assert can_view(admin)
    assert fireable(admin) == set()


def test_reviewer_alone_cannot_view_the_case():
    assert not can_view(Standing(frozenset({REVIEWER})))


def test_an_unrelated_employee_cannot_view_the_case():
    assert not can_view(standing(actor("e300", "employee", employee_no="E300"), PEOPLE))


def test_no_party_fires_a_system_event():
    everyone = Standing(frozenset({APPLICANT, SUPERVISOR, LINE_MANAGER, MEMBER, CHAIR, HR, ADMIN_PARTY, REVIEWER}))
    assert not may_fire(everyone, "finalize")
    assert not may_fire(everyone, "interview_complete")


# --- who sees scores ------------------------------------------------------------------

@pytest.mark.parametrize("party", [HR, ADMIN_PARTY])
@pytest.mark.parametrize("state", STATES)
def test_hr_and_admin_always_see_scores(party, state):
    assert sees_scores(Standing(frozenset({party})), state=state, published=False)


@pytest.mark.parametrize("state", BEFORE_DELIBERATION)
def test_members_do_not_see_scores_before_deliberation(state):
    assert not sees_scores(Standing(frozenset({MEMBER})), state=state, published=False)
    assert not sees_scores(Standing(frozenset({MEMBER, CHAIR})), state=state, published=False)


@pytest.mark.parametrize("state", FROM_DELIBERATION)
def test_members_see_scores_from_deliberation_on(state):
    assert sees_scores(Standing(frozenset({MEMBER})), state=state, published=False)
    assert sees_scores(Standing(frozenset({MEMBER}), recused=True), state=state, published=False)


@pytest.mark.parametrize("party", [APPLICANT, LINE_MANAGER])
@pytest.mark.parametrize("state", STATES)
def test_applicant_and_line_managers_see_scores_only_after_publication(party, state):
    s = Standing(frozenset({party}))
    assert not sees_scores(s, state=state, published=False)
    assert sees_scores(s, state=state, published=True)


def test_direct_supervisor_sees_scores_only_after_publication():
    s = standing(actor("e050", "employee", "supervisor", employee_no="E050"), PEOPLE)
    assert not sees_scores(s, state="decided", published=False)
    assert sees_scores(s, state="published", published=True)


def test_nobody_else_sees_scores():
    for s in (Standing(frozenset()), Standing(frozenset({REVIEWER}))):
        assert not sees_scores(s, state="published", published=True)


# --- automatic recusal ----------------------------------------------------------------

def test_applicant_is_recused_from_their_own_case():
    assert automatic_recusal("e100", "E100", PEOPLE) == "applicant"


@pytest.mark.parametrize("employee_no", ["E050", "E010"])
def test_anyone_in_the_supervisor_chain_is_recused(employee_no):
    assert automatic_recusal(employee_no.lower(), employee_no, people(reviewer=None)) == "line_manager"


def test_whoever_reviewed_the_materials_is_recused():
    assert automatic_recusal("m2", None, people(reviewer="m2")) == "reviewed_materials"
    assert automatic_recusal("m2", "E222", people(reviewer="m2")) == "reviewed_materials"


def test_recusal_reasons_in_order_applicant_line_manager_reviewer():
    assert automatic_recusal("e100", "E100", people(supervisor_chain=("E100",), reviewer="e100")) == "applicant"
    assert automatic_recusal("e050", "E050", PEOPLE) == "line_manager"  # also the reviewer


def test_an_unrelated_member_is_not_recused():
    assert automatic_recusal("m1", "E300", PEOPLE) is None
    assert automatic_recusal("m1", None, PEOPLE) is None


def test_a_member_without_employee_number_is_never_the_applicant_or_line_manager():
    assert automatic_recusal("m1", None, people(reviewer=None)) is None
