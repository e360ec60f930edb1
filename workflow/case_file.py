"""A case as one use case needs it: the case row with its people, loaded once and passed down.

The repository loads a `CaseFile` in a fixed number of queries (the case with its manager, cycle and
appeal; its scores; its recusals; the supervisor chain; the committee's accounts). What is derived
from it (`people`, `progress`) is worked out from the objects in memory, so a step that adds a
recusal or a score is seen by the next step without reloading anything.
"""
from __future__ import annotations

from dataclasses import dataclass

from workflow.case_access import CasePeople
from workflow.committee import InterviewProgress


@dataclass(frozen=True)
class Seat:
    """A member of the case's committee, as their account stands now. A member counts only while their
    account is on and holds the committee role: one switched off or stripped of the role can no longer
    score, so must not hold up the interview."""
    username: str
    employee_no: str | None
    counts: bool


@dataclass
class CaseFile:
    case: object  # the case row (models.cases.Case)
    supervisor_chain: tuple[str, ...]  # employee numbers above the applicant, nearest first
    seats: tuple[Seat, ...]  # the cycle's committee, the chair included; () outside a cycle

    @property
    def id(self) -> int:
        return self.case.id

    @property
    def people(self) -> CasePeople:
        case = self.case
        return CasePeople(applicant_no=case.employee_no, supervisor_chain=self.supervisor_chain,
                          chair=case.cycle.chair if case.cycle else None,
                          members=frozenset(s.username for s in self.seats if s.counts),
                          recused=frozenset(r.username for r in case.recusals), reviewer=case.reviewed_by,
                          decider=case.decided_by,
                          escalated=(case.escalated_from, case.escalated_to) if case.escalated_to else None,
                          reviews=tuple((r["party"], r["username"], r["employee_no"]) for r in case.reviews or ()))

    def employee_no_of(self, username: str) -> str | None:
        return next((s.employee_no for s in self.seats if s.username == username), None)

    def progress(self, quorum: int) -> InterviewProgress:
        people = self.people
        return InterviewProgress.of(quorum, people.members, people.recused, [s.username for s in self.case.scores])
