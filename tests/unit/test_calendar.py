"""Working days and deadlines (shared/domain.md, "Publication and appeal"): the Chinese statutory
calendar with make-up workdays, the company's corrections on top, a Monday–Friday fallback for
years without official data, and the end of the day in the policy's time zone."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from workflow.calendar import COMPANY, FALLBACK, OFFICIAL, Deadline, WorkingCalendar, working_days_after
from workflow.policy import load_policy

SHANGHAI = ZoneInfo("Asia/Shanghai")
WINDOW = 3  # the default policy's appeal window in working days


def end_of(day: date, tz: ZoneInfo = SHANGHAI) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz)


def deadline(start: date, count: int = WINDOW, calendar: WorkingCalendar | None = None,
             tz: ZoneInfo = SHANGHAI) -> Deadline:
    return working_days_after(calendar or WorkingCalendar(), start, count, tz)


def test_default_policy_appeal_window_is_three_working_days_in_shanghai():
    policy = load_policy()
    assert policy.appeal_window_working_days == WINDOW
    assert policy.tz == SHANGHAI


def test_national_day_publication_ends_on_the_make_up_saturday():
    """domain.md's example: Oct 1–7 are holidays; Oct 8 (Thu), Oct 9 (Fri) and Oct 10 (Sat, 调休补班)."""
    d = deadline(date(2026, 9, 30))
    assert d == Deadline(end_of(date(2026, 10, 10)), True)
    assert d.at.isoformat() == "2026-10-10T23:59:59+08:00"


def test_national_day_make_up_saturday_is_an_official_working_day():
    day = WorkingCalendar().day(date(2026, 10, 10))
    assert (day.working, day.source, day.confirmed) == (True, OFFICIAL, True)


def test_spring_festival_make_up_saturday_before_the_holiday_counts():
    """2026: Sat Feb 14 is a make-up workday, Feb 15–23 are holidays. Published Thu Feb 12:
    Fri Feb 13, Sat Feb 14, then Tue Feb 24 after the holiday."""
    assert deadline(date(2026, 2, 12)) == Deadline(end_of(date(2026, 2, 24)), True)


def test_spring_festival_holiday_days_are_skipped():
    """Published Fri Feb 13: Sat Feb 14 (make-up) is the first day, Tue Feb 24 and Wed Feb 25 the others."""
    assert deadline(date(2026, 2, 13)) == Deadline(end_of(date(2026, 2, 25)), True)


def test_publication_on_the_make_up_saturday_counts_from_after_the_holiday():
    assert deadline(date(2026, 2, 14)) == Deadline(end_of(date(2026, 2, 26)), True)


def test_ordinary_week_friday_publication_ends_on_wednesday():
    # Fri 2026-09-04 → Mon 7, Tue 8, Wed 9
    assert deadline(date(2026, 9, 4)) == Deadline(end_of(date(2026, 9, 9)), True)


@pytest.mark.parametrize("weekend_day", [date(2026, 9, 5), date(2026, 9, 6)], ids=["saturday", "sunday"])
def test_publication_on_a_weekend_day_counts_from_monday(weekend_day):
    assert deadline(weekend_day) == Deadline(end_of(date(2026, 9, 9)), True)


def test_publication_day_itself_never_counts():
    # Tue 2026-09-01 is a working day; the first counted day is Wed 2026-09-02
    assert deadline(date(2026, 9, 1), 1) == Deadline(end_of(date(2026, 9, 2)), True)
    assert deadline(date(2026, 9, 1)) == Deadline(end_of(date(2026, 9, 4)), True)


def test_zero_working_days_ends_on_the_start_day():
    assert deadline(date(2026, 9, 1), 0) == Deadline(end_of(date(2026, 9, 1)), True)


def test_year_without_official_data_falls_back_to_monday_to_friday_unconfirmed():
    """chinese-calendar knows 2026 but not 2027: published Wed 2026-12-30 → Thu Dec 31 (official),
    then Fri 2027-01-01 and Mon 2027-01-04 by the Monday–Friday fallback (New Year's Day 2027 is
    not known to be a holiday), so the deadline is not confirmed."""
    assert deadline(date(2026, 12, 30)) == Deadline(end_of(date(2027, 1, 4)), False)


def test_fallback_day_is_marked_as_fallback():
    calendar = WorkingCalendar()
    friday, saturday = calendar.day(date(2027, 1, 1)), calendar.day(date(2027, 1, 2))
    assert (friday.working, friday.source, friday.confirmed) == (True, FALLBACK, False)
    assert (saturday.working, saturday.source, saturday.confirmed) == (False, FALLBACK, False)


def test_a_skipped_fallback_day_also_makes_the_deadline_unconfirmed():
    """Published Thu 2026-12-31 with a one-day window: Fri 2027-01-01 comes from the fallback."""
    assert deadline(date(2026, 12, 31), 1) == Deadline(end_of(date(2027, 1, 1)), False)


def test_deadline_within_official_data_stays_confirmed_up_to_the_last_known_day():
    # Mon 2026-12-28 → Tue 29, Wed 30, Thu 31: all official
    assert deadline(date(2026, 12, 28)) == Deadline(end_of(date(2026, 12, 31)), True)


def test_company_holiday_correction_extends_the_deadline():
    calendar = WorkingCalendar({date(2026, 9, 8): False})  # a company holiday on Tue
    assert deadline(date(2026, 9, 4), calendar=calendar) == Deadline(end_of(date(2026, 9, 10)), True)
    day = calendar.day(date(2026, 9, 8))
    assert (day.working, day.source, day.confirmed) == (False, COMPANY, True)


def test_company_working_day_correction_counts_a_weekend_day():
    calendar = WorkingCalendar({date(2026, 9, 5): True})  # a working Saturday
    assert deadline(date(2026, 9, 4), calendar=calendar) == Deadline(end_of(date(2026, 9, 8)), True)


def test_company_corrections_override_official_holidays():
    calendar = WorkingCalendar({date(2026, 10, 8): False})
    # Oct 8 no longer counts: Oct 9, Oct 10, then Mon Oct 12
    assert deadline(date(2026, 9, 30), calendar=calendar) == Deadline(end_of(date(2026, 10, 12)), True)


def test_company_schedule_for_a_year_without_data_confirms_the_deadline():
    """HR enters next year's announced schedule: corrected days are confirmed, not fallback."""
    calendar = WorkingCalendar({date(2027, 1, 1): False, date(2027, 1, 2): False, date(2027, 1, 3): False,
                                date(2027, 1, 4): True, date(2027, 1, 5): True})
    assert deadline(date(2026, 12, 30), calendar=calendar) == Deadline(end_of(date(2027, 1, 5)), True)


def test_deadline_is_the_end_of_the_day_in_the_given_time_zone():
    utc = ZoneInfo("UTC")
    d = deadline(date(2026, 9, 4), tz=utc)
    assert d.at == datetime(2026, 9, 9, 23, 59, 59, tzinfo=utc)
    assert d.at.utcoffset().total_seconds() == 0
    shanghai = deadline(date(2026, 9, 4))
    assert shanghai.at.tzinfo == SHANGHAI
    assert shanghai.at.utcoffset().total_seconds() == 8 * 3600
    assert (shanghai.at.hour, shanghai.at.minute, shanghai.at.second, shanghai.at.microsecond) == (23, 59, 59, 0)
