"""Working days and the deadlines counted in them.

Working days follow the Chinese statutory calendar, make-up workdays (调休补班) included, from
chinese-calendar's data for the years it knows. For a year without data the calendar falls
back to Monday–Friday, and anything computed from such a day is marked unconfirmed.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

OFFICIAL, COMPANY, FALLBACK = "official", "company", "fallback"
END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class WorkingDay:
    working: bool
    source: str  # official, company or fallback

    @property
    def confirmed(self) -> bool:
        return self.source != FALLBACK


class WorkingCalendar:
    """The statutory calendar with the company's corrections (a date → working or not) on top."""

    def __init__(self, corrections: Mapping[date, bool] | None = None):
        self._corrections = dict(corrections or {})

    def day(self, day: date) -> WorkingDay:
        if day in self._corrections:
            return WorkingDay(self._corrections[day], COMPANY)
        try:
            return WorkingDay(chinese_calendar.is_workday(day), OFFICIAL)
        except NotImplementedError:  # chinese-calendar has no data for this year
            return WorkingDay(day.weekday() < 5, FALLBACK)


@dataclass(frozen=True)
class Deadline:
    at: datetime  # timezone-aware, in the policy's zone
    confirmed: bool  # False when a day that was counted (or skipped) came from the fallback


def working_days_after(calendar: WorkingCalendar, start: date, count: int, tz: ZoneInfo) -> Deadline:
    """The end (23:59:59 local) of the `count`-th working day after `start`; `start` itself does not count."""
    day, counted, confirmed = start, 0, True
    while counted < count:
        day += timedelta(days=1)
        info = calendar.day(day)
        confirmed = confirmed and info.confirmed
        counted += info.working
    return Deadline(datetime.combine(day, END_OF_DAY, tzinfo=tz), confirmed)
