"""Scheduling: the timer rows that the changes of a use case imply, written in its transaction.

- a case entering a state: its pending reminders end (the wait is over), a new wait may start
  (first reminder when it becomes overdue; where the policy escalates, the first check whether the supervisor it
  waits on can act), a publication starts the appeal window's timer, and an observation period (a policy's own
  stage) the timer of its end;
- a probation manager: the end of probation;
- the quarter close, one at a time, each close scheduling the next.
Firing is in workflow.services.due; the sweep in scheduler.sweep.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from workflow import escalation, waiting
from workflow.calendar import WINDOW_GRACE, WorkingCalendar
from workflow.case_machine import PUBLISHED
from workflow.eligibility import add_months
from workflow.periods import Period
from workflow.quarter_close import close_moment, next_period_to_close
from workflow.services.context import Rules
from workflow.services.governing import rules_for
from workflow.services.unit_of_work import UnitOfWork
from workflow.timeline import observation_ends
from workflow.timer_kinds import (APPEAL_WINDOW_END, DEFERRED_DEMOTION, ESCALATION, OBSERVATION_END, PROBATION_END,
                                  QUARTER_CLOSE, REMINDER)


def schedule(uow: UnitOfWork, rules: Rules, kind: str, key: str, due_at: datetime, **about) -> None:
    """A timer for `key`, unless it exists already (scheduling twice stores one row)."""
    uow.timers.schedule(**timer_row(rules, kind, key, due_at, **about))


def timer_row(rules: Rules, kind: str, key: str, due_at: datetime, *, case_id: int | None = None,
              employee_no: str | None = None, period: str | None = None, data: dict | None = None) -> dict:
    """The row of a timer for `key`; rows of every kind have the same fields, so that many go in one insert."""
    return dict(kind=kind, key=f"{kind}:{key}", due_at=due_at, created_at=rules.now(), attempts=0, data=data or {},
                case_id=case_id, employee_no=employee_no, period=period)


def state_entered(uow: UnitOfWork, rules: Rules, case, entry, *, opened: bool = False) -> None:
    """The case has just entered its state (opened, or moved by an event) with its history entry `entry`, at the
    entry's moment (the notices tell a wait from a later one by it); the reminders of the wait it leaves end (a case
    just opened has none)."""
    now, history_seq = entry.at, entry.seq
    case.state_since, case.overdue_since = now, None
    case.escalated_from = case.escalated_to = case.escalated_at = None
    if not opened:
        uow.timers.cancel_pending(kind=REMINDER, case_id=case.id, at=now, why="cancelled: the case moved on")
        if rules.policy.escalate_after_working_days is not None:
            uow.timers.cancel_pending(kind=ESCALATION, case_id=case.id, at=now, why="cancelled: the case moved on")
    stage = rules.cases.stage_of(case)
    if waiting.waits_on_someone(case.state, stage):
        calendar = uow.calendar.working_calendar()
        for row in first_reminders(rules, calendar, [(case, history_seq)]) + \
                first_escalation_checks(rules, calendar, [(case, history_seq)]):
            uow.timers.schedule(**row)
    if case.state == PUBLISHED and rules.policy.appeals:
        schedule_appeal_window_end(uow, rules, case)
    if stage is not None and stage.is_observation:
        schedule_observation_end(uow, rules, case, stage, history_seq)


def schedule_observation_end(uow: UnitOfWork, rules: Rules, case, stage, history_seq: int) -> None:
    """The observation period the case has just entered passes when its months are over."""
    schedule(uow, rules, OBSERVATION_END, f"{case.id}:{history_seq}",
             observation_ends(stage, case.state_since, rules.policy.tz), case_id=case.id,
             data={"stage": stage.code, "since": case.state_since.isoformat()})


def schedule_appeal_window_end(uow: UnitOfWork, rules: Rules, case) -> None:
    """The window closes a second after the deadline; a deadline already passed (a decision upheld
    after it) is finalized at the next sweep."""
    schedule(uow, rules, APPEAL_WINDOW_END, f"{case.id}:v{case.version}",
             max(case.appeal_deadline + WINDOW_GRACE, rules.now()), case_id=case.id)


def appeal_deadline_moved(uow: UnitOfWork, case) -> None:
    """A calendar change extended the deadline: the window's timer moves with it."""
    for timer in uow.timers.pending_unclaimed(kind=APPEAL_WINDOW_END, case_id=case.id):
        timer.due_at = case.appeal_deadline + WINDOW_GRACE


def first_reminders(rules: Rules, calendar: WorkingCalendar, entered: Sequence[tuple]) -> list[dict]:
    """The rows of the first reminders of the waits that cases began now, each (case, history_seq) entering its
    state with that history entry (a state that waits on someone)."""
    due = waiting.first_reminder(rules.policy, calendar, rules.now())
    return [reminder_row(rules, case, due, f"entered:{history_seq}") for case, history_seq in entered]


def schedule_reminder(uow: UnitOfWork, rules: Rules, case, due_at: datetime, after: str) -> None:
    uow.timers.schedule(**reminder_row(rules, case, due_at, after))


def reminder_row(rules: Rules, case, due_at: datetime, after: str) -> dict:
    """`after` names what the reminder follows (the history entry that began the wait, the reminder before),
    so that each wait's reminders have keys of their own, also when moves happen at one instant."""
    return timer_row(rules, REMINDER, f"{case.id}:{after}", due_at, case_id=case.id,
                     data={"state": case.state, "since": case.state_since.isoformat()})


def first_escalation_checks(rules: Rules, calendar: WorkingCalendar, entered: Sequence[tuple]) -> list[dict]:
    """The rows of the first checks whether the supervisor a wait that began now is on can act
    (workflow/escalation.py), each (case, history_seq) as for first_reminders: for the cases waiting on a supervisor,
    where the policy escalates."""
    due = escalation.first_check(rules.policy, calendar, rules.now())
    if due is None:
        return []
    return [timer_row(rules, ESCALATION, f"{case.id}:entered:{history_seq}", due, case_id=case.id,
                      data={"state": case.state, "since": case.state_since.isoformat()})
            for case, history_seq in entered
            if escalation.waited_level(case.state, rules.cases.stage_of(case)) is not None]


def schedule_probation_end(uow: UnitOfWork, rules: Rules, manager) -> None:
    """When probation ends (probation months from the grade's start), the confirmation case opens."""
    uow.timers.schedule(**probation_end_row(rules, manager.employee_no, manager.grade_since))


def probation_end_row(rules: Rules, employee_no: str, grade_since) -> dict:
    """The row of the timer of a probation's end (many go in one insert: an import's roster)."""
    ends = add_months(grade_since, rules.policy.probation_months)
    return timer_row(rules, PROBATION_END, f"{employee_no}:{grade_since.isoformat()}",
                     datetime.combine(ends, datetime.min.time(), tzinfo=rules.policy.tz), employee_no=employee_no)


def schedule_quarter_close(uow: UnitOfWork, rules: Rules, period: Period) -> None:
    due_at = close_moment(rules.policy.close_of(period.kind), period, rules.policy.tz)
    schedule(uow, rules, QUARTER_CLOSE, str(period), due_at, period=str(period))


def ensure_standing_timers(uow: UnitOfWork, rules: Rules) -> None:
    """What must always be scheduled, made sure of before every sweep (and before the manual clock moves):
    - each chain of closes (of quarters, or of each kind of period the policy closes) needs a first link, the
      next close not yet passed (each close then schedules the next);
    - probation managers and published cases from before timers existed (or restored from a backup)
      get theirs, and so do cases waiting on someone (their reminders). In normal operation these queries find
      nothing: the use cases schedule as they go."""
    for close in rules.policy.closes:
        schedule_quarter_close(uow, rules, next_period_to_close(close, rules.today(), rules.policy.tz, rules.now()))
    for manager in uow.timers.probation_managers_without_timer(rules.policy.ladder.entry_grade):
        schedule_probation_end(uow, rules, manager)
    for case in uow.timers.published_cases_without_timer():
        schedule_appeal_window_end(uow, rules, case)
    waits = uow.timers.waiting_cases_without_reminder(waiting.WAITING_STATES)
    if waits:
        calendar = uow.calendar.working_calendar()
        for case in waits:  # each by the policy version it follows
            governing = rules_for(uow, rules, case)
            if not waiting.waits_on_someone(case.state, governing.cases.stage_of(case)):
                continue  # an observation period
            schedule_reminder(uow, governing, case, waiting.first_reminder(governing.policy, calendar,
                                                                           case.state_since),
                              f"since:{case.state_since.isoformat()}")


def deferred_demotion(rules: Rules, period: str, employee_no: str, due_at: datetime) -> dict:
    """The row of the timer that opens a demotion the quarter close of `period` deferred."""
    return timer_row(rules, DEFERRED_DEMOTION, f"{period}:{employee_no}", due_at, employee_no=employee_no,
                     period=period)
