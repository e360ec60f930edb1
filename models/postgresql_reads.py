"""PostgreSQL: a transaction that wrote nothing ends with COMMIT, so that its connection keeps its prepared
statements.

psycopg prepares a statement on the server once a connection has run it `prepare_threshold` times (5); the
server then no longer plans it at each run. For a case's read, planning takes longer than running (its joins).
But psycopg forgets every prepared statement at a ROLLBACK, in case the transaction dropped or altered what they
use, and a request that only reads ends with a rollback (its session closes without a commit): so each GET planned
all its statements again, about 1.8 ms of its 3 ms in the database (docs/benchmarks.md).

A transaction the server has assigned no transaction id has written nothing: a row written, a row locked (FOR
UPDATE) and a schema changed each take one. Such a transaction ends the same with COMMIT as with ROLLBACK. So
before a rollback, the server is asked (one round trip) and a transaction without an id is committed; the
rollback then finds no transaction to end, and psycopg keeps its prepared statements. A transaction that wrote is
rolled back as before. SQLite keeps its prepared statements anyway and is not concerned.
"""
from __future__ import annotations

import psycopg
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

_HAS_WRITTEN = "SELECT pg_current_xact_id_if_assigned() IS NOT NULL"


@event.listens_for(Engine, "rollback")
def _end_a_read_with_commit(connection: Connection) -> None:
    if connection.dialect.name != "postgresql" or connection.dialect.driver != "psycopg":
        return
    if connection.closed or connection.invalidated or not connection.connection.is_valid:
        return  # lost: SQLAlchemy sends it no ROLLBACK either
    driver = connection.connection.driver_connection
    if driver.info.transaction_status != psycopg.pq.TransactionStatus.INTRANS:
        return  # none open, or one that failed: ROLLBACK is the only way out
    try:
        # through SQLAlchemy, so that the statement counts of tests see it (tests/support/statements.py)
        if not connection.exec_driver_sql(_HAS_WRITTEN).scalar_one():
            driver.commit()
    except DBAPIError:
        return  # the rollback that follows meets the same trouble, and SQLAlchemy reports it
