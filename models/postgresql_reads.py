"""PostgreSQL: a transaction that wrote nothing is rolled back without psycopg forgetting its prepared statements.

psycopg prepares a statement on the server once a connection has run it `prepare_threshold` times (5); the
server then no longer plans it at each run. For a case's read, planning takes longer than running (its joins).
But psycopg's rollback() forgets every prepared statement, in case the transaction dropped or altered what they
use, and a request that only reads ends with one (its session closes without a commit): so each GET planned all
its statements again, about 1.8 ms of its 3 ms in the database (docs/benchmarks.md).

Dropping or altering anything gives the transaction an id on the server, as writing or locking a row does. A
transaction whose every statement was a SELECT compiled by SQLAlchemy, locking no row, has none: that is known
here without asking (each statement is looked at as it is sent, and what a compiled statement is, remembered).
Before the rollback of any other transaction the server is asked (one round trip) whether it has an id. Without
one, its ROLLBACK is sent straight through libpq (psycopg's documented low-level connection, `pgconn`), where psycopg's
bookkeeping does not see it: the transaction ends exactly as a rollback ends it (a SET, a NOTIFY, a cursor made
inside it are undone too), the rollback that follows finds no transaction to end, and psycopg keeps its
prepared statements. A transaction with an id goes through psycopg's rollback as before. SQLite keeps its
prepared statements anyway and is not concerned.
"""
from __future__ import annotations

import re
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

_HAS_AN_ID = "SELECT pg_current_xact_id_if_assigned() IS NOT NULL"
_MAY_HAVE_AN_ID = "gradeflow_may_have_an_id"  # its key in Connection.info, for the transaction under way
# SQLAlchemy writes keywords in capitals and names in lower case: a SELECT (or WITH … SELECT) with none of these
# neither writes nor locks a row
_WRITES_OR_LOCKS = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE|SHARE|INTO)\b")
_reads_only: WeakKeyDictionary = WeakKeyDictionary()  # compiled statement → bool (SQLAlchemy caches the compiled)


def _is_a_plain_select(compiled) -> bool:
    known = _reads_only.get(compiled)
    if known is None:
        sql = compiled.string.lstrip()
        known = _reads_only[compiled] = sql.startswith(("SELECT", "WITH")) and not _WRITES_OR_LOCKS.search(sql)
    return known


def _keeps_prepared_statements(connection: Connection) -> bool:
    """The connections this module serves: PostgreSQL through psycopg."""
    return connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg"


@event.listens_for(Engine, "before_cursor_execute")
def _note_a_statement_that_may_give_an_id(connection: Connection, _cursor, _statement, _parameters, context,
                                          _executemany) -> None:
    if not _keeps_prepared_statements(connection) or connection.info.get(_MAY_HAVE_AN_ID):
        return
    compiled = context.compiled if context is not None else None
    if compiled is None or not _is_a_plain_select(compiled):  # text (exec_driver_sql) is not looked into
        connection.info[_MAY_HAVE_AN_ID] = True


@event.listens_for(Engine, "commit")
def _forget_the_committed(connection: Connection) -> None:
    if _keeps_prepared_statements(connection):
        connection.info.pop(_MAY_HAVE_AN_ID, None)


@event.listens_for(Engine, "rollback")
def _roll_a_read_back_keeping_prepared_statements(connection: Connection) -> None:
    if not _keeps_prepared_statements(connection):
        return
    # here, not at import: a process on SQLite never loads psycopg (about 50 ms of every command's start)
    from psycopg.pq import TransactionStatus
    if connection.closed or connection.invalidated or not connection.connection.is_valid:
        return  # lost: SQLAlchemy sends it no ROLLBACK either (and its info goes with it)
    may_have_an_id = connection.info.pop(_MAY_HAVE_AN_ID, False)
    driver = connection.connection.driver_connection
    if driver.info.transaction_status != TransactionStatus.INTRANS:
        return  # none open, or one that failed: psycopg's rollback, as always
    if may_have_an_id:
        try:
            # through SQLAlchemy, so that the statement counts of tests see it (tests/support/statements.py)
            may_have_an_id = connection.exec_driver_sql(_HAS_AN_ID).scalar_one()
        except DBAPIError:
            return  # SQLAlchemy has the trouble in hand (a connection lost is let go); its rollback follows
        connection.info.pop(_MAY_HAVE_AN_ID, None)  # noted as the question went: it was text
    if not may_have_an_id:
        # a ROLLBACK that fails leaves the transaction open or failed, and SQLAlchemy's rollback that follows ends it
        driver.pgconn.exec_(b"ROLLBACK")
