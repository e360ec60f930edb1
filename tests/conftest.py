"""Shared fixtures.

Tests that touch a database take the `app` fixture, which runs each of them twice: on an
embedded SQLite file and on PostgreSQL. For PostgreSQL the suite creates a fresh database on
the server named by GRADEFLOW_TEST_PG_URL (default: the local server) and drops it at the
end; without a reachable server those runs are skipped, unless GRADEFLOW_TEST_REQUIRE_PG=1
(as in CI), where they fail.
"""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from api import create_app
from models import db

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SHANGHAI = timezone(timedelta(hours=8))
CLOCK_START = datetime(2026, 9, 1, 9, 0, tzinfo=SHANGHAI)
PASSWORD = "correct horse battery"


def _pg_server_url() -> sa.URL:
    return sa.make_url(os.environ.get("GRADEFLOW_TEST_PG_URL") or PG_DEFAULT)


@contextmanager
def fresh_pg_database():
    """A fresh PostgreSQL database on the test server, dropped afterwards (skip or fail without one)."""
    server = _pg_server_url()
    name = f"gradeflow_test_{os.environ.get('GRADEFLOW_TEST_RUN_ID', os.getpid())}_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        if os.environ.get("GRADEFLOW_TEST_REQUIRE_PG") == "1":
            pytest.fail(f"PostgreSQL is required but unreachable at {server.render_as_string()}: {exc}")
        pytest.skip(f"PostgreSQL unreachable at {server.render_as_string()}")
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_database_url():
    """A fresh PostgreSQL database for this run."""
    with fresh_pg_database() as url:
        yield url


def config_for(database_url: str, **overrides) -> dict:
    config = {
        "GRADEFLOW_MODE": "test",
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-hs256",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "GRADEFLOW_CLOCK": "manual",
        "GRADEFLOW_CLOCK_START": CLOCK_START,
        "GRADEFLOW_HASH_TIME_COST": 1,
        "GRADEFLOW_HASH_MEMORY_KIB": 64,
    }
    config.update(overrides)
    return config


@pytest.fixture(scope="session")
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'gradeflow.db'}"
    return request.getfixturevalue("pg_database_url")


def pytest_generate_tests(metafunc):
    if "database_url" in metafunc.fixturenames:
        metafunc.parametrize("database_url", ["sqlite", "postgresql"], indirect=True, scope="session")


@pytest.fixture(scope="session")
def migrated(database_url):
    """The schema, built by the Alembic migrations (not create_all): once per database."""
    app = create_app(config_for(database_url))
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        db.engine.dispose()
    return database_url


@pytest.fixture
def make_app(migrated):
    """Build apps on the migrated test database, with config overrides; their connections are closed
    afterwards (a connection left open would hold the SQLite file for the next test)."""
    built = []

    def build(**overrides):
        built.append(create_app(config_for(migrated, **overrides)))
        return built[-1]

    yield build
    for extra in built:
        with extra.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def build(make_app, app):
    """Extra app instances beside the shared one; the `app` fixture empties the tables afterwards."""
    return make_app


@pytest.fixture(scope="session")
def default_app(migrated):
    """One app with the test configuration per database, shared by the tests (building one costs more than
    most tests); the `app` fixture empties its tables after each test. A test that needs other settings
    builds its own app with `build(**overrides)`."""
    return create_app(config_for(migrated))


@pytest.fixture
def app(default_app):
    yield default_app
    _empty_all_tables(default_app)


def _empty_all_tables(app) -> None:
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def ctx(app):
    """An application context, for tests that call services and repositories directly."""
    with app.app_context():
        yield app
        db.session.remove()


class Driver:
    """Drives the API as named users; creates people through the real use cases."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self._tokens: dict[str, str] = {}

    # --- people -------------------------------------------------------------------
    def user(self, username: str, *roles: str, employee_no: str | None = None, password: str = PASSWORD) -> str:
        from api.context import extension, rules, uow
        from workflow.services.accounts import OPERATOR, create_user
        with self.app.app_context():
            with uow() as u:
                create_user(u, rules(), extension("passwords"), OPERATOR, username=username, password=password,
                            roles=roles, employee_no=employee_no)
        return username

    def manager(self, employee_no: str, grade: str = "junior", *, supervisor: str | None = None,
                org_unit: str = "北京分行", grade_since: date = date(2025, 1, 1), hire_date: date | None = None,
                name: str | None = None, login: bool = False, roles: tuple[str, ...] = ("employee",)) -> str:
        from api.context import rules, uow
        from workflow.services.accounts import OPERATOR
        from workflow.services.managers import register_manager
        with self.app.app_context():
            with uow() as u:
                register_manager(u, rules(), OPERATOR, employee_no=employee_no, name=name or f"经理{employee_no}",
                                 org_unit=org_unit, grade=grade, grade_since=grade_since,
                                 hire_date=hire_date or grade_since, supervisor=supervisor)
        if login:
            self.user(employee_no.lower(), *roles, employee_no=employee_no)
        return employee_no

    def performance(self, employee_no: str, period: str, score: str, months_worked: int = 12,
                    violation: bool = False) -> None:
        from api.context import rules, uow
        from workflow.services.accounts import OPERATOR
        from workflow.services.managers import record_performance
        with self.app.app_context():
            with uow() as u:
                record_performance(u, rules(), OPERATOR, employee_no, period, score=Decimal(score),
                                   months_worked=months_worked, violation=violation)

    # --- requests -----------------------------------------------------------------
    def token(self, username: str, password: str = PASSWORD) -> str:
        if username not in self._tokens:
            response = self.client.post("/api/v1/auth/token", json={"username": username, "password": password})
            assert response.status_code == 200, response.get_json()
            self._tokens[username] = response.get_json()["access_token"]
        return self._tokens[username]

    def request(self, method: str, path: str, as_: str | None = None, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if as_ is not None:
            headers["Authorization"] = f"Bearer {self.token(as_)}"
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    def case(self, case_id: int, as_: str) -> dict:
        """GET /cases/{id} as `as_`, which must succeed."""
        return self._ok(self.get(f"/cases/{case_id}", as_=as_))

    def history(self, case_id: int, as_: str) -> list[dict]:
        """GET /cases/{id}/history as `as_`, which must succeed."""
        return self._ok(self.get(f"/cases/{case_id}/history", as_=as_))

    @staticmethod
    def _ok(response):
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def get(self, path, as_=None, **kw):
        return self.request("GET", path, as_, **kw)

    def post(self, path, as_=None, **kw):
        return self.request("POST", path, as_, **kw)

    def put(self, path, as_=None, **kw):
        return self.request("PUT", path, as_, **kw)

    def patch(self, path, as_=None, **kw):
        return self.request("PATCH", path, as_, **kw)


@pytest.fixture
def gf(app) -> Driver:
    return Driver(app)


def case_record(employee_no: str, case_id: int, from_grade: str = "junior") -> int:
    """A bare, finished case row, for tests of the grade history that need a case to point at.
    Call inside an application context."""
    from models.cases import Case
    db.session.add(Case(id=case_id, kind="exit", employee_no=employee_no, from_grade=from_grade, target_grade="exited",
                        exceptional=False, statement="(test)", state="withdrawn", reasons=[], created_by="test",
                        created_at=CLOCK_START, updated_at=CLOCK_START, state_since=CLOCK_START,
                        version=1))
    db.session.commit()
    return case_id


def assert_problem(response, status: int, code: str, field: str | None = None, rule: str | None = None) -> dict:
    """The response is RFC 9457 problem details with this status and code (and field/rule, if given)."""
    body = response.get_json()
    assert response.status_code == status, body
    assert response.mimetype == "application/problem+json"
    assert body["status"] == status and body["code"] == code, body
    assert body["title"] and body["type"] and body["detail"], body
    if field is not None:
        matching = [e for e in body.get("errors", []) if e["field"] == field]
        assert matching, f"no error names {field!r}: {body}"
        if rule is not None:
            assert rule in {e["rule"] for e in matching}, body
    return body
