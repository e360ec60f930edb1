"""Migration 0017: the cases written before it keep their states; afterwards a case may be in_stage, naming its
stage, and the known states, the one-open-case index and the timer kinds hold as before; going back is refused
while a case is in a stage, and possible once none is."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy.exc import IntegrityError

from api.migrations import MIGRATIONS
from models import db
from tests.support.migrations import app_at_revision

BEFORE = "0016_policy_versions"
AFTER = "0017_case_stages"  # the migration under test (later ones add columns the rows here lack)
AT = "2026-10-01 02:00:00"
MANAGER = ("INSERT INTO managers (employee_no, name, org_unit, grade, grade_since, hire_date, created_at, updated_at) "
           "VALUES (:no, '经理', '北京分行', 'junior', '2025-01-01', '2024-01-01', :at, :at)")
CYCLE = "INSERT INTO cycles (code, name, created_by, created_at) VALUES ('2026-H2', '下半年', 'hr1', :at)"
CASE = ("INSERT INTO cases (kind, cycle_code, employee_no, from_grade, target_grade, exceptional, statement, state, "
        "reasons, supervisor_score, reviewed_by, created_by, created_at, updated_at, state_since, version{more}) "
        "VALUES ('promotion', '2026-H2', :no, 'junior', 'mid', false, '申请', :state, '[]', 80, 's1', 'e1', :at, :at, "
        ":at, 1{values})")
TIMER = ("INSERT INTO timers (kind, key, due_at, created_at, attempts, data) "
         "VALUES (:kind, :key, :at, :at, 0, '{}')")


def _case(conn, no: str, state: str, stage: str | None = None) -> None:
    if stage is None:
        conn.execute(sa.text(CASE.format(more="", values="")), {"no": no, "state": state, "at": AT})
    else:
        conn.execute(sa.text(CASE.format(more=", stage", values=", :stage")),
                     {"no": no, "state": state, "stage": stage, "at": AT})


def _refused(engine, statement) -> None:
    with pytest.raises(IntegrityError):
        with engine.begin() as conn:
            statement(conn)


def test_cases_keep_their_states_and_a_case_may_then_be_in_a_stage(fresh_database_url):
    with app_at_revision(fresh_database_url, BEFORE):
        with db.engine.begin() as conn:
            for no in ("M001", "M002", "M003"):
                conn.execute(sa.text(MANAGER), {"no": no, "at": AT})
            conn.execute(sa.text(CYCLE), {"at": AT})
            _case(conn, "M001", "interview")
        upgrade(directory=MIGRATIONS, revision=AFTER)
        engine = db.engine
        with engine.begin() as conn:
            assert conn.execute(sa.text("SELECT state, stage FROM cases")).all() == [("interview", None)]
            _case(conn, "M002", "in_stage", "skills_test")
            conn.execute(sa.text(TIMER), {"kind": "observation_end", "key": "observation_end:2:9", "at": AT})
        _refused(engine, lambda conn: _case(conn, "M003", "in_stage"))  # in a stage, naming none
        _refused(engine, lambda conn: _case(conn, "M003", "submitted", "skills_test"))  # a stage, out of one
        _refused(engine, lambda conn: _case(conn, "M003", "pondering"))  # no such state
        _refused(engine, lambda conn: _case(conn, "M002", "submitted"))  # M002's case in a stage is open
        _refused(engine, lambda conn: conn.execute(sa.text(TIMER), {"kind": "alarm", "key": "x", "at": AT}))

        with pytest.raises(SystemExit):  # flask-migrate logs the reason ("cases are in_stage, ...") and exits
            downgrade(directory=MIGRATIONS, revision=BEFORE)
        with engine.begin() as conn:  # nothing was changed by the refused downgrade
            assert conn.execute(sa.text("SELECT count(*) FROM cases WHERE stage IS NOT NULL")).scalar() == 1
            conn.execute(sa.text("UPDATE cases SET state = 'withdrawn', stage = NULL WHERE employee_no = 'M002'"))
        downgrade(directory=MIGRATIONS, revision=BEFORE)
        with engine.begin() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM timers")).scalar() == 0
            assert sorted(conn.execute(sa.text("SELECT state FROM cases")).scalars()) == ["interview", "withdrawn"]
        _refused(engine, lambda conn: _case(conn, "M003", "in_stage"))
