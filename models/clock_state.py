"""The manual test clock, kept in the database so that every process sees the same instant."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import CheckConstraint, Integer
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime
from workflow.clock import Clock, SystemClock, as_utc
from workflow.errors import Conflict


class ManualClockState(Base):
    __tablename__ = "manual_clock"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    now: Mapped[datetime] = mapped_column(UTCDateTime)


class DatabaseManualClock:
    """Stands still at the stored instant (or GRADEFLOW_CLOCK_START) until moved forward.

    Before anything is stored and without a start, it reads the wall clock: the first move
    may then set any instant.
    """

    def __init__(self, session_factory, tz: ZoneInfo, start: datetime | None = None,
                 fallback: Clock | None = None):
        self._session, self._tz = session_factory, tz
        self._start = as_utc(start) if start else None
        self._fallback = fallback or SystemClock()

    def _stored(self) -> datetime | None:
        session = self._session()
        # Reading the time must not flush the caller's half-built changes.
        with session.no_autoflush:
            row = session.get(ManualClockState, 1)
        return row.now if row else None

    @property
    def is_set(self) -> bool:
        return self._stored() is not None or self._start is not None

    def now(self) -> datetime:
        return self._stored() or self._start or self._fallback.now()

    def move_to(self, instant: datetime) -> datetime:
        """Move time forward (within the caller's transaction); backwards is a conflict."""
        instant = as_utc(instant)
        session = self._session()
        row = session.get(ManualClockState, 1, with_for_update=True)
        current = row.now if row else self._start
        if current is not None and instant < current:
            raise Conflict("clock_backwards",
                           f"the manual clock only moves forward: it is {current.astimezone(self._tz).isoformat()}, "
                           f"{instant.astimezone(self._tz).isoformat()} is earlier", now=current)
        if row is None:
            session.add(ManualClockState(id=1, now=instant))
        else:
            row.now = instant
        return instant
