"""Migration 0011: the quarter closes recorded before it stay as they are and keep their results, and a month's
close fits afterwards; going back is possible while only quarters have been closed."""
from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from api.migrations import MIGRATIONS
from models import db
from tests.support.migrations import app_at_revision

BEFORE = "0010_case_policy"
AT = "2026-10-01 02:00:00"
MANAGER = ("INSERT INTO managers (employee_no, name, org_unit, grade, grade_since, hire_date, created_at, updated_at) "
           "VALUES ('M001', '经理甲', '北京分行', 'mid', '2025-01-01', '2024-01-01', :at, :at)")
CLOSE = "INSERT INTO quarter_closes (period, closed_at, closed_by) VALUES (:period, :at, 'hr1')"
RESULT = "INSERT INTO quarter_results (period, employee_no, outcome, reasons) VALUES (:period, 'M001', 'kept', '[]')"


def test_quarter_closes_survive_the_wider_period_and_a_month_close_fits_after_it(fresh_database_url):
    with app_at_revision(fresh_database_url, BEFORE):
        with db.engine.begin() as conn:
            conn.execute(sa.text(MANAGER), {"at": AT})
            conn.execute(sa.text(CLOSE), {"period": "2026Q3", "at": AT})
            conn.execute(sa.text(RESULT), {"period": "2026Q3"})
        upgrade(directory=MIGRATIONS)
        with db.engine.begin() as conn:
            conn.execute(sa.text(CLOSE), {"period": "2026M09", "at": AT})
            conn.execute(sa.text(RESULT), {"period": "2026M09"})
            rows = conn.execute(sa.text("SELECT r.period, c.closed_by FROM quarter_results r JOIN quarter_closes c "
                                        "ON c.period = r.period ORDER BY r.period")).all()
        assert [tuple(r) for r in rows] == [("2026M09", "hr1"), ("2026Q3", "hr1")]

        with db.engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM quarter_results WHERE period = '2026M09'"))
            conn.execute(sa.text("DELETE FROM quarter_closes WHERE period = '2026M09'"))
        downgrade(directory=MIGRATIONS, revision=BEFORE)
        with db.engine.begin() as conn:
            assert conn.execute(sa.text("SELECT period FROM quarter_results")).scalars().all() == ["2026Q3"]
