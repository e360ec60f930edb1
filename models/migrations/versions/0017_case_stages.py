"""cases.stage and the state in_stage: a promotion in one of its policy's own stages (exam, second review, ...)
and the timers of observation periods

Revision ID: 0017_case_stages
Revises: 0016_policy_versions
Create Date: 2026-12-04

The list of known states grows by in_stage, in the CHECK constraint and in the partial index that keeps one open
case per manager; the list of timer kinds by observation_end. PostgreSQL changes the constraints in place. SQLite
cannot alter a CHECK constraint, and a batch would copy the tables, whose rows other tables refer to; since the
change only lets one more value in, the tables' stored definitions are edited instead, as SQLite documents for loosening a constraint ("Making Other Kinds
Of Table Schema Changes", https://www.sqlite.org/lang_altertable.html).
"""
from alembic import op
import sqlalchemy as sa

revision = '0017_case_stages'
down_revision = '0016_policy_versions'
branch_labels = None
depends_on = None

OLD_STATES = ('submitted', 'returned', 'hr_review', 'interview', 'deliberation', 'decided', 'published', 'appealed',
              'effective', 'closed', 'rejected', 'withdrawn')
NEW_STATES = OLD_STATES[:3] + ('in_stage',) + OLD_STATES[3:]
TERMINAL = ('effective', 'closed', 'rejected', 'withdrawn')
STAGE_NAMED = "(state = 'in_stage') = (stage IS NOT NULL)"
OLD_TIMER_KINDS = ('appeal_window_end', 'probation_end', 'quarter_close', 'reminder', 'deferred_demotion')
NEW_TIMER_KINDS = OLD_TIMER_KINDS + ('observation_end',)


def _listed(states) -> str:
    return ", ".join(f"'{s}'" for s in states)


def _open(states):
    return tuple(s for s in states if s not in TERMINAL)


def upgrade():
    _change_states(OLD_STATES, NEW_STATES)
    _change_known('timers', 'kind', 'ck_timers_known_kind', OLD_TIMER_KINDS, NEW_TIMER_KINDS)
    if op.get_bind().dialect.name == 'sqlite':  # a column's CHECK is added with it (tested on the existing rows)
        op.execute("ALTER TABLE cases ADD COLUMN stage VARCHAR(32) "
                   f"CONSTRAINT ck_cases_in_stage_names_its_stage CHECK ({STAGE_NAMED})")
    else:
        op.add_column('cases', sa.Column('stage', sa.String(length=32), nullable=True))
        op.create_check_constraint(op.f('ck_cases_in_stage_names_its_stage'), 'cases', STAGE_NAMED)


def downgrade():
    bind = op.get_bind()
    # checked before anything changes (SQLite commits each DDL statement of a downgrade as it goes)
    if bind.exec_driver_sql("SELECT count(*) FROM cases WHERE state = 'in_stage'").scalar():
        raise RuntimeError("cases are in_stage, a state revision 0016 does not know: end their stages first")
    # the timers of observation periods: none is pending once no case is in a stage; the fired ones go with the kind
    op.execute("DELETE FROM timers WHERE kind = 'observation_end'")
    if bind.dialect.name != 'sqlite':  # on SQLite the column's own CHECK goes with it
        op.drop_constraint(op.f('ck_cases_in_stage_names_its_stage'), 'cases', type_='check')
    op.drop_column('cases', 'stage')
    _change_known('timers', 'kind', 'ck_timers_known_kind', NEW_TIMER_KINDS, OLD_TIMER_KINDS)
    _change_states(NEW_STATES, OLD_STATES)


def _change_known(table: str, column: str, constraint: str, old, new):
    """The CHECK constraint `column IN (...)` from the `old` values to the `new`."""
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        if bind.exec_driver_sql(f"SELECT count(*) FROM {table} WHERE {column} NOT IN ({_listed(new)})").scalar():
            raise RuntimeError(f"{table} has rows whose {column} the target revision does not know")
        _edit_sqlite_definition(table, f"CHECK ({column} IN ({_listed(old)}))", f"CHECK ({column} IN ({_listed(new)}))")
    else:
        op.drop_constraint(op.f(constraint), table, type_='check')
        op.create_check_constraint(op.f(constraint), table, f"{column} IN ({_listed(new)})")


def _change_states(old, new):
    _change_known('cases', 'state', 'ck_cases_known_state', old, new)
    op.drop_index('uq_cases_one_open_case', table_name='cases')
    where = sa.text(f"state IN ({_listed(_open(new))})")
    op.create_index('uq_cases_one_open_case', 'cases', ['employee_no'], unique=True,
                    sqlite_where=where, postgresql_where=where)


def _edit_sqlite_definition(table: str, old: str, new: str) -> None:
    """Replace `old` by `new` in the stored CREATE TABLE of `table` (once; an error if it is not there)."""
    bind = op.get_bind()
    sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).scalar()
    if sql.count(old) != 1:
        raise RuntimeError(f"the {table} table's definition does not hold {old!r} once")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                             (sql.replace(old, new), table))
        bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    finally:
        bind.exec_driver_sql("PRAGMA writable_schema = OFF")
