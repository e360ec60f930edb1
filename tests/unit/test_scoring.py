"""Scores (shared/domain.md, "Scoring and the decision"): supervisor 0.3 + interview 0.4 +
performance 0.3, the interview mean trimmed of one highest and one lowest score from 5 scores on,
half-up rounding to 2 decimals, pass mark 60."""
from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from workflow.policy import load_policy
from workflow.scoring import ScoreCard, counted_scores, interview_score, round_half_up, score_card, score_problem

POLICY = load_policy().scoring


def D(*values: str) -> list[Decimal]:
    return [Decimal(v) for v in values]


def card(supervisor: str, committee: list[str], performance: str) -> ScoreCard:
    return score_card(POLICY, supervisor=Decimal(supervisor), committee=D(*committee),
                      performance=Decimal(performance))


# --- score_problem ----------------------------------------------------------------------

@pytest.mark.parametrize("value", ["0", "100", "59.99", "60.5", "99.99", "0.01", "75.10"])
def test_scores_on_the_scale_with_two_decimals_are_accepted(value):
    assert score_problem(POLICY, Decimal(value)) is None


@pytest.mark.parametrize("value", ["-0.01", "-1", "100.01", "101", "1000"])
def test_scores_outside_zero_to_hundred_break_score_range(value):
    rule, message = score_problem(POLICY, Decimal(value))
    assert rule == "score_range"
    assert "0" in message and "100" in message


@pytest.mark.parametrize("value", ["59.999", "0.001", "99.995"])
def test_scores_with_more_than_two_decimals_break_score_precision(value):
    rule, message = score_problem(POLICY, Decimal(value))
    assert rule == "score_precision"
    assert "2" in message


def test_range_is_checked_before_precision():
    assert score_problem(POLICY, Decimal("100.001"))[0] == "score_range"


# --- counted_scores / interview_score ---------------------------------------------------

def test_four_scores_are_all_counted_without_trimming():
    assert counted_scores(POLICY, D("90", "10", "50", "70")) == D("10", "50", "70", "90")


def test_five_scores_drop_one_highest_and_one_lowest():
    assert counted_scores(POLICY, D("90", "10", "50", "70", "30")) == D("30", "50", "70")


def test_six_scores_still_drop_only_one_highest_and_one_lowest():
    assert counted_scores(POLICY, D("90", "10", "50", "70", "30", "80")) == D("30", "50", "70", "80")


def test_trimming_drops_only_one_copy_of_a_repeated_extreme():
    assert counted_scores(POLICY, D("90", "50", "90", "50", "70")) == D("50", "70", "90")


def test_interview_score_with_four_scores_is_the_plain_mean():
    assert interview_score(POLICY, D("100", "0", "60", "80")) == Decimal("60.00")


def test_interview_score_with_five_scores_is_the_trimmed_mean():
    # 0 and 100 are dropped: (60 + 70 + 80) / 3
    assert interview_score(POLICY, D("100", "0", "60", "70", "80")) == Decimal("70.00")


def test_interview_score_of_a_single_score_is_that_score():
    assert interview_score(POLICY, D("77.77")) == Decimal("77.77")


def test_interview_mean_ending_in_five_rounds_half_up():
    # (80 + 80 + 80 + 80.02) / 4 = 80.005 → 80.01 (banker's rounding would give 80.00)
    assert interview_score(POLICY, D("80", "80", "80", "80.02")) == Decimal("80.01")


def test_trimmed_interview_mean_ending_in_five_rounds_half_up():
    # six scores: 0 and 100 dropped; (80 + 80 + 80 + 80.02) / 4 = 80.005 → 80.01
    assert interview_score(POLICY, D("0", "80", "80", "80", "80.02", "100")) == Decimal("80.01")


def test_interview_mean_is_rounded_to_two_places():
    # (70 + 70 + 71) / 3 = 70.333… → 70.33; (70 + 71 + 71) / 3 = 70.666… → 70.67
    assert interview_score(POLICY, D("70", "70", "71")) == Decimal("70.33")
    assert interview_score(POLICY, D("70", "71", "71")) == Decimal("70.67")


def test_interview_score_needs_at_least_one_score():
    with pytest.raises(ValueError):
        interview_score(POLICY, [])


def test_round_half_up_rounds_a_trailing_five_away_from_zero():
    assert round_half_up(Decimal("60.045"), 2) == Decimal("60.05")
    assert round_half_up(Decimal("60.044"), 2) == Decimal("60.04")
    assert round_half_up(Decimal("0.125"), 2) == Decimal("0.13")
    assert round_half_up(Decimal("2.5"), 0) == Decimal("3")


# --- score_card -------------------------------------------------------------------------

def test_default_weights_are_supervisor_03_interview_04_performance_03():
    assert (POLICY.supervisor_weight, POLICY.interview_weight, POLICY.performance_weight) == \
        (Decimal("0.3"), Decimal("0.4"), Decimal("0.3"))


@pytest.mark.parametrize("supervisor, committee, performance, final", [
    ("100", ["0"], "0", "30.00"),
    ("0", ["100"], "0", "40.00"),
    ("0", ["0"], "100", "30.00"),
    ("100", ["100"], "100", "100.00"),
    ("80", ["70", "80", "90"], "90", "83.00"),  # 24 + 32 + 27
])
def test_final_score_is_the_weighted_sum(supervisor, committee, performance, final):
    assert card(supervisor, committee, performance).final == Decimal(final)


def test_score_card_keeps_its_parts():
    c = card("80", ["100", "0", "60", "70", "80"], "90")
    assert (c.supervisor, c.interview, c.performance) == (Decimal("80"), Decimal("70.00"), Decimal("90"))
    assert c.final == Decimal("79.00")  # 24 + 28 + 27


def test_only_the_final_score_is_rounded_not_the_interview_mean_within_it():
    # interview (60 + 60 + 61) / 3 = 60.333…, shown as 60.33; the final weighs the exact mean:
    # 0.3 × 43 + 0.4 × 60.333… + 0.3 × 76.54 = 59.9953… → 60.00 (with the shown 60.33 it would be 59.99)
    c = card("43", ["60", "60", "61"], "76.54")
    assert (c.interview, c.final) == (Decimal("60.33"), Decimal("60.00"))
    assert c.failures(POLICY) == ()


def test_final_score_rounds_half_up_to_two_places():
    # 0.3 × 60.15 + 0.4 × 60 + 0.3 × 60 = 60.045 → 60.05 (banker's rounding would give 60.04)
    c = card("60.15", ["60"], "60")
    assert c.final == Decimal("60.05")
    assert c.final.as_tuple().exponent == -2


def test_final_score_has_exactly_two_decimal_places():
    assert str(card("80", ["80"], "80").final) == "80.00"


def test_final_score_of_sixty_passes():
    c = card("60", ["60"], "60")
    assert c.final == Decimal("60.00")
    assert c.failures(POLICY) == ()


def test_final_score_of_59_99_fails():
    # 0.3 × 59.97 + 0.4 × 60 + 0.3 × 59.99 = 59.988 → 59.99
    c = card("59.97", ["60"], "59.99")
    assert c.final == Decimal("59.99")
    assert c.failures(POLICY) == ("below_pass_mark",)


def test_final_score_that_rounds_up_to_sixty_passes():
    # 0.3 × 60.01 + 0.4 × 59.98 + 0.3 × 60 = 59.995 → 60.00
    c = card("60.01", ["59.98"], "60")
    assert c.final == Decimal("60.00")
    assert c.failures(POLICY) == ()


def test_pass_mark_is_sixty():
    assert POLICY.pass_mark == Decimal("60")
    zero = Decimal(0)
    assert ScoreCard(zero, zero, zero, zero, Decimal("60.00")).failures(POLICY) == ()
    assert ScoreCard(zero, zero, zero, zero, Decimal("59.99")).failures(POLICY) == ("below_pass_mark",)


# --- pass marks per component (issue 13, point 3) ---------------------------------------------------------------

MARKED = dataclasses.replace(POLICY, component_pass_marks=(("interview", Decimal(60)), ("performance", Decimal(70))))


def test_without_component_marks_only_the_final_score_decides():
    assert card("100", ["100"], "10").failures(POLICY) == ()  # 30 + 40 + 3 = 73
    assert card("40", ["40"], "40").failures(POLICY) == ("below_pass_mark",)


@pytest.mark.parametrize("supervisor, committee, performance, failures", [
    ("90", ["60"], "70", ()),  # each component at its mark, the final 69 above 60
    ("100", ["59.99"], "90", ("component_below_pass_mark",)),  # the final 80.99 passes, the interview does not
    ("90", ["80"], "69.5", ("component_below_pass_mark",)),
    ("10", ["50"], "50", ("below_pass_mark", "component_below_pass_mark")),
])
def test_a_component_below_its_own_pass_mark_fails_the_card_whatever_the_final(supervisor, committee, performance,
                                                                                failures):
    scored = card(supervisor, committee, performance)
    assert scored.failures(MARKED) == failures


def test_the_interview_is_compared_as_shown_rounded():
    """The mean of 59.99, 60 and 60 is 59.9967, shown as 60.00: it reaches a mark of 60."""
    scored = card("90", ["59.99", "60", "60"], "90")
    assert (scored.interview, scored.below_component_marks(MARKED)) == (Decimal("60.00"), [])


def test_each_component_below_its_mark_is_named_with_its_score_and_mark():
    assert card("100", ["50"], "60").below_component_marks(MARKED) == [
        ("interview", Decimal("50.00"), Decimal(60)), ("performance", Decimal(60), Decimal(70))]


# --- an exam component (issue 13, point 3) ----------------------------------------------------------------------

def test_an_exam_component_weighs_into_the_final_score_and_may_have_its_own_pass_mark():
    """The bank's 20/30/30/20 with a skills test: 0.2 × 90 + 0.3 × 80 + 0.3 × 70 + 0.2 × 55 = 74."""
    from workflow.policy import ExamSource
    weighed = dataclasses.replace(POLICY, supervisor_weight=Decimal("0.2"), interview_weight=Decimal("0.3"),
                                  performance_weight=Decimal("0.3"), exam_weight=Decimal("0.2"),
                                  exam=ExamSource("skills_test", 12), component_pass_marks=(("exam", Decimal(60)),))
    scored = score_card(weighed, supervisor=Decimal(90), committee=D("80"), performance=Decimal(70),
                        exam=Decimal(55))
    assert (scored.final, scored.exam) == (Decimal("74.00"), Decimal(55))
    assert scored.failures(weighed) == ("component_below_pass_mark",)
    with pytest.raises(ValueError):
        score_card(weighed, supervisor=Decimal(90), committee=D("80"), performance=Decimal(70))


def test_without_an_exam_weight_no_exam_enters_the_card():
    assert card("90", ["80"], "70").exam is None


# --- a performance component from period results (issue 13, point 3) ---------------------------------------------

def test_performance_component_mean_enters_the_final_score_exact_and_is_shown_rounded():
    """The mean of 80.02 and 80.01 is 80.015: 0.3 × 90 + 0.4 × 80 + 0.3 × 80.015 = 83.0045 → 83.00 (with the mean
    shown, 80.02, it would be 83.01)."""
    scored = score_card(POLICY, supervisor=Decimal(90), committee=D("80"), performance=Decimal("80.015"))
    assert (scored.performance, scored.final) == (Decimal("80.02"), Decimal("83.00"))


def test_performance_component_source_is_checked_at_load_naming_the_key():
    import yaml

    from tests.support.policies import default_document
    from workflow.policy import PerformanceSource, PolicyError, parse_policy

    def with_source(source, periods=("year", "quarter")):
        document = default_document()
        document["periods"] = list(periods)
        document["scoring"]["performance"] = source
        return parse_policy(yaml.safe_dump(document, allow_unicode=True))

    assert with_source({"period": "quarter", "last": 4}).scoring.performance == PerformanceSource("quarter", 4)
    with pytest.raises(PolicyError, match=r"scoring\.performance\.period: the performance component reads month"):
        with_source({"period": "month", "last": 3})
    with pytest.raises(PolicyError, match=r"scoring\.performance\.last: must be between 1 and 24"):
        with_source({"period": "quarter", "last": 0})
    with pytest.raises(PolicyError, match=r"scoring\.performance\.period: unknown period 'week'"):
        with_source({"period": "week", "last": 1})


def test_performance_component_documented_example_prints_as_the_page_says():
    from tests.support.policies import documented_example
    lines, printed = documented_example("The performance component", "Closing months or half-years")
    start = lines.index(printed[0])
    assert lines[start:start + len(printed)] == printed
