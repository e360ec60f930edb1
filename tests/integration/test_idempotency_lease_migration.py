"""Migration 0025: the lease of a key in progress comes and goes; a key left in progress before it has no lease
(null), so that its first repeat takes it over (its process stopped with the upgrade); the stored answers stay."""
from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from api.migrations import MIGRATIONS
from models import db
from tests.support.migrations import app_at_revision

BEFORE = "0024_delegations"
AT = "2026-09-01 01:00:00"
KEY = ("INSERT INTO idempotent_requests (user_id, key, fingerprint, method, path, status, headers, body, created_at) "
       "VALUES (1, :key, 'f', 'POST', '/api/v1/cases/events', :status, '{}', '', :at)")


def test_a_key_in_progress_before_the_lease_has_none_and_going_back_keeps_every_key(fresh_database_url):
    with app_at_revision(fresh_database_url, BEFORE):
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO users (username, password_hash, active, created_at, updated_at) "
                                 "VALUES ('hr1', 'x', true, :at, :at)"), {"at": AT})
            for key, status in (("running", 0), ("done", 200)):
                conn.execute(sa.text(KEY), {"key": key, "status": status, "at": AT})
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT key, claimed_until FROM idempotent_requests ORDER BY key")).all() == [
                ("done", None), ("running", None)]
        downgrade(directory=MIGRATIONS, revision=BEFORE)
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM idempotent_requests")).scalar() == 2
            assert "claimed_until" not in {c["name"] for c in sa.inspect(conn).get_columns("idempotent_requests")}
