from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from workflow.case_machine import CaseMachine
from workflow.clock import Clock, local_date
from workflow.ladder import GradeLadder
from workflow.policy import Policy


@dataclass(frozen=True)
class Rules:
    """What every use case needs besides the database: the policy, its two state machines
    (grade ladder, case workflow) and the clock. The working-day calendar lives in the database
    (HR corrects it): use cases read it from their unit of work."""
    policy: Policy
    ladder: GradeLadder
    cases: CaseMachine
    clock: Clock
    # The Rules of earlier policy versions that govern cases opened under them, by reference (see governing.py);
    # shared by every Rules made from one, so that a version is read and built once per process.
    versions: dict[str, "Rules"] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def for_policy(cls, policy: Policy, clock: Clock, versions: dict[str, "Rules"] | None = None) -> "Rules":
        return cls(policy=policy, ladder=GradeLadder(policy.ladder), cases=CaseMachine(policy), clock=clock,
                   versions={} if versions is None else versions)

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return local_date(self.clock.now(), self.policy.tz)
