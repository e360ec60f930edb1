"""Bulk work (issue 16, point 3): POST /cases/events fires one event on many cases, POST /cycles/{code}/scores
records a committee member's whole scoring sheet. Each case is done by the single-case use case in a
transaction of its own (workflow/services/bulk.py); the answer is 200 with one result per case, in the order
given: `done` (with the case's state and version after), `refused` or `version_conflict` (with the problem
the single request would have been answered with).

The event takes what POST /cases/{id}/events takes (a supervisor score, a reason, a stage's score, ...): given at
the top of the body for every case, or with each case in `cases` (over the shared ones). The single request's use
case checks them case by case: one missing or out of range refuses that case alone, naming the field and the rule.

With an Idempotency-Key the key is claimed before the first case, and the answer stored once every case is done
(api/idempotency.py claim_key), each in a transaction of its own: the cases are not held back until then. A repeat
sent meanwhile is 409 `request_in_progress`; a repeat afterwards gets the stored answer and does nothing.
"""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from api import idempotency
from api.blueprint import Blueprint
from api.context import current_actor, own_transaction_uow, rules, uow
from api.cases import EventInputsSchema
from api.fields import CYCLE_CODE, Str, Text
from api.problems import documented_problem, domain_problem_document
from workflow.case_machine import KINDS, STATES
from workflow.errors import FieldError, RuleViolation
from workflow.services import bulk

blp = Blueprint("bulk", __name__, url_prefix="/api/v1",
                description="Bulk work: one event on many cases, a committee member's whole scoring sheet")
TARGETS = ("case_ids", "cases", "filter")


def _case_id(**kwargs) -> ma.fields.Integer:
    return ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1, max=2147483647), **kwargs)


class CaseRefSchema(EventInputsSchema):
    """A case, and what the event takes for it (as POST /cases/{id}/events takes it), over what is shared."""
    id = _case_id(required=True)
    version = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1),
                                metadata={"description": "the version the caller saw: version_conflict if it moved"})


class CaseFilterSchema(ma.Schema):
    kind = ma.fields.String(validate=ma.validate.OneOf(KINDS))
    state = ma.fields.String(validate=ma.validate.OneOf(STATES))
    cycle = Str(validate=CYCLE_CODE)


class BulkEventSchema(EventInputsSchema):
    """The event's inputs given here (comment, reason, supervisor_score, ...) are shared by every case; those given
    with a case in `cases` take precedence for that case."""
    event = ma.fields.String(required=True, validate=ma.validate.OneOf(bulk.EVENTS))
    case_ids = ma.fields.List(_case_id(), metadata={"description": f"the cases, at most {bulk.MAX_CASES}"})
    cases = ma.fields.List(ma.fields.Nested(CaseRefSchema), metadata={
        "description": f"instead of case_ids: the cases with the versions the caller saw, at most {bulk.MAX_CASES}"})
    filter = ma.fields.Nested(CaseFilterSchema, metadata={
        "description": "instead of case_ids: every case the caller may see of that kind, state and cycle (at least "
                       f"one of them), oldest first; 422 max_cases when more than {bulk.MAX_CASES} match"})


class SheetRowSchema(ma.Schema):
    case_id = _case_id(required=True)
    score = ma.fields.Decimal(required=True, allow_nan=False)
    comment = Text(max_length=2000)
    version = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1))


class CaseResultSchema(ma.Schema):
    case_id = ma.fields.Integer()
    result = ma.fields.String(metadata={"enum": [bulk.DONE, bulk.REFUSED, bulk.VERSION_CONFLICT]})
    state = ma.fields.String(metadata={"description": "done: the case's state now"})
    version = ma.fields.Integer(metadata={"description": "done: the case's version now"})
    problem = ma.fields.Dict(metadata={
        "description": "refused, version_conflict: the problem details a request on this case alone would have "
                       "been answered with ({type, title, status, detail, code, errors?, ...})"})


class BulkResultSchema(ma.Schema):
    event = ma.fields.String(metadata={"description": "POST /cases/events: the event"})
    cycle = ma.fields.String(metadata={"description": "POST /cycles/{code}/scores: the cycle"})
    done = ma.fields.Integer()
    refused = ma.fields.Integer()
    version_conflict = ma.fields.Integer()
    results = ma.fields.List(ma.fields.Nested(CaseResultSchema), metadata={"description": "one per case, in order"})


def result_of(outcome: bulk.Outcome) -> dict:
    if outcome.refusal is None:
        return {"case_id": outcome.case_id, "result": bulk.DONE, "state": outcome.state, "version": outcome.version}
    return {"case_id": outcome.case_id, "result": outcome.result, "problem": domain_problem_document(outcome.refusal)}


def answer(outcomes: list[bulk.Outcome], **about) -> dict:
    return about | bulk.counts(outcomes) | {"results": [result_of(o) for o in outcomes]}


# what the event takes besides its name, as POST /cases/{id}/events takes it: the one schema says which
INPUTS = tuple(EventInputsSchema().fields)


def _inputs(given: dict) -> dict:
    return {name: given[name] for name in INPUTS if name in given}


def _targets(body: dict) -> list[bulk.CaseRequest]:
    """The cases a bulk event names: exactly one of case_ids, cases and filter."""
    given = [name for name in TARGETS if name in body]
    if len(given) != 1:
        raise RuleViolation([FieldError("case_ids", "one_way_to_name_cases",
                                        "name the cases by exactly one of case_ids, cases and filter")])
    if "filter" in body:
        if not body["filter"]:
            raise RuleViolation([FieldError("filter", "criterion_required",
                                            "a filter names at least one of kind, state and cycle")])
        return [bulk.CaseRequest(i) for i in bulk.matching_cases(uow(), current_actor(), **body["filter"])]
    targets = ([bulk.CaseRequest(i) for i in body["case_ids"]] if "case_ids" in body
               else [bulk.CaseRequest(c["id"], c.get("version"), _inputs(c)) for c in body["cases"]])
    bulk.check_size(given[0], len(targets))
    bulk.check_unique(given[0], [t.case_id for t in targets])
    return targets


@blp.route("/cases/events")
class BulkEvents(MethodView):
    @blp.arguments(BulkEventSchema)
    @blp.response(200, BulkResultSchema)
    @documented_problem(blp, 409, "request_in_progress: a request with this Idempotency-Key is still running")
    @documented_problem(blp, 422, "validation_error: the body, more than 500 cases (rule max_cases), a case named "
                                  "twice (unique_case); nothing is done")
    def post(self, body):
        """Fire one event on many cases, each as POST /cases/{id}/events would, each in a transaction of its own"""
        targets = _targets(body)
        if (answered := idempotency.claim_key()) is not None:
            return answered
        outcomes = bulk.fire_events(own_transaction_uow, rules(), current_actor(), body["event"], targets,
                                    **_inputs(body))
        return answer(outcomes, event=body["event"])


@blp.route("/cycles/<cycle_code:code>/scores")
class ScoreSheet(MethodView):
    @blp.arguments(SheetRowSchema(many=True))
    @blp.response(200, BulkResultSchema)
    @documented_problem(blp, 404, "no such cycle, or not the caller's to see")
    @documented_problem(blp, 409, "request_in_progress: a request with this Idempotency-Key is still running")
    @documented_problem(blp, 422, "validation_error: a row, more than 500 rows (rule max_cases), a case named "
                                  "twice (unique_case); nothing is done")
    def post(self, rows, code):
        """A committee member's whole scoring sheet: each row as PUT /cases/{id}/score, in a transaction of its own"""
        bulk.check_size("(body)", len(rows))
        bulk.check_unique("(body)", [row["case_id"] for row in rows])
        sheet = [bulk.SheetRow(row["case_id"], row["score"], row.get("comment"), row.get("version")) for row in rows]
        if (answered := idempotency.claim_key()) is not None:
            return answered
        outcomes = bulk.score_sheet(own_transaction_uow, rules(), current_actor(), code, sheet)
        return answer(outcomes, cycle=code)
