"""A committee member's whole scoring sheet of a cycle in one form (issue 16, point 3): a row per candidate in the
interview, with the member's score and comment; sent at once, each row with a score is recorded as the single
scoring form records it (committee.put_score, through workflow/services/bulk.py score_sheet: recusal, the scale,
the interview's state and its automatic end alike), each in a transaction of its own, against the version the page
showed. A row left empty, or as the page showed it, is left alone. What cannot be read as a score is named next to its
field and nothing is sent; what the rules refuse is named next to its row's field, and the other rows are saved."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf import FlaskForm

from api.context import own_transaction_uow, rules, uow
from api.web.blueprint import bp
from api.web.form_errors import score_value
from api.web.i18n import number
from api.web.refusals import refusal_words
from api.web.scoring import CASES_SHOWN, COMMENT_LENGTH, committee_cycle, cycle_scoring
from api.web.session import current_user, signed_in
from workflow.case_machine import INTERVIEW
from workflow.errors import RuleViolation
from workflow.services import bulk
from workflow.services.case_reads import list_cases


class SheetForm(FlaskForm):
    """The rows are named by case (score-7, comment-7, version-7): their number follows the cycle, not the form."""


def _rows(code: str, typed: dict[int, dict] | None = None, errors: dict[int, dict] | None = None) -> list[dict]:
    """A row per candidate in the interview: the case, what the fields hold (what was typed, else the member's
    score now) and the errors by field."""
    cases, _total = list_cases(uow(), rules(), current_user(), page=1, per_page=CASES_SHOWN, cycle=code,
                               state=INTERVIEW)
    rows = []
    for case in cases:
        mine = number(case.interview["my_score"]) if case.interview else ""  # as the scoring sheet shows it
        shown = (typed or {}).get(case.id) or {"score": mine, "comment": ""}
        rows.append({"case": case, "recused": bool(case.interview and case.interview["recused"]),
                     "was": mine, "score": shown["score"], "comment": shown["comment"],
                     "errors": (errors or {}).get(case.id, {})})
    return rows


def _render(code: str, form: SheetForm, rows: list[dict], status: int = 200):
    cycle = committee_cycle(code)
    return render_template("web/score_sheet.html", cycle=cycle, form=form, rows=rows,
                           scale=cycle_scoring(cycle).scale), status


@bp.get("/cycles/<cycle_code:code>/scoring/sheet")
@signed_in
def whole_sheet(code: str):
    committee_cycle(code)
    return _render(code, SheetForm(), _rows(code))


def _read(code: str) -> tuple[list[bulk.SheetRow], dict[int, dict], dict[int, dict]]:
    """(the rows to record, what was typed in each row, the errors of rows that cannot be sent)."""
    typed, errors, sheet = {}, {}, []
    for case_id in _case_ids_posted():
        score_text = request.form.get(f"score-{case_id}", "").strip()
        comment = request.form.get(f"comment-{case_id}", "").strip()
        version = request.form.get(f"version-{case_id}", "")
        typed[case_id] = {"score": score_text, "comment": comment}
        if score_text == request.form.get(f"was-{case_id}", "").strip() and not comment:
            continue  # left as the page showed it: a score given before is not given again
        row_errors = {}
        try:
            score = score_value(score_text)
        except ValueError as unreadable:
            row_errors["score"] = str(unreadable)
            score = None
        if score is None and comment and "score" not in row_errors:
            row_errors["score"] = _("Enter your score.")
        if len(comment) > COMMENT_LENGTH:
            row_errors["comment"] = _("A comment has at most %(max)d characters.", max=COMMENT_LENGTH)
        if not (version.isascii() and version.isdigit()):
            row_errors["row"] = _("The form has lost the case's version: reload the page.")
        if row_errors:
            errors[case_id] = row_errors
        elif score is not None:
            sheet.append(bulk.SheetRow(case_id, score, comment or None, int(version)))
    return sheet, typed, errors


def _case_ids_posted() -> list[int]:
    ids = []
    for name in request.form:
        prefix, _sep, number = name.partition("-")
        if prefix == "version" and number.isascii() and number.isdigit() and len(number) < 10:
            ids.append(int(number))
    return ids[:bulk.MAX_CASES]


@bp.post("/cycles/<cycle_code:code>/scoring/sheet")
@signed_in
def save_whole_sheet(code: str):
    cycle, form = committee_cycle(code), SheetForm()
    if not form.validate_on_submit():
        return _render(code, form, _rows(code), 400)
    sheet, typed, errors = _read(code)
    if errors:
        return _render(code, form, _rows(code, typed, errors), 422)
    if not sheet:
        form.form_errors.append(_("Enter at least one score."))
        return _render(code, form, _rows(code, typed), 422)
    outcomes = bulk.score_sheet(own_transaction_uow, rules(), current_user(), code, sheet)
    scoring = cycle_scoring(cycle)
    for outcome in outcomes:
        if outcome.refusal is not None:
            field = "score" if isinstance(outcome.refusal, RuleViolation) else "row"
            errors[outcome.case_id] = {field: refusal_words(outcome.refusal, scoring)}
    saved = bulk.counts(outcomes)[bulk.DONE]
    if saved:
        flash(ngettext("%(num)d score saved.", "%(num)d scores saved.", saved), "info")
    if not errors:
        return redirect(url_for("web.whole_sheet", code=code))
    kept = {case_id: row for case_id, row in typed.items() if case_id in errors}  # the saved rows show as saved
    return _render(code, form, _rows(code, kept, errors), 422)
