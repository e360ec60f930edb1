"""Opening a case: the row, its first history entry and its first timers (applications are checked in cases.py;
the service's own cases are opened here: a probation end, a quarter close, repeated demotions)."""
from __future__ import annotations

from workflow.case_machine import DEMOTION, EXIT, PROBATION_CONFIRMATION, PROMOTION
from workflow.errors import Violations
from workflow.ladder import DEMOTE
from workflow.services import timers
from workflow.services.case_steps import SYSTEM_ACTOR, record
from workflow.services.context import Rules
from workflow.services.governing import governing_policy


def target_of(problems: Violations, rules: Rules, kind: str, manager, target_grade: str | None) -> str | None:
    """The grade the case aims at: chosen by the applicant for a promotion, implied by the kind otherwise."""
    ladder = rules.policy.ladder
    if kind == PROMOTION:
        if target_grade is None:
            problems.add("target_grade", "required", "name the grade applied for")
        return target_grade
    if manager is None:
        return None
    implied = {PROBATION_CONFIRMATION: ladder.confirmation_target, EXIT: ladder.exited.code,
               DEMOTION: next(iter(rules.ladder.destinations(manager.grade, DEMOTE)), None)}[kind]
    if target_grade is not None and target_grade != implied:
        problems.add("target_grade", "target_for_kind", f"a {kind} case of a {manager.grade} manager aims at {implied}")
    return implied


def open_automatic_case(uow, rules: Rules, manager, kind: str, statement: str, data: dict):
    """A case the service opens by itself (a probation end, a quarter close, repeated demotions), with
    SYSTEM_ACTOR as its author; the caller has checked that the manager has no open case. It follows the policy
    of the manager's org unit."""
    rules = rules.for_org_unit(manager.org_unit)
    target = target_of(Violations(), rules, kind, manager, None)
    return open_case(uow, rules, SYSTEM_ACTOR, manager, kind, target, statement, data=data)


def open_case(uow, rules: Rules, author: str, manager, kind: str, target: str, statement: str, *,
          cycle=None, exceptional: bool = False, data: dict | None = None):
    """`manager` and `cycle`: the rows, which the new case refers to."""
    now = rules.now()
    state, stage = rules.cases.opening(kind)
    case = uow.cases.add(kind=kind, cycle=cycle, manager=manager, org_unit=manager.org_unit,
                         from_grade=manager.grade, target_grade=target, exceptional=exceptional, statement=statement,
                         state=state, stage=stage, reasons=[], created_by=author, created_at=now,
                         updated_at=now, state_since=now, overdue_since=None, version=1,
                         policy=governing_policy(uow, rules, now))
    opened = {"kind": kind, "target_grade": target, "exceptional": exceptional} | (data or {})
    entry = record(uow, rules, case, actor=author, event="submit", from_state=None, to_state=case.state,
                   comment=statement, data=opened | ({"to_stage": stage} if stage is not None else {}))
    timers.state_entered(uow, rules, case, entry, opened=True)
    return case
