"""The grading rules of a period close as pure functions (workflow/grading_rules.py): each condition, the window,
one stretch moving once, the gravest move, competition ranks. Over HTTP: tests/api/test_grading_rules.py."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from workflow.grading_rules import (DOWN, EXIT, SUSPEND, UP, GradingRule, ManagerFacts, Move, PeriodResult,
                                    RecordedEvent, gravest, holds)
from workflow.ranking import competition_ranks
from workflow.periods import Period

Q2, Q1 = Period.parse("2026Q2"), Period.parse("2026Q1")
ACTIVE = ManagerFacts(months_on_the_job=60, education="本科")


def result(period=Q2, score="80", months=3, grade="mid", **more) -> PeriodResult:
    return PeriodResult(period=period, score=Decimal(score), months_worked=months, grade=grade,
                        metrics={k: Decimal(v) for k, v in more.pop("metrics", {}).items()}, **more)


def rule(**conditions) -> GradingRule:
    return GradingRule(code="r", zh="规则", move=conditions.pop("move", Move(UP, 1)), **conditions)


def test_a_score_threshold_by_grade_holds_only_for_the_grades_it_names():
    by_grade = rule(score_below=(("mid", Decimal(70)),), move=Move(DOWN, 1))
    assert holds(by_grade, 2, ACTIVE, [result(score="69.99")], []) is not None
    assert holds(by_grade, 2, ACTIVE, [result(score="70")], []) is None
    assert holds(by_grade, 2, ACTIVE, [result(score="10", grade="senior")], []) is None


def test_a_window_needs_every_period_at_the_same_grade_with_the_months_worked_and_not_counted_before():
    two = rule(periods=2, score_at_least=((None, Decimal(90)),))
    assert holds(two, 2, ACTIVE, [result(score="95"), result(Q1, "91")], []) is not None
    assert holds(two, 2, ACTIVE, [result(score="95"), None], []) is None
    assert holds(two, 2, ACTIVE, [result(score="95"), result(Q1, "91", months=1)], []) is None
    assert holds(two, 2, ACTIVE, [result(score="95"), result(Q1, "91", grade="junior")], []) is None
    assert holds(two, 2, ACTIVE, [result(score="95"), result(Q1, "91", counted=True)], []) is None


def test_the_close_s_exclusion_holds_a_rule_back_unless_the_rule_is_about_the_months_worked():
    absent = rule(months_worked_below=2, leave_reasons=("other",), leave_times=1, move=Move(DOWN, 1))
    other = [RecordedEvent("leave", date(2026, 4, 3), 80, "other")]
    assert holds(absent, 2, ACTIVE, [result(months=1)], other)["months_worked"] == 1
    assert holds(absent, 2, ACTIVE, [result(months=2)], other) is None
    assert holds(absent, 2, ACTIVE, [result(months=1)], [RecordedEvent("leave", date(2026, 4, 3), 80, "sick")]) is None
    assert holds(rule(score_below=((None, Decimal(60)),)), 2, ACTIVE, [result(score="10", months=1)], []) is None


def test_metrics_at_least_below_and_short_of_a_standard():
    standard = (("customers", Decimal(60)), ("amount", Decimal(100000)))
    met = result(metrics={"customers": "60", "amount": "100000"})
    short = result(metrics={"customers": "59", "amount": "200000"})
    assert holds(rule(metric_at_least=standard), 1, ACTIVE, [met], []) is not None
    assert holds(rule(metric_at_least=standard), 1, ACTIVE, [short], []) is None
    assert holds(rule(metric_short_of=standard), 1, ACTIVE, [short], []) is not None
    assert holds(rule(metric_short_of=standard), 1, ACTIVE, [met], []) is None
    assert holds(rule(metric_below=standard), 1, ACTIVE, [short], []) is None  # every one below: not so
    assert holds(rule(metric_at_least=standard), 1, ACTIVE, [result()], []) is None  # no figures entered
    assert holds(rule(metric_short_of=standard), 1, ACTIVE, [result()], []) is None  # nor evidence of a shortfall


def test_bottom_and_top_ranks_count_ties_as_competition_ranks():
    ranks = competition_ranks({"A": Decimal(60), "B": Decimal(60), "C": Decimal(70), "D": Decimal(90)})
    assert ranks == {"A": (1, 3), "B": (1, 3), "C": (3, 2), "D": (4, 1)}
    bottom_two = rule(bottom=2, move=Move(EXIT))
    assert holds(bottom_two, 2, ACTIVE, [result(rank_from_bottom=1, rank_from_top=3, peers=4)], []) is not None
    assert holds(bottom_two, 2, ACTIVE, [result(rank_from_bottom=3, rank_from_top=2, peers=4)], []) is None
    thirty = rule(bottom_percent=Decimal(30), move=Move(DOWN, 1))  # ceil(30 % × 4) = 2
    assert holds(thirty, 2, ACTIVE, [result(rank_from_bottom=2, rank_from_top=3, peers=4)], []) is not None
    assert holds(rule(top_percent=Decimal(25)), 2, ACTIVE, [result(rank_from_bottom=4, rank_from_top=1, peers=4)],
                 []) is not None


def test_events_are_counted_over_the_window_s_days():
    complaints = rule(events=(("complaint", 3),), periods=2, move=Move(EXIT))
    days = [date(2025, 12, 31), date(2026, 1, 5), date(2026, 5, 5), date(2026, 6, 30)]
    events = [RecordedEvent("complaint", day) for day in days]
    assert holds(complaints, 2, ACTIVE, [result(), result(Q1)], events)["events"] == {"complaint": 3}
    assert holds(complaints, 2, ACTIVE, [result(), result(Q1)], events[:3]) is None


def test_sales_targets_missed_are_counted_by_the_months_they_fall_in_not_by_entries():
    """「连续两个月完不成销售任务目标」: two misses entered in one month are one month missed."""
    M10, M11 = Period.parse("2026M10"), Period.parse("2026M11")
    two_months = rule(events=(("target_missed", 2),), periods=2, move=Move(EXIT))
    results = [result(M11, months=1), result(M10, months=1)]
    same_month = [RecordedEvent("target_missed", date(2026, 11, 5)), RecordedEvent("target_missed", date(2026, 11, 25))]
    assert holds(two_months, 1, ACTIVE, results, same_month) is None
    each_month = [RecordedEvent("target_missed", date(2026, 10, 31)),
                  RecordedEvent("target_missed", date(2026, 11, 30))]
    assert holds(two_months, 1, ACTIVE, results, each_month)["events"] == {"target_missed": 2}


@pytest.mark.parametrize("leaves, over, times, holds_", [
    ([16], 15, None, True), ([15], 15, None, False), ([2, 2, 2], None, 3, True), ([2, 2], None, 3, False)])
def test_leave_longer_than_or_taken_as_often_as_the_rule_says(leaves, over, times, holds_):
    leave = rule(leave_days_over=over, leave_times=times, move=Move(EXIT))
    events = [RecordedEvent("leave", date(2026, 5, 1 + k), days, "sick") for k, days in enumerate(leaves)]
    assert (holds(leave, 2, ACTIVE, [result()], events) is not None) is holds_


def test_standing_time_on_the_job_and_education_decide_whom_a_rule_applies_to():
    back = rule(standing="suspended", score_at_least=((None, Decimal(80)),), move=Move("reinstate"))
    assert holds(back, 2, ManagerFacts(standing="suspended"), [result()], []) is not None
    assert holds(back, 2, ACTIVE, [result()], []) is None
    senior = rule(min_months_on_the_job=36, educations=("大专", "本科"), score_at_least=((None, Decimal(85)),))
    assert holds(senior, 2, ManagerFacts(months_on_the_job=36, education="大专"), [result(score="85")], []) is not None
    assert holds(senior, 2, ManagerFacts(months_on_the_job=35, education="本科"), [result(score="85")], []) is None
    assert holds(senior, 2, ManagerFacts(months_on_the_job=60, education="中专"), [result(score="85")], []) is None


def test_a_review_every_n_months_holds_only_on_those_months():
    review = rule(review_every_months=2, metric_short_of=(("customers", Decimal(60)),), move=Move(DOWN, 1))
    low = {"metrics": {"customers": "10"}}
    assert [holds(review, 1, ACTIVE, [result(months_in_grade=m, **low)], []) is not None for m in (1, 2, 3, 4)] == [
        False, True, False, True]


def test_events_that_moved_the_manager_at_an_earlier_close_are_not_counted_again():
    complaints = rule(events=(("complaint", 3),), periods=4, move=Move(EXIT))
    events = [RecordedEvent("complaint", day) for day in (date(2026, 1, 5), date(2026, 2, 5), date(2026, 3, 5))]
    assert holds(complaints, 2, ACTIVE, [result(), result(Q1)], events) is not None
    counted = ManagerFacts(months_on_the_job=60, events_counted_until=date(2026, 3, 31))  # Q1's close moved on them
    assert holds(complaints, 2, counted, [result(), result(Q1)], events) is None
    later = events + [RecordedEvent("complaint", date(2026, 4, 2 + k)) for k in range(3)]
    assert holds(complaints, 2, counted, [result(), result(Q1)], later)["events"] == {"complaint": 3}


def test_a_rule_moving_as_the_thresholds_do_is_carried_out_as_the_rule_says_with_both_reasons():
    from workflow.quarter_close import DEMOTION, Verdict
    from workflow.services.evaluations import planned_move
    direct = rule(score_below=((None, Decimal(60)),), move=Move(DOWN, 1), direct=True)
    move, is_direct, reasons = planned_move(Verdict(DEMOTION, ({"rule": "below_threshold"},)), (direct, {"rule": "r"}))
    assert (move, is_direct, reasons) == (Move(DOWN, 1), True, [{"rule": "r"}, {"rule": "below_threshold"}])
    exit_ = rule(events=(("misconduct", 1),), move=Move(EXIT))
    assert planned_move(Verdict(DEMOTION, ({"rule": "violation"},)), (exit_, {"rule": "x"}))[2] == [
        {"rule": "x"}, {"rule": "violation"}]  # the quarter counted towards the thresholds all the same


def test_the_gravest_move_wins_and_the_first_listed_on_a_tie():
    rules = [rule(move=Move(UP, 2)), rule(move=Move(DOWN, 1)), rule(move=Move(SUSPEND)), rule(move=Move(DOWN, 2))]
    reasons = [{"n": 0}, {"n": 1}, None, {"n": 3}]
    assert gravest(rules, reasons) == (rules[3], {"n": 3})
    assert gravest(rules, [{"n": 0}, None, {"n": 2}, None]) == (rules[2], {"n": 2})
    assert gravest(rules, [None] * 4) is None
    assert gravest([rule(move=Move(EXIT)), rule(move=Move(EXIT))], [{"n": 0}, {"n": 1}]) == (
        rule(move=Move(EXIT)), {"n": 0})
