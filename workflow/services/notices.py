"""Notices (issue 15, point 1): every event a person must act on, or must know of, becomes an outbox message after the
fact, read from the audit chain in commit order (models/audit.py links each history entry as its transaction
commits), so that no request waits on them and none is missed:

- a case that begins to wait on someone (submitted, returned, in the interview, in deliberation, appealed …):
  whoever it waits on now (and their substitutes), if it still waits in that state;
- a decision published: the applicant, with the appeal deadline; an appeal filed: hr; an appeal upheld or
  overturned: the applicant; a grade changed: the manager and their supervisor.

And, at every run, the deadlines approaching: a wait that becomes overdue at the next working day's reminder (a
working day before it; due.py's reminders follow once it is overdue), an appeal window that closes within a day.

Each message is written once per dedupe key (the history entry or the deadline, the kind and the recipient) in the
recipient's language; the cursor row over the chain is locked while notices are written, so two senders do not write
the same ones. An entry older than HORIZON is passed over (a sender back from a long outage does not announce stale
news)."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta

from workflow import messages, waiting
from workflow.accounts import HR, SUPERVISOR
from workflow.case_machine import EFFECTIVE, PUBLISHED
from workflow.messages import (APPEAL_DEADLINE, APPEAL_FILED, APPEAL_RESOLVED, CASE_WAITING, DEADLINE_APPROACHING,
                               DECISION_PUBLISHED, GRADE_CHANGED)
from workflow.services.context import Rules
from workflow.services.due import reminded
from workflow.services.governing import rules_for
from workflow.services.message_writing import local_time as _local, write_message
from workflow.services.unit_of_work import UnitOfWork

CHAIN = "audit_chain"  # the cursor's source
HISTORY = "case_history"  # the chain's source of case history entries
BATCH = 500
HORIZON = timedelta(days=14)
APPEAL_NOTICE_BEFORE = timedelta(days=1)


def write_notices(unit_of_work: Callable[[], UnitOfWork], rules: Rules) -> int:
    """Write the notices of what was committed since the last run, then of the deadlines approaching; how many."""
    written = 0
    while True:
        with unit_of_work() as uow:
            cursor = uow.outbox.cursor(CHAIN)
            links = uow.outbox.chain_after(cursor.last_seq, BATCH)
            entries = uow.outbox.history_entries([source_id for _, source, source_id in links if source == HISTORY])
            written += _write(uow, rules, [n for entry in entries for n in _entry_notices(uow, rules, entry)])
            if links:
                cursor.last_seq = links[-1][0]
        if len(links) < BATCH:
            break
    with unit_of_work() as uow:
        uow.outbox.cursor(CHAIN)  # the same lock: one writer of notices at a time
        written += _write(uow, rules, list(_deadline_notices(uow, rules)))
    return written


def _entry_notices(uow: UnitOfWork, rules: Rules, entry) -> Iterable[tuple]:
    """(kind, recipient, case, key, facts) of the notices a history entry calls for."""
    if rules.now() - entry.at > HORIZON:
        return
    case = uow.cases.get(entry.case_id)
    governing = rules_for(uow, rules, case)
    at = _local(governing, entry.at)
    key = f"h{entry.id}"
    applicant = uow.outbox.active_users(employee_no=case.employee_no)
    if entry.event in ("publish", "cycle_publish") and case.outcome is not None:
        open_window = case.state == PUBLISHED and case.appeal_deadline is not None \
            and case.appeal_deadline > rules.now()
        facts = {"outcome": case.outcome, "from_grade": case.from_grade, "to_grade": case.target_grade, "at": at,
                 "deadline": _local(governing, case.appeal_deadline) if open_window else None}
        yield from _to(applicant, DECISION_PUBLISHED, case, key, facts)
    elif entry.event == "appeal":
        yield from _to(_hr_but(uow, applicant), APPEAL_FILED, case, key, {"at": at, "comment": entry.comment})
    elif entry.event in (messages.UPHELD, messages.OVERTURNED):
        yield from _to(applicant, APPEAL_RESOLVED, case, key,
                       {"at": at, "verdict": entry.event, "comment": entry.comment})
    elif entry.event == "finalize" and entry.to_state == EFFECTIVE and entry.data.get("to_grade"):
        supervisor = uow.outbox.active_users(role=SUPERVISOR, employee_no=case.manager.supervisor_no) \
            if case.manager.supervisor_no else []
        yield from _to(applicant + supervisor, GRADE_CHANGED, case, key, {
            "from_grade": entry.data["from_grade"], "to_grade": entry.data["to_grade"],
            "effective_on": entry.data["effective_on"]})
    if case.state == entry.to_state and case.state_since == entry.at \
            and waiting.waits_on_someone(case.state, governing.cases.stage_of(case)):
        yield from _to(reminded(uow, governing, case, rules.today()), CASE_WAITING, case, key, {"since": at})


def _deadline_notices(uow: UnitOfWork, rules: Rules) -> Iterable[tuple]:
    now, calendar = rules.now(), uow.calendar.working_calendar()
    # a wait of n working days ends n calendar days after it began at the earliest; told a day before. n is the
    # shortest of every policy a case may follow (an org unit's, an earlier version's), not only the company's
    shortest = min(r.policy.overdue_after_working_days
                   for r in (rules, *(unit for _, unit in rules.units), *filter(None, rules.versions.values())))
    begun_before = now - timedelta(days=max(shortest - 1, 0))
    for case in uow.outbox.waits_begun_before(waiting.WAITING_STATES, begun_before):
        governing = rules_for(uow, rules, case)
        if not waiting.waits_on_someone(case.state, governing.cases.stage_of(case)):
            continue
        due = waiting.first_reminder(governing.policy, calendar, case.state_since)
        if waiting.deadline_notice(governing.policy, calendar, case.state_since) <= now < due:
            yield from _to(reminded(uow, governing, case, rules.today()), DEADLINE_APPROACHING, case,
                           f"due{case.state_since.isoformat()}",
                           {"since": _local(governing, case.state_since), "due": _local(governing, due)})
    for case in uow.outbox.appeal_windows_closing(now, now + APPEAL_NOTICE_BEFORE):
        governing = rules_for(uow, rules, case)
        yield from _to(uow.outbox.active_users(employee_no=case.employee_no), APPEAL_DEADLINE, case,
                       f"appeal{case.appeal_deadline.isoformat()}",
                       {"outcome": case.outcome, "deadline": _local(governing, case.appeal_deadline)})


def _to(recipients: Iterable[str], kind: str, case, key: str, facts: dict) -> Iterable[tuple]:
    for recipient in dict.fromkeys(recipients):
        yield kind, recipient, case, f"{kind}:{case.id}:{key}:{recipient}", facts


def _hr_but(uow: UnitOfWork, own: list[str]) -> list[str]:
    """hr's accounts, without the applicant's own (nobody handles their own appeal)."""
    return [u for u in uow.outbox.active_users(role=HR) if u not in own]


def _write(uow: UnitOfWork, rules: Rules, notices: list[tuple]) -> int:
    written = uow.outbox.existing_keys([n[3] for n in notices])
    fresh = list({n[3]: n for n in notices if n[3] not in written}.values())
    accounts = uow.outbox.accounts({recipient for _, recipient, *_ in fresh})
    for kind, recipient, case, key, facts in fresh:
        write_message(uow, rules, kind, recipient, case, key, facts, accounts[recipient].language)
    return len(fresh)
