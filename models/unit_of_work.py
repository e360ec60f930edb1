"""One use case, one transaction: the unit of work commits on success and rolls back on any error."""
from __future__ import annotations

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from models.case_repositories import CaseRepository, CycleRepository
from models.repositories import GradeHistoryRepository, ManagerRepository, PerformanceRepository, UserRepository
from models.time_repositories import CalendarRepository, EvaluationRepository, OutboxRepository, TimerRepository
from workflow.errors import Conflict


class SqlUnitOfWork:
    def __init__(self, session: Session):
        self.session = session
        self.users = UserRepository(session)
        self.managers = ManagerRepository(session)
        self.grade_history = GradeHistoryRepository(session)
        self.performance = PerformanceRepository(session)
        self.cycles = CycleRepository(session)
        self.cases = CaseRepository(session)
        self.timers = TimerRepository(session)
        self.outbox = OutboxRepository(session)
        self.calendar = CalendarRepository(session)
        self.evaluations = EvaluationRepository(session)

    def __enter__(self) -> "SqlUnitOfWork":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            try:
                self.session.commit()
                return
            except Exception as failed:
                exc = failed
        self.session.rollback()
        if isinstance(exc, StaleDataError):  # a versioned row changed under us (models.cases.Case)
            raise Conflict("version_conflict", "another request changed this record at the same moment; "
                           "reload it and try again") from exc
        if exc_type is None:
            raise exc

    def flush(self) -> None:
        self.session.flush()
