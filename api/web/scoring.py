"""The committee's scoring sheet of a cycle (面试评审): every candidate of the cycle in interview, with the
member's own score (editable until deliberation: workflow.services.committee.put_score), a declared conflict
(committee.declare_recusal, with a comment), the interview's progress (quorum, who has scored: CaseView.interview,
which keeps the other members' scores hidden until deliberation) and, for the chair, "close the interview" when
available_events offers it (cases.fire_event close_interview). Each form is sent against the case's version."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from api.context import rules, uow
from api.web.blueprint import bp
from api.web.form_errors import score_value, show_on
from api.web.session import current_user, signed_in
from workflow.case_machine import DELIBERATION, INTERVIEW
from workflow.errors import Conflict, Forbidden, NotFound, RuleViolation
from workflow.services import committee
from workflow.services.case_reads import list_cases
from workflow.services.cases import fire_event
from workflow.services.cycles import get_cycle, list_cycles, sees_committee
from workflow.services.governing import rules_for_cycle

COMMENT_LENGTH = 2000  # as the API takes it
CASES_SHOWN = 500  # per state
CYCLES_SHOWN = 50
STALE = ("version_conflict", "invalid_transition")


class _Versioned(FlaskForm):
    version = HiddenField()

    def validate_version(self, field):
        if not (field.data or "").isdigit():
            raise ValidationError(_("The form has lost the case's version: reload the page."))


class ScoreForm(_Versioned):
    score = StringField(_l("My score"), validators=[DataRequired(_l("Enter your score."))])
    comment = TextAreaField(_l("Comment (optional)"), validators=[
        Length(max=COMMENT_LENGTH, message=_l("A comment has at most %(max)d characters."))])

    def validate_score(self, field):
        try:
            self.value = score_value(field.data)
        except ValueError as refused:
            raise ValidationError(str(refused)) from None


class RecusalForm(_Versioned):
    reason = TextAreaField(_l("Why you declare a conflict"), validators=[
        Length(max=COMMENT_LENGTH, message=_l("A comment has at most %(max)d characters."))])


class CloseForm(_Versioned):
    pass


FORMS = {"score": ScoreForm, "recusal": RecusalForm, "close": CloseForm}


def _forms(case, posted: tuple[int, str, FlaskForm] | None) -> dict[str, FlaskForm]:
    """The forms of a case's row: the one just posted (with its errors and what was typed), fresh ones else."""
    forms = {}
    for name, form_class in FORMS.items():
        if posted and posted[0] == case.id and posted[1] == name:
            forms[name] = posted[2]
        else:
            forms[name] = form_class(prefix=f"c{case.id}-{name}", formdata=None, version=case.version)
            if name == "score" and case.interview and case.interview["my_score"] is not None:
                forms[name].score.data = str(case.interview["my_score"])
    return forms


def committee_cycle(code: str):
    try:
        cycle = get_cycle(uow(), code)
    except NotFound:
        abort(404)
    if not sees_committee(current_user(), cycle):
        abort(404)
    return cycle


def _sheet(code: str, posted=None, stale_case: int | None = None, status: int = 200):
    cycle, actor = committee_cycle(code), current_user()
    cases = []
    for state in (INTERVIEW, DELIBERATION):
        found, _total = list_cases(uow(), rules(), actor, page=1, per_page=CASES_SHOWN, cycle=code, state=state)
        cases.extend(found)
    rows = [{"case": case, "forms": _forms(case, posted)} for case in cases]
    return render_template("web/scoring.html", cycle=cycle, rows=rows, stale_case=stale_case,
                           scale=cycle_scoring(cycle).scale), status


def cycle_scoring(cycle):
    """The scoring rules of the policy version the cycle's cases follow."""
    return rules_for_cycle(uow(), rules(), cycle).policy.scoring


@bp.get("/scoring")
@signed_in
def scoring_index():
    actor = current_user()
    cycles, _total = list_cycles(uow(), page=1, per_page=CYCLES_SHOWN)
    return render_template("web/scoring_index.html", cycles=[c for c in cycles if sees_committee(actor, c)])


@bp.get("/cycles/<cycle_code:code>/scoring")
@signed_in
def scoring_sheet(code: str):
    return _sheet(code)


@bp.post("/cycles/<cycle_code:code>/scoring/<int(max=2147483647):case_id>/<any(score, recusal, close):action>")
@signed_in
def scoring_action(code: str, case_id: int, action: str):
    cycle = committee_cycle(code)
    form = FORMS[action](prefix=f"c{case_id}-{action}")
    if not form.validate_on_submit():
        return _sheet(code, posted=(case_id, action, form), status=422)
    actor, version = current_user(), int(form.version.data)
    try:
        with uow() as u:
            if action == "score":
                committee.put_score(u, rules(), actor, case_id, score=form.value,
                                    comment=(form.comment.data or "").strip() or None, version=version)
            elif action == "recusal":
                committee.declare_recusal(u, rules(), actor, case_id, comment=(form.reason.data or "").strip() or None,
                                          version=version)
            else:
                fire_event(u, rules(), actor, case_id, "close_interview", version=version)
    except RuleViolation as refused:
        show_on(form, refused.errors, cycle_scoring(cycle), {"score": "score"})
        return _sheet(code, posted=(case_id, action, form), status=422)
    except committee.Recused:
        form.form_errors.append(_("You are recused from this case: you no longer score it."))
        return _sheet(code, posted=(case_id, action, form), status=403)
    except Conflict as refused:
        if refused.code in STALE:
            return _sheet(code, posted=(case_id, action, form), stale_case=case_id, status=409)
        if refused.code != "quorum_not_met":
            raise
        form.form_errors.append(_("The interview lacks the quorum of scores."))
        return _sheet(code, posted=(case_id, action, form), status=409)
    except Forbidden:
        abort(403)
    except NotFound:
        abort(404)
    flash({"score": _("Case №%(id)d: your score is saved.", id=case_id),
           "recusal": _("Case №%(id)d: your conflict of interest is recorded; you no longer count for it.",
                        id=case_id),
           "close": _("Case №%(id)d: the interview is closed.", id=case_id)}[action], "info")
    return redirect(url_for("web.scoring_sheet", code=code) + f"#case-{case_id}")
