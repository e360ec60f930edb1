"""A period's score made from its parts (issue 13, point 3; seed 004's 月度考核): the policy's period scorecard,
its weights, sub-items, points taken off per finding (扣完为止), an item zeroed after so many findings, the score
rounded half-up; every refusal names the part and the rule; a broken scorecard names its key at load."""
from __future__ import annotations

from decimal import Decimal

import pytest
import yaml

from tests.support.policies import TOBACCO_MONTHLY_SCORECARD as TOBACCO, default_document
from workflow.period_scorecard import (FINDINGS_COUNT, PART_MISSING, PART_PRECISION, PART_RANGE, PART_UNKNOWN,
                                       entry_problems, score_parts)
from workflow.policy import PolicyError, parse_policy


def policy_with(**changes):
    document = default_document()
    document.update(changes)
    return parse_policy(yaml.safe_dump(document, allow_unicode=True))


@pytest.fixture(scope="module")
def card():
    return policy_with(**TOBACCO).period_scorecard


def parts(**values) -> dict[str, Decimal]:
    return {code: Decimal(str(v)) for code, v in values.items()}


def test_period_scorecard_score_is_the_weighted_sum_of_its_parts(card):
    scored = score_parts(card, parts(sales=92.5, conduct=1, groundwork=0, training=2), 2)
    # 0.6 × 92.5 + 0.4 × ((40 − 5) + 40 + (20 − 20))
    assert scored.score == Decimal("85.50")
    assert scored.points == {"sales": Decimal("92.50"), "quality": Decimal("75.00")}


def test_period_scorecard_deductions_stop_at_zero(card):
    scored = score_parts(card, parts(sales=100, conduct=0, groundwork=9, training=5), 2)
    assert scored.points["quality"] == Decimal(40)  # groundwork and training both used up (扣完为止)


def test_period_scorecard_item_scores_zero_from_its_zero_at_findings(card):
    two = score_parts(card, parts(sales=0, conduct=2, groundwork=0, training=0), 2)
    three = score_parts(card, parts(sales=0, conduct=3, groundwork=0, training=0), 2)
    assert (two.points["quality"], three.points["quality"]) == (Decimal(90), Decimal(60))  # 30 + 60, then 0 + 60


def test_period_scorecard_score_is_rounded_half_up():
    card = policy_with(periods=["year", "quarter", "month"], period_scorecard={"periods": ["month"], "parts": [
        {"code": "a", "weight": 0.35, "max": 100}, {"code": "b", "weight": 0.65, "max": 100}]}).period_scorecard
    assert score_parts(card, parts(a=0.01, b=0), 2).score == Decimal("0.00")  # 0.0035
    assert score_parts(card, parts(a=0.03, b=0), 2).score == Decimal("0.01")  # 0.0105
    assert score_parts(card, parts(a=0.1, b=0), 2).score == Decimal("0.04")  # 0.035, half up


def test_period_scorecard_keeps_what_was_entered_and_each_parts_points(card):
    record = score_parts(card, parts(sales=92.5, conduct=1, groundwork=0, training=2), 2).as_record()
    assert record == {"entered": {"sales": "92.50", "conduct": "1", "groundwork": "0", "training": "2"},
                      "points": {"sales": "92.50", "quality": "75.00"}}


def test_period_scorecard_keeps_the_same_values_in_one_form_however_they_were_typed(card):
    typed = [parts(sales="92.5", conduct="1", groundwork="0", training="2"),
             parts(sales="92.50", conduct="1.0", groundwork="0.00", training="2")]
    assert score_parts(card, typed[0], 2).as_record() == score_parts(card, typed[1], 2).as_record()


@pytest.mark.parametrize("entered, field, rule", [
    (dict(conduct=1, groundwork=0, training=0), "parts.sales", PART_MISSING),
    (dict(sales=90, conduct=1, groundwork=0, training=0, bonus=5), "parts.bonus", PART_UNKNOWN),
    (dict(sales=100.01, conduct=0, groundwork=0, training=0), "parts.sales", PART_RANGE),
    (dict(sales=-1, conduct=0, groundwork=0, training=0), "parts.sales", PART_RANGE),
    (dict(sales=90.123, conduct=0, groundwork=0, training=0), "parts.sales", PART_PRECISION),
    (dict(sales=90, conduct=1.5, groundwork=0, training=0), "parts.conduct", FINDINGS_COUNT),
    (dict(sales=90, conduct=-1, groundwork=0, training=0), "parts.conduct", FINDINGS_COUNT),
    (dict(sales=90, conduct=101, groundwork=0, training=0), "parts.conduct", FINDINGS_COUNT),
])
def test_period_scorecard_refuses_parts_naming_the_part_and_the_rule(card, entered, field, rule):
    assert [(p.field, p.rule) for p in entry_problems(card, parts(**entered), 2)] == [(field, rule)]


def test_period_scorecard_names_every_wrong_part_at_once(card):
    problems = entry_problems(card, parts(sales=101, conduct=0.5), 2)
    assert [(p.field, p.rule) for p in problems] == [("parts.sales", PART_RANGE), ("parts.conduct", FINDINGS_COUNT),
                                                    ("parts.groundwork", PART_MISSING),
                                                    ("parts.training", PART_MISSING)]


def test_period_scorecard_part_without_items_is_entered_as_points():
    card = policy_with(periods=["year", "quarter", "month"], period_scorecard={"periods": ["month"], "parts": [
        {"code": "clients", "weight": 0.5, "max": 100},
        {"code": "service", "weight": 0.5, "items": [{"code": "courtesy", "points": 60},
                                                     {"code": "complaints", "points": 40, "deduct": 10}]}]}
    ).period_scorecard
    assert card.entries == ("clients", "courtesy", "complaints")
    assert [(p.field, p.rule) for p in entry_problems(card, parts(clients=50, courtesy=61, complaints=0), 2)] == [
        ("parts.courtesy", PART_RANGE)]
    assert score_parts(card, parts(clients=50, courtesy=45, complaints=1), 2).score == Decimal("62.50")


def broken(card: dict) -> str:
    with pytest.raises(PolicyError) as refused:
        policy_with(periods=["year", "quarter", "month"], period_scorecard=card)
    return str(refused.value)


def test_period_scorecard_is_checked_at_load_naming_the_key():
    assert "period_scorecard.periods[0]: the policy records no half results" in broken(
        {"periods": ["half"], "parts": [{"code": "a", "weight": 1, "max": 100}]})
    assert "period_scorecard.parts: the weights must add up to 1" in broken(
        {"periods": ["month"], "parts": [{"code": "a", "weight": 0.5, "max": 100}]})
    assert "period_scorecard.parts[1].code: 'a' names another part or item" in broken(
        {"periods": ["month"], "parts": [{"code": "a", "weight": 0.5, "max": 100},
                                         {"code": "a", "weight": 0.5, "max": 100}]})
    assert "period_scorecard.parts[0]: needs either max" in broken(
        {"periods": ["month"], "parts": [{"code": "a", "weight": 1, "max": 100, "items": [{"code": "b",
                                                                                       "points": 100}]}]})
    assert "period_scorecard.parts[0].items[0].zero_at: counts findings" in broken(
        {"periods": ["month"], "parts": [{"code": "a", "weight": 1, "items": [{"code": "b", "points": 100,
                                                                                "zero_at": 3}]}]})
    assert "period_scorecard.parts[0].items[0].deduct: must be between 0 and 100" in broken(
        {"periods": ["month"], "parts": [{"code": "a", "weight": 1, "items": [{"code": "b", "points": 100,
                                                                                "deduct": 101}]}]})
    assert "period_scorecard.parts: the score runs from 0 to 200" in broken(
        {"periods": ["month"], "parts": [{"code": "a", "weight": 1, "max": 200}]})


def test_period_scorecard_is_optional_and_the_default_policy_has_none():
    assert policy_with().period_scorecard is None


def test_period_scorecard_documented_example_prints_as_the_page_says():
    from tests.support.policies import documented_example
    lines, printed = documented_example("Scores made of parts", "Points off the final score")
    start = lines.index(printed[0])
    assert lines[start:start + len(printed)] == printed


def test_policy_check_names_each_scorecard_part_by_its_code_and_its_chinese_name():
    """The Chinese name is the import's column header (docs/imports.md): hr checks the two against each other."""
    from pathlib import Path

    from workflow.policy import load_policy
    from workflow.policy_summary import describe
    lines = describe(load_policy(Path(__file__).parents[2] / "workflow/policies/tobacco-monthly-quarterly.yaml"))
    card = lines[next(i for i, line in enumerate(lines) if line.startswith("period scorecard")) + 1:]
    assert card[0] == "  sales 经营业绩 60 %: points 0–100, as entered"
    assert card[1].startswith("  quality 综合素质 40 %: conduct 作风纪律 40 points less 5 per finding")
