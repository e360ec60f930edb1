"""performance_versions: a correction of a performance record is a new version, chained; none is overwritten

Revision ID: 0008_performance_versions
Revises: 0007_user_language
Create Date: 2026-12-03

Every record entered before this migration becomes its own version 1 (its reason unknown), linked at
the end of the audit chain, so that `gradeflow audit verify` covers the records from now on.
"""
from alembic import op
import sqlalchemy as sa

from models.base import UTCDateTime
from workflow.audit import GENESIS, link_hash

revision = '0008_performance_versions'
down_revision = '0007_user_language'
branch_labels = None
depends_on = None

_chain = sa.table("audit_chain", sa.column("seq", sa.Integer), sa.column("source", sa.String),
                  sa.column("source_id", sa.Integer), sa.column("prev_hash", sa.String), sa.column("hash", sa.String))


def upgrade():
    with op.batch_alter_table('performance_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    versions = op.create_table('performance_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_no', sa.String(length=32), nullable=False),
    sa.Column('period', sa.String(length=6), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('score', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('months_worked', sa.SmallInteger(), nullable=False),
    sa.Column('violation', sa.Boolean(), nullable=False),
    sa.Column('recorded_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['employee_no', 'period'], ['performance_records.employee_no', 'performance_records.period'], name=op.f('fk_performance_versions_employee_no_performance_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_performance_versions')),
    sa.UniqueConstraint('employee_no', 'period', 'version', name=op.f('uq_performance_versions_employee_no'))
    )
    _version_and_chain_the_existing_records(versions)


def _version_and_chain_the_existing_records(versions):
    from models.audit import canonical_entry
    bind = op.get_bind()
    # copied in SQL, so that each version holds its record's values exactly as stored (audit verify compares them)
    bind.execute(sa.text(
        "INSERT INTO performance_versions (id, employee_no, period, version, score, months_worked, violation, "
        "recorded_at, recorded_by) SELECT ROW_NUMBER() OVER (ORDER BY recorded_at, employee_no, period), "
        "employee_no, period, 1, score, months_worked, violation, recorded_at, recorded_by FROM performance_records"))
    last = bind.execute(sa.select(_chain.c.seq, _chain.c.hash).order_by(_chain.c.seq.desc()).limit(1)).first()
    seq, previous = (last.seq, last.hash) if last else (0, GENESIS)
    links = []
    for version in bind.execute(sa.select(versions).order_by(versions.c.id)):
        seq += 1
        entry_hash = link_hash(previous, canonical_entry("performance_versions", version))
        links.append({"seq": seq, "source": "performance_versions", "source_id": version.id, "prev_hash": previous,
                      "hash": entry_hash})
        previous = entry_hash
    if not links:
        return
    op.bulk_insert(_chain, links)
    if bind.dialect.name == "postgresql":  # the ids were given here: the sequence goes on after them
        bind.execute(sa.text("SELECT setval(pg_get_serial_sequence('performance_versions', 'id'), "
                             "(SELECT max(id) FROM performance_versions))"))


def downgrade():
    op.execute(sa.delete(_chain).where(_chain.c.source == "performance_versions"))
    op.drop_table('performance_versions')
    with op.batch_alter_table('performance_records', schema=None) as batch_op:
        batch_op.drop_column('version')
