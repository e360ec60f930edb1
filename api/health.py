"""Probes for whoever runs the service (a load balancer, an orchestrator, a container's healthcheck): `GET /healthz`,
the process answers (it touches nothing else, so a database outage never gets a healthy process restarted);
`GET /readyz`, it can serve: the database answers, and its schema is at the revision this code needs (or newer:
during an upgrade a newer release has migrated, and the old hosts keep serving until they are replaced, which
docs/deployment.md asks only of additive migrations). Neither needs a sign-in, and neither says more than that."""
from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, jsonify

from api.migrations import head_revision, revisions
from api.problems import problem
from models import db

log = logging.getLogger("gradeflow.api")

bp = Blueprint("health", __name__)
PATHS = frozenset({"/healthz", "/readyz"})
NOT_READY = "not_ready"


@bp.get("/healthz")
def healthz():
    return _uncached(jsonify(status="ok"))


@bp.get("/readyz")
def readyz():
    head = head_revision()
    try:
        current = _schema_revision()
    except sa.exc.SQLAlchemyError as failure:
        log.warning("readyz: the database does not answer: %s", failure.__class__.__name__)
        return _not_ready("the database does not answer", database="unreachable", schema=None, head=head)
    if current in revisions()[:-1] or current is None:
        return _not_ready(f"the database's schema is at {current or 'no revision'}, and this code needs {head}: run "
                          "`gradeflow db upgrade`", database="ok", schema=current, head=head)
    if current != head:  # a revision this code does not know: a newer release has migrated (an upgrade under way)
        return _uncached(jsonify(status="ready", database="ok", schema=current, head=head, schema_ahead=True))
    return _uncached(jsonify(status="ready", database="ok", schema=current))


def _schema_revision() -> str | None:
    """The revision the database's schema is at; None when it has none (never migrated)."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        if not sa.inspect(db.session.connection()).has_table("alembic_version"):
            return None
        return db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        db.session.rollback()


def _not_ready(detail: str, **checks) -> object:
    return _uncached(problem(503, detail, code=NOT_READY, **checks))


def _uncached(response):
    response.headers["Cache-Control"] = "no-store"
    return response
