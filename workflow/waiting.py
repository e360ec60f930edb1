"""Who a case waits on, and when waiting becomes overdue (domain.md, "Reminders"): a case waiting on
the same person for more than the policy's working days (3) is overdue and reminded once a working day.

The wait starts when the case enters its state, and lasts while it stays there: the people who act
next in a state stay the same (the interview waits on the members who have not scored yet)."""
from __future__ import annotations

from datetime import date, datetime

from workflow.calendar import WorkingCalendar, working_days_after
from workflow.case_machine import (APPEALED, DECIDED, DELIBERATION, HR_REVIEW, IN_STAGE, INTERVIEW, RETURNED,
                                   SUBMITTED)
from workflow.clock import local_date
from workflow.policy import Policy
from workflow.stages import Stage

# The states in which somebody has to act; published cases wait on nobody (an appeal is optional).
WAITING_STATES = frozenset({SUBMITTED, RETURNED, HR_REVIEW, IN_STAGE, INTERVIEW, DELIBERATION, DECIDED, APPEALED})


def waits_on_someone(state: str, stage: Stage | None = None) -> bool:
    """`stage`: the policy's own stage the case is in; an observation period waits on nobody (it ends by itself)."""
    return state in WAITING_STATES and not (stage is not None and stage.is_observation)


def first_reminder(policy: Policy, calendar: WorkingCalendar, since: datetime) -> datetime:
    """The first working day after more than n full working days have passed since the wait began
    (the day it began does not count), at the policy's reminder time: the moment it is overdue."""
    tz = policy.tz
    last_allowed = working_days_after(calendar, local_date(since, tz), policy.overdue_after_working_days, tz)
    return datetime.combine(calendar.next_working_day(last_allowed.at.date()), policy.reminder_at, tzinfo=tz)


def deadline_notice(policy: Policy, calendar: WorkingCalendar, since: datetime) -> datetime:
    """When whoever a case waits on is told that it becomes overdue soon: the last working day allowed, at the
    policy's reminder time (a working day before the first reminder)."""
    tz = policy.tz
    last_allowed = working_days_after(calendar, local_date(since, tz), policy.overdue_after_working_days, tz)
    return datetime.combine(last_allowed.at.date(), policy.reminder_at, tzinfo=tz)


def next_reminder(policy: Policy, calendar: WorkingCalendar, today: date) -> datetime:
    """The next working day's reminder, after one on (or skipped on) `today`."""
    return datetime.combine(calendar.next_working_day(today), policy.reminder_at, tzinfo=policy.tz)
