"""/evaluations/{period}/close: the quarter close (按季评价), by hr now or by the scheduler on time."""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from api.blueprint import Blueprint
from api.context import current_actor, rules, uow
from api.fields import LocalDateTime
from api.problems import documented_problem
from workflow.quarter_close import OUTCOMES
from workflow.services import evaluations, quarter_close_reads

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
    advancement_cases = ma.fields.List(ma.fields.Integer(), metadata={
        "description": "opened by a grading rule's move up (业绩晋级)"})
    exit_cases = ma.fields.List(ma.fields.Integer(), metadata={"description": "opened by a grading rule's exit"})
    moved_cases = ma.fields.List(ma.fields.Integer(), metadata={
        "description": "a grading rule's direct move: the case took effect at the close"})
    suspended = ma.fields.List(ma.fields.String(), metadata={"description": "suspended (待岗) by a grading rule"})
    reinstated = ma.fields.List(ma.fields.String(), metadata={"description": "reinstated by a grading rule"})
    closed_at = LocalDateTime()
    closed_by = ma.fields.String()


class ForeseenResultSchema(ma.Schema):
    employee_no = ma.fields.String()
    grade = ma.fields.String(metadata={"description": "now"})
    score = ma.fields.Float()
    months_worked = ma.fields.Integer()
    violation = ma.fields.Boolean()
    outcome = ma.fields.String(metadata={"enum": list(OUTCOMES)})
    reasons = ma.fields.List(ma.fields.Dict(), metadata={"description": "the rules that lead to the outcome"})
    target = ma.fields.String(allow_none=True, metadata={"description": "the grade the move would lead to"})
    move = ma.fields.Dict(allow_none=True, metadata={"description": "the move planned: {move: up|down|suspend|"
                                                                    "reinstate|exit, steps}"})


class ClosePreviewSchema(ma.Schema):
    period = ma.fields.String()
    last_day = ma.fields.Date()
    over = ma.fields.Boolean(metadata={"description": "the period has ended: it may be closed now"})
    foreseen = ma.fields.List(ma.fields.Nested(ForeseenResultSchema), metadata={
        "description": "what the close would do to each manager still without a result"})
    recorded = ma.fields.Nested(QuarterCloseSchema, allow_none=True, metadata={
        "description": "the recorded close, once begun"})


@blp.route("/<period:period>/preview")
class ClosePreview(MethodView):
    @blp.response(200, ClosePreviewSchema)
    def get(self, period):
        """What closing the period would do, read without writing anything (hr): each manager's outcome and move,
        with the rules behind it; once closed, the recorded close"""
        return quarter_close_reads.close_preview(uow(), rules(), current_actor(), period)


@blp.route("/<period:period>/close")
class CloseQuarter(MethodView):
    @blp.response(200, QuarterCloseSchema)
    @documented_problem(blp, 409, "period_not_over")
    def post(self, period):
        """Close the quarter now (hr); a repeat returns the recorded close and creates nothing"""
        return evaluations.close_quarter(uow, rules(), current_actor(), period)  # a part per transaction
