"""/delegations: substitutes named for a range of days (workflow/delegations.py): hr for anyone, a supervisor or
committee member for themselves; cancelled, never deleted."""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from api.blueprint import Blueprint
from api.context import current_actor, rules, uow
from api.fields import LocalDateTime
from api.pagination import TOTAL_HEADER, PageArgs, paged
from api.problems import documented_problem
from workflow.accounts import USERNAME
from workflow.delegations import SCOPES, STATUSES
from workflow.services import delegations

blp = Blueprint("delegations", __name__, url_prefix="/api/v1/delegations",
                description="Substitutes (代理): who acts for an absent supervisor or committee member, and when")

_A_USERNAME = ma.validate.Regexp(rf"{USERNAME.pattern}\Z", error="String does not match expected pattern: a username")


class DelegationSchema(ma.Schema):
    id = ma.fields.Integer()
    principal = ma.fields.String(metadata={"description": "the absent person (username)"})
    substitute = ma.fields.String(metadata={"description": "who acts in their stead (username)"})
    scope = ma.fields.String(metadata={"enum": list(SCOPES)})
    starts_on = ma.fields.Date(metadata={"description": "the first day, in the policy's time zone"})
    ends_on = ma.fields.Date(metadata={"description": "the last day (inclusive)"})
    status = ma.fields.String(metadata={"enum": list(STATUSES)})
    created_by = ma.fields.String()
    created_at = LocalDateTime()
    cancelled_at = LocalDateTime(allow_none=True)
    cancelled_by = ma.fields.String(allow_none=True)


class NewDelegationSchema(ma.Schema):
    principal = ma.fields.String(load_default=None, validate=_A_USERNAME,
                                 metadata={"description": "the absent person; default: the caller (others: hr only)"})
    substitute = ma.fields.String(required=True, validate=_A_USERNAME)
    scope = ma.fields.String(required=True, validate=ma.validate.OneOf(SCOPES))
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)


class DelegationQuery(PageArgs):
    mine = ma.fields.Boolean(load_default=False, metadata={"description": "hr: only the delegations naming themselves"})


@blp.route("")
class Delegations(MethodView):
    @blp.arguments(DelegationQuery, location="query")
    @blp.response(200, DelegationSchema(many=True), headers=TOTAL_HEADER)
    def get(self, args):
        """The delegations: hr sees all, anyone else those naming them (as the absent person or the substitute)"""
        return paged(*delegations.list_delegations(uow(), rules(), current_actor(), page=args["page"],
                                                   per_page=args["per_page"], mine=args["mine"]))

    @blp.arguments(NewDelegationSchema)
    @blp.response(201, DelegationSchema)
    @documented_problem(blp, 409, "delegation_overlap: the absent person already has a substitute on one of these "
                                  "days in a scope that shares a role")
    def post(self, args):
        """Name a substitute for a range of days (hr for anyone; a supervisor or committee member for themselves)"""
        actor = current_actor()
        with uow() as u:
            return delegations.create_delegation(u, rules(), actor, **args)


@blp.route("/<int(max=2147483647):delegation_id>")
class OneDelegation(MethodView):
    @blp.response(200, DelegationSchema)
    @documented_problem(blp, 409, "delegation_ended: a delegation whose last day has passed stays as it was")
    def delete(self, delegation_id):
        """Cancel a delegation from now on (the absent person or hr); the acts done meanwhile stand"""
        actor = current_actor()
        with uow() as u:
            return delegations.cancel_delegation(u, rules(), actor, delegation_id)
