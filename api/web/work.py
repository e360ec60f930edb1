"""The start page: what waits on the signed-in user, most urgent first, each with its case, what to do, the
working day by which to do it and whether it is overdue (workflow/services/case_reads.py cases_waiting_on)."""
from __future__ import annotations

from flask import render_template

from api.context import rules, uow
from api.web.blueprint import bp
from api.web.session import current_user, signed_in
from workflow.services.case_reads import cases_waiting_on


@bp.get("/")
@signed_in
def my_work():
    return render_template("web/my_work.html", waiting=cases_waiting_on(uow(), rules(), current_user()))
