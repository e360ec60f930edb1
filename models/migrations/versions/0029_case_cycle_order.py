"""cases: an index on (cycle_code, id) in place of the one on cycle_code alone, so that a cycle's first case is
found without walking the cases of every older cycle

Revision ID: 0029_case_cycle_order
Revises: 0028_case_org_unit
Create Date: 2026-12-05

Every read of a case with a cycle reads the policy its cycle follows: its first case's (models/cases.py,
Cycle.cases_policy: `... WHERE cycle_code = ? ORDER BY id LIMIT 1`). With an index on cycle_code alone,
PostgreSQL walked the primary key in id order until it met one of the cycle's cases: for the newest of ten cycles of
10,000 cases each, 90,000 rows and 8.6 ms, at every read; with (cycle_code, id), the first row, 0.04 ms. The
planner takes the new index from a few cycles on (with two, it reckons one case in two is the cycle's, and may still
walk the primary key through the first cycle's cases). The new index serves whatever the old one did (cycle_code
leads it). Safe for an older release still serving during an upgrade: no query names an index.
"""
from alembic import op

revision = '0029_case_cycle_order'
down_revision = '0028_case_org_unit'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_cases_cycle_code_id', 'cases', ['cycle_code', 'id'], unique=False)
    op.drop_index('ix_cases_cycle_code', table_name='cases')


def downgrade():
    op.create_index('ix_cases_cycle_code', 'cases', ['cycle_code'], unique=False)
    op.drop_index('ix_cases_cycle_code_id', table_name='cases')
