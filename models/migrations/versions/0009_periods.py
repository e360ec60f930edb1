"""periods: performance records for half-years (2026H1) and months (2026M03) besides years and quarters

Revision ID: 0009_periods
Revises: 0008_performance_versions
Create Date: 2026-12-03

A period's text grows to seven characters (2026M03); the months worked are checked against the kind of
period its text names.
"""
from alembic import op
import sqlalchemy as sa

revision = '0009_periods'
down_revision = '0008_performance_versions'
branch_labels = None
depends_on = None

MONTHS_IN_PERIOD = ("length(period) = 4 OR (substr(period, 5, 1) = 'H' AND months_worked <= 6) "
                    "OR (substr(period, 5, 1) = 'Q' AND months_worked <= 3) "
                    "OR (substr(period, 5, 1) = 'M' AND months_worked <= 1)")


def upgrade():
    # the versions refer to their record: PostgreSQL changes the type of both ends of the key at once
    with op.batch_alter_table('performance_versions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_performance_versions_employee_no_performance_records'), type_='foreignkey')
    with op.batch_alter_table('performance_records', schema=None) as batch_op:
        batch_op.alter_column('period', existing_type=sa.String(length=6), type_=sa.String(length=7),
                              existing_nullable=False)
        batch_op.drop_constraint(op.f('ck_performance_records_months_in_quarter'), type_='check')
        batch_op.create_check_constraint(op.f('ck_performance_records_months_in_period'), MONTHS_IN_PERIOD)
    with op.batch_alter_table('performance_versions', schema=None) as batch_op:
        batch_op.alter_column('period', existing_type=sa.String(length=6), type_=sa.String(length=7),
                              existing_nullable=False)
        batch_op.create_foreign_key(op.f('fk_performance_versions_employee_no_performance_records'),
                                    'performance_records', ['employee_no', 'period'], ['employee_no', 'period'])


def downgrade():
    # fails once half-years or months have been recorded: their periods and months worked do not fit the old rules
    with op.batch_alter_table('performance_versions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_performance_versions_employee_no_performance_records'), type_='foreignkey')
        batch_op.alter_column('period', existing_type=sa.String(length=7), type_=sa.String(length=6),
                              existing_nullable=False)
    with op.batch_alter_table('performance_records', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_performance_records_months_in_period'), type_='check')
        batch_op.create_check_constraint(op.f('ck_performance_records_months_in_quarter'),
                                        'length(period) = 4 OR months_worked <= 3')
        batch_op.alter_column('period', existing_type=sa.String(length=7), type_=sa.String(length=6),
                              existing_nullable=False)
    with op.batch_alter_table('performance_versions', schema=None) as batch_op:
        batch_op.create_foreign_key(op.f('fk_performance_versions_employee_no_performance_records'),
                                    'performance_records', ['employee_no', 'period'], ['employee_no', 'period'])
