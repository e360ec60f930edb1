"""/cases: opening cases, their events, committee scores and recusals, appeals, history."""
from __future__ import annotations

import marshmallow as ma
from flask import jsonify, request
from flask.views import MethodView

from api.blueprint import Blueprint
from api.context import current_actor, rules, uow
from api.fields import CYCLE_CODE, EMPLOYEE_NO, LocalDateTime, NumbersByCode, Str, StrictBool, Text
from api.pagination import TOTAL_HEADER, PageArgs, paged
from api.problems import documented_problem
from workflow.case_machine import CALLER_EVENTS, KINDS, OPENED_BY_HAND, PROMOTION, STATES
from workflow.errors import FieldError, RuleViolation
from workflow.services import appeals, case_reads, cases, committee

blp = Blueprint("cases", __name__, url_prefix="/api/v1/cases",
                description="Grading cases: promotion applications, probation confirmations, demotions, exits")

CASE_ID = "<int(max=2147483647):case_id>"
Score = ma.fields.Float  # scores are exact decimals inside; JSON numbers outside


APPEAL_REASON_LENGTH = 4000  # through /appeal and through the appeal event alike


class AppealSchema(ma.Schema):
    id = ma.fields.Integer()
    filed_at = LocalDateTime()
    reason = ma.fields.String()
    status = ma.fields.String(metadata={"enum": ["pending", "upheld", "overturned"]})
    resolved_at = LocalDateTime(allow_none=True)
    resolution = ma.fields.String(allow_none=True)


class MemberScoreSchema(ma.Schema):
    member = ma.fields.String()
    score = Score()
    comment = ma.fields.String(allow_none=True)
    counts = ma.fields.Boolean(metadata={"description": "false once the member is recused"})


class RecusalEntrySchema(ma.Schema):
    member = ma.fields.String()
    reason = ma.fields.String(metadata={"enum": ["applicant", "line_manager", "reviewed_materials", "declared"]})


class InterviewSchema(ma.Schema):
    quorum = ma.fields.Integer()
    counting_members = ma.fields.List(ma.fields.String(), metadata={"description": "the committee minus recusals"})
    scored = ma.fields.List(ma.fields.String())
    recusals = ma.fields.List(ma.fields.Nested(RecusalEntrySchema))
    quorum_reachable = ma.fields.Boolean()
    my_score = Score(allow_none=True)
    recused = ma.fields.Boolean()
    scores = ma.fields.List(ma.fields.Nested(MemberScoreSchema), allow_none=True,
                            metadata={"description": "hidden from other members until deliberation"})


class CaseSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String(metadata={"enum": list(KINDS)})
    cycle = ma.fields.String(allow_none=True)
    employee_no = ma.fields.String()
    applicant_name = ma.fields.String()
    org_unit = ma.fields.String()
    from_grade = ma.fields.String()
    target_grade = ma.fields.String()
    exceptional = ma.fields.Boolean()
    statement = ma.fields.String()
    state = ma.fields.String(metadata={"enum": list(STATES)})
    stage = ma.fields.String(allow_none=True, metadata={
        "description": "in state in_stage: which of the policy's own stages the case is in (its code); else null"})
    outcome = ma.fields.String(allow_none=True, metadata={"enum": ["approved", "denied", None]})
    reasons = ma.fields.List(ma.fields.String(), allow_none=True,
                             metadata={"description": "null, like outcome, until the caller may see the decision"})
    supervisor_score = Score(allow_none=True)
    supervisor_items = ma.fields.Dict(keys=ma.fields.String(), values=Score(), allow_none=True, metadata={
        "description": "{item: score} the supervisor score was made of, where the policy scores the supervisor by "
                       "item (null: scored as one number, or not the caller's to see yet)"})
    interview_score = Score(allow_none=True)
    performance_score = Score(allow_none=True)
    exam_score = Score(allow_none=True, metadata={"description": "where the policy weighs an exam; else null"})
    stage_scores = ma.fields.Dict(keys=ma.fields.String(), values=Score(), allow_none=True, metadata={
        "description": "{stage: score} of the policy's own stages that recorded a score (null: none, or not the "
                       "caller's to see yet, like the other scores)"})
    deductions = ma.fields.Dict(keys=ma.fields.String(), values=Score(), allow_none=True, metadata={
        "description": "{deduction: points} the policy's deductions took off the final score as decided (null: none, "
                       "or not the caller's to see yet)"})
    final_score = Score(allow_none=True)
    rank = ma.fields.Integer(allow_none=True)
    published_at = LocalDateTime(allow_none=True)
    appeal_deadline = LocalDateTime(allow_none=True)
    deadline_confirmed = ma.fields.Boolean(allow_none=True)
    effective_on = ma.fields.Date(allow_none=True)
    version = ma.fields.Integer()
    policy = ma.fields.String(allow_none=True, metadata={
        "description": "the policy version that governs the case, name@version (version: a fingerprint of the "
                       "policy file's rules): the one in force when it was opened, or its cycle's; a later change "
                       "of the policy file does not change the case. Null for cases opened before it was recorded "
                       "(they follow the policy in force)"})
    available_events = ma.fields.List(ma.fields.String(), metadata={"description": "what the caller may do now"})
    appeal = ma.fields.Nested(AppealSchema, allow_none=True)
    interview = ma.fields.Nested(InterviewSchema, allow_none=True,
                                 metadata={"description": "for the committee, hr and admins"})
    created_by = ma.fields.String()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()
    waiting_since = LocalDateTime(metadata={"description": "since when the case is in its state"})
    overdue = ma.fields.Boolean(metadata={"description": "waiting on the same person for more than the policy's "
                                                         "working days (3): reminded once a working day"})
    overdue_since = LocalDateTime(allow_none=True)
    escalated_from = ma.fields.String(allow_none=True, metadata={
        "description": "the present wait was escalated past this absent supervisor (employee number; "
                       "reminders.escalate_after_working_days); null: not escalated"})
    escalated_to = ma.fields.String(allow_none=True, metadata={
        "description": "the supervisor up the chain who acts in their stead (employee number); null: not escalated, "
                       "or nobody up the chain can act and hr does"})
    escalated_at = LocalDateTime(allow_none=True)
    stands_in_for = ma.fields.List(ma.fields.String(), metadata={
        "description": "the absent people in whose stead the caller acts on this case (a delegation's principal, "
                       "or the supervisor the case was escalated past)"})


class NewCaseSchema(ma.Schema):
    kind = ma.fields.String(load_default=PROMOTION, validate=ma.validate.OneOf(OPENED_BY_HAND),
                            metadata={"description": "an advancement is opened only by a period close's grading rule"})
    cycle = Str(load_default=None, allow_none=True, validate=CYCLE_CODE)
    target_grade = Str(load_default=None, allow_none=True, validate=ma.validate.Length(min=1, max=32))
    statement = Text(required=True, max_length=4000)
    exceptional = StrictBool(load_default=False)
    employee_no = ma.fields.String(load_default=None, allow_none=True, validate=EMPLOYEE_NO,
                                   metadata={"description": "hr: whose case; a manager applying for themselves "
                                                            "leaves it out"})


class CaseQuery(PageArgs):
    cycle = Str()
    state = ma.fields.String(validate=ma.validate.OneOf(STATES))
    kind = ma.fields.String(validate=ma.validate.OneOf(KINDS))
    mine = ma.fields.Boolean(load_default=False)
    overdue = ma.fields.Boolean(metadata={"description": "true: only overdue cases; false: only the others"})
    escalated = ma.fields.Boolean(metadata={"description": "true: only cases whose present wait was escalated past "
                                                           "an absent supervisor; false: only the others"})


class VersionedSchema(ma.Schema):
    version = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1),
                                metadata={"description": "the version the change was made against (or If-Match)"})


class EventInputsSchema(ma.Schema):
    """What an event takes besides its name: per request here, per case (or shared) in POST /cases/events."""
    comment = Text(max_length=2000)
    supervisor_score = ma.fields.Decimal(allow_nan=False, metadata={"description": "with approve_materials, "
                                                                                   "pass_probation, fail_probation"})
    supervisor_items = NumbersByCode(metadata={
        "description": "instead of supervisor_score where the policy makes it from scoring.supervisor_items: the "
                       "supervisor's score of each item by its code (e.g. {performance: 35, ability: 32.5, "
                       "attitude: 18}); the supervisor score is their sum"})
    reason = Text(max_length=APPEAL_REASON_LENGTH, metadata={"description": "required with appeal"})
    score = ma.fields.Decimal(allow_nan=False, metadata={"description": "with pass_stage and fail_stage, where the "
                                                                         "case's stage records a score"})
    stage = Str(validate=ma.validate.Length(min=1, max=32), metadata={
        "description": "the stage the caller means to pass or fail: 409 stage_moved when the case is in another "
                       "(a request sent twice does not pass two stages)"})


class EventSchema(VersionedSchema, EventInputsSchema):
    event = ma.fields.String(required=True, validate=ma.validate.OneOf(CALLER_EVENTS))


class ScoreInputSchema(VersionedSchema):
    score = ma.fields.Decimal(required=True, allow_nan=False)
    comment = Text(max_length=2000)


class RecusalInputSchema(VersionedSchema):
    comment = Text(max_length=2000)


class AppealInputSchema(VersionedSchema):
    reason = Text(required=True, max_length=APPEAL_REASON_LENGTH)


class AppealFiledSchema(ma.Schema):
    appeal = ma.fields.Nested(AppealSchema)
    case = ma.fields.Nested(CaseSchema)


class HistoryEntrySchema(ma.Schema):
    seq = ma.fields.Integer()
    at = LocalDateTime()
    actor = ma.fields.String()
    event = ma.fields.String()
    from_state = ma.fields.String(allow_none=True)
    to_state = ma.fields.String()
    comment = ma.fields.String(allow_none=True)
    data = ma.fields.Dict()


def _version(body: dict) -> int | None:
    """The expected version: "version" in the body, or If-Match: "<version>" (they must agree)."""
    header = request.headers.get("If-Match")
    from_header = None
    if header:
        tag = header.strip().removeprefix("W/").strip('"')
        if not (tag.isascii() and tag.isdigit()):  # "²" is a digit to isdigit(), not to int()
            raise RuleViolation([FieldError("If-Match", "version_tag", 'If-Match takes a case version: "3"')])
        from_header = int(tag)
    in_body = body.pop("version", None)
    if from_header is not None and in_body is not None and from_header != in_body:
        raise RuleViolation([FieldError("version", "version_matches_if_match", "If-Match and version disagree")])
    return in_body if in_body is not None else from_header


def _etag(view) -> dict:
    return {"ETag": f'"{view.version}"'}


# One instance of each schema that _changed dumps with: an instance builds its fields (and its nested schemas'),
# which cost more than the dump itself. Dumping keeps no state in the instance.
_CASE = CaseSchema()
_APPEAL_FILED = AppealFiledSchema()


def _changed(file, status: int = 200, schema: ma.Schema = _CASE, shown=None):
    """The answer to a change, dumped before the unit of work commits, from the objects the change
    loaded and left (committing expires them: reading them afterwards would load them all again)."""
    view = case_reads.CaseView.of(uow(), rules(), current_actor(), file)
    response = jsonify(schema.dump(shown(view) if shown else view))
    response.status_code = status
    response.headers.update(_etag(view))
    return response


ETAG = {"ETag": {"description": "the case's version", "schema": {"type": "string"}}}


@blp.route("")
class Cases(MethodView):
    @blp.arguments(CaseQuery, location="query")
    @blp.response(200, CaseSchema(many=True), headers=TOTAL_HEADER)
    def get(self, args):
        """The cases the caller may see (hr, admin: all), by cycle, state and kind; mine=true: one's own"""
        return paged(*case_reads.list_cases(uow(), rules(), current_actor(), **args))

    @blp.arguments(NewCaseSchema)
    @blp.response(201, CaseSchema, headers=ETAG)
    @documented_problem(blp, 422, "validation_error, or not_eligible with reasons: [{rule, detail}]")
    def post(self, body):
        """Open a case: a manager applies for promotion; hr opens any kind for anyone"""
        actor = current_actor()
        with uow() as u:
            return _changed(cases.submit_case(u, rules(), actor, **body), 201)


@blp.route(f"/{CASE_ID}")
class CaseById(MethodView):
    @blp.response(200, CaseSchema, headers=ETAG)
    @documented_problem(blp, 404, "unknown, or not visible to the caller")
    def get(self, case_id):
        """One case: the applicant, their supervisors, the cycle's committee, hr, admin"""
        view = case_reads.visible_case(uow(), rules(), current_actor(), case_id)
        return view, _etag(view)


@blp.route(f"/{CASE_ID}/events")
class CaseEvents(MethodView):
    @blp.arguments(EventSchema)
    @blp.response(200, CaseSchema, headers=ETAG)
    @documented_problem(blp, 403, "forbidden: the event is not the caller's; four_eyes (with party): the caller did "
                                  "the case's other supervisor review")
    @documented_problem(blp, 409, "invalid_transition (with state and available_events), version_conflict, "
                                  "quorum_not_met, below_pass_mark, quota_exceeded, appeal_exists, ...")
    def post(self, body, case_id):
        """Fire an event on a case (who may fire which: see the case events table)"""
        actor = current_actor()
        with uow() as u:
            return _changed(cases.fire_event(u, rules(), actor, case_id, version=_version(body), **body))


@blp.route(f"/{CASE_ID}/score")
class CaseScore(MethodView):
    @blp.arguments(ScoreInputSchema)
    @blp.response(200, CaseSchema, headers=ETAG)
    @documented_problem(blp, 403, "forbidden (not on the committee) or recused")
    def put(self, body, case_id):
        """A committee member's own interview score; replaceable until deliberation"""
        actor = current_actor()
        with uow() as u:
            return _changed(committee.put_score(u, rules(), actor, case_id, version=_version(body), **body))


@blp.route(f"/{CASE_ID}/recusal")
class CaseRecusal(MethodView):
    @blp.arguments(RecusalInputSchema, required=False)
    @blp.response(200, CaseSchema, headers=ETAG)
    def post(self, body, case_id):
        """A committee member declares a conflict of interest and no longer counts for the case"""
        actor = current_actor()
        body = body or {}
        with uow() as u:
            return _changed(committee.declare_recusal(u, rules(), actor, case_id, version=_version(body), **body))


@blp.route(f"/{CASE_ID}/appeal")
class CaseAppeal(MethodView):
    @blp.arguments(AppealInputSchema)
    @blp.response(201, AppealFiledSchema, headers=ETAG)
    @documented_problem(blp, 409, "appeal_exists (checked first), appeal_window_closed, not_published")
    def post(self, body, case_id):
        """The applicant appeals a published decision, within the window"""
        actor = current_actor()
        with uow() as u:
            return _changed(appeals.file_appeal(u, rules(), actor, case_id, version=_version(body), **body), 201,
                            _APPEAL_FILED, shown=lambda view: {"appeal": view.appeal, "case": view})


@blp.route(f"/{CASE_ID}/history")
class CaseHistory(MethodView):
    @blp.response(200, HistoryEntrySchema(many=True))
    def get(self, case_id):
        """Every event, score, recusal and appeal of the case, oldest first"""
        return case_reads.case_history(uow(), current_actor(), case_id)
