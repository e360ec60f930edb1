"""Queries, one repository per aggregate. Services in workflow/ reach the database only through these."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.accounts import User
from models.managers import GradeHistory, Manager, PerformanceRecord
from workflow.errors import DuplicateKey


def _is_duplicate_of(exc: IntegrityError, table: str, key: str) -> bool:
    """Whether the insert broke the unique `key` ("col" or "col1, col2") of `table`;
    PostgreSQL and SQLite word it differently."""
    message = str(exc.orig)
    if getattr(exc.orig, "sqlstate", None) == "23505":
        return f"Key ({key})=" in message
    qualified = ", ".join(f"{table}.{column}" for column in key.split(", "))
    return f"UNIQUE constraint failed: {qualified}" in message


def _insert(session: Session, row, unique_keys: tuple[str, ...]):
    """Add and flush `row`. A unique key already taken (also by a concurrent transaction that
    committed after the use case looked) raises DuplicateKey; the caller's transaction is then
    rolled back by the unit of work."""
    session.add(row)
    try:
        session.flush()
    except IntegrityError as exc:
        for key in unique_keys:
            if _is_duplicate_of(exc, row.__tablename__, key):
                raise DuplicateKey(key) from None
        raise
    return row


def _page(session: Session, stmt, page: int, per_page: int):
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return items, total


class UserRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, user_id: int) -> User | None:
        return self.session.get(User, user_id)

    def by_username(self, username: str) -> User | None:
        return self.session.scalar(select(User).where(User.username == username))

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

    def supervisor_chain(self, employee_no: str) -> list[str]:
        """The employee numbers above `employee_no`, nearest first (stops if the data has a cycle)."""
        chain: list[str] = []
        current = self.session.scalar(select(Manager.supervisor_no).where(Manager.employee_no == employee_no))
        while current and current not in chain and current != employee_no:
            chain.append(current)
            current = self.session.scalar(select(Manager.supervisor_no).where(Manager.employee_no == current))
        return chain

    def reports_of(self, employee_no: str) -> set[str]:
        """Everyone below `employee_no` in the supervisor tree."""
        found: set[str] = set()
        frontier = {employee_no}
        while frontier:
            below = set(self.session.scalars(select(Manager.employee_no).where(Manager.supervisor_no.in_(frontier))))
            frontier = below - found - {employee_no}
            found |= frontier
        return found

    def page(self, page: int, per_page: int, *, org_unit: str | None = None, grade: str | None = None):
        stmt = select(Manager).order_by(Manager.employee_no)
        if org_unit:
            stmt = stmt.where(Manager.org_unit == org_unit)
        if grade:
            stmt = stmt.where(Manager.grade == grade)
        return _page(self.session, stmt, page, per_page)

    def count(self) -> int:
        return self.session.scalar(select(func.count()).select_from(Manager))


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
