"""The applicant's pages, and the case page every party of a case shares.

    /apply                    the eligibility check (the grade one would apply for, every rule that refuses it
                              today, in words), the open cycles, one's own cases, and the application form
    /cases/<id>               a case as the caller may see it: a workflow strip, the timeline (past steps from
                              the history, steps to come with their working-day deadlines), the scores once
                              published, and what the caller may do now as buttons (available_events)
    /cases/<id>/events        POST: one of those buttons (cases.fire_event, with the version the page showed)
    /cases/<id>/appeal        the appeal form on a published decision, with the time left (appeals.file_appeal)

Every read is a read function (workflow/services/applicant_reads.py), every change a use case of
workflow/services, with the API's authorization: a case the caller may not see is the 404 page. A refusal of
the services is shown next to its field, or above the form, in the user's language; what was typed stays."""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from api.context import rules, uow
from api.web import labels
from api.web.blueprint import bp
from api.web.choices import options
from api.web.i18n import colon, enumeration_comma
from api.web.refusals import code_words
from api.web.session import current_user, signed_in
from api.web.supervisor_items import items_to_send, show_item_errors, with_item_fields
from workflow import case_machine as m
from workflow.eligibility import promotion_targets
from workflow.errors import Conflict, FieldError, NotEligible, RuleViolation
from workflow.services import appeals, cases
from workflow.services.applicant_reads import application_outlook, case_page
from workflow.services.case_reads import visible_case

STATEMENT_LENGTH = 4000  # as the API's NewCaseSchema
REASON_LENGTH = 4000  # as the API's appeal reason (api/cases.py APPEAL_REASON_LENGTH)
COMMENT_LENGTH = 2000  # as the API's event comment

# --- words for the services' refusals ----------------------------------------------------------------------

# the rules of eligibility (workflow/eligibility.py, cases.py): their names and what they ask, in words
REFUSALS = {
    "active_manager": (_l("On the ladder"), _l("You have left the grade ladder.")),
    "probation_confirmation": (_l("Probation confirmation"),
                               _l("From probation one reaches the next grade by probation confirmation (转正), "
                                  "which the service opens when the probation ends, not by application.")),
    "known_grade": (_l("Known grade"), _l("The grade applied for is not on the ladder.")),
    "promotion_goes_up": (_l("Promotion goes up"), _l("The grade applied for is not above your current grade.")),
    # how many grades a promotion may go, the policy's own (逐级晋升 or 跃级): the refusal's facts say
    "one_step_at_a_time": (_l("Grades a promotion goes"),
                           _l("The grade applied for is further above yours than a promotion may go.")),
    "target_open_to_application": (_l("Open to application"), _l("This grade is not open to application.")),
    "tenure": (_l("Time in grade"), _l("You have not been long enough in your current grade.")),
    "performance_rank": (_l("Performance rank"),
                         _l("Your latest annual score does not rank high enough among the managers of your grade "
                            "in your org unit, or no annual score is recorded.")),
    "one_open_case": (_l("One open case"), _l("You have an open case already; it must be finished first.")),
    "education": (_l("Education"), _l("The grade needs a higher education than your record shows, or your record "
                                      "shows none.")),
    "recent_results": (_l("Recent results"), _l("A recent period's score is below what the grade needs, or is not "
                                                "recorded.")),
    "age": (_l("Age"), _l("The grade is open up to an age you have passed, or no birth date is recorded.")),
    "certificates": (_l("Certificates"), _l("The grade needs certificates that your record does not show.")),
    "exam": (_l("Exam"), _l("The grade needs a pass in an exam taken recently; your latest result is below it, or "
                            "none is recorded.")),
}

# the input rules of submit_case, fire_event and file_appeal (workflow.errors.FieldError.rule)
FIELD_RULES = {
    "required": _l("This is required."),
    "known_cycle": _l("There is no such cycle."),
    "cycle_open": _l("This cycle has been decided; it takes no more applications."),
    "cycle_policy": _l("The cases of this cycle follow another policy than your org unit's: apply in a cycle "
                       "of your unit's policy."),
    "exceptional_promotion": _l("Only a promotion is exceptional."),
    "known_manager": _l("You have no manager record."),
    "score_range": _l("The score is out of range."),
    "score_precision": _l("The score has too many decimal places."),
    "below_pass_mark": _l("The score is below the stage's pass mark: the stage cannot be passed with it."),
    "not_for_stage": _l("This stage records no score: leave the field empty."),
    "not_for_event": _l("This step takes no score: leave the field empty."),
}

# the services' conflicts on a case, in words
CONFLICTS = {
    "version_conflict": _l("The case changed meanwhile (someone acted on it after this page was shown). "
                           "Reload the page to see it as it is now, then try again."),
    "invalid_transition": _l("This cannot be done to the case in its present state. Reload the page to see "
                             "what you may do now."),
    "appeal_exists": _l("This case has been appealed already: one appeal per case."),
    "appeal_window_closed": _l("The appeal window has closed: the deadline has passed."),
    "no_appeals": _l("The decision took effect as it was published: the policy has no appeals."),
    "not_published": _l("Only a published decision can be appealed."),
    "quorum_not_met": _l("The interview lacks the quorum of scores."),
    "stage_moved": _l("The case has left the stage this page showed (someone acted on it meanwhile). Reload the "
                      "page to see where it stands now."),
}


def refusal_name(rule: str) -> str:
    return str(REFUSALS[rule][0]) if rule in REFUSALS else rule


def refusal_words(rule: str) -> str:
    return str(REFUSALS[rule][1]) if rule in REFUSALS else ""


def conflict_words(code: str | None) -> str:
    """A conflict on a case in words: this page's, else the rules' (a full quota, a score missing to decide on)."""
    if code is None:
        return ""
    return str(CONFLICTS[code]) if code in CONFLICTS else code_words(code)


bp.add_app_template_filter(labels.history_event, "history_event")
bp.add_app_template_filter(refusal_name, "refusal_name")
bp.add_app_template_filter(refusal_words, "refusal_words")
bp.add_app_template_filter(conflict_words, "conflict_words")


def _field_errors(form: FlaskForm, errors: list[FieldError]) -> list[str]:
    """Each broken rule next to its field; those of no field of the form come back for above it."""
    elsewhere = []
    for problem in errors:
        message = str(FIELD_RULES.get(problem.rule, problem.message))
        field = getattr(form, problem.field, None)
        if field is not None and hasattr(field, "errors") and problem.field != "csrf_token":
            field.errors = list(field.errors) + [message]
        else:
            elsewhere.append(message)
    return elsewhere


# --- the forms -----------------------------------------------------------------------------------------------

EXCEPTIONAL = _l("Exceptional promotion (破格晋升)")


class ApplicationForm(FlaskForm):
    cycle = SelectField(_l("Cycle"), validate_choice=False, validators=[DataRequired(_l("Choose a cycle."))])
    target_grade = SelectField(_l("Grade applied for"), validate_choice=False,
                               validators=[DataRequired(_l("Choose the grade you apply for."))])
    statement = TextAreaField(_l("Statement"), filters=[lambda s: s.strip() if isinstance(s, str) else s],
                              validators=[DataRequired(_l("Write your statement.")),
                                          Length(max=STATEMENT_LENGTH,
                                                 message=_l("At most %(max)d characters.", max=STATEMENT_LENGTH))])
    exceptional = BooleanField(EXCEPTIONAL)  # labelled with what the policy allows it: exceptional_label


class EventForm(FlaskForm):
    event = HiddenField(validators=[DataRequired()])
    version = IntegerField(validators=[InputRequired()])
    comment = TextAreaField(_l("Comment"), filters=[lambda s: s.strip() or None if isinstance(s, str) else s],
                            validators=[Optional(), Length(max=COMMENT_LENGTH, message=_l(
                                "At most %(max)d characters.", max=COMMENT_LENGTH))])
    supervisor_score = DecimalField(_l("Supervisor score (0–100)"), validators=[Optional()],
                                    render_kw={"inputmode": "decimal"})
    score = DecimalField(_l("Score of the stage"), validators=[Optional()], render_kw={"inputmode": "decimal"})
    stage = HiddenField(filters=[lambda s: s or None])  # the stage the page showed (a stage's events)


class AppealForm(FlaskForm):
    version = IntegerField(validators=[InputRequired()])
    reason = TextAreaField(_l("Reason of the appeal"), filters=[lambda s: s.strip() if isinstance(s, str) else s],
                           validators=[DataRequired(_l("State the reason of your appeal.")),
                                       Length(max=REASON_LENGTH,
                                              message=_l("At most %(max)d characters.", max=REASON_LENGTH))])


# --- the workflow strip: the main line of the case's kind, from the live machine -----------------------------

_SIDE_STATES = (m.RETURNED, m.APPEALED, m.REJECTED, m.WITHDRAWN, m.CLOSED)
_ENDED_ASIDE = (m.REJECTED, m.WITHDRAWN, m.CLOSED)


def _main_line(kind: str, start: str, moves) -> set[str]:
    """The states a case of `kind` can reach from `start` (where it opens) without passing a side branch (a
    probation confirmation reaches deliberation only after an appeal is overturned: not on its main line)."""
    reached, frontier = set(), [start]
    while frontier:
        state = frontier.pop()
        if state in reached:
            continue
        reached.add(state)
        if state not in _SIDE_STATES:
            frontier.extend(move.dest for move in moves if kind in move.kinds and state in move.sources)
    return reached


def workflow_strip(case, history: Sequence[dict]) -> list[tuple[str, str, bool]]:
    """The steps a case of its kind passes through on its main line under its policy, in the machine's order (the
    side branches only when the case stands in one), each (state, what it reads, whether the case stands there);
    an exceptional promotion shows HR's review, and the policy's own stages show one by one. A case that ended
    aside (rejected, withdrawn, closed) shows the steps it passed, not those it will never reach."""
    reached = _main_line(case.kind, case.opening_state, case.possible_moves) | {case.state}
    if case.state in _ENDED_ASIDE:
        reached &= {case.opening_state} | {entry["to_state"] for entry in history}
    if not case.exceptional:
        reached.discard(m.HR_REVIEW)
    steps = []
    for state in m.STATES:
        if state not in reached or (state in _SIDE_STATES and state != case.state):
            continue
        if state == m.IN_STAGE:  # those after the interview follow it
            steps.extend((state, stage.label, case.stage == stage.code)
                         for stage in case.own_stages if not stage.after_interview)
        else:
            steps.append((state, labels.state(state), case.state == state))
        if state == m.INTERVIEW:
            steps.extend((m.IN_STAGE, stage.label, case.stage == stage.code)
                         for stage in case.own_stages if stage.after_interview)
    return steps


# --- /apply --------------------------------------------------------------------------------------------------

def _application_form(outlook, form: ApplicationForm | None = None) -> ApplicationForm:
    form = form or ApplicationForm()
    form.cycle.choices = options({c.code: f"{c.name} ({c.code})" for c in outlook.open_cycles})
    ladder = rules().policy.ladder
    targets = promotion_targets(ladder, outlook.manager.grade) if outlook.manager is not None else ladder.codes
    form.target_grade.choices = options({code: labels.grade(code) for code in targets})
    governing = rules().for_org_unit(outlook.manager.org_unit) if outlook.manager is not None else rules()
    form.exceptional.label.text = exceptional_label(governing.policy)  # a unit's eligibility may be its own
    if request.method == "GET":
        form.target_grade.data = outlook.target
        if len(outlook.open_cycles) == 1:
            form.cycle.data = outlook.open_cycles[0].code
    return form


def exceptional_label(policy) -> str:
    """破格晋升 with what the policy allows it: more grades at once, no time-in-grade rule, and whether HR
    approves it besides."""
    ladder, eligibility = policy.ladder, policy.eligibility
    allows = []
    if ladder.exceptional_steps > ladder.promotion_steps:
        allows.append(ngettext("up to %(num)d grade at once", "up to %(num)d grades at once", ladder.exceptional_steps))
    if eligibility.exceptional_ignores_tenure:
        allows.append(_("without the time-in-grade rule"))
    if eligibility.exceptional_needs_hr_approval:
        allows.append(_("with an extra HR approval"))
    return str(EXCEPTIONAL) + colon() + enumeration_comma().join(allows) if allows else str(EXCEPTIONAL)


@bp.route("/apply", methods=["GET", "POST"])
@signed_in
def apply():
    actor = current_user()
    outlook = application_outlook(uow(), rules(), actor)
    form = _application_form(outlook)
    status, refused, problems = 200, [], []
    if form.validate_on_submit():
        try:
            with uow() as u:
                file = cases.submit_case(u, rules(), actor, kind=m.PROMOTION, statement=form.statement.data,
                                         cycle=form.cycle.data, target_grade=form.target_grade.data,
                                         exceptional=form.exceptional.data)
                case_id = file.case.id
        except NotEligible as refusal:
            refused, status = refusal.refusals, 422
        except RuleViolation as bad:
            problems, status = _field_errors(form, bad.errors), 422
        else:
            flash(_("Your application has been submitted: case №%(id)d.", id=case_id), "info")
            return redirect(url_for("web.case", case_id=case_id))
        outlook = application_outlook(uow(), rules(), actor)  # as it stands after the refusal
    elif request.method == "POST":
        status = 422
    return render_template("web/apply.html", outlook=outlook, form=form, refused=refused, problems=problems,
                           ladder=rules().policy.ladder), status


# --- /cases/<id> ---------------------------------------------------------------------------------------------

def _render_case(case_id: int, *, event_form: EventForm | None = None, failed_event: str | None = None,
                 problem: str | None = None, status: int = 200):
    page = case_page(uow(), rules(), current_user(), case_id)
    return render_template("web/case.html", page=page, case=page.case, strip=workflow_strip(page.case, page.history),
                           event_form=event_form, failed_event=failed_event, problem=problem,
                           new_event_form=with_item_fields(EventForm, page.case.scoring.supervisor_items)), status


@bp.get("/cases/<int(max=2147483647):case_id>")
@signed_in
def case(case_id: int):
    return _render_case(case_id)


@bp.post("/cases/<int(max=2147483647):case_id>/events")
@signed_in
def case_event(case_id: int):
    actor = current_user()
    scoring = visible_case(uow(), rules(), actor, case_id).scoring  # the case's policy version's
    form = with_item_fields(EventForm, scoring.supervisor_items)()
    valid = form.validate_on_submit()  # and the items, even if the form is not: every error shows at once
    supervisor_items, typed_well = items_to_send(form, scoring.supervisor_items, form.event.data)
    if not (valid and typed_well):
        return _render_case(case_id, event_form=form, failed_event=form.event.data,
                            problem=_("Check the form below."), status=422)
    supervisor_score, score = form.supervisor_score.data, form.score.data
    try:
        with uow() as u:
            cases.fire_event(u, rules(), actor, case_id, form.event.data, comment=form.comment.data,
                             supervisor_score=Decimal(supervisor_score) if supervisor_score is not None else None,
                             supervisor_items=supervisor_items, score=Decimal(score) if score is not None else None,
                             stage=form.stage.data, version=form.version.data)
    except RuleViolation as bad:
        elsewhere = _field_errors(form, show_item_errors(form, bad.errors, scoring))
        return _render_case(case_id, event_form=form, failed_event=form.event.data,
                            problem=" ".join(elsewhere) or _("Check the form below."), status=422)
    except Conflict as clash:
        return _render_case(case_id, event_form=form, failed_event=form.event.data,
                            problem=conflict_words(clash.code), status=409)
    flash(_("Done: %(event)s.", event=labels.event(form.event.data)), "info")
    return redirect(url_for("web.case", case_id=case_id))


# --- /cases/<id>/appeal --------------------------------------------------------------------------------------

@bp.route("/cases/<int(max=2147483647):case_id>/appeal", methods=["GET", "POST"])
@signed_in
def appeal(case_id: int):
    actor = current_user()
    form = AppealForm()
    status, problem = 200, None
    if form.validate_on_submit():
        try:
            with uow() as u:
                appeals.file_appeal(u, rules(), actor, case_id, reason=form.reason.data, version=form.version.data)
        except RuleViolation as bad:
            problem, status = " ".join(_field_errors(form, bad.errors)) or None, 422
        except Conflict as clash:
            problem, status = conflict_words(clash.code), 409
        else:
            flash(_("Your appeal has been filed. HR will handle it."), "info")
            return redirect(url_for("web.case", case_id=case_id))
    elif request.method == "POST":
        status = 422
    page = case_page(uow(), rules(), actor, case_id)
    if request.method == "GET":
        form.version.data = page.case.version
    return render_template("web/appeal.html", page=page, case=page.case, form=form, problem=problem,
                           deadline=next((s for s in page.steps if s.kind == "appeal_deadline"), None)), status
