"""The outbox as the tests drive it: write the notices, send what is due (as the scheduler's leader does, at the
app's clock or `after` it), and read the messages back."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import sqlalchemy as sa

from models import OutboxMessage, db
from scheduler.delivery import deliver
from tests.support.app_services import rules_of, unit_of_work
from workflow.clock import FixedClock
from workflow.services import notices, outbox


def _rules(gf, after: timedelta):
    rules = rules_of(gf.app)
    return replace(rules, clock=FixedClock(rules.now() + after))


def notify(gf, after: timedelta = timedelta(0)) -> int:
    """Write the notices due; how many."""
    with gf.app.app_context():
        try:
            return notices.write_notices(unit_of_work(), _rules(gf, after))
        finally:
            db.session.remove()


def send(gf, after: timedelta = timedelta(0)) -> outbox.SendRun:
    with gf.app.app_context():
        try:
            return outbox.send_due(unit_of_work(), _rules(gf, after), gf.app.config["GRADEFLOW_NOTIFY_CHANNELS"],
                                   deliver)
        finally:
            db.session.remove()


def messages(gf, kind: str | None = None) -> list[OutboxMessage]:
    with gf.app.app_context():
        stmt = sa.select(OutboxMessage).order_by(OutboxMessage.id)
        rows = db.session.scalars(stmt if kind is None else stmt.where(OutboxMessage.kind == kind)).all()
        db.session.remove()
        return rows
