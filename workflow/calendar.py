"""Working days and the deadlines counted in them.

Working days follow the Chinese statutory calendar, make-up workdays (调休补班) included, from
chinese-calendar's data for the years it knows. HR's corrections (a company holiday, next year's
schedule once announced) lie on top. For a year without data the calendar falls back to
Monday–Friday, and anything computed from such a day is marked unconfirmed.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

OFFICIAL, COMPANY, FALLBACK = "official", "company", "fallback"
WORKDAY, WEEKEND, HOLIDAY, MAKEUP_WORKDAY = "workday", "weekend", "holiday", "makeup_workday"
END_OF_DAY = time(23, 59, 59)
# A deadline is the end of a day, 23:59:59: the window it ends closes a second later.
WINDOW_GRACE = timedelta(seconds=1)
# chinese-calendar names its holidays in English; the service shows the Chinese names.
_HOLIDAY_NAMES = {h.value: h.chinese for h in chinese_calendar.Holiday}


@dataclass(frozen=True)
class WorkingDay:
    working: bool
    source: str  # official, company or fallback
    kind: str = WORKDAY  # workday, weekend, holiday or makeup_workday
    name: str | None = None  # the holiday's (or the company's) name for the day

    @property
    def confirmed(self) -> bool:
        return self.source != FALLBACK


def _kind(day: date, working: bool, named: bool) -> str:
    weekend = day.weekday() >= 5
    if working:
        return MAKEUP_WORKDAY if weekend else WORKDAY
    return HOLIDAY if named or not weekend else WEEKEND


class WorkingCalendar:
    """The statutory calendar with the company's corrections (a date → working or not) on top."""

    def __init__(self, corrections: Mapping[date, bool] | None = None, names: Mapping[date, str | None] | None = None):
        self._corrections = dict(corrections or {})
        self._names = dict(names or {})

    def day(self, day: date) -> WorkingDay:
        if day in self._corrections:
            working, name = self._corrections[day], self._names.get(day)
            return WorkingDay(working, COMPANY, _kind(day, working, bool(name)), name)
        try:
            is_holiday, holiday = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:  # chinese-calendar has no data for this year
            working = day.weekday() < 5
            return WorkingDay(working, FALLBACK, _kind(day, working, False))
        name = _HOLIDAY_NAMES.get(holiday, holiday)
        return WorkingDay(not is_holiday, OFFICIAL, _kind(day, not is_holiday, name is not None), name)

    def confirmed_between(self, start: date, end: date) -> bool:
        """Whether every day after `start` up to `end` comes from official or company data."""
        return all(self.day(start + timedelta(days=n)).confirmed for n in range(1, (end - start).days + 1))

    def next_working_day(self, after: date) -> date:
        day = after + timedelta(days=1)
        while not self.day(day).working:
            day += timedelta(days=1)
        return day


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
