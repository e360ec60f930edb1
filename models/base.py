"""Declarative base, naming convention and column types shared by every model."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from models import postgresql_reads  # noqa: F401 (its listener keeps prepared statements across reads)
from models.sqlite_writers import BUSY_TIMEOUT_MS, QueuedWriterConnection

# Stable constraint names, so that Alembic can alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """An instant stored in UTC and always returned timezone-aware (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("refusing to store a naive datetime: instants must carry an offset")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


PG_CONNECT_TIMEOUT_S = 10


@event.listens_for(Engine, "do_connect")
def _connection_settings(dialect, _record, _cargs, cparams):
    """SQLite connections queue their writers within the process (models/sqlite_writers.py); a PostgreSQL server
    that cannot be reached is given up on after PG_CONNECT_TIMEOUT_S seconds (not the system's TCP timeout, minutes
    during which a request thread or /readyz would hang)."""
    if dialect.name == "sqlite" and dialect.driver == "pysqlite":
        cparams.setdefault("factory", QueuedWriterConnection)
    elif dialect.name == "postgresql":
        cparams.setdefault("connect_timeout", PG_CONNECT_TIMEOUT_S)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """SQLite: enforce foreign keys; WAL and a busy timeout so that readers and one writer coexist."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()
