"""HR's quarter close (/quarter-close?period=2026Q3, 按季评价), or the close of the months, half-years or years
the policy closes instead or besides (each close of its own kind; the page shows one period, with links to the
latest ended period of each other kind): what closing the period will do, per manager, read without writing
(workflow/services/quarter_close_reads.py close_preview: the rule of workflow/quarter_close.py on the period's
records, and the policy's grading rules of workflow/grading_rules.py: each move with its rule and evidence), then the
close itself through the service the JSON API calls (workflow/services/evaluations.py close_quarter), which a repeat
answers with the recorded close (the cases it opened, the managers it suspended or reinstated). A malformed period,
one of another kind than the policy closes, or one not over yet is told next to the period field."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from api.context import rules, uow
from api.web.blueprint import bp
from api.web.i18n import period as period_name
from api.web.labels import CloseWords, close_words
from api.web.session import current_user, signed_in
from workflow.errors import Conflict, RuleViolation
from workflow.periods import Period
from workflow.services.evaluations import close_quarter
from workflow.quarter_close import KEPT
from workflow.services.quarter_close_reads import close_results, default_period


class PeriodForm(FlaskForm):
    period = StringField(_l("Period"), validators=[Length(max=16, message=_l("At most %(max)d characters.",
                                                                              max=16))])

    class Meta:
        csrf = False  # the preview is a GET


class CloseForm(FlaskForm):
    period = StringField(validators=[Length(max=16)])


def _period_message(rule: str, words: CloseWords) -> str:
    if rule.endswith("_only"):  # quarter_only, month_or_quarter_only, ...: a kind of period the policy does not close
        return " ".join(_("%(title)s is for a %(kind)s, such as %(example)s.", title=w.title, kind=w.kind,
                          example=w.example) for w in map(close_words, rules().policy.closed_kinds))
    return {
        "period_format": " ".join(_("Enter a %(kind)s such as %(example)s.", kind=w.kind, example=w.example)
                                  for w in map(close_words, rules().policy.closed_kinds)),
        "period_not_over": _("This %(kind)s is not over yet: it can be closed from the day after its last day.",
                             kind=words.kind),
        "concurrent_update": _("The %(kind)s was being closed at the same moment: reload the page to see the "
                               "result.", kind=words.kind),
    }.get(rule, _("This value is not accepted."))


def _kind_of(period: str) -> str | None:
    """The kind of period typed, where the policy closes that kind (None: the first close's words apply)."""
    try:
        kind = Period.parse(period).kind
    except ValueError:
        return None
    return kind if kind in rules().policy.closed_kinds else None


def _render(period: str, *, close_errors: list[str] | None = None, status: int = 200):
    shown = _kind_of(period) or rules().policy.closed_kinds[0]
    words = close_words(shown)
    form = PeriodForm(formdata=None, period=period)
    preview, results = None, []
    try:
        preview, results = close_results(uow(), rules(), current_user(), period)  # hr only: others get the 403 page
    except RuleViolation as refused:
        form.period.errors = [_period_message(e.rule, words) for e in refused.errors]
        status = 422 if status == 200 else status
    others = [(close_words(kind), default_period(rules(), kind)) for kind in rules().policy.closed_kinds
              if close_words(kind) != words]
    names = {r.employee_no: r.name for r in results}
    moved = [r for r in results if r.recorded and r.outcome != KEPT]  # those the recorded close did something to
    return render_template("web/quarter_close.html", form=form, preview=preview, close_errors=close_errors or [],
                           names=names, moved=moved,
                           close_form=CloseForm(formdata=None, period=period), words=words,
                           other_closes=others, close=rules().policy.close_of(shown)), status


@bp.get("/quarter-close")
@signed_in
def quarter_close():
    period = (request.args.get("period") or "").strip()[:16] or default_period(rules())
    return _render(period)


@bp.post("/quarter-close")
@signed_in
def run_quarter_close():
    form = CloseForm()
    period = (form.period.data or "").strip()[:16]
    if not form.validate_on_submit():
        return _render(period, close_errors=[_("This value is not accepted.")], status=422)
    try:
        summary = close_quarter(uow, rules(), current_user(), period)
    except RuleViolation as refused:
        words = close_words(_kind_of(period))
        return _render(period, close_errors=[_period_message(e.rule, words) for e in refused.errors], status=422)
    except Conflict as refused:
        return _render(period, close_errors=[_period_message(refused.code, close_words(_kind_of(period)))],
                       status=409)
    opened = sum(len(summary[cases]) for cases in ("demotion_cases", "advancement_cases", "exit_cases"))
    flash(_("%(period)s is closed: %(evaluated)d managers evaluated, %(cases)d cases opened, %(moved)d grades changed "
            "at the close.", period=period_name(summary["period"]), evaluated=summary["evaluated"], cases=opened,
            moved=len(summary["moved_cases"])), "info")
    return redirect(url_for("web.quarter_close", period=summary["period"]))
