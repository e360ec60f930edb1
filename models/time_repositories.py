"""Queries for timers, scheduler runs, the outbox, calendar corrections and quarter closes."""
from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime

from sqlalchemy import Row, and_, bindparam, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from models.accounts import User, UserRole
from models.audit import AuditLink
from models.calendar_days import CalendarChange, CalendarDay
from models.evaluations import QuarterClose, QuarterResult
from models.cases import Case, CaseHistory
from models.managers import GradeHistory, Manager, PerformanceRecord
from models.repositories import _insert, _is_postgresql
from models.timers import NoticeCursor, OutboxMessage, SchedulerRun, Timer
from models.transaction_memo import transaction_memo
from workflow.calendar import WorkingCalendar
from workflow.case_machine import OPEN_STATES, PUBLISHED
from workflow.quarter_close import KEPT
from workflow.timer_kinds import APPEAL_WINDOW_END, PROBATION_END, REMINDER


# the key under which models.audit keeps the history entries a transaction wrote until it links them at commit
_UNCHAINED = "unchained"


def _cancel_pending_statement(skip_locked: bool):
    """TimerRepository.cancel_pending's statement, built once (building it cost more than running it)."""
    pending = select(Timer.id).where(Timer.kind == bindparam("timer_kind"), Timer.fired_at.is_(None),
                                     Timer.case_id == bindparam("of_case"))
    if skip_locked:
        pending = pending.with_for_update(skip_locked=True)
    return (update(Timer).where(Timer.id.in_(pending)).values(fired_at=bindparam("at"), result=bindparam("why"))
            .execution_options(synchronize_session="fetch"))


_CANCEL_PENDING = {postgresql: _cancel_pending_statement(postgresql) for postgresql in (False, True)}
# TimerRepository.schedule's statement for each dialect, built once (as _CANCEL_PENDING: building cost more than
# running it)
_SCHEDULE = {dialect: dialect.insert(Timer).on_conflict_do_nothing(index_elements=["key"])
             for dialect in (postgresql, sqlite)}
_RESULTS = QuarterResult.__table__
_RESULT_COLUMNS = "period, employee_no, outcome, reasons, case_id"  # in the order of add_results' values


class TimerRepository:
    def __init__(self, session: Session):
        self.session = session

    def schedule(self, **fields) -> None:
        """Insert the timer unless one with its key exists (then nothing changes): scheduling twice stores one row."""
        self.session.execute(_SCHEDULE[postgresql if _is_postgresql(self.session) else sqlite], fields)

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

    def cancel_pending(self, *, kind: str, case_id: int, at: datetime, why: str) -> None:
        """Mark the case's pending timers of `kind` fired with `why`, in one statement; like pending_unclaimed,
        those a sweep is firing are skipped on PostgreSQL."""
        self.session.execute(_CANCEL_PENDING[_is_postgresql(self.session)],
                             {"timer_kind": kind, "of_case": case_id, "at": at, "why": why})

    def schedule_all(self, rows: Sequence[dict]) -> None:
        """`schedule` for many timers in one statement (rows with the same keys)."""
        if rows:
            self.session.execute(_SCHEDULE[postgresql if _is_postgresql(self.session) else sqlite]
                                 .execution_options(render_nulls=True), list(rows))

    def due(self, until: datetime, now: datetime, skip: Collection[int], *, wait: bool, limit: int) -> list[Timer]:
        """Up to `limit` unfired timers due at `until`, earliest first, locked. On PostgreSQL rows another sweep
        holds are skipped, or with `wait` waited for (then re-checked: fired meanwhile, they no longer match)."""
        stmt = select(Timer).where(*_due(until, now, skip)).order_by(Timer.due_at, Timer.id).limit(limit)
        if _is_postgresql(self.session):
            stmt = stmt.with_for_update(skip_locked=not wait)
        return list(self.session.scalars(stmt.execution_options(populate_existing=True)))

    def count_due(self, until: datetime, now: datetime, skip: Collection[int]) -> int:
        """How many timers `due` would still give (for a sweep's progress)."""
        return self.session.scalar(select(func.count()).select_from(Timer).where(*_due(until, now, skip)))

    def claim(self, timers: Sequence[Timer], run_id: int, now: datetime) -> list[Timer]:
        """Mark the timers fired by the run, except those another sweep fired first: the guard of exactly-once
        firing, in one statement. Returns the claimed ones, in the order given."""
        if not timers:
            return []
        claimed = set(self.session.scalars(
            update(Timer).where(Timer.id.in_([t.id for t in timers]), Timer.fired_at.is_(None))
            .values(fired_at=now, run_id=run_id).returning(Timer.id).execution_options(synchronize_session=False)))
        for timer in timers:
            if timer.id in claimed:
                set_committed_value(timer, "fired_at", now)
                set_committed_value(timer, "run_id", run_id)
        return [t for t in timers if t.id in claimed]

    @contextmanager
    def attempt(self) -> Iterator[None]:
        """One timer's effect inside a batch's transaction: a savepoint, rolled back alone if the effect fails.
        The history entries of the batch are linked into the chain once, when the batch commits: models.audit
        links what a transaction wrote when it commits and forgets it when it rolls back, a savepoint's release
        and rollback included, so the batch's entries wait here, out of its reach, while a savepoint ends."""
        savepoint = self.session.begin_nested()  # flushes what the batch did before
        kept = self.session.info.pop(_UNCHAINED, [])
        try:
            yield
            self.session.flush()
        except BaseException:
            savepoint.rollback()  # models.audit forgets the entries of this savepoint only
            raise
        else:
            kept += self.session.info.pop(_UNCHAINED, [])
            savepoint.commit()  # released: nothing for models.audit to link yet
        finally:
            if kept:
                self.session.info[_UNCHAINED] = kept

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

    def count(self, run_id: int, *, fired: int, failed: int) -> None:
        """Add what a batch of the run fired and failed to its counts, in the batch's transaction."""
        if fired or failed:
            self.session.execute(update(SchedulerRun).where(SchedulerRun.id == run_id).values(
                fired=SchedulerRun.fired + fired, failed=SchedulerRun.failed + failed))


class OutboxRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, **fields) -> OutboxMessage:
        message = OutboxMessage(**fields)
        self.session.add(message)
        return message

    def claim_due(self, now: datetime) -> OutboxMessage | None:
        """The oldest pending message due now, locked (PostgreSQL: one a concurrent sender holds is skipped)."""
        stmt = (select(OutboxMessage).where(OutboxMessage.status == "pending", or_(
            OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
                .order_by(OutboxMessage.id).limit(1))
        if _is_postgresql(self.session):
            stmt = stmt.with_for_update(skip_locked=True)
        return self.session.scalar(stmt)

    def get(self, message_id: int, *, for_update: bool = False) -> OutboxMessage | None:
        return self.session.get(OutboxMessage, message_id, with_for_update=for_update or None)

    def page(self, status: str | None, page: int, per_page: int):
        stmt = select(OutboxMessage).order_by(OutboxMessage.id.desc())
        if status is not None:
            stmt = stmt.where(OutboxMessage.status == status)
        total = self.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
        return list(self.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page))), total

    def accounts(self, usernames: Collection[str]) -> dict[str, User]:
        """The recipients' accounts (their language, e-mail address, mobile number)."""
        if not usernames:
            return {}
        return {u.username: u for u in self.session.scalars(select(User).where(User.username.in_(usernames)))}

    def existing_keys(self, keys: Collection[str]) -> set[str]:
        if not keys:
            return set()
        return set(self.session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys))))

    def cursor(self, source: str) -> NoticeCursor:
        """How far the notices have read `source`, locked until the transaction ends (one writer of notices); a
        database made without the migrations (tests, create_all) starts from the beginning."""
        cursor = self.session.get(NoticeCursor, source, with_for_update=True)
        if cursor is None:  # two writers may both miss it: one inserts, both then lock the same row
            dialect = postgresql if _is_postgresql(self.session) else sqlite
            self.session.execute(dialect.insert(NoticeCursor).values(source=source, last_seq=0)
                                 .on_conflict_do_nothing())
            cursor = self.session.get(NoticeCursor, source, with_for_update=True)
        return cursor

    def chain_after(self, seq: int, limit: int) -> list[tuple[int, str, int]]:
        """(seq, source, source_id) of the audit chain's links after `seq`, in commit order."""
        stmt = (select(AuditLink.seq, AuditLink.source, AuditLink.source_id).where(AuditLink.seq > seq)
                .order_by(AuditLink.seq).limit(limit))
        return [tuple(row) for row in self.session.execute(stmt)]

    def history_entries(self, ids: Collection[int]) -> list[CaseHistory]:
        if not ids:
            return []
        return list(self.session.scalars(select(CaseHistory).where(CaseHistory.id.in_(ids)).order_by(CaseHistory.id)))

    def waits_begun_before(self, states: Collection[str], before: datetime) -> list[Case]:
        """Open cases waiting in `states` since before `before`, not overdue yet."""
        return list(self.session.scalars(select(Case).where(
            Case.state.in_(states), Case.overdue_since.is_(None), Case.state_since <= before).order_by(Case.id)))

    def appeal_windows_closing(self, after: datetime, until: datetime) -> list[Case]:
        """Published cases whose appeal window closes in (after, until], not appealed yet (one appeal per case: a
        case back in publication with its appeal answered may not be appealed again)."""
        return list(self.session.scalars(select(Case).where(
            Case.state == PUBLISHED, Case.appeal_deadline > after, Case.appeal_deadline <= until, ~Case.appeal.has())
            .order_by(Case.id)))

    def active_users(self, *, role: str | None = None, employee_no: str | None = None) -> list[str]:
        stmt = select(User.username).where(User.active.is_(True)).order_by(User.username)
        if role is not None:
            stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
        if employee_no is not None:
            stmt = stmt.where(User.employee_no == employee_no)
        return list(self.session.scalars(stmt))


_CALENDAR = "working_calendar"  # its key in the transaction memo


class CalendarRepository:
    def __init__(self, session: Session):
        self.session = session

    def working_calendar(self) -> WorkingCalendar:
        """The statutory calendar with every correction HR made, read once per transaction (a sweep's batch
        schedules the reminders of many cases by it); `put` flushes its correction and forgets what was read,
        so reading needs no flush of the caller's other changes."""
        memo = transaction_memo(self.session)
        if _CALENDAR not in memo:
            with self.session.no_autoflush:
                days = {day: (working, name) for day, working, name in self.session.execute(
                    select(CalendarDay.day, CalendarDay.working, CalendarDay.name))}
            memo[_CALENDAR] = WorkingCalendar({d: w for d, (w, _) in days.items()},
                                              {d: n for d, (_, n) in days.items()})
        return memo[_CALENDAR]

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
        self.session.flush()
        transaction_memo(self.session).pop(_CALENDAR, None)
        return row

    def recent_changes(self, limit: int) -> list[CalendarChange]:
        """The latest changes of the calendar, newest first (one statement)."""
        return list(self.session.scalars(select(CalendarChange).order_by(CalendarChange.id.desc()).limit(limit)))

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

    def close_progress(self, period: str) -> tuple[int, int]:
        """(managers with a result, records of the period): how far its close is."""
        done = self.session.scalar(select(func.count()).where(QuarterResult.period == period))
        return done, max(done, self.session.scalar(select(func.count()).where(PerformanceRecord.period == period)))

    def lock_period(self, period: str) -> None:
        """Serialize a quarter's close with the writes of its records (PostgreSQL; SQLite serializes writers)."""
        if _is_postgresql(self.session):
            self.session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"period:{period}"))))

    def close_of(self, period: str) -> QuarterClose | None:
        return self.session.get(QuarterClose, period)

    def add_close(self, **fields) -> QuarterClose:
        return _insert(self.session, QuarterClose(**fields), ("period",))

    def pending(self, period: str, limit: int | None, *, lock: bool = True) -> list[Row]:
        """The quarter's records of managers still without a result, by employee number, with the manager's
        grade (since when), org unit, standing, hiring and education now (employee_no, score, months_worked,
        violation, metrics, grade, grade_since, org_unit, standing, hire_date, education); on PostgreSQL the
        managers are locked (unless `lock` is False: a read that writes nothing)."""
        # The close goes by employee number, a part's results committed with it, and the quarter's records are
        # locked from its first part on: those done are exactly the ones up to the last result. So a part starts
        # after it, rather than look each record up among the results (that anti-join read every result so far at
        # each part, where the planner's statistics had the results' table empty: a close of 100,000 on PostgreSQL
        # spent 2.7 s in it). A result written twice would still be refused by the results' primary key.
        # The managers are asked to start there too: otherwise PostgreSQL's merge join walked their index from its
        # first row to the part's (15 ms for the part after 50,000 managers, against 0.7 ms).
        after_last_done = func.coalesce(select(func.max(QuarterResult.employee_no))
                                        .where(QuarterResult.period == period).scalar_subquery(), "")
        stmt = (select(PerformanceRecord.employee_no, PerformanceRecord.score, PerformanceRecord.months_worked,
                       PerformanceRecord.violation, PerformanceRecord.metrics, Manager.grade, Manager.grade_since,
                       Manager.org_unit, Manager.standing, Manager.hire_date, Manager.education)
                .join(Manager, Manager.employee_no == PerformanceRecord.employee_no)
                .where(PerformanceRecord.period == period, PerformanceRecord.employee_no > after_last_done,
                       Manager.employee_no > after_last_done)
                .order_by(PerformanceRecord.employee_no).limit(limit))
        if lock and _is_postgresql(self.session):
            stmt = stmt.with_for_update(of=Manager)
        return list(self.session.execute(stmt))

    def earlier(self, periods: Collection[str], first: str, last: str) -> list[Row]:
        """The records of `periods` of the managers from `first` to `last`, each with the reasons of its
        quarter's result if that quarter was closed (employee_no, period, score, months_worked, violation, metrics,
        reasons)."""
        stmt = (select(PerformanceRecord.employee_no, PerformanceRecord.period, PerformanceRecord.score,
                       PerformanceRecord.months_worked, PerformanceRecord.violation, PerformanceRecord.metrics,
                       QuarterResult.reasons)
                .outerjoin(QuarterResult, and_(QuarterResult.period == PerformanceRecord.period,
                                               QuarterResult.employee_no == PerformanceRecord.employee_no))
                .where(PerformanceRecord.period.in_(sorted(periods)),
                       PerformanceRecord.employee_no.between(first, last)))
        return list(self.session.execute(stmt))

    def population(self, periods: Collection[str]) -> list[Row]:
        """Every record of `periods`, with the manager's grade and org unit now (employee_no, period, score,
        months_worked, grade, org_unit): the peers a grading rule ranks a manager among."""
        return list(self.session.execute(
            select(PerformanceRecord.employee_no, PerformanceRecord.period, PerformanceRecord.score,
                   PerformanceRecord.months_worked, Manager.grade, Manager.org_unit)
            .join(Manager, Manager.employee_no == PerformanceRecord.employee_no)
            .where(PerformanceRecord.period.in_(sorted(periods)))))

    def grade_changes(self, first: str, last: str, after: date) -> list[Row]:
        """The grade changes effective after `after` of the managers from `first` to `last`, each manager's latest
        first (employee_no, effective_on, from_grade): to walk back to the grade held on a day."""
        return list(self.session.execute(
            select(GradeHistory.employee_no, GradeHistory.effective_on, GradeHistory.from_grade)
            .where(GradeHistory.employee_no.between(first, last), GradeHistory.effective_on > after)
            .order_by(GradeHistory.employee_no, GradeHistory.effective_on.desc(), GradeHistory.id.desc())))

    def with_open_case(self, employee_nos: Collection[str]) -> set[str]:
        """Those of the managers who have an open case."""
        if not employee_nos:
            return set()
        return set(self.session.scalars(select(Case.employee_no).where(
            Case.employee_no.in_(sorted(employee_nos)), Case.state.in_(OPEN_STATES))))

    def add_results(self, rows: Sequence[dict]) -> None:
        """Rows, not objects (a close writes one per manager, and nothing reads them back as objects), handed to the
        driver itself: on PostgreSQL by COPY (3.7 ms for 1,000 results, where the driver's executemany took 13 ms),
        on SQLite by its executemany without SQLAlchemy's processing of each row's parameters (most of the time it
        took). The reasons are serialized by the column type's own processor, as an INSERT through SQLAlchemy does."""
        if not rows:
            return
        connection = self.session.connection()
        as_json = _RESULTS.c.reasons.type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
        values = ((row["period"], row["employee_no"], row["outcome"], as_json(row["reasons"]), row["case_id"])
                  for row in rows)
        driver = connection.connection.driver_connection
        if connection.dialect.name == "postgresql":
            with driver.cursor() as cursor, cursor.copy(f"COPY {_RESULTS.name} ({_RESULT_COLUMNS}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            driver.executemany(f"INSERT INTO {_RESULTS.name} ({_RESULT_COLUMNS}) VALUES (?, ?, ?, ?, ?)", values)

    def summarized_outcomes(self, period: str) -> tuple[int, list[Row]]:
        """How many results the close has, and those other than `kept` (employee_no, outcome, case_id), by employee
        number: what its summary lists (most managers keep their grade: a close of 100,000 reads a tenth of them)."""
        evaluated = self.session.scalar(select(func.count()).where(QuarterResult.period == period))
        return evaluated, list(self.session.execute(
            select(QuarterResult.employee_no, QuarterResult.outcome, QuarterResult.case_id)
            .where(QuarterResult.period == period, QuarterResult.outcome != KEPT).order_by(QuarterResult.employee_no)))

    def results(self, period: str) -> list[Row]:
        """The close's results with what a list of them shows, by employee number: (employee_no, outcome, reasons,
        case_id, name, org_unit, grade now, the period's score and months worked)."""
        return list(self.session.execute(
            select(QuarterResult.employee_no, QuarterResult.outcome, QuarterResult.reasons, QuarterResult.case_id,
                   Manager.name, Manager.org_unit, Manager.grade, PerformanceRecord.score,
                   PerformanceRecord.months_worked)
            .join(Manager, Manager.employee_no == QuarterResult.employee_no)
            .outerjoin(PerformanceRecord, and_(PerformanceRecord.employee_no == QuarterResult.employee_no,
                                               PerformanceRecord.period == QuarterResult.period))
            .where(QuarterResult.period == period).order_by(QuarterResult.employee_no)))

    def result(self, period: str, employee_no: str) -> QuarterResult | None:
        return self.session.get(QuarterResult, (period, employee_no))

    def demotion_years(self, employee_no: str, demote_event: str) -> set[int]:
        """The calendar years in which a demotion of the manager took effect."""
        days = self.session.scalars(select(GradeHistory.effective_on).where(
            GradeHistory.employee_no == employee_no, GradeHistory.event == demote_event))
        return {day.year for day in days}


def _due(until: datetime, now: datetime, skip: Collection[int]) -> list:
    """The conditions of an unfired timer due at `until` and not waiting to be retried, other than `skip`."""
    conditions = [Timer.fired_at.is_(None), Timer.due_at <= until, or_(Timer.retry_at.is_(None), Timer.retry_at <= now)]
    if skip:
        conditions.append(Timer.id.not_in(sorted(skip)))
    return conditions
