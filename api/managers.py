"""/managers: records, grade history and performance data."""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from api.blueprint import Blueprint

from api.context import current_actor, rules, uow
from api.fields import EMPLOYEE_NO, LocalDateTime, NumbersByCode, Str, StrictBool, Text
from api.pagination import TOTAL_HEADER, PageArgs, paged
from api.problems import documented_problem
from workflow.manager_events import KINDS as EVENT_KINDS, LEAVE_REASONS, MAX_LEAVE_DAYS, MAX_NOTE, STANDINGS
from workflow.services import exams, manager_events, managers

blp = Blueprint("managers", __name__, url_prefix="/api/v1/managers",
                description="Customer managers, their grade history and performance records")


class ManagerSchema(ma.Schema):
    employee_no = ma.fields.String()
    name = ma.fields.String()
    org_unit = ma.fields.String()
    grade = ma.fields.String()
    grade_since = ma.fields.Date()
    hire_date = ma.fields.Date()
    supervisor = ma.fields.String(attribute="supervisor_no", allow_none=True)
    education = ma.fields.String(allow_none=True)
    birth_date = ma.fields.Date(allow_none=True)
    certificates = ma.fields.List(ma.fields.String())
    status = ma.fields.Method("_status", metadata={"enum": ["active", "exited"]})
    standing = ma.fields.String(metadata={"enum": list(STANDINGS), "description": "suspended: 待岗, by a suspension "
                                          "event (hr's, or a period close's grading rule) until a reinstatement"})
    created_at = LocalDateTime()
    updated_at = LocalDateTime()

    def _status(self, manager) -> str:
        return "exited" if rules().policy.ladder.is_exited(manager.grade) else "active"


class NewManagerSchema(ma.Schema):
    employee_no = ma.fields.String(required=True, validate=EMPLOYEE_NO)
    name = Text(required=True, max_length=100)
    org_unit = Text(required=True, max_length=100)
    grade = Str(required=True, validate=ma.validate.Length(min=1, max=32))
    grade_since = ma.fields.Date(required=True)
    hire_date = ma.fields.Date(required=True)
    supervisor = ma.fields.String(required=True, allow_none=True, validate=EMPLOYEE_NO,
                                  metadata={"description": "the supervisor's employee number, or null"})
    education = Text(load_default=None, allow_none=True, max_length=100)
    birth_date = ma.fields.Date(load_default=None, allow_none=True,
                                metadata={"description": "for a policy's age limit"})
    certificates = ma.fields.List(Text(max_length=100), load_default=list, validate=ma.validate.Length(max=20),
                                  metadata={"description": "the certificates held (资格证书), each named once"})


class ManagerCorrectionSchema(ma.Schema):
    name = Text(max_length=100)
    org_unit = Text(max_length=100)
    supervisor = ma.fields.String(allow_none=True, validate=EMPLOYEE_NO)
    education = Text(allow_none=True, max_length=100)
    birth_date = ma.fields.Date(allow_none=True)
    certificates = ma.fields.List(Text(max_length=100), validate=ma.validate.Length(max=20))

    @ma.validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ma.ValidationError("give at least one of name, org_unit, supervisor, education, birth_date, "
                                     "certificates", "_schema")


class ManagerQuery(PageArgs):
    org_unit = Str()
    grade = Str()


class GradeHistorySchema(ma.Schema):
    from_grade = ma.fields.String()
    to_grade = ma.fields.String()
    event = ma.fields.String()
    effective_on = ma.fields.Date()
    case_id = ma.fields.Integer()
    recorded_at = LocalDateTime()


class PerformanceInputSchema(ma.Schema):
    score = ma.fields.Decimal(load_default=None, allow_none=False, allow_nan=False,
                              metadata={"description": "the period's score; required unless the policy's period "
                                                       "scorecard makes it from `parts`"})
    parts = NumbersByCode(load_default=None, allow_none=False,
                          metadata={"description": "where the policy's period_scorecard covers the period: each "
                                                   "part or sub-item by its code, as points or, for an item that "
                                                   "deducts, the number of findings (e.g. {sales: 92.5, "
                                                   "conduct: 1})"})
    metrics = NumbersByCode(load_default=None, allow_none=False,
                            metadata={"description": "the policy's metrics for the period, by code (e.g. "
                                                     "{new_customers: 62, ad_exchange: 105000}); read by grading "
                                                     "rules"})
    months_worked = ma.fields.Integer(required=True, strict=True)
    violation = StrictBool(load_default=False)
    reason = Text(max_length=500, load_default=None,
                  metadata={"description": "why a correction was made; kept with the version it makes"})


class PerformanceSchema(ma.Schema):
    employee_no = ma.fields.String()
    period = ma.fields.String()
    score = ma.fields.Float()
    parts = ma.fields.Dict(metadata={
        "description": "only where a period scorecard made the score: `entered` (each part or item as HR entered "
                       "it) and `points` (each part's points before its weight)"})
    metrics = ma.fields.Dict(metadata={"description": "only where metrics were entered: by code, as text"})
    months_worked = ma.fields.Integer()
    violation = ma.fields.Boolean()
    recorded_at = LocalDateTime()
    recorded_by = ma.fields.String()


    @ma.post_dump
    def _parts_only_where_a_scorecard_made_the_score(self, data: dict, **_kw) -> dict:
        """A record entered as one score has the fields it always had."""
        for optional in ("parts", "metrics"):
            if data.get(optional) is None:
                data.pop(optional, None)
        return data


class PerformanceVersionSchema(PerformanceSchema):
    version = ma.fields.Integer(metadata={"description": "1 for the first entry, one more for each correction"})
    reason = ma.fields.String(allow_none=True)


@blp.route("")
class Managers(MethodView):
    @blp.arguments(ManagerQuery, location="query")
    @blp.response(200, ManagerSchema(many=True), headers=TOTAL_HEADER)
    def get(self, args):
        """List managers (hr, committee, admin), optionally by org unit and grade"""
        return paged(*managers.list_managers(uow(), current_actor(), **args))

    @blp.arguments(NewManagerSchema)
    @blp.response(201, ManagerSchema)
    @documented_problem(blp, 409, "manager_exists")
    def post(self, body):
        """Register a manager (hr)"""
        actor = current_actor()
        with uow() as u:
            manager = managers.register_manager(u, rules(), actor, **body)
        return manager


@blp.route("/<employee_no:employee_no>")
class ManagerByNo(MethodView):
    @blp.response(200, ManagerSchema)
    @documented_problem(blp, 404, "unknown, or not visible to the caller")
    def get(self, employee_no):
        """One manager: the manager, their supervisors, hr, committee, admin"""
        return managers.visible_manager(uow(), current_actor(), employee_no)

    @blp.arguments(ManagerCorrectionSchema)
    @blp.response(200, ManagerSchema)
    def patch(self, body, employee_no):
        """Correct a record: name, org unit, supervisor, education (hr). The grade moves only by cases."""
        actor = current_actor()
        with uow() as u:
            manager = managers.correct_manager(u, rules(), actor, employee_no, **body)
        return manager


@blp.route("/<employee_no:employee_no>/grade-history")
class GradeHistory(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, GradeHistorySchema(many=True), headers=TOTAL_HEADER)
    def get(self, args, employee_no):
        """A manager's grade changes, oldest first"""
        return paged(*managers.grade_history(uow(), current_actor(), employee_no, **args))


@blp.route("/<employee_no:employee_no>/performance")
class PerformanceRecords(MethodView):
    @blp.response(200, PerformanceSchema(many=True))
    def get(self, employee_no):
        """A manager's performance records, by period"""
        return managers.performance_records(uow(), current_actor(), employee_no)


@blp.route("/<employee_no:employee_no>/performance/<period>")
class PerformanceForPeriod(MethodView):
    @blp.arguments(PerformanceInputSchema)
    @blp.response(200, PerformanceSchema)
    def put(self, body, employee_no, period):
        """Enter or correct a score for a period the policy records: a year (2026), a quarter (2026Q3); a half-year
        (2026H1) or a month (2026M03) where the policy lists them (hr). A correction adds a version."""
        actor = current_actor()
        with uow() as u:
            record = managers.record_performance(u, rules(), actor, employee_no, period, **body)
        return record


@blp.route("/<employee_no:employee_no>/performance/<period>/versions")
class PerformanceVersions(MethodView):
    @blp.response(200, PerformanceVersionSchema(many=True))
    @documented_problem(blp, 404, "unknown, or not visible to the caller")
    def get(self, employee_no, period):
        """Every value a period's record has had, oldest first: who entered or corrected it, when and why"""
        return managers.performance_versions(uow(), current_actor(), employee_no, period)


class ExamResultInputSchema(ma.Schema):
    exam = Str(required=True, validate=ma.validate.Length(min=1, max=32),
               metadata={"description": "the exam's code, as the policy names it in min_exam or scoring.exam "
                                        "(e.g. skills_test)"})
    taken_on = ma.fields.Date(required=True)
    score = ma.fields.Decimal(required=True, allow_nan=False)


class ExamResultSchema(ma.Schema):
    exam = ma.fields.String()
    taken_on = ma.fields.Date()
    score = ma.fields.Float()
    recorded_at = LocalDateTime()
    recorded_by = ma.fields.String()


@blp.route("/<employee_no:employee_no>/exam-results")
class ExamResults(MethodView):
    @blp.response(200, ExamResultSchema(many=True))
    @documented_problem(blp, 404, "unknown, or not visible to the caller")
    def get(self, employee_no):
        """A manager's exam results, oldest first"""
        return exams.exam_results(uow(), current_actor(), employee_no)

    @blp.arguments(ExamResultInputSchema)
    @blp.response(201, ExamResultSchema)
    @documented_problem(blp, 409, "exam_result_exists: a result is entered once and never overwritten")
    def post(self, body, employee_no):
        """Enter an exam result (hr): once per exam and day, never overwritten; each is in the audit chain"""
        actor = current_actor()
        with uow() as u:
            result = exams.record_exam_result(u, rules(), actor, employee_no, **body)
        return result


class ManagerEventInputSchema(ma.Schema):
    kind = Str(required=True, metadata={"enum": list(EVENT_KINDS), "description": "suspension and reinstatement "
                                        "change the manager's standing (待岗 and back)"})
    occurred_on = ma.fields.Date(required=True)
    days = ma.fields.Integer(load_default=None, strict=True,
                             metadata={"description": f"a leave's length in days (1 to {MAX_LEAVE_DAYS}); leave only"})
    reason = Str(load_default=None, metadata={"enum": list(LEAVE_REASONS), "description": "why the manager was "
                                              "absent; leave only (其他原因缺勤: other)"})
    note = Text(load_default=None, max_length=MAX_NOTE,
                metadata={"description": "what happened; required for a suspension or a reinstatement"})


class ManagerEventSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    occurred_on = ma.fields.Date()
    days = ma.fields.Integer(allow_none=True)
    reason = ma.fields.String(allow_none=True)
    note = ma.fields.String(allow_none=True)
    recorded_at = LocalDateTime()
    recorded_by = ma.fields.String()


@blp.route("/<employee_no:employee_no>/events")
class ManagerEvents(MethodView):
    @blp.response(200, ManagerEventSchema(many=True))
    @documented_problem(blp, 404, "unknown, or not visible to the caller")
    def get(self, employee_no):
        """The events on a manager's record, by day: violations, complaints, leave, targets, standing changes"""
        return manager_events.manager_events(uow(), current_actor(), employee_no)

    @blp.arguments(ManagerEventInputSchema)
    @blp.response(201, ManagerEventSchema)
    @documented_problem(blp, 409, "period_closed: the event's day is in a period already closed")
    def post(self, body, employee_no):
        """Enter an event on a manager's record (hr): entered once, never overwritten, in the audit chain; counted by
        the period closes' grading rules"""
        actor = current_actor()
        with uow() as u:
            event = manager_events.record_event(u, rules(), actor, employee_no, **body)
        return event
