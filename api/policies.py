"""/policies/{reference}: the rules of a policy version that governed cases (name@version, as a case's `policy`)."""
from __future__ import annotations

import json

import marshmallow as ma
from flask.views import MethodView

from api.blueprint import Blueprint
from api.context import current_actor, rules, uow
from api.fields import LocalDateTime
from api.problems import documented_problem
from workflow.services.policies import policy_version

blp = Blueprint("policies", __name__, url_prefix="/api/v1/policies",
                description="The policy versions cases were opened under")


class PolicyVersionSchema(ma.Schema):
    reference = ma.fields.String(metadata={"description": "name@version, as cases record it in `policy`"})
    name = ma.fields.String()
    title = ma.fields.String()
    version = ma.fields.String(metadata={"description": "a fingerprint of the rules"})
    current = ma.fields.Boolean(metadata={"description": "the version in force now"})
    first_used_at = LocalDateTime(allow_none=True, metadata={"description": "when a case first recorded it"})
    summary = ma.fields.List(ma.fields.String(), metadata={
        "description": "the rules in plain words, as `gradeflow policy check` prints them; empty where this release "
                       "no longer reads the stored rules"})
    document = ma.fields.Function(lambda view: json.loads(view.document), metadata={
        "type": "object", "description": "the policy file's content as JSON, in its key order, comments dropped "
                                         "(docs/policies.md)"})


@blp.route("/<path:reference>")  # a policy's name may hold a slash
class PolicyVersionResource(MethodView):
    @blp.response(200, PolicyVersionSchema)
    @documented_problem(blp, 404, "no case was opened under that version")
    def get(self, reference):
        """The rules of a policy version: the current one, or one that governed a case (any signed-in user)"""
        current_actor()  # authenticated before any view (api/app.py); any role may read
        return policy_version(uow(), rules(), reference)
