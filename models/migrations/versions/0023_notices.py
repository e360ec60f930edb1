"""notices: every outbox message has a dedupe key (reminders: their timer's and recipient's), messages that no timer
wrote (the notices of what happened to a case), users' e-mail address and mobile number, and the notices' cursor
over the audit chain (issue 15, point 1)

Revision ID: 0023_notices
Revises: 0022_outbox_delivery
Create Date: 2026-12-04

On SQLite the outbox's timer_id loses its NOT NULL and dedupe_key gains one by editing the stored definition, as
migration_checks.py widens CHECKs (both only loosen or hold for every row). The cursor starts at the end of the
chain: what happened before the upgrade is not announced again.
"""
from alembic import op
import sqlalchemy as sa

from models.migration_checks import edit_sqlite_definition

revision = '0023_notices'
down_revision = '0022_outbox_delivery'
branch_labels = None
depends_on = None


def upgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    op.add_column('users', sa.Column('email', sa.String(length=254), nullable=True))
    op.add_column('users', sa.Column('mobile', sa.String(length=32), nullable=True))
    op.add_column('outbox', sa.Column('dedupe_key', sa.String(length=200), nullable=True))
    op.execute("UPDATE outbox SET dedupe_key = 'reminder:' || timer_id || ':' || recipient")
    if sqlite:
        edit_sqlite_definition('outbox', "timer_id INTEGER NOT NULL,", "timer_id INTEGER,")
        edit_sqlite_definition('outbox', "dedupe_key VARCHAR(200)", "dedupe_key VARCHAR(200) NOT NULL")
    else:
        op.alter_column('outbox', 'timer_id', existing_type=sa.Integer(), nullable=True)
        op.alter_column('outbox', 'dedupe_key', existing_type=sa.String(length=200), nullable=False)
    op.create_index(op.f('ix_outbox_dedupe_key'), 'outbox', ['dedupe_key'], unique=True)
    cursor = op.create_table('notice_cursor',
                             sa.Column('source', sa.String(length=32), nullable=False),
                             sa.Column('last_seq', sa.Integer(), nullable=False),
                             sa.PrimaryKeyConstraint('source', name=op.f('pk_notice_cursor')))
    last = op.get_bind().execute(sa.text("SELECT coalesce(max(seq), 0) FROM audit_chain")).scalar()
    op.bulk_insert(cursor, [{"source": "audit_chain", "last_seq": last}])


def downgrade():
    if op.get_bind().execute(sa.text("SELECT count(*) FROM outbox WHERE timer_id IS NULL")).scalar():
        raise RuntimeError("the outbox holds notices that no timer wrote: revision 0022 cannot keep them")
    op.drop_table('notice_cursor')
    op.drop_index(op.f('ix_outbox_dedupe_key'), table_name='outbox')
    if op.get_bind().dialect.name == 'sqlite':
        edit_sqlite_definition('outbox', "timer_id INTEGER,", "timer_id INTEGER NOT NULL,")
    else:
        op.alter_column('outbox', 'timer_id', existing_type=sa.Integer(), nullable=False)
    op.drop_column('outbox', 'dedupe_key')
    op.drop_column('users', 'mobile')
    op.drop_column('users', 'email')
