"""tests/support/worlds.py, which most tests stand on: a world put back holds exactly the rows its use cases wrote
(a manager's supervisor before the manager, the hash chain as it was), with the tokens issued while it was built, and a world
is never put back into a database that holds anything."""
from __future__ import annotations

from models import db
from models.audit import verify_chain
from tests.support.databases import empty_all_tables
from tests.support.driver import Driver
from tests.support.world import BOSS, CYCLE, HR, SUPERVISOR, candidate, organisation
from tests.support.worlds import _rows, built_once


def _build(gf) -> dict:
    organisation(gf)
    candidate(gf, "E001")
    gf.manager("E002", "junior", supervisor="E001")  # a chain three deep: S900 ← E001 ← E002
    applied = gf.post("/cases", as_="e001", json={"cycle": CYCLE, "target_grade": "mid", "statement": "x"})
    return {"case": applied.get_json()["id"], "driver": gf}


def _must_not_build():
    raise AssertionError("the world was built again instead of put back")


def test_a_world_put_back_holds_the_rows_it_was_built_with_and_its_tokens(app):
    key = ("test_worlds", "restored")
    with app.app_context():
        held = {table: rows[:3] for table, rows in _rows().items() if rows}
    assert not held, f"an earlier test left rows behind (a world is only put back into an empty database): {held}"
    first = Driver(app)
    built = built_once(first, key, lambda: _build(first))
    with app.app_context():
        rows = _rows()
    assert rows["managers"] and rows["case_history"] and rows["audit_chain"], "the world wrote nothing"

    empty_all_tables(app)
    second = Driver(app)
    restored = built_once(second, key, _must_not_build)
    with app.app_context():
        assert _rows() == rows
    assert restored["case"] == built["case"] and restored["driver"] is second  # the value refers to the new driver
    assert second._tokens.keys() >= {HR, "e001"}
    assert second.case(built["case"], as_=BOSS)["employee_no"] == "E001"  # a token put back works
    with app.app_context():
        checked, problem, _ = verify_chain(db.session)
        db.session.remove()
    assert checked and problem is None, problem


def test_a_world_is_built_not_put_back_when_the_database_holds_anything(app):
    key = ("test_worlds", "not into a used database")
    gf = Driver(app)
    built_once(gf, key, lambda: organisation(gf))
    empty_all_tables(app)
    gf = Driver(app)
    gf.manager(SUPERVISOR, "senior")  # the database is no longer empty
    calls = []
    built_once(gf, key, lambda: calls.append("built"))
    assert calls == ["built"]
