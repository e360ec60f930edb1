"""What a cycle's report counts (issue 16): the funnel of its cases, and the grade distribution of the org units
against the quotas. Pure: it reads case and manager objects already loaded.

The funnel, each step a subset of the one before:
    applied      every case of the cycle
    eligible     its materials passed the supervisor's review (审核通过): reviewed, and not rejected
    passed       decided, and either approved or denied only for a quota (it met the pass marks)
    promoted     approved
and beside it:
    appealed     the applicant appealed the published decision (申诉)
    overturned   hr overturned it on appeal
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from workflow.case_machine import APPEALED, APPROVED, DECIDED, PUBLISHED, REJECTED
from workflow.quotas import REASONS as QUOTA_REASONS, UNIT_SEPARATOR, Area, Quota, area_of

FUNNEL = ("applied", "eligible", "passed", "promoted", "appealed", "overturned")
OVERTURNED = "overturned"  # models.cases.Appeal's status
_APPROVED_NOT_YET_EFFECTIVE = (DECIDED, PUBLISHED, APPEALED)


def steps_of(case) -> tuple[str, ...]:
    """The funnel's steps the case has reached."""
    steps = ["applied"]
    if case.reviewed_by is not None and case.state != REJECTED:
        steps.append("eligible")
        if case.outcome is not None and all(reason in QUOTA_REASONS for reason in case.reasons or ()):
            steps.append("passed")
            if case.outcome == APPROVED:
                steps.append("promoted")
    if case.appeal is not None:
        steps.append("appealed")
        if case.appeal.status == OVERTURNED:
            steps.append(OVERTURNED)
    return tuple(steps)


@dataclass
class Funnel:
    org_unit: str | None  # None: the whole cycle
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FUNNEL, 0))

    def add(self, case) -> None:
        for step in steps_of(case):
            self.counts[step] += 1


def funnels(cases: Iterable, org_unit_of) -> tuple[Funnel, list[Funnel]]:
    """The cycle's funnel and one per org unit (by name), `org_unit_of(case)` saying whose a case is."""
    total, by_unit = Funnel(None), {}
    for case in cases:
        total.add(case)
        unit = org_unit_of(case)
        by_unit.setdefault(unit, Funnel(unit)).add(case)
    return total, [by_unit[unit] for unit in sorted(by_unit)]


@dataclass(frozen=True)
class Distribution:
    """An org unit's active managers by grade (every grade of the ladder, in its order)."""
    org_unit: str
    active: int
    by_grade: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class QuotaUse:
    """A quota in one area: the active managers there, those holding the grade, those approved into it (or out of
    it) and not yet effective, and the most (the fewest) the quota allows."""
    quota: Quota
    area: Area
    active: int
    holding: int
    arriving: int
    leaving: int

    @property
    def most(self) -> int | None:
        return None if self.quota.max_share is None else math.floor(self.quota.max_share * self.active)

    @property
    def fewest(self) -> int | None:
        return None if self.quota.min_share is None else math.ceil(self.quota.min_share * self.active)

    @property
    def share(self) -> Decimal | None:
        """The grade's share of the area's active managers, with the approvals not yet effective."""
        if not self.active:
            return None
        return Decimal(self.holding + self.arriving - self.leaving) / self.active

    @property
    def over(self) -> bool:
        """Beyond a limit: more than the most allowed, or fewer than the fewest."""
        after = self.holding + self.arriving - self.leaving
        return (self.most is not None and after > self.most) or (self.fewest is not None and after < self.fewest)


def distributions(managers: Sequence, grades: Sequence[str], is_exited) -> list[Distribution]:
    """Each org unit's active managers by grade, by org unit name."""
    units: dict[str, dict[str, int]] = {}
    for m in managers:
        if not is_exited(m.grade):
            units.setdefault(m.org_unit, dict.fromkeys(grades, 0))[m.grade] += 1
    return [Distribution(unit, sum(counts.values()), tuple(counts.items())) for unit, counts in sorted(units.items())]


def quota_uses(quotas: Sequence[Quota], managers: Sequence, approved: Sequence, is_exited,
               org_units: Iterable[str]) -> list[QuotaUse]:
    """Each quota in each area that one of `org_units` lies in (the quota's scope: the unit, its parent, the
    company); `approved`: the approved cases not yet effective (from_grade, target_grade, manager's org unit)."""
    uses = []
    for quota in quotas:
        for area in sorted({area_of(quota.scope, unit) for unit in org_units}):
            inside = [m for m in managers if _in(area, m.org_unit) and not is_exited(m.grade)]
            moving = [c for c in approved if _in(area, c.manager.org_unit) and c.state in _APPROVED_NOT_YET_EFFECTIVE]
            uses.append(QuotaUse(quota, area, len(inside), sum(m.grade == quota.grade for m in inside),
                                 sum(c.target_grade == quota.grade for c in moving),
                                 sum(c.from_grade == quota.grade and c.target_grade != quota.grade for c in moving)))
    return uses


def _in(area: Area, org_unit: str) -> bool:
    if not area.below:
        return org_unit == area.unit
    return area.is_company or org_unit == area.unit or org_unit.startswith(area.unit + UNIT_SEPARATOR)
