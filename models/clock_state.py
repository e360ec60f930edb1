"""The manual test clock, kept in the database so that every process sees the same instant."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, CheckConstraint, Integer
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime
from models.transaction_memo import transaction_memo
from workflow.clock import Clock, SystemClock, as_utc, check_moves_forward


class ManualClockState(Base):
    __tablename__ = "manual_clock"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    now: Mapped[datetime] = mapped_column(UTCDateTime)
    # False while the instant is only the wall-clock time frozen at first use: the first move
    # may then set any instant.
    moved: Mapped[bool] = mapped_column(Boolean)


class DatabaseManualClock:
    """Stands still at GRADEFLOW_CLOCK_START, or at the wall-clock time of its first use,
    until moved forward by `move_to`."""

    def __init__(self, session_factory, tz: ZoneInfo, start: datetime | None = None,
                 fallback: Clock | None = None):
        self._session, self._tz = session_factory, tz
        self._start = as_utc(start) if start else None
        self._fallback = fallback or SystemClock()

    def _row(self, *, for_update: bool = False) -> ManualClockState | None:
        """Read once per transaction (a use case reads the clock once, however often it asks)."""
        session = self._session()
        memo = transaction_memo(session)
        if not for_update and "manual_clock" in memo:
            return memo["manual_clock"]
        # Reading the time must not flush the caller's half-built changes.
        with session.no_autoflush:
            memo["manual_clock"] = session.get(ManualClockState, 1, with_for_update=for_update or None)
        return memo["manual_clock"]

    def now(self) -> datetime:
        row = self._row()
        return row.now if row else (self._start or self._fallback.now())

    def freeze(self) -> None:
        """Without a start instant, stop the clock at the wall-clock time of its first use.
        Commits on its own, so call it only while the session holds no other change."""
        if self._start is not None or self._row() is not None:
            return
        session = self._session()
        session.add(ManualClockState(id=1, now=self._fallback.now(), moved=False))
        try:
            session.commit()
        except IntegrityError:  # another process froze it first
            session.rollback()

    def move_to(self, instant: datetime) -> datetime:
        """Move time forward, within the caller's transaction."""
        instant = as_utc(instant)
        row = self._row(for_update=True)
        check_moves_forward(row.now if row and row.moved else self._start, instant, self._tz)
        if row is None:
            row = ManualClockState(id=1, now=instant, moved=True)
            self._session().add(row)
            transaction_memo(self._session())["manual_clock"] = row
        else:
            row.now, row.moved = instant, True
        return instant
