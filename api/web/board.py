"""The publication board (公示) of each cycle, for everyone signed in, printable (a print stylesheet):

    /board                  the cycles whose decisions have been published
    /cycles/<code>/board    a cycle's published cases with their outcome and the appeal deadline

The same read as the API's GET /api/v1/cycles/<code>/publication (cycles.publication_board): scores only where
the policy shows them, an overturned case without an outcome until it is published again."""
from __future__ import annotations

from flask import render_template

from api.context import rules, uow
from api.web.blueprint import bp
from api.web.session import signed_in
from workflow.services import cycles
from workflow.services.governing import rules_for_cycle

CYCLES_LISTED = 100


@bp.get("/board")
@signed_in
def boards():
    listed, _total = cycles.list_cycles(uow(), page=1, per_page=CYCLES_LISTED)
    return render_template("web/boards.html", cycles=[c for c in listed if c.first_published_at is not None])


@bp.get("/cycles/<cycle_code:code>/board")
@signed_in
def board(code: str):
    shown = cycles.publication_board(uow(), rules(), code)
    cycle = cycles.get_cycle(uow(), code)  # the same row, from the session: no second query
    return render_template("web/board.html", board=shown, cycle=cycle, show_scores=shown["show_scores"],
                           appeal_days=rules_for_cycle(uow(), rules(), cycle).policy.appeal_window_working_days)
