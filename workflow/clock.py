"""Time. All code reads the current instant from a Clock; nothing calls datetime.now() itself.

Instants are timezone-aware and normalised to UTC; dates ("today", an effective day) are
taken in the policy's time zone.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Protocol
from zoneinfo import ZoneInfo

from workflow.errors import Conflict


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""


class SystemClock:
    """The machine's wall clock. Tokens always expire by this one."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock that stands still until moved; for unit tests."""

    def __init__(self, instant: datetime):
        self._now = as_utc(instant)

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        self._now = as_utc(instant)


def as_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("a naive datetime has no offset; instants must be timezone-aware")
    return instant.astimezone(timezone.utc)


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    return as_utc(instant).astimezone(tz).date()


def check_moves_forward(current: datetime | None, instant: datetime, tz: ZoneInfo) -> None:
    """The manual clock never goes back: what was stamped with a time stays in the past."""
    if current is not None and instant < current:
        raise Conflict("clock_backwards",
                       f"the manual clock only moves forward: it is {current.astimezone(tz).isoformat()}, "
                       f"{instant.astimezone(tz).isoformat()} is earlier", now=current)
