"""The raw ceiling: what the database itself allows one client on this machine, right now.

One transaction = UPDATE of one row + INSERT of one history row + COMMIT, the least a state change with
its history can do. The connection comes from a SQLAlchemy engine with the project's models imported, so
the project's own connect-time settings apply (models/base.py: foreign keys, busy timeout, WAL on SQLite).
The two scratch tables live in the benchmark's own database and are dropped afterwards, so that the
ceiling is measured on the same file system or server, beside the same data, just before the figure it
is compared with.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone

import sqlalchemy as sa

import models.base  # noqa: F401 - registers the project's connect-time pragmas on every engine
from bench.databases import Database

ITEMS = 100
_TABLES = ("bench_raw_history", "bench_raw_items")


def _create(cur, kind: str) -> None:
    serial = "INTEGER PRIMARY KEY AUTOINCREMENT" if kind == "sqlite" else "BIGSERIAL PRIMARY KEY"
    cur.execute("CREATE TABLE bench_raw_items (id INTEGER PRIMARY KEY, state VARCHAR(32) NOT NULL, "
                "version INTEGER NOT NULL, updated_at VARCHAR(40) NOT NULL)")
    cur.execute(f"CREATE TABLE bench_raw_history (id {serial}, item_id INTEGER NOT NULL REFERENCES "
                "bench_raw_items (id), at VARCHAR(40) NOT NULL, event VARCHAR(32) NOT NULL, "
                "from_state VARCHAR(32), to_state VARCHAR(32) NOT NULL)")
    cur.execute("CREATE INDEX ix_bench_raw_history_item ON bench_raw_history (item_id)")


def raw_ceiling(database: Database, seconds: float) -> float:
    """Transactions per second of one client doing the raw state change for `seconds`."""
    engine = sa.create_engine(database.url, poolclass=sa.pool.NullPool)
    try:
        proxy = engine.raw_connection()
        conn = proxy.driver_connection
        sqlite = database.kind == "sqlite"
        mark = "?" if sqlite else "%s"
        if sqlite:
            conn.isolation_level = None  # explicit BEGIN IMMEDIATE, as the unit of work takes it
        cur = conn.cursor()

        def begin(immediate: bool = False) -> None:
            if sqlite:
                cur.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")

        def commit() -> None:
            if sqlite:
                cur.execute("COMMIT")
            else:
                conn.commit()

        try:
            begin()
            _create(cur, database.kind)
            cur.executemany(f"INSERT INTO bench_raw_items (id, state, version, updated_at) VALUES ({mark}, {mark}, 1, {mark})",
                            [(i, "a", datetime.now(timezone.utc).isoformat()) for i in range(ITEMS)])
            commit()
            update = f"UPDATE bench_raw_items SET state = {mark}, version = version + 1, updated_at = {mark} WHERE id = {mark}"
            insert = (f"INSERT INTO bench_raw_history (item_id, at, event, from_state, to_state) "
                      f"VALUES ({mark}, {mark}, {mark}, {mark}, {mark})")

            def one(n: int) -> None:
                item, before, after = n % ITEMS, "ab"[n // ITEMS % 2], "ba"[n // ITEMS % 2]
                at = datetime.now(timezone.utc).isoformat()
                begin(immediate=True)
                cur.execute(update, (after, at, item))
                cur.execute(insert, (item, at, "bench", before, after))
                commit()

            for n in range(50):  # warm the caches and the WAL
                one(n)
            done, began = 0, time.perf_counter()
            deadline = began + seconds
            while True:
                for _ in range(20):
                    one(done)
                    done += 1
                if time.perf_counter() >= deadline:
                    break
            rate = done / (time.perf_counter() - began)
            begin()
            for table in _TABLES:
                cur.execute(f"DROP TABLE {table}")
            commit()
            return rate
        finally:
            cur.close()
            proxy.close()
    finally:
        engine.dispose()


class Ceiling:
    """The raw ceiling read around a benchmark's measured part (before it, and again after it); the higher
    reading counts, so that a moment of contention on a shared machine does not flatter the ratio."""

    def __init__(self, database: Database, seconds: float):
        self.database, self.seconds = database, seconds
        self.readings: list[float] = []

    def read(self) -> "Ceiling":
        self.readings.append(raw_ceiling(self.database, self.seconds))
        return self

    @property
    def value(self) -> float:
        return max(self.readings)

    @property
    def spread(self) -> str:
        return " / ".join(f"{r:,.0f}" for r in self.readings) if len(self.readings) > 1 else ""
