"""Points off the final score (issue 13, point 3: a scorecard's deductions; seed 004: 查实一项次有违章违纪行为的,
扣5分): `scoring.deductions`, read from the compliance violations of the manager's recent period records."""
from __future__ import annotations

from decimal import Decimal

import pytest
import yaml

from tests.support.policies import default_document
from workflow.policy import Deduction, PolicyError, parse_policy
from workflow.policy_summary import describe
from workflow.scoring import score_card

VIOLATIONS = {"code": "violations", "label": "违规违纪", "points": 5, "max": 15, "period": "quarter", "last": 4}


def deducting(*deductions, **more):
    document = default_document()
    document["scoring"]["deductions"] = list(deductions)
    document.update(more)
    return parse_policy(yaml.safe_dump(document, allow_unicode=True))


def problems(*deductions, **more) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        deducting(*deductions, **more)
    return [f"{p.key}: {p.problem}" for p in caught.value.problems]


DEDUCTING = deducting(VIOLATIONS)


def test_deductions_are_read_with_their_points_cap_and_periods():
    assert DEDUCTING.scoring.deductions == (
        Deduction("violations", "违规违纪", Decimal(5), "quarter", 4, Decimal(15)),)
    assert deducting().scoring.deductions == ()


def test_each_violation_takes_its_points_off_up_to_the_cap():
    deduction = DEDUCTING.scoring.deductions[0]
    assert [deduction.off(n) for n in (0, 1, 3, 4)] == [0, 5, 15, 15]


def test_the_deductions_come_off_the_weighted_score_before_it_is_rounded():
    card = score_card(DEDUCTING.scoring, supervisor=Decimal(80), committee=[Decimal(70)] * 3,
                      performance=Decimal("90.5"), violations={"violations": 2})
    assert (card.final, card.deductions) == (Decimal("69.15"), (("violations", Decimal(10)),))  # 24+28+27.15-10


def test_the_deductions_never_bring_the_final_score_below_the_scales_minimum():
    card = score_card(DEDUCTING.scoring, supervisor=Decimal(5), committee=[Decimal(5)] * 3, performance=Decimal(5),
                      violations={"violations": 4})
    assert card.final == 0


def test_a_card_needs_the_count_of_each_deduction():
    with pytest.raises(ValueError):
        score_card(DEDUCTING.scoring, supervisor=Decimal(80), committee=[Decimal(70)] * 3, performance=Decimal(90))


@pytest.mark.parametrize("change, expected", [
    ({"period": "month"}, "scoring.deductions[0].period: the deduction reads month records, which periods (year, "
                          "quarter) does not include"),
    ({"period": "week"}, "scoring.deductions[0].period: unknown period 'week' (known: year, half, quarter, month)"),
    ({"points": 0}, "scoring.deductions[0].points: must be between 0.01 and 100"),
    ({"max": 4}, "scoring.deductions[0].max: must be between 5 and 100"),
    ({"last": 0}, "scoring.deductions[0].last: must be between 1 and 24"),
    ({"weight": 1}, "scoring.deductions[0].weight: unknown key (allowed: code, label, last, max, period, points)"),
])
def test_a_bad_deduction_is_named_with_its_key_and_the_problem(change, expected):
    assert problems(VIOLATIONS | change) == [expected]


def test_a_deduction_is_declared_once():
    assert problems(VIOLATIONS, VIOLATIONS) == ["scoring.deductions[1].code: 'violations' is declared twice"]


def test_policy_check_prints_the_deductions_in_the_scorecard():
    assert ("  minus violations 违规违纪: 5 points for each of the last 4 quarters ended with a compliance violation, "
            "at most 15") in describe(DEDUCTING)


def test_deductions_documented_example_prints_as_the_page_says():
    from tests.support.policies import documented_example
    lines, printed = documented_example("Points off the final score", "A supervisor's score by item")
    assert printed and all(line in lines for line in printed)
