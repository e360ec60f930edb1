"""Writers queue for SQLite's write lock (models/sqlite_writers.py), within a process and across processes: the
next in line begins when the one before it commits, rolls back or closes, instead of sleeping in SQLite's busy
handler."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

import models  # noqa: F401  (the engine events that give SQLite connections the queue)
from models.sqlite_writers import QueuedWriterConnection, begin_immediate

WAIT = 30  # seconds a test waits for a thread that should finish; only a broken queue ever waits this long


@pytest.fixture
def database(tmp_path):
    return str(tmp_path / "queue.db")


def connect(path: str, *, busy_timeout_s: float = 10.0) -> QueuedWriterConnection:
    conn = sqlite3.connect(path, timeout=busy_timeout_s, factory=QueuedWriterConnection, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE IF NOT EXISTS log (who TEXT)")
    return conn


def writer_in_thread(path: str, who: str, order: list[str]) -> threading.Thread:
    """A writer whose SQLite busy timeout is too short to wait for another writer there: it succeeds only by
    waiting in the queue."""
    def write():
        conn = connect(path, busy_timeout_s=0.01)
        try:
            begin_immediate(conn)
            order.append(who)
            conn.execute("INSERT INTO log VALUES (?)", (who,))
            conn.commit()
        finally:
            conn.close()
    thread = threading.Thread(target=write)
    thread.start()
    return thread


@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_the_next_writer_begins_when_the_one_before_it_ends_its_transaction(database, end):
    first = connect(database)
    begin_immediate(first)
    order: list[str] = []
    second = writer_in_thread(database, "second", order)
    second.join(0.3)  # far beyond its busy timeout: without the queue it would have failed by now
    assert second.is_alive() and order == []  # in line behind the first writer, not begun
    getattr(first, end)()
    second.join(WAIT)
    assert not second.is_alive() and order == ["second"]
    check = connect(database)
    assert check.execute("SELECT who FROM log").fetchall() == [("second",)]


def test_writers_of_one_process_each_write_once_in_turn(database):
    connect(database).close()
    order: list[str] = []
    threads = [writer_in_thread(database, f"w{n}", order) for n in range(8)]
    for thread in threads:
        thread.join(WAIT)
    assert sorted(order) == sorted(f"w{n}" for n in range(8))
    rows = connect(database).execute("SELECT who FROM log").fetchall()
    assert sorted(who for (who,) in rows) == sorted(order)


def test_a_thread_that_already_writes_is_not_queued_behind_itself(database):
    """A second write transaction of the same thread goes to SQLite, which refuses it after its busy timeout:
    the queue never makes a thread wait for itself."""
    first = connect(database)
    begin_immediate(first)
    second = connect(database, busy_timeout_s=0.05)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        begin_immediate(second)
    first.commit()
    begin_immediate(second)  # the failed attempt left nothing behind: the queue is free
    second.commit()


WRITER_PROCESS = """
import sqlite3, sys
from models.sqlite_writers import QueuedWriterConnection, begin_immediate
conn = sqlite3.connect(sys.argv[1], timeout=0.01, factory=QueuedWriterConnection)
print("begins", flush=True)
begin_immediate(conn)
conn.execute("INSERT INTO log VALUES ('other process')")
conn.commit()
"""


def test_a_writer_of_another_process_waits_in_the_queue_not_in_sqlites_busy_handler(database):
    """The other process's SQLite busy timeout (10 ms) is too short to wait for this process's writer there: it
    succeeds only by waiting in the queue across processes (the lock file beside the database)."""
    first = connect(database)
    begin_immediate(first)
    other = subprocess.Popen([sys.executable, "-c", WRITER_PROCESS, database], cwd=Path(__file__).parents[2],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline() == "begins\n", other.stderr.read()
        time.sleep(0.3)  # thirty times its busy timeout: without the queue it would have failed by now
        assert other.poll() is None, other.stderr.read()
        assert first.execute("SELECT who FROM log").fetchall() == []
        first.commit()
        assert other.wait(WAIT) == 0, other.stderr.read()
    finally:
        other.kill()
        other.wait()
    assert connect(database).execute("SELECT who FROM log").fetchall() == [("other process",)]
    assert Path(f"{database}.writer-lock").exists()


def test_engines_give_sqlite_connections_the_queue(database):
    engine = sa.create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as conn:
            assert isinstance(conn.connection.driver_connection, QueuedWriterConnection)
    finally:
        engine.dispose()


def test_an_in_memory_database_has_no_queue():
    """Each in-memory connection is a database of its own: a writer of another thread does not wait for it."""
    conn = sqlite3.connect(":memory:", factory=QueuedWriterConnection)
    begin_immediate(conn)
    began = threading.Event()

    def other_writer():
        other = sqlite3.connect(":memory:", factory=QueuedWriterConnection)
        begin_immediate(other)
        began.set()
        other.commit()
    thread = threading.Thread(target=other_writer)
    thread.start()
    thread.join(WAIT)
    assert began.is_set()
    conn.commit()


def test_a_writer_that_waited_out_the_queue_for_another_process_goes_on_to_sqlite(database, monkeypatch):
    """Another process holding the queue's lock file longer than the queue's timeout (here 0.2 s) does not stop a
    writer: it asks SQLite, which alone decides then (here the lock file is held, SQLite's lock is free)."""
    import fcntl
    import os

    from models import sqlite_writers
    monkeypatch.setattr(sqlite_writers, "QUEUE_TIMEOUT_S", 0.2)
    connect(database).close()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import fcntl, os, sys, time\n"
        "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('held', flush=True)\n"
        "time.sleep(60)\n"), f"{database}.writer-lock"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        began = time.monotonic()
        writer = connect(database)
        begin_immediate(writer)
        writer.execute("INSERT INTO log VALUES ('past the queue')")
        writer.commit()
        assert 0.2 <= time.monotonic() - began < WAIT
        with pytest.raises(BlockingIOError):  # the other process still holds it: this one never took it
            fd = os.open(f"{database}.writer-lock", os.O_RDWR)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            finally:
                os.close(fd)
        assert not sqlite_writers._queue_of(database)._lock.locked()  # the process's own line was left free
    finally:
        holder.kill()
        holder.wait()


def test_without_a_lock_file_the_queue_still_orders_the_writers_of_its_process(database):
    """Where the lock file cannot be made (here a folder stands in its place), the process's own writers still
    queue, and other processes meet them in SQLite's busy handler, as before there was a queue across processes."""
    Path(f"{database}.writer-lock").mkdir()
    first = connect(database)
    begin_immediate(first)
    order: list[str] = []
    second = writer_in_thread(database, "second", order)
    second.join(0.3)
    assert second.is_alive() and order == []
    first.commit()
    second.join(WAIT)
    assert order == ["second"]
