"""Test databases: a fresh PostgreSQL database on the test server, and every table emptied between tests."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from models import db

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


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
            # a commit need not wait for its WAL to reach the disk: a crash of the server would lose the last
            # commits of a database that is dropped anyway, and no test crashes the server
            conn.execute(sa.text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
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


def empty_all_tables(app, *, dispose: bool = False) -> None:
    """Every table emptied (the manual clock's row too: it is back at its start); with `dispose`, the app's
    connections are closed afterwards (an app that is done with; the next test of a shared app reuses them)."""
    with app.app_context():
        db.session.remove()
        tables = list(reversed(db.metadata.sorted_tables))
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # one round trip instead of one per table: most tests on PostgreSQL end here
                conn.exec_driver_sql("; ".join(f'DELETE FROM "{table.name}"' for table in tables))
            else:  # SQLite runs one statement per call, in-process
                for table in tables:
                    conn.execute(table.delete())
        if dispose:
            db.engine.dispose()
