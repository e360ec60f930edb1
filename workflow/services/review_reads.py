"""What a supervisor reviews (材料审核, 转正): the review queue of the web pages. A case is in the queue when it
waits on the caller (case_reads.cases_waiting_on, the people the reminders go to) and one of the supervisor's
events applies to it for them now (case_access.available_events): the materials of a promotion of a direct
report, a probation confirmation."""
from __future__ import annotations

from workflow.accounts import Actor
from workflow.case_machine import CALLER_EVENTS, SUPERVISOR, WHO
from workflow.services.case_reads import WaitingCase, cases_waiting_on
from workflow.services.context import Rules

# the events of the case machine that only the applicant's direct supervisor fires
REVIEW_EVENTS = tuple(e for e in CALLER_EVENTS if WHO[e] == frozenset({SUPERVISOR}))


def review_events(case) -> list[str]:
    """The review events the caller may fire on the case now (a CaseView), in the machine's order."""
    return [e for e in case.available_events if e in REVIEW_EVENTS]


def review_queue(uow, rules: Rules, actor: Actor) -> list[WaitingCase]:
    """The cases waiting on the caller's review, overdue first, then by how soon they fall due."""
    return [item for item in cases_waiting_on(uow, rules, actor) if review_events(item.case)]
