"""The probes of api.md (issue 15, point 6): `GET /healthz` answers while the process is up, whatever the database
does; `GET /readyz` answers 200 only when the database answers and its schema is at the revision this code needs,
else 503 problem details (`not_ready`) saying which. Neither needs a sign-in, and neither is cached."""
from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from api.migrations import head_revision
from models import db
from tests.support.settings import config_for

MIGRATIONS = Path(__file__).resolve().parents[2] / "models" / "migrations" / "versions"


def test_healthz_answers_without_a_sign_in(app):
    answer = app.test_client().get("/healthz")
    assert (answer.status_code, answer.get_json()) == (200, {"status": "ok"})
    assert answer.headers["Cache-Control"] == "no-store"


def test_readyz_answers_ready_with_the_schemas_revision(app):
    answer = app.test_client().get("/readyz")
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {"status": "ready", "database": "ok", "schema": head_revision()}
    assert answer.headers["Cache-Control"] == "no-store"


def test_the_head_revision_is_the_newest_migration():
    newest = max(path.stem for path in MIGRATIONS.glob("0*.py"))
    assert head_revision() == newest


def _readyz_with_the_schema_at(app, revision: str):
    """/readyz's answer while the database says its schema is at `revision` (then at the head again)."""
    def set_revision(value: str) -> None:
        with app.app_context():
            db.session.execute(sa.text("UPDATE alembic_version SET version_num = :value"), {"value": value})
            db.session.commit()
    set_revision(revision)
    try:
        return app.test_client().get("/readyz")
    finally:
        set_revision(head_revision())


def test_readyz_is_not_ready_while_the_schema_is_behind_the_code(app):
    answer = _readyz_with_the_schema_at(app, "0019_case_deductions")
    body = answer.get_json()
    assert (answer.status_code, answer.mimetype, body["code"]) == (503, "application/problem+json", "not_ready")
    assert (body["database"], body["schema"], body["head"]) == ("ok", "0019_case_deductions", head_revision())
    assert "gradeflow db upgrade" in body["detail"]


def test_readyz_stays_ready_on_a_schema_a_newer_release_migrated(app):
    answer = _readyz_with_the_schema_at(app, "0099_a_later_release")
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ready", "database": "ok", "schema": "0099_a_later_release",
                                 "head": head_revision(), "schema_ahead": True}


def test_readyz_is_not_ready_when_the_database_does_not_answer_and_healthz_still_is(tmp_path):
    from api import create_app
    (tmp_path / "a-folder").mkdir()
    app = create_app(config_for(f"sqlite:///{tmp_path}/a-folder"))  # a folder: SQLite cannot open it
    client = app.test_client()
    answer = client.get("/readyz")
    assert (answer.status_code, answer.get_json()["database"]) == (503, "unreachable")
    assert client.get("/healthz").status_code == 200


def test_the_probes_do_not_start_the_manual_clock_on_a_database_that_does_not_answer(tmp_path):
    """A manual clock without a start instant freezes at its first use, which writes; the probes never use it."""
    from api import create_app
    (tmp_path / "a-folder").mkdir()
    app = create_app(config_for(f"sqlite:///{tmp_path}/a-folder", GRADEFLOW_CLOCK_START=None))
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").get_json()["database"] == "unreachable"


def test_a_postgresql_connection_gives_up_on_an_unreachable_server_after_ten_seconds(app, database_url):
    """Not the system's TCP timeout (minutes, during which /readyz and a request thread would hang)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("a connect timeout of PostgreSQL's client library")
    from models.base import PG_CONNECT_TIMEOUT_S
    with app.app_context():
        with db.engine.connect() as connection:
            parameters = connection.connection.dbapi_connection.info.get_parameters()
    assert PG_CONNECT_TIMEOUT_S == 10 and parameters["connect_timeout"] == "10"


def test_readyz_is_not_ready_on_a_database_never_migrated(tmp_path):
    from api import create_app
    app = create_app(config_for(f"sqlite:///{tmp_path}/empty.db"))
    body = app.test_client().get("/readyz").get_json()
    assert (body["status"], body["database"], body["schema"]) == (503, "ok", None)
    with app.app_context():
        db.engine.dispose()
