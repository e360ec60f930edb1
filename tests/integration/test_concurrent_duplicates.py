"""A duplicate committed by a concurrent request (after the use case looked, before it commits) is
still a 409 with the use case's code, never a 500, and leaves the first writer's data intact."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from api.context import extension, rules, uow
from models import Manager, PerformanceRecord, User, db
from workflow.errors import Conflict
from workflow.services.accounts import OPERATOR, create_user
from workflow.services.managers import record_performance, register_manager

NOW = datetime(2026, 9, 1, 1, 0, tzinfo=timezone.utc)
MANAGER = dict(name="王芳", org_unit="北京分行", grade="junior", grade_since=date(2025, 1, 1),
               hire_date=date(2025, 1, 1))


def _committed_by_another_request(table, **values) -> None:
    with db.engine.begin() as conn:  # a separate connection, as a concurrent request would use
        conn.execute(sa.insert(table).values(**values))


def _create_user(**fields):
    with uow() as u:
        create_user(u, rules(), extension("passwords"), OPERATOR, password="a long enough password", **fields)


def test_username_taken_by_a_concurrent_request_is_username_taken(ctx):
    _committed_by_another_request(User.__table__, username="alice", password_hash="x", active=True,
                                  created_at=NOW, updated_at=NOW)
    with pytest.raises(Conflict) as refused:
        _create_user(username="alice", roles=["committee"])
    assert refused.value.code == "username_taken" and refused.value.extra["field"] == "username"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_employee_account_taken_by_a_concurrent_request_is_employee_no_taken(ctx):
    _committed_by_another_request(Manager.__table__, employee_no="M1", created_at=NOW, updated_at=NOW, **MANAGER)
    _committed_by_another_request(User.__table__, username="m1", password_hash="x", employee_no="M1", active=True,
                                  created_at=NOW, updated_at=NOW)
    with pytest.raises(Conflict) as refused:
        _create_user(username="wang.fang", roles=["employee"], employee_no="M1")
    assert refused.value.code == "employee_no_taken" and refused.value.extra["field"] == "employee_no"


def test_employee_number_taken_by_a_concurrent_request_is_manager_exists(ctx):
    _committed_by_another_request(Manager.__table__, employee_no="M1", created_at=NOW, updated_at=NOW, **MANAGER)
    with pytest.raises(Conflict) as refused:
        with uow() as u:
            register_manager(u, rules(), OPERATOR, employee_no="M1", supervisor=None, **MANAGER)
    assert refused.value.code == "manager_exists"


def test_concurrent_first_performance_records_give_concurrent_update(ctx, monkeypatch):
    _committed_by_another_request(Manager.__table__, employee_no="M1", created_at=NOW, updated_at=NOW, **MANAGER)
    _committed_by_another_request(PerformanceRecord.__table__, employee_no="M1", period="2026Q1", score=Decimal("80"),
                                  months_worked=3, violation=False, recorded_at=NOW, recorded_by="hr1")
    # This request looked before the other one committed: it saw no record and inserts.
    with uow() as u:
        monkeypatch.setattr(u.performance, "get", lambda *args, **kwargs: None)
        with pytest.raises(Conflict) as refused:
            record_performance(u, rules(), OPERATOR, "M1", "2026Q1", score=Decimal("90"), months_worked=3)
        u.session.rollback()
    assert refused.value.code == "concurrent_update"
    stored = db.session.get(PerformanceRecord, ("M1", "2026Q1"))
    assert stored.score == Decimal("80") and stored.recorded_by == "hr1"


def test_a_foreign_key_failure_is_not_mistaken_for_a_duplicate(ctx):
    with pytest.raises(sa.exc.IntegrityError):
        with uow() as u:
            u.users.add(username="bob", password_hash="y", roles=["employee"], employee_no="NOBODY", active=True,
                        created_at=NOW, updated_at=NOW)
