"""The SQL statements an app issues while a block runs, counted by a `before_cursor_execute` listener on its
engine: deterministic, unlike a timing, so budgets of statements can be held by tests."""
from __future__ import annotations

import contextlib

from sqlalchemy import event

from models import db


class Statements:
    """The statements seen, whitespace collapsed (an executemany counts once); str() lists them numbered."""

    def __init__(self):
        self.seen: list[str] = []

    def __len__(self) -> int:
        return len(self.seen)

    def __iter__(self):
        return iter(self.seen)

    def __str__(self) -> str:
        return "\n".join(f"{i + 1:3d}. {s[:160]}" for i, s in enumerate(self.seen))


@contextlib.contextmanager
def counting(app):
    """`with counting(app) as seen:` → the statements the app's engine executed meanwhile."""
    seen = Statements()

    def note(conn, cursor, statement, parameters, context, executemany):
        seen.seen.append(" ".join(statement.split()))
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)
