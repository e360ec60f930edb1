"""audit chain: a hash chain over every history entry and calendar change

Revision ID: 0004_audit_chain
Revises: 0003_time
Create Date: 2026-11-22

The entries written before this migration are chained here, oldest first, so that
`gradeflow audit verify` covers them too.
"""
from alembic import op
import sqlalchemy as sa

from models.base import UTCDateTime
from workflow.audit import GENESIS, link_hash


# revision identifiers, used by Alembic.
revision = '0004_audit_chain'
down_revision = '0003_time'
branch_labels = None
depends_on = None

_history = sa.table("case_history", sa.column("id", sa.Integer), sa.column("case_id", sa.Integer),
                    sa.column("seq", sa.Integer), sa.column("at", UTCDateTime), sa.column("actor", sa.String),
                    sa.column("event", sa.String), sa.column("from_state", sa.String), sa.column("to_state", sa.String),
                    sa.column("comment", sa.Text), sa.column("data", sa.JSON))
_changes = sa.table("calendar_changes", sa.column("id", sa.Integer), sa.column("day", sa.Date),
                    sa.column("at", UTCDateTime), sa.column("actor", sa.String), sa.column("before", sa.JSON),
                    sa.column("after", sa.JSON), sa.column("deadlines", sa.JSON))


def upgrade():
    chain = op.create_table('audit_chain',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_chain')),
    sa.UniqueConstraint('hash', name=op.f('uq_audit_chain_hash')),
    sa.UniqueConstraint('prev_hash', name=op.f('uq_audit_chain_prev_hash')),
    sa.UniqueConstraint('source', 'source_id', name=op.f('uq_audit_chain_source'))
    )
    from models.audit import canonical_entry
    bind = op.get_bind()
    rows = [(row.at, table.name, row) for table in (_history, _changes)
            for row in bind.execute(sa.select(table).order_by(table.c.id))]
    previous, links = GENESIS, []
    for seq, (_, source, row) in enumerate(sorted(rows, key=lambda r: (r[0], r[1], r[2].id)), start=1):
        entry_hash = link_hash(previous, canonical_entry(source, row))
        links.append({"seq": seq, "source": source, "source_id": row.id, "prev_hash": previous, "hash": entry_hash})
        previous = entry_hash
    if links:
        op.bulk_insert(chain, links)


def downgrade():
    op.drop_table('audit_chain')
