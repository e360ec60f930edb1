"""The benchmarks' data, made by the service's own use cases in this process (the people, the cycle, the cases
a benchmark sends requests about), in chunks of one transaction each.

Every import of the service's internals that the benchmarks need is here (and in bench/sweep.py for the
sweep), so that a change of a use case's signature is mended in one place.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import sqlalchemy as sa

from api import create_app
from api.migrations import upgrade_to_head
from models import db
from bench.databases import Database

PASSWORD = "bench passphrase, long enough"
SHANGHAI = timezone(timedelta(hours=8))
CHUNK = 2000  # rows of one kind per transaction while setting up

HR, ADMIN, BOSS, SUPERVISOR = "bench.hr", "bench.admin", "s900", "S900"
HEAD_OFFICE = "总行"
UNIT_SIZE = 200  # applicants per org unit (eligibility ranks within an org unit and grade)


def committee(size: int) -> list[str]:
    """Committee members' usernames, the chair first."""
    return [f"cm{i}" for i in range(1, size + 1)]


def applicant(n: int) -> str:
    return f"A{n:06d}"


@dataclass(frozen=True)
class ManagerSpec:
    employee_no: str
    grade: str
    org_unit: str = HEAD_OFFICE
    supervisor: str | None = None
    grade_since: date = date(2025, 1, 1)


class World:
    """An app of this process on the benchmark's database (migrated on creation), used only to set up data.
    `clock_start`: the manual test clock starting there; None: the system clock."""

    def __init__(self, database: Database, *, clock_start: datetime | None = None):
        config = {"GRADEFLOW_MODE": "test", "SECRET_KEY": secrets.token_urlsafe(32),
                  "SQLALCHEMY_DATABASE_URI": database.url,
                  "GRADEFLOW_CLOCK": "manual" if clock_start else "system",
                  "GRADEFLOW_HASH_TIME_COST": 1, "GRADEFLOW_HASH_MEMORY_KIB": 64}
        if clock_start is not None:
            config["GRADEFLOW_CLOCK_START"] = clock_start
        self.database = database
        self.app = create_app(config)
        with self.app.app_context():
            upgrade_to_head(self.app)
            db.engine.dispose()

    def close(self) -> None:
        """Let go of every connection (before a server is started on the database, and at the end)."""
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()

    def settle(self) -> None:
        """After the setup: let go of every connection and, on PostgreSQL, ANALYZE, as autovacuum would have
        done in a database in use, so that the measured part meets the planner's steady state (without it, a
        plan made for empty tables can make a large benchmark superlinear: docs/benchmarks.md)."""
        self.close()
        if self.database.kind == "postgresql":
            engine = sa.create_engine(self.database.url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
            try:
                with engine.connect() as conn:
                    conn.exec_driver_sql("ANALYZE")
            finally:
                engine.dispose()

    @contextmanager
    def unit(self) -> Iterator[tuple]:
        """(unit of work, rules) of one use case's transaction."""
        from api.context import rules, uow
        with self.app.app_context():
            try:
                with uow() as u:
                    yield u, rules()
            finally:
                db.session.remove()

    def _chunks(self, items: Sequence, step) -> list:
        out = []
        for start in range(0, len(items), CHUNK):
            with self.unit() as (u, rules):
                out.extend(step(u, rules, item) for item in items[start:start + CHUNK])
        return out

    # --- people -------------------------------------------------------------------------------------
    def users(self, specs: Sequence[tuple[str, Iterable[str], str | None]]) -> None:
        """(username, roles, employee_no) each; every password is PASSWORD."""
        from api.context import extension
        from workflow.services.accounts import OPERATOR, create_user
        with self.app.app_context():
            passwords = extension("passwords")
        self._chunks(specs, lambda u, rules, s: create_user(
            u, rules, passwords, OPERATOR, username=s[0], password=PASSWORD, roles=tuple(s[1]), employee_no=s[2]))

    def managers(self, specs: Sequence[ManagerSpec]) -> None:
        from workflow.services.accounts import OPERATOR
        from workflow.services.managers import register_manager
        self._chunks(specs, lambda u, rules, s: register_manager(
            u, rules, OPERATOR, employee_no=s.employee_no, name=f"经理{s.employee_no}", org_unit=s.org_unit,
            grade=s.grade, grade_since=s.grade_since, hire_date=s.grade_since, supervisor=s.supervisor))

    def performance(self, records: Sequence[tuple[str, str, Decimal, int, bool]]) -> None:
        """(employee_no, period, score, months_worked, violation) each."""
        from workflow.services.accounts import OPERATOR
        from workflow.services.managers import record_performance
        self._chunks(records, lambda u, rules, r: record_performance(
            u, rules, OPERATOR, r[0], r[1], score=r[2], months_worked=r[3], violation=r[4]))

    # --- cycles and cases ------------------------------------------------------------------------------
    def cycle(self, code: str, members: Sequence[str]) -> None:
        from workflow.services.accounts import OPERATOR
        from workflow.services.cycles import create_cycle, set_committee
        with self.unit() as (u, rules):
            create_cycle(u, rules, OPERATOR, code=code, name=f"基准 {code}")
        with self.unit() as (u, rules):
            set_committee(u, rules, OPERATOR, code, chair=members[0], members=list(members))

    def promotions(self, cycle: str, employee_nos: Sequence[str], target: str = "mid") -> list[int]:
        """A submitted promotion case for each manager (opened by hr); their ids, in order."""
        from workflow.services.accounts import OPERATOR
        from workflow.services.cases import submit_case
        return self._chunks(employee_nos, lambda u, rules, no: submit_case(
            u, rules, OPERATOR, kind="promotion", statement="申请晋级 (benchmark)", cycle=cycle,
            target_grade=target, employee_no=no).id)

    def demotion_case(self, employee_nos: Sequence[str]) -> list[int]:
        """An open demotion case (hr's, in deliberation) for each manager."""
        from workflow.services.accounts import OPERATOR
        from workflow.services.cases import submit_case
        return self._chunks(employee_nos, lambda u, rules, no: submit_case(
            u, rules, OPERATOR, kind="demotion", statement="降级 (benchmark)", employee_no=no).id)

    def scalar(self, statement):
        with self.app.app_context():
            try:
                return db.session.scalar(statement)
            finally:
                db.session.remove()

    def rows(self, statement) -> list:
        with self.app.app_context():
            try:
                return list(db.session.execute(statement))
            finally:
                db.session.remove()


def organisation(world: World, *, applicants: int, committee_size: int, cycle: str | None,
                 applicant_logins: int = 0, first: int = 0) -> list[str]:
    """hr, an admin, the committee, the supervisor S900 (login s900) in the head office, `applicants` junior
    managers reporting to S900 with a 2025 annual score of 80 (all equally ranked, so all eligible for mid),
    the first `applicant_logins` of them with a login (their employee number in lower case), and a cycle
    with its committee. Returns the applicants' employee numbers."""
    members = committee(committee_size)
    world.users([(HR, ("hr",), None), (ADMIN, ("admin",), None)] + [(m, ("committee",), None) for m in members])
    world.managers([ManagerSpec(SUPERVISOR, "senior")])
    world.users([(BOSS, ("employee", "supervisor"), SUPERVISOR)])
    numbers = [applicant(n) for n in range(first, first + applicants)]
    world.managers([ManagerSpec(no, "junior", org_unit=f"分行{i // UNIT_SIZE:03d}", supervisor=SUPERVISOR)
                    for i, no in enumerate(numbers)])
    world.performance([(no, "2025", Decimal("80"), 12, False) for no in numbers])
    world.users([(no.lower(), ("employee",), no) for no in numbers[:applicant_logins]])
    if cycle is not None:
        world.cycle(cycle, members)
    return numbers
