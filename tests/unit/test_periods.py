"""Evaluation periods: a year ("2026"), a half-year ("2026H1"), a quarter ("2026Q3") or a month ("2026M03")."""
from __future__ import annotations

from datetime import date

import pytest

from workflow.periods import Period


@pytest.mark.parametrize("text, year, quarter", [
    ("2026", 2026, None),
    ("2026Q1", 2026, 1),
    ("2026Q2", 2026, 2),
    ("2026Q3", 2026, 3),
    ("2026Q4", 2026, 4),
])
def test_period_parses_a_year_or_a_quarter(text, year, quarter):
    period = Period.parse(text)
    assert (period.year, period.quarter) == (year, quarter)
    assert (period.kind == "quarter") is (quarter is not None)
    assert str(period) == text


@pytest.mark.parametrize("text", [
    "2026Q5", "2026Q0", "2026q3", "26", "", "abcd", "2026Q", "Q3", "2026-Q3", " 2026", "20260", "1899",
    "2026Q3\n", "２０２６Q3", "2026H3", "2026H0", "2026M13", "2026M00", "2026M3", "2026M003", "2026h1", "2026-03",
    "2026Q1M01",
], ids=["quarter_5", "quarter_0", "lowercase_q", "two_digits", "empty", "letters", "no_quarter_digit",
        "no_year", "dash", "leading_space", "five_digits", "before_1900", "trailing_newline", "fullwidth_digits",
        "half_3", "half_0", "month_13", "month_0", "month_one_digit", "month_three_digits", "lowercase_h",
        "iso_month", "two_parts"])
def test_malformed_period_is_refused(text):
    with pytest.raises(ValueError, match="is not a period"):
        Period.parse(text)


@pytest.mark.parametrize("text, months", [("2026", 12), ("2026Q1", 3), ("2026Q4", 3), ("2026H1", 6), ("2026H2", 6),
                                          ("2026M01", 1), ("2026M12", 1)])
def test_period_months(text, months):
    assert Period.parse(text).months == months


@pytest.mark.parametrize("text, first, last", [
    ("2026", date(2026, 1, 1), date(2026, 12, 31)),
    ("2026Q1", date(2026, 1, 1), date(2026, 3, 31)),
    ("2026Q2", date(2026, 4, 1), date(2026, 6, 30)),
    ("2026Q3", date(2026, 7, 1), date(2026, 9, 30)),
    ("2026Q4", date(2026, 10, 1), date(2026, 12, 31)),
    ("2028Q1", date(2028, 1, 1), date(2028, 3, 31)),
    ("2026H1", date(2026, 1, 1), date(2026, 6, 30)),
    ("2026H2", date(2026, 7, 1), date(2026, 12, 31)),
    ("2026M02", date(2026, 2, 1), date(2026, 2, 28)),
    ("2028M02", date(2028, 2, 1), date(2028, 2, 29)),
    ("2026M12", date(2026, 12, 1), date(2026, 12, 31)),
])
def test_period_first_and_last_day(text, first, last):
    period = Period.parse(text)
    assert (period.first_day, period.last_day) == (first, last)


@pytest.mark.parametrize("text, kind", [("2026", "year"), ("2026H2", "half"), ("2026Q3", "quarter"),
                                        ("2026M03", "month")])
def test_a_period_names_its_kind_and_reads_back_as_written(text, kind):
    period = Period.parse(text)
    assert (period.kind, str(period)) == (kind, text)


@pytest.mark.parametrize("text, by, expected", [
    ("2026Q4", 1, "2027Q1"), ("2026Q1", -1, "2025Q4"), ("2026Q3", -5, "2025Q2"),
    ("2026M12", 1, "2027M01"), ("2026M01", -1, "2025M12"), ("2026M03", 14, "2027M05"),
    ("2026H2", 1, "2027H1"), ("2026H1", -1, "2025H2"), ("2026", -2, "2024"),
])
def test_a_period_shifts_by_periods_of_its_own_kind_across_years(text, by, expected):
    assert str(Period.parse(text).shifted(by)) == expected


@pytest.mark.parametrize("kind, expected", [
    ("year", "2026"), ("half", "2026H2"), ("quarter", "2026Q3"), ("month", "2026M08")])
def test_the_period_of_a_kind_that_a_day_falls_in(kind, expected):
    assert str(Period.of(kind, date(2026, 8, 31))) == expected
