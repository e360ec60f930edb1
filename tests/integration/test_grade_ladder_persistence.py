"""The grade ladder in the database: one code path moves a grade, always with its dated history row;
the schema's own constraints hold on SQLite and PostgreSQL alike; the migrations build the models' schema.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError, StatementError
from transitions import Machine

from api.context import rules, uow
from models import db
from models.accounts import User, UserRole
from models.clock_state import ManualClockState
from models.managers import GradeChangedWithoutHistory, GradeHistory, Manager, PerformanceRecord
from tests.support.driver import Driver
from tests.support.world import case_record
from workflow.ladder import GradeChangeRefused
from workflow.services.grades import change_grade

SHANGHAI = timezone(timedelta(hours=8))
INSTANT = datetime(2026, 9, 1, 9, 0, 0, 123456, tzinfo=SHANGHAI)


def _history_rows(employee_no: str) -> list[tuple]:
    rows = db.session.scalars(sa.select(GradeHistory).where(GradeHistory.employee_no == employee_no)
                              .order_by(GradeHistory.id))
    return [(h.from_grade, h.to_grade, h.event, h.effective_on, h.case_id) for h in rows]


def _stored_manager(employee_no: str) -> tuple:
    """The manager as the database holds it (not as this session remembers it)."""
    with db.engine.connect() as conn:
        row = conn.execute(sa.select(Manager.grade, Manager.grade_since)
                           .where(Manager.employee_no == employee_no)).one()
    return tuple(row)


def _move(employee_no: str, event: str, effective_on: date, case_id: int, target: str | None = None):
    case_record(employee_no, case_id)
    with uow() as u:
        manager = u.managers.get(employee_no, for_update=True)
        return change_grade(u, rules(), manager, event, effective_on=effective_on, case_id=case_id, target=target)


# --- the ladder ---------------------------------------------------------------------------

def test_grade_changes_only_through_the_ladder(ctx):
    gf = Driver(ctx)
    gf.manager("M1", "probation", grade_since=date(2025, 12, 1))
    move = _move("M1", "confirm", date(2026, 3, 1), 11)
    assert (move.from_grade, move.to_grade) == ("probation", "junior")
    db.session.remove()
    assert _stored_manager("M1") == ("junior", date(2026, 3, 1))
    assert _history_rows("M1") == [("probation", "junior", "confirm", date(2026, 3, 1), 11)]


def test_every_grade_change_is_a_dated_history_row_oldest_first(ctx):
    gf = Driver(ctx)
    gf.manager("M1", "probation", grade_since=date(2025, 1, 1))
    gf.user("hr1", "hr")
    _move("M1", "confirm", date(2025, 4, 1), 1)
    _move("M1", "promote", date(2025, 11, 1), 2)
    _move("M1", "exceptional_promote", date(2026, 8, 1), 3, target="senior")
    db.session.remove()
    assert _stored_manager("M1") == ("senior", date(2026, 8, 1))
    response = gf.get("/managers/M1/grade-history", as_="hr1")
    assert response.status_code == 200, response.get_json()
    assert [{k: h[k] for k in ("from_grade", "to_grade", "effective_on", "case_id")} for h in response.get_json()] == [
        {"from_grade": "probation", "to_grade": "junior", "effective_on": "2025-04-01", "case_id": 1},
        {"from_grade": "junior", "to_grade": "mid", "effective_on": "2025-11-01", "case_id": 2},
        {"from_grade": "mid", "to_grade": "senior", "effective_on": "2026-08-01", "case_id": 3},
    ]
    assert response.headers["X-Total-Count"] == "3"
    record = gf.get("/managers/M1", as_="hr1").get_json()
    assert (record["grade"], record["grade_since"], record["status"]) == ("senior", "2026-08-01", "active")


def test_grade_history_is_listed_by_effective_date_and_paginated(ctx):
    """Rows written late (a scheduler catching up) still list oldest first by effective date."""
    gf = Driver(ctx)
    gf.manager("M1", "mid")
    gf.user("hr1", "hr")
    for case_id in (10, 20, 30):
        case_record("M1", case_id)
    with uow() as u:
        for effective_on, from_grade, to_grade, case_id in [(date(2026, 5, 1), "mid", "senior", 30),
                                                            (date(2025, 5, 1), "junior", "mid", 20),
                                                            (date(2024, 5, 1), "probation", "junior", 10)]:
            u.grade_history.add(employee_no="M1", from_grade=from_grade, to_grade=to_grade, event="promote",
                                effective_on=effective_on, case_id=case_id, recorded_at=INSTANT)
    everything = gf.get("/managers/M1/grade-history", as_="hr1")
    assert [h["case_id"] for h in everything.get_json()] == [10, 20, 30]
    second = gf.get("/managers/M1/grade-history?per_page=1&page=2", as_="hr1")
    assert [(h["from_grade"], h["to_grade"], h["effective_on"]) for h in second.get_json()] == [
        ("junior", "mid", "2025-05-01")]
    assert second.headers["X-Total-Count"] == "3"


def test_leaving_the_ladder_marks_the_manager_exited(ctx):
    gf = Driver(ctx)
    gf.manager("M1", "junior")
    gf.user("hr1", "hr")
    _move("M1", "exit", date(2026, 9, 1), 5)
    record = gf.get("/managers/M1", as_="hr1").get_json()
    assert (record["grade"], record["status"]) == ("exited", "exited")
    assert [(h["from_grade"], h["to_grade"]) for h in gf.get("/managers/M1/grade-history", as_="hr1").get_json()] == [
        ("junior", "exited")]


def test_a_grade_change_and_its_history_row_share_one_transaction(ctx):
    Driver(ctx).manager("M1", "junior")
    case_record("M1", 9)
    with pytest.raises(RuntimeError, match="after the move"):
        with uow() as u:
            manager = u.managers.get("M1", for_update=True)
            change_grade(u, rules(), manager, "promote", effective_on=date(2026, 9, 1), case_id=9)
            u.flush()
            raise RuntimeError("something failed after the move")
    db.session.remove()
    assert _stored_manager("M1") == ("junior", date(2025, 1, 1))
    assert _history_rows("M1") == []


def test_one_app_keeps_one_grade_ladder_across_requests(app):
    """The ladder (and its transitions machine) is built with the app, not per request or per context."""
    with app.test_request_context("/api/v1/me"):
        first = rules().ladder
    with app.test_request_context("/api/v1/managers/M1", method="PATCH"):
        second = rules().ladder
    with app.app_context():
        third = rules().ladder
    assert second is first and third is first
    assert second.machine is first.machine and third.machine is first.machine


def test_grade_moves_in_separate_requests_build_no_machine_and_attach_no_manager(app, monkeypatch):
    Driver(app).manager("M1", "probation", grade_since=date(2025, 1, 1))
    with app.app_context():
        machine = rules().ladder.machine
    built = []
    original = Machine.__init__

    def spy(self, *args, **kwargs):
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Machine, "__init__", spy)
    for event, effective_on, case_id in (("confirm", date(2025, 4, 1), 1), ("promote", date(2025, 11, 1), 2)):
        with app.test_request_context("/api/v1/managers/M1", method="PATCH"):
            _move("M1", event, effective_on, case_id)
            db.session.remove()
    assert built == []
    with app.app_context():
        assert rules().ladder.machine is machine
        assert machine.models == []
        assert _stored_manager("M1") == ("mid", date(2025, 11, 1))
        assert [row[:3] for row in _history_rows("M1")] == [("probation", "junior", "confirm"),
                                                            ("junior", "mid", "promote")]
        db.session.remove()


# (grade, event, target): moves the default ladder forbids
REFUSED_MOVES = [
    pytest.param("junior", "demote", None, id="demotion_below_the_floor"),
    pytest.param("probation", "demote", None, id="probation_is_below_the_floor"),
    pytest.param("senior", "promote", None, id="promotion_beyond_the_top"),
    pytest.param("junior", "promote", "senior", id="ordinary_promotion_skips_no_grade"),
    pytest.param("probation", "promote", None, id="probation_ends_by_confirmation"),
    pytest.param("junior", "confirm", None, id="only_probation_is_confirmed"),
    pytest.param("mid", "promote", "junior", id="promotion_goes_up"),
    pytest.param("junior", "fly", None, id="unknown_event"),
]


@pytest.mark.parametrize("grade, event, target", REFUSED_MOVES)
def test_a_move_the_ladder_forbids_is_refused_and_writes_nothing(ctx, grade, event, target):
    Driver(ctx).manager("M1", grade)
    with pytest.raises(GradeChangeRefused) as refused:
        _move("M1", event, date(2026, 9, 1), 1, target=target)
    assert refused.value.code == "grade_change_refused"
    assert refused.value.extra.get("grade", grade) == grade
    db.session.remove()
    assert _stored_manager("M1") == (grade, date(2025, 1, 1))
    assert _history_rows("M1") == []


def test_a_grade_written_without_its_history_row_is_refused_at_commit(ctx):
    Driver(ctx).manager("M1", "junior")
    manager = db.session.get(Manager, "M1")
    manager.grade = "senior"
    with pytest.raises(GradeChangedWithoutHistory, match="M1"):
        db.session.commit()
    db.session.rollback()
    db.session.remove()
    assert _stored_manager("M1") == ("junior", date(2025, 1, 1))
    assert _history_rows("M1") == []


def test_a_history_row_for_another_manager_does_not_excuse_a_bare_grade_write(ctx):
    gf = Driver(ctx)
    gf.manager("M1", "junior")
    gf.manager("M2", "junior")
    db.session.get(Manager, "M1").grade = "mid"
    db.session.add(GradeHistory(employee_no="M2", from_grade="junior", to_grade="mid", event="promote",
                                effective_on=date(2026, 9, 1), case_id=1, recorded_at=INSTANT))
    with pytest.raises(GradeChangedWithoutHistory):
        db.session.commit()
    db.session.rollback()
    assert _stored_manager("M1")[0] == "junior" and _stored_manager("M2")[0] == "junior"
    assert _history_rows("M1") == [] and _history_rows("M2") == []


# --- database constraints -----------------------------------------------------------------

def _manager(no: str = "C1", **overrides) -> Manager:
    fields = dict(employee_no=no, name="经理", org_unit="北京分行", grade="junior", grade_since=date(2025, 1, 1),
                  hire_date=date(2024, 6, 1), supervisor_no=None, education=None, created_at=INSTANT,
                  updated_at=INSTANT)
    fields.update(overrides)
    return Manager(**fields)


def _user(username: str = "someone") -> User:
    return User(username=username, password_hash="x" * 20, employee_no=None, active=True,
                created_at=INSTANT, updated_at=INSTANT)


def _constraint_cases():
    def hire_after_grade_since(session):
        session.add(_manager(hire_date=date(2025, 2, 1), grade_since=date(2025, 1, 1)))

    def own_supervisor(session):
        session.add(_manager(supervisor_no="C1"))

    def unknown_role(session):
        user = _user()
        session.add(user)
        session.flush()
        session.add(UserRole(user_id=user.id, role="boss"))

    def history_without_change(session):
        session.add(_manager())
        session.flush()
        session.add(GradeHistory(employee_no="C1", from_grade="junior", to_grade="junior", event="promote",
                                 effective_on=date(2026, 1, 1), case_id=1, recorded_at=INSTANT))

    def year_of_13_months(session):
        session.add(_manager())
        session.flush()
        session.add(PerformanceRecord(employee_no="C1", period="2026", score=80, months_worked=13, violation=False,
                                      recorded_at=INSTANT, recorded_by="hr1"))

    def quarter_of_4_months(session):
        session.add(_manager())
        session.flush()
        session.add(PerformanceRecord(employee_no="C1", period="2026Q3", score=80, months_worked=4,
                                      violation=False, recorded_at=INSTANT, recorded_by="hr1"))

    def half_year_of_7_months(session):
        session.add(_manager())
        session.flush()
        session.add(PerformanceRecord(employee_no="C1", period="2026H2", score=80, months_worked=7,
                                      violation=False, recorded_at=INSTANT, recorded_by="hr1"))

    def month_of_2_months(session):
        session.add(_manager())
        session.flush()
        session.add(PerformanceRecord(employee_no="C1", period="2026M03", score=80, months_worked=2,
                                      violation=False, recorded_at=INSTANT, recorded_by="hr1"))

    def second_clock_row(session):
        session.add(ManualClockState(id=2, now=INSTANT))

    def supervisor_who_does_not_exist(session):
        session.add(_manager(supervisor_no="GHOST"))

    def duplicate_username(session):
        session.add(_user("twin"))
        session.flush()
        session.add(_user("twin"))

    return [pytest.param(f, id=f.__name__) for f in (
        hire_after_grade_since, own_supervisor, unknown_role, history_without_change, year_of_13_months,
        quarter_of_4_months, half_year_of_7_months, month_of_2_months, second_clock_row,
        supervisor_who_does_not_exist, duplicate_username)]


@pytest.mark.parametrize("write", _constraint_cases())
def test_the_database_enforces_its_constraints(ctx, write):
    session = db.session
    with pytest.raises(IntegrityError):
        write(session)
        session.commit()
    session.rollback()
    for model in (Manager, User, UserRole, GradeHistory, PerformanceRecord, ManualClockState):
        assert session.scalar(sa.select(sa.func.count()).select_from(model)) == 0, model.__name__


# --- timestamps ---------------------------------------------------------------------------

def test_timestamps_round_trip_as_timezone_aware_utc(ctx):
    db.session.add(_manager(created_at=INSTANT, updated_at=INSTANT.astimezone(timezone(timedelta(hours=-5)))))
    db.session.commit()
    db.session.remove()
    stored = db.session.get(Manager, "C1")
    for value in (stored.created_at, stored.updated_at):
        assert value.tzinfo is not None and value.utcoffset() == timedelta(0)
        assert value == INSTANT
        assert (value.year, value.month, value.day, value.hour, value.microsecond) == (2026, 9, 1, 1, 123456)


def test_the_api_writes_instants_in_the_policy_timezone(ctx):
    gf = Driver(ctx)
    gf.user("hr1", "hr")
    created = gf.post("/managers", as_="hr1", json={"employee_no": "M1", "name": "王芳", "org_unit": "北京分行",
                                                     "grade": "junior", "grade_since": "2025-03-01",
                                                     "hire_date": "2024-12-01", "supervisor": None})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["created_at"] == "2026-09-01T09:00:00+08:00"
    db.session.remove()
    assert db.session.get(Manager, "M1").created_at == datetime(2026, 9, 1, 1, 0, tzinfo=timezone.utc)


def test_a_naive_timestamp_is_never_stored(ctx):
    db.session.add(_manager(created_at=datetime(2026, 9, 1, 9, 0)))
    with pytest.raises(StatementError, match="naive"):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Manager)) == 0


# --- migrations ---------------------------------------------------------------------------

def test_the_migrations_build_exactly_the_models_tables(ctx):
    """The `migrated` database was built by Alembic alone; it must hold the models' schema, nothing more."""
    inspector = sa.inspect(db.engine)
    tables = set(inspector.get_table_names()) - {"alembic_version"}
    assert tables == set(db.metadata.tables)
    for name, table in db.metadata.tables.items():
        reflected = {c["name"]: c for c in inspector.get_columns(name)}
        assert set(reflected) == {c.name for c in table.columns}, name
        for column in table.columns:
            assert reflected[column.name]["nullable"] == column.nullable, (name, column.name)
        assert (set(inspector.get_pk_constraint(name)["constrained_columns"])
                == {c.name for c in table.primary_key.columns}), name
        assert ({(tuple(fk["constrained_columns"]), fk["referred_table"]) for fk in inspector.get_foreign_keys(name)}
                == {(tuple(c.name for c in fk.columns), fk.referred_table.name) for fk in table.foreign_key_constraints}), name
        assert ({ck["name"] for ck in inspector.get_check_constraints(name)}
                == {ck.name for ck in table.constraints if isinstance(ck, sa.CheckConstraint)}), name
        # (PostgreSQL also lists the indexes behind unique constraints; those are compared as constraints)
        assert ({ix["name"] for ix in inspector.get_indexes(name) if not ix.get("duplicates_constraint")}
                == {ix.name for ix in table.indexes}), name
        assert ({uq["name"] for uq in inspector.get_unique_constraints(name)}
                == {uq.name for uq in table.constraints if isinstance(uq, sa.UniqueConstraint)}), name
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diff == []
