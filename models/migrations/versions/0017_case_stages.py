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

from models.migration_checks import change_known, listed as _listed

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


def _open(states):
    return tuple(s for s in states if s not in TERMINAL)


def upgrade():
    _change_states(OLD_STATES, NEW_STATES)
    change_known('timers', 'kind', 'ck_timers_known_kind', OLD_TIMER_KINDS, NEW_TIMER_KINDS)
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
    change_known('timers', 'kind', 'ck_timers_known_kind', NEW_TIMER_KINDS, OLD_TIMER_KINDS)
    _change_states(NEW_STATES, OLD_STATES)


def _change_states(old, new):
    change_known('cases', 'state', 'ck_cases_known_state', old, new)
    op.drop_index('uq_cases_one_open_case', table_name='cases')
    where = sa.text(f"state IN ({_listed(_open(new))})")
    op.create_index('uq_cases_one_open_case', 'cases', ['employee_no'], unique=True,
                    sqlite_where=where, postgresql_where=where)
