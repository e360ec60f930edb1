"""cases.exam_score: the exam component of the final score, where the policy weighs an exam

Revision ID: 0014_case_exam_score
Revises: 0013_exam_results
Create Date: 2026-12-03

Plain ALTER TABLE: a batch would make SQLite copy the cases table, whose rows many tables refer to.
"""
from alembic import op
import sqlalchemy as sa

revision = '0014_case_exam_score'
down_revision = '0013_exam_results'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('cases', sa.Column('exam_score', sa.Numeric(precision=6, scale=2), nullable=True))


def downgrade():
    op.drop_column('cases', 'exam_score')  # SQLite 3.35 and later drop a column in place
