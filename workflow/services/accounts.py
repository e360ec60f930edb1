"""Accounts: creating users, changing their roles, signing in."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from workflow import access
from workflow.accounts import (ADMIN, HR, ROLES, ROLES_NEEDING_EMPLOYEE_NO, Actor, contact_problems, grantable_roles,
                               password_problem, username_problem)
from workflow.clock import Clock
from workflow.errors import Conflict, DuplicateKey, InvalidCredentials, NotFound, TooManyAttempts, Violations
from workflow.passwords import Passwords
from workflow.services.context import Rules
from workflow.services.unit_of_work import UnitOfWork
from workflow.sign_in_throttling import FAILED, SUCCEEDED, SignInLimits, refusal

# The operator at the machine (the `gradeflow` CLI): trusted like an admin.
OPERATOR = Actor(user_id=0, username="(command line)", roles=frozenset(ROLES), employee_no=None)


def actor_for(user) -> Actor:
    return Actor(user_id=user.id, username=user.username, roles=frozenset(user.roles),
                 employee_no=user.employee_no, language=user.language)


def remember_language(uow: UnitOfWork, actor: Actor, language: str) -> None:
    """The language the user chose for the pages, kept with their account (every browser shows it)."""
    uow.users.get(actor.user_id).language = language


def _check_roles(problems: Violations, actor: Actor, roles: Iterable[str], employee_no: str | None) -> None:
    roles = set(roles)
    if not roles:
        problems.add("roles", "at_least_one_role", "a user needs at least one role")
    unknown = sorted(roles - set(ROLES))
    if unknown:
        problems.add("roles", "known_role", f"unknown role {', '.join(unknown)} (roles: {', '.join(ROLES)})")
    beyond = sorted((roles & set(ROLES)) - grantable_roles(actor))
    if beyond:
        problems.add("roles", "grantable_role", f"you may not grant {', '.join(beyond)}")
    needing = sorted(roles.intersection(ROLES_NEEDING_EMPLOYEE_NO))
    if needing and not employee_no:
        problems.add("employee_no", "employee_no_for_role",
                     f"the role {needing[0]!r} acts on a manager record and needs an employee number")


def create_user(uow: UnitOfWork, rules: Rules, passwords: Passwords, actor: Actor, *, username: str, password: str,
                roles: Iterable[str], employee_no: str | None = None, email: str | None = None,
                mobile: str | None = None, language: str | None = None):
    access.require(access.can_manage_accounts(actor), "only hr and admin create users")
    roles = sorted(set(roles))
    problems = Violations()
    if (why := username_problem(username)) is not None:
        problems.add("username", "username_format", why)
    if (why := password_problem(password)) is not None:
        problems.add("password", "password_length", why)
    for problem in contact_problems(email=email, mobile=mobile, language=language):
        problems.add(*problem)
    _check_roles(problems, actor, roles, employee_no)
    if employee_no and uow.managers.get(employee_no) is None:
        problems.add("employee_no", "known_manager", f"no manager has employee number {employee_no!r}")
    problems.raise_if_any()
    now = rules.now()
    try:
        return uow.users.add(username=username, password_hash=passwords.hash(password), employee_no=employee_no,
                             roles=roles, active=True, email=email, mobile=mobile, language=language, created_at=now,
                             updated_at=now)
    except DuplicateKey as taken:
        if taken.key == "username":
            raise Conflict("username_taken", f"the username {username!r} is taken", field="username") from None
        raise Conflict("employee_no_taken", f"employee {employee_no} already has a user account",
                       field="employee_no") from None


def list_users(uow: UnitOfWork, actor: Actor, *, page: int, per_page: int):
    access.require(access.can_manage_accounts(actor), "only hr and admin list users")
    return uow.users.page(page, per_page)


def get_user(uow: UnitOfWork, actor: Actor, username: str):
    user = uow.users.by_username(username)
    if user is None or not (access.can_manage_accounts(actor) or actor.username == username):
        raise NotFound(f"no user {username!r}")
    return user


def _changeable(uow: UnitOfWork, actor: Actor, username: str, *, own_contact: bool = False):
    """The account, which the caller may change: hr and admin change accounts whose every role they may grant."""
    access.require(access.can_manage_accounts(actor), "only hr and admin change users")
    user = get_user(uow, actor, username)
    own_contact = own_contact and user.id == actor.user_id  # hr sets where their own mail goes
    access.require(own_contact or set(user.roles) <= grantable_roles(actor),
                   f"you may not change {username!r}: they hold roles you cannot grant")
    return user


def update_user(uow: UnitOfWork, rules: Rules, actor: Actor, username: str, *, roles: Iterable[str] | None = None,
                active: bool | None = None, contact: dict[str, str | None] | None = None):
    """Change a user's roles or switch the account off; takes effect on their next request. `contact`: the e-mail
    address, mobile number or language of their messages to set (a None value clears it)."""
    user = _changeable(uow, actor, username, own_contact=roles is None and active is None)
    problems = Violations()
    if roles is not None:
        _check_roles(problems, actor, roles, user.employee_no)
    if user.id == actor.user_id:
        if active is False:
            problems.add("active", "not_own_lockout", "you may not switch off your own account")
        lost = sorted((set(user.roles) & {HR, ADMIN}) - set(roles if roles is not None else user.roles))
        if lost:
            problems.add("roles", "not_own_lockout", f"you may not remove your own {', '.join(lost)} role")
    contact = contact or {}
    for problem in contact_problems(**{field: value for field, value in contact.items() if value is not None}):
        problems.add(*problem)
    problems.raise_if_any()
    for field, value in contact.items():
        setattr(user, field, value)
    if roles is not None:
        user.set_roles(sorted(set(roles)))
    if active is not None:
        user.active = active
    user.updated_at = rules.now()
    return user


def sign_in(unit_of_work: Callable[[], UnitOfWork], passwords: Passwords, limits: SignInLimits, wall_clock: Clock, *,
            username: str, password: str, address: str | None) -> tuple[int, str]:
    """POST /auth/token: the id and password hash (for the token) of the active user with these credentials;
    the same error whether the name or the password is wrong; TooManyAttempts while repeated failures hold the
    username or the address (workflow/sign_in_throttling.py).

    Three steps, so that the slow Argon2 work runs with no transaction open (on SQLite a unit of work holds
    the database's write lock): (a) a short transaction, serialised per username and address, refuses the
    attempt or records it as pending (so that attempts sent at the same moment count each other) and reads the
    user; (b) the password is verified, with no transaction open; (c) a short transaction records the outcome
    and a rehash. If (c) never happens (the process dies), the attempt stays pending and counts as a failure
    until it leaves the window. `unit_of_work` makes a unit of work."""
    with unit_of_work() as u:
        attempts = u.sign_in_attempts
        attempts.lock(username, address)
        # read once the lock is held: an instant read before it could be older than an attempt that a concurrent
        # sign-in recorded meanwhile, and the wait would come out longer than the window
        now = wall_clock.now()
        since = now - limits.window
        attempts.prune(before=since)
        refused = refusal(limits, now, for_username=attempts.for_username(username, since),
                          from_address=attempts.from_address(address, since))
        if refused is not None:
            raise _too_many_attempts(refused, now)
        attempt_id = attempts.begin(username, address, now)
        user = u.users.by_username(username)
        user_id, password_hash, active = (user.id, user.password_hash, user.active) if user else (None, None, False)

    verified = passwords.verify(password_hash, password)  # against a decoy when the name is unknown: as slow
    succeeded = verified and active
    rehashed = passwords.hash(password) if succeeded and passwords.needs_rehash(password_hash) else None

    with unit_of_work() as u:
        u.sign_in_attempts.finish(attempt_id, SUCCEEDED if succeeded else FAILED)
        if rehashed is not None:
            user = u.users.get(user_id)
            if user is not None and user.password_hash == password_hash:  # unless it was changed meanwhile
                user.password_hash = password_hash = rehashed
    if not succeeded:
        raise InvalidCredentials("unknown username or wrong password")
    return user_id, password_hash


def _too_many_attempts(refused, now) -> TooManyAttempts:
    seconds = refused.retry_after(now)
    whose = "for this username" if refused.by == "username" else "from this address"
    return TooManyAttempts(f"too many failed sign-ins {whose}; try again in {seconds} seconds", retry_after=seconds)


def reset_password(uow: UnitOfWork, rules: Rules, passwords: Passwords, actor: Actor, username: str, *,
                   new_password: str):
    """Give another person's account a new password (they forgot theirs), which they are to change once signed in:
    hr and admin, as they change the account. Every session of the account ends, as with any new password. One's own
    password is changed with the current one (change_password)."""
    user = _changeable(uow, actor, username)
    access.require(user.id != actor.user_id, "change your own password with your current one")
    return _set_password(user, rules, passwords, new_password)


def change_password(uow: UnitOfWork, rules: Rules, passwords: Passwords, actor: Actor, *, current_password: str,
                    new_password: str):
    user = uow.users.get(actor.user_id)
    if user is None or not passwords.verify(user.password_hash, current_password):
        raise InvalidCredentials("the current password is wrong")
    return _set_password(user, rules, passwords, new_password)


def _set_password(user, rules: Rules, passwords: Passwords, new_password: str):
    """A new password (the tokens signed with the old one no longer sign in: api/tokens.py)."""
    problems = Violations()
    if (why := password_problem(new_password)) is not None:
        problems.add("new_password", "password_length", why)
    problems.raise_if_any()
    user.password_hash = passwords.hash(new_password)
    user.updated_at = rules.now()
    return user
