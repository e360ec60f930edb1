"""Writers of one process queue for an SQLite database's one write lock.

A connection that finds SQLite's write lock taken sleeps in SQLite's busy handler (1, 2, 5, 10, … 100 ms at
a time) before it tries again, so under four threads the writer that lost a few rounds sleeps far longer
than the others take to commit (a POST's p99 of half a second against a p50 of 16 ms: docs/benchmarks.md).
Writers of one process therefore line up here, on one lock per database file, before they ask SQLite for
its lock, and one of those waiting wakes the moment the writer before it commits or rolls back. Other processes
still meet in SQLite's busy handler; PostgreSQL is not concerned.
"""
from __future__ import annotations

import os
import sqlite3
import threading

# SQLite's busy timeout (set on every connection in models/base.py), and as long the queue's: a writer that
# waited this long in the queue goes on to SQLite, which then waits as it did before there was a queue.
BUSY_TIMEOUT_MS = 10_000
QUEUE_TIMEOUT_S = BUSY_TIMEOUT_MS / 1000


class _WriterQueue:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holder: int | None = None

    def enter(self) -> bool:
        """True when the caller now holds the queue and must `leave()` it. The waiters are not served strictly in
        the order they came (a threading.Lock is not fair), but one wakes as soon as the lock is free."""
        if self._holder == threading.get_ident():
            # this thread already writes on another connection: queueing behind itself would only wait out
            # the timeout, so SQLite decides, as it would without a queue
            return False
        if not self._lock.acquire(timeout=QUEUE_TIMEOUT_S):
            return False
        self._holder = threading.get_ident()
        return True

    def leave(self) -> None:
        self._holder = None
        self._lock.release()


_queues: dict[str, _WriterQueue] = {}
_queues_guard = threading.Lock()


def _queue_of(database: str) -> _WriterQueue | None:
    """One queue per database file; none for an in-memory database, which no other connection shares."""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    key = os.path.realpath(database)
    with _queues_guard:
        return _queues.setdefault(key, _WriterQueue())


class QueuedWriterConnection(sqlite3.Connection):
    """An sqlite3 connection whose `begin_immediate()` queues; its transaction's end leaves the queue."""

    def __init__(self, database, *args, **kwargs):
        super().__init__(database, *args, **kwargs)
        self._queue = _queue_of(os.fspath(database))
        self._in_queue = False

    def begin_immediate(self) -> None:
        if self._queue is not None:
            self._in_queue = self._queue.enter()
        try:
            self.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._leave_queue()
            raise

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._leave_queue()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._leave_queue()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._leave_queue()

    def _leave_queue(self) -> None:
        if self._in_queue:
            self._in_queue = False
            self._queue.leave()


def begin_immediate(dbapi_connection: sqlite3.Connection) -> None:
    """Take SQLite's write lock now (BEGIN IMMEDIATE), after this process's writers before us."""
    if isinstance(dbapi_connection, QueuedWriterConnection):
        dbapi_connection.begin_immediate()
    else:
        dbapi_connection.execute("BEGIN IMMEDIATE")
