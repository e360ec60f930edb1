"""Fixtures for the tests of the services below HTTP: no Flask app, no request.

The database is SQLite in memory, one per test session, its schema built by the project's own Alembic
migrations (as tests/conftest.py builds its databases), and emptied after each test. The rules run on a
manual clock that each test moves itself; the units of work come from models' factory, the one
api/context.py uses. A service is called as the API calls it: inside `with unit_of_work() as uow`, which
commits when the block ends and rolls back when it raises.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.orm import scoped_session, sessionmaker
from sqlalchemy.pool import StaticPool

from models import db
from models.unit_of_work import UnitOfWorkFactory, unit_of_work_factory
from workflow.accounts import Actor
from workflow.clock import FixedClock
from workflow.passwords import Passwords
from workflow.policy import load_policy
from workflow.services.accounts import OPERATOR, actor_for, create_user
from workflow.services.cases import fire_event, submit_case
from workflow.services.committee import put_score
from workflow.services.context import Rules
from workflow.services.cycles import create_cycle, decide_cycle, publish_cycle, set_committee
from workflow.services.managers import record_performance, register_manager

MIGRATIONS = Path(__file__).resolve().parents[2] / "models" / "migrations"
SHANGHAI = timezone(timedelta(hours=8))
CLOCK_START = datetime(2026, 9, 1, 9, 0, tzinfo=SHANGHAI)
PASSWORD = "correct horse battery"
CYCLE = "2026H2"
SHANGHAI_BRANCH = "上海分行"


def migrate(engine: sa.Engine) -> None:
    """Run every migration's upgrade() in order, as `flask db upgrade` does, without the Flask app that the
    migrations' env.py asks for."""
    revisions = reversed(list(ScriptDirectory(str(MIGRATIONS)).walk_revisions("base", "heads")))
    with engine.begin() as connection, Operations.context(MigrationContext.configure(connection)):
        for revision in revisions:
            revision.module.upgrade()


@pytest.fixture(scope="session")
def engine() -> Iterator[sa.Engine]:
    """One in-memory database for the session: StaticPool keeps its single connection (the database lives
    as long as it does), shared by every session of every test."""
    engine = sa.create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine) -> Iterator[scoped_session]:
    """The test's session (as Flask-SQLAlchemy's db.session is a request's); the tables are emptied after."""
    sessions = scoped_session(sessionmaker(bind=engine))
    yield sessions
    sessions.remove()
    with engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def unit_of_work(sessions) -> UnitOfWorkFactory:
    return unit_of_work_factory(sessions)


@pytest.fixture(scope="session")
def default_rules() -> Rules:
    return Rules.for_policy(load_policy(), FixedClock(CLOCK_START))


@pytest.fixture
def clock() -> FixedClock:
    """The manual clock: it stands still until the test moves it (`clock.set(instant)`)."""
    return FixedClock(CLOCK_START)


@pytest.fixture
def rules(default_rules, clock) -> Rules:
    """The default policy, its ladder and case machine (built once), on this test's clock."""
    return dataclasses.replace(default_rules, clock=clock)


@pytest.fixture(scope="session")
def passwords() -> Passwords:
    return Passwords(time_cost=1, memory_cost=64)


@dataclasses.dataclass
class People:
    """Creates users and managers through the real use cases, each in a unit of work of its own, as hr at
    the command line would."""
    unit_of_work: UnitOfWorkFactory
    rules: Rules
    passwords: Passwords

    def user(self, username: str, *roles: str, employee_no: str | None = None) -> Actor:
        with self.unit_of_work() as uow:
            created = create_user(uow, self.rules, self.passwords, OPERATOR, username=username, password=PASSWORD,
                                  roles=roles, employee_no=employee_no)
            return actor_for(created)

    def manager(self, employee_no: str, grade: str, *, org_unit: str, grade_since: date,
                supervisor: str | None = None, annual_score: str | None = None) -> str:
        """Registered with `grade` since `grade_since` (hired then); `annual_score`: their 2025 score."""
        with self.unit_of_work() as uow:
            register_manager(uow, self.rules, OPERATOR, employee_no=employee_no, name=f"经理{employee_no}",
                             org_unit=org_unit, grade=grade, grade_since=grade_since, hire_date=grade_since,
                             supervisor=supervisor)
        if annual_score is not None:
            self.performance(employee_no, "2025", annual_score)
        return employee_no

    def performance(self, employee_no: str, period: str, score: str, months_worked: int = 12) -> None:
        with self.unit_of_work() as uow:
            record_performance(uow, self.rules, OPERATOR, employee_no, period, score=Decimal(score),
                               months_worked=months_worked)


@pytest.fixture
def people(unit_of_work, rules, passwords) -> People:
    return People(unit_of_work, rules, passwords)


@pytest.fixture
def use_case(unit_of_work, rules) -> Callable:
    """`use_case(service, *args, **kwargs)`: service(uow, rules, *args, **kwargs) in a unit of work of its own,
    committed when it returns; its result."""
    def run(service: Callable, *args, **kwargs):
        with unit_of_work() as uow:
            return service(uow, rules, *args, **kwargs)
    return run


@dataclasses.dataclass(frozen=True)
class Organisation:
    org_unit: str
    cycle: str  # a promotion cycle, open for applications
    hr: Actor
    supervisor: Actor  # sh00, the user of SH00 (senior), who supervises SH01 and SH02
    applicant: Actor  # sh01, the user of SH01 (junior since 2025-01-01, 2025 score 85: rank 1 of 2)
    chair: Actor
    committee: tuple[Actor, ...]  # the chair and two members: the default policy's quorum of three


@pytest.fixture
def organisation(people, use_case) -> Organisation:
    """上海分行 with a promotion cycle (2026H2) and its committee, set up through the use cases."""
    hr = people.user("hr1", "hr")
    people.manager("SH00", "senior", org_unit=SHANGHAI_BRANCH, grade_since=date(2020, 1, 1))
    people.manager("SH01", "junior", org_unit=SHANGHAI_BRANCH, grade_since=date(2025, 1, 1), supervisor="SH00",
                   annual_score="85")
    people.manager("SH02", "junior", org_unit=SHANGHAI_BRANCH, grade_since=date(2025, 1, 1), supervisor="SH00",
                   annual_score="70")
    supervisor = people.user("sh00", "employee", "supervisor", employee_no="SH00")
    applicant = people.user("sh01", "employee", employee_no="SH01")
    committee = tuple(people.user(name, "committee") for name in ("chair1", "member2", "member3"))
    use_case(create_cycle, hr, code=CYCLE, name="2026年下半年客户经理等级评审")
    use_case(set_committee, hr, CYCLE, chair="chair1", members=["member2", "member3"])
    return Organisation(org_unit=SHANGHAI_BRANCH, cycle=CYCLE, hr=hr, supervisor=supervisor, applicant=applicant,
                        chair=committee[0], committee=committee)


@dataclasses.dataclass
class PromotionSteps:
    """SH01's application for mid, one use case per step, each as its caller: the applicant applies, their
    supervisor reviews, each member scores, the chair decides the cycle, hr publishes it."""
    use_case: Callable
    clock: FixedClock
    org: Organisation

    def apply(self, statement: str = "申请晋升为中级客户经理") -> int:
        return self.use_case(submit_case, self.org.applicant, kind="promotion", cycle=CYCLE, target_grade="mid",
                             statement=statement).id

    def review(self, case_id: int, supervisor_score: str = "85") -> str:
        return self.use_case(fire_event, self.org.supervisor, case_id, "approve_materials",
                             supervisor_score=Decimal(supervisor_score)).case.state

    def interview(self, case_id: int, scores: tuple[str, ...] = ("80", "82", "78")) -> str:
        for member, score in zip(self.org.committee, scores, strict=True):
            state = self.use_case(put_score, member, case_id, score=Decimal(score)).case.state
        return state

    def decide(self, at: datetime) -> list[dict]:
        self.clock.set(at)
        return self.use_case(decide_cycle, self.org.chair, CYCLE)

    def publish(self) -> dict:
        return self.use_case(publish_cycle, self.org.hr, CYCLE)

    def to_publication(self, decided_at: datetime) -> int:
        case_id = self.apply()
        self.review(case_id)
        self.interview(case_id)
        self.decide(decided_at)
        self.publish()
        return case_id


@pytest.fixture
def steps(use_case, clock, organisation) -> PromotionSteps:
    return PromotionSteps(use_case, clock, organisation)
