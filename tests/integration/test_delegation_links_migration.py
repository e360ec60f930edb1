"""Migration 0027: the delegations named before it are chained at the end of the audit chain, each followed by its
cancellation where it was cancelled, so that `gradeflow audit verify` covers them; those named afterwards go on
from there."""
from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import upgrade

from api.migrations import MIGRATIONS
from models import AuditLink, db
from models.audit import verify_chain
from tests.support.migrations import app_at_revision

BEFORE = "0026_four_eyes"
AT = "2026-09-01 01:00:00"
USER = ("INSERT INTO users (username, password_hash, active, created_at, updated_at) "
        "VALUES (:name, 'x', true, :at, :at)")
DELEGATION = ("INSERT INTO delegations (principal, substitute, scope, starts_on, ends_on, created_by, created_at, "
              "cancelled_at, cancelled_by) VALUES (:principal, 's901', 'supervisor', '2026-09-01', '2026-09-30', "
              "'hr1', :at, :cancelled_at, :cancelled_by)")


def test_delegations_named_before_the_links_are_chained_with_their_cancellations(fresh_database_url):
    with app_at_revision(fresh_database_url, BEFORE):
        with db.engine.begin() as conn:
            for name in ("s900", "s901", "s902"):
                conn.execute(sa.text(USER), {"name": name, "at": AT})
            conn.execute(sa.text(DELEGATION), {"principal": "s900", "at": AT, "cancelled_at": AT,
                                               "cancelled_by": "s900"})
            conn.execute(sa.text(DELEGATION), {"principal": "s902", "at": AT, "cancelled_at": None,
                                               "cancelled_by": None})
        upgrade(directory=MIGRATIONS)
        links = db.session.execute(sa.select(AuditLink.source, AuditLink.source_id).order_by(AuditLink.seq)).all()
        assert [tuple(link) for link in links] == [("delegations", 1), ("delegation_cancellations", 1),
                                                   ("delegations", 2)]
        assert verify_chain(db.session)[:2] == (3, None)
        db.session.remove()
