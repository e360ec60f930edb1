"""Migration 0022: the outbox's messages written before it are sent (those marked sent) or pending (the others), and
afterwards the status is one of pending, sent, dead; going back drops the delivery's bookkeeping, not the messages."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy.exc import IntegrityError

from api.migrations import MIGRATIONS
from models import db
from tests.support.migrations import app_at_revision

BEFORE = "0021_grading_rules"
AT = "2026-09-07 01:00:00"
USER = ("INSERT INTO users (username, password_hash, active, created_at, updated_at) "
        "VALUES ('s900', 'x', true, :at, :at)")
TIMER = ("INSERT INTO timers (id, kind, key, due_at, created_at, attempts, data) "
         "VALUES (:id, 'reminder', :key, :at, :at, 0, '{}')")
MESSAGE = ("INSERT INTO outbox (kind, recipient, timer_id, subject, body, created_at, sent_at) "
           "VALUES ('reminder', 's900', :timer, '待您处理', '案件 1', :at, :sent)")


def test_messages_sent_before_stay_sent_the_others_are_pending_and_the_status_is_checked(fresh_database_url):
    with app_at_revision(fresh_database_url, BEFORE):
        with db.engine.begin() as conn:
            conn.execute(sa.text(USER), {"at": AT})
            for timer, sent in ((1, AT), (2, None)):
                conn.execute(sa.text(TIMER), {"id": timer, "key": f"reminder:{timer}", "at": AT})
                conn.execute(sa.text(MESSAGE), {"timer": timer, "at": AT, "sent": sent})
        upgrade(directory=MIGRATIONS)
        with db.engine.begin() as conn:
            rows = conn.execute(sa.text("SELECT timer_id, status, attempts FROM outbox ORDER BY timer_id")).all()
            assert [tuple(r) for r in rows] == [(1, "sent", 0), (2, "pending", 0)]
        with pytest.raises(IntegrityError):
            with db.engine.begin() as conn:
                conn.execute(sa.text("UPDATE outbox SET status = 'lost' WHERE timer_id = 2"))
        downgrade(directory=MIGRATIONS, revision=BEFORE)
        with db.engine.begin() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM outbox")).scalar() == 2
            assert "status" not in {c["name"] for c in sa.inspect(conn).get_columns("outbox")}
