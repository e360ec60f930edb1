"""One event applied to the cases ticked on "my work" (issue 16, point 3): each case by the single-case use case in
a transaction of its own (workflow/services/bulk.py fire_events, as POST /api/v1/cases/events does it), sent with
the version the page showed, so that a case that moved meanwhile is refused as changed instead of being acted on
twice. The answer is a table with a line per case, read once all are done: done (and its state now), or refused
and why, in the user's language (api/web/refusals.py), and the state it is in now."""
from __future__ import annotations

from flask import render_template, request

from api.context import own_transaction_uow, rules, uow
from api.web.blueprint import bp
from api.web.bulk_form import BulkForm
from api.web.refusals import refusal_words
from api.web.session import current_user, signed_in
from api.web.work import render_my_work
from workflow.services import bulk
from workflow.services.case_reads import cases_by_id


def _version(case_id: int) -> int | None:
    """The version the page showed of a ticked case (v<id>), if it sent a sound one."""
    sent = request.form.get(f"v{case_id}", "")
    return int(sent) if sent.isascii() and sent.isdigit() else None


def _given(text: str | None) -> str | None:
    return (text or "").strip() or None


@bp.post("/work/bulk")
@signed_in
def apply_to_selected():
    form = BulkForm()
    if not form.validate_on_submit():
        return render_my_work(form, 422)
    actor = current_user()
    targets = [bulk.CaseRequest(case_id, _version(case_id)) for case_id in dict.fromkeys(form.cases.data)]
    outcomes = bulk.fire_events(own_transaction_uow, rules(), actor, form.event.data, targets,
                                comment=_given(form.comment.data), reason=_given(form.reason.data))
    now = cases_by_id(uow(), rules(), actor, [outcome.case_id for outcome in outcomes])
    lines = [{"outcome": outcome, "case": now.get(outcome.case_id),
              "why": refusal_words(outcome.refusal) if outcome.refusal is not None else None}
             for outcome in outcomes]
    return render_template("web/bulk_results.html", event=form.event.data, lines=lines, counts=bulk.counts(outcomes))
