"""cases.reviews: who did each of the supervisors' review steps of a case (four eyes, issue 16 point 4)

Revision ID: 0026_four_eyes
Revises: 0025_idempotency_lease
Create Date: 2026-12-04

A plain ALTER TABLE; the materials reviews done already (cases.reviewed_by) are copied in as the supervisor's, with
the reviewer's employee number where their account has one.
"""
from alembic import op
import sqlalchemy as sa

revision = '0026_four_eyes'
down_revision = '0025_idempotency_lease'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('cases', sa.Column('reviews', sa.JSON(), nullable=True))
    cases = sa.table('cases', sa.column('id', sa.Integer), sa.column('reviewed_by', sa.String),
                     sa.column('reviews', sa.JSON))
    users = sa.table('users', sa.column('username', sa.String), sa.column('employee_no', sa.String))
    bind = op.get_bind()
    reviewed = bind.execute(sa.select(cases.c.id, cases.c.reviewed_by, users.c.employee_no)
                            .outerjoin(users, users.c.username == cases.c.reviewed_by)
                            .where(cases.c.reviewed_by.is_not(None))).all()
    for case_id, username, employee_no in reviewed:
        bind.execute(cases.update().where(cases.c.id == case_id).values(
            reviews=[{"party": "supervisor", "username": username, "employee_no": employee_no}]))


def downgrade():
    # who did which review step decides who may act on a case in a policy's stages: not dropped silently
    cases = sa.table('cases', sa.column('reviews', sa.JSON))
    held = op.get_bind().execute(sa.select(cases.c.reviews).where(cases.c.reviews.is_not(None))).scalars()
    if any(r["party"] != "supervisor" for reviews in held for r in reviews):
        raise RuntimeError("cases hold review steps besides the materials review, which revision 0024 does not know")
    op.drop_column('cases', 'reviews')
