"""Queries, one repository per aggregate. Services in workflow/ reach the database only through these."""
from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from sqlalchemy import bindparam, func, insert, inspect, literal, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased, joinedload
from sqlalchemy.orm.util import identity_key

from models.accounts import User, UserRole
from models.managers import ExamResult, GradeHistory, Manager, ManagerEvent, PerformanceRecord, PerformanceVersion
from workflow.errors import DuplicateKey
from workflow.escalation import leave_covers
from workflow.manager_events import LEAVE, MAX_LEAVE_DAYS


def _is_duplicate_of(exc: IntegrityError, table: str, key: str) -> bool:
    """Whether the insert broke the unique `key` ("col" or "col1, col2") of `table`;
    PostgreSQL and SQLite word it differently."""
    message = str(exc.orig)
    if getattr(exc.orig, "sqlstate", None) == "23505":
        return f"Key ({key})=" in message
    qualified = ", ".join(f"{table}.{column}" for column in key.split(", "))
    return f"UNIQUE constraint failed: {qualified}" in message


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _insert(session: Session, row, unique_keys: tuple[str, ...]):
    """Add and flush `row`. A unique key already taken (also by a concurrent transaction that
    committed after the use case looked) raises DuplicateKey; the caller's transaction is then
    rolled back by the unit of work."""
    _insert_all(session, [row], unique_keys)
    return row


def _insert_all(session: Session, rows: Sequence, unique_keys: tuple[str, ...]) -> None:
    """_insert for many rows of one table, in one flush."""
    session.add_all(rows)
    try:
        session.flush()
    except IntegrityError as exc:
        for key in unique_keys:
            if _is_duplicate_of(exc, rows[0].__tablename__, key):
                raise DuplicateKey(key) from None
        raise


# n ids from the sequence of a table's id column, on PostgreSQL
_NEXT_IDS = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)")


def _insert_rows(session: Session, model, rows: Sequence[dict], unique_keys: tuple[str, ...]) -> list[int]:
    """Insert `rows` of `model`'s table as rows, not objects, and return their ids in order: for the thousands of rows
    a period close writes, the ORM's bookkeeping of each costs more than the INSERT. The rows are given their ids
    before they go in, as one INSERT run for each row (the driver's executemany), since a multi-row INSERT ...
    RETURNING does not promise the order of its ids on SQLite, and on PostgreSQL its long text was parsed again by
    the driver at every call (3 ms for 50 cases). PostgreSQL's ids come from the table's sequence; SQLite's are
    those it would give, which is safe under the write lock that a unit of work holds on SQLite from its start
    (BEGIN IMMEDIATE). DuplicateKey as _insert_all raises it."""
    if not rows:
        return []
    session.flush()  # what the transaction holds as objects goes in first: a row may refer to one of them
    table = model.__table__
    try:
        if len(rows) == 1:  # the database gives one row its id
            return [session.connection().execute(insert(table), rows[0]).inserted_primary_key[0]]
        if _is_postgresql(session):
            ids = sorted(session.scalars(_NEXT_IDS, {"table": table.name, "n": len(rows)}))
        else:
            last = session.scalar(select(func.max(table.c.id))) or 0
            ids = list(range(last + 1, last + 1 + len(rows)))
        session.connection().execute(insert(table), [{**row, "id": id_} for row, id_ in zip(rows, ids)])
        return ids
    except IntegrityError as exc:
        for key in unique_keys:
            if _is_duplicate_of(exc, table.name, key):
                raise DuplicateKey(key) from None
        raise


def _page(session: Session, stmt, page: int, per_page: int):
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return items, total


# Built once: Session.get builds its statement again each time.
_USER_WITH_ROLES = select(User).options(joinedload(User.role_rows)).where(User.id == bindparam("user_id"))


@cache
def _holder_statement():
    """Every request reads its caller this way: columns, a row per role, no objects to build and track, and whether
    a delegation in force on the day (the parameter `day`) makes them someone's substitute, so that only then are
    their stand-ins read. Built on first use, once: models.delegations imports this module."""
    from models.delegations import substitute_on
    return (select(User.id, User.username, User.password_hash, User.employee_no, User.active, User.language,
                   UserRole.role, substitute_on(bindparam("day"), User.username).label("stands_in"))
            .outerjoin(UserRole, UserRole.user_id == User.id).where(User.id == bindparam("user_id")))


@dataclass(frozen=True)
class Holder:
    """A user as a credential (a bearer token, a page session) finds them: what authenticating and the caller's
    Actor need (workflow/services/accounts.py actor_for), read without building the account's objects."""
    id: int
    username: str
    password_hash: str
    employee_no: str | None
    active: bool
    language: str | None
    roles: tuple[str, ...]
    stands_in: bool  # a delegation in force on the day asked makes them someone's substitute


class UserRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, user_id: int) -> User | None:
        """The user with their roles, in one query; none when this session already holds them, fresh."""
        held = self.session.identity_map.get(identity_key(User, user_id))
        if held is not None and not inspect(held).expired_attributes:
            return held
        return self.session.execute(_USER_WITH_ROLES, {"user_id": user_id}).unique().scalar_one_or_none()

    def holder(self, user_id: int, day: date) -> Holder | None:
        """The user with their roles as they stand now, and whether they stand in for someone on `day`, in one query
        of columns (authentication, every request)."""
        rows = self.session.execute(_holder_statement(), {"user_id": user_id, "day": day}).all()
        if not rows:
            return None
        first = rows[0]
        return Holder(first.id, first.username, first.password_hash, first.employee_no, first.active,
                      first.language, tuple(sorted(row.role for row in rows if row.role is not None)),
                      bool(first.stands_in))

    def by_username(self, username: str) -> User | None:
        return self.session.scalar(select(User).where(User.username == username))

    def holding(self, employee_nos: Collection[str]) -> set[str]:
        """The employee numbers among these that have an account."""
        if not employee_nos:
            return set()
        return set(self.session.scalars(select(User.employee_no).where(User.employee_no.in_(sorted(employee_nos)))))

    def add(self, **fields) -> User:
        roles = fields.pop("roles")
        user = User(**fields)
        user.set_roles(roles)
        return _insert(self.session, user, ("username", "employee_no"))

    def page(self, page: int, per_page: int):
        return _page(self.session, select(User).order_by(User.username), page, per_page)

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(User))


class ManagerRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, employee_no: str, *, for_update: bool = False) -> Manager | None:
        return self.session.get(Manager, employee_no, with_for_update=for_update or None)

    def add(self, **fields) -> Manager:
        manager = Manager(**fields)
        return _insert(self.session, manager, ("employee_no",))

    def every(self, *, for_update: bool = False) -> list[Manager]:
        """Every manager, by employee number (an import compares its roster with them all)."""
        stmt = select(Manager).order_by(Manager.employee_no)
        return list(self.session.scalars(stmt.with_for_update() if for_update else stmt))

    def add_all(self, rows: list[dict]) -> None:
        """Insert managers in one statement (batched by the driver), in the order given: a supervisor before the
        managers they supervise. DuplicateKey when a concurrent transaction registered one of them meanwhile."""
        if not rows:
            return
        try:
            self.session.execute(insert(Manager).execution_options(render_nulls=True), rows)
        except IntegrityError as exc:
            if _is_duplicate_of(exc, Manager.__tablename__, "employee_no"):
                raise DuplicateKey("employee_no") from None
            raise

    def lock(self, employee_nos: Collection[str]) -> None:
        """Hold these managers' rows (those that exist) until the transaction ends, in one order for everyone."""
        if employee_nos:
            self.session.execute(select(Manager.employee_no).where(Manager.employee_no.in_(sorted(employee_nos)))
                                 .order_by(Manager.employee_no).with_for_update())

    def supervisor_chain(self, employee_no: str) -> list[str]:
        """The employee numbers above `employee_no`, nearest first."""
        return list(supervisor_chains(self.session, {employee_no}).get(employee_no, ()))

    def reports_of(self, employee_no: str) -> set[str]:
        """Everyone below `employee_no` in the supervisor tree."""
        return set(self.session.scalars(reports_below(employee_no)))

    def page(self, page: int, per_page: int, *, org_unit: str | None = None, grade: str | None = None):
        stmt = select(Manager).order_by(Manager.employee_no)
        if org_unit:
            stmt = stmt.where(Manager.org_unit == org_unit)
        if grade:
            stmt = stmt.where(Manager.grade == grade)
        return _page(self.session, stmt, page, per_page)

    def named(self, employee_nos: Collection[str], *, for_update: bool = False) -> dict[str, Manager]:
        """The managers of `employee_nos` (those that exist), by employee number, in one query; `for_update`:
        locked, in employee-number order (as `lock` locks them), and read afresh, as `get` does."""
        if not employee_nos:
            return {}
        stmt = select(Manager).where(Manager.employee_no.in_(sorted(employee_nos))).order_by(Manager.employee_no)
        if for_update:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return {m.employee_no: m for m in self.session.scalars(stmt)}

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(Manager))


# No organisation is this deep; the limit only ends a walk round a loop in the data (the service refuses
# to create one, but a walk must not hang on a database edited by hand).
MAX_CHAIN = 64


def supervisor_chains(session: Session, employee_nos: Collection[str]) -> dict[str, tuple[str, ...]]:
    """employee_no → the employee numbers above them, nearest first: every chain in one recursive query."""
    if not employee_nos:
        return {}
    return chains_from(session.execute(_SUPERVISOR_CHAINS, {"employee_nos": sorted(employee_nos)}))


def supervisor_chain_query():
    """The links (start, above, depth) of the chains above the employee numbers of the expanding parameter
    `employee_nos`, as a recursive query. Built once by its callers: building a statement costs more than
    running it."""
    above = aliased(Manager)
    chain = (select(Manager.employee_no.label("start"), Manager.supervisor_no.label("above"), literal(1).label("depth"))
             .where(Manager.employee_no.in_(bindparam("employee_nos", expanding=True)),
                    Manager.supervisor_no.is_not(None))
             .cte("chain", recursive=True))
    return chain.union_all(
        select(chain.c.start, above.supervisor_no, chain.c.depth + 1)
        .join(above, above.employee_no == chain.c.above)
        .where(above.supervisor_no.is_not(None), chain.c.depth < MAX_CHAIN))


def _supervisor_chains_statement():
    chain = supervisor_chain_query()
    return select(chain.c.start, chain.c.depth, chain.c.above)


_SUPERVISOR_CHAINS = _supervisor_chains_statement()


def chains_from(links) -> dict[str, tuple[str, ...]]:
    """The chains from their links (start, depth, employee_no above). A chain stops before a manager it has
    already passed (a loop in the data)."""
    chains: dict[str, list[str]] = {}
    stopped: set[str] = set()
    for start, _depth, employee_no in sorted(links, key=lambda link: (link[0], link[1])):
        walked = chains.setdefault(start, [])
        if start in stopped or employee_no == start or employee_no in walked:
            stopped.add(start)
            continue
        walked.append(employee_no)
    return {start: tuple(walked) for start, walked in chains.items()}


def reports_below(employee_no: str, name: str = "reports"):
    """A query of everyone below `employee_no` in the supervisor tree (UNION, not UNION ALL: a loop in the data
    ends the walk instead of repeating it); `name`: its CTE's, unique within one statement."""
    below = aliased(Manager)
    reports = select(Manager.employee_no).where(Manager.supervisor_no == employee_no).cte(name, recursive=True)
    reports = reports.union(select(below.employee_no).join(reports, below.supervisor_no == reports.c.employee_no))
    return select(reports.c.employee_no).where(reports.c.employee_no != employee_no)


class GradeHistoryRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, **fields) -> GradeHistory:
        row = GradeHistory(**fields)
        self.session.add(row)
        return row

    def page(self, employee_no: str, page: int, per_page: int):
        stmt = (select(GradeHistory).where(GradeHistory.employee_no == employee_no)
                .order_by(GradeHistory.effective_on, GradeHistory.id))
        return _page(self.session, stmt, page, per_page)


class ExamResultRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, **fields) -> ExamResult:
        return _insert(self.session, ExamResult(**fields), ("employee_no, exam, taken_on",))

    def for_manager(self, employee_no: str) -> list[ExamResult]:
        stmt = (select(ExamResult).where(ExamResult.employee_no == employee_no)
                .order_by(ExamResult.taken_on, ExamResult.exam))
        return list(self.session.scalars(stmt))

    def latest(self, employee_no: str, exam: str, since: date) -> ExamResult | None:
        """The manager's latest result in `exam` taken on `since` or later."""
        with self.session.no_autoflush:
            return self.session.scalar(
                select(ExamResult).where(ExamResult.employee_no == employee_no, ExamResult.exam == exam,
                                         ExamResult.taken_on >= since)
                .order_by(ExamResult.taken_on.desc()).limit(1))


class PerformanceRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, employee_no: str, period: str, *, for_update: bool = False) -> PerformanceRecord | None:
        return self.session.get(PerformanceRecord, (employee_no, period), with_for_update=for_update or None)

    def add(self, **fields) -> PerformanceRecord:
        record = PerformanceRecord(**fields)
        return _insert(self.session, record, ("employee_no, period",))

    def for_manager(self, employee_no: str) -> list[PerformanceRecord]:
        stmt = (select(PerformanceRecord).where(PerformanceRecord.employee_no == employee_no)
                .order_by(PerformanceRecord.period))
        return list(self.session.scalars(stmt))

    def scores(self, employee_no: str, periods: list[str]) -> dict[str, object]:
        """period → score of the manager's records for those periods (none: not recorded)."""
        if not periods:
            return {}
        with self.session.no_autoflush:
            rows = self.session.execute(select(PerformanceRecord.period, PerformanceRecord.score).where(
                PerformanceRecord.employee_no == employee_no, PerformanceRecord.period.in_(periods)))
            return {period: score for period, score in rows}

    def violations(self, employee_no: str, periods: list[str]) -> int:
        """How many of the manager's records for those periods have a compliance violation."""
        if not periods:
            return 0
        with self.session.no_autoflush:
            return self.session.scalar(select(func.count()).where(
                PerformanceRecord.employee_no == employee_no, PerformanceRecord.period.in_(periods),
                PerformanceRecord.violation.is_(True)))

    def add_version(self, **fields) -> PerformanceVersion:
        return _insert(self.session, PerformanceVersion(**fields), ("employee_no, period, version",))

    def versions(self, employee_no: str, period: str | None = None) -> list[PerformanceVersion]:
        stmt = (select(PerformanceVersion).where(PerformanceVersion.employee_no == employee_no)
                .order_by(PerformanceVersion.period, PerformanceVersion.version))
        if period is not None:
            stmt = stmt.where(PerformanceVersion.period == period)
        return list(self.session.scalars(stmt))


class ManagerEventRepository:
    def __init__(self, session: Session):
        self.session = session

    def add(self, **fields) -> ManagerEvent:
        event = ManagerEvent(**fields)
        self.session.add(event)
        self.session.flush()
        return event

    def for_manager(self, employee_no: str) -> list[ManagerEvent]:
        stmt = (select(ManagerEvent).where(ManagerEvent.employee_no == employee_no)
                .order_by(ManagerEvent.occurred_on, ManagerEvent.id))
        return list(self.session.scalars(stmt))

    def on_leave(self, employee_nos: Collection[str], day: date) -> set[str]:
        """Those of the managers a leave on their record covers on `day` (workflow/escalation.py leave_covers)."""
        if not employee_nos:
            return set()
        rows = self.session.execute(
            select(ManagerEvent.employee_no, ManagerEvent.occurred_on, ManagerEvent.days)
            .where(ManagerEvent.employee_no.in_(sorted(employee_nos)), ManagerEvent.kind == LEAVE,
                   ManagerEvent.occurred_on <= day, ManagerEvent.occurred_on > day - timedelta(days=MAX_LEAVE_DAYS)))
        return {no for no, occurred_on, days in rows if leave_covers(occurred_on, days, day)}

    def between(self, first_no: str, last_no: str, since: date, until: date) -> list:
        """The events from `since` to `until` of the managers from `first_no` to `last_no` (employee_no, kind,
        occurred_on, days, reason), by manager and day."""
        with self.session.no_autoflush:
            return list(self.session.execute(
                select(ManagerEvent.employee_no, ManagerEvent.kind, ManagerEvent.occurred_on, ManagerEvent.days,
                       ManagerEvent.reason)
                .where(ManagerEvent.employee_no.between(first_no, last_no),
                       ManagerEvent.occurred_on.between(since, until))
                .order_by(ManagerEvent.employee_no, ManagerEvent.occurred_on, ManagerEvent.id)))
