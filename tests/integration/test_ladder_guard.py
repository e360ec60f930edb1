"""Only the grade ladder writes a grade: a hand-made history row does not make a bare write legal,
and a move may not predate the grade it leaves."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from api.context import rules, uow
from models import db
from models.managers import GradeChangedWithoutHistory, GradeHistory, Manager
from tests.support.driver import Driver
from tests.support.world import case_record
from workflow.ladder import GradeChangeRefused
from workflow.services.grades import change_grade

INSTANT = datetime(2026, 9, 1, 1, 0, tzinfo=timezone.utc)


def _stored(employee_no: str) -> tuple:
    with db.engine.connect() as conn:
        grade = conn.execute(sa.select(Manager.grade).where(Manager.employee_no == employee_no)).scalar_one()
        rows = conn.execute(sa.select(sa.func.count()).select_from(GradeHistory)
                            .where(GradeHistory.employee_no == employee_no)).scalar_one()
    return grade, rows


def test_a_forged_history_row_does_not_let_a_grade_skip_the_ladder(ctx):
    Driver(ctx).manager("M1", "junior")
    manager = db.session.get(Manager, "M1")
    manager.grade = "senior"  # a skip the ladder refuses for an ordinary promotion
    db.session.add(GradeHistory(employee_no="M1", from_grade="junior", to_grade="senior", event="promote",
                                effective_on=date(2026, 9, 1), case_id=1, recorded_at=INSTANT))
    with pytest.raises(GradeChangedWithoutHistory, match="not set by the grade ladder"):
        db.session.commit()
    db.session.rollback()
    assert _stored("M1") == ("junior", 0)


def test_a_grade_rewritten_after_a_ladder_move_is_refused(ctx):
    Driver(ctx).manager("M1", "junior")
    case_record("M1", 1)
    with pytest.raises(GradeChangedWithoutHistory):
        with uow() as u:
            manager = u.managers.get("M1")
            change_grade(u, rules(), manager, "promote", effective_on=date(2026, 9, 1), case_id=1)
            manager.grade = "senior"
    assert _stored("M1") == ("junior", 0)


def test_a_grade_change_may_not_predate_the_current_grade(ctx):
    Driver(ctx).manager("M1", "junior", grade_since=date(2026, 3, 1))
    with pytest.raises(GradeChangeRefused, match="predate"):
        with uow() as u:
            change_grade(u, rules(), u.managers.get("M1"), "promote", effective_on=date(2026, 2, 28), case_id=1)
    assert _stored("M1") == ("junior", 0)


def test_two_moves_in_one_transaction_are_each_recorded(ctx):
    Driver(ctx).manager("M1", "probation", grade_since=date(2025, 6, 1))
    case_record("M1", 1)
    case_record("M1", 2)
    with uow() as u:
        manager = u.managers.get("M1")
        change_grade(u, rules(), manager, "confirm", effective_on=date(2025, 9, 1), case_id=1)
        change_grade(u, rules(), manager, "promote", effective_on=date(2026, 9, 1), case_id=2)
    assert _stored("M1") == ("mid", 2)
