"""Who may see and change what. Queried by the API and enforced by every use case."""
from __future__ import annotations

from collections.abc import Sequence

from workflow.accounts import ADMIN, COMMITTEE, HR, SUPERVISOR, Actor
from workflow.errors import Forbidden

# Roles that see every manager record.
ORGANISATION_WIDE = (HR, COMMITTEE, ADMIN)


def can_view_manager(actor: Actor, employee_no: str, supervisor_chain: Sequence[str]) -> bool:
    """The manager themselves, their supervisors (transitively), and organisation-wide roles."""
    if actor.has(*ORGANISATION_WIDE):
        return True
    if actor.employee_no is None:
        return False
    if actor.employee_no == employee_no:
        return True
    return actor.has(SUPERVISOR) and actor.employee_no in supervisor_chain


def can_list_managers(actor: Actor) -> bool:
    return actor.has(*ORGANISATION_WIDE)


def can_read_reports(actor: Actor) -> bool:
    """A cycle's report (its funnel and the grade distribution against the quotas): counts of every case, before
    publication too, so for those who see every case."""
    return actor.has(HR, ADMIN)


def can_manage_people(actor: Actor) -> bool:
    """Create and correct manager records and performance data."""
    return actor.has(HR)


def can_manage_accounts(actor: Actor) -> bool:
    return actor.has(HR, ADMIN)


def can_operate_clock(actor: Actor) -> bool:
    return actor.has(ADMIN)


def require(allowed: bool, detail: str) -> None:
    if not allowed:
        raise Forbidden(detail)
