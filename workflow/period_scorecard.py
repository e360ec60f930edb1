"""A period's score made from its parts (月度考核, seed 004): 60 % of the month's sales targets met and 40 % of
conduct, groundwork and training, each out of its points, with points taken off per finding. HR enters the
parts; the score is their weighted sum, rounded half-up like every final score, and the parts stay on
record with it, so that a result can be explained part by part."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from workflow.errors import FieldError, quoted
from workflow.policy import PeriodScorecard
from workflow.scoring import points_problem, round_half_up

PART_MISSING = "scorecard_part_missing"
PART_UNKNOWN = "scorecard_part_unknown"
PART_RANGE = "part_range"
FINDINGS_COUNT = "findings_count"
PART_PRECISION = "score_precision"
MAX_FINDINGS = 100


@dataclass(frozen=True)
class ScoredParts:
    score: Decimal
    entered: dict[str, Decimal]  # by code: points (to the scoring's places), or a whole number of findings
    points: dict[str, Decimal]  # each part's points, before its weight (to the scoring's places)

    def as_record(self) -> dict:
        """The parts as a record keeps them (JSON: decimals as text)."""
        return {"entered": {code: str(v) for code, v in self.entered.items()},
                "points": {code: str(v) for code, v in self.points.items()}}


def entry_problems(card: PeriodScorecard, entered: Mapping[str, Decimal], places: int) -> list[FieldError]:
    """What is wrong with the parts HR entered, each naming its field (`parts.<code>`) and the rule."""
    problems = [FieldError(f"parts.{code}", PART_UNKNOWN, f"the scorecard has no part {quoted(code)} (it has: "
                           f"{', '.join(card.entries)})") for code in entered if code not in card.entries]
    for part in card.parts:
        for code, top, deduct in ([(i.code, i.points, i.deduct) for i in part.items]
                                  or [(part.code, part.max, None)]):
            field = f"parts.{code}"
            if code not in entered:
                problems.append(FieldError(field, PART_MISSING, "every part of the scorecard must be entered"))
                continue
            value = entered[code]
            if deduct is not None:
                if not value.is_finite() or value != value.to_integral_value() or not 0 <= value <= MAX_FINDINGS:
                    problems.append(FieldError(field, FINDINGS_COUNT, f"the number of findings: a whole number "
                                                                      f"from 0 to {MAX_FINDINGS}"))
            elif (problem := points_problem(value, Decimal(0), top, places, PART_RANGE)) is not None:
                problems.append(FieldError(field, *problem))
    return problems


def score_parts(card: PeriodScorecard, entered: Mapping[str, Decimal], places: int) -> ScoredParts:
    """The score of parts that `entry_problems` found nothing wrong with. What was entered is kept in one form
    (1.0 findings is 1, 92.5 points is 92.50 with two places), so that the same values again are the same record."""
    exact = Decimal(1).scaleb(-places)
    counted = {item.code for part in card.parts for item in part.items if item.deduct is not None}
    kept = {code: Decimal(int(entered[code])) if code in counted else entered[code].quantize(exact)
            for code in card.entries}
    points: dict[str, Decimal] = {}
    for part in card.parts:
        if part.items:
            points[part.code] = sum((item.points_for(kept[item.code]) for item in part.items), Decimal(0))
        else:
            points[part.code] = kept[part.code]
    total = sum((part.weight * points[part.code] for part in card.parts), Decimal(0))
    return ScoredParts(score=round_half_up(total, places), entered=kept,
                       points={code: value.quantize(exact) for code, value in points.items()})
