"""Queries, one repository per aggregate. Services in workflow/ reach the database only through these."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.accounts import User
from models.managers import GradeHistory, Manager, PerformanceRecord


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

    def by_employee_no(self, employee_no: str) -> User | None:
        return self.session.scalar(select(User).where(User.employee_no == employee_no))

    def add(self, **fields) -> User:
        roles = fields.pop("roles")
        user = User(**fields)
        user.set_roles(roles)
        self.session.add(user)
        return user

    def page(self, page: int, per_page: int):
        return _page(self.session, select(User).order_by(User.username), page, per_page)


class ManagerRepository:
    def __init__(self, session: Session):
        self.session = session

    def get(self, employee_no: str, *, for_update: bool = False) -> Manager | None:
        return self.session.get(Manager, employee_no, with_for_update=for_update or None)

    def add(self, **fields) -> Manager:
        manager = Manager(**fields)
        self.session.add(manager)
        return manager

    def supervisor_chain(self, employee_no: str) -> list[str]:
        """The employee numbers above `employee_no`, nearest first (stops if the data has a cycle)."""
        chain: list[str] = []
        current = self.session.scalar(select(Manager.supervisor_no).where(Manager.employee_no == employee_no))
        while current and current not in chain and current != employee_no:
            chain.append(current)
            current = self.session.scalar(select(Manager.supervisor_no).where(Manager.employee_no == current))
        return chain

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
        self.session.add(record)
        return record

    def for_manager(self, employee_no: str) -> list[PerformanceRecord]:
        stmt = (select(PerformanceRecord).where(PerformanceRecord.employee_no == employee_no)
                .order_by(PerformanceRecord.period))
        return list(self.session.scalars(stmt))
