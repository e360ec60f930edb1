"""Accounts: roles, who may grant which role, and the rules for usernames and passwords."""
from __future__ import annotations

import re
from dataclasses import dataclass

EMPLOYEE, SUPERVISOR, COMMITTEE, HR, ADMIN = "employee", "supervisor", "committee", "hr", "admin"
ROLES = (EMPLOYEE, SUPERVISOR, COMMITTEE, HR, ADMIN)
# Roles that act on one's own record or one's reports, and so need an employee number.
ROLES_NEEDING_EMPLOYEE_NO = (EMPLOYEE, SUPERVISOR)

# api.md: 1-64 letters, digits, '.', '_' or '-' (two-letter names such as `li`, employee numbers such as `10023`).
# The first character is a letter or digit: a name starting with '-' would read as an option on the command line
# (`gradeflow users create -x`), and one starting with '.' as a hidden file in an export.
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 1024


@dataclass(frozen=True)
class Actor:
    """The authenticated caller, with roles as read from the database for this request."""
    user_id: int
    username: str
    roles: frozenset[str]
    employee_no: str | None
    language: str | None = None  # chosen for the pages; None: the browser's
    # the delegations in force today that make this caller someone's substitute (workflow/delegations.py StandIn),
    # read with the caller; `superiors`: the caller's own supervisor chain, read only when they stand in for someone
    stands_in_for: tuple = ()
    superiors: tuple[str, ...] = ()
    # set by a use case once the caller's standing is known: the absent person whose act this is (the history's
    # on_behalf_of), None when the caller acts in their own right
    acting_for: str | None = None

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def grantable_roles(actor: Actor) -> frozenset[str]:
    """Admins grant any role; HR grants the roles that carry no power over accounts or HR data."""
    if actor.has(ADMIN):
        return frozenset(ROLES)
    if actor.has(HR):
        return frozenset({EMPLOYEE, SUPERVISOR, COMMITTEE})
    return frozenset()


def username_problem(username: str) -> str | None:
    if not USERNAME.fullmatch(username or ""):
        return "must be 1-64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit"
    return None


def password_problem(password: str) -> str | None:
    if len(password or "") < PASSWORD_MIN_LENGTH:
        return f"must be at least {PASSWORD_MIN_LENGTH} characters"
    if len(password) > PASSWORD_MAX_LENGTH:
        return f"must be at most {PASSWORD_MAX_LENGTH} characters"
    return None


# where notifications reach a person (workflow/notifications.py); set by hr with the account
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")
MOBILE = re.compile(r"(\+86)?1[3-9]\d{9}")  # a mainland mobile number, as the group robots @-mention it
MESSAGE_LANGUAGES = ("zh_CN", "en")  # those of the pages (api/web/i18n.py)


def contact_problems(*, email: str | None = None, mobile: str | None = None, language: str | None = None
                     ) -> list[tuple[str, str, str]]:
    """(field, rule, why) of each contact detail that is not well formed (None: not given, or cleared)."""
    problems = []
    if email is not None and (len(email) > 254 or not EMAIL.fullmatch(email)):
        problems.append(("email", "email_format", "must be an e-mail address such as name@example.com"))
    if mobile is not None and not MOBILE.fullmatch(mobile):
        problems.append(("mobile", "mobile_format", "must be a mainland mobile number of 11 digits (+86 allowed)"))
    if language is not None and language not in MESSAGE_LANGUAGES:
        problems.append(("language", "known_language", f"must be one of {', '.join(MESSAGE_LANGUAGES)}"))
    return problems
