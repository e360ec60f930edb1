"""A duplicate that slips past a use case's own check (a concurrent insert between the check and
the commit) is still a 409 with the right code, never a 500, and leaves nothing behind."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from api.context import uow
from models import Manager, PerformanceRecord, User, db
from workflow.errors import Conflict

NOW = datetime(2026, 9, 1, 1, 0, tzinfo=timezone.utc)


def _manager(no: str) -> dict:
    return dict(employee_no=no, name="王芳", org_unit="北京分行", grade="junior", grade_since=date(2025, 1, 1),
                hire_date=date(2025, 1, 1), created_at=NOW, updated_at=NOW)



def test_duplicate_username_from_a_concurrent_insert_is_username_taken(ctx):
    with db.engine.begin() as conn:  # a separate connection, as a concurrent request would
        conn.execute(sa.insert(User.__table__).values(username="alice", password_hash="x", active=True,
                                                      created_at=NOW, updated_at=NOW))
    with pytest.raises(Conflict) as refused:
        with uow() as u:
            u.users.add(username="alice", password_hash="y", roles=["committee"], active=True, created_at=NOW,
                        updated_at=NOW)
    assert refused.value.code == "username_taken"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_duplicate_employee_no_from_a_concurrent_insert_is_manager_exists(ctx):
    with db.engine.begin() as conn:
        conn.execute(sa.insert(Manager.__table__).values(**_manager("M1")))
    with pytest.raises(Conflict) as refused:
        with uow() as u:
            u.managers.add(**_manager("M1"))
    assert refused.value.code == "manager_exists"


def test_concurrent_first_performance_records_give_concurrent_update(ctx):
    with db.engine.begin() as conn:
        conn.execute(sa.insert(Manager.__table__).values(**_manager("M1")))
        conn.execute(sa.insert(PerformanceRecord.__table__).values(
            employee_no="M1", period="2026Q1", score=Decimal("80"), months_worked=3, violation=False,
            recorded_at=NOW, recorded_by="hr1"))
    with pytest.raises(Conflict) as refused:
        with uow() as u:
            u.performance.add(employee_no="M1", period="2026Q1", score=Decimal("90"), months_worked=3,
                              violation=False, recorded_at=NOW, recorded_by="hr2")
    assert refused.value.code == "concurrent_update"
    stored = db.session.get(PerformanceRecord, ("M1", "2026Q1"))
    assert stored.score == Decimal("80") and stored.recorded_by == "hr1"


def test_a_foreign_key_failure_is_not_mistaken_for_a_duplicate(ctx):
    with pytest.raises(sa.exc.IntegrityError):
        with uow() as u:
            u.users.add(username="bob", password_hash="y", roles=["employee"], employee_no="NOBODY", active=True,
                        created_at=NOW, updated_at=NOW)
