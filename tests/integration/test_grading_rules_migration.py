"""Migration 0021 (issue 14): managers written before it are active and their records have no metrics; afterwards
events, standings, metrics, advancement cases and the closes' new outcomes are known to the database's own checks;
going back is refused while any of them is held, and possible once none is."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy.exc import IntegrityError

from api.migrations import MIGRATIONS
from models import db
from tests.support.migrations import app_at_revision

BEFORE = "0020_case_supervisor_items"
AFTER = "0021_grading_rules"  # the migration under test (later ones add columns the rows here lack)
AT = "2026-10-01 02:00:00"
MANAGER = ("INSERT INTO managers (employee_no, name, org_unit, grade, grade_since, hire_date, created_at, updated_at) "
           "VALUES (:no, '经理', '北京分行', 'mid', '2025-01-01', '2024-01-01', :at, :at)")
EVENT = ("INSERT INTO manager_events (employee_no, kind, occurred_on, days, reason, recorded_at, recorded_by) "
         "VALUES ('M001', :kind, '2026-08-03', :days, :reason, :at, 'hr1')")
CASE = ("INSERT INTO cases (kind, cycle_code, employee_no, from_grade, target_grade, exceptional, statement, state, "
        "reasons, created_by, created_at, updated_at, state_since, version) VALUES (:kind, NULL, 'M002', 'mid', "
        "'senior', false, '期末评价', 'deliberation', '[]', '(gradeflow)', :at, :at, :at, 1)")


def _refused(engine, sql: str, **values) -> None:
    with pytest.raises(IntegrityError):
        with engine.begin() as conn:
            conn.execute(sa.text(sql), {"at": AT, **values})


def test_managers_become_active_the_new_rows_are_checked_and_going_back_waits_until_none_is_held(fresh_database_url):
    with app_at_revision(fresh_database_url, BEFORE):
        with db.engine.begin() as conn:
            for no in ("M001", "M002"):
                conn.execute(sa.text(MANAGER), {"no": no, "at": AT})
        upgrade(directory=MIGRATIONS, revision=AFTER)
        engine = db.engine
        with engine.begin() as conn:
            assert conn.execute(sa.text("SELECT DISTINCT standing FROM managers")).scalars().all() == ["active"]
            conn.execute(sa.text(EVENT), {"kind": "leave", "days": 16, "reason": "sick", "at": AT})
            conn.execute(sa.text(CASE), {"kind": "advancement", "at": AT})
        _refused(engine, EVENT, kind="leave", days=None, reason=None)  # a leave without its length and reason
        _refused(engine, EVENT, kind="complaint", days=3, reason=None)  # only a leave has days
        _refused(engine, EVENT, kind="praise", days=None, reason=None)
        _refused(engine, "UPDATE managers SET standing = 'resting' WHERE employee_no = 'M001'")
        _refused(engine, CASE.replace(":kind", "'transfer'"))

        with pytest.raises(SystemExit):  # flask-migrate logs the reason and exits; nothing changed
            downgrade(directory=MIGRATIONS, revision=BEFORE)
        with engine.begin() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM manager_events")).scalar() == 1
            conn.execute(sa.text("DELETE FROM manager_events"))
            conn.execute(sa.text("DELETE FROM cases"))
        downgrade(directory=MIGRATIONS, revision=BEFORE)
        with engine.begin() as conn:
            assert "standing" not in {c["name"] for c in sa.inspect(conn).get_columns("managers")}
        _refused(engine, CASE.replace(":kind", "'advancement'"))
