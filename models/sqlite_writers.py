"""Writers queue for an SQLite database's one write lock, within the process and across processes.

A connection that finds SQLite's write lock taken sleeps in SQLite's busy handler (1, 2, 5, 10, … 100 ms at
a time) before it tries again, so under four threads the writer that lost a few rounds sleeps far longer
than the others take to commit (a POST's p99 of half a second against a p50 of 16 ms: docs/benchmarks.md).
Writers therefore line up here before they ask SQLite for its lock. Within a process: one lock per database
file, and one of those waiting wakes the moment the writer before it commits or rolls back. Across processes
(the workers of `gradeflow serve`): the writer at the head of its process's line then takes an exclusive
`flock` of a file next to the database (`<database>.writer-lock`), trying again every millisecond or so, far
more often than SQLite's busy handler. Processes that do not queue (the `sqlite3` shell, another program) still
meet the queue's writers in SQLite's busy handler; PostgreSQL is not concerned.
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time

# SQLite's busy timeout (set on every connection in models/base.py), and as long the queue's: a writer that
# waited this long in the queue goes on to SQLite, which then waits as it did before there was a queue.
BUSY_TIMEOUT_MS = 10_000
QUEUE_TIMEOUT_S = BUSY_TIMEOUT_MS / 1000
# how long the head of a process's line sleeps between two tries of the other processes' lock: it starts
# short and doubles up to the longest, so a lock held for a moment costs little and one held long, few tries
FIRST_TRY_S, LONGEST_WAIT_S = 0.0002, 0.002


class _WriterQueue:
    def __init__(self, lock_file: str) -> None:
        self._lock = threading.Lock()
        self._holder: int | None = None
        self._lock_file, self._fd = lock_file, None
        os.register_at_fork(after_in_child=self._forget_in_child)

    def enter(self) -> bool:
        """True when the caller now holds the queue and must `leave()` it. The waiters are not served strictly in
        the order they came (neither a threading.Lock nor flock is fair), but one goes on as soon as it is free."""
        if self._holder == threading.get_ident():
            # this thread already writes on another connection: queueing behind itself would only wait out
            # the timeout, so SQLite decides, as it would without a queue
            return False
        deadline = time.monotonic() + QUEUE_TIMEOUT_S
        if not self._lock.acquire(timeout=QUEUE_TIMEOUT_S):
            return False
        if not self._lock_other_processes(deadline):
            self._lock.release()
            return False
        self._holder = threading.get_ident()
        return True

    def leave(self) -> None:
        self._holder = None
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._lock.release()

    def _lock_other_processes(self, deadline: float) -> bool:
        """Take the lock file's flock before `deadline`; True also when there is no lock file to take (a folder
        this process may not write to: SQLite alone orders the processes then)."""
        if self._fd is None:
            try:
                self._fd = os.open(self._lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            except OSError:
                return True
        wait = FIRST_TRY_S
        while True:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(wait)
                wait = min(wait * 2, LONGEST_WAIT_S)

    def _forget_in_child(self) -> None:
        """A forked child opens its own file: a flock belongs to the open file, which the parent's descriptor
        shares with the child's copy (closing that copy leaves the parent's lock as it was)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


_queues: dict[str, _WriterQueue] = {}
_queues_guard = threading.Lock()


def _queue_of(database: str) -> _WriterQueue | None:
    """One queue per database file; none for an in-memory database, which no other connection shares."""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    key = os.path.realpath(database)
    with _queues_guard:
        if key not in _queues:
            _queues[key] = _WriterQueue(f"{key}.writer-lock")
        return _queues[key]


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
