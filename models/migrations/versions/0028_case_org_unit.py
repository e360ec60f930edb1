"""cases.org_unit: the org unit the applicant was in when the case was opened (issue 16, point 5: a cycle's report
counts a case in the unit it was applied from, not in the one its applicant has moved to since)

Revision ID: 0028_case_org_unit
Revises: 0027_delegation_links
Create Date: 2026-12-04

Backfilled from each applicant's CURRENT org unit: the unit at the time of an existing case was never recorded, so
a case whose applicant moved before this upgrade is counted in their present unit, as before it. On SQLite the
column gains its NOT NULL by editing the stored definition, as 0023 does (it holds for every row once filled).
"""
from alembic import op
import sqlalchemy as sa

from models.migration_checks import edit_sqlite_definition

revision = '0028_case_org_unit'
down_revision = '0027_delegation_links'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('cases', sa.Column('org_unit', sa.String(length=100), nullable=True))
    op.execute("UPDATE cases SET org_unit = (SELECT managers.org_unit FROM managers "
               "WHERE managers.employee_no = cases.employee_no)")
    if op.get_bind().dialect.name == 'sqlite':
        edit_sqlite_definition('cases', "org_unit VARCHAR(100)", "org_unit VARCHAR(100) NOT NULL")
    else:
        op.alter_column('cases', 'org_unit', existing_type=sa.String(length=100), nullable=False)
    op.create_index(op.f('ix_cases_org_unit'), 'cases', ['org_unit'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_cases_org_unit'), table_name='cases')
    op.drop_column('cases', 'org_unit')  # SQLite 3.35 and later drop a column in place
