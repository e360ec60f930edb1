"""Reads of the users page (hr, admin): a page of accounts, each with whether the caller may switch it on or
off, by the same rules update_user enforces (the target holds only roles the caller may grant; nobody switches
off their own account); and the roles the caller may grant, for the form that creates an account."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from workflow import access
from workflow.accounts import ROLES, Actor, grantable_roles
from workflow.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class AccountRow:
    username: str
    roles: tuple[str, ...]
    employee_no: str | None
    active: bool
    created_at: datetime
    may_switch: bool  # the caller may switch the account on or off
    may_edit: bool  # the caller may change its contact details (also their own, whatever their roles)
    email: str | None = None
    mobile: str | None = None


def users_page(uow: UnitOfWork, actor: Actor, *, page: int, per_page: int) -> tuple[list[AccountRow], int]:
    access.require(access.can_manage_accounts(actor), "only hr and admin list users")
    users, total = uow.users.page(page, per_page)
    grantable = grantable_roles(actor)
    return [AccountRow(u.username, tuple(u.roles), u.employee_no, u.active, u.created_at,
                       may_switch=set(u.roles) <= grantable and u.id != actor.user_id,
                       may_edit=set(u.roles) <= grantable or u.id == actor.user_id, email=u.email, mobile=u.mobile)
            for u in users], total


def roles_to_grant(actor: Actor) -> list[str]:
    """The roles the caller may give a new account, in the ladder of ROLES."""
    grantable = grantable_roles(actor)
    return [role for role in ROLES if role in grantable]
