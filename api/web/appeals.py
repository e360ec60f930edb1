"""HR's appeals page (申诉): the appeals awaiting a resolution, each with the decision it contests and its reason,
upheld or overturned with a comment through the case events of the JSON API (workflow/services/cases.py
fire_event "uphold" / "overturn"). The buttons are the case's available_events; the page sends the case's
version, so a case that moved meanwhile is refused as stale instead of being resolved twice."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from api.context import rules, uow
from api.web.blueprint import bp
from api.web.session import current_user, signed_in
from workflow.case_machine import APPEALED
from workflow.errors import Conflict, RuleViolation
from workflow.services.case_reads import list_cases
from workflow.services.cases import fire_event

APPEALS_SHOWN = 500
RESOLUTIONS = ("uphold", "overturn")
COMMENT_LENGTH = 2000  # as the API's event comment (api/cases.py)


class ResolveForm(FlaskForm):
    event = StringField(validators=[AnyOf(RESOLUTIONS)])
    version = IntegerField(validators=[DataRequired()])
    comment = TextAreaField(_l("Comment to the appellant"), validators=[
        Length(max=COMMENT_LENGTH, message=_l("At most %(max)d characters.", max=COMMENT_LENGTH))])


STALE = _l("The case changed meanwhile (someone acted on it after this page was shown). Reload the page to see it "
           "as it is now, then try again.")
REFUSED = _l("This cannot be done to the case in its present state. Reload the page to see what you may do now.")


def _prefix(case_id: int) -> str:
    """Each case's form has fields of its own (c7-comment), so that ids stay unique on the page."""
    return f"c{case_id}"


@bp.get("/appeals")
@signed_in
def appeals():
    return _render()


def _render(failed: tuple[int, ResolveForm] | None = None, status: int = 200):
    pending, _total = list_cases(uow(), rules(), current_user(), page=1, per_page=APPEALS_SHOWN, state=APPEALED)
    forms = {}
    for case in pending:
        if failed is not None and failed[0] == case.id:
            forms[case.id] = failed[1]
        else:
            forms[case.id] = ResolveForm(formdata=None, prefix=_prefix(case.id), version=case.version)
    return render_template("web/appeals.html", pending=pending, forms=forms), status


@bp.post("/appeals/<int(max=2147483647):case_id>")
@signed_in
def resolve_appeal(case_id: int):
    form = ResolveForm(prefix=_prefix(case_id))
    if not form.validate_on_submit():
        return _render((case_id, form), 422)
    try:
        with uow() as u:
            fire_event(u, rules(), current_user(), case_id, form.event.data, comment=form.comment.data or None,
                       version=form.version.data)
    except RuleViolation as refused:
        form.comment.errors.extend(str(REFUSED) for _error in refused.errors)
        return _render((case_id, form), 422)
    except Conflict as refused:
        form.comment.errors.append(str(STALE if refused.code == "version_conflict" else REFUSED))
        return _render((case_id, form), 409)
    flash(_("Appeal of case №%(id)d: %(what)s.", id=case_id,
            what=_("decision upheld") if form.event.data == "uphold" else _("decision overturned, back to "
                                                                            "deliberation")), "info")
    return redirect(url_for("web.appeals"))
