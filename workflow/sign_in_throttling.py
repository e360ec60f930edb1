"""Repeated wrong passwords slow sign-in down (api.md: 429 `too_many_attempts`).

The rule, given the recent attempts: after `max_failures` failed sign-ins for one username within `window`, since
its last successful one, the next attempt for that username waits until the oldest of those failures has left the
window; the same for one address with the far higher `max_failures_per_address` (a whole branch office signs in
from one address behind one NAT, so that one person's typos never lock out their colleagues; a success from the
address does not end its run, or one good account would let an address guess on for ever). Attempts are counted by
the username as typed, known or not: unknown names are slowed down exactly like known ones. An attempt still
being verified counts as a failure, so that attempts sent at the same moment cannot slip past the limit. Time is
wall-clock time, like token expiry. Refused attempts are not attempts: they verify no password and count for
nothing.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

PENDING, FAILED, SUCCEEDED = "pending", "failed", "succeeded"
OUTCOMES = (PENDING, FAILED, SUCCEEDED)

MAX_FAILURES = 5  # failed sign-ins for one username within the window
WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ADDRESS = 100  # failed sign-ins from one address within the window; 0: no limit per address


@dataclass(frozen=True)
class SignInLimits:
    max_failures: int = MAX_FAILURES
    window: timedelta = WINDOW
    max_failures_per_address: int = MAX_FAILURES_PER_ADDRESS

    def __post_init__(self):
        if self.max_failures < 1 or self.window <= timedelta(0) or self.max_failures_per_address < 0:
            raise ValueError("sign-in limits: at least one failure, a positive window, no negative limit per address")


@dataclass(frozen=True)
class Attempt:
    at: datetime
    outcome: str  # PENDING, FAILED or SUCCEEDED


@dataclass(frozen=True)
class Refusal:
    """The attempt may not go ahead: the next one is considered from `until`; `by` is "username" or "address"."""
    until: datetime
    by: str

    def retry_after(self, now: datetime) -> int:
        """Whole seconds from `now` until the next attempt is considered (at least 1), for Retry-After."""
        return max(1, math.ceil((self.until - now).total_seconds()))


def _counted(attempts: Iterable[Attempt], now: datetime, window: timedelta, *, since_success: bool) -> list[datetime]:
    """When each failure still inside the window happened (pending ones included), oldest first; with
    `since_success`, only those after the latest success."""
    recent = [a for a in attempts if a.at > now - window]  # (one a little ahead, from a host whose clock is, counts)
    start = max((a.at for a in recent if a.outcome == SUCCEEDED), default=None) if since_success else None
    return sorted(a.at for a in recent if a.outcome != SUCCEEDED and (start is None or a.at > start))


def _wait(failures: list[datetime], limit: int, window: timedelta) -> datetime | None:
    """With `limit` or more failures, the moment enough of them have left the window to leave limit - 1."""
    if limit <= 0 or len(failures) < limit:
        return None
    return failures[len(failures) - limit] + window


def refusal(limits: SignInLimits, now: datetime, *, for_username: Iterable[Attempt],
            from_address: Iterable[Attempt]) -> Refusal | None:
    """None if this attempt may go ahead; else until when it may not, and which limit holds it."""
    by_name = _wait(_counted(for_username, now, limits.window, since_success=True), limits.max_failures,
                    limits.window)
    by_address = _wait(_counted(from_address, now, limits.window, since_success=False),
                       limits.max_failures_per_address, limits.window)
    if by_name is None and by_address is None:
        return None
    if by_address is None or (by_name is not None and by_name >= by_address):
        return Refusal(by_name, "username")
    return Refusal(by_address, "address")
