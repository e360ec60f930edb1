"""Grading rules of period closes (issue 14): events on a manager's record, the suspended standing, the metrics of
period records, advancement cases and the close's new outcomes

Revision ID: 0021_grading_rules
Revises: 0020_case_supervisor_items
Create Date: 2026-12-04

manager_events is a new table (chained like exam_results); managers.standing, performance_records.metrics and
performance_versions.metrics are plain ALTER TABLE, as for 0018 (every manager is active, no record has metrics).
The kinds of case and the close's outcomes grow by new values: their CHECK constraints are widened as 0017 widened
the states (models/migration_checks.py).
"""
from alembic import op
import sqlalchemy as sa

from models.base import UTCDateTime
from models.migration_checks import change_known, listed

revision = '0021_grading_rules'
down_revision = '0020_case_supervisor_items'
branch_labels = None
depends_on = None

OLD_KINDS = ('promotion', 'probation_confirmation', 'demotion', 'exit')
NEW_KINDS = OLD_KINDS + ('advancement',)
OLD_OUTCOMES = ('kept', 'excluded', 'demotion', 'deferred', 'not_demotable')
NEW_OUTCOMES = OLD_OUTCOMES + ('advancement', 'exit', 'moved', 'suspended', 'reinstated')
KNOWN_STANDING = "standing IN ('active', 'suspended')"
LEAVE_HAS_DAYS = ("(kind = 'leave' AND days IS NOT NULL AND reason IS NOT NULL) "
                  "OR (kind <> 'leave' AND days IS NULL AND reason IS NULL)")
EVENT_KINDS = ('violation', 'complaint', 'leave', 'target_met', 'target_missed', 'misconduct', 'suspension',
               'reinstatement')


def upgrade():
    op.create_table(
        'manager_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('employee_no', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('occurred_on', sa.Date(), nullable=False),
        sa.Column('days', sa.SmallInteger(), nullable=True),
        sa.Column('reason', sa.String(length=16), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('recorded_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('recorded_by', sa.String(length=64), nullable=False),
        sa.CheckConstraint("kind IN (" + ", ".join(f"'{k}'" for k in EVENT_KINDS) + ")",
                           name=op.f('ck_manager_events_known_event_kind')),
        sa.CheckConstraint(LEAVE_HAS_DAYS, name=op.f('ck_manager_events_leave_has_days')),
        sa.ForeignKeyConstraint(['employee_no'], ['managers.employee_no'],
                                name=op.f('fk_manager_events_employee_no_managers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_manager_events')))
    op.create_index(op.f('ix_manager_events_employee_no'), 'manager_events', ['employee_no'], unique=False)
    op.create_index(op.f('ix_manager_events_occurred_on'), 'manager_events', ['occurred_on'], unique=False)
    if op.get_bind().dialect.name == 'sqlite':  # a column's CHECK is added with it (as 0017 adds cases.stage)
        op.execute("ALTER TABLE managers ADD COLUMN standing VARCHAR(16) DEFAULT 'active' NOT NULL "
                   f"CONSTRAINT ck_managers_known_standing CHECK ({KNOWN_STANDING})")
    else:
        op.add_column('managers', sa.Column('standing', sa.String(length=16), server_default='active',
                                            nullable=False))
        op.create_check_constraint(op.f('ck_managers_known_standing'), 'managers', KNOWN_STANDING)
    op.add_column('performance_records', sa.Column('metrics', sa.JSON(), nullable=True))
    op.add_column('performance_versions', sa.Column('metrics', sa.JSON(), nullable=True))
    change_known('cases', 'kind', 'ck_cases_known_kind', OLD_KINDS, NEW_KINDS)
    change_known('quarter_results', 'outcome', 'ck_quarter_results_known_outcome', OLD_OUTCOMES, NEW_OUTCOMES)


def downgrade():
    bind = op.get_bind()
    # checked before anything changes (SQLite commits each DDL statement of a downgrade as it goes): events are links
    # of the audit chain, and standings and metrics are read by the rules; none of them is dropped silently
    if bind.exec_driver_sql("SELECT count(*) FROM manager_events").scalar() or bind.exec_driver_sql(
            "SELECT count(*) FROM performance_versions WHERE metrics IS NOT NULL").scalar():
        raise RuntimeError("managers' records hold events or metrics, which revision 0020 does not know")
    if bind.exec_driver_sql("SELECT count(*) FROM cases WHERE kind = 'advancement'").scalar() or bind.exec_driver_sql(
            f"SELECT count(*) FROM quarter_results WHERE outcome NOT IN ({listed(OLD_OUTCOMES)})").scalar():
        raise RuntimeError("closes opened advancement cases or recorded outcomes revision 0020 does not know")
    change_known('quarter_results', 'outcome', 'ck_quarter_results_known_outcome', NEW_OUTCOMES, OLD_OUTCOMES)
    change_known('cases', 'kind', 'ck_cases_known_kind', NEW_KINDS, OLD_KINDS)
    op.drop_column('performance_versions', 'metrics')
    op.drop_column('performance_records', 'metrics')
    if bind.dialect.name != 'sqlite':  # on SQLite the column's own CHECK goes with it
        op.drop_constraint(op.f('ck_managers_known_standing'), 'managers', type_='check')
    op.drop_column('managers', 'standing')
    op.drop_index(op.f('ix_manager_events_occurred_on'), table_name='manager_events')
    op.drop_index(op.f('ix_manager_events_employee_no'), table_name='manager_events')
    op.drop_table('manager_events')
