"""outbox delivery: each message's status (pending, sent, dead), attempts, next attempt, last error and the channels
that acknowledged it (issue 15, point 1)

Revision ID: 0022_outbox_delivery
Revises: 0021_grading_rules
Create Date: 2026-12-04

Plain ALTER TABLE, as for 0018; the status's CHECK is added with its column on SQLite, as 0017 adds cases.stage.
Messages marked sent before it (sent_at) are sent; the others are pending, tried at the next send.
"""
from alembic import op
import sqlalchemy as sa

from models.base import UTCDateTime

revision = '0022_outbox_delivery'
down_revision = '0021_grading_rules'
branch_labels = None
depends_on = None

KNOWN_STATUS = "status IN ('pending', 'sent', 'dead')"


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("ALTER TABLE outbox ADD COLUMN status VARCHAR(16) DEFAULT 'pending' NOT NULL "
                   f"CONSTRAINT ck_outbox_known_status CHECK ({KNOWN_STATUS})")
    else:
        op.add_column('outbox', sa.Column('status', sa.String(length=16), server_default='pending', nullable=False))
        op.create_check_constraint(op.f('ck_outbox_known_status'), 'outbox', KNOWN_STATUS)
    op.execute("UPDATE outbox SET status = 'sent' WHERE sent_at IS NOT NULL")
    op.create_index(op.f('ix_outbox_status'), 'outbox', ['status'], unique=False)
    op.add_column('outbox', sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
    op.add_column('outbox', sa.Column('next_attempt_at', UTCDateTime(timezone=True), nullable=True))
    op.add_column('outbox', sa.Column('last_error', sa.Text(), nullable=True))
    op.add_column('outbox', sa.Column('delivered_to', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))


def downgrade():
    for column in ('delivered_to', 'last_error', 'next_attempt_at', 'attempts'):
        op.drop_column('outbox', column)
    op.drop_index(op.f('ix_outbox_status'), table_name='outbox')
    if op.get_bind().dialect.name != 'sqlite':  # on SQLite the column's own CHECK goes with it
        op.drop_constraint(op.f('ck_outbox_known_status'), 'outbox', type_='check')
    op.drop_column('outbox', 'status')
