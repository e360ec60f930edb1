"""The cases table ties each state to the data it implies, on SQLite and PostgreSQL alike: no code
path can store a decided case without its outcome and decider, a published one without its
deadline, or a second open case for a manager."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from models import Appeal, Case, Cycle, Manager, User, db

NOW = datetime(2026, 9, 30, 2, 0, tzinfo=timezone.utc)
DEADLINE = datetime(2026, 10, 10, 15, 59, 59, tzinfo=timezone.utc)


def _setting(session) -> None:
    session.add(Manager(employee_no="E1", name="王芳", org_unit="北京分行", grade="mid", grade_since=date(2025, 1, 1),
                        hire_date=date(2024, 1, 1), created_at=NOW, updated_at=NOW))
    session.add(User(username="hr1", password_hash="x" * 20, active=True, created_at=NOW, updated_at=NOW))
    session.add(Cycle(code="C1", name="cycle", created_by="hr1", created_at=NOW))
    session.flush()


def _case(**overrides) -> Case:
    """A valid published promotion; each test breaks one thing."""
    fields = dict(kind="promotion", cycle_code="C1", employee_no="E1", from_grade="mid", target_grade="senior",
                  exceptional=False, statement="apply", state="published", outcome="approved", reasons=[],
                  supervisor_score=80, reviewed_by="s1", decided_by="chair1", decided_at=NOW, published_at=NOW,
                  appeal_deadline=DEADLINE, deadline_confirmed=True, created_by="e1", created_at=NOW,
                  updated_at=NOW, state_since=NOW, version=1)
    fields.update(overrides)
    return Case(**fields)


BROKEN = {
    "decided_without_outcome": dict(state="decided", outcome=None, published_at=None, appeal_deadline=None,
                                    deadline_confirmed=None),
    "decided_without_decider": dict(state="decided", decided_by=None),
    "undecided_with_outcome": dict(state="deliberation"),
    "published_without_deadline": dict(appeal_deadline=None),
    "closed_but_approved": dict(state="closed", finalized_at=NOW),
    "effective_without_date": dict(state="effective", finalized_at=NOW),
    "final_without_finalization": dict(state="effective", effective_on=date(2026, 10, 11)),
    "unknown_state": dict(state="approved"),
    "unknown_kind": dict(kind="transfer"),
    "unknown_outcome": dict(outcome="maybe"),
    "promotion_outside_a_cycle": dict(cycle_code=None),
    "demotion_in_a_cycle": dict(kind="demotion"),
    "interviewed_promotion_without_supervisor_score": dict(state="interview", outcome=None, supervisor_score=None),
    "version_zero": dict(version=0),
}


def test_a_valid_case_is_stored(ctx):
    _setting(db.session)
    db.session.add(_case())
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 1


@pytest.mark.parametrize("broken", BROKEN.values(), ids=BROKEN.keys())
def test_each_case_state_carries_the_data_it_implies(ctx, broken):
    _setting(db.session)
    db.session.commit()
    db.session.add(_case(**broken))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 0


def test_the_database_keeps_one_open_case_per_manager(ctx):
    _setting(db.session)
    db.session.add(_case())
    db.session.commit()
    db.session.add(_case(kind="demotion", cycle_code=None, state="deliberation", outcome=None, decided_by=None,
                         decided_at=None))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    # a finished case does not count
    db.session.add(_case(state="closed", outcome="denied", finalized_at=NOW))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 2


def test_the_database_keeps_one_appeal_per_case(ctx):
    _setting(db.session)
    case = _case(state="appealed")
    db.session.add(case)
    db.session.flush()
    for _ in range(2):
        db.session.add(Appeal(case_id=case.id, filed_by="e1", filed_at=NOW, reason="why", status="pending"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
