"""users.language: the language a user chose for the pages, so that it follows them to every browser

Revision ID: 0007_user_language
Revises: 0006_sign_in_attempts
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = '0007_user_language'
down_revision = '0006_sign_in_attempts'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('language')
