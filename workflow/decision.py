"""The committee's decision over a whole cycle (结果汇总计算, 按照晋升名额确定晋升人员名单).

Candidates are ranked per target grade and org unit by final score, ties broken in the policy's
order; those below the pass mark are denied, and for a grade with a quota the passing candidates
beyond the free slots are denied too.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from workflow.case_machine import APPROVED, DENIED
from workflow.policy import Policy
from workflow.scoring import ScoreCard

BELOW_PASS_MARK = "below_pass_mark"
QUOTA_EXCEEDED = "quota_exceeded"


@dataclass(frozen=True)
class Candidate:
    case_id: int
    employee_no: str
    org_unit: str
    target_grade: str
    grade_since: date
    card: ScoreCard


@dataclass(frozen=True)
class Outcome:
    case_id: int
    outcome: str
    rank: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Headcount:
    """An org unit's active managers and how many hold (or are already promoted to) the capped grade."""
    active: int
    holding: int


def free_slots(max_share: Decimal, headcount: Headcount) -> int:
    """slots = floor(share × active managers) − those already holding the grade (never below 0)."""
    return max(math.floor(max_share * headcount.active) - headcount.holding, 0)


def employee_number_order(employee_no: str) -> tuple:
    """Employee numbers compared as numbers where they hold digits: M999 before M1001."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"(\d+)", employee_no) if part)


def _sort_key(tie_break: Sequence[str]) -> Callable[[Candidate], tuple]:
    def key(c: Candidate) -> tuple:
        parts: list = [-c.card.final]
        for name in tie_break:
            if name == "interview_score":
                parts.append(-c.card.interview_mean)
            elif name == "time_in_grade":  # longer in the grade first: the earlier date
                parts.append(c.grade_since)
            else:  # employee_no: the lower number first
                parts.append(employee_number_order(c.employee_no))
        return tuple(parts)
    return key


def decide(policy: Policy, candidates: Sequence[Candidate],
           headcount: Callable[[str, str], Headcount]) -> list[Outcome]:
    """Outcomes for all candidates; `headcount(org_unit, grade)` is asked once per capped group."""
    groups: dict[tuple[str, str], list[Candidate]] = {}
    for c in candidates:
        groups.setdefault((c.target_grade, c.org_unit), []).append(c)
    outcomes = []
    for (grade, org_unit), group in sorted(groups.items()):
        ranked = sorted(group, key=_sort_key(policy.tie_break))
        quota = policy.quota_for(grade)
        slots = free_slots(quota.max_share, headcount(org_unit, grade)) if quota else None
        for rank, c in enumerate(ranked, start=1):
            if not c.card.passes(policy.scoring):
                outcomes.append(Outcome(c.case_id, DENIED, rank, (BELOW_PASS_MARK,)))
            elif slots is not None and slots <= 0:
                outcomes.append(Outcome(c.case_id, DENIED, rank, (QUOTA_EXCEEDED,)))
            else:
                if slots is not None:
                    slots -= 1
                outcomes.append(Outcome(c.case_id, APPROVED, rank, ()))
    return outcomes
