"""cases.deductions: the points each of the policy's deductions took off a case's final score, as decided

Revision ID: 0019_case_deductions
Revises: 0018_case_stage_scores
Create Date: 2026-12-04

Plain ALTER TABLE, as for 0018. Cases decided before it had no deductions (NULL).
"""
from alembic import op
import sqlalchemy as sa

revision = '0019_case_deductions'
down_revision = '0018_case_stage_scores'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('cases', sa.Column('deductions', sa.JSON(), nullable=True))


def downgrade():
    op.drop_column('cases', 'deductions')  # SQLite 3.35 and later drop a column in place
