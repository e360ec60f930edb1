"""Substitutes (代理): a supervisor or committee member names someone to act in their stead for a range of days
(issue 16, point 4). The rules of a delegation as entered, and what it gives the substitute on a case.

- A delegation names the absent person (`principal`), the substitute, the first and last day (inclusive, local
  dates in the policy's time zone) and the scope: the principal's work as a supervisor, on a committee, or both.
- Nobody substitutes for themselves; a person has at most one substitute per scope on any day (two delegations of
  one principal whose scopes share a role may not share a day); each side holds the roles of the scope.
- No chains: the substitute acts with the principal's own standing on a case, never with what the principal holds
  as somebody's substitute in turn.
- The substitute's own position counts too (回避 applies to them, not only to the principal): they never act on
  their own case, nor on the case of someone above them in their own reporting line (the applicant's subordinate),
  and on a committee they are recused wherever a member would be (the applicant's line manager, the case's
  reviewer, a conflict they declared) or where the principal is. A member of the same committee keeps their own
  seat only: one person, one score.
The rules of standing live in workflow/case_access.py; this module holds the delegation itself.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from workflow.accounts import COMMITTEE, SUPERVISOR, Actor
from workflow.errors import Violations

SCOPE_SUPERVISOR, SCOPE_COMMITTEE, SCOPE_BOTH = "supervisor", "committee", "both"
SCOPES = (SCOPE_SUPERVISOR, SCOPE_COMMITTEE, SCOPE_BOTH)
# the roles a scope covers: both sides of a delegation hold them
SCOPE_ROLES = {SCOPE_SUPERVISOR: (SUPERVISOR,), SCOPE_COMMITTEE: (COMMITTEE,), SCOPE_BOTH: (SUPERVISOR, COMMITTEE)}
MAX_DAYS = 366  # a delegation covers an absence, not a change of post (that is a new reporting line)


@dataclass(frozen=True)
class StandIn:
    """A delegation in force today, as its substitute holds it: the principal as their account stands now (their
    own roles and employee number, and no delegations of theirs: no chains) and the scope."""
    delegation_id: int
    principal: Actor
    scope: str

    def covers(self, role: str) -> bool:
        return role in SCOPE_ROLES[self.scope]


def scopes_overlap(a: str, b: str) -> bool:
    return bool(set(SCOPE_ROLES[a]) & set(SCOPE_ROLES[b]))


def in_force(starts_on: date, ends_on: date, cancelled: bool, day: date) -> bool:
    return not cancelled and starts_on <= day <= ends_on


def status(starts_on: date, ends_on: date, cancelled: bool, today: date) -> str:
    """cancelled, ended, active (today is in its range) or planned."""
    if cancelled:
        return "cancelled"
    if ends_on < today:
        return "ended"
    return "active" if starts_on <= today else "planned"


STATUSES = ("planned", "active", "ended", "cancelled")


def range_problems(problems: Violations, starts_on: date, ends_on: date, today: date) -> None:
    if ends_on < starts_on:
        problems.add("ends_on", "ends_after_start", f"the last day comes on or after the first ({starts_on})")
    elif ends_on - starts_on >= timedelta(days=MAX_DAYS):
        problems.add("ends_on", "max_days", f"a delegation covers at most {MAX_DAYS} days")
    if ends_on < today:
        problems.add("ends_on", "not_in_past", f"a delegation is for days to come: today is {today}")


def role_problems(problems: Violations, scope: str, principal_roles, substitute_roles) -> None:
    """Both sides hold every role of the scope."""
    for field, roles in (("principal", principal_roles), ("substitute", substitute_roles)):
        missing = [r for r in SCOPE_ROLES[scope] if r not in roles]
        if missing:
            problems.add(field, "scope_role", f"a {scope} delegation is between holders of the role "
                                              f"{' and '.join(SCOPE_ROLES[scope])}; this account lacks {missing[0]}")
