"""Quarter closes (按季评价): the recorded evaluation of a quarter (or of the month, half-year or year a policy
closes instead), one result per manager."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime
from workflow.quarter_close import OUTCOMES


class QuarterClose(Base):
    """A closed quarter: its records are locked from now on (409 period_closed). The close is complete when
    every record of the quarter has its result (workflow.services.evaluations closes a part at a time)."""
    __tablename__ = "quarter_closes"

    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_by: Mapped[str] = mapped_column(String(64))


class QuarterResult(Base):
    __tablename__ = "quarter_results"
    __table_args__ = (
        CheckConstraint(f"outcome IN ({', '.join(repr(o) for o in OUTCOMES)})", name="known_outcome"),
    )

    period: Mapped[str] = mapped_column(ForeignKey("quarter_closes.period"), primary_key=True)
    employee_no: Mapped[str] = mapped_column(ForeignKey("managers.employee_no"), primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    # the demotion case opened for it: at the close, or later for a deferred one
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
