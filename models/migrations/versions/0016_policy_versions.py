"""policy_versions: the content of each policy version that governed a case, kept when a case first records it

Revision ID: 0016_policy_versions
Revises: 0015_performance_parts
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

from models.base import UTCDateTime

revision = '0016_policy_versions'
down_revision = '0015_performance_parts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('policy_versions',
                    sa.Column('reference', sa.String(length=80), nullable=False),
                    sa.Column('document', sa.Text(), nullable=False),
                    sa.Column('first_used_at', UTCDateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('reference', name=op.f('pk_policy_versions')))


def downgrade():
    op.drop_table('policy_versions')
