"""What the tests read back: a case, a manager's record and grade history over the API (as hr, by default),
and rows straight from the database in a fresh session (which sees what other processes committed)."""
from __future__ import annotations

import sqlalchemy as sa

from models import SchedulerRun, db
from tests.support.answers import ok
from tests.support.world import HR

# --- over the API -----------------------------------------------------------------------------------

def case_of(gf, case_id: int, as_: str = HR) -> dict:
    return gf.case(case_id, as_)


def manager(gf, no: str) -> dict:
    return ok(gf.get(f"/managers/{no}", as_=HR))


def grade_history(gf, no: str) -> list[dict]:
    return [{k: row[k] for k in ("from_grade", "to_grade", "effective_on", "case_id")}
            for row in ok(gf.get(f"/managers/{no}/grade-history", as_=HR))]


# --- from the database --------------------------------------------------------------------------------

def read(app, query):
    """`query(session)` in a fresh session (sees what the processes committed)."""
    with app.app_context():
        try:
            return query(db.session)
        finally:
            db.session.remove()


def runs(app) -> list[SchedulerRun]:
    return read(app, lambda s: list(s.scalars(sa.select(SchedulerRun).order_by(SchedulerRun.id))))
