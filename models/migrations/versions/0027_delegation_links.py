"""delegations in the audit chain: each delegation named, and each one cancelled, is a link (issue 16, point 4)

Revision ID: 0027_delegation_links
Revises: 0026_four_eyes
Create Date: 2026-12-04

No schema change: the delegations named so far are chained now, in the order they were named, each followed by its
cancellation where it was cancelled (models/audit.py: sources `delegations` and `delegation_cancellations`).
"""
from alembic import op
import sqlalchemy as sa

from models.base import UTCDateTime
from workflow.audit import GENESIS, link_hash

revision = '0027_delegation_links'
down_revision = '0026_four_eyes'
branch_labels = None
depends_on = None

SOURCES = ("delegations", "delegation_cancellations")
_chain = sa.table("audit_chain", sa.column("seq", sa.Integer), sa.column("source", sa.String),
                  sa.column("source_id", sa.Integer), sa.column("prev_hash", sa.String), sa.column("hash", sa.String))
_delegations = sa.table("delegations", *(sa.column(name, sa.String) for name in (
    "principal", "substitute", "scope", "created_by", "cancelled_by")), sa.column("id", sa.Integer),
    sa.column("starts_on", sa.Date), sa.column("ends_on", sa.Date), sa.column("created_at", UTCDateTime),
    sa.column("cancelled_at", UTCDateTime))


def upgrade():
    from models.audit import canonical_entry
    bind = op.get_bind()
    last = bind.execute(sa.select(_chain.c.seq, _chain.c.hash).order_by(_chain.c.seq.desc()).limit(1)).first()
    seq, previous = (last.seq, last.hash) if last else (0, GENESIS)
    links = []
    for row in bind.execute(sa.select(_delegations).order_by(_delegations.c.id)):
        for source in SOURCES if row.cancelled_at is not None else SOURCES[:1]:
            seq += 1
            entry_hash = link_hash(previous, canonical_entry(source, row))
            links.append({"seq": seq, "source": source, "source_id": row.id, "prev_hash": previous,
                          "hash": entry_hash})
            previous = entry_hash
    if links:
        op.bulk_insert(_chain, links)


def downgrade():
    # revision 0026 knows no such links: they go where nothing follows them (else the chain would break)
    bind = op.get_bind()
    ours = bind.execute(sa.select(sa.func.min(_chain.c.seq)).where(_chain.c.source.in_(SOURCES))).scalar()
    others = bind.execute(sa.select(sa.func.max(_chain.c.seq)).where(_chain.c.source.not_in(SOURCES))).scalar()
    if ours is not None and others is not None and ours < others:
        raise RuntimeError("delegations are chained before other entries, which revision 0026 cannot verify")
    bind.execute(sa.delete(_chain).where(_chain.c.source.in_(SOURCES)))
