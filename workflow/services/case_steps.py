"""The steps every case use case is made of: claim the case, move it by the machine, write history.

Each use case claims a case (`claim`) exactly once, before writing anything that hangs off it:
the version grows by one per use case, and the versioned UPDATE comes first, so that of two
concurrent changes the later one fails with version_conflict before it writes a score or a
history entry (on SQLite, where FOR UPDATE does nothing, this is what serializes them).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from workflow import case_access
from workflow.accounts import COMMITTEE
from workflow.case_access import CasePeople, Standing
from workflow.calendar import WINDOW_GRACE
from workflow.case_machine import CALLER_EVENTS
from workflow.committee import InterviewProgress
from workflow.errors import Conflict, FieldError, NotFound, RuleViolation
from workflow.scoring import score_problem
from workflow.services import timers
from workflow.services.context import Rules

SYSTEM_ACTOR = "(gradeflow)"  # the history's actor for moves the service makes by itself


def record(uow, rules: Rules, case, *, actor: str, event: str, from_state: str | None, to_state: str,
           comment: str | None = None, data: dict | None = None):
    return uow.cases.add_history(case, at=rules.now(), actor=actor, event=event, from_state=from_state,
                                 to_state=to_state, comment=comment, data=data or {})


def move(uow, rules: Rules, case, event: str, *, actor: str, comment: str | None = None,
         data: dict | None = None) -> None:
    """Fire `event` on the case by the shared machine and write the history entry."""
    before, after = rules.cases.fire(case, event)
    entry = record(uow, rules, case, actor=actor, event=event, from_state=before, to_state=after, comment=comment,
                   data=data)
    timers.state_entered(uow, rules, case, entry.seq)


def claim(uow, rules: Rules, case) -> None:
    case.updated_at = rules.now()
    case.version += 1
    uow.flush()


def check_version(case, expected: int | None) -> None:
    """If-Match / "version": refuse a change made against a stale copy of the case."""
    if expected is not None and expected != case.version:
        raise Conflict("version_conflict", f"case {case.id} is at version {case.version}, not {expected}; "
                       "reload it and try again", version=case.version)


def people_of(uow, case) -> CasePeople:
    """The case's people now. A member counts only while their account is on and holds the committee
    role: one switched off or stripped of the role can no longer score, so must not hold up the interview."""
    cycle = case.cycle
    members = frozenset(m.username for m in cycle.members if m.user.active and COMMITTEE in m.user.roles) \
        if cycle else frozenset()
    return CasePeople(applicant_no=case.employee_no,
                      supervisor_chain=uow.managers.supervisor_chain(case.employee_no),
                      chair=cycle.chair if cycle else None,
                      members=members,
                      recused=frozenset(case.recused_usernames), reviewer=case.reviewed_by, decider=case.decided_by)


def progress_of(rules: Rules, case, people: CasePeople) -> InterviewProgress:
    return InterviewProgress.of(rules.policy.quorum, people.members, people.recused,
                                [s.username for s in case.scores])


def appeal_window_open(case, now: datetime) -> bool:
    """Open until the deadline, to the second: an appeal at 23:59:59 counts, one at 00:00:00 does not."""
    return case.appeal_deadline is not None and now < case.appeal_deadline + WINDOW_GRACE


def available_events(rules: Rules, case, standing: Standing, people: CasePeople) -> list[str]:
    """What the caller may do to the case now."""
    def doable(event: str) -> bool:
        if event == "close_interview":
            return progress_of(rules, case, people).quorum_met
        if event == "appeal":
            return case.appeal is None and appeal_window_open(case, rules.now())
        return True
    return [e for e in CALLER_EVENTS
            if case_access.may_fire(standing, e) and rules.cases.applies(case, e) and doable(e)]


def invalid_transition(rules: Rules, case, standing: Standing, people: CasePeople, what: str) -> Conflict:
    available = available_events(rules, case, standing, people)
    return Conflict("invalid_transition",
                    f"{what} does not apply to case {case.id} in state {case.state}"
                    + (f"; you may now: {', '.join(available)}" if available else ""),
                    state=case.state, available_events=available)


def load_case(uow, actor, case_id: int, *, for_update: bool = False):
    """(case, the caller's standing); NotFound also when the caller may not see the case."""
    case = uow.cases.get(case_id, for_update=for_update)
    if case is None:
        raise NotFound(f"no case {case_id}")
    standing = case_access.standing(actor, people_of(uow, case))
    if not case_access.can_view(standing):
        raise NotFound(f"no case {case_id}")
    return case, standing


def check_score(rules: Rules, field: str, value: Decimal) -> None:
    if (problem := score_problem(rules.policy.scoring, value)) is not None:
        raise RuleViolation([FieldError(field, *problem)])
