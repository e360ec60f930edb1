"""Time. All code reads the current instant from a Clock; nothing calls datetime.now() itself.

Instants are timezone-aware and normalised to UTC; dates ("today", an effective day) are
taken in the policy's time zone.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Protocol
from zoneinfo import ZoneInfo


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


def today(clock: Clock, tz: ZoneInfo) -> date:
    return local_date(clock.now(), tz)
