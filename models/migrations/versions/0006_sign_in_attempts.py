"""sign_in_attempts: recent sign-ins, so that repeated wrong passwords are slowed down across every worker

Revision ID: 0006_sign_in_attempts
Revises: 0005_idempotency
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa

revision = '0006_sign_in_attempts'
down_revision = '0005_idempotency'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_in_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.CheckConstraint("outcome IN ('pending', 'failed', 'succeeded')", name=op.f('ck_sign_in_attempts_known_outcome')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_attempts'))
    )
    with op.batch_alter_table('sign_in_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_sign_in_attempts_address_at', ['address', 'at'], unique=False)
        batch_op.create_index('ix_sign_in_attempts_at', ['at'], unique=False)
        batch_op.create_index('ix_sign_in_attempts_username_at', ['username', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('sign_in_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_in_attempts_username_at')
        batch_op.drop_index('ix_sign_in_attempts_at')
        batch_op.drop_index('ix_sign_in_attempts_address_at')

    op.drop_table('sign_in_attempts')
