"""Migration 0008: the performance records entered before it become their version 1, linked at the end of the
audit chain, so that `gradeflow audit verify` covers them; the versions written afterwards go on from there."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from flask_migrate import upgrade

from api.context import rules, uow
from api.migrations import MIGRATIONS
from models import PerformanceVersion, db
from models.audit import verify_chain
from tests.support.migrations import app_at_revision
from workflow.accounts import Actor
from workflow.services.managers import record_performance

BEFORE = "0007_user_language"
MANAGER = ("INSERT INTO managers (employee_no, name, org_unit, grade, grade_since, hire_date, created_at, updated_at) "
           "VALUES ('M001', '经理甲', '北京分行', 'mid', '2025-01-01', '2024-01-01', :at, :at)")
RECORD = ("INSERT INTO performance_records (employee_no, period, score, months_worked, violation, recorded_at, "
          "recorded_by) VALUES ('M001', :period, :score, :months, false, :at, 'hr1')")


def test_records_entered_before_the_versions_become_version_one_and_are_chained(fresh_database_url):
    with app_at_revision(fresh_database_url, BEFORE):
        at = "2026-03-01 01:00:00"
        with db.engine.begin() as conn:
            conn.execute(sa.text(MANAGER), {"at": at})
            conn.execute(sa.text(RECORD), {"period": "2025", "score": 88.5, "months": 12, "at": at})
            conn.execute(sa.text(RECORD), {"period": "2026Q1", "score": 70, "months": 3, "at": at})
        upgrade(directory=MIGRATIONS)

        assert verify_chain(db.session)[:2] == (2, None)
        first = [(v.period, v.version, v.score, v.recorded_by, v.reason)
                 for v in db.session.scalars(sa.select(PerformanceVersion).order_by(PerformanceVersion.id))]
        assert first == [("2025", 1, Decimal("88.50"), "hr1", None), ("2026Q1", 1, Decimal("70.00"), "hr1", None)]

        with uow() as u:  # the next versions get ids of their own (PostgreSQL: the sequence goes on after 2)
            hr = Actor(user_id=0, username="hr2", roles=frozenset({"hr"}), employee_no=None)
            record_performance(u, rules(), hr, "M001", "2025", score=Decimal("90"), months_worked=12, reason="更正")
            record_performance(u, rules(), hr, "M001", "2026", score=Decimal("75"), months_worked=12)
        versions = db.session.execute(sa.select(PerformanceVersion.id, PerformanceVersion.period,
                                                PerformanceVersion.version).order_by(PerformanceVersion.id)).all()
        assert [tuple(v) for v in versions] == [(1, "2025", 1), (2, "2026Q1", 1), (3, "2025", 2), (4, "2026", 1)]
        assert verify_chain(db.session)[:2] == (4, None)
