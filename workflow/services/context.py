from __future__ import annotations

from dataclasses import dataclass
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

    @classmethod
    def for_policy(cls, policy: Policy, clock: Clock) -> "Rules":
        return cls(policy=policy, ladder=GradeLadder(policy.ladder), cases=CaseMachine(policy),
                   clock=clock)

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return local_date(self.clock.now(), self.policy.tz)
