"""Opening a case: the row, its first history entry and its first timers (applications are checked in cases.py;
the service's own cases are opened here: a probation end, a quarter close, repeated demotions)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from workflow import waiting
from workflow.case_machine import DEMOTION, EXIT, PROBATION_CONFIRMATION, PROMOTION
from workflow.errors import Violations
from workflow.ladder import DEMOTE
from workflow.services import timers
from workflow.services.case_steps import SYSTEM_ACTOR, record
from workflow.services.context import Rules
from workflow.services.governing import governing_policy
from workflow.services.timers import first_escalation_checks, first_reminders
from workflow.services.unit_of_work import UnitOfWork


class AutomaticOpening(NamedTuple):
    """A case the service opens by itself, as open_automatic_case's arguments: `data` goes into its first entry."""
    manager: Any
    kind: str
    target: str
    statement: str
    data: dict


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
    SYSTEM_ACTOR as its author, and its first timers; the caller has checked that the manager has no open case.
    It follows the policy of the manager's org unit. Returns the new case's columns (uow.cases.add_opened)."""
    [case] = open_automatic_cases(uow, rules, [automatic_opening(rules, manager, kind, statement, data)])
    uow.timers.schedule_all(first_timers(uow, rules, [case]).get(manager.employee_no, []))
    return case


def automatic_opening(rules: Rules, manager, kind: str, statement: str, data: dict) -> AutomaticOpening:
    """A case of `kind` the service opens for the manager, aiming where the kind implies."""
    target = target_of(Violations(), rules.for_org_unit(manager.org_unit), kind, manager, None)
    return AutomaticOpening(manager, kind, target, statement, data)


def open_case(uow, rules: Rules, author: str, manager, kind: str, target: str, statement: str, *,
          cycle=None, exceptional: bool = False, data: dict | None = None):
    """`manager` and `cycle`: the rows, which the new case refers to."""
    fields, entry = _opening_rows(rules, author, manager, kind, target, statement, exceptional=exceptional,
                                  data=data or {}, policy=governing_policy(uow, rules, rules.now()))
    case = uow.cases.add(**fields, cycle=cycle, manager=manager)
    timers.state_entered(uow, rules, case, record(uow, rules, case, **entry), opened=True)
    return case


def open_automatic_cases(uow: UnitOfWork, rules: Rules, openings: Sequence[AutomaticOpening]) -> list:
    """Cases the service opens by itself, in order, with their first history entries, in a few statements whatever
    their number; each follows the policy of its manager's org unit. Their first timers are first_timers'. Returns
    the new cases' columns (uow.cases.add_opened)."""
    now, rows, references = rules.now(), [], {}
    for manager, kind, target, statement, data in openings:
        governing = rules.for_org_unit(manager.org_unit)  # the policy the case follows, stored once
        policy = references.get(governing.policy.reference) or references.setdefault(
            governing.policy.reference, governing_policy(uow, governing, now))
        fields, entry = _opening_rows(governing, SYSTEM_ACTOR, manager, kind, target, statement, exceptional=False,
                                      data=data, policy=policy)
        rows.append((fields | {"cycle_code": None}, entry | {"seq": 1, "at": now}))
    return uow.cases.add_opened(rows) if rows else []


def _opening_rows(rules: Rules, author: str, manager, kind: str, target: str, statement: str, *, exceptional: bool,
                  data: dict, policy: str) -> tuple[dict, dict]:
    """The fields of a new case and of its first history entry (its submission), however it is opened."""
    now = rules.now()
    state, stage = rules.cases.opening(kind)
    fields = dict(kind=kind, employee_no=manager.employee_no, org_unit=manager.org_unit, from_grade=manager.grade,
                  target_grade=target, exceptional=exceptional, statement=statement, state=state, stage=stage,
                  reasons=[], created_by=author, created_at=now, updated_at=now, state_since=now,
                  overdue_since=None, version=1, policy=policy)
    entry = dict(actor=author, event="submit", from_state=None, to_state=state, comment=statement,
                 data={"kind": kind, "target_grade": target, "exceptional": exceptional} | data
                 | ({"to_stage": stage} if stage is not None else {}))
    return fields, entry


def first_timers(uow: UnitOfWork, rules: Rules, cases: Iterable) -> dict[str, list[dict]]:
    """What timers.state_entered schedules for cases just opened by open_automatic_cases: the first reminder of each
    one's wait (by the policy it follows: its org unit's or the company's), and where that policy escalates and the
    case waits on a supervisor, the first check of their absence; by manager."""
    waits_by_policy: dict[str, list[tuple]] = {}
    for case in cases:
        if waiting.waits_on_someone(case.state):
            waits_by_policy.setdefault(case.policy, []).append((case, 1))
    if not waits_by_policy:
        return {}
    calendar = uow.calendar.working_calendar()
    rows: dict[str, list[dict]] = {}
    for reference, waits in waits_by_policy.items():
        governing = rules.in_force(reference)
        for (case, _), row in zip(waits, first_reminders(governing, calendar, waits)):
            rows[case.employee_no] = [row]
        managers = {case.id: case.employee_no for case, _ in waits}
        for row in first_escalation_checks(governing, calendar, waits):
            rows[managers[row["case_id"]]].append(row)
    return rows
