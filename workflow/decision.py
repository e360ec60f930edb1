"""The committee's decision over a whole cycle (结果汇总计算, 按照晋升名额确定晋升人员名单).

Candidates are ranked per target grade and area (the org unit, or the area of the grade's quota) by
final score, ties broken in the policy's order; those below the pass mark are denied, and passing
candidates a quota has no place for (workflow/quotas.py) are denied too.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from workflow.case_machine import APPROVED, DENIED
from workflow.policy import Policy
from workflow.quotas import Area, Headcount, QuotaLedger
from workflow.scoring import ScoreCard


@dataclass(frozen=True)
class Candidate:
    case_id: int
    employee_no: str
    org_unit: str
    from_grade: str
    target_grade: str
    grade_since: date
    card: ScoreCard


@dataclass(frozen=True)
class Outcome:
    case_id: int
    outcome: str
    rank: int
    reasons: tuple[str, ...]


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
           headcount: Callable[[Area, str], Headcount]) -> list[Outcome]:
    """Outcomes for all candidates, group by group in the order of (target grade, area); a quota shared by
    several groups (a minimum share of the grade they leave) gives its places in that order.
    `headcount(area, grade)` is asked once per limited (grade, area)."""
    ledger = QuotaLedger(policy.quotas, headcount)
    groups: dict[tuple[str, Area], list[Candidate]] = {}
    for c in candidates:
        groups.setdefault((c.target_grade, ledger.ranking_area(c.target_grade, c.org_unit)), []).append(c)
    ledger.count_first((c.from_grade, c.target_grade, c.org_unit) for c in candidates
                       if not c.card.failures(policy.scoring))
    outcomes = []
    for _group, members in sorted(groups.items()):
        for rank, c in enumerate(sorted(members, key=_sort_key(policy.tie_break)), start=1):
            if failures := c.card.failures(policy.scoring):
                outcomes.append(Outcome(c.case_id, DENIED, rank, failures))
            elif refusal := ledger.refusal(c.from_grade, c.target_grade, c.org_unit):
                outcomes.append(Outcome(c.case_id, DENIED, rank, (refusal.reason,)))
            else:
                ledger.take(c.from_grade, c.target_grade, c.org_unit)
                outcomes.append(Outcome(c.case_id, APPROVED, rank, ()))
    return outcomes
