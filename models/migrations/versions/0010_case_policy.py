"""cases.policy: the policy (name@version) in force when a case was opened

Revision ID: 0010_case_policy
Revises: 0009_periods
Create Date: 2026-12-03

Cases opened before this migration keep NULL: which file governed them was not recorded.
"""
from alembic import op
import sqlalchemy as sa

revision = '0010_case_policy'
down_revision = '0009_periods'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('policy', sa.String(length=80), nullable=True))


def downgrade():
    # in place (SQLite 3.35 and later): a batch would copy the cases table, whose rows many tables refer to
    op.drop_column('cases', 'policy')
