"""Migration 0024: the delegations table and the cases' escalation columns come and go; going back is refused
while a substitute is named (who may act on a case depends on it), and allowed on an empty table."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from api.migrations import MIGRATIONS
from models import db
from tests.support.migrations import app_at_revision

BEFORE = "0023_notices"
AT = "2026-09-01 01:00:00"
USER = ("INSERT INTO users (username, password_hash, active, created_at, updated_at) "
        "VALUES (:name, 'x', true, :at, :at)")
DELEGATION = ("INSERT INTO delegations (principal, substitute, scope, starts_on, ends_on, created_by, created_at) "
              "VALUES ('s900', 's901', 'supervisor', '2026-09-01', '2026-09-30', 's900', :at)")


def _columns(table: str) -> set[str]:
    with db.engine.connect() as conn:
        return {c["name"] for c in sa.inspect(conn).get_columns(table)}


def test_going_back_is_refused_while_a_substitute_is_named_and_drops_nothing_else(fresh_database_url):
    with app_at_revision(fresh_database_url, BEFORE):
        with db.engine.begin() as conn:
            for name in ("s900", "s901"):
                conn.execute(sa.text(USER), {"name": name, "at": AT})
        upgrade(directory=MIGRATIONS)
        assert {"escalated_from", "escalated_to", "escalated_at"} <= _columns("cases")
        with db.engine.begin() as conn:
            conn.execute(sa.text(DELEGATION), {"at": AT})
        with pytest.raises(SystemExit):  # flask-migrate logs the reason and exits; nothing changed
            downgrade(directory=MIGRATIONS, revision=BEFORE)
        assert "delegations" in sa.inspect(db.engine).get_table_names()
        with db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM delegations"))
        downgrade(directory=MIGRATIONS, revision=BEFORE)
        with db.engine.connect() as conn:
            assert "delegations" not in sa.inspect(conn).get_table_names()
            assert conn.execute(sa.text("SELECT count(*) FROM users")).scalar() == 2
        assert not {"escalated_from", "escalated_to", "escalated_at"} & _columns("cases")
