"""The supervisor's pages: the review queue (what waits on their review: the applications of their direct
reports, probation confirmations) and a review page per case, where they approve with their score, return or
reject the materials, or pass or fail a probation, with a comment. Each decision is the JSON API's
POST /cases/{id}/events: workflow.services.cases.fire_event, against the version of the case the page showed."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from api.context import rules, uow
from api.web import labels
from api.web.blueprint import bp
from api.web.form_errors import score_value, show_on
from api.web.service_words import read_service_opening
from api.web.session import current_user, signed_in
from api.web.supervisor_items import items_to_send, show_item_errors, with_item_fields
from workflow.case_machine import SCORED_EVENTS
from workflow.errors import Conflict, Forbidden, NotFound, RuleViolation
from workflow.services.case_reads import visible_case
from workflow.services.cases import fire_event
from workflow.services.review_reads import REVIEW_EVENTS, review_events, review_queue

COMMENT_LENGTH = 2000  # as the API takes it (api/cases.py EventSchema)
STALE = ("version_conflict", "invalid_transition")


class ReviewForm(FlaskForm):
    decision = RadioField(_l("Your decision"), choices=list(REVIEW_EVENTS),
                          validators=[DataRequired(_l("Choose a decision."))])
    supervisor_score = StringField(_l("Supervisor score"), validators=[Optional()])
    comment = TextAreaField(_l("Comment"), validators=[
        Length(max=COMMENT_LENGTH, message=_l("A comment has at most %(max)d characters."))])
    version = HiddenField()

    def validate_supervisor_score(self, field):
        try:
            self.score = score_value(field.data)
        except ValueError as refused:
            self.score = None
            raise ValidationError(str(refused)) from None

    def validate_version(self, field):
        if not (field.data or "").isdigit():
            raise ValidationError(_("The form has lost the case's version: reload the page."))


@bp.get("/review")
@signed_in
def review_queue_page():
    return render_template("web/review_queue.html", waiting=review_queue(uow(), rules(), current_user()))


def _case(case_id: int):
    try:
        return visible_case(uow(), rules(), current_user(), case_id)
    except NotFound:
        abort(404)


@bp.route("/review/<int(max=2147483647):case_id>", methods=["GET", "POST"])
@signed_in
def review_case(case_id: int):
    case = _case(case_id)
    items = case.scoring.supervisor_items
    form = with_item_fields(ReviewForm, items)()
    form.score = None
    stale, status = False, 200
    if request.method == "GET":
        form.version.data = case.version
    else:
        valid = form.validate_on_submit()  # and the items, even if the form is not: every error shows at once
        supervisor_items, typed_well = items_to_send(form, items, form.decision.data)
        status = 422
        if valid and typed_well:
            try:
                with uow() as u:
                    fire_event(u, rules(), current_user(), case_id, form.decision.data,
                               comment=(form.comment.data or "").strip() or None, supervisor_score=form.score,
                               supervisor_items=supervisor_items, version=int(form.version.data))
            except RuleViolation as refused:
                show_on(form, show_item_errors(form, refused.errors, case.scoring), case.scoring,
                        {"supervisor_score": "supervisor_score"})
            except Conflict as refused:
                if refused.code not in STALE:
                    raise
                stale, status = True, 409
            except Forbidden:
                abort(403)
            except NotFound:
                abort(404)
            else:
                flash(_("Case №%(id)d: %(decision)s. Done.", id=case_id,
                        decision=labels.event(form.decision.data)), "info")
                return redirect(url_for("web.review_queue_page"))
            case = _case(case_id)  # as it stands now: the failed attempt changed nothing
    events = review_events(case)
    return render_template("web/review_case.html", case=case, form=form, events=events, stale=stale,
                           opening=read_service_opening(uow(), case),
                           scored_events=[e for e in events if e in SCORED_EVENTS],
                           scale=case.scoring.scale, item_fields=form.supervisor_item_fields if items else []), status
