"""Worlds built once per database, then restored row for row.

A test's world (its users, managers, cycles, cases) is built through the real use cases, which costs dozens of
service calls; most modules build the same world for every one of their tests. `built_once` builds
it through the use cases the first time a worker needs it on a database, keeps every table's rows and the driver's
tokens, and gives the next test that needs it the same rows inserted directly (one statement per table). The rows
are the ones the use cases wrote, hash chain included, so a test cannot tell the difference; a world is only
restored into a database whose tables are empty, and is built the slow way otherwise.
"""
from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from typing import Any, Callable

import sqlalchemy as sa

from models import db


@dataclass(frozen=True)
class _Kept:
    rows: dict[str, list[dict]]  # table name → its rows, in primary key order
    tokens: dict[str, str]  # the driver's tokens, issued while building
    driver: Any  # the driver the world was built with, for what the value refers to
    value: Any  # what the builder returned


_kept: dict[tuple, _Kept] = {}


def built_once(gf, key: tuple, build: Callable[[], Any]) -> Any:
    """`build()` (which builds the world through `gf`), or the rows it wrote the first time, restored. `key` names
    the world: the same key must build the same rows. Returns build()'s value (a deep copy, with `gf` in place of
    the driver it was built with)."""
    kept_key = (gf.app.config["SQLALCHEMY_DATABASE_URI"], *key)
    with gf.app.app_context():
        empty = _tables_are_empty()
    if not empty:
        return build()
    kept = _kept.get(kept_key)
    if kept is None:
        value = build()
        with gf.app.app_context():
            # a copy, as the value was before the test that built it changed it
            _kept[kept_key] = _Kept(_rows(), dict(gf._tokens), gf, _copy(value, gf, gf))
        return value
    with gf.app.app_context():
        _restore(kept.rows)
    gf._tokens.update(kept.tokens)
    return _copy(kept.value, kept.driver, gf)


def world_fixture(build: Callable) -> Callable:
    """A fixture body `build(gf)` turned into one whose world is built once per database (see built_once)."""
    @functools.wraps(build)
    def fixture(gf):
        return built_once(gf, (build.__module__, build.__qualname__), lambda: build(gf))
    return fixture


def _copy(value, driver, gf):
    """A deep copy of `value` that refers to `gf` (and its app) wherever it referred to `driver` (and its app)."""
    return copy.deepcopy(value, {id(driver): gf, id(driver.app): gf.app})


def _tables_are_empty() -> bool:
    any_row = sa.or_(*(sa.exists(sa.select(sa.literal(1)).select_from(table))
                       for table in db.metadata.sorted_tables))
    empty = not db.session.scalar(sa.select(any_row))
    db.session.remove()
    return empty


def _rows() -> dict[str, list[dict]]:
    with db.engine.connect() as conn:
        return {table.name: _referenced_first(table, [dict(row) for row in conn.execute(
                    table.select().order_by(*table.primary_key.columns)).mappings()])
                for table in db.metadata.sorted_tables}


def _referenced_first(table: sa.Table, rows: list[dict]) -> list[dict]:
    """The rows in an order where a row that refers to another of the table (a manager's supervisor) comes after it."""
    links = [(fk.parent.name, fk.column.name) for fk in table.foreign_keys if fk.column.table is table]
    if not links:
        return rows
    placed, ordered, waiting = set(), [], rows
    while waiting:
        ready = [row for row in waiting if all(row[child] is None or (parent, row[child]) in placed
                                               for child, parent in links)]
        assert ready, f"{table.name}: rows that refer to each other in a cycle"
        ordered += ready
        placed |= {(parent, row[parent]) for row in ready for _, parent in links}
        taken = {id(row) for row in ready}
        waiting = [row for row in waiting if id(row) not in taken]
    return ordered


def _restore(rows: dict[str, list[dict]]) -> None:
    db.session.remove()
    with db.engine.begin() as conn:
        for table in db.metadata.sorted_tables:
            if rows[table.name]:
                conn.execute(table.insert(), rows[table.name])
