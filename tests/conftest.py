"""Shared fixtures.

Tests that touch a database take the `app` fixture, which runs each of them twice: on an
embedded SQLite file and on PostgreSQL. For PostgreSQL the suite creates a fresh database on
the server named by GRADEFLOW_TEST_PG_URL (default: the local server) and drops it at the
end; without a reachable server those runs are skipped, unless GRADEFLOW_TEST_REQUIRE_PG=1
(as in CI), where they fail.

What the tests share besides fixtures (the driver, the organisation, the steps, the reads) lives in
tests/support/.
"""
from __future__ import annotations

import pytest

from api import create_app
from api.migrations import upgrade_to_head
from models import db
from tests.support.databases import empty_all_tables, fresh_pg_database
from tests.support.driver import Driver
from tests.support.settings import config_for


@pytest.fixture(scope="session")
def pg_database_url():
    """A fresh PostgreSQL database for this run."""
    with fresh_pg_database() as url:
        yield url


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
    """The schema, built by the Alembic migrations (not create_all): once per database. Then emptied, as the `app`
    fixture leaves it after every test: a row a migration seeds (the notices' cursor) would otherwise be there for
    a worker's first test only (a world is put back only into an empty database: tests/support/worlds.py)."""
    app = create_app(config_for(database_url))
    with app.app_context():
        upgrade_to_head(app)
        db.engine.dispose()
    empty_all_tables(app, dispose=True)
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
    empty_all_tables(default_app)


@pytest.fixture
def ctx(app):
    """An application context, for tests that call services and repositories directly."""
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def gf(app) -> Driver:
    return Driver(app)
