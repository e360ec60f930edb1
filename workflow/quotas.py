"""Quotas (晋升名额, 建议比例): the share of a grade among the active managers of an area.

A maximum share caps promotions into its grade: after them at most floor(share × active) may hold it, counting
those approved for it and not yet effective. A minimum share caps promotions out of its grade: at least
ceil(share × active) must still hold it, counting those approved to leave it as gone. A promotion approved and
not yet effective counts only where it tightens a limit, so that every limit holds until it takes effect.

The area is the manager's org unit, its parent unit, or the whole company. Org units are written as paths from
the top (衢州市/柯城区 lies in 衢州市); a parent area counts the parent unit and every unit below it, and a unit
at the top has the company as its parent.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

ORG_UNIT, PARENT, COMPANY = "org_unit", "parent", "company"
SCOPES = (ORG_UNIT, PARENT, COMPANY)
UNIT_SEPARATOR = "/"

QUOTA_EXCEEDED = "quota_exceeded"  # the grade aimed at is full
MINIMUM_SHARE_REACHED = "minimum_share_reached"  # the grade left would fall below its minimum share
REASONS = (QUOTA_EXCEEDED, MINIMUM_SHARE_REACHED)  # why a passing candidate is denied for a quota


@dataclass(frozen=True)
class Quota:
    grade: str
    max_share: Decimal | None = None
    min_share: Decimal | None = None
    scope: str = ORG_UNIT


@dataclass(frozen=True, order=True)
class Area:
    """Where a quota counts: one org unit, or (`below`) a unit and every unit under it; the company is the
    empty unit with everything below it."""
    unit: str
    below: bool = False

    @property
    def is_company(self) -> bool:
        return self.below and not self.unit

    def __str__(self) -> str:
        if self.is_company:
            return "the company"
        return f"{self.unit} and its units" if self.below else self.unit


COMPANY_AREA = Area("", below=True)


def area_of(scope: str, org_unit: str) -> Area:
    if scope == ORG_UNIT:
        return Area(org_unit)
    if scope == PARENT:
        parent, separator, _unit = org_unit.rpartition(UNIT_SEPARATOR)
        return Area(parent, below=True) if separator else COMPANY_AREA
    return COMPANY_AREA


def ranking_area(quota: Quota | None, org_unit: str) -> Area:
    """Candidates for a grade are ranked against the others of its quota's area (their org unit without one)."""
    return area_of(quota.scope if quota else ORG_UNIT, org_unit)


@dataclass(frozen=True)
class Headcount:
    """An area's active managers; of them, those holding a grade; and the approved cases not yet effective that move
    a manager into it (`arriving`) or out of it (`leaving`): promotions, and demotions and exits as well."""
    active: int
    holding: int
    arriving: int = 0
    leaving: int = 0


def free_slots(max_share: Decimal, headcount: Headcount) -> int:
    """Promotions into the grade still allowed: floor(share × active) − holding − arriving (never below 0)."""
    return max(math.floor(max_share * headcount.active) - headcount.holding - headcount.arriving, 0)


def free_departures(min_share: Decimal, headcount: Headcount) -> int:
    """Promotions out of the grade still allowed: holding − leaving − ceil(share × active) (never below 0)."""
    return max(headcount.holding - headcount.leaving - math.ceil(min_share * headcount.active), 0)


@dataclass(frozen=True)
class Refusal:
    """Why a promotion does not fit a quota, with the counts that say so."""
    reason: str
    quota: Quota
    area: Area
    headcount: Headcount

    @property
    def holding(self) -> int:
        """Those counted in the grade: with the promotions into it (a full grade), or without those out of it (a
        grade at its minimum)."""
        hc = self.headcount
        return hc.holding + hc.arriving if self.reason == QUOTA_EXCEEDED else hc.holding - hc.leaving

    def describe(self) -> str:
        share = self.quota.max_share if self.reason == QUOTA_EXCEEDED else self.quota.min_share
        of_active = f"{(share * 100).normalize():f} % of {self.headcount.active} active managers"
        if self.reason == QUOTA_EXCEEDED:
            return (f"{self.area} has no free {self.quota.grade} slot: {self.holding} hold or are promoted to it, "
                    f"and at most {of_active} may")
        return (f"{self.area} must keep at least {of_active} in {self.quota.grade}: {self.holding} remain after "
                "the promotions approved, so no more may be promoted out of it")


class QuotaLedger:
    """The places left under each quota during one decision: counted once per (grade, area) when first needed,
    then used up by the approvals made. `headcount(area, grade)` counts (and, on PostgreSQL, locks) one."""

    def __init__(self, quotas: tuple[Quota, ...], headcount: Callable[[Area, str], Headcount]):
        self._quotas = {quota.grade: quota for quota in quotas}
        self._headcount = headcount
        self._counts: dict[tuple[str, Area], Headcount] = {}
        self._taken: dict[tuple[str, str, Area], int] = {}

    def ranking_area(self, target_grade: str, org_unit: str) -> Area:
        return ranking_area(self._quotas.get(target_grade), org_unit)

    def count_first(self, moves: Iterable[tuple[str, str, str]]) -> None:
        """Count (and so, on PostgreSQL, lock) every (grade, area) that the moves (from grade, target grade, org
        unit) touch, in (grade, area) order: two decisions then never each hold a lock the other waits for."""
        for grade, area in sorted({(quota.grade, area) for move in moves for _, quota, area in self._limits(*move)}):
            self._count(grade, area)

    def refusal(self, from_grade: str, target_grade: str, org_unit: str) -> Refusal | None:
        """Why promoting a manager of `org_unit` from `from_grade` to `target_grade` breaks a quota, or None."""
        for limit in self._limits(from_grade, target_grade, org_unit):
            if self._left(*limit) <= 0:
                reason, quota, area = limit
                return Refusal(reason, quota, area, self._count(quota.grade, area))
        return None

    def take(self, from_grade: str, target_grade: str, org_unit: str) -> None:
        for reason, quota, area in self._limits(from_grade, target_grade, org_unit):
            key = (reason, quota.grade, area)
            self._taken[key] = self._taken.get(key, 0) + 1

    def _limits(self, from_grade: str, target_grade: str, org_unit: str):
        into, out_of = self._quotas.get(target_grade), self._quotas.get(from_grade)
        if into is not None and into.max_share is not None:
            yield QUOTA_EXCEEDED, into, area_of(into.scope, org_unit)
        if out_of is not None and out_of.min_share is not None:
            yield MINIMUM_SHARE_REACHED, out_of, area_of(out_of.scope, org_unit)

    def _left(self, reason: str, quota: Quota, area: Area) -> int:
        headcount = self._count(quota.grade, area)
        free = (free_slots(quota.max_share, headcount) if reason == QUOTA_EXCEEDED
                else free_departures(quota.min_share, headcount))
        return free - self._taken.get((reason, quota.grade, area), 0)

    def _count(self, grade: str, area: Area) -> Headcount:
        if (grade, area) not in self._counts:
            self._counts[(grade, area)] = self._headcount(area, grade)
        return self._counts[(grade, area)]
