"""cases.supervisor_items: the items a supervisor score was made of, where the policy scores the supervisor by item

Revision ID: 0020_case_supervisor_items
Revises: 0019_case_deductions
Create Date: 2026-12-04

Plain ALTER TABLE, as for 0018. Cases reviewed before it were scored as one number (NULL).
"""
from alembic import op
import sqlalchemy as sa

revision = '0020_case_supervisor_items'
down_revision = '0019_case_deductions'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('cases', sa.Column('supervisor_items', sa.JSON(), nullable=True))


def downgrade():
    op.drop_column('cases', 'supervisor_items')  # SQLite 3.35 and later drop a column in place
