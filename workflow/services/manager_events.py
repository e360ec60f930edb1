"""Events on a manager's record (workflow/manager_events.py): entered by hr once each, never overwritten, read by
whoever may read the manager's performance records and counted by the period closes' grading rules. An event dated in
a period already closed is refused (409 period_closed), as that period's records are: its close counted what was
there. A suspension (待岗) and a reinstatement change the manager's standing with the event that records it."""
from __future__ import annotations

from datetime import date

from workflow import access
from workflow.accounts import Actor
from workflow.errors import Conflict, NotFound, Violations
from workflow.manager_events import MONTHLY_TARGETS, STANDING_CHANGES, entry_problems
from workflow.periods import Period
from workflow.services.context import Rules
from workflow.services.managers import visible_manager
from workflow.services.unit_of_work import UnitOfWork


def record_event(uow: UnitOfWork, rules: Rules, actor: Actor, employee_no: str, *, kind: str, occurred_on: date,
                 days: int | None = None, reason: str | None = None, note: str | None = None):
    access.require(access.can_manage_people(actor), "only hr enters events on a manager's record")
    if uow.managers.get(employee_no) is None:
        raise NotFound(f"no manager {employee_no}")
    # the period's lock before the manager's, in the order a close takes them (else the two could deadlock)
    _refuse_in_closed_period(uow, rules, occurred_on)
    manager = uow.managers.get(employee_no, for_update=True)
    problems = Violations()
    note = (note or "").strip() or None
    entry_problems(problems, kind=kind, occurred_on=occurred_on, days=days, reason=reason, note=note,
                   today=rules.today(), hire_date=manager.hire_date, standing=manager.standing,
                   targets_that_month=_targets_in_month(uow, employee_no, kind, occurred_on))
    if rules.policy.ladder.is_exited(manager.grade):
        problems.add("employee_no", "exited", f"{employee_no} has left the ladder")
    problems.raise_if_any()
    return add_event(uow, rules, manager, kind=kind, occurred_on=occurred_on, days=days, reason=reason, note=note,
                     recorded_by=actor.username)


def _targets_in_month(uow: UnitOfWork, employee_no: str, kind: str, day: date) -> list[str]:
    """The sales-target events already on the record in `day`'s month (read only for such an event: the manager's
    row is held, so two entries at once are judged one after the other)."""
    if kind not in MONTHLY_TARGETS:
        return []
    return [e.kind for e in uow.manager_events.for_manager(employee_no)
            if e.kind in MONTHLY_TARGETS and (e.occurred_on.year, e.occurred_on.month) == (day.year, day.month)]


def add_event(uow: UnitOfWork, rules: Rules, manager, *, kind: str, occurred_on: date, days: int | None = None,
              reason: str | None = None, note: str | None = None, recorded_by: str):
    """The event, checked by the caller; a standing change moves the manager's standing with it."""
    now = rules.now()
    event = uow.manager_events.add(employee_no=manager.employee_no, kind=kind, occurred_on=occurred_on, days=days,
                                   reason=reason, note=note, recorded_at=now, recorded_by=recorded_by)
    if kind in STANDING_CHANGES:
        manager.standing, manager.updated_at = STANDING_CHANGES[kind], now
    return event


def _refuse_in_closed_period(uow: UnitOfWork, rules: Rules, day: date) -> None:
    """A close of the day's period may be under way: wait for it, then refuse the event if it closed the period."""
    for kind in rules.policy.closed_kinds:
        period = str(Period.of(kind, day))
        uow.evaluations.lock_period(period)
        if (close := uow.evaluations.close_of(period)) is not None:
            closed_at = close.closed_at.astimezone(rules.policy.tz)
            raise Conflict("period_closed", f"{period} was closed on {closed_at:%Y-%m-%d %H:%M}; an event of "
                           f"{day} would change what its close counted", period=period, field="occurred_on")


def manager_events(uow: UnitOfWork, actor: Actor, employee_no: str):
    visible_manager(uow, actor, employee_no)
    return uow.manager_events.for_manager(employee_no)
