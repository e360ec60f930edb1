"""exam_results: a manager's results in the exams HR organises, for a policy's exam pass mark; each chained

Revision ID: 0013_exam_results
Revises: 0012_manager_qualifications
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

from models.base import UTCDateTime

revision = '0013_exam_results'
down_revision = '0012_manager_qualifications'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'exam_results',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('employee_no', sa.String(length=32), nullable=False),
        sa.Column('exam', sa.String(length=32), nullable=False),
        sa.Column('taken_on', sa.Date(), nullable=False),
        sa.Column('score', sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column('recorded_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('recorded_by', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['employee_no'], ['managers.employee_no'],
                                name=op.f('fk_exam_results_employee_no_managers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_results')),
        sa.UniqueConstraint('employee_no', 'exam', 'taken_on',
                            name=op.f('uq_exam_results_employee_no')))
    op.create_index(op.f('ix_exam_results_employee_no'), 'exam_results', ['employee_no'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_exam_results_employee_no'), table_name='exam_results')
    op.drop_table('exam_results')
