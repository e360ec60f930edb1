"""Evaluation periods: a year ("2026") or a quarter ("2026Q3")."""
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
    assert period.is_quarter is (quarter is not None)
    assert str(period) == text


@pytest.mark.parametrize("text", [
    "2026Q5", "2026Q0", "2026q3", "26", "", "abcd", "2026Q", "Q3", "2026-Q3", " 2026", "20260", "1899",
    "2026Q3\n", "２０２６Q3",
], ids=["quarter_5", "quarter_0", "lowercase_q", "two_digits", "empty", "letters", "no_quarter_digit",
        "no_year", "dash", "leading_space", "five_digits", "before_1900", "trailing_newline", "fullwidth_digits"])
def test_malformed_period_is_refused(text):
    with pytest.raises(ValueError, match="is not a period"):
        Period.parse(text)


@pytest.mark.parametrize("text, months", [("2026", 12), ("2026Q1", 3), ("2026Q4", 3)])
def test_period_months(text, months):
    assert Period.parse(text).months == months


@pytest.mark.parametrize("text, first, last", [
    ("2026", date(2026, 1, 1), date(2026, 12, 31)),
    ("2026Q1", date(2026, 1, 1), date(2026, 3, 31)),
    ("2026Q2", date(2026, 4, 1), date(2026, 6, 30)),
    ("2026Q3", date(2026, 7, 1), date(2026, 9, 30)),
    ("2026Q4", date(2026, 10, 1), date(2026, 12, 31)),
    ("2028Q1", date(2028, 1, 1), date(2028, 3, 31)),
])
def test_period_first_and_last_day(text, first, last):
    period = Period.parse(text)
    assert (period.first_day, period.last_day) == (first, last)
