"""Migration 0026: the materials reviews done before it become the cases' first recorded review steps (four eyes),
with the reviewer's employee number; going back is refused while a case records a second supervisor's review."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from api.migrations import MIGRATIONS
from models import db
from tests.support.migrations import app_at_revision

BEFORE = "0025_idempotency_lease"
AT = "2026-10-01 02:00:00"
MANAGER = ("INSERT INTO managers (employee_no, name, org_unit, grade, grade_since, hire_date, created_at, updated_at) "
           "VALUES (:no, '经理', '北京分行', 'junior', '2025-01-01', '2024-01-01', :at, :at)")
USER = ("INSERT INTO users (username, password_hash, active, employee_no, created_at, updated_at) "
        "VALUES ('s1', 'x', true, 'S001', :at, :at)")
CYCLE = "INSERT INTO cycles (code, name, created_by, created_at) VALUES ('2026-H2', '下半年', 'hr1', :at)"
CASE = ("INSERT INTO cases (kind, cycle_code, employee_no, from_grade, target_grade, exceptional, statement, state, "
        "reasons, supervisor_score, reviewed_by, created_by, created_at, updated_at, state_since, version) "
        "VALUES ('promotion', '2026-H2', 'M001', 'junior', 'mid', false, '申请', 'interview', '[]', 80, 's1', 'e1', "
        ":at, :at, :at, 1)")


def test_materials_reviewed_before_become_the_supervisors_review_steps(fresh_database_url):
    with app_at_revision(fresh_database_url, BEFORE):
        with db.engine.begin() as conn:
            for no in ("M001", "S001"):
                conn.execute(sa.text(MANAGER), {"no": no, "at": AT})
            conn.execute(sa.text(USER), {"at": AT})
            conn.execute(sa.text(CYCLE), {"at": AT})
            conn.execute(sa.text(CASE), {"at": AT})
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            [reviews] = conn.execute(sa.text("SELECT reviews FROM cases")).scalars()
        reviews = json.loads(reviews) if isinstance(reviews, str) else reviews
        assert reviews == [{"party": "supervisor", "username": "s1", "employee_no": "S001"}]
        second = reviews + [{"party": "second_supervisor", "username": "s2", "employee_no": None}]
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE cases SET reviews = :r"), {"r": json.dumps(second)})
        with pytest.raises(SystemExit):  # flask-migrate logs the reason and exits; nothing changed
            downgrade(directory=MIGRATIONS, revision=BEFORE)
        with db.engine.connect() as conn:
            assert "reviews" in {c["name"] for c in sa.inspect(conn).get_columns("cases")}
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE cases SET reviews = :r"), {"r": json.dumps(reviews)})
        downgrade(directory=MIGRATIONS, revision=BEFORE)
        with db.engine.connect() as conn:
            assert "reviews" not in {c["name"] for c in sa.inspect(conn).get_columns("cases")}
