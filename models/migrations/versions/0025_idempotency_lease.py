"""idempotency lease: a key claimed by a request in progress (bulk work) is claimed until an instant, after which a
repeat takes the claim over

Revision ID: 0025_idempotency_lease
Revises: 0024_delegations
Create Date: 2026-12-04

A plain ADD COLUMN, null for the stored responses. A key still in progress at the upgrade keeps null: the process
that claimed it stopped with the upgrade, so its claim has lapsed (api/idempotency.py).
"""
from alembic import op
import sqlalchemy as sa

from models.base import UTCDateTime

revision = '0025_idempotency_lease'
down_revision = '0024_delegations'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('idempotent_requests', sa.Column('claimed_until', UTCDateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column('idempotent_requests', 'claimed_until')
