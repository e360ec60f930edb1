"""The working-day calendar: the statutory data with HR's corrections (GET/PUT /calendar/days).

A correction changes the working days an open appeal window counts: its deadline is recomputed and
extended when the change makes it later, never shortened below the one already announced.
"""
from __future__ import annotations

from datetime import date, timedelta

from workflow import access
from workflow.accounts import Actor
from workflow.calendar import WorkingCalendar, WorkingDay, working_days_after
from workflow.clock import local_date
from workflow.errors import FieldError, RuleViolation
from workflow.services.case_steps import claim, record
from workflow.services.context import Rules
from workflow.services.governing import rules_for
from workflow.services.timers import appeal_deadline_moved
from workflow.services.unit_of_work import UnitOfWork

MAX_RANGE_DAYS = 366


def day_view(day: date, info: WorkingDay) -> dict:
    return {"date": day, "working": info.working, "kind": info.kind, "name": info.name, "source": info.source}


def calendar_days(uow: UnitOfWork, first: date, last: date) -> list[dict]:
    if last < first:
        raise RuleViolation([FieldError("to", "range_order", "must not be before 'from'", location="query")])
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise RuleViolation([FieldError("to", "range_too_long", f"a range holds at most {MAX_RANGE_DAYS} days",
                                        location="query")])
    calendar = uow.calendar.working_calendar()
    return [day_view(first + timedelta(days=n), calendar.day(first + timedelta(days=n)))
            for n in range((last - first).days + 1)]


def set_calendar_day(uow: UnitOfWork, rules: Rules, actor: Actor, day: date, *, working: bool,
                     name: str | None) -> dict:
    """HR sets a day; audited with the day before and after and every deadline it extended."""
    access.require(access.can_manage_people(actor), "only hr corrects the calendar")
    uow.calendar.lock()
    before = uow.calendar.working_calendar().day(day)
    now = rules.now()
    uow.calendar.put(day, working=working, name=name, updated_at=now, updated_by=actor.username)
    uow.flush()
    calendar = uow.calendar.working_calendar()
    after = calendar.day(day)
    extended = _recompute_open_deadlines(uow, rules, calendar, actor)
    uow.calendar.add_change(day=day, at=now, actor=actor.username, before=day_view(day, before) | {"date": str(day)},
                            after=day_view(day, after) | {"date": str(day)}, deadlines=extended)
    return day_view(day, after)


def _recompute_open_deadlines(uow: UnitOfWork, rules: Rules, calendar: WorkingCalendar, actor: Actor) -> list[dict]:
    extended = []
    for case in uow.cases.with_open_appeal_window(rules.now()):
        governing = rules_for(uow, rules, case)  # the window of the version the case was opened under
        tz, window = governing.policy.tz, governing.policy.appeal_window_working_days
        published_on, old = local_date(case.published_at, tz), case.appeal_deadline
        at = max(working_days_after(calendar, published_on, window, tz).at, old)  # never shortened
        confirmed = calendar.confirmed_between(published_on, local_date(at, tz))
        if at == old and confirmed == case.deadline_confirmed:
            continue
        claim(rules, case)
        case.appeal_deadline, case.deadline_confirmed = at, confirmed
        record(uow, rules, case, actor=actor.username, event="deadline_changed", from_state=case.state,
               to_state=case.state, data={"from": old.astimezone(tz).isoformat(), "to": at.astimezone(tz).isoformat(),
                                          "deadline_confirmed": confirmed})
        appeal_deadline_moved(uow, case)
        cycle = case.cycle
        if cycle is not None and cycle.first_appeal_deadline == old:  # the board's headline moves with it
            cycle.first_appeal_deadline, cycle.first_deadline_confirmed = at, confirmed
        extended.append({"case_id": case.id, "from": old.astimezone(tz).isoformat(), "to": at.astimezone(tz).isoformat(),
                         "deadline_confirmed": confirmed})
    return extended
