"""Time as data: every deadline is a timer row; the sweep fires due rows and records each run;
reminders go to an outbox for delivery channels to pick up."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime
from workflow.notifications import STATUSES
from workflow.timer_kinds import TIMER_KINDS


def _sql_list(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


class SchedulerRun(Base):
    """One sweep: who ran it, why (the scheduler, the manual clock, run-due), up to which instant."""
    __tablename__ = "scheduler_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trigger: Mapped[str] = mapped_column(String(16))
    runner: Mapped[str] = mapped_column(String(200))
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    fired: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)


class Timer(Base):
    """A deadline: due at an instant (UTC), fired once by the sweep in the transaction of its effect
    (`run_id` names the sweep; a reminder cancelled because the case moved on has none).
    `key` names what the timer is for, so that scheduling the same deadline twice stores one row."""
    __tablename__ = "timers"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_sql_list(TIMER_KINDS)})", name="known_kind"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_timers_pending_due", "due_at", "id", sqlite_where=text("fired_at IS NULL"),
              postgresql_where=text("fired_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)
    employee_no: Mapped[str | None] = mapped_column(ForeignKey("managers.employee_no"), nullable=True, index=True)
    period: Mapped[str | None] = mapped_column(String(7), nullable=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("scheduler_runs.id"), nullable=True, index=True)
    result: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class OutboxMessage(Base):
    """A message for a delivery channel (e-mail, a group robot, a webhook): a reminder (one per timer and recipient)
    or a notice of what happened to a case (workflow/services/notices.py); written once per dedupe key."""
    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("timer_id", "recipient"),
                      CheckConstraint(f"status IN ({_sql_list(STATUSES)})", name="known_status"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(ForeignKey("users.username"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)
    timer_id: Mapped[int | None] = mapped_column(ForeignKey("timers.id"), nullable=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True, index=True)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # delivery (workflow/notifications.py): pending until every channel acknowledged it, dead after the last try
    status: Mapped[str] = mapped_column(String(16), server_default="pending", default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, server_default="0", default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # the channels that acknowledged it: a retry sends to the others only
    delivered_to: Mapped[list] = mapped_column(JSON, default=list, server_default=text("'[]'"))


class NoticeCursor(Base):
    """How far along the audit chain the notices have been written (one row per source read)."""
    __tablename__ = "notice_cursor"

    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)
