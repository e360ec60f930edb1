"""A policy version's rules in plain words (/policies/<reference>), linked from each case page: the rules the case
was opened under, as `gradeflow policy check` prints them, also after the policy file has changed."""
from __future__ import annotations

from flask import render_template

from api.context import rules, uow
from api.web.blueprint import bp
from api.web.session import signed_in
from workflow.services.policies import policy_version


@bp.get("/policies/<path:reference>")  # a policy's name may hold a slash
@signed_in
def policy_page(reference: str):
    return render_template("web/policy.html", policy=policy_version(uow(), rules(), reference))
