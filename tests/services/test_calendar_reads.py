"""The calendar page's reads (workflow/services/calendar_reads.py): a month laid out in whole weeks from Monday,
with National Day's holidays and the make-up Saturday, HR's corrections on top; and the latest corrections with
the appeal deadlines each one extended, for hr only."""
from __future__ import annotations

from datetime import date

import pytest

from workflow.errors import Forbidden
from workflow.services.calendar import set_calendar_day
from workflow.services.calendar_reads import month_view, recent_changes


def test_october_2026_is_five_whole_weeks_with_national_day_and_the_makeup_saturday(unit_of_work):
    with unit_of_work() as uow:
        month = month_view(uow, date(2026, 10, 17))
    assert (month.first, month.previous, month.next) == (date(2026, 10, 1), date(2026, 9, 1), date(2026, 11, 1))
    assert all(len(week) == 7 and week[0]["date"].weekday() == 0 for week in month.weeks)
    assert month.weeks[0][0]["date"] == date(2026, 9, 28) and not month.weeks[0][0]["in_month"]
    kinds = {d["date"]: d["kind"] for week in month.weeks for d in week}
    assert kinds[date(2026, 10, 1)] == "holiday" and kinds[date(2026, 10, 10)] == "makeup_workday"
    assert kinds[date(2026, 10, 11)] == "weekend" and kinds[date(2026, 10, 12)] == "workday"


def test_a_correction_shows_in_the_month_and_among_the_latest_changes(unit_of_work, rules, use_case, organisation):
    use_case(set_calendar_day, organisation.hr, date(2026, 9, 3), working=False, name="公司活动日")
    with unit_of_work() as uow:
        month = month_view(uow, date(2026, 9, 1))
        (change,) = recent_changes(uow, organisation.hr, 10)
    day = next(d for week in month.weeks for d in week if d["date"] == date(2026, 9, 3))
    assert (day["kind"], day["source"], day["name"]) == ("holiday", "company", "公司活动日")
    assert (change["day"], change["actor"], change["before"]["kind"], change["after"]["kind"]) == \
        (date(2026, 9, 3), "hr1", "workday", "holiday")
    assert change["deadlines"] == []


def test_only_hr_reads_the_latest_corrections(unit_of_work, organisation):
    with unit_of_work() as uow, pytest.raises(Forbidden):
        recent_changes(uow, organisation.applicant, 10)
