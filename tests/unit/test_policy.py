"""The policy file: the default policy holds the numbers of the rule book (shared/domain.md),
the shipped example loads, and a bad document is refused with the key path and the problem."""
from __future__ import annotations

import dataclasses
import json
from datetime import time
from decimal import Decimal
from importlib import resources
from zoneinfo import ZoneInfo

import pytest
import yaml

from workflow.policy import PolicyError, Quota, TargetRule, load_policy, parse_policy

DEFAULT_TEXT = resources.files("workflow.policies").joinpath("default.yaml").read_text("utf-8")
SOURCE = "test-policy.yaml"


def default_document() -> dict:
    return yaml.safe_load(DEFAULT_TEXT)


def as_yaml(document) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def with_changes(changes: dict[tuple, object]) -> dict:
    """A copy of the default document with the value at each key path replaced."""
    document = default_document()
    for path, value in changes.items():
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = value
    return document


def without(*path: str) -> dict:
    document = default_document()
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    return document


@pytest.fixture(scope="module")
def policy():
    return load_policy()


# --- the default policy is the rule book --------------------------------------------------

def test_default_policy_is_the_builtin_default(policy):
    assert policy.name == "default"
    assert load_policy("default") == policy


def test_default_ladder_is_probation_junior_mid_senior_plus_exited(policy):
    ladder = policy.ladder
    assert ladder.codes == ("probation", "junior", "mid", "senior")
    assert ladder.exited.code == "exited"
    assert ladder.all_codes == ("probation", "junior", "mid", "senior", "exited")
    assert [ladder.rank(code) for code in ladder.all_codes] == [0, 1, 2, 3, -1]
    assert ladder.grade("senior").zh == "高级客户经理"


def test_default_ladder_promotes_one_step_and_exceptionally_skips_one(policy):
    assert policy.ladder.entry_grade == "probation"
    assert policy.ladder.demotion_floor == "junior"
    assert policy.ladder.promotion_steps == 1
    assert policy.ladder.exceptional_steps == 2


def test_default_eligibility_is_6_months_top_60_for_mid_and_12_months_top_40_for_senior(policy):
    assert policy.eligibility.targets == (TargetRule("mid", 6, Decimal(60)), TargetRule("senior", 12, Decimal(40)))
    assert policy.eligibility.for_target("junior") is None


def test_default_exceptional_promotion_ignores_tenure_and_needs_hr(policy):
    assert policy.eligibility.exceptional_ignores_tenure is True
    assert policy.eligibility.exceptional_needs_hr_approval is True


def test_default_score_weights_are_30_40_30(policy):
    scoring = policy.scoring
    assert (scoring.supervisor_weight, scoring.interview_weight, scoring.performance_weight) == (
        Decimal("0.3"), Decimal("0.4"), Decimal("0.3"))


def test_default_trim_drops_one_highest_and_one_lowest_from_five_scores(policy):
    scoring = policy.scoring
    assert (scoring.trim_min_scores, scoring.trim_drop_highest, scoring.trim_drop_lowest) == (5, 1, 1)


def test_default_scale_is_0_to_100_with_pass_mark_60_and_two_decimals(policy):
    scoring = policy.scoring
    assert (scoring.scale.min, scoring.scale.max) == (Decimal(0), Decimal(100))
    assert scoring.pass_mark == Decimal(60)
    assert scoring.decimal_places == 2


def test_default_quorum_is_3(policy):
    assert policy.quorum == 3


def test_default_senior_quota_is_30_percent(policy):
    assert policy.quotas == (Quota("senior", Decimal("0.30")),)
    assert [(q.grade, q.max_share) for q in policy.quotas] == [("senior", Decimal("0.3"))]


def test_default_ties_are_broken_by_interview_score_time_in_grade_then_employee_no(policy):
    assert policy.tie_break == ("interview_score", "time_in_grade", "employee_no")


def test_default_appeal_window_is_3_working_days_and_scores_are_hidden(policy):
    assert policy.appeal_window_working_days == 3
    assert policy.show_scores is False


def test_default_probation_lasts_3_months(policy):
    assert policy.probation_months == 3


def test_default_overdue_reminder_after_3_working_days(policy):
    assert policy.overdue_after_working_days == 3


def test_default_quarter_close_thresholds_are_mid_80_and_senior_85(policy):
    close = policy.closes[0]
    assert close.threshold("mid") == Decimal(80)
    assert close.threshold("senior") == Decimal(85)
    assert close.threshold("junior") is None


def test_default_quarter_close_needs_2_consecutive_quarters_and_2_months_worked(policy):
    close = policy.closes[0]
    assert close.consecutive_quarters == 2
    assert close.min_months_worked == 2
    assert close.violation_demotes is True
    assert close.exit_after_demotion_years == 2
    assert (close.run_after_days, close.run_at) == (1, time(2, 0))


def test_default_timezone_is_asia_shanghai(policy):
    assert policy.timezone == "Asia/Shanghai"
    assert policy.tz == ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("owner, attribute", [
    (lambda p: p, "quorum"),
    (lambda p: p.ladder, "entry_grade"),
    (lambda p: p.ladder.grades[0], "code"),
    (lambda p: p.eligibility.targets[0], "top_percent"),
    (lambda p: p.scoring, "pass_mark"),
    (lambda p: p.scoring.scale, "max"),
    (lambda p: p.quotas[0], "max_share"),
    (lambda p: p.closes[0], "consecutive_quarters"),
], ids=["policy", "ladder", "grade", "target", "scoring", "scale", "quota", "quarter_close"])
def test_policy_objects_are_frozen(policy, owner, attribute):
    obj = owner(policy)
    before = getattr(obj, attribute)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(obj, attribute, 0)
    assert getattr(obj, attribute) == before


# --- the shipped example -------------------------------------------------------------------

def test_bank_six_level_policy_loads_and_validates():
    bank = load_policy("bank-six-level")
    assert bank.name == "bank-six-level"
    assert bank.ladder.codes == ("level6", "level5", "level4", "level3", "level2", "level1")
    assert (bank.ladder.entry_grade, bank.ladder.demotion_floor) == ("level6", "level6")
    assert (bank.ladder.promotion_steps, bank.ladder.exceptional_steps) == (2, 3)
    assert [t.grade for t in bank.eligibility.targets] == ["level4", "level3", "level2", "level1"]
    assert bank.scoring.pass_mark == Decimal(70)
    assert bank.quorum == 5
    assert bank.quotas == (Quota("level1", Decimal("0.10")), Quota("level2", Decimal("0.20")))
    assert bank.closes[0].consecutive_quarters == 1


def test_bank_six_level_policy_loads_from_its_file_path():
    path = resources.files("workflow.policies").joinpath("bank-six-level.yaml")
    assert load_policy(str(path)) == load_policy("bank-six-level")


# --- the parser passes each number of the file through (it does not fall back to a default) ---

@pytest.mark.parametrize("changes, reported, expected", [
    ({("eligibility", "targets", "mid", "min_months_in_grade"): 9},
     lambda p: p.eligibility.for_target("mid").min_months_in_grade, 9),
    ({("eligibility", "targets", "senior", "top_percent"): 25},
     lambda p: p.eligibility.for_target("senior").top_percent, Decimal(25)),
    ({("scoring", "weights"): {"supervisor": 0.2, "interview": 0.5, "performance": 0.3}},
     lambda p: (p.scoring.supervisor_weight, p.scoring.interview_weight), (Decimal("0.2"), Decimal("0.5"))),
    ({("scoring", "trim", "min_scores"): 7}, lambda p: p.scoring.trim_min_scores, 7),
    ({("scoring", "pass_mark"): 65.5}, lambda p: p.scoring.pass_mark, Decimal("65.5")),
    ({("committee", "quorum"): 4}, lambda p: p.quorum, 4),
    ({("quotas",): [{"grade": "senior", "max_share": 0.25}]}, lambda p: p.quotas[0].max_share,
     Decimal("0.25")),
    ({("publication", "appeal_window_working_days"): 5}, lambda p: p.appeal_window_working_days, 5),
    ({("probation", "months"): 6}, lambda p: p.probation_months, 6),
    ({("quarter_close", "demotion_thresholds"): {"mid": 75, "senior": 90}},
     lambda p: (p.closes[0].threshold("mid"), p.closes[0].threshold("senior")), (Decimal(75), Decimal(90))),
    ({("quarter_close", "consecutive_quarters"): 3}, lambda p: p.closes[0].consecutive_quarters, 3),
    ({("quarter_close", "min_months_worked"): 1}, lambda p: p.closes[0].min_months_worked, 1),
    ({("timezone",): "Europe/Berlin"}, lambda p: p.tz, ZoneInfo("Europe/Berlin")),
], ids=["tenure", "top_percent", "weights", "trim", "pass_mark", "quorum", "quota", "appeal_window",
        "probation", "thresholds", "consecutive_quarters", "months_worked", "timezone"])
def test_policy_numbers_are_read_from_the_file_not_defaults(policy, changes, reported, expected):
    # the changed value differs from the default policy's, so only reading the file can produce it
    assert reported(policy) != expected
    changed = parse_policy(as_yaml(with_changes(changes)), source=SOURCE)
    assert reported(changed) == expected


def test_quota_shapes_read_maximum_and_minimum_shares_with_their_scope():
    """Tobacco's 35/50/15 over the city (a parent unit), seniors at most 15 % of the company."""
    changed = parse_policy(as_yaml(with_changes({("quotas",): [
        {"grade": "junior", "min_share": 0.35, "scope": "parent"},
        {"grade": "mid", "max_share": 0.5, "min_share": 0.2, "scope": "parent"},
        {"grade": "senior", "max_share": 0.15, "scope": "company"}]})), source=SOURCE)
    assert changed.quotas == (Quota("junior", min_share=Decimal("0.35"), scope="parent"),
                              Quota("mid", max_share=Decimal("0.5"), min_share=Decimal("0.2"), scope="parent"),
                              Quota("senior", max_share=Decimal("0.15"), scope="company"))


@pytest.mark.parametrize("quotas", [
    [{"grade": "junior", "min_share": 0.6, "scope": "org_unit"}, {"grade": "mid", "min_share": 0.5,
                                                                  "scope": "company"}],  # each scope apart
    [{"grade": "junior", "min_share": 0.6, "scope": "company"}, {"grade": "mid", "min_share": 0.4,
                                                                 "scope": "company"}],  # exactly 1
    [{"grade": "mid", "min_share": 0.4, "max_share": 0.4}],  # a fixed share
], ids=["per_scope", "adding_up_to_one", "minimum_equals_maximum"])
def test_minimum_shares_up_to_1_per_scope_are_accepted(quotas):
    assert len(parse_policy(as_yaml(with_changes({("quotas",): quotas}))).quotas) == len(quotas)


@pytest.mark.parametrize("share, problem", [(1.5, "must be between 0 and 1"), (-0.1, "must be between 0 and 1"),
                                            ("30%", "must be a number")])
def test_a_share_is_a_number_from_0_to_1(share, problem):
    with pytest.raises(PolicyError) as refused:
        parse_policy(as_yaml(with_changes({("quotas",): [{"grade": "junior", "min_share": share}]})))
    assert (refused.value.key, refused.value.problem) == ("quotas[0].min_share", problem)


def test_a_quota_without_a_scope_counts_the_org_unit(policy):
    assert policy.quotas == (Quota("senior", max_share=Decimal("0.30"), min_share=None, scope="org_unit"),)


# --- a bad policy is refused, naming the key path -------------------------------------------

@pytest.mark.parametrize("document, key, problem", [
    (with_changes({("colour",): "red"}), "colour", "unknown key"),
    (with_changes({("scoring", "bonus"): 5}), "scoring.bonus", "unknown key"),
    (without("committee"), "committee", "is required"),
    (without("scoring", "pass_mark"), "scoring.pass_mark", "is required"),
    (with_changes({("scoring", "weights", "performance"): 0.4}), "scoring.weights",
     "must add up to 1 (they add up to 1.1)"),
    (with_changes({("scoring", "weights", "supervisor"): "0.3"}), "scoring.weights.supervisor", "must be a number"),
    (with_changes({("quotas",): [{"grade": "principal", "max_share": 0.1}]}), "quotas[0].grade",
     "'principal' is not a grade of the ladder"),
    (with_changes({("quotas",): [{"grade": "senior", "max_share": 0.3}, {"grade": "senior", "max_share": 0.2}]}),
     "quotas[1].grade", "a quota for 'senior' is already set"),
    (with_changes({("quotas",): [{"grade": "senior"}]}), "quotas[0]", "needs max_share, min_share or both"),
    (with_changes({("quotas",): [{"grade": "junior", "max_share": 0.4, "min_share": 0.5}]}), "quotas[0].min_share",
     "must not exceed max_share (0.4)"),
    (with_changes({("quotas",): [{"grade": "senior", "max_share": 0.3, "scope": "province"}]}), "quotas[0].scope",
     "unknown scope 'province' (known: org_unit, parent, company)"),
    (with_changes({("quotas",): [{"grade": "junior", "min_share": 0.6, "scope": "company"},
                                 {"grade": "mid", "min_share": 0.5, "scope": "company"}]}), "quotas",
     "the minimum shares over the company scope add up to 1.1, more than 1"),
    (with_changes({("quotas",): [{"grade": "senior", "share": 0.3}]}), "quotas[0].share", "unknown key"),
    (with_changes({("ladder", "grades", 2, "code"): "junior"}), "ladder.grades[2].code",
     "duplicate grade code 'junior'"),
    (with_changes({("ladder", "exited", "code"): "senior"}), "ladder.exited.code", "duplicate grade code 'senior'"),
    (with_changes({("ladder", "grades"): [{"code": "only", "zh": "唯一", "en": "Only"}]}), "ladder.grades",
     "must have at least 2 entries"),
    (with_changes({("timezone",): "Mars/Olympus_Mons"}), "timezone", "unknown time zone 'Mars/Olympus_Mons'"),
    (with_changes({("scoring", "pass_mark"): 101}), "scoring.pass_mark", "must be between 0 and 100"),
    (with_changes({("scoring", "pass_mark"): -1}), "scoring.pass_mark", "must be between 0 and 100"),
    (with_changes({("scoring", "pass_mark"): float("nan")}), "scoring.pass_mark", "number"),
    (with_changes({("ranking", "tie_break"): ["interview_score", "time_in_grade"]}), "ranking.tie_break",
     "must end with employee_no"),
    (with_changes({("ranking", "tie_break"): ["employee_no", "interview_score"]}), "ranking.tie_break",
     "must end with employee_no"),
    (with_changes({("ranking", "tie_break"): ["seniority", "employee_no"]}), "ranking.tie_break[0]",
     "unknown tie-break 'seniority'"),
    (with_changes({("ladder", "entry_grade"): "junior"}), "ladder.entry_grade", "must be the lowest grade"),
    (with_changes({("ladder", "exceptional_steps"): 4}), "ladder.exceptional_steps", "must be between 1 and 3"),
    (with_changes({("eligibility", "targets", "junior"): {"min_months_in_grade": 3, "top_percent": 100}}),
     "eligibility.targets.junior", "'junior' is reached by probation confirmation, not by application"),
    (with_changes({("committee", "quorum"): 0}), "committee.quorum", "must be between 1 and 100"),
    (with_changes({("committee", "quorum"): True}), "committee.quorum", "must be a whole number"),
    (with_changes({("quarter_close", "demotion_thresholds", "principal"): 90}),
     "quarter_close.demotion_thresholds.principal", "unknown key"),
    (with_changes({("quarter_close", "run_after_quarter_end", "at"): "25:00"}),
     "quarter_close.run_after_quarter_end.at", "must be a local time HH:MM"),
    (without("timezone"), "timezone", "is required"),
    (with_changes({("scoring", "decimal_places"): 3}), "scoring.decimal_places", "must be between 0 and 2"),
], ids=["unknown_top_key", "unknown_nested_key", "missing_section", "missing_key", "weights_sum",
        "weight_not_number", "quota_unknown_grade", "quota_twice", "quota_without_share", "quota_min_above_max",
        "quota_unknown_scope", "quota_minimums_above_one", "quota_unknown_key", "duplicate_grade",
        "exited_duplicates_grade", "one_grade_ladder", "bad_timezone", "pass_mark_above_scale",
        "pass_mark_below_scale", "pass_mark_nan",
        "tie_break_without_employee_no", "tie_break_employee_no_not_last", "tie_break_unknown",
        "entry_grade_not_lowest", "exceptional_steps_beyond_top", "target_is_confirmation_grade",
        "quorum_zero", "quorum_boolean", "threshold_unknown_grade", "run_at_not_a_time",
        "timezone_missing", "more_decimals_than_stored"])
def test_policy_error_names_the_key_path(document, key, problem):
    with pytest.raises(PolicyError) as refused:
        parse_policy(as_yaml(document), source=SOURCE)
    assert refused.value.key == key
    assert problem in refused.value.problem
    assert str(refused.value) == f"{SOURCE}: {key}: {refused.value.problem}"


@pytest.mark.parametrize("text, key, problem", [
    ("ladder: [unclosed\n", "(file)", "not valid YAML"),
    ("- a list\n- not a mapping\n", "(top level)", "must be a mapping"),
    ("", "(top level)", "must be a mapping"),
], ids=["malformed_yaml", "list_document", "empty_document"])
def test_policy_error_for_a_document_that_is_not_a_policy(text, key, problem):
    with pytest.raises(PolicyError) as refused:
        parse_policy(text, source=SOURCE)
    assert (refused.value.key, refused.value.source) == (key, SOURCE)
    assert problem in refused.value.problem


def test_json_policy_file_loads(tmp_path):
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(with_changes({("name",): "from-json", ("committee", "quorum"): 7})), "utf-8")
    policy = load_policy(path)
    assert (policy.name, policy.quorum) == ("from-json", 7)


def test_json_policy_file_is_checked_like_yaml(tmp_path):
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(with_changes({("scoring", "pass_mark"): 101})), "utf-8")
    with pytest.raises(PolicyError) as refused:
        load_policy(path)
    assert (refused.value.key, refused.value.source) == ("scoring.pass_mark", str(path))


def test_json_policy_file_must_be_json(tmp_path):
    path = tmp_path / "policy.json"
    path.write_text(DEFAULT_TEXT, "utf-8")
    with pytest.raises(PolicyError) as refused:
        load_policy(path)
    assert (refused.value.key, refused.value.source) == ("(file)", str(path))
    assert "not valid JSON" in refused.value.problem


@pytest.mark.parametrize("name", ["missing.yaml", "."], ids=["missing_file", "directory"])
def test_unreadable_policy_path_is_a_policy_error(tmp_path, name):
    path = tmp_path / name
    with pytest.raises(PolicyError) as refused:
        load_policy(path)
    assert (refused.value.key, refused.value.source) == ("(file)", str(path))
    assert refused.value.problem.startswith("cannot read")


def test_every_broken_section_is_named_at_once():
    """`gradeflow policy check` lists each problem: a broken section does not hide the next one's."""
    document = with_changes({("timezone",): "Mars/Olympus_Mons", ("scoring", "weights", "exam"): 0.1,
                             ("committee", "quorum"): 0, ("bonus",): 1})
    del document["reminders"]
    with pytest.raises(PolicyError) as refused:
        parse_policy(as_yaml(document), source=SOURCE)
    assert [(p.key, p.source) for p in refused.value.problems] == [
        ("bonus", SOURCE), ("timezone", SOURCE), ("scoring.weights", SOURCE), ("committee.quorum", SOURCE),
        ("reminders", SOURCE)]
    assert str(refused.value) == str(refused.value.problems[0])


def test_sections_that_refer_to_a_broken_ladder_are_only_required():
    """The eligibility rules, quotas and quarter close name grades of the ladder: with the ladder broken they are
    not checked against it (which would name every grade again), but a missing one is still named."""
    document = with_changes({("ladder", "grades"): [{"code": "only", "zh": "唯一", "en": "Only"}]})
    del document["quarter_close"]
    with pytest.raises(PolicyError) as refused:
        parse_policy(as_yaml(document))
    assert [(p.key, p.problem) for p in refused.value.problems] == [
        ("ladder.grades", "must have at least 2 entries"), ("quarter_close", "is required")]


def test_the_default_policy_closes_quarters(policy):
    assert policy.closes[0].period == "quarter"


def test_a_policy_may_close_months_instead_of_quarters():
    """The salon and tobacco assess monthly: a month with too little work is one under one month worked."""
    changed = parse_policy(as_yaml(with_changes({("periods",): ["year", "month"],
                                                 ("quarter_close", "period"): "month",
                                                 ("quarter_close", "min_months_worked"): 1})))
    assert (changed.closes[0].period, changed.closes[0].min_months_worked) == ("month", 1)


def test_policy_check_says_which_period_is_closed_and_which_are_only_kept():
    from workflow.policy_summary import describe
    changed = parse_policy(as_yaml(with_changes({("periods",): ["year", "quarter", "month"],
                                                 ("quarter_close", "period"): "month",
                                                 ("quarter_close", "min_months_worked"): 1})))
    lines = describe(changed)
    periods = lines[lines.index("periods:") + 1:lines.index("periods:") + 4]
    assert periods[1] == "  quarter (2026Q3): quarterly scores, recorded and kept (no close acts on them)"
    assert periods[2].startswith("  month (2026M03): monthly scores; closed 1 day(s) after the month at 02:00; "
                                 "fewer than 1 months worked: not evaluated; mid below 80, senior below 85 in 2 "
                                 "consecutive months or a compliance violation opens a demotion")


@pytest.mark.parametrize("changes, key, problem", [
    ({("quarter_close", "period"): "week"}, "quarter_close.period",
     "unknown period 'week' (known: year, half, quarter, month)"),
    ({("periods",): ["year", "quarter", "month"], ("quarter_close", "period"): "month"},
     "quarter_close.min_months_worked", "must be between 0 and 1"),  # the default's 2 months cannot fit a month
    ({("quarter_close", "period"): "half"}, "quarter_close.period",
     "the close reads half records, which periods (year, quarter) does not include"),
], ids=["unknown_kind", "more_months_than_the_period", "unrecorded_kind"])
def test_the_period_closed_must_be_recorded_and_hold_the_months_asked(changes, key, problem):
    with pytest.raises(PolicyError) as refused:
        parse_policy(as_yaml(with_changes(changes)))
    assert refused.value.key == key and problem in refused.value.problem


def test_default_periods_are_year_and_quarter(policy):
    assert policy.periods == ("year", "quarter")


def test_a_policy_without_periods_records_years_and_quarters():
    assert parse_policy(as_yaml(without("periods"))).periods == ("year", "quarter")


def test_a_policy_may_record_half_years_and_months_too():
    """Monthly assessment (tobacco, the salon: seeds), half-year reviews (the kitchen)."""
    policy = parse_policy(as_yaml(with_changes({("periods",): ["month", "quarter", "year", "half"]})))
    assert policy.periods == ("year", "half", "quarter", "month")


@pytest.mark.parametrize("periods, key, problem", [
    (["year", "quarter", "week"], "periods[2]", "unknown period 'week' (known: year, half, quarter, month)"),
    (["year", "quarter", "year"], "periods[2]", "'year' is listed twice"),
    (["quarter", "month"], "periods", "must include 'year': the annual score enters eligibility"),
    (["year", "month"], "quarter_close.period",
     "the close reads quarter records, which periods (year, month) does not include"),
    ([], "periods", "must have at least 1 entries"),
    ("year", "periods", "must be a list"),
], ids=["unknown", "twice", "no_year", "no_quarter_closed", "empty", "not_a_list"])
def test_periods_are_known_kinds_with_the_year_and_the_period_closed(periods, key, problem):
    with pytest.raises(PolicyError) as refused:
        parse_policy(as_yaml(with_changes({("periods",): periods})))
    assert refused.value.key == key and problem in refused.value.problem


@pytest.mark.parametrize("changes, key, problem", [
    ({("eligibility", "targets", "senior", "min_education"): "大专"}, "eligibility.targets.senior.min_education",
     "'大专' is not one of eligibility.education_levels (none)"),
    ({("eligibility", "education_levels"): ["大专", "本科", "大专"]}, "eligibility.education_levels[2]",
     "'大专' is listed twice"),
    ({("eligibility", "targets", "senior", "min_recent_results"): {"period": "month", "count": 3, "min_score": 70}},
     "eligibility.targets.senior.min_recent_results.period", "must be a period the policy records (year, quarter)"),
    ({("eligibility", "targets", "senior", "min_recent_results"): {"period": "quarter", "count": 0, "min_score": 70}},
     "eligibility.targets.senior.min_recent_results.count", "must be between 1 and 24"),
    ({("eligibility", "targets", "senior", "min_recent_results"): {"period": "quarter", "count": 2, "min_score": 170}},
     "eligibility.targets.senior.min_recent_results.min_score", "must be between 0 and 100"),
    ({("eligibility", "targets", "senior", "education_waived_in"): "总行"},
     "eligibility.targets.senior.education_waived_in", "must be a list"),
    ({("eligibility", "targets", "senior", "max_age"): 17}, "eligibility.targets.senior.max_age",
     "must be between 18 and 70"),
    ({("eligibility", "targets", "senior", "max_age"): 71}, "eligibility.targets.senior.max_age",
     "must be between 18 and 70"),
    ({("eligibility", "targets", "senior", "min_exam"): {"exam": "skills", "min_score": 60, "within_months": 0}},
     "eligibility.targets.senior.min_exam.within_months", "must be between 1 and 120"),
    ({("eligibility", "targets", "senior", "min_exam"): {"exam": "skills", "min_score": 60, "within_months": 12,
                                                         "retakes": 2}},
     "eligibility.targets.senior.min_exam.retakes", "unknown key (allowed: exam, min_score, within_months)"),
    ({("eligibility", "education_levels"): ["大专", " "]}, "eligibility.education_levels[1]",
     "must be a non-empty string"),
    ({("eligibility", "targets", "senior", "max_age"): "45岁"}, "eligibility.targets.senior.max_age",
     "must be a whole number"),
    ({("eligibility", "targets", "senior", "certificates"): ["营销师", "营销师"]},
     "eligibility.targets.senior.certificates[1]", "'营销师' is listed twice"),
    ({("eligibility", "targets", "senior", "certificates"): [""]}, "eligibility.targets.senior.certificates[0]",
     "must be a non-empty string"),
    ({("eligibility", "targets", "senior", "min_exam"): {"exam": "技能鉴定", "min_score": 60, "within_months": 12}},
     "eligibility.targets.senior.min_exam.exam", "must be a code of lowercase letters, digits and underscores"),
    ({("eligibility", "targets", "senior", "min_exam"): {"exam": "skills", "min_score": 160, "within_months": 12}},
     "eligibility.targets.senior.min_exam.min_score", "must be between 0 and 100"),
    ({("eligibility", "targets", "senior", "min_exam"): {"exam": "skills", "min_score": 60}},
     "eligibility.targets.senior.min_exam.within_months", "is required"),
], ids=["education_without_levels", "level_twice", "results_of_unrecorded_period", "no_periods",
        "score_off_scale", "waiver_not_a_list", "age_limit_too_low", "age_limit_too_high", "exam_window_zero",
        "exam_unknown_key", "blank_education_level", "age_limit_not_a_number", "certificate_twice",
        "certificate_blank", "exam_not_a_code", "exam_mark_off_scale", "exam_without_window"])
def test_education_and_recent_results_rules_are_checked(changes, key, problem):
    with pytest.raises(PolicyError) as refused:
        parse_policy(as_yaml(with_changes(changes)))
    assert (refused.value.key, refused.value.problem) == (key, problem)


def test_component_pass_marks_load_and_default_to_none(policy):
    changed = parse_policy(as_yaml(with_changes({("scoring", "component_pass_marks"): {"interview": 60,
                                                                                      "performance": 70.5}})))
    assert changed.scoring.component_pass_marks == (("interview", Decimal(60)), ("performance", Decimal("70.5")))
    assert policy.scoring.component_pass_marks == ()


def test_an_exam_component_loads_with_its_weight_and_source():
    from workflow.policy import ExamSource
    changed = parse_policy(as_yaml(with_changes({
        ("scoring", "weights"): {"supervisor": 0.2, "interview": 0.3, "performance": 0.3, "exam": 0.2},
        ("scoring", "exam"): {"exam": "skills_test", "within_months": 12},
        ("scoring", "component_pass_marks"): {"exam": 60}})))
    assert (changed.scoring.exam_weight, changed.scoring.exam) == (Decimal("0.2"), ExamSource("skills_test", 12))
    assert changed.scoring.component_pass_marks == (("exam", Decimal(60)),)


EXAM_WEIGHTS = {"supervisor": 0.2, "interview": 0.3, "performance": 0.3, "exam": 0.2}
BOTH_NEEDED = "an exam component needs both weights.exam above 0 and scoring.exam {exam, within_months}"


@pytest.mark.parametrize("changes, key, problem", [
    ({("scoring", "exam"): {"exam": "skills_test", "within_months": 12}}, "scoring.exam", BOTH_NEEDED),
    ({("scoring", "weights"): EXAM_WEIGHTS}, "scoring.weights.exam", BOTH_NEEDED),
    ({("scoring", "component_pass_marks"): {"exam": 60}}, "scoring.component_pass_marks.exam", "unknown key"),
    ({("scoring", "weights"): EXAM_WEIGHTS, ("scoring", "exam"): {"exam": "技能", "within_months": 12}},
     "scoring.exam.exam", "must be a code of lowercase letters, digits and underscores"),
    ({("scoring", "weights"): EXAM_WEIGHTS, ("scoring", "exam"): {"exam": "skills", "within_months": 0}},
     "scoring.exam.within_months", "must be between 1 and 120"),
    ({("scoring", "weights"): EXAM_WEIGHTS, ("scoring", "exam"): {"exam": "skills", "within_months": 121}},
     "scoring.exam.within_months", "must be between 1 and 120"),
], ids=["source_without_weight", "weight_without_source", "exam_mark_without_exam", "exam_not_a_code",
        "window_zero", "window_over_ten_years"])
def test_an_exam_component_needs_its_weight_and_its_source(changes, key, problem):
    with pytest.raises(PolicyError) as refused:
        parse_policy(as_yaml(with_changes(changes)))
    assert refused.value.key == key and problem in refused.value.problem


@pytest.mark.parametrize("marks, key, problem", [
    ({"exam": 60}, "scoring.component_pass_marks.exam", "unknown key"),
    ({"interview": 160}, "scoring.component_pass_marks.interview", "must be between 0 and 100"),
    ([60], "scoring.component_pass_marks", "must be a mapping"),
], ids=["unknown_component", "off_scale", "not_a_mapping"])
def test_component_pass_marks_name_known_components_on_the_scale(marks, key, problem):
    with pytest.raises(PolicyError) as refused:
        parse_policy(as_yaml(with_changes({("scoring", "component_pass_marks"): marks})))
    assert refused.value.key == key and problem in refused.value.problem


def test_age_limit_and_certificates_load_and_default_to_none():
    policy = parse_policy(as_yaml(with_changes({
        ("eligibility", "targets", "senior", "max_age"): 45,
        ("eligibility", "targets", "senior", "certificates"): ["营销师", "理财规划师"]})))
    senior, mid = policy.eligibility.for_target("senior"), policy.eligibility.for_target("mid")
    assert (senior.max_age, senior.certificates) == (45, ("营销师", "理财规划师"))
    assert (mid.max_age, mid.certificates) == (None, ())
    for limit in (18, 70):
        changed = parse_policy(as_yaml(with_changes({("eligibility", "targets", "senior", "max_age"): limit})))
        assert changed.eligibility.for_target("senior").max_age == limit


def test_an_exam_pass_mark_loads():
    from workflow.policy import ExamRule
    policy = parse_policy(as_yaml(with_changes({("eligibility", "targets", "senior", "min_exam"): {
        "exam": "skills_test", "min_score": 60, "within_months": 12}})))
    assert policy.eligibility.for_target("senior").exam == ExamRule("skills_test", 12, Decimal(60))
    assert policy.eligibility.for_target("mid").exam is None


def test_education_and_recent_results_rules_load():
    policy = parse_policy(as_yaml(with_changes({
        ("eligibility", "education_levels"): ["中专", "大专", "本科"],
        ("eligibility", "targets", "senior", "min_education"): "大专",
        ("eligibility", "targets", "senior", "education_waived_in"): ["总行"],
        ("eligibility", "targets", "senior", "min_recent_results"): {"period": "quarter", "count": 2, "min_score": 75},
    })))
    senior = policy.eligibility.for_target("senior")
    assert (senior.min_education, senior.education_waived_in) == ("大专", ("总行",))
    assert (senior.recent_results.period, senior.recent_results.count, senior.recent_results.min_score) == (
        "quarter", 2, Decimal(75))
    assert policy.eligibility.for_target("mid").min_education is None


# --- the policy's version, recorded on every case (issue 13, point 6, in part) ----------------------------------

def test_the_version_is_a_fingerprint_of_the_rules_not_of_how_they_are_written(tmp_path):
    """Comments, key order and YAML or JSON leave it as it is; any rule changes it."""
    written = parse_policy(DEFAULT_TEXT)
    assert len(written.version) == 12 and written.reference == f"default@{written.version}"
    reordered = dict(reversed(list(default_document().items())))
    assert parse_policy("# a comment\n" + as_yaml(reordered)).version == written.version
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(default_document()), "utf-8")
    assert load_policy(path).version == written.version
    assert parse_policy(as_yaml(with_changes({("committee", "quorum"): 4}))).version != written.version
    assert load_policy("bank-six-level").version != written.version


def test_a_policy_name_is_at_most_64_characters():
    with pytest.raises(PolicyError) as refused:
        parse_policy(as_yaml(with_changes({("name",): "x" * 65})))
    assert refused.value.key == "name" and "at most 64 characters" in refused.value.problem
