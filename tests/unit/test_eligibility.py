"""Eligibility at submission (shared/domain.md, seed 002's table): tenure in the current grade,
performance rank (competition ranking, top p % = rank ≤ ceil(p × n)), one step at a time,
exceptional promotions; every failed rule is named at once."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from importlib import resources

import pytest
import yaml

from workflow.eligibility import (LEFT_THE_LADDER, Applicant, PeerScores, Refusal, add_months, age_on,
                                  competition_rank, demotion_refusals, exam_window_start, exit_refusals,
                                  full_months_between, probation_refusals, promotion_refusals, promotion_targets,
                                  rank_cutoff, recent_periods)
from workflow.policy import load_policy, parse_policy

POLICY = load_policy()
TODAY = date(2026, 9, 1)
LONG_AGO = date(2020, 1, 1)


def top_of(n: int, employee_no: str = "E001") -> PeerScores:
    """n ranked peers in which `employee_no` has the best score."""
    scores = {f"P{i:03d}": Decimal(50) for i in range(1, n)}
    scores[employee_no] = Decimal(90)
    return PeerScores("2025", scores)


def ranked_at(rank: int, n: int, employee_no: str = "E001") -> PeerScores:
    """n peers with distinct scores, `employee_no` at `rank`."""
    others = iter(f"P{i:03d}" for i in range(1, n))
    scores = {(employee_no if r == rank else next(others)): Decimal(100 - r) for r in range(1, n + 1)}
    return PeerScores("2025", scores)


def refusals(grade: str, target: str, *, since: date = LONG_AGO, exceptional: bool = False,
             peers: PeerScores | None = None, today: date = TODAY, policy=POLICY) -> list[Refusal]:
    return promotion_refusals(policy, Applicant("E001", grade, since), target, exceptional=exceptional,
                              today=today, peers=peers if peers is not None else top_of(5))


def rules(found: list[Refusal]) -> list[str]:
    return [r.rule for r in found]


# --- add_months / full_months_between ---------------------------------------------------

@pytest.mark.parametrize("start, months, expected", [
    (date(2026, 3, 1), 6, date(2026, 9, 1)),
    (date(2026, 1, 15), 1, date(2026, 2, 15)),
    (date(2026, 12, 15), 1, date(2027, 1, 15)),  # across the year
    (date(2026, 1, 31), 1, date(2026, 2, 28)),  # the month's last day when it is shorter
    (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
    (date(2026, 8, 31), 1, date(2026, 9, 30)),
    (date(2025, 8, 31), 6, date(2026, 2, 28)),
    (date(2023, 11, 30), 3, date(2024, 2, 29)),
    (date(2024, 2, 29), 12, date(2025, 2, 28)),  # leap day to a common year
    (date(2024, 2, 29), 48, date(2028, 2, 29)),  # leap day to the next leap year
    (date(2026, 3, 31), -1, date(2026, 2, 28)),
    (date(2026, 5, 10), 0, date(2026, 5, 10)),
])
def test_add_months_keeps_the_day_or_takes_the_month_end(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize("start, end, expected", [
    (date(2026, 3, 1), date(2026, 9, 1), 6),
    (date(2026, 3, 1), date(2026, 8, 31), 5),  # one day short of the 6th month
    (date(2026, 3, 15), date(2026, 3, 31), 0),
    (date(2026, 3, 15), date(2026, 3, 15), 0),
    (date(2026, 9, 2), date(2026, 9, 1), 0),  # end before start: never negative
    (date(2025, 9, 1), date(2026, 9, 1), 12),  # across the year
    (date(2025, 9, 1), date(2026, 8, 31), 11),
    (date(2026, 1, 31), date(2026, 2, 28), 1),  # month end to a shorter month's end
    (date(2026, 1, 31), date(2026, 2, 27), 0),
    (date(2024, 1, 31), date(2024, 2, 28), 0),  # leap year: Feb 29 is the anniversary
    (date(2024, 1, 31), date(2024, 2, 29), 1),
    (date(2024, 2, 29), date(2025, 2, 28), 12),
    (date(2024, 2, 29), date(2025, 2, 27), 11),
    (date(2025, 8, 31), date(2026, 2, 28), 6),
])
def test_full_months_between_counts_completed_months(start, end, expected):
    assert full_months_between(start, end) == expected


# --- competition ranking and the cutoff ----------------------------------------------

def test_competition_ranking_is_1224():
    scores = {"A": Decimal(90), "B": Decimal(85), "C": Decimal(85), "D": Decimal(80)}
    assert [competition_rank(scores, no) for no in "ABCD"] == [1, 2, 2, 4]


def test_competition_ranking_of_all_equal_scores_is_all_first():
    scores = {"A": Decimal(70), "B": Decimal(70), "C": Decimal(70)}
    assert {competition_rank(scores, no) for no in "ABC"} == {1}


@pytest.mark.parametrize("percent, n, cutoff", [
    (60, 5, 3),
    (40, 6, 3),  # ceil(2.4)
    (40, 1, 1),
    (60, 1, 1),
    (40, 5, 2),
    (60, 10, 6),  # exact: no rounding up
    (40, 10, 4),
    (60, 6, 4),  # ceil(3.6)
])
def test_rank_cutoff_is_ceil_of_percent_times_count(percent, n, cutoff):
    assert rank_cutoff(Decimal(percent), n) == cutoff


# --- tenure ---------------------------------------------------------------------------

def test_mid_needs_six_months_as_junior():
    assert refusals("junior", "mid", since=date(2026, 3, 1)) == []
    assert rules(refusals("junior", "mid", since=date(2026, 3, 2))) == ["tenure"]


def test_senior_needs_twelve_months_as_mid():
    assert refusals("mid", "senior", since=date(2025, 9, 1)) == []
    found = refusals("mid", "senior", since=date(2025, 9, 2))
    assert rules(found) == ["tenure"]
    assert "12 months" in found[0].detail and "11 completed" in found[0].detail


# --- performance rank -----------------------------------------------------------------

def test_mid_needs_the_top_60_percent():
    # 5 ranked juniors: ranks 1..3 qualify
    assert refusals("junior", "mid", peers=ranked_at(3, 5)) == []
    found = refusals("junior", "mid", peers=ranked_at(4, 5))
    assert rules(found) == ["performance_rank"]
    assert "rank is 4" in found[0].detail and "≤ 3 of 5" in found[0].detail


def test_senior_needs_the_top_40_percent():
    # 6 ranked mids: ranks 1..3 qualify (ceil 2.4)
    assert refusals("mid", "senior", peers=ranked_at(3, 6)) == []
    assert rules(refusals("mid", "senior", peers=ranked_at(4, 6))) == ["performance_rank"]


def test_a_lone_manager_is_in_the_top_40_percent():
    assert refusals("mid", "senior", peers=top_of(1)) == []


def test_rank_uses_competition_ranking_not_dense_ranking():
    # 90, 80, 80, 70, 60: the 70 ranks 4th (dense ranking would say 3rd), beyond the top 60 % of 5
    peers = PeerScores("2025", {"A": Decimal(90), "B": Decimal(80), "C": Decimal(80),
                                "E001": Decimal(70), "D": Decimal(60)})
    assert rules(refusals("junior", "mid", peers=peers)) == ["performance_rank"]


def test_ties_at_the_cutoff_share_the_better_rank():
    # 90, 80, 70, 70, 60: both 70s rank 3rd, within the top 60 % of 5
    peers = PeerScores("2025", {"A": Decimal(90), "B": Decimal(80), "C": Decimal(70),
                                "E001": Decimal(70), "D": Decimal(60)})
    assert refusals("junior", "mid", peers=peers) == []


def test_no_annual_score_breaks_performance_rank():
    found = refusals("junior", "mid", peers=PeerScores(None, {}))
    assert rules(found) == ["performance_rank"]
    assert "no annual performance score" in found[0].detail


def test_applicant_missing_from_the_ranking_breaks_performance_rank():
    peers = PeerScores("2025", {"A": Decimal(90), "B": Decimal(80)})
    assert rules(refusals("junior", "mid", peers=peers)) == ["performance_rank"]


# --- one step at a time and exceptional promotions -----------------------------------

def test_promotion_is_one_step_at_a_time():
    found = refusals("junior", "senior")
    assert rules(found) == ["one_step_at_a_time"]
    assert "junior → senior is 2 grades" in found[0].detail


def test_exceptional_promotion_may_skip_one_grade():
    assert refusals("junior", "senior", exceptional=True) == []


def test_exceptional_promotion_ignores_tenure():
    assert refusals("junior", "mid", since=date(2026, 8, 31), exceptional=True) == []
    assert refusals("junior", "senior", since=date(2026, 8, 31), exceptional=True) == []


def test_exceptional_promotion_still_needs_the_rank():
    # junior → senior exceptionally: the senior rule's top 40 % of 5 is rank ≤ 2
    assert rules(refusals("junior", "senior", exceptional=True, peers=ranked_at(3, 5))) == ["performance_rank"]
    assert rules(refusals("junior", "mid", exceptional=True, peers=ranked_at(4, 5))) == ["performance_rank"]


def test_exceptional_promotion_skips_at_most_one_grade():
    """The bank's ladder allows 2 steps ordinarily and 3 exceptionally: 4 steps are refused."""
    bank = load_policy("bank-six-level")
    found = refusals("level5", "level1", exceptional=True, policy=bank)
    assert "one_step_at_a_time" in rules(found)
    assert "skips at most 2" in next(r for r in found if r.rule == "one_step_at_a_time").detail


# --- outright refusals ----------------------------------------------------------------

@pytest.mark.parametrize("grade, targets", [("probation", ["junior", "mid", "senior"]), ("junior", ["mid", "senior"]),
                                           ("mid", ["senior"]), ("senior", []),
                                           ("unknown", ["probation", "junior", "mid", "senior"])])
def test_promotion_targets_are_the_grades_above(grade, targets):
    assert promotion_targets(POLICY.ladder, grade) == targets


@pytest.mark.parametrize("grade", ["junior", "mid", "senior"])
def test_promotion_goes_up_refuses_exactly_the_grades_not_among_the_promotion_targets(grade):
    for target in POLICY.ladder.codes:
        refused = "promotion_goes_up" in rules(refusals(grade, target))
        assert refused == (target not in promotion_targets(POLICY.ladder, grade)), target


def test_probation_manager_is_confirmed_not_promoted():
    found = refusals("probation", "junior")
    assert found == [Refusal("probation_confirmation", found[0].detail)]
    assert "junior" in found[0].detail
    assert rules(refusals("probation", "mid", since=date(2026, 8, 1), peers=PeerScores(None, {}))) == \
        ["probation_confirmation"]


@pytest.mark.parametrize("grade, target", [("junior", "junior"), ("mid", "mid"), ("mid", "junior"),
                                           ("senior", "mid"), ("senior", "senior"), ("junior", "probation")])
def test_target_must_be_above_the_current_grade(grade, target):
    assert rules(refusals(grade, target)) == ["promotion_goes_up"]


def test_exited_manager_is_not_an_active_manager():
    assert rules(refusals("exited", "mid")) == ["active_manager"]


def test_unknown_target_grade_is_refused():
    assert rules(refusals("junior", "director")) == ["known_grade"]
    assert rules(refusals("junior", "exited")) == ["known_grade"]


def test_target_without_an_eligibility_rule_is_not_open_to_application():
    document = yaml.safe_load(resources.files("workflow.policies").joinpath("default.yaml").read_text("utf-8"))
    del document["eligibility"]["targets"]["senior"]
    policy = parse_policy(yaml.safe_dump(document, allow_unicode=True))
    assert rules(refusals("mid", "senior", policy=policy)) == ["target_open_to_application"]


# --- every failure at once ------------------------------------------------------------

def test_every_failed_rule_is_listed_at_once():
    found = refusals("junior", "senior", since=date(2026, 8, 1), peers=ranked_at(5, 5))
    assert rules(found) == ["one_step_at_a_time", "tenure", "performance_rank"]


def test_tenure_and_rank_failures_are_listed_together():
    found = refusals("junior", "mid", since=date(2026, 8, 1), peers=PeerScores(None, {}))
    assert rules(found) == ["tenure", "performance_rank"]


# --- probation confirmation and demotion (workflow/eligibility.py) ------------------------------------

def test_probation_confirmation_is_for_a_probation_manager_whose_probation_has_ended():
    ends = add_months(date(2026, 3, 1), POLICY.probation_months)
    assert probation_refusals(POLICY, POLICY.ladder.entry_grade, date(2026, 3, 1), ends) == []


def test_probation_confirmation_waits_for_the_end_of_probation():
    started = date(2026, 3, 1)
    ends = add_months(started, POLICY.probation_months)
    refusals = probation_refusals(POLICY, POLICY.ladder.entry_grade, started, date.fromordinal(ends.toordinal() - 1))
    assert [r.rule for r in refusals] == ["probation_ended"]
    assert str(ends) in refusals[0].detail


def test_probation_confirmation_is_refused_to_a_manager_not_on_probation():
    assert [r.rule for r in probation_refusals(POLICY, "mid", LONG_AGO, TODAY)] == ["on_probation"]


def test_a_manager_who_left_the_ladder_is_neither_confirmed_nor_demoted_nor_exited():
    exited = POLICY.ladder.exited.code
    assert probation_refusals(POLICY, exited, LONG_AGO, TODAY) == [LEFT_THE_LADDER]
    assert demotion_refusals(POLICY.ladder, exited, None) == [LEFT_THE_LADDER]
    assert exit_refusals(POLICY.ladder, exited) == [LEFT_THE_LADDER]


def test_demotion_stops_at_the_floor():
    floor = POLICY.ladder.demotion_floor
    assert [r.rule for r in demotion_refusals(POLICY.ladder, floor, None)] == ["demotable"]
    assert demotion_refusals(POLICY.ladder, "senior", "mid") == []


def test_an_active_manager_may_have_an_exit_case():
    assert exit_refusals(POLICY.ladder, "mid") == []


# --- education and recent results, where the policy asks for them (issue 13, point 4) -------------------------

def _policy_with(**senior) -> object:
    document = yaml.safe_load(resources.files("workflow.policies").joinpath("default.yaml").read_text("utf-8"))
    document["eligibility"]["education_levels"] = ["高中", "中专", "大专", "本科", "硕士"]
    document["eligibility"]["targets"]["senior"].update(senior)
    return parse_policy(yaml.safe_dump(document, allow_unicode=True))


EDUCATED = _policy_with(min_education="大专", education_waived_in=["总行"])
RESULTS = _policy_with(min_recent_results={"period": "quarter", "count": 2, "min_score": 70})


def senior_refusals(policy, *, education: str | None = "本科", org_unit: str = "北京分行",
                    recent: dict | None = None, birth_date: date | None = None,
                    certificates: tuple[str, ...] = ()) -> list[Refusal]:
    applicant = Applicant("E001", "mid", LONG_AGO, org_unit, education, birth_date, certificates)
    return promotion_refusals(policy, applicant, "senior", exceptional=False, today=TODAY, peers=top_of(5),
                              recent=recent)


@pytest.mark.parametrize("education", ["大专", "本科", "硕士"])
def test_education_at_or_above_the_minimum_is_eligible(education):
    assert senior_refusals(EDUCATED, education=education) == []


@pytest.mark.parametrize("education, why", [
    ("中专", "senior needs 大专 or above; the recorded education is 中专"),
    (None, "senior needs 大专 or above; no education is recorded"),
    ("大学", "senior needs 大专 or above; the recorded education is none of 高中, 中专, 大专, 本科, 硕士"),
])
def test_education_below_the_minimum_or_unknown_is_refused_naming_the_rule(education, why):
    assert senior_refusals(EDUCATED, education=education) == [Refusal("education", why)]


def test_the_education_rule_is_waived_in_the_org_units_the_policy_names():
    """大专及以上学历 (总行可放宽): head office waives it."""
    assert senior_refusals(EDUCATED, education="中专", org_unit="总行") == []
    assert senior_refusals(EDUCATED, education=None, org_unit="总行") == []


def test_the_education_rule_applies_to_its_target_only():
    assert promotion_refusals(EDUCATED, Applicant("E001", "junior", LONG_AGO, "北京分行", "高中"), "mid",
                              exceptional=False, today=TODAY, peers=top_of(5)) == []


def test_each_of_the_last_quarters_at_or_above_the_minimum_is_eligible():
    """On 2026-09-01 the last two quarters that ended are 2026Q2 and 2026Q1."""
    assert senior_refusals(RESULTS, recent={"2026Q2": Decimal(70), "2026Q1": Decimal("88.5")}) == []


@pytest.mark.parametrize("recent, shortfall", [
    ({"2026Q2": Decimal("69.99"), "2026Q1": Decimal(90)}, "2026Q2 scored 69.99"),
    ({"2026Q2": Decimal(90)}, "2026Q1 has no record"),
    ({}, "2026Q2 has no record; 2026Q1 has no record"),
])
def test_a_recent_period_below_the_minimum_or_missing_is_refused_naming_it(recent, shortfall):
    assert senior_refusals(RESULTS, recent=recent) == [Refusal(
        "recent_results", f"senior needs at least 70 in each of the last 2 quarter periods (2026Q2, 2026Q1); "
                          f"{shortfall}")]


@pytest.mark.parametrize("kind, read", [
    ("month", ["2026M08", "2026M07"]), ("half", ["2026H1", "2025H2"]), ("year", ["2025", "2024"]),
])
def test_the_recent_results_rule_reads_the_last_periods_of_its_kind_that_ended(kind, read):
    """On 2026-09-01: the months, halves and years that ended before the current one, the latest first."""
    document = yaml.safe_load(resources.files("workflow.policies").joinpath("default.yaml").read_text("utf-8"))
    document["periods"] = ["year", "half", "quarter", "month"]
    document["eligibility"]["targets"]["senior"]["min_recent_results"] = {"period": kind, "count": 2,
                                                                          "min_score": 70}
    policy = parse_policy(yaml.safe_dump(document, allow_unicode=True))
    assert [str(p) for p in recent_periods(policy.eligibility.for_target("senior"), TODAY)] == read


def test_an_exceptional_promotion_keeps_the_education_and_results_rules():
    both = _policy_with(min_education="大专", min_recent_results={"period": "quarter", "count": 1, "min_score": 70})
    found = promotion_refusals(both, Applicant("E001", "mid", TODAY, "北京分行", "高中"), "senior", exceptional=True,
                               today=TODAY, peers=top_of(5), recent={})
    assert rules(found) == ["education", "recent_results"]


# --- an age limit and certificates (issue 13, point 4) ----------------------------------------------------------

AGED = _policy_with(max_age=45)
CERTIFIED = _policy_with(certificates=["营销师", "理财规划师"])


@pytest.mark.parametrize("born, on, age", [
    (date(1980, 9, 1), date(2026, 9, 1), 46),  # the birthday itself
    (date(1980, 9, 2), date(2026, 9, 1), 45),  # the day before it
    (date(2000, 2, 29), date(2026, 2, 28), 25),
    (date(2000, 2, 29), date(2026, 3, 1), 26),  # a 29 February birthday counts from 1 March in other years
    (date(2000, 2, 29), date(2028, 2, 29), 28),
])
def test_age_is_full_years_one_more_on_each_birthday(born, on, age):
    assert age_on(born, on) == age


@pytest.mark.parametrize("born", [date(1981, 9, 2), date(1981, 9, 1), date(2000, 1, 1)])
def test_up_to_the_age_limit_is_eligible(born):
    """45 on 2026-09-01: born 1981-09-01 turned 45 that day, born 1981-09-02 is 44."""
    assert senior_refusals(AGED, birth_date=born) == []


@pytest.mark.parametrize("born, why", [
    (date(1980, 9, 1), "senior is open up to the age of 45; the manager is 46"),
    (None, "senior is open up to the age of 45; no birth date is recorded"),
])
def test_past_the_age_limit_or_without_a_birth_date_is_refused_naming_the_rule(born, why):
    assert senior_refusals(AGED, birth_date=born) == [Refusal("age", why)]


def test_every_certificate_the_policy_names_is_needed():
    assert senior_refusals(CERTIFIED, certificates=("理财规划师", "营销师", "驾驶证")) == []
    assert senior_refusals(CERTIFIED, certificates=("营销师",)) == [Refusal(
        "certificates", "senior needs the certificates 营销师, 理财规划师; missing: 理财规划师")]
    assert rules(senior_refusals(CERTIFIED)) == ["certificates"]


def test_the_documented_eligibility_example_loads_and_prints_as_documented():
    from tests.support.policies import documented_example
    lines, printed = documented_example("Eligibility beyond tenure and rank", "The performance component")
    start = lines.index("eligibility:")
    assert lines[start:start + 4] == printed


# --- an exam's pass mark (issue 13, point 4) ---------------------------------------------------------------------

EXAMINED = _policy_with(min_exam={"exam": "skills_test", "min_score": 60, "within_months": 12})


def exam_refusals(result) -> list[Refusal]:
    applicant = Applicant("E001", "mid", LONG_AGO, "北京分行", "本科")
    return promotion_refusals(EXAMINED, applicant, "senior", exceptional=False, today=TODAY, peers=top_of(5),
                              exam=result)


def test_the_exam_window_starts_the_policy_s_months_before_today():
    assert exam_window_start(EXAMINED.eligibility.for_target("senior").exam, TODAY) == date(2025, 9, 1)
    assert EXAMINED.eligibility.for_target("mid").exam is None


@pytest.mark.parametrize("score", [Decimal(60), Decimal("99.5")])
def test_a_result_at_or_above_the_pass_mark_within_the_window_is_eligible(score):
    assert exam_refusals((date(2026, 6, 20), score)) == []


@pytest.mark.parametrize("result, why", [
    ((date(2026, 6, 20), Decimal("59.99")), "the latest (2026-06-20) scored 59.99"),
    (None, "no such result is recorded"),
])
def test_below_the_pass_mark_or_without_a_result_is_refused_naming_the_rule(result, why):
    assert exam_refusals(result) == [Refusal(
        "exam", f"senior needs at least 60 in skills_test taken since 2025-09-01; {why}")]
