"""The substitutes page (/substitutes): a supervisor's or committee member's own delegations (the substitutes they
named, and those they are named for) with the form to name one; hr sees every delegation, names substitutes for
anyone, and sees the cases escalated past an absent supervisor. The reads and changes are the JSON API's
(workflow/services/delegations.py); the refusals are shown next to their field in the user's language."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import InputRequired

from api.context import rules, uow
from api.web.blueprint import bp
from api.web.choices import options
from api.web.i18n import day
from api.web.labels import DELEGATION_SCOPES
from api.web.session import current_user, signed_in
from workflow.accounts import HR
from workflow.delegations import MAX_DAYS
from workflow.errors import Conflict, RuleViolation
from workflow.services import delegations
from workflow.services.case_reads import list_cases

SHOWN = 200
FIELDS = ("principal", "substitute", "scope", "starts_on", "ends_on")  # the service's names, the form's too
ENTER_A_DATE = _l("Enter a date, such as 2026-10-10.")


class DelegationForm(FlaskForm):
    principal = SelectField(_l("Absent person"), validate_choice=False)
    substitute = SelectField(_l("Substitute"), validate_choice=False)
    scope = SelectField(_l("Acts as"), choices=options(DELEGATION_SCOPES), validate_choice=False)
    starts_on = DateField(_l("First day"), validators=[InputRequired(ENTER_A_DATE)], invalid_value_message=ENTER_A_DATE)
    ends_on = DateField(_l("Last day"), validators=[InputRequired(ENTER_A_DATE)], invalid_value_message=ENTER_A_DATE)

    def show_refusals(self, errors) -> None:
        for error in errors:
            self._show(error.field, _message(error.rule))

    def show_conflict(self, refused: Conflict) -> None:
        self._show(refused.extra.get("field"), _message(refused.code))

    def _show(self, field: str | None, message: str) -> None:
        (getattr(self, field).errors if field in FIELDS else self.form_errors).append(message)


class CancelForm(FlaskForm):
    """A CSRF token only: the delegation is the URL's."""


def _message(rule: str) -> str:
    messages = {
        "known_user": lambda: _("Choose an account that is switched on."),
        "not_self": lambda: _("Nobody substitutes for themselves: choose someone else."),
        "delegation_scope": lambda: _("Choose among the kinds of work shown."),
        "scope_role": lambda: _("Both people must hold the role of this work (supervisor, committee member, or "
                                "both)."),
        "ends_after_start": lambda: _("The last day comes on or after the first day."),
        "max_days": lambda: _("A substitute is named for at most %(days)d days.", days=MAX_DAYS),
        "not_in_past": lambda: _("A substitute is named for days to come: the last day is today or later."),
        "delegation_overlap": lambda: _("This person already has a substitute for this work on some of these days: "
                                        "cancel that one first."),
    }
    return messages.get(rule, lambda: _("This value is not accepted."))()


def _render(form: DelegationForm, status: int = 200):
    actor, store = current_user(), uow()
    people = delegations.people_to_name(store, actor)  # 403 for those who name no substitute
    shown, total = delegations.list_delegations(store, rules(), actor, page=1, per_page=SHOWN)
    names = {p.username: p.name for p in people}
    people_options = options({p.username: f"{p.name} ({p.username})" if p.name else p.username for p in people},
                             empty=_("Choose…"))
    form.substitute.choices = form.principal.choices = people_options
    escalated = list_cases(store, rules(), actor, page=1, per_page=SHOWN, escalated=True)[0] if actor.has(HR) else []
    return render_template("web/substitutes.html", form=form, delegations=shown, total=total, names=names,
                           is_hr=actor.has(HR), escalated=escalated, cancel=CancelForm(formdata=None)), status


@bp.get("/substitutes")
@signed_in
def substitutes():
    return _render(DelegationForm(formdata=None))


@bp.post("/substitutes")
@signed_in
def name_substitute():
    actor = current_user()
    form = DelegationForm()
    if not form.validate_on_submit():
        return _render(form, 422)
    if actor.has(HR) and not form.principal.data:  # hr names a substitute for someone: whom
        form.principal.errors.append(_("Choose the absent person."))
        return _render(form, 422)
    try:
        with uow() as u:
            made = delegations.create_delegation(
                u, rules(), actor, substitute=form.substitute.data or "", scope=form.scope.data or "",
                starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                principal=form.principal.data if actor.has(HR) else None)
    except RuleViolation as refused:
        form.show_refusals(refused.errors)
        return _render(form, 422)
    except Conflict as refused:
        form.show_conflict(refused)
        return _render(form, 409)
    flash(_("%(substitute)s acts for %(principal)s from %(first)s to %(last)s.", substitute=made.substitute,
            principal=made.principal, first=day(made.starts_on), last=day(made.ends_on)), "info")
    return redirect(url_for("web.substitutes"))


@bp.post("/substitutes/<int(max=2147483647):delegation_id>/cancel")
@signed_in
def cancel_substitute(delegation_id: int):
    if not CancelForm().validate_on_submit():
        flash(_("The form expired: reload the page and try again."), "error")
        return redirect(url_for("web.substitutes"))
    try:
        with uow() as u:
            delegations.cancel_delegation(u, rules(), current_user(), delegation_id)
    except Conflict:
        flash(_("This delegation has ended already: it stays as it was."), "error")
        return redirect(url_for("web.substitutes"))
    except RuleViolation:  # pragma: no cover - cancelling takes no input
        abort(400)
    flash(_("The delegation is cancelled from now on."), "info")
    return redirect(url_for("web.substitutes"))
