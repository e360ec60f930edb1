"""Delegations: naming a substitute, listing and cancelling them (the rules: workflow/delegations.py), and the
delegations a caller holds today, read with the caller."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from workflow import delegations as rules_of
from workflow.accounts import COMMITTEE, HR, SUPERVISOR, Actor
from workflow.delegations import SCOPES, StandIn
from workflow.errors import Conflict, Forbidden, NotFound, Violations, quoted
from workflow.services.context import Rules
from workflow.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class DelegationView:
    id: int
    principal: str
    substitute: str
    scope: str
    starts_on: date
    ends_on: date
    status: str
    created_by: str
    created_at: datetime
    cancelled_at: datetime | None
    cancelled_by: str | None


def view_of(row, today: date) -> DelegationView:
    return DelegationView(row.id, row.principal, row.substitute, row.scope, row.starts_on, row.ends_on,
                          rules_of.status(row.starts_on, row.ends_on, row.cancelled_at is not None, today),
                          row.created_by, row.created_at, row.cancelled_at, row.cancelled_by)


def may_delegate(actor: Actor) -> bool:
    """hr names substitutes for anyone; a supervisor or committee member for themselves."""
    return actor.has(HR, SUPERVISOR, COMMITTEE)


def create_delegation(uow: UnitOfWork, rules: Rules, actor: Actor, *, substitute: str, starts_on: date,
                      ends_on: date, scope: str, principal: str | None = None) -> DelegationView:
    principal = principal or actor.username
    if principal != actor.username and not actor.has(HR):
        raise Forbidden("you name substitutes for yourself; hr names them for anyone")
    if not may_delegate(actor):
        raise Forbidden("substitutes are for supervisors and committee members (and hr names them)")
    today = rules.today()
    problems = Violations()
    absent, standing_in = uow.users.by_username(principal), uow.users.by_username(substitute)
    for field, user, name in (("principal", absent, principal), ("substitute", standing_in, substitute)):
        if user is None or not user.active:
            problems.add(field, "known_user", f"no active account is named {quoted(name)}")
    if principal == substitute:
        problems.add("substitute", "not_self", "nobody substitutes for themselves")
    if scope not in SCOPES:
        problems.add("scope", "delegation_scope", f"one of: {', '.join(SCOPES)}")
    elif absent is not None and standing_in is not None and absent.active and standing_in.active:
        rules_of.role_problems(problems, scope, absent.roles, standing_in.roles)
    rules_of.range_problems(problems, starts_on, ends_on, today)
    problems.raise_if_any()
    uow.delegations.hold_principal(principal)
    clash = next((d for d in uow.delegations.overlapping(principal, starts_on, ends_on)
                  if rules_of.scopes_overlap(d.scope, scope)), None)
    if clash is not None:
        raise Conflict("delegation_overlap", f"{principal} already has a substitute ({clash.substitute}, "
                       f"{clash.scope}) from {clash.starts_on} to {clash.ends_on}: cancel that one first",
                       delegation_id=clash.id, field="starts_on")
    row = uow.delegations.add(principal=principal, substitute=substitute, scope=scope, starts_on=starts_on,
                              ends_on=ends_on, created_by=actor.username, created_at=rules.now())
    return view_of(row, today)


def list_delegations(uow: UnitOfWork, rules: Rules, actor: Actor, *, page: int, per_page: int,
                     mine: bool = False) -> tuple[list[DelegationView], int]:
    """hr: every delegation (`mine`: only their own); anyone else: those naming them, either side."""
    involving = None if actor.has(HR) and not mine else actor.username
    rows, total = uow.delegations.page(page, per_page, involving=involving)
    today = rules.today()
    return [view_of(row, today) for row in rows], total


def cancel_delegation(uow: UnitOfWork, rules: Rules, actor: Actor, delegation_id: int) -> DelegationView:
    """Called off from now on (the acts done meanwhile stand); cancelling again changes nothing."""
    row = uow.delegations.get(delegation_id, for_update=True)
    if row is None or not (actor.has(HR) or actor.username in (row.principal, row.substitute)):
        raise NotFound(f"no delegation {delegation_id}")
    if not actor.has(HR) and actor.username != row.principal:
        raise Forbidden("the absent person or hr cancels a delegation")
    today = rules.today()
    if row.cancelled_at is None:
        if row.ends_on < today:
            raise Conflict("delegation_ended", f"delegation {delegation_id} ended on {row.ends_on}",
                           delegation_id=delegation_id)
        row.cancelled_at, row.cancelled_by = rules.now(), actor.username
    return view_of(row, today)


def with_stand_ins(uow: UnitOfWork, rules: Rules, actor: Actor) -> Actor:
    """The caller with the delegations in force today that make them someone's substitute (no query for a caller
    who holds neither role a delegation covers), and then their own supervisor chain."""
    if not actor.has(SUPERVISOR, COMMITTEE):
        return actor
    held = uow.delegations.in_force_for(actor.username, rules.today())
    if not held:
        return actor
    stand_ins = tuple(StandIn(delegation.id, Actor(user_id=user.id, username=user.username,
                                                   roles=frozenset(user.roles), employee_no=user.employee_no),
                              delegation.scope) for delegation, user in held)
    chain = tuple(uow.managers.supervisor_chain(actor.employee_no)) if actor.employee_no else ()
    return replace(actor, stands_in_for=stand_ins, superiors=chain)


def acting(actor: Actor, on_behalf_of: str | None) -> Actor:
    """The caller as the history names them for one act: as the substitute of `on_behalf_of`, or in their own
    right."""
    return replace(actor, acting_for=on_behalf_of) if on_behalf_of else actor


@dataclass(frozen=True)
class Person:
    username: str
    name: str | None  # the manager's, for an account with a manager record
    roles: tuple[str, ...]


def people_to_name(uow: UnitOfWork, actor: Actor) -> list[Person]:
    """Who the caller may name on either side of a delegation (every active supervisor and committee member; the
    form judges nothing: the service refuses, naming the field)."""
    if not may_delegate(actor):
        raise Forbidden("substitutes are for supervisors and committee members (and hr names them)")
    return [Person(*row) for row in uow.delegations.people()]
