"""Escalation (issue 16, point 4): a case waiting on a supervisor who cannot act, because they have no active
supervisor account or are on leave today (a `leave` event on their record covering today; workflow/manager_events.py)
and nobody stands in for them (workflow/delegations.py), goes to the next supervisor up the chain who can, once it
has waited the policy's `reminders.escalate_after_working_days` (no escalation without it). That supervisor acts in
the absent one's stead, as a substitute does, until the case leaves the state; with nobody up the chain who can act,
the case waits on hr, as it does already when no supervisor has an account. The service records the escalation in
the case's history (event `escalate`); hr sees the cases escalated now on the substitutes page and on the case page.

Checked each working day while the case waits (a supervisor present when the days ran out may go on leave later).
If whoever it went to cannot act either once the policy's days have passed again since, it goes on up the chain
(to hr where the chain ends), each step in the history. An escalation follows the reporting line of its time: once
the absent supervisor is no longer the one the case waits on, or whoever it went to no longer above them, it is
called off (event `escalation_void`) and the case follows the present chain, checked afresh. Four eyes holds here
too (workflow/case_access.py): it never goes to a supervisor who did the case's other review step."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta

from workflow.calendar import WorkingCalendar, working_days_after
from workflow.case_machine import IN_STAGE, SUBMITTED
from workflow.clock import local_date
from workflow.policy import Policy
from workflow.stages import SECOND_SUPERVISOR, SUPERVISOR, Stage

NO_ACCOUNT, ON_LEAVE = "no_account", "on_leave"  # why the supervisor cannot act
REASONS = (NO_ACCOUNT, ON_LEAVE)
EVENT, VOID = "escalate", "escalation_void"  # the history's events
LINE_CHANGED = "reporting_line_changed"  # why an escalation was called off


def waited_level(state: str, stage: Stage | None) -> int | None:
    """Which supervisor above the applicant the case waits on (0: the direct one, 1: theirs), or None."""
    if state == SUBMITTED:
        return 0
    if state == IN_STAGE and stage is not None:
        return {SUPERVISOR: 0, SECOND_SUPERVISOR: 1}.get(stage.by)
    return None


def leave_covers(occurred_on: date, days: int, day: date) -> bool:
    """A leave of `days` calendar days from `occurred_on` covers `day`."""
    return occurred_on <= day < occurred_on + timedelta(days=days)


def absence(*, has_account: bool, on_leave: bool, substituted: bool) -> str | None:
    """Why the supervisor cannot act now (NO_ACCOUNT, ON_LEAVE), or None: they can, or a substitute can."""
    if substituted:
        return None
    if not has_account:
        return NO_ACCOUNT
    return ON_LEAVE if on_leave else None


def holds(chain: Sequence[str], level: int, absent: str | None, to: str | None) -> bool:
    """An escalation made under the reporting line of its time still holds under `chain`: the absent supervisor is
    still the one at the level the case waits on, and whoever it went to (None: hr) is still above them."""
    return len(chain) > level and chain[level] == absent and (to is None or to in chain[level + 1:])


def escalate_to(chain: Sequence[str], level: int, present: Callable[[str], bool]) -> str | None:
    """The nearest supervisor above the absent one who can act (has an account, is not on leave), or None."""
    return next((above for above in chain[level + 1:] if present(above)), None)


def first_check(policy: Policy, calendar: WorkingCalendar, since: datetime) -> datetime | None:
    """When a wait that began at `since` may first be escalated: the working day after the policy's working days
    have passed (the day it began does not count), at the reminders' time; None where the policy does not
    escalate."""
    days = policy.escalate_after_working_days
    if days is None:
        return None
    tz = policy.tz
    last_day = working_days_after(calendar, local_date(since, tz), days, tz).at.date()
    return datetime.combine(calendar.next_working_day(last_day), policy.reminder_at, tzinfo=tz)
