"""Who a case waits on, and when waiting becomes overdue (domain.md "Reminders"; workflow/waiting.py):
a case waiting on the same person for more than 3 working days (the day the wait began does not count)
is overdue from the next working day at the policy's reminder time (09:00 Asia/Shanghai), and is then
reminded once a working day. Working days follow the statutory calendar (调休 included), the company's
corrections on top, and Monday–Friday for a year without data (2027)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from workflow.calendar import WorkingCalendar
from workflow.case_machine import OPEN_STATES, PUBLISHED, STATES, TERMINAL_STATES
from workflow.policy import load_policy
from workflow.waiting import WAITING_STATES, first_reminder, next_reminder, waits_on_someone

SHANGHAI = ZoneInfo("Asia/Shanghai")
POLICY = load_policy()
CALENDAR = WorkingCalendar()


def at(day: date, hour: int = 14, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def nine(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=SHANGHAI)


def first(since: datetime, calendar: WorkingCalendar = CALENDAR, policy=POLICY) -> datetime:
    return first_reminder(policy, calendar, since)


# --- the policy ---------------------------------------------------------------------------------

def test_default_policy_reminds_after_three_working_days_at_nine():
    assert POLICY.overdue_after_working_days == 3
    assert POLICY.reminder_at == time(9, 0)


# --- an ordinary week ---------------------------------------------------------------------------

def test_a_wait_starting_monday_is_overdue_on_friday_at_nine():
    """Mon 2026-09-07: Tue, Wed, Thu are the 3 full working days; Friday 09:00 is the first reminder."""
    reminder = first(at(date(2026, 9, 7), 10))
    assert reminder == nine(date(2026, 9, 11))
    assert reminder.isoformat() == "2026-09-11T09:00:00+08:00"


@pytest.mark.parametrize("hour, minute", [(0, 0), (8, 59), (9, 0), (23, 59)])
def test_the_time_of_day_the_wait_began_does_not_matter(hour, minute):
    assert first(at(date(2026, 9, 7), hour, minute)) == nine(date(2026, 9, 11))


def test_a_wait_starting_on_friday_is_overdue_on_thursday():
    """Fri 2026-09-04: Mon 7, Tue 8, Wed 9 → Thu 10 at 09:00."""
    assert first(at(date(2026, 9, 4), 17)) == nine(date(2026, 9, 10))


@pytest.mark.parametrize("weekend_day", [date(2026, 9, 5), date(2026, 9, 6)], ids=["saturday", "sunday"])
def test_a_wait_starting_on_a_weekend_counts_from_monday(weekend_day):
    assert first(at(weekend_day)) == nine(date(2026, 9, 10))


def test_the_wait_begins_on_the_local_day_not_the_utc_day():
    """2026-09-06T17:00Z is Monday 01:00 in Shanghai (Sunday in UTC): the wait began on Monday."""
    assert first(datetime(2026, 9, 6, 17, 0, tzinfo=timezone.utc)) == nine(date(2026, 9, 11))
    # and Friday 23:30 Shanghai is Friday 15:30 UTC: still Friday
    assert first(datetime(2026, 9, 4, 15, 30, tzinfo=timezone.utc)) == nine(date(2026, 9, 10))


def test_the_reminder_time_comes_from_the_policy():
    policy = replace(POLICY, reminder_at=time(10, 30))
    assert first(at(date(2026, 9, 7)), policy=policy) == at(date(2026, 9, 11), 10, 30)


def test_a_policy_with_two_working_days_reminds_a_day_earlier():
    bank = load_policy("bank-six-level")
    assert bank.overdue_after_working_days == 2
    assert first(at(date(2026, 9, 7)), policy=bank) == nine(date(2026, 9, 10))


# --- the Spring Festival 2026 (Sat Feb 14 is a make-up workday; Feb 15–23 holidays) ---------------

def test_a_wait_before_the_spring_festival_counts_the_make_up_saturday_and_reminds_after_the_holiday():
    """Wed 2026-02-11: Thu 12, Fri 13, Sat 14 (补班) → the next working day is Tue Feb 24."""
    assert first(at(date(2026, 2, 11))) == nine(date(2026, 2, 24))


def test_a_wait_starting_thursday_before_the_spring_festival_is_overdue_the_day_after_the_holiday_plus_one():
    """Thu 2026-02-12: Fri 13, Sat 14 (补班), Tue 24 → Wed Feb 25."""
    assert first(at(date(2026, 2, 12))) == nine(date(2026, 2, 25))


def test_a_wait_starting_on_the_make_up_saturday_skips_the_whole_holiday():
    """Sat 2026-02-14 (itself a working day, but the first day does not count): Tue 24, Wed 25, Thu 26 → Fri 27."""
    assert first(at(date(2026, 2, 14))) == nine(date(2026, 2, 27))


def test_a_wait_starting_inside_the_spring_festival_counts_from_after_it():
    """Tue 2026-02-17 (holiday): Tue 24, Wed 25, Thu 26 → Fri Feb 27."""
    assert first(at(date(2026, 2, 17))) == nine(date(2026, 2, 27))


def test_the_second_spring_festival_make_up_saturday_can_be_the_reminder_day():
    """Tue 2026-02-24: Wed 25, Thu 26, Fri 27 → Sat Feb 28 is an official make-up workday."""
    assert first(at(date(2026, 2, 24))) == nine(date(2026, 2, 28))


# --- National Day 2026 (Oct 1–7 holidays; Sat Oct 10 a make-up workday) ----------------------------

def test_a_wait_starting_the_day_before_national_day_reminds_the_monday_after_the_make_up_saturday():
    """Wed 2026-09-30: Thu Oct 8, Fri Oct 9, Sat Oct 10 (补班) → Mon Oct 12."""
    assert first(at(date(2026, 9, 30))) == nine(date(2026, 10, 12))


def test_the_national_day_make_up_saturday_can_be_the_reminder_day():
    """Tue 2026-09-29: Wed Sep 30, Thu Oct 8, Fri Oct 9 → Sat Oct 10, a working day."""
    assert first(at(date(2026, 9, 29))) == nine(date(2026, 10, 10))


def test_a_wait_starting_inside_national_day_counts_from_the_eighth():
    """Sat 2026-10-03 (holiday): Oct 8, 9, 10 → Mon Oct 12."""
    assert first(at(date(2026, 10, 3))) == nine(date(2026, 10, 12))


# --- New Year 2026/2027: 2027 has no official data (Monday–Friday fallback) -------------------------

def test_a_wait_across_new_year_into_2027_uses_monday_to_friday():
    """Tue 2026-12-29: Wed 30, Thu 31, Fri 2027-01-01 (a fallback working day) → Mon 2027-01-04."""
    assert first(at(date(2026, 12, 29))) == nine(date(2027, 1, 4))


def test_a_wait_starting_on_new_years_eve_2026_is_overdue_in_2027():
    """Thu 2026-12-31: Fri Jan 1, Mon Jan 4, Tue Jan 5 (fallback) → Wed 2027-01-06."""
    assert first(at(date(2026, 12, 31))) == nine(date(2027, 1, 6))


def test_a_wait_starting_on_new_years_day_2027_skips_only_the_weekend():
    """Fri 2027-01-01 (fallback: a working day, but the first day never counts): Mon 4, Tue 5, Wed 6 → Thu 7."""
    assert first(at(date(2027, 1, 1))) == nine(date(2027, 1, 7))


def test_company_days_declared_for_2027_move_the_reminder():
    """HR declares 2027-01-01 a holiday and Sat 2027-01-02 a working day."""
    calendar = WorkingCalendar({date(2027, 1, 1): False, date(2027, 1, 2): True},
                               {date(2027, 1, 1): "元旦", date(2027, 1, 2): "元旦调休"})
    # Tue 2026-12-29: Wed 30, Thu 31, Sat Jan 2 → Mon Jan 4
    assert first(at(date(2026, 12, 29)), calendar) == nine(date(2027, 1, 4))
    # Thu 2026-12-31: Sat Jan 2, Mon 4, Tue 5 → Wed Jan 6
    assert first(at(date(2026, 12, 31)), calendar) == nine(date(2027, 1, 6))
    # Mon 2026-12-28: Tue 29, Wed 30, Thu 31 → the next working day is Sat Jan 2 (not Fri Jan 1)
    assert first(at(date(2026, 12, 28)), calendar) == nine(date(2027, 1, 2))
    assert first(at(date(2026, 12, 28))) == nine(date(2027, 1, 1))


# --- company corrections -------------------------------------------------------------------------

def test_a_company_holiday_in_the_wait_postpones_the_first_reminder():
    calendar = WorkingCalendar({date(2026, 9, 9): False}, {date(2026, 9, 9): "公司假日"})
    # Mon 2026-09-07: Tue 8, (Wed 9 off), Thu 10, Fri 11 → Mon 14
    assert first(at(date(2026, 9, 7)), calendar) == nine(date(2026, 9, 14))


def test_a_company_holiday_on_the_reminder_day_moves_it_to_the_next_working_day():
    calendar = WorkingCalendar({date(2026, 9, 11): False}, {date(2026, 9, 11): "公司假日"})
    assert first(at(date(2026, 9, 7)), calendar) == nine(date(2026, 9, 14))


def test_a_company_working_saturday_counts_in_the_wait():
    calendar = WorkingCalendar({date(2026, 9, 12): True}, {date(2026, 9, 12): "公司加班"})
    # Wed 2026-09-09: Thu 10, Fri 11, Sat 12 → Mon 14 (without the Saturday: Thu, Fri, Mon → Tue 15)
    assert first(at(date(2026, 9, 9)), calendar) == nine(date(2026, 9, 14))
    assert first(at(date(2026, 9, 9))) == nine(date(2026, 9, 15))


def test_company_corrections_override_official_workdays_and_holidays():
    calendar = WorkingCalendar({date(2026, 10, 8): False})
    # Wed 2026-09-30: (Oct 8 off) Oct 9, Oct 10, Mon Oct 12 → Tue Oct 13
    assert first(at(date(2026, 9, 30)), calendar) == nine(date(2026, 10, 13))
    reopened = WorkingCalendar({date(2026, 10, 7): True}, {date(2026, 10, 7): "公司值班"})
    # Wed 2026-09-30: Oct 7, Oct 8, Oct 9 → Sat Oct 10
    assert first(at(date(2026, 9, 30)), reopened) == nine(date(2026, 10, 10))


# --- the following reminders ----------------------------------------------------------------------

def test_next_reminder_is_the_next_working_day_at_nine():
    assert next_reminder(POLICY, CALENDAR, date(2026, 9, 8)) == nine(date(2026, 9, 9))


def test_next_reminder_skips_the_weekend():
    assert next_reminder(POLICY, CALENDAR, date(2026, 9, 11)) == nine(date(2026, 9, 14))
    assert next_reminder(POLICY, CALENDAR, date(2026, 9, 12)) == nine(date(2026, 9, 14))


def test_next_reminder_skips_national_day_and_lands_on_the_make_up_saturday():
    assert next_reminder(POLICY, CALENDAR, date(2026, 9, 30)) == nine(date(2026, 10, 8))
    assert next_reminder(POLICY, CALENDAR, date(2026, 10, 9)) == nine(date(2026, 10, 10))
    assert next_reminder(POLICY, CALENDAR, date(2026, 10, 10)) == nine(date(2026, 10, 12))


def test_next_reminder_skips_the_spring_festival():
    assert next_reminder(POLICY, CALENDAR, date(2026, 2, 13)) == nine(date(2026, 2, 14))
    assert next_reminder(POLICY, CALENDAR, date(2026, 2, 14)) == nine(date(2026, 2, 24))


def test_next_reminder_into_2027_uses_the_fallback():
    assert next_reminder(POLICY, CALENDAR, date(2026, 12, 31)) == nine(date(2027, 1, 1))
    assert next_reminder(POLICY, CALENDAR, date(2027, 1, 1)) == nine(date(2027, 1, 4))


def test_next_reminder_skips_a_company_holiday():
    calendar = WorkingCalendar({date(2026, 9, 14): False}, {date(2026, 9, 14): "公司假日"})
    assert next_reminder(POLICY, calendar, date(2026, 9, 11)) == nine(date(2026, 9, 15))


def test_next_reminder_uses_a_company_working_saturday():
    calendar = WorkingCalendar({date(2026, 9, 12): True}, {date(2026, 9, 12): "公司加班"})
    assert next_reminder(POLICY, calendar, date(2026, 9, 11)) == nine(date(2026, 9, 12))


def test_next_reminder_is_at_the_policy_time_in_the_policy_zone():
    reminder = next_reminder(replace(POLICY, reminder_at=time(8, 15)), CALENDAR, date(2026, 9, 8))
    assert reminder.isoformat() == "2026-09-09T08:15:00+08:00"
    assert reminder.astimezone(timezone.utc) == datetime(2026, 9, 9, 0, 15, tzinfo=timezone.utc)


# --- which states wait on someone -----------------------------------------------------------------

def test_published_and_terminal_states_wait_on_nobody():
    assert PUBLISHED not in WAITING_STATES
    assert not WAITING_STATES & set(TERMINAL_STATES)
    for state in (PUBLISHED, *TERMINAL_STATES):
        assert not waits_on_someone(state)


def test_every_other_open_state_waits_on_someone():
    assert WAITING_STATES == set(OPEN_STATES) - {PUBLISHED}
    assert WAITING_STATES == {"submitted", "returned", "hr_review", "in_stage", "interview", "deliberation",
                              "decided", "appealed"}
    assert all(waits_on_someone(s) for s in WAITING_STATES)
    assert WAITING_STATES <= set(STATES)
