"""delegations: substitutes named for a range of days, and cases escalated past an absent supervisor (issue 16,
point 4)

Revision ID: 0024_delegations
Revises: 0023_notices
Create Date: 2026-12-04

delegations is a new table; the escalation's three columns of cases are plain ALTER TABLE (no case is escalated);
the timers' kinds grow by `escalation`, widened as 0017 widened them (models/migration_checks.py). (Numbered 0024
beside the lead's 0023: renumbered at the merge.)
"""
from alembic import op
import sqlalchemy as sa

from models.base import UTCDateTime
from models.migration_checks import change_known

revision = '0024_delegations'
down_revision = '0023_notices'
branch_labels = None
depends_on = None

SCOPES = ('supervisor', 'committee', 'both')
OLD_TIMER_KINDS = ('appeal_window_end', 'probation_end', 'quarter_close', 'reminder', 'deferred_demotion',
                   'observation_end')
NEW_TIMER_KINDS = OLD_TIMER_KINDS + ('escalation',)


def upgrade():
    op.create_table(
        'delegations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('principal', sa.String(length=64), nullable=False),
        sa.Column('substitute', sa.String(length=64), nullable=False),
        sa.Column('scope', sa.String(length=16), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('cancelled_at', UTCDateTime(timezone=True), nullable=True),
        sa.Column('cancelled_by', sa.String(length=64), nullable=True),
        sa.CheckConstraint('principal <> substitute', name=op.f('ck_delegations_not_self')),
        sa.CheckConstraint('starts_on <= ends_on', name=op.f('ck_delegations_ends_after_start')),
        sa.CheckConstraint("scope IN (" + ", ".join(f"'{s}'" for s in SCOPES) + ")",
                           name=op.f('ck_delegations_known_scope')),
        sa.CheckConstraint('(cancelled_at IS NULL) = (cancelled_by IS NULL)',
                           name=op.f('ck_delegations_cancelled_by_someone')),
        sa.ForeignKeyConstraint(['principal'], ['users.username'], name=op.f('fk_delegations_principal_users')),
        sa.ForeignKeyConstraint(['substitute'], ['users.username'], name=op.f('fk_delegations_substitute_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_delegations')))
    op.create_index(op.f('ix_delegations_principal'), 'delegations', ['principal'], unique=False)
    op.create_index('ix_delegations_substitute_days', 'delegations', ['substitute', 'starts_on', 'ends_on'],
                    unique=False)
    op.add_column('cases', sa.Column('escalated_from', sa.String(length=32), nullable=True))
    op.add_column('cases', sa.Column('escalated_to', sa.String(length=32), nullable=True))
    op.add_column('cases', sa.Column('escalated_at', UTCDateTime(timezone=True), nullable=True))
    op.create_index(op.f('ix_cases_escalated_at'), 'cases', ['escalated_at'], unique=False)
    change_known('timers', 'kind', 'ck_timers_known_kind', OLD_TIMER_KINDS, NEW_TIMER_KINDS)


def downgrade():
    bind = op.get_bind()
    # checked before anything changes (SQLite commits each DDL statement of a downgrade as it goes): who stands in
    # for whom, and the cases escalated now, decide who may act; none of it is dropped silently
    if bind.exec_driver_sql("SELECT count(*) FROM delegations").scalar() or bind.exec_driver_sql(
            "SELECT count(*) FROM cases WHERE escalated_at IS NOT NULL").scalar():
        raise RuntimeError("substitutes are named or cases escalated, which revision 0022 does not know")
    # the escalation timers: what they did is in the cases' history; the kind goes
    op.execute("DELETE FROM timers WHERE kind = 'escalation'")
    change_known('timers', 'kind', 'ck_timers_known_kind', NEW_TIMER_KINDS, OLD_TIMER_KINDS)
    op.drop_index(op.f('ix_cases_escalated_at'), table_name='cases')
    for column in ('escalated_at', 'escalated_to', 'escalated_from'):
        op.drop_column('cases', column)
    op.drop_index('ix_delegations_substitute_days', table_name='delegations')
    op.drop_index(op.f('ix_delegations_principal'), table_name='delegations')
    op.drop_table('delegations')
