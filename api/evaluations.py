"""/evaluations/{period}/close: the quarter close (按季评价), by hr now or by the scheduler on time."""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from api.blueprint import Blueprint
from api.context import current_actor, rules, uow
from api.fields import LocalDateTime
from api.problems import documented_problem
from workflow.services import evaluations

blp = Blueprint("evaluations", __name__, url_prefix="/api/v1/evaluations",
                description="Period-end evaluations: the quarter close")


class QuarterCloseSchema(ma.Schema):
    period = ma.fields.String()
    evaluated = ma.fields.Integer(metadata={"description": "managers with a record for the quarter"})
    excluded = ma.fields.List(ma.fields.String(), metadata={"description": "fewer months worked than the policy's "
                                                                           "minimum: no promotion or demotion"})
    demotion_cases = ma.fields.List(ma.fields.Integer(), metadata={"description": "opened by the close"})
    deferred = ma.fields.List(ma.fields.String(), metadata={"description": "a demotion waiting for the manager's "
                                                                           "open case to end"})
    not_demotable = ma.fields.List(ma.fields.String(), metadata={"description": "a demotion the grade does not allow"})
    closed_at = LocalDateTime()
    closed_by = ma.fields.String()


@blp.route("/<period:period>/close")
class CloseQuarter(MethodView):
    @blp.response(200, QuarterCloseSchema)
    @documented_problem(blp, 409, "period_not_over")
    def post(self, period):
        """Close the quarter now (hr); a repeat returns the recorded close and creates nothing"""
        return evaluations.close_quarter(uow, rules(), current_actor(), period)  # a part per transaction
