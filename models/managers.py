from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, ForeignKey, ForeignKeyConstraint, Integer, Numeric,
                        SmallInteger, String, Text, UniqueConstraint, event, inspect)
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, UTCDateTime
from workflow.ladder import MOVE_STAMP
from workflow.manager_events import KINDS as EVENT_KINDS, STANDINGS


class Manager(Base):
    """A customer manager on the grade ladder. `grade` changes only through the ladder."""
    __tablename__ = "managers"
    __table_args__ = (
        CheckConstraint("hire_date <= grade_since", name="hired_before_grade"),
        CheckConstraint("supervisor_no IS NULL OR supervisor_no <> employee_no", name="not_own_supervisor"),
        CheckConstraint(f"standing IN ({', '.join(repr(s) for s in STANDINGS)})", name="known_standing"),
    )

    employee_no: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    org_unit: Mapped[str] = mapped_column(String(100), index=True)
    grade: Mapped[str] = mapped_column(String(32), index=True)
    grade_since: Mapped[date] = mapped_column(Date)
    hire_date: Mapped[date] = mapped_column(Date)
    supervisor_no: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("managers.employee_no"), nullable=True, index=True)
    education: Mapped[str | None] = mapped_column(String(100), nullable=True)
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)  # for a policy's age limit
    certificates: Mapped[list] = mapped_column(JSON, default=list)  # 资格证书, as HR writes their names
    # active, or suspended (待岗): set only together with the manager event that changes it (workflow/manager_events.py)
    standing: Mapped[str] = mapped_column(String(16), server_default="active", default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GradeHistory(Base):
    """One dated grade change, written in the same transaction as the change itself."""
    __tablename__ = "grade_history"
    __table_args__ = (CheckConstraint("from_grade <> to_grade", name="grade_changes"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_no: Mapped[str] = mapped_column(ForeignKey("managers.employee_no"), index=True)
    from_grade: Mapped[str] = mapped_column(String(32))
    to_grade: Mapped[str] = mapped_column(String(32))
    event: Mapped[str] = mapped_column(String(32))
    effective_on: Mapped[date] = mapped_column(Date)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


# a period's text says its kind (workflow/periods.py): 2026, 2026H1, 2026Q3, 2026M03
MONTHS_IN_PERIOD = ("length(period) = 4 OR (substr(period, 5, 1) = 'H' AND months_worked <= 6) "
                    "OR (substr(period, 5, 1) = 'Q' AND months_worked <= 3) "
                    "OR (substr(period, 5, 1) = 'M' AND months_worked <= 1)")


class PerformanceRecord(Base):
    """A manager's score for a period (a year "2026", a half-year "2026H1", a quarter "2026Q3", a month "2026M03"):
    the latest of its versions, the one the rules use. It changes only together with a new PerformanceVersion
    (audit verify checks they agree)."""
    __tablename__ = "performance_records"
    __table_args__ = (
        CheckConstraint("months_worked >= 0 AND months_worked <= 12", name="months_in_year"),
        CheckConstraint(MONTHS_IN_PERIOD, name="months_in_period"),
    )

    employee_no: Mapped[str] = mapped_column(ForeignKey("managers.employee_no"), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    score: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    months_worked: Mapped[int] = mapped_column(SmallInteger)
    violation: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, server_default="1")  # the number of its latest version
    # where the policy's period scorecard makes the score: the parts entered and each part's points
    parts: Mapped[dict | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    # the policy's metrics entered with it (新客到店数, ...), by code, as text: for the close's grading rules
    metrics: Mapped[dict | None] = mapped_column(JSON(none_as_null=True), nullable=True)


class PerformanceVersion(Base):
    """Every value a performance record has had, with who recorded it, when and why: a correction adds a
    version and overwrites none (seed 004: 严禁任何人私自修改考评结果). Each version is a link of the audit chain."""
    __tablename__ = "performance_versions"
    __table_args__ = (
        UniqueConstraint("employee_no", "period", "version"),
        ForeignKeyConstraint(["employee_no", "period"],
                             ["performance_records.employee_no", "performance_records.period"]),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_no: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(7))
    version: Mapped[int] = mapped_column(Integer)
    score: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    months_worked: Mapped[int] = mapped_column(SmallInteger)
    violation: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    parts: Mapped[dict | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    metrics: Mapped[dict | None] = mapped_column(JSON(none_as_null=True), nullable=True)


class ExamResult(Base):
    """A manager's result in an exam HR organises (岗位技能鉴定, 业务考试), as entered once; a wrong entry is not
    overwritten. Each result is a link of the audit chain."""
    __tablename__ = "exam_results"
    __table_args__ = (UniqueConstraint("employee_no", "exam", "taken_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_no: Mapped[str] = mapped_column(ForeignKey("managers.employee_no"), index=True)
    exam: Mapped[str] = mapped_column(String(32))
    taken_on: Mapped[date] = mapped_column(Date)
    score: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(64))


class ManagerEvent(Base):
    """An event on a manager's record (workflow/manager_events.py), as entered once: a wrong entry is not
    overwritten. Each event is a link of the audit chain."""
    __tablename__ = "manager_events"
    __table_args__ = (
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in EVENT_KINDS)})", name="known_event_kind"),
        CheckConstraint("(kind = 'leave' AND days IS NOT NULL AND reason IS NOT NULL) "
                        "OR (kind <> 'leave' AND days IS NULL AND reason IS NULL)", name="leave_has_days"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employee_no: Mapped[str] = mapped_column(ForeignKey("managers.employee_no"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    days: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)  # a leave's length
    reason: Mapped[str | None] = mapped_column(String(16), nullable=True)  # a leave's reason
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by: Mapped[str] = mapped_column(String(64))


class GradeChangedWithoutHistory(RuntimeError):
    """A grade was written other than by the ladder, or without its history row: a bug, never a user error."""


@event.listens_for(Session, "before_flush")
def _every_grade_change_is_a_ladder_move_with_its_history_row(session: Session, _ctx, _instances) -> None:
    recorded = {(h.employee_no, h.from_grade, h.to_grade, h.event)
                for h in session.new if isinstance(h, GradeHistory)}
    for obj in session.dirty:
        if not isinstance(obj, Manager):
            continue
        history = inspect(obj).attrs.grade.history
        if not history.has_changes():
            continue
        before = history.deleted[0] if history.deleted else None
        move = getattr(obj, MOVE_STAMP, None)
        if (move is None or (move.from_grade, move.to_grade) != (before, obj.grade)
                or (obj.employee_no, before, obj.grade, move.event) not in recorded):
            raise GradeChangedWithoutHistory(
                f"manager {obj.employee_no}: grade {before!r} -> {obj.grade!r} was not set by the grade ladder "
                "together with its history row")
