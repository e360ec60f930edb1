"""cases.stage_scores: the score each of a promotion's scored stages recorded, for a policy that weighs it in the
final score (and for the case page)

Revision ID: 0018_case_stage_scores
Revises: 0017_case_stages
Create Date: 2026-12-04

Plain ALTER TABLE: a batch would make SQLite copy the cases table, whose rows many tables refer to. Cases written
before it have no stage scores (NULL); their stages' scores stay in their history.
"""
from alembic import op
import sqlalchemy as sa

revision = '0018_case_stage_scores'
down_revision = '0017_case_stages'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('cases', sa.Column('stage_scores', sa.JSON(), nullable=True))


def downgrade():
    op.drop_column('cases', 'stage_scores')  # SQLite 3.35 and later drop a column in place
