"""HR's cycle pages: the cycles (list, open one), a cycle's page (its committee, where each case stands and who
it waits on, what blocks the decision, the decision with its ranked result, publication with the appeal
deadline). Every action calls the use case the JSON API calls (workflow/services/cycles.py) with the signed-in
user; what the page offers comes from cycle_reads.cycle_overview, and the use case refuses whatever the caller
may not do (the 403 or 404 page)."""
from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp

from api.context import rules, uow
from api.converters import CYCLE_CODE_PATTERN
from api.web.blueprint import bp
from api.web.i18n import deadline
from api.web.session import current_user, signed_in
from workflow import access
from workflow.accounts import HR, Actor
from workflow.errors import Conflict, RuleViolation
from workflow.services import cycles
from workflow.services.cycle_reads import cycle_overview

CYCLES_SHOWN = 100  # the newest cycles the list shows


def runs_cycles(actor: Actor) -> bool:
    """Whom the cycle pages are for (the nav entry, the form to open a cycle): hr, as workflow/services/cycles.py
    checks in each use case."""
    return actor.has(HR)


class NewCycleForm(FlaskForm):
    code = StringField(_l("Code"), validators=[
        DataRequired(_l("Enter the cycle's code.")),
        Regexp(rf"{CYCLE_CODE_PATTERN}\Z", message=_l("1 to 32 letters, digits, '.', '_' or '-', starting with a "
                                                       "letter or digit."))])
    name = StringField(_l("Name"), validators=[
        DataRequired(_l("Enter the cycle's name.")), Length(max=200, message=_l("At most 200 characters."))])


class CommitteeForm(FlaskForm):
    chair = StringField(_l("Chair (username)"), validators=[
        DataRequired(_l("Enter the chair's username.")), Length(max=64, message=_l("At most 64 characters."))])
    members = StringField(_l("Members (usernames, separated by commas or spaces)"), validators=[
        Length(max=2000, message=_l("At most 2000 characters."))])

    def usernames(self) -> list[str]:
        return [name for name in re.split(r"[\s,，、]+", self.members.data or "") if name]


class CycleActionForm(FlaskForm):
    """Decide or publish: the CSRF token is all it carries."""


# What a refusal of the cycle use cases means, in the user's words, by its rule or code.
RULES = {
    "cycle_exists": _l("A cycle with this code exists already."),
    "known_user": _l("There is no such user."),
    "committee_role": _l("This user does not hold the committee role (or is switched off)."),
    "quorum": _l("A committee needs at least as many members as the quorum (the chair included)."),
    "committee_locked": _l("A member who has scored a case not yet final stays on the committee."),
    "cycle_not_ready": _l("Some cases of the cycle are not in deliberation yet: see what blocks the decision."),
    "quorum_not_met": _l("A case lacks the quorum of committee scores."),
    "no_annual_performance": _l("An applicant has no annual performance score to decide on; record one first."),
    "no_period_results": _l("An applicant lacks a period result the performance component averages; record it "
                            "first."),
    "nothing_to_publish": _l("The cycle has no decided case to publish."),
}


def refusal(code: str) -> str:
    return str(RULES.get(code, _l("This was refused: the cycle's state does not allow it now.")))


@bp.route("/cycles", methods=["GET", "POST"])
@signed_in
def cycle_list():
    actor, form = current_user(), NewCycleForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                with uow() as u:
                    cycles.create_cycle(u, rules(), actor, code=form.code.data, name=form.name.data)
            except Conflict as refused:
                form.code.errors.append(refusal(refused.code))
                status = 409
            else:
                flash(_("Cycle %(code)s opened. Now set its committee.", code=form.code.data), "info")
                return redirect(url_for("web.cycle_page", code=form.code.data))
    shown, total = cycles.list_cycles(uow(), page=1, per_page=CYCLES_SHOWN)
    return render_template("web/cycles.html", cycles=shown, total=total, form=form,
                           may_open=runs_cycles(actor)), status


@bp.get("/cycles/<cycle_code:code>")
@signed_in
def cycle_page(code):
    return _render(code)


def _render(code: str, committee_form: CommitteeForm | None = None, status: int = 200):
    overview = cycle_overview(uow(), rules(), current_user(), code)
    if committee_form is None:
        cycle = overview.cycle
        committee_form = CommitteeForm(formdata=None, chair=cycle.chair,
                                       members=", ".join(m for m in (overview.members or []) if m != cycle.chair))
    return render_template("web/cycle.html", overview=overview, cycle=overview.cycle,
                           committee_form=committee_form, action_form=CycleActionForm(),
                           may_appoint=runs_cycles(current_user()),
                           may_report=access.can_read_reports(current_user())), status


@bp.post("/cycles/<cycle_code:code>/committee")
@signed_in
def cycle_committee(code):
    form = CommitteeForm()
    if not form.validate_on_submit():
        return _render(code, form, 422)
    try:
        with uow() as u:
            cycles.set_committee(u, rules(), current_user(), code, chair=form.chair.data.strip(),
                                 members=form.usernames())
    except RuleViolation as refused:
        for error in refused.errors:
            if error.field == "chair":
                form.chair.errors.append(refusal(error.rule))
            else:  # the member the rule refuses, named: the field lists several
                form.members.errors.append(_("%(username)s: %(refusal)s", username=error.value,
                                             refusal=refusal(error.rule)) if error.value else refusal(error.rule))
        return _render(code, form, 422)
    except Conflict as refused:
        form.members.errors.append(refusal(refused.code))
        return _render(code, form, 409)
    flash(_("The committee is set."), "info")
    return redirect(url_for("web.cycle_page", code=code))


@bp.post("/cycles/<cycle_code:code>/decide")
@signed_in
def cycle_decide(code):
    if CycleActionForm().validate_on_submit():
        try:
            with uow() as u:
                decided = cycles.decide_cycle(u, rules(), current_user(), code)
        except Conflict as refused:
            flash(refusal(refused.code), "error")
        else:
            flash(ngettext("%(num)d case decided.", "%(num)d cases decided.", len(decided)), "info")
    return redirect(url_for("web.cycle_page", code=code) + "#result")


@bp.post("/cycles/<cycle_code:code>/publish")
@signed_in
def cycle_publish(code):
    if CycleActionForm().validate_on_submit():
        try:
            with uow() as u:
                published = cycles.publish_cycle(u, rules(), current_user(), code)
        except Conflict as refused:
            flash(refusal(refused.code), "error")
        else:
            flash(_("%(num)d cases published. Appeals may be filed until %(deadline)s.",
                    num=len(published["case_ids"]), deadline=deadline(published["appeal_deadline"])), "info")
    return redirect(url_for("web.cycle_page", code=code) + "#publication")
