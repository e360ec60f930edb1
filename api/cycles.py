"""/cycles: promotion rounds, their committee, the decision, publication and the board."""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from api.blueprint import Blueprint
from api.context import current_actor, rules, uow
from api.fields import CYCLE_CODE, LocalDateTime, Str, Text
from api.pagination import TOTAL_HEADER, PageArgs, paged
from api.problems import documented_problem
from workflow.accounts import USERNAME
from workflow.services import cycles

blp = Blueprint("cycles", __name__, url_prefix="/api/v1/cycles",
                description="Promotion cycles: committee, decision under quotas, publication (公示)")

_USERNAME = Str(validate=ma.validate.Regexp(rf"{USERNAME.pattern}\Z", error="String does not match expected "
                                                                            "pattern: a username"))


class CycleSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    chair = ma.fields.String(allow_none=True)
    members = ma.fields.List(ma.fields.String(), allow_none=True,
                             metadata={"description": "shown to hr, admins and the committee itself"})
    created_at = LocalDateTime()
    decided_at = LocalDateTime(allow_none=True, metadata={"description": "when the cycle was first decided"})
    published_at = LocalDateTime(allow_none=True, metadata={"description": "when the cycle was first published"})


class NewCycleSchema(ma.Schema):
    code = Str(required=True, validate=CYCLE_CODE)
    name = Text(required=True, max_length=200)


class CommitteeSchema(ma.Schema):
    chair = ma.fields.String(required=True, validate=_USERNAME.validate)
    members = ma.fields.List(ma.fields.String(validate=_USERNAME.validate), required=True,
                             validate=ma.validate.Length(max=100))


class DecidedSchema(ma.Schema):
    case_id = ma.fields.Integer()
    outcome = ma.fields.String(metadata={"enum": ["approved", "denied"]})
    final_score = ma.fields.Float()
    rank = ma.fields.Integer()
    reasons = ma.fields.List(ma.fields.String())


class DecisionSchema(ma.Schema):
    decided = ma.fields.List(ma.fields.Nested(DecidedSchema))


class PublicationSchema(ma.Schema):
    published_at = LocalDateTime()
    appeal_deadline = LocalDateTime()
    deadline_confirmed = ma.fields.Boolean(metadata={"description": "false when a day counted lies in a year "
                                                                    "without an official calendar"})
    case_ids = ma.fields.List(ma.fields.Integer())


class BoardEntrySchema(ma.Schema):
    case_id = ma.fields.Integer()
    employee_no = ma.fields.String()
    name = ma.fields.String()
    org_unit = ma.fields.String()
    kind = ma.fields.String()
    from_grade = ma.fields.String()
    target_grade = ma.fields.String()
    outcome = ma.fields.String(allow_none=True, metadata={"description": "null while an overturned case is "
                                                                         "decided again"})
    state = ma.fields.String()
    published_at = LocalDateTime()
    appeal_deadline = LocalDateTime()
    final_score = ma.fields.Float(metadata={"description": "only when the policy shows scores"})


class BoardSchema(ma.Schema):
    cycle = ma.fields.String()
    published_at = LocalDateTime(allow_none=True)
    appeal_deadline = LocalDateTime(allow_none=True)
    deadline_confirmed = ma.fields.Boolean(allow_none=True)
    appeals = ma.fields.Boolean(metadata={"description": "false where the policy has no appeals: each decision "
                                                         "took effect as it was published (appeal_deadline = "
                                                         "published_at)"})
    entries = ma.fields.List(ma.fields.Nested(BoardEntrySchema))


def _shown(cycle):
    actor = current_actor()
    return {"code": cycle.code, "name": cycle.name, "chair": cycle.chair,
            "members": cycle.member_usernames if cycles.sees_committee(actor, cycle) else None,
            "created_at": cycle.created_at, "decided_at": cycle.first_decided_at,
            "published_at": cycle.first_published_at}


@blp.route("")
class Cycles(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, CycleSchema(many=True), headers=TOTAL_HEADER)
    def get(self, args):
        """Every cycle, newest first (any user)"""
        items, total = cycles.list_cycles(uow(), **args)
        return paged([_shown(c) for c in items], total)

    @blp.arguments(NewCycleSchema)
    @blp.response(201, CycleSchema)
    @documented_problem(blp, 409, "cycle_exists")
    def post(self, body):
        """Open a cycle (hr)"""
        actor = current_actor()
        with uow() as u:
            cycle = cycles.create_cycle(u, rules(), actor, **body)
        return _shown(cycle)


@blp.route("/<cycle_code:code>")
class CycleByCode(MethodView):
    @blp.response(200, CycleSchema)
    def get(self, code):
        """One cycle (any user; the committee only for hr, admins and its members)"""
        return _shown(cycles.get_cycle(uow(), code))


@blp.route("/<cycle_code:code>/committee")
class Committee(MethodView):
    @blp.arguments(CommitteeSchema)
    @blp.response(200, CycleSchema)
    @documented_problem(blp, 409, "committee_locked: a member whose score is on an undecided case stays")
    def put(self, body, code):
        """Appoint the chair and members (hr); each holds the committee role"""
        actor = current_actor()
        with uow() as u:
            cycle = cycles.set_committee(u, rules(), actor, code, **body)
        return _shown(cycle)


@blp.route("/<cycle_code:code>/decide")
class Decide(MethodView):
    @blp.response(200, DecisionSchema)
    @documented_problem(blp, 409, "cycle_not_ready, with blocking_cases")
    def post(self, code):
        """Rank and decide every case of the cycle in deliberation (the chair, hr)"""
        actor = current_actor()
        with uow() as u:
            decided = cycles.decide_cycle(u, rules(), actor, code)
        return {"decided": decided}


@blp.route("/<cycle_code:code>/publish")
class Publish(MethodView):
    @blp.response(200, PublicationSchema)
    @documented_problem(blp, 409, "nothing_to_publish")
    def post(self, code):
        """Publish every decided case of the cycle; the appeal window opens (hr)"""
        actor = current_actor()
        with uow() as u:
            return cycles.publish_cycle(u, rules(), actor, code)


@blp.route("/<cycle_code:code>/publication")
class Publication(MethodView):
    @blp.response(200, BoardSchema)
    def get(self, code):
        """The publication board (公示): every published case of the cycle (any user)"""
        return cycles.publication_board(uow(), rules(), code)
