"""time: timers, scheduler runs, the outbox, calendar corrections, quarter closes; how long a case waits

Revision ID: 0003_time
Revises: 0002_cases
Create Date: 2026-11-22

Timers for what existed before (published cases, probation managers) are not written here: they
depend on the policy, and the scheduler's first sweep schedules whatever has none.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_time'
down_revision = '0002_cases'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.Column('deadlines', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_changes'))
    )
    with op.batch_alter_table('calendar_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_changes_day'), ['day'], unique=False)

    op.create_table('calendar_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_days'))
    )
    op.create_table('quarter_closes',
    sa.Column('period', sa.String(length=6), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('period', name=op.f('pk_quarter_closes'))
    )
    op.create_table('scheduler_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('runner', sa.String(length=200), nullable=False),
    sa.Column('until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('fired', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduler_runs'))
    )
    op.create_table('quarter_results',
    sa.Column('period', sa.String(length=6), nullable=False),
    sa.Column('employee_no', sa.String(length=32), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("outcome IN ('kept', 'excluded', 'demotion', 'deferred', 'not_demotable')", name=op.f('ck_quarter_results_known_outcome')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_quarter_results_case_id_cases')),
    sa.ForeignKeyConstraint(['employee_no'], ['managers.employee_no'], name=op.f('fk_quarter_results_employee_no_managers')),
    sa.ForeignKeyConstraint(['period'], ['quarter_closes.period'], name=op.f('fk_quarter_results_period_quarter_closes')),
    sa.PrimaryKeyConstraint('period', 'employee_no', name=op.f('pk_quarter_results'))
    )
    op.create_table('timers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('employee_no', sa.String(length=32), nullable=True),
    sa.Column('period', sa.String(length=6), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('retry_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.CheckConstraint("kind IN ('appeal_window_end', 'probation_end', 'quarter_close', 'reminder', 'deferred_demotion')", name=op.f('ck_timers_known_kind')),
    sa.CheckConstraint('attempts >= 0', name=op.f('ck_timers_attempts_not_negative')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_timers_case_id_cases')),
    sa.ForeignKeyConstraint(['employee_no'], ['managers.employee_no'], name=op.f('fk_timers_employee_no_managers')),
    sa.ForeignKeyConstraint(['run_id'], ['scheduler_runs.id'], name=op.f('fk_timers_run_id_scheduler_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timers')),
    sa.UniqueConstraint('key', name=op.f('uq_timers_key'))
    )
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_timers_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_timers_employee_no'), ['employee_no'], unique=False)
        batch_op.create_index('ix_timers_pending_due', ['due_at', 'id'], unique=False, sqlite_where=sa.text('fired_at IS NULL'), postgresql_where=sa.text('fired_at IS NULL'))
        batch_op.create_index(batch_op.f('ix_timers_run_id'), ['run_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('recipient', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('timer_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_outbox_case_id_cases')),
    sa.ForeignKeyConstraint(['recipient'], ['users.username'], name=op.f('fk_outbox_recipient_users')),
    sa.ForeignKeyConstraint(['timer_id'], ['timers.id'], name=op.f('fk_outbox_timer_id_timers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('timer_id', 'recipient', name=op.f('uq_outbox_timer_id'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_recipient'), ['recipient'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('overdue_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_overdue_since'), ['overdue_since'], unique=False)
    # a case already open has waited since its last change, as far as anyone can tell now
    op.execute("UPDATE cases SET state_since = updated_at")
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.alter_column('state_since', existing_type=sa.DateTime(timezone=True), nullable=False)



def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_overdue_since'))
        batch_op.drop_column('overdue_since')
        batch_op.drop_column('state_since')

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_recipient'))
        batch_op.drop_index(batch_op.f('ix_outbox_case_id'))

    op.drop_table('outbox')
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_timers_run_id'))
        batch_op.drop_index('ix_timers_pending_due', sqlite_where=sa.text('fired_at IS NULL'), postgresql_where=sa.text('fired_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_timers_employee_no'))
        batch_op.drop_index(batch_op.f('ix_timers_case_id'))

    op.drop_table('timers')
    op.drop_table('quarter_results')
    op.drop_table('scheduler_runs')
    op.drop_table('quarter_closes')
    op.drop_table('calendar_days')
    with op.batch_alter_table('calendar_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_changes_day'))

    op.drop_table('calendar_changes')
