"""The start page: what waits on the signed-in user, most urgent first, each with its case, what to do, the
working day by which to do it and whether it is overdue (workflow/services/case_reads.py cases_waiting_on), and a
link to the page where the user does it, chosen from what available_events offers them; then where the user's
own open cases stand (an applicant whose application waits on others sees it here, not only under "Apply").
Where cases waiting on the user offer events fired in bulk (hr publishing decided probation confirmations, say),
their rows can be ticked and one event applied to them all (api/web/bulk_work.py)."""
from __future__ import annotations

from flask import render_template, url_for

from api.context import rules, uow
from api.web.blueprint import bp
from api.web.bulk_form import BulkForm, bulk_events, offered_in_bulk
from api.web.session import current_user, signed_in
from workflow import case_machine as m
from workflow.services.applicant_reads import MY_CASES_SHOWN
from workflow.services.case_reads import cases_waiting_on, list_cases
from workflow.services.review_reads import REVIEW_EVENTS

_APPEAL_EVENTS = {"uphold", "overturn"}
_SINGLE_CASE_EVENTS = {"approve", "deny", "publish"}  # a case decided or published on its own page


def action_page(case) -> str:
    """The page where the caller does what a waiting case asks of them (the case page when no other fits)."""
    offered = set(case.available_events)
    if offered & set(REVIEW_EVENTS):
        return url_for("web.review_case", case_id=case.id)
    if case.cycle and case.state == m.INTERVIEW:
        return url_for("web.scoring_sheet", code=case.cycle, _anchor=f"case-{case.id}")
    if offered & _APPEAL_EVENTS:
        return url_for("web.appeals")
    if case.cycle and case.state in (m.DELIBERATION, m.DECIDED) and not offered & _SINGLE_CASE_EVENTS:
        return url_for("web.cycle_page", code=case.cycle)
    return url_for("web.case", case_id=case.id)


@bp.get("/")
@signed_in
def my_work():
    return render_my_work(BulkForm(formdata=None))


def render_my_work(bulk_form: BulkForm, status: int = 200):
    actor, store = current_user(), uow()
    mine, _total = list_cases(store, rules(), actor, page=1, per_page=MY_CASES_SHOWN, mine=True, open_only=True)
    waiting = cases_waiting_on(store, rules(), actor)
    return render_template("web/my_work.html", waiting=waiting, my_open_cases=mine, action_page=action_page,
                           bulk=bulk_form, bulk_events=bulk_events(item.case for item in waiting),
                           offered_in_bulk=offered_in_bulk), status
