"""Migration 0029: the cases are indexed by (cycle_code, id), so that reading a case reads the policy its cycle
follows (its first case's: models/cases.py, Cycle.cases_policy) without walking the cases of every older cycle.
On PostgreSQL, with an index on cycle_code alone, the planner walked the primary key in id order until it met one
of the cycle's cases."""
from __future__ import annotations

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from api.migrations import MIGRATIONS
from models import Cycle, db
from tests.support.migrations import app_at_revision

BEFORE = "0028_case_org_unit"
AT = "2026-09-01 01:00:00"
OLDERS, NEWER = [f"{2021 + n // 2}-H{1 + n % 2}" for n in range(9)], "2026-H1"  # five years of half-year cycles
MANAGER = ("INSERT INTO managers (employee_no, name, org_unit, grade, grade_since, hire_date, created_at, updated_at) "
           "VALUES ('M001', '经理', '北京分行', 'mid', '2025-01-01', '2024-01-01', :at, :at)")
CYCLE = "INSERT INTO cycles (code, name, created_by, created_at) VALUES (:code, :code, 'hr', :at)"
CASES = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count) "
         "INSERT INTO cases (kind, cycle_code, employee_no, from_grade, target_grade, exceptional, statement, state, "
         "reasons, created_by, created_at, updated_at, state_since, version, org_unit, policy) "
         "SELECT 'promotion', :cycle, 'M001', 'mid', 'senior', false, '申请', 'withdrawn', '[]', 'hr', :at, :at, :at, 1, "
         "'北京分行', 'default@1' FROM n")


def _cases_of_two_cycles() -> None:
    """600 withdrawn cases in each of nine older cycles, then 20 of a newer one."""
    with db.engine.begin() as conn:
        conn.execute(sa.text(MANAGER), {"at": AT})
        for code, count in [(older, 600) for older in OLDERS] + [(NEWER, 20)]:
            conn.execute(sa.text(CYCLE), {"code": code, "at": AT})
            conn.execute(sa.text(CASES), {"cycle": code, "count": count, "at": AT})
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("ANALYZE cases"))


def _plan_of_the_cycles_policy() -> str:
    """How the database reads the newer cycle's policy, as every read of one of its cases does."""
    query = sa.select(Cycle.cases_policy).where(Cycle.code == NEWER)
    with db.engine.connect() as conn:
        compiled = query.compile(conn, compile_kwargs={"literal_binds": True})
        explain = "EXPLAIN " if conn.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
        return "\n".join(str(row[-1]) for row in conn.execute(sa.text(explain + str(compiled))))


def test_a_cycles_first_case_is_found_by_the_index_of_the_cycles_cases_in_id_order(fresh_database_url):
    with app_at_revision(fresh_database_url, BEFORE):
        _cases_of_two_cycles()
        upgrade(directory=MIGRATIONS)
        plan = _plan_of_the_cycles_policy()
        assert "ix_cases_cycle_code_id" in plan, plan
        with db.engine.connect() as conn:
            assert conn.execute(sa.select(Cycle.cases_policy).where(Cycle.code == NEWER)).scalar_one() == "default@1"
        downgrade(directory=MIGRATIONS, revision=BEFORE)
        with db.engine.connect() as conn:
            names = {ix["name"] for ix in sa.inspect(conn).get_indexes("cases")}
        assert "ix_cases_cycle_code" in names and "ix_cases_cycle_code_id" not in names
