"""performance parts: the parts a period's score was made from, where the policy's period scorecard makes it

Revision ID: 0015_performance_parts
Revises: 0014_case_exam_score
Create Date: 2026-12-03

Plain ALTER TABLE: a batch would make SQLite copy performance_records, which performance_versions refers to.
"""
from alembic import op
import sqlalchemy as sa

revision = '0015_performance_parts'
down_revision = '0014_case_exam_score'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('performance_records', sa.Column('parts', sa.JSON(), nullable=True))
    op.add_column('performance_versions', sa.Column('parts', sa.JSON(), nullable=True))


def downgrade():
    op.drop_column('performance_versions', 'parts')  # SQLite 3.35 and later drop a column in place
    op.drop_column('performance_records', 'parts')
