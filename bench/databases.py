"""A fresh database per benchmark: a SQLite file in the run's folder, or a PostgreSQL database created on the
test server (GRADEFLOW_TEST_PG_URL, default the local one, as for the tests) and dropped afterwards."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from tests.support.databases import PG_DEFAULT, fresh_pg_database

KINDS = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Database:
    kind: str  # sqlite or postgresql
    url: str  # SQLAlchemy URL, as GRADEFLOW_DATABASE_URL takes it


def postgresql_version() -> str | None:
    """The test server's version, or None when it cannot be reached."""
    engine = sa.create_engine(os.environ.get("GRADEFLOW_TEST_PG_URL") or PG_DEFAULT,
                              connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SHOW server_version")).scalar_one()
    except sa.exc.OperationalError:
        return None
    finally:
        engine.dispose()


@contextmanager
def fresh_database(kind: str, folder: Path, label: str):
    if kind == "postgresql":
        with fresh_pg_database() as url:
            yield Database(kind, url)
        return
    path = folder / f"{label}-{uuid.uuid4().hex[:6]}.db"
    try:
        yield Database(kind, f"sqlite:///{path}")
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
