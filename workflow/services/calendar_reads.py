"""Reads of the working-day calendar for HR's month view: a month laid out in weeks (Monday first), and the
latest corrections with the appeal deadlines each one moved (the audit rows set_calendar_day writes)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from workflow import access
from workflow.accounts import Actor
from workflow.services.calendar import day_view
from workflow.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Month:
    first: date  # the month's first day
    weeks: list[list[dict]]  # rows of seven day views (calendar.day_view), Monday first, padded with the
    # neighbouring months' days so that every row is whole; each view also has "in_month"
    previous: date  # the first day of the month before
    next: date  # the first day of the month after


def month_of(day: date) -> date:
    return day.replace(day=1)


def month_view(uow: UnitOfWork, month: date) -> Month:
    """Any signed-in user reads the calendar (as GET /calendar/days); one statement for the corrections."""
    first = month_of(month)
    following = (first + timedelta(days=31)).replace(day=1)
    start = first - timedelta(days=first.weekday())
    end = following - timedelta(days=1)
    end += timedelta(days=6 - end.weekday())
    calendar = uow.calendar.working_calendar()
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    views = [day_view(d, calendar.day(d)) | {"in_month": d.month == first.month} for d in days]
    return Month(first=first, weeks=[views[n:n + 7] for n in range(0, len(views), 7)],
                 previous=(first - timedelta(days=1)).replace(day=1), next=following)


def recent_changes(uow: UnitOfWork, actor: Actor, limit: int) -> list[dict]:
    """HR's latest corrections, newest first: the day, who and when, before and after, the deadlines moved."""
    access.require(access.can_manage_people(actor), "only hr reads the calendar's corrections")
    return [{"day": c.day, "at": c.at, "actor": c.actor, "before": c.before, "after": c.after,
             "deadlines": [_moved(d) for d in c.deadlines or []]} for c in uow.calendar.recent_changes(limit)]


def _moved(deadline: dict) -> dict:
    return {"case_id": deadline["case_id"], "from": datetime.fromisoformat(deadline["from"]),
            "to": datetime.fromisoformat(deadline["to"]), "confirmed": deadline.get("deadline_confirmed", True)}
