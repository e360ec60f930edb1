"""Migration 0028: every case records the org unit it was applied from; the cases opened before it are backfilled
from their applicant's unit of the day of the upgrade, and a case without one is refused from then on."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy.exc import IntegrityError

from api.migrations import MIGRATIONS
from models import db
from tests.support.migrations import app_at_revision

BEFORE = "0027_delegation_links"
AT = "2026-09-01 01:00:00"
MANAGER = ("INSERT INTO managers (employee_no, name, org_unit, grade, grade_since, hire_date, created_at, updated_at) "
           "VALUES (:no, '经理', :unit, 'mid', '2025-01-01', '2024-01-01', :at, :at)")
CASE = ("INSERT INTO cases (kind, cycle_code, employee_no, from_grade, target_grade, exceptional, statement, state, "
        "reasons, created_by, created_at, updated_at, state_since, version) VALUES ('demotion', NULL, :no, 'mid', "
        "'junior', false, '期末评价', :state, '[]', '(gradeflow)', :at, :at, :at, 1)")


def test_existing_cases_are_backfilled_from_their_applicants_current_org_unit(fresh_database_url):
    with app_at_revision(fresh_database_url, BEFORE):
        with db.engine.begin() as conn:
            for no, unit in (("M001", "北京分行"), ("M002", "上海分行")):
                conn.execute(sa.text(MANAGER), {"no": no, "unit": unit, "at": AT})
                conn.execute(sa.text(CASE), {"no": no, "state": "withdrawn", "at": AT})
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT employee_no, org_unit FROM cases ORDER BY employee_no")).all() == \
                [("M001", "北京分行"), ("M002", "上海分行")]
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(sa.text(CASE), {"no": "M001", "state": "deliberation", "at": AT})
        downgrade(directory=MIGRATIONS, revision=BEFORE)
        with db.engine.connect() as conn:
            assert "org_unit" not in {c["name"] for c in sa.inspect(conn).get_columns("cases")}
            assert conn.execute(sa.text("SELECT count(*) FROM cases")).scalar() == 2
