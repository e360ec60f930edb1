"""A cycle's report (issue 16, point 5): the funnel of its cases, for the cycle and per org unit (the unit each case
was applied from, cases.org_unit), and the grade distribution of the org units (their managers as they are now)
against the quotas of the policy its cases follow. Hr and admins only (access.can_read_reports): the counts include
decisions not yet published. A fixed number of queries whatever the number of cases or managers: the cycle, its
cases with their appeals, and the managers."""
from __future__ import annotations

from dataclasses import dataclass

from workflow import access
from workflow.accounts import Actor
from workflow.case_machine import APPROVED
from workflow.quotas import ORG_UNIT
from workflow.reports import Distribution, Funnel, QuotaUse, distributions, funnels, quota_uses
from workflow.services.context import Rules
from workflow.services.cycles import get_cycle
from workflow.services.governing import rules_for_cycle

EVERY_MANAGER = 1_000_000  # the most managers a report reads


@dataclass(frozen=True)
class CycleReport:
    cycle: object
    org_unit: str | None  # the one org unit asked for (None: all)
    funnel: Funnel  # the cycle's, or the org unit's
    funnels: list[Funnel]  # per org unit
    grades: tuple[str, ...]  # the ladder's, in its order
    distributions: list[Distribution]
    quotas: list[QuotaUse]


def cycle_report(uow, rules: Rules, actor: Actor, code: str, org_unit: str | None = None) -> CycleReport:
    access.require(access.can_read_reports(actor), "only hr and admins read a cycle's report")
    cycle = get_cycle(uow, code)
    policy = rules_for_cycle(uow, rules, cycle).policy
    every_case = uow.cases.in_cycle(code)
    # a case counts in the unit it was applied from (a manager who moved since is not counted where they are now)
    cases = [c for c in every_case if org_unit is None or c.org_unit == org_unit]
    total, per_unit = funnels(cases, lambda case: case.org_unit)
    managers, _total = uow.managers.page(1, EVERY_MANAGER, org_unit=org_unit)
    units = sorted({m.org_unit for m in managers} if org_unit is None else {org_unit})
    exited, grades = policy.ladder.is_exited, policy.ladder.codes
    approved = [c for c in every_case if c.outcome == APPROVED]
    if org_unit is not None:
        total = Funnel(org_unit, total.counts)
    # a quota counted over a parent unit or the company needs its whole area's managers
    wide = org_unit is not None and any(q.scope != ORG_UNIT for q in policy.quotas)
    everyone = uow.managers.page(1, EVERY_MANAGER)[0] if wide else managers
    return CycleReport(cycle, org_unit, total, per_unit, grades,
                       distributions(managers, grades, exited),
                       quota_uses(policy.quotas, everyone, approved, exited, units))
