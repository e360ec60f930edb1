"""period closes: a policy may close months (2026M03) and half-years (2026H1), not only quarters

Revision ID: 0011_period_closes
Revises: 0010_case_policy
Create Date: 2026-12-03

The period of a close, of its results and of a close's timer grows to seven characters, as the performance
records' did in 0009.
"""
from alembic import op
import sqlalchemy as sa

revision = '0011_period_closes'
down_revision = '0010_case_policy'
branch_labels = None
depends_on = None

RESULTS_TO_CLOSES = 'fk_quarter_results_period_quarter_closes'


def _resize(length_from: int, length_to: int) -> None:
    # the results refer to their close: PostgreSQL changes the type of both ends of the key at once
    with op.batch_alter_table('quarter_results', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(RESULTS_TO_CLOSES), type_='foreignkey')
    for table in ('quarter_closes', 'quarter_results'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('period', existing_type=sa.String(length=length_from),
                                  type_=sa.String(length=length_to), existing_nullable=False)
    with op.batch_alter_table('quarter_results', schema=None) as batch_op:
        batch_op.create_foreign_key(op.f(RESULTS_TO_CLOSES), 'quarter_closes', ['period'], ['period'])
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.alter_column('period', existing_type=sa.String(length=length_from),
                              type_=sa.String(length=length_to), existing_nullable=True)


def upgrade():
    _resize(6, 7)


def downgrade():
    # fails while a month or half-year has been closed: its period does not fit six characters
    _resize(7, 6)
