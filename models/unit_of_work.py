"""One use case, one transaction: the unit of work commits on success and rolls back on any error."""
from __future__ import annotations

from sqlalchemy.orm import Session

from models.repositories import GradeHistoryRepository, ManagerRepository, PerformanceRepository, UserRepository


class SqlUnitOfWork:
    def __init__(self, session: Session):
        self.session = session
        self.users = UserRepository(session)
        self.managers = ManagerRepository(session)
        self.grade_history = GradeHistoryRepository(session)
        self.performance = PerformanceRepository(session)

    def __enter__(self) -> "SqlUnitOfWork":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.session.commit()
        else:
            self.session.rollback()

    def flush(self) -> None:
        self.session.flush()
