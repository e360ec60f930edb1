"""The supervisor's score made of items (issue 13, point 3: a case's score with sub-items of its own; 上级评价 by
item): `scoring.supervisor_items`, each scored from 0 to its points, the score their sum."""
from __future__ import annotations

from decimal import Decimal

import pytest
import yaml

from tests.support.policies import default_document
from workflow.policy import PolicyError, SupervisorItem, parse_policy
from workflow.policy_summary import describe
from workflow.supervisor_items import (ITEM_MISSING, ITEM_PRECISION, ITEM_RANGE, ITEM_UNKNOWN, item_problems,
                                       supervisor_total)

ITEMS = [{"code": "performance", "label": "工作业绩", "points": 40},
         {"code": "ability", "label": "工作能力", "points": 40},
         {"code": "attitude", "label": "工作态度", "points": 20}]


def with_items(items, scale=None):
    document = default_document()
    document["scoring"]["supervisor_items"] = items
    if scale is not None:
        document["scoring"]["scale"] = scale
    return parse_policy(yaml.safe_dump(document, allow_unicode=True))


def problems(items, scale=None) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        with_items(items, scale)
    return [f"{p.key}: {p.problem}" for p in caught.value.problems]


SCORED = with_items(ITEMS).scoring.supervisor_items


def test_supervisor_items_are_read_with_their_labels_and_points():
    assert SCORED == (SupervisorItem("performance", "工作业绩", Decimal(40)),
                      SupervisorItem("ability", "工作能力", Decimal(40)), SupervisorItem("attitude", "工作态度", Decimal(20)))
    assert with_items([]).scoring.supervisor_items == ()
    assert with_items([{"code": "all", "points": 100}]).scoring.supervisor_items[0].label == "all"


def test_the_supervisor_score_is_the_sum_of_the_items():
    score, kept = supervisor_total(SCORED, {"performance": Decimal(35), "ability": Decimal("32.5"),
                                            "attitude": Decimal(18)}, 2)
    assert score == Decimal("85.5")
    assert kept == {"performance": "35.00", "ability": "32.50", "attitude": "18.00"}
    assert list(kept) == ["performance", "ability", "attitude"]  # the policy's order, whatever was sent


def test_each_item_is_scored_from_zero_to_its_points():
    assert item_problems(SCORED, {"performance": Decimal(40), "ability": Decimal(0), "attitude": Decimal(20)}, 2) == []
    found = item_problems(SCORED, {"performance": Decimal("40.01"), "ability": Decimal(-1),
                                   "attitude": Decimal("Infinity")}, 2)
    assert [(p.field, p.rule) for p in found] == [("supervisor_items.performance", ITEM_RANGE),
                                                  ("supervisor_items.ability", ITEM_RANGE),
                                                  ("supervisor_items.attitude", ITEM_RANGE)]


def test_every_item_is_scored_and_no_other():
    found = item_problems(SCORED, {"performance": Decimal(30), "bonus": Decimal(5)}, 2)
    assert sorted((p.field, p.rule) for p in found) == [
        ("supervisor_items.ability", ITEM_MISSING), ("supervisor_items.attitude", ITEM_MISSING),
        ("supervisor_items.bonus", ITEM_UNKNOWN)]


def test_an_item_has_the_scorings_decimal_places():
    found = item_problems(SCORED, {"performance": Decimal("30.5"), "ability": Decimal(30), "attitude": Decimal(15)}, 0)
    assert [(p.field, p.rule) for p in found] == [("supervisor_items.performance", ITEM_PRECISION)]


def test_the_items_points_must_add_up_to_the_scale():
    assert problems(ITEMS[:2]) == [
        "scoring.supervisor_items: the items' points must add up to the scale's maximum, 100: their sum is the "
        "supervisor score (they add up to 80)"]


def test_an_items_points_can_be_scored_in_full():
    thirds = [{"code": "a", "points": 33.33}, {"code": "b", "points": 33.33}, {"code": "c", "points": 33.34}]
    assert with_items(thirds).scoring.supervisor_items[2].points == Decimal("33.34")
    document_places = {"code": "a", "points": 33.5}, {"code": "b", "points": 66.5}
    with pytest.raises(PolicyError) as caught:
        document = default_document()
        document["scoring"].update(supervisor_items=list(document_places), decimal_places=0)
        parse_policy(yaml.safe_dump(document))
    assert [f"{p.key}: {p.problem}" for p in caught.value.problems] == [
        "scoring.supervisor_items[0].points: at most 0 decimal places, as every score (scoring.decimal_places)"]


def test_a_negative_zero_is_kept_as_zero():
    _score, kept = supervisor_total(SCORED, {"performance": Decimal("-0"), "ability": Decimal(30),
                                             "attitude": Decimal(15)}, 2)
    assert kept["performance"] == "0.00"


def test_the_items_need_a_scale_from_zero():
    assert problems(ITEMS, scale={"min": 10, "max": 100}) == [
        "scoring.supervisor_items: items are scored from 0, so the score scale must start at 0 (it starts at 10)"]


def test_an_item_is_declared_once_and_fully():
    assert problems([*ITEMS, {"code": "ability", "points": 0}]) == [
        "scoring.supervisor_items[3].code: 'ability' is declared twice"]
    assert problems([{"code": "all", "points": 100, "weight": 1}]) == [
        "scoring.supervisor_items[0].weight: unknown key (allowed: code, label, points)"]
    assert problems([{"code": "all"}]) == ["scoring.supervisor_items[0].points: is required"]


def test_policy_check_prints_the_supervisor_items():
    assert ("  supervisor score = the sum of its items, each scored from 0: performance 工作业绩 40; ability 工作能力 "
            "40; attitude 工作态度 20") in describe(with_items(ITEMS))


def test_supervisor_items_documented_example_prints_as_the_page_says():
    from tests.support.policies import documented_example
    lines, printed = documented_example("A supervisor's score by item", "Quotas")
    assert printed and all(line in lines for line in printed)
