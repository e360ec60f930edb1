"""PostgreSQL: a transaction that wrote nothing is rolled back without psycopg forgetting its prepared statements.

psycopg prepares a statement on the server once a connection has run it `prepare_threshold` times (5); the
server then no longer plans it at each run. For a case's read, planning takes longer than running (its joins).
But psycopg's rollback() forgets every prepared statement, in case the transaction dropped or altered what they
use, and a request that only reads ends with one (its session closes without a commit): so each GET planned all
its statements again, about 1.8 ms of its 3 ms in the database (docs/benchmarks.md).

Dropping or altering anything gives the transaction an id on the server, as writing or locking a row does. So
before a rollback the server is asked (one round trip) whether the transaction has an id. Without one, its
ROLLBACK is sent straight through libpq (psycopg's documented low-level connection, `pgconn`), where psycopg's
bookkeeping does not see it: the transaction ends exactly as a rollback ends it (a SET, a NOTIFY, a cursor made
inside it are undone too), the rollback that follows finds no transaction to end, and psycopg keeps its
prepared statements. A transaction with an id goes through psycopg's rollback as before. SQLite keeps its
prepared statements anyway and is not concerned.
"""
from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

_HAS_AN_ID = "SELECT pg_current_xact_id_if_assigned() IS NOT NULL"


@event.listens_for(Engine, "rollback")
def _roll_a_read_back_keeping_prepared_statements(connection: Connection) -> None:
    if connection.dialect.name != "postgresql" or connection.dialect.driver != "psycopg":
        return
    # here, not at import: a process on SQLite never loads psycopg (about 50 ms of every command's start)
    from psycopg.pq import TransactionStatus
    if connection.closed or connection.invalidated or not connection.connection.is_valid:
        return  # lost: SQLAlchemy sends it no ROLLBACK either
    driver = connection.connection.driver_connection
    if driver.info.transaction_status != TransactionStatus.INTRANS:
        return  # none open, or one that failed: psycopg's rollback, as always
    try:
        # through SQLAlchemy, so that the statement counts of tests see it (tests/support/statements.py)
        has_an_id = connection.exec_driver_sql(_HAS_AN_ID).scalar_one()
    except DBAPIError:
        return  # SQLAlchemy has the trouble in hand (a connection lost is let go); its rollback follows
    if not has_an_id:
        # a ROLLBACK that fails leaves the transaction open or failed, and SQLAlchemy's rollback that follows ends it
        driver.pgconn.exec_(b"ROLLBACK")
