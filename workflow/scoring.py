"""Scores: 上级评价 + 案例分析演讲 + 年度绩效, weighted, rounded half-up (seed 002)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from workflow.policy import ScoringPolicy

BELOW_PASS_MARK = "below_pass_mark"  # the final score is below the pass mark
COMPONENT_BELOW_PASS_MARK = "component_below_pass_mark"  # a component is below its own pass mark


def round_half_up(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def score_problem(policy: ScoringPolicy, value: Decimal) -> tuple[str, str] | None:
    """(rule, message) when `value` is not a score on the policy's scale, else None."""
    return points_problem(value, policy.scale.min, policy.scale.max, policy.decimal_places)


def points_problem(value: Decimal, lo: Decimal, hi: Decimal, places: int,
                   range_rule: str = "score_range") -> tuple[str, str] | None:
    """(rule, message) when `value` is not a number from `lo` to `hi` with at most `places` decimal places (a
    score, a part of one, an item), else None."""
    if not value.is_finite() or not lo <= value <= hi:
        return range_rule, f"must be between {lo} and {hi}"
    if value != value.quantize(Decimal(1).scaleb(-places)):
        return "score_precision", f"at most {places} decimal places"
    return None


def counted_scores(policy: ScoringPolicy, scores: Sequence[Decimal]) -> list[Decimal]:
    """The committee scores that count: with enough of them, the highest and lowest are dropped
    first (去掉一个最高分和一个最低分)."""
    ordered = sorted(scores)
    if len(ordered) < policy.trim_min_scores:
        return ordered
    return ordered[policy.trim_drop_lowest: len(ordered) - policy.trim_drop_highest]


def interview_mean(policy: ScoringPolicy, scores: Sequence[Decimal]) -> Decimal:
    """The exact (trimmed) mean of the committee members' scores."""
    counted = counted_scores(policy, scores)
    if not counted:
        raise ValueError("an interview score needs at least one committee score")
    return sum(counted, Decimal(0)) / len(counted)


def interview_score(policy: ScoringPolicy, scores: Sequence[Decimal]) -> Decimal:
    """The interview score as shown: the (trimmed) mean, rounded half-up."""
    return round_half_up(interview_mean(policy, scores), policy.decimal_places)


@dataclass(frozen=True)
class ScoreCard:
    supervisor: Decimal
    interview: Decimal | None  # as shown, rounded; None under a policy without the interview
    interview_mean: Decimal | None  # exact: it enters the final score and breaks ties
    performance: Decimal  # as shown, rounded (a mean of period results may have more places)
    final: Decimal
    exam: Decimal | None = None  # where the policy weighs an exam
    stages: tuple[tuple[str, Decimal], ...] = ()  # (stage code, its score) of the stages the policy weighs
    deductions: tuple[tuple[str, Decimal], ...] = ()  # (code, points taken off) of each of the policy's deductions

    def below_component_marks(self, policy: ScoringPolicy) -> list[tuple[str, Decimal, Decimal]]:
        """(component, score, its pass mark) of each component below its own mark; the interview as shown."""
        scores = {"supervisor": self.supervisor, "interview": self.interview, "performance": self.performance,
                  "exam": self.exam}
        return [(name, scores[name], mark) for name, mark in policy.component_pass_marks if scores[name] < mark]

    def failures(self, policy: ScoringPolicy) -> tuple[str, ...]:
        """Why the card fails the policy's pass marks (BELOW_PASS_MARK, COMPONENT_BELOW_PASS_MARK); () if it passes."""
        return ((BELOW_PASS_MARK,) if self.final < policy.pass_mark else ()) + (
            (COMPONENT_BELOW_PASS_MARK,) if self.below_component_marks(policy) else ())


def score_card(policy: ScoringPolicy, *, supervisor: Decimal, committee: Sequence[Decimal] | None,
               performance: Decimal, exam: Decimal | None = None,
               stages: Mapping[str, Decimal] | None = None,
               violations: Mapping[str, int] | None = None) -> ScoreCard:
    """Only the final weighted sum is rounded (domain.md), so the exact interview mean, and the exact mean of the
    period results where the policy's performance component is one, are weighted. `committee`: None where the
    policy has no interview (its weight is 0 then). `exam`: the exam component where the policy weighs one
    (required then). `stages`: the scores of the promotion's own stages, each that the policy weighs required.
    `violations`: for each of the policy's deductions, the number of periods it found a violation in; the points
    they take off the weighted sum never bring it below the scale's minimum."""
    mean = interview_mean(policy, committee) if committee is not None else None
    final = policy.supervisor_weight * supervisor + policy.performance_weight * performance
    if mean is not None:
        final += policy.interview_weight * mean
    if policy.exam_weight:
        if exam is None:
            raise ValueError("the policy weighs an exam: its score is needed")
        final += policy.exam_weight * exam
    weighed_stages = []
    for code, weight in policy.stage_weights:
        if stages is None or code not in stages:
            raise ValueError(f"the policy weighs the stage {code}: its score is needed")
        final += weight * stages[code]
        weighed_stages.append((code, stages[code]))
    taken = []
    for deduction in policy.deductions:
        if violations is None or deduction.code not in violations:
            raise ValueError(f"the policy deducts {deduction.code}: its count of violations is needed")
        taken.append((deduction.code, deduction.off(violations[deduction.code])))
    final = max(policy.scale.min, final - sum((points for _code, points in taken), Decimal(0)))
    return ScoreCard(supervisor=supervisor,
                     interview=round_half_up(mean, policy.decimal_places) if mean is not None else None,
                     interview_mean=mean, performance=round_half_up(performance, policy.decimal_places),
                     final=round_half_up(final, policy.decimal_places),
                     exam=exam if policy.exam_weight else None, stages=tuple(weighed_stages),
                     deductions=tuple(taken))
