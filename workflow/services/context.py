from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from workflow.case_machine import CaseMachine
from workflow.clock import Clock, local_date
from workflow.ladder import GradeLadder
from workflow.org_unit_policies import unit_of
from workflow.policy import Policy


@dataclass(frozen=True)
class Rules:
    """What every use case needs besides the database: the policy, its two state machines
    (grade ladder, case workflow) and the clock. The working-day calendar lives in the database
    (HR corrects it): use cases read it from their unit of work. The service's Rules are the company's policy;
    `units` holds those of the org units with a policy of their own (workflow/org_unit_policies.py)."""
    policy: Policy
    ladder: GradeLadder
    cases: CaseMachine
    clock: Clock
    # The Rules of earlier policy versions that govern cases opened under them, by reference (None: a version that
    # cannot be used; see governing.py); shared by every Rules made from one, so that a version is read and built
    # once per process.
    versions: dict[str, "Rules | None"] = field(default_factory=dict, compare=False, repr=False)
    units: tuple[tuple[str, "Rules"], ...] = field(default=(), compare=False, repr=False)

    @classmethod
    def for_policy(cls, policy: Policy, clock: Clock, versions: dict[str, "Rules | None"] | None = None) -> "Rules":
        versions = {} if versions is None else versions
        built: dict[str, Rules] = {}  # units sharing a file share its rules
        for _unit, p in policy.units:
            if p.reference not in built:
                built[p.reference] = cls.for_policy(p, clock, versions)
        units = tuple((unit, built[p.reference]) for unit, p in policy.units)
        return cls(policy=policy, ladder=GradeLadder(policy.ladder), cases=CaseMachine(policy), clock=clock,
                   versions=versions, units=units)

    def for_org_unit(self, org_unit: str) -> "Rules":
        """The rules in force for the cases of a manager of `org_unit`: its unit's policy, or the company's."""
        held = unit_of(self.units, org_unit)
        return self if held is None else self._on_my_clock(held[1])

    def in_force(self, reference: str) -> "Rules | None":
        """The rules in force under that reference (the company's policy or a unit's), or None."""
        if reference == self.policy.reference:
            return self
        return next((self._on_my_clock(rules) for _unit, rules in self.units if rules.policy.reference == reference),
                    None)

    def in_force_named(self, name: str) -> "Rules":
        """The policy in force by that name (the company's, or an org unit's); the company's if none is."""
        return next((self._on_my_clock(rules) for _unit, rules in self.units if rules.policy.name == name), self)

    def _on_my_clock(self, rules: "Rules") -> "Rules":
        return rules if rules.clock is self.clock else replace(rules, clock=self.clock)

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return local_date(self.clock.now(), self.policy.tz)
