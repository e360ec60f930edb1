"""HR's corrections of the working-day calendar, and their audit trail."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime


class CalendarDay(Base):
    """A day HR has set: working or not, with a name (a company holiday, next year's schedule)."""
    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[str] = mapped_column(String(64))


class CalendarChange(Base):
    """One change of the calendar (append-only): the day before and after, and the deadlines it moved."""
    __tablename__ = "calendar_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict] = mapped_column(JSON)  # {working, kind, name, source}
    after: Mapped[dict] = mapped_column(JSON)
    deadlines: Mapped[list] = mapped_column(JSON, default=list)  # [{case_id, from, to}] of extended deadlines
