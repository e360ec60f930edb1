"""One use case, one transaction: the unit of work commits on success and rolls back on any error."""
from __future__ import annotations

from typing import Callable, Protocol

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from models.case_repositories import CaseRepository, CycleRepository
from models.delegations import DelegationRepository
from models.repositories import (ExamResultRepository, GradeHistoryRepository, ManagerEventRepository,
                                 ManagerRepository, PerformanceRepository, UserRepository)
from models.policies import PolicyVersionRepository
from models.sqlite_writers import begin_immediate
from models.sign_in_attempts import SignInAttemptRepository
from models.time_repositories import CalendarRepository, EvaluationRepository, OutboxRepository, TimerRepository
from workflow.errors import Conflict


class SqlUnitOfWork:
    """`deferred`: flush instead of committing and leave the commit to the caller (a POST with an
    Idempotency-Key commits its response together with its change: api/idempotency.py)."""

    def __init__(self, session: Session, *, deferred: bool = False):
        self.session = session
        self.deferred = deferred
        self.users = UserRepository(session)
        self.sign_in_attempts = SignInAttemptRepository(session)
        self.managers = ManagerRepository(session)
        self.grade_history = GradeHistoryRepository(session)
        self.performance = PerformanceRepository(session)
        self.exams = ExamResultRepository(session)
        self.manager_events = ManagerEventRepository(session)
        self.cycles = CycleRepository(session)
        self.cases = CaseRepository(session)
        self.timers = TimerRepository(session)
        self.outbox = OutboxRepository(session)
        self.calendar = CalendarRepository(session)
        self.evaluations = EvaluationRepository(session)
        self.policies = PolicyVersionRepository(session)
        self.delegations = DelegationRepository(session)

    def __enter__(self) -> "SqlUnitOfWork":
        """`with uow()` is a use case that writes. On SQLite it takes the database's write lock now, not at
        its first write: what it reads is then what it changes (SQLite's equivalent of PostgreSQL's
        SELECT ... FOR UPDATE), and a request that lost a race sees the winner's work, not a stale copy."""
        if self.session.get_bind().dialect.name == "sqlite":
            connection = self.session.connection()
            if not connection.connection.driver_connection.in_transaction:
                begin_immediate(connection.connection.driver_connection)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
            return
        self.session.rollback()
        if isinstance(exc, StaleDataError):
            raise _version_conflict() from exc

    def commit(self) -> None:
        """Commit (deferred: flush); on failure roll back, a stale version becoming `version_conflict`."""
        try:
            if self.deferred:
                self.session.flush()
                # what commit would do: the answer is built from the database, not from the objects as
                # this request left them (a relationship appended in Python is not in its order_by)
                self.session.expire_all()
            else:
                self.session.commit()
        except StaleDataError as stale:  # a versioned row changed under us (models.cases.Case)
            self.session.rollback()
            raise _version_conflict() from stale
        except Exception:
            self.session.rollback()
            raise

    def flush(self) -> None:
        self.session.flush()

    def rollback(self) -> None:
        """Undo what the use case has done so far (a dry run); the unit of work then ends with nothing to commit."""
        self.session.rollback()


class UnitOfWorkFactory(Protocol):
    """Makes one unit of work per use case: `with make() as uow: ...`."""

    def __call__(self, *, deferred: bool = False) -> SqlUnitOfWork: ...


def unit_of_work_factory(session: Callable[[], Session]) -> UnitOfWorkFactory:
    """The one way to make units of work, Flask or not: `session` is called for each unit of work and
    returns the Session it runs on (Flask-SQLAlchemy's `db.session`, a `sessionmaker(bind=engine)`)."""
    def make(*, deferred: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(session(), deferred=deferred)
    return make


def _version_conflict() -> Conflict:
    return Conflict("version_conflict", "another request changed this record at the same moment; "
                    "reload it and try again")
