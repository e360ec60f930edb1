"""managers.birth_date and managers.certificates: what a policy's age limit and certificate rules read

Revision ID: 0012_manager_qualifications
Revises: 0011_period_closes
Create Date: 2026-12-03

Managers registered before this migration have no birth date and no certificates until HR records them.
"""
from alembic import op
import sqlalchemy as sa

revision = '0012_manager_qualifications'
down_revision = '0011_period_closes'
branch_labels = None
depends_on = None


def upgrade():
    # plain ALTER TABLE ADD COLUMN: a batch would make SQLite copy the managers table, whose rows many tables
    # refer to
    op.add_column('managers', sa.Column('birth_date', sa.Date(), nullable=True))
    op.add_column('managers', sa.Column('certificates', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade():
    op.drop_column('managers', 'certificates')  # SQLite 3.35 and later drop a column in place
    op.drop_column('managers', 'birth_date')
