"""One leader among any number of scheduler processes.

PostgreSQL: a session advisory lock held on a connection of its own; it is released when the
leader's connection ends, also when the process dies. SQLite: an exclusive lock on a file next to
the database, released by the operating system when the process dies. A follower tries again at
every tick, so it takes over within one interval of the leader's death.
"""
from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

import sqlalchemy as sa

log = logging.getLogger("gradeflow.scheduler")

ADVISORY_LOCK_KEY = 0x67726164  # "grad": the scheduler's lock, one per database


class PostgresLeader:
    def __init__(self, engine: sa.Engine):
        self._engine, self._connection = engine, None

    def acquire(self) -> bool:
        """Whether this process leads now (it stays leader while its connection lives)."""
        if self._connection is not None:
            try:
                self._connection.execute(sa.text("SELECT 1"))
                return True
            except sa.exc.DBAPIError:
                log.warning("lost the scheduler lock's connection; standing down")
                self.release()
        # autocommit: the connection must not sit "idle in transaction" for as long as it leads
        connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            # a leader whose host vanishes (no FIN) is noticed by the server within about 25 s, not hours
            for setting in ("tcp_keepalives_idle = 10", "tcp_keepalives_interval = 5", "tcp_keepalives_count = 3"):
                connection.execute(sa.text(f"SET {setting}"))
            got = connection.execute(sa.select(sa.func.pg_try_advisory_lock(ADVISORY_LOCK_KEY))).scalar()
        except sa.exc.DBAPIError:
            connection.close()
            raise
        if got:
            self._connection = connection
        else:
            connection.close()
        return bool(got)

    def release(self) -> None:
        if self._connection is not None:
            # invalidate, not close: a pooled connection would keep the session, and the lock with it
            self._connection.invalidate()
            self._connection = None


class FileLeader:
    def __init__(self, path: Path):
        self._path, self._fd = path, None
        # a forked child (a gunicorn worker) must not keep the leader's lock alive after the leader dies
        os.register_at_fork(after_in_child=self._forget_in_child)

    def acquire(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def _forget_in_child(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None


def leader_for(engine: sa.Engine):
    if engine.dialect.name == "postgresql":
        return PostgresLeader(engine)
    database = engine.url.database
    if not database or database == ":memory:":
        raise ValueError("the scheduler needs a database file (or PostgreSQL), not an in-memory database")
    return FileLeader(Path(f"{database}.scheduler-lock"))
