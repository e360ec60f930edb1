"""How a caller stands to a case, and what that lets them see and do.

The standing is worked out once per request from the case's people (applicant, supervisor chain,
the cycle's committee, recusals); `can_view`, `may_fire` and `sees_scores` read only it.
"""
from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from workflow.accounts import ADMIN, COMMITTEE, HR, SUPERVISOR, Actor
from workflow.case_machine import APPLICANT, CHAIR, DECIDED_STATES, DELIBERATION, WHO
from workflow.case_machine import HR as HR_PARTY
from workflow.case_machine import SUPERVISOR as SUPERVISOR_PARTY

LINE_MANAGER = "line_manager"  # above the applicant in the supervisor chain (the direct one included)
MEMBER = "member"  # on the case's committee (the chair included)
ADMIN_PARTY = "admin"
REVIEWER = "reviewer"  # reviewed the case's materials
DECIDER = "decider"  # recorded the case's current decision


@dataclass(frozen=True)
class CasePeople:
    """The people of a case, as persistence knows them now."""
    applicant_no: str
    supervisor_chain: Sequence[str]  # employee numbers above the applicant, nearest first
    chair: str | None  # username
    members: Collection[str]  # usernames of the cycle's committee, the chair included
    recused: Collection[str]  # usernames of members recused from this case
    reviewer: str | None  # username of whoever reviewed the materials
    decider: str | None = None  # username of whoever recorded the current decision


@dataclass(frozen=True)
class CaseScope:
    """The cases a caller who is neither hr nor admin may see, for list queries (mirrors can_view):
    their own, their reports' (supervisors), and those of the cycles whose committee they sit on."""
    employee_no: str | None
    reports: frozenset[str]
    member_of: frozenset[str]


@dataclass(frozen=True)
class Standing:
    parties: frozenset[str]
    recused: bool = False

    def is_(self, *parties: str) -> bool:
        return bool(self.parties.intersection(parties))


def standing(actor: Actor, people: CasePeople) -> Standing:
    """The applicant acts on their own case only as the applicant: nobody reviews, scores or
    decides their own case, whatever other roles they hold."""
    if actor.employee_no is not None and actor.employee_no == people.applicant_no:
        return Standing(frozenset({APPLICANT}))
    parties = set()
    chain = people.supervisor_chain
    if actor.employee_no is not None and actor.has(SUPERVISOR) and actor.employee_no in chain:
        parties.add(LINE_MANAGER)
        if chain[0] == actor.employee_no:
            parties.add(SUPERVISOR_PARTY)
    recused = actor.username in people.recused
    if actor.has(COMMITTEE) and actor.username in people.members:
        parties.add(MEMBER)
        if actor.username == people.chair and not recused:
            parties.add(CHAIR)
    if people.reviewer == actor.username:
        parties.add(REVIEWER)
    if people.decider == actor.username:
        parties.add(DECIDER)
    if actor.has(HR):
        parties.add(HR_PARTY)
    if actor.has(ADMIN):
        parties.add(ADMIN_PARTY)
    return Standing(frozenset(parties), recused=recused)


def can_view(s: Standing) -> bool:
    return s.is_(APPLICANT, LINE_MANAGER, MEMBER, HR_PARTY, ADMIN_PARTY)


def may_fire(s: Standing, event: str) -> bool:
    return s.is_(*WHO[event])


def sees_scores(s: Standing, *, state: str, published: bool) -> bool:
    """Scores and the decision: HR, admins and the decider always; committee members once deliberation
    has begun; the applicant and their line managers once the current decision has been published."""
    if s.is_(HR_PARTY, ADMIN_PARTY, DECIDER):
        return True
    if s.is_(MEMBER) and (state == DELIBERATION or state in DECIDED_STATES):
        return True
    return published and s.is_(APPLICANT, LINE_MANAGER, MEMBER)


def automatic_recusal(username: str, employee_no: str | None, people: CasePeople) -> str | None:
    """Why a committee member may never score this case (回避), or None: the applicant themselves,
    anyone above the applicant in the supervisor chain, whoever reviewed the materials."""
    if employee_no is not None and employee_no == people.applicant_no:
        return "applicant"
    if employee_no is not None and employee_no in people.supervisor_chain:
        return "line_manager"
    if username == people.reviewer:
        return "reviewed_materials"
    return None
