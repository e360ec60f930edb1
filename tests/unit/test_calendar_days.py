"""What the calendar says about a day (workflow/calendar.py WorkingDay): working or not, its kind
(workday, weekend, holiday, makeup_workday), its name (the holiday's Chinese name, or the company's)
and where that comes from (official chinese-calendar data, a company correction, or the Monday–Friday
fallback for a year without data)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from workflow.calendar import (COMPANY, FALLBACK, HOLIDAY, MAKEUP_WORKDAY, OFFICIAL, WEEKEND, WORKDAY,
                               WorkingCalendar, WorkingDay)

CALENDAR = WorkingCalendar()


def day(d: date, calendar: WorkingCalendar = CALENDAR) -> tuple:
    info = calendar.day(d)
    return info.working, info.kind, info.name, info.source


# --- official data --------------------------------------------------------------------------------

def test_the_spring_festival_make_up_saturday_is_an_official_makeup_workday():
    assert day(date(2026, 2, 14)) == (True, MAKEUP_WORKDAY, "春节", OFFICIAL)


@pytest.mark.parametrize("d", [date(2026, 2, 15) + timedelta(days=n) for n in range(9)], ids=str)
def test_every_spring_festival_day_is_an_official_holiday(d):
    assert day(d) == (False, HOLIDAY, "春节", OFFICIAL)


def test_the_spring_festival_tuesday_is_a_holiday_not_a_workday():
    assert day(date(2026, 2, 17)) == (False, HOLIDAY, "春节", OFFICIAL)


def test_a_weekend_inside_a_holiday_is_a_holiday():
    assert day(date(2026, 2, 21)) == (False, HOLIDAY, "春节", OFFICIAL)  # Saturday
    assert day(date(2026, 10, 4)) == (False, HOLIDAY, "国庆节", OFFICIAL)  # Sunday


def test_an_ordinary_weekend_is_an_unnamed_official_weekend():
    assert day(date(2026, 9, 5)) == (False, WEEKEND, None, OFFICIAL)  # Saturday
    assert day(date(2026, 9, 6)) == (False, WEEKEND, None, OFFICIAL)  # Sunday


def test_an_ordinary_weekday_is_an_unnamed_official_workday():
    assert day(date(2026, 9, 1)) == (True, WORKDAY, None, OFFICIAL)


def test_national_day_is_an_official_holiday():
    for n in range(1, 8):
        assert day(date(2026, 10, n)) == (False, HOLIDAY, "国庆节", OFFICIAL), n
    assert day(date(2026, 10, 8)) == (True, WORKDAY, None, OFFICIAL)


def test_the_national_day_make_up_saturday_is_an_official_makeup_workday():
    assert day(date(2026, 10, 10)) == (True, MAKEUP_WORKDAY, "国庆节", OFFICIAL)


def test_the_national_day_make_up_sunday_in_september_is_an_official_makeup_workday():
    assert day(date(2026, 9, 20)) == (True, MAKEUP_WORKDAY, "国庆节", OFFICIAL)


def test_new_years_day_2026_is_an_official_holiday_and_its_make_up_sunday_a_workday():
    assert day(date(2026, 1, 1)) == (False, HOLIDAY, "元旦", OFFICIAL)
    assert day(date(2026, 1, 4)) == (True, MAKEUP_WORKDAY, "元旦", OFFICIAL)


def test_official_days_are_confirmed():
    assert CALENDAR.day(date(2026, 2, 14)).confirmed and CALENDAR.day(date(2026, 9, 5)).confirmed


# --- the fallback ---------------------------------------------------------------------------------

def test_new_years_day_2027_is_a_fallback_workday():
    info = CALENDAR.day(date(2027, 1, 1))
    assert info == WorkingDay(True, FALLBACK, WORKDAY, None)
    assert not info.confirmed


def test_a_2027_weekend_is_a_fallback_weekend():
    assert day(date(2027, 1, 2)) == (False, WEEKEND, None, FALLBACK)
    assert day(date(2027, 1, 3)) == (False, WEEKEND, None, FALLBACK)
    assert not CALENDAR.day(date(2027, 1, 2)).confirmed


def test_every_2027_day_is_monday_to_friday_fallback():
    d = date(2027, 1, 1)
    while d.year == 2027:
        info = CALENDAR.day(d)
        assert info.source == FALLBACK and info.name is None, d
        assert info.working == (d.weekday() < 5), d
        assert info.kind == (WORKDAY if d.weekday() < 5 else WEEKEND), d
        d += timedelta(days=1)


# --- company corrections --------------------------------------------------------------------------

def test_a_company_holiday_on_a_workday_is_a_company_holiday_with_its_name():
    calendar = WorkingCalendar({date(2026, 9, 8): False}, {date(2026, 9, 8): "公司假日"})
    assert day(date(2026, 9, 8), calendar) == (False, HOLIDAY, "公司假日", COMPANY)
    assert calendar.day(date(2026, 9, 8)).confirmed


def test_a_non_working_weekday_without_a_name_is_still_a_holiday():
    calendar = WorkingCalendar({date(2026, 9, 8): False})
    assert day(date(2026, 9, 8), calendar) == (False, HOLIDAY, None, COMPANY)


def test_a_working_weekend_day_is_a_company_makeup_workday():
    calendar = WorkingCalendar({date(2026, 9, 12): True}, {date(2026, 9, 12): "公司加班"})
    assert day(date(2026, 9, 12), calendar) == (True, MAKEUP_WORKDAY, "公司加班", COMPANY)
    unnamed = WorkingCalendar({date(2026, 9, 13): True})
    assert day(date(2026, 9, 13), unnamed) == (True, MAKEUP_WORKDAY, None, COMPANY)


def test_a_named_non_working_weekend_day_is_a_holiday_and_an_unnamed_one_a_weekend():
    calendar = WorkingCalendar({date(2026, 9, 12): False, date(2026, 9, 13): False}, {date(2026, 9, 12): "司庆"})
    assert day(date(2026, 9, 12), calendar) == (False, HOLIDAY, "司庆", COMPANY)
    assert day(date(2026, 9, 13), calendar) == (False, WEEKEND, None, COMPANY)


def test_a_company_correction_overrides_an_official_holiday():
    calendar = WorkingCalendar({date(2026, 10, 5): True}, {date(2026, 10, 5): "公司值班"})
    assert day(date(2026, 10, 5), calendar) == (True, WORKDAY, "公司值班", COMPANY)


def test_a_company_correction_overrides_an_official_makeup_workday():
    calendar = WorkingCalendar({date(2026, 2, 14): False}, {date(2026, 2, 14): "公司调休"})
    assert day(date(2026, 2, 14), calendar) == (False, HOLIDAY, "公司调休", COMPANY)
    bare = WorkingCalendar({date(2026, 10, 10): False})
    assert day(date(2026, 10, 10), bare) == (False, WEEKEND, None, COMPANY)


def test_company_days_for_a_year_without_data_replace_the_fallback_and_are_confirmed():
    calendar = WorkingCalendar({date(2027, 1, 1): False, date(2027, 2, 20): True},
                               {date(2027, 1, 1): "元旦", date(2027, 2, 20): "春节调休"})
    assert day(date(2027, 1, 1), calendar) == (False, HOLIDAY, "元旦", COMPANY)
    assert day(date(2027, 2, 20), calendar) == (True, MAKEUP_WORKDAY, "春节调休", COMPANY)  # a Saturday
    assert calendar.day(date(2027, 1, 1)).confirmed
    # the days HR did not set stay fallback
    assert day(date(2027, 1, 4), calendar) == (True, WORKDAY, None, FALLBACK)


def test_a_correction_touches_only_its_own_day():
    calendar = WorkingCalendar({date(2026, 9, 8): False}, {date(2026, 9, 8): "公司假日"})
    assert day(date(2026, 9, 7), calendar) == day(date(2026, 9, 7))
    assert day(date(2026, 9, 9), calendar) == day(date(2026, 9, 9))


def test_a_name_without_a_correction_does_nothing():
    calendar = WorkingCalendar({}, {date(2026, 9, 8): "公司假日"})
    assert day(date(2026, 9, 8), calendar) == (True, WORKDAY, None, OFFICIAL)


# --- next_working_day ---------------------------------------------------------------------------

@pytest.mark.parametrize("after, expected", [
    (date(2026, 9, 1), date(2026, 9, 2)),  # Tue → Wed
    (date(2026, 9, 4), date(2026, 9, 7)),  # Fri → Mon
    (date(2026, 9, 5), date(2026, 9, 7)),  # Sat → Mon
    (date(2026, 2, 13), date(2026, 2, 14)),  # Fri → the make-up Saturday
    (date(2026, 2, 14), date(2026, 2, 24)),  # the make-up Saturday → after the Spring Festival
    (date(2026, 9, 30), date(2026, 10, 8)),  # over National Day
    (date(2026, 10, 9), date(2026, 10, 10)),  # Fri → the make-up Saturday
    (date(2026, 12, 31), date(2027, 1, 1)),  # into the fallback year
    (date(2027, 1, 1), date(2027, 1, 4)),
], ids=str)
def test_next_working_day_is_strictly_after_and_working(after, expected):
    assert CALENDAR.next_working_day(after) == expected


def test_next_working_day_skips_company_holidays_and_takes_company_working_weekends():
    calendar = WorkingCalendar({date(2026, 9, 7): False, date(2026, 9, 8): False, date(2026, 9, 13): True})
    assert calendar.next_working_day(date(2026, 9, 4)) == date(2026, 9, 9)
    assert calendar.next_working_day(date(2026, 9, 11)) == date(2026, 9, 13)
