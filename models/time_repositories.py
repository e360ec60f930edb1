"""Queries for timers, scheduler runs, the outbox, calendar corrections and quarter closes."""
from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.accounts import User, UserRole
from models.calendar_days import CalendarChange, CalendarDay
from models.evaluations import QuarterClose, QuarterResult
from models.cases import Case
from models.managers import GradeHistory, Manager, PerformanceRecord
from models.repositories import _insert
from models.timers import OutboxMessage, SchedulerRun, Timer
from workflow.calendar import WorkingCalendar
from workflow.case_machine import PUBLISHED
from workflow.timer_kinds import APPEAL_WINDOW_END, PROBATION_END, REMINDER


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


class TimerRepository:
    def __init__(self, session: Session):
        self.session = session

    def schedule(self, **fields) -> None:
        """Insert the timer unless one with its key exists (then nothing changes): scheduling twice stores one row."""
        dialect = postgresql if _is_postgresql(self.session) else sqlite
        self.session.execute(dialect.insert(Timer).values(**fields).on_conflict_do_nothing(index_elements=["key"]))

    def get(self, timer_id: int) -> Timer | None:
        return self.session.get(Timer, timer_id, populate_existing=True)

    def pending_unclaimed(self, *, kind: str, case_id: int) -> list[Timer]:
        """The case's pending timers of `kind`, locked; on PostgreSQL without those a sweep is firing: a use case
        locks the case first and a sweep the timer first, so waiting here could deadlock. The handlers check
        the case again when they fire, so a skipped timer does no harm."""
        stmt = (select(Timer).where(Timer.kind == kind, Timer.fired_at.is_(None), Timer.case_id == case_id)
                .order_by(Timer.id))
        if _is_postgresql(self.session):
            stmt = stmt.with_for_update(skip_locked=True)
        return list(self.session.scalars(stmt))

    def next_due(self, until: datetime, now: datetime, skip: Collection[int], *, wait: bool) -> Timer | None:
        """The earliest unfired timer due at `until`, locked. On PostgreSQL a row another sweep holds is skipped,
        or with `wait` waited for (then re-checked: fired meanwhile, it no longer matches)."""
        stmt = (select(Timer).where(Timer.fired_at.is_(None), Timer.due_at <= until,
                                    or_(Timer.retry_at.is_(None), Timer.retry_at <= now))
                .order_by(Timer.due_at, Timer.id).limit(1))
        if skip:
            stmt = stmt.where(Timer.id.not_in(sorted(skip)))
        if _is_postgresql(self.session):
            stmt = stmt.with_for_update(skip_locked=not wait)
        return self.session.scalar(stmt.execution_options(populate_existing=True))

    def claim(self, timer: Timer, run_id: int, now: datetime) -> bool:
        """Mark the timer fired, unless another sweep did first: the guard of exactly-once firing
        (on SQLite, where there is no row lock, this conditional write is what serializes two sweeps)."""
        done = self.session.execute(update(Timer).where(Timer.id == timer.id, Timer.fired_at.is_(None))
                                    .values(fired_at=now, run_id=run_id).execution_options(synchronize_session=False))
        if done.rowcount != 1:
            return False
        self.session.refresh(timer)
        return True

    def probation_managers_without_timer(self, entry_grade: str) -> list[Manager]:
        has_timer = select(Timer.id).where(Timer.kind == PROBATION_END, Timer.employee_no == Manager.employee_no)
        return list(self.session.scalars(select(Manager).where(Manager.grade == entry_grade, ~has_timer.exists())))

    def waiting_cases_without_reminder(self, states: Collection[str]) -> list[Case]:
        pending = select(Timer.id).where(Timer.kind == REMINDER, Timer.case_id == Case.id, Timer.fired_at.is_(None))
        return list(self.session.scalars(select(Case).where(Case.state.in_(sorted(states)), ~pending.exists())))

    def published_cases_without_timer(self) -> list[Case]:
        pending = select(Timer.id).where(Timer.kind == APPEAL_WINDOW_END, Timer.case_id == Case.id,
                                         Timer.fired_at.is_(None))
        return list(self.session.scalars(select(Case).where(Case.state == PUBLISHED, ~pending.exists())))

    # --- runs ---------------------------------------------------------------------------
    def start_run(self, **fields) -> SchedulerRun:
        run = SchedulerRun(fired=0, failed=0, **fields)
        self.session.add(run)
        self.session.flush()
        return run

    def run(self, run_id: int) -> SchedulerRun:
        return self.session.get(SchedulerRun, run_id)


class OutboxRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, **fields) -> OutboxMessage:
        message = OutboxMessage(**fields)
        self.session.add(message)
        return message

    def active_users(self, *, role: str | None = None, employee_no: str | None = None) -> list[str]:
        stmt = select(User.username).where(User.active.is_(True)).order_by(User.username)
        if role is not None:
            stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
        if employee_no is not None:
            stmt = stmt.where(User.employee_no == employee_no)
        return list(self.session.scalars(stmt))


class CalendarRepository:
    def __init__(self, session: Session):
        self.session = session

    def working_calendar(self) -> WorkingCalendar:
        """The statutory calendar with every correction HR made."""
        rows = self.session.scalars(select(CalendarDay))
        days = {row.day: (row.working, row.name) for row in rows}
        return WorkingCalendar({d: w for d, (w, _) in days.items()}, {d: n for d, (_, n) in days.items()})

    def get(self, day: date, *, for_update: bool = False) -> CalendarDay | None:
        return self.session.get(CalendarDay, day, with_for_update=for_update or None)

    def put(self, day: date, **fields) -> CalendarDay:
        row = self.get(day, for_update=True)
        if row is None:
            row = CalendarDay(day=day, **fields)
            self.session.add(row)
        else:
            for name, value in fields.items():
                setattr(row, name, value)
        return row

    def add_change(self, **fields) -> CalendarChange:
        change = CalendarChange(**fields)
        self.session.add(change)
        return change

    def lock(self) -> None:
        """Serialize calendar changes (PostgreSQL; SQLite serializes writers anyway)."""
        if _is_postgresql(self.session):
            self.session.execute(select(func.pg_advisory_xact_lock(func.hashtext("calendar"))))


class EvaluationRepository:
    def __init__(self, session: Session):
        self.session = session

    def lock_period(self, period: str) -> None:
        """Serialize a quarter's close with the writes of its records (PostgreSQL; SQLite serializes writers)."""
        if _is_postgresql(self.session):
            self.session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"period:{period}"))))

    def close_of(self, period: str) -> QuarterClose | None:
        return self.session.get(QuarterClose, period)

    def add_close(self, **fields) -> QuarterClose:
        return _insert(self.session, QuarterClose(**fields), ("period",))

    def add_result(self, close: QuarterClose, **fields) -> QuarterResult:
        result = QuarterResult(period=close.period, **fields)
        close.results.append(result)  # cascades into the session; adding it too would list it twice
        return result

    def result(self, period: str, employee_no: str) -> QuarterResult | None:
        return self.session.get(QuarterResult, (period, employee_no))

    def records(self, period: str) -> list[PerformanceRecord]:
        return list(self.session.scalars(select(PerformanceRecord).where(PerformanceRecord.period == period)
                                         .order_by(PerformanceRecord.employee_no)))

    def grade_changes_after(self, employee_no: str, day: date) -> list[GradeHistory]:
        """The manager's grade changes effective after `day`, latest first (to walk back to the grade held then)."""
        return list(self.session.scalars(
            select(GradeHistory).where(GradeHistory.employee_no == employee_no, GradeHistory.effective_on > day)
            .order_by(GradeHistory.effective_on.desc(), GradeHistory.id.desc())))

    def demotion_years(self, employee_no: str, demote_event: str) -> set[int]:
        """The calendar years in which a demotion of the manager took effect."""
        days = self.session.scalars(select(GradeHistory.effective_on).where(
            GradeHistory.employee_no == employee_no, GradeHistory.event == demote_event))
        return {day.year for day in days}
