"""Domain errors. Each carries a machine-readable code; the API maps them to problem details."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

# Every key of the service (usernames, employee numbers, cycle codes, grade codes, periods) is made of these.
_PLAIN = re.compile(r"[A-Za-z0-9._-]{1,64}")


def quoted(value: object) -> str:
    """A value the caller sent, fit to repeat in an error: quoted when it is plain (ASCII letters, digits, '.',
    '_', '-', as every code and key is), else not repeated at all, so that an error never carries markup, quotes
    or anything else that a page showing it could take for code."""
    text = value if isinstance(value, str) else str(value)
    return repr(text) if _PLAIN.fullmatch(text) else "(value not repeated)"


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, detail: str, **extra: Any):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it does."""
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class Unauthenticated(DomainError):
    code = "unauthorized"


class InvalidCredentials(Unauthenticated):
    code = "invalid_credentials"


class InvalidToken(Unauthenticated):
    code = "invalid_token"


class TooManyAttempts(DomainError):
    """Sign-in refused for a while after repeated wrong passwords; `retry_after`: whole seconds to wait."""
    code = "too_many_attempts"

    def __init__(self, detail: str, retry_after: int):
        super().__init__(detail)
        self.retry_after = retry_after


class Conflict(DomainError):
    """The request is well-formed but clashes with the current state."""

    def __init__(self, code: str, detail: str, **extra: Any):
        super().__init__(detail, **extra)
        self.code = code


class Unexpected(DomainError):
    """A failure no rule names (logged where it happened), reported where others' results must still be told: one
    case of a bulk request (workflow/services/bulk.py)."""
    code = "internal_error"


class NotEligible(DomainError):
    """A case that the rules refuse to open; `reasons` names every failed rule, as the API gives them; `refusals`:
    the same as workflow.eligibility made them, with their facts (for a page)."""
    code = "not_eligible"

    def __init__(self, detail: str, reasons: list[dict], refusals: Sequence = ()):
        super().__init__(detail, reasons=reasons)
        self.refusals = list(refusals)


class DuplicateKey(Exception):
    """Persistence found the unique `key` ("username", "employee_no, period") already taken,
    possibly by a concurrent transaction; the use case says what that means."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class FieldError:
    field: str
    rule: str
    message: str
    location: str | None = None  # query or path, when the field is not in the body
    value: str | None = None  # the one item of a list field that breaks the rule (a page names it)


@dataclass
class RuleViolation(DomainError):
    """Input that breaks one or more rules; every broken rule is listed."""
    errors: list[FieldError] = field(default_factory=list)
    code = "validation_error"

    def __post_init__(self):
        summary = "; ".join(f"{e.field}: {e.message}" for e in self.errors)
        DomainError.__init__(self, summary or "invalid input")


class Violations:
    """Collects broken rules so that a refusal names all of them at once."""

    def __init__(self):
        self.errors: list[FieldError] = []

    def add(self, field: str, rule: str, message: str, *, value: str | None = None) -> None:
        self.errors.append(FieldError(field, rule, message, value=value))

    def raise_if_any(self) -> None:
        if self.errors:
            raise RuleViolation(list(self.errors))
