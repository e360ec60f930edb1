"""The quarter close as a pure rule (domain.md, "Period-end triggers"; workflow/quarter_close.py):
fewer than 2 months worked → excluded; a violation → demotion; mid below 80 / senior below 85 in two
consecutive quarters, holding the grade at the end of each → demotion. The scheduled close runs the day
after the quarter's last day at 02:00 Asia/Shanghai. Also Period.shifted / Period.of."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from workflow.periods import Period
from workflow.policy import load_policy
from workflow.quarter_close import (DEMOTION, EXCLUDED, KEPT, QuarterRecord, Verdict, close_moment, evaluate,
                                    next_period_to_close)

SHANGHAI = ZoneInfo("Asia/Shanghai")
POLICY = load_policy()
RULE = POLICY.closes[0]
BANK = load_policy("bank-six-level")

Q3, Q2, Q1 = Period(2026, 3), Period(2026, 2), Period(2026, 1)


def record(period: Period, score: str, grade: str = "mid", *, months: int = 3,
           violation: bool = False) -> QuarterRecord:
    return QuarterRecord(period=period, score=Decimal(score), months_worked=months, violation=violation, grade=grade)


def rules_of(verdict: Verdict) -> list[str]:
    return [r["rule"] for r in verdict.reasons]


# --- Period.shifted / Period.of --------------------------------------------------------

@pytest.mark.parametrize("start, n, expected", [
    ("2026Q3", 1, "2026Q4"), ("2026Q4", 1, "2027Q1"), ("2026Q1", -1, "2025Q4"), ("2026Q3", -1, "2026Q2"),
    ("2026Q2", 0, "2026Q2"), ("2026Q1", 8, "2028Q1"), ("2026Q3", -7, "2024Q4"),
])
def test_shifting_a_quarter_crosses_year_boundaries(start, n, expected):
    assert str(Period.parse(start).shifted(n)) == expected


@pytest.mark.parametrize("day, expected", [
    (date(2026, 1, 1), "2026Q1"), (date(2026, 3, 31), "2026Q1"), (date(2026, 4, 1), "2026Q2"),
    (date(2026, 6, 30), "2026Q2"), (date(2026, 7, 1), "2026Q3"), (date(2026, 9, 30), "2026Q3"),
    (date(2026, 10, 1), "2026Q4"), (date(2026, 12, 31), "2026Q4"),
])
def test_the_quarter_of_a_day(day, expected):
    quarter = Period.of("quarter", day)
    assert str(quarter) == expected
    assert quarter.first_day <= day <= quarter.last_day


# --- the default policy's numbers --------------------------------------------------------------

def test_default_policy_quarter_close_numbers():
    assert (RULE.min_months_worked, RULE.violation_demotes, RULE.consecutive_quarters) == (2, True, 2)
    assert (RULE.threshold("mid"), RULE.threshold("senior")) == (Decimal(80), Decimal(85))
    assert RULE.threshold("junior") is None and RULE.threshold("probation") is None
    assert (RULE.run_after_days, RULE.run_at) == (1, time(2, 0))


# --- excluded ----------------------------------------------------------------------------------

@pytest.mark.parametrize("months", [0, 1])
def test_fewer_than_two_months_worked_is_excluded(months):
    verdict = evaluate(RULE, record(Q3, "50", months=months), [record(Q2, "50")])
    assert verdict.outcome == EXCLUDED
    assert rules_of(verdict) == ["months_worked"]
    assert verdict.reasons[0]["months_worked"] == months and verdict.reasons[0]["minimum"] == 2


def test_fewer_than_two_months_worked_is_excluded_even_with_a_violation():
    verdict = evaluate(RULE, record(Q3, "90", months=1, violation=True), [])
    assert verdict.outcome == EXCLUDED
    assert "violation" not in rules_of(verdict)


def test_exactly_two_months_worked_is_evaluated():
    verdict = evaluate(RULE, record(Q3, "90", months=2, violation=True), [])
    assert verdict.outcome == DEMOTION


# --- a violation -------------------------------------------------------------------------------

@pytest.mark.parametrize("grade", ["junior", "mid", "senior"])
def test_a_violation_means_demotion_whatever_the_score(grade):
    verdict = evaluate(RULE, record(Q3, "100", grade, violation=True), [])
    assert verdict == Verdict(DEMOTION, ({"rule": "violation"},))


def test_a_violation_and_two_low_quarters_give_both_reasons():
    verdict = evaluate(RULE, record(Q3, "70", violation=True), [record(Q2, "70")])
    assert verdict.outcome == DEMOTION
    assert rules_of(verdict) == ["violation", "below_threshold"]


# --- two consecutive low quarters ---------------------------------------------------------------

@pytest.mark.parametrize("grade, low", [("mid", "79.99"), ("senior", "84.99")])
def test_below_the_threshold_in_two_consecutive_quarters_is_a_demotion_listing_the_quarters(grade, low):
    verdict = evaluate(RULE, record(Q3, low, grade), [record(Q2, "60", grade)])
    assert verdict.outcome == DEMOTION
    threshold = {"mid": "80", "senior": "85"}[grade]
    assert verdict.reasons == ({"rule": "below_threshold", "grade": grade, "threshold": threshold,
                                "quarters": [{"period": "2026Q2", "score": "60"},
                                             {"period": "2026Q3", "score": low}]},)


def test_two_low_quarters_across_the_year_turn_count_as_consecutive():
    verdict = evaluate(RULE, record(Period(2027, 1), "70"), [record(Period(2026, 4), "75")])
    assert verdict.outcome == DEMOTION
    assert [q["period"] for q in verdict.reasons[0]["quarters"]] == ["2026Q4", "2027Q1"]


@pytest.mark.parametrize("current, earlier", [("70", "80"), ("80", "70")], ids=["earlier_fine", "current_fine"])
def test_only_one_low_quarter_is_kept(current, earlier):
    verdict = evaluate(RULE, record(Q3, current), [record(Q2, earlier)])
    assert verdict == Verdict(KEPT)


@pytest.mark.parametrize("grade, score", [("mid", "80"), ("senior", "85"), ("mid", "80.00"), ("senior", "85.0")])
def test_exactly_the_threshold_is_not_below(grade, score):
    assert evaluate(RULE, record(Q3, score, grade), [record(Q2, score, grade)]).outcome == KEPT


def test_one_low_quarter_alone_without_earlier_records_is_kept():
    assert evaluate(RULE, record(Q3, "10"), []) == Verdict(KEPT)


def test_a_missing_earlier_quarter_breaks_the_run():
    assert evaluate(RULE, record(Q3, "10"), [None, record(Q1, "10")]) == Verdict(KEPT)


def test_an_excluded_earlier_quarter_breaks_the_run():
    verdict = evaluate(RULE, record(Q3, "10"), [record(Q2, "10", months=1)])
    assert verdict == Verdict(KEPT)


def test_an_earlier_quarter_with_two_months_worked_counts():
    verdict = evaluate(RULE, record(Q3, "10"), [record(Q2, "10", months=2)])
    assert verdict.outcome == DEMOTION


@pytest.mark.parametrize("earlier_grade", ["junior", "senior"])
def test_a_different_grade_held_in_the_earlier_quarter_breaks_the_run(earlier_grade):
    """Promoted to mid (or demoted to mid) during the run: the mid threshold applies to mid quarters only."""
    verdict = evaluate(RULE, record(Q3, "70", "mid"), [record(Q2, "70", earlier_grade)])
    assert verdict == Verdict(KEPT)


def test_junior_has_no_threshold():
    assert evaluate(RULE, record(Q3, "0", "junior"), [record(Q2, "0", "junior")]) == Verdict(KEPT)


def test_probation_has_no_threshold():
    assert evaluate(RULE, record(Q3, "0", "probation"), [record(Q2, "0", "probation")]) == Verdict(KEPT)


def test_only_the_quarter_just_before_counts_with_two_consecutive_quarters():
    """A low Q1 does not matter when Q2 was fine, even if Q3 is low."""
    verdict = evaluate(RULE, record(Q3, "70"), [record(Q2, "90"), record(Q1, "70")])
    assert verdict == Verdict(KEPT)


# --- the bank-six-level policy ------------------------------------------------------------------

def test_bank_policy_demotes_after_a_single_low_quarter():
    rule = BANK.closes[0]
    assert rule.consecutive_quarters == 1
    verdict = evaluate(rule, record(Q3, "74.99", "level3"), [])
    assert verdict.outcome == DEMOTION
    assert verdict.reasons[0]["quarters"] == [{"period": "2026Q3", "score": "74.99"}]
    assert verdict.reasons[0]["threshold"] == "75"


@pytest.mark.parametrize("grade, score, outcome", [
    ("level3", "75", KEPT), ("level2", "79.99", DEMOTION), ("level2", "80", KEPT), ("level1", "84.99", DEMOTION),
    ("level4", "0", KEPT), ("level6", "0", KEPT),
])
def test_bank_policy_thresholds_per_level(grade, score, outcome):
    assert evaluate(BANK.closes[0], record(Q3, score, grade), []).outcome == outcome


def test_bank_policy_excludes_fewer_than_two_months_worked():
    assert evaluate(BANK.closes[0], record(Q3, "0", "level1", months=1), []).outcome == EXCLUDED


def test_bank_policy_closes_five_days_after_the_quarter_at_two():
    assert close_moment(BANK.closes[0], Q3, SHANGHAI) == datetime(2026, 10, 5, 2, 0, tzinfo=SHANGHAI)


def test_a_policy_where_violations_do_not_demote_keeps_the_manager():
    from dataclasses import replace
    lenient = replace(RULE, violation_demotes=False)
    assert evaluate(lenient, record(Q3, "95", violation=True), []) == Verdict(KEPT)


# --- when the close runs -----------------------------------------------------------------------

@pytest.mark.parametrize("quarter, moment", [
    (Period(2026, 1), "2026-04-01T02:00:00+08:00"),
    (Period(2026, 2), "2026-07-01T02:00:00+08:00"),
    (Period(2026, 3), "2026-10-01T02:00:00+08:00"),
    (Period(2026, 4), "2027-01-01T02:00:00+08:00"),
])
def test_the_close_runs_the_day_after_the_quarters_last_day_at_two_in_shanghai(quarter, moment):
    at = close_moment(RULE, quarter, SHANGHAI)
    assert at.isoformat() == moment
    assert at.astimezone(timezone.utc) == datetime.fromisoformat(moment).astimezone(timezone.utc)


def test_the_close_moment_is_after_the_whole_last_day_in_local_time():
    at = close_moment(RULE, Period(2026, 3), SHANGHAI)
    last_moment_of_quarter = datetime.combine(date(2026, 9, 30), time(23, 59, 59), tzinfo=SHANGHAI)
    assert at - last_moment_of_quarter == timedelta(hours=2, seconds=1)
    # in UTC it is still Sep 30
    assert at.astimezone(timezone.utc) == datetime(2026, 9, 30, 18, 0, tzinfo=timezone.utc)


def test_the_year_turn_q4_close_is_on_january_first_and_the_next_chain_link_is_q1():
    q4 = Period(2026, 4)
    assert close_moment(RULE, q4, SHANGHAI) == datetime(2027, 1, 1, 2, 0, tzinfo=SHANGHAI)
    assert q4.shifted(1) == Period(2027, 1)
    assert close_moment(RULE, q4.shifted(1), SHANGHAI) == datetime(2027, 4, 1, 2, 0, tzinfo=SHANGHAI)


def test_a_policy_closing_one_day_later_moves_q4_to_january_second():
    from dataclasses import replace
    later = replace(RULE, run_after_days=2)
    assert close_moment(later, Period(2026, 4), SHANGHAI) == datetime(2027, 1, 2, 2, 0, tzinfo=SHANGHAI)


def _next(now: datetime) -> Period:
    local = now.astimezone(SHANGHAI)
    return next_period_to_close(RULE, local.date(), SHANGHAI, now)


def test_next_period_to_close_in_the_middle_of_a_quarter_is_the_current_one():
    assert _next(datetime(2026, 9, 1, 9, 0, tzinfo=SHANGHAI)) == Period(2026, 3)


def test_next_period_to_close_before_the_close_moment_is_the_quarter_just_ended():
    assert _next(datetime(2026, 10, 1, 1, 59, 59, tzinfo=SHANGHAI)) == Period(2026, 3)
    assert _next(datetime(2026, 10, 1, 0, 0, tzinfo=SHANGHAI)) == Period(2026, 3)


def test_next_period_to_close_at_the_close_moment_is_still_that_quarter():
    assert _next(datetime(2026, 10, 1, 2, 0, tzinfo=SHANGHAI)) == Period(2026, 3)


def test_next_period_to_close_after_the_close_moment_is_the_new_quarter():
    assert _next(datetime(2026, 10, 1, 2, 0, 1, tzinfo=SHANGHAI)) == Period(2026, 4)


def test_next_period_to_close_across_the_year_turn():
    assert _next(datetime(2027, 1, 1, 1, 0, tzinfo=SHANGHAI)) == Period(2026, 4)
    assert _next(datetime(2027, 1, 1, 3, 0, tzinfo=SHANGHAI)) == Period(2027, 1)


def test_next_period_to_close_uses_the_local_day_not_the_utc_day():
    """2026-09-30T18:30Z is Oct 1 02:30 in Shanghai: Q3's close has passed."""
    assert _next(datetime(2026, 9, 30, 18, 30, tzinfo=timezone.utc)) == Period(2026, 4)
    assert _next(datetime(2026, 9, 30, 17, 30, tzinfo=timezone.utc)) == Period(2026, 3)


def test_next_period_to_close_with_the_bank_policy_waits_five_days():
    rule = BANK.closes[0]
    assert next_period_to_close(rule, date(2026, 10, 3), SHANGHAI,
                                 datetime(2026, 10, 3, 12, 0, tzinfo=SHANGHAI)) == Period(2026, 3)
    assert next_period_to_close(rule, date(2026, 10, 5), SHANGHAI,
                                 datetime(2026, 10, 5, 2, 0, 1, tzinfo=SHANGHAI)) == Period(2026, 4)


def test_a_monthly_close_runs_the_day_after_each_month_and_chains_month_by_month():
    from dataclasses import replace
    monthly = replace(RULE, period="month")
    assert close_moment(monthly, Period(2026, month=2), SHANGHAI) == datetime(2026, 3, 1, 2, 0, tzinfo=SHANGHAI)
    assert next_period_to_close(monthly, date(2026, 9, 1), SHANGHAI,
                                datetime(2026, 9, 1, 1, 0, tzinfo=SHANGHAI)) == Period(2026, month=8)
    assert next_period_to_close(monthly, date(2026, 9, 1), SHANGHAI,
                                datetime(2026, 9, 1, 3, 0, tzinfo=SHANGHAI)) == Period(2026, month=9)
    assert next_period_to_close(monthly, date(2027, 1, 1), SHANGHAI,
                                datetime(2027, 1, 1, 1, 0, tzinfo=SHANGHAI)) == Period(2026, month=12)


def test_a_half_year_close_closes_the_half_just_ended():
    from dataclasses import replace
    halves = replace(RULE, period="half")
    assert next_period_to_close(halves, date(2026, 7, 1), SHANGHAI,
                                datetime(2026, 7, 1, 1, 0, tzinfo=SHANGHAI)) == Period(2026, half=1)
    assert next_period_to_close(halves, date(2026, 7, 2), SHANGHAI,
                                datetime(2026, 7, 2, 9, 0, tzinfo=SHANGHAI)) == Period(2026, half=2)


def test_the_documented_monthly_close_example_loads_and_prints_as_documented():
    """docs/policies.md's monthly close, put into the default policy, is valid and reads back as the page says."""
    from tests.support.policies import documented_example
    lines, printed = documented_example("Closing months or half-years", "Several closes side by side")
    start = lines.index("periods:")
    assert lines[start:start + 3] == printed


# --- several closes side by side -------------------------------------------------------------

def test_the_documented_closes_side_by_side_load_and_print_as_documented():
    from tests.support.policies import documented_example
    lines, printed = documented_example("Several closes side by side", "Scores made of parts")
    start = lines.index("periods:")
    assert lines[start:start + 4] == printed


def side_by_side(*closes: dict):
    import yaml

    from tests.support.policies import default_document
    from workflow.policy import parse_policy
    document = default_document()
    document["periods"] = ["year", "quarter", "month"]
    document["quarter_close"] = [{**document["quarter_close"], **close} for close in closes]
    return parse_policy(yaml.safe_dump(document, allow_unicode=True))


def test_several_closes_each_close_their_own_kind():
    policy = side_by_side({"period": "month", "min_months_worked": 1}, {"period": "quarter"})
    assert policy.closed_kinds == ("quarter", "month")  # longest first, whatever the file's order
    assert policy.close_of("month").min_months_worked == 1 and policy.close_of("quarter").min_months_worked == 2
    assert policy.close_of("half") is None


def test_several_closes_refuse_a_kind_closed_twice_or_exits_counted_apart():
    from workflow.policy import PolicyError
    with pytest.raises(PolicyError, match=r"quarter_close\[1\]: a second close of quarter periods"):
        side_by_side({"period": "quarter"}, {"period": "quarter"})
    with pytest.raises(PolicyError, match=r"quarter_close\[1\]\.exit_after_demotion_years: must be the same in every"):
        side_by_side({"period": "month", "min_months_worked": 1}, {"period": "quarter", "exit_after_demotion_years": 3})
    with pytest.raises(PolicyError, match=r"quarter_close: must have at least 1 entries"):
        side_by_side()
