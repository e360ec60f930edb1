"""The workflow diagram: every state and event of the live case machine under the policy in force
(workflow/case_machine.py CaseMachine.moves, WHO, INITIAL_STATE) and who fires each event, drawn by the vendored mermaid in the user's language, with
?state=<state> drawn apart (a case's page links here with its state); beside it the same moves as a table, for
screen readers and printing."""
from __future__ import annotations

from flask import render_template, request

from api.context import rules
from api.web import labels
from api.web.blueprint import bp
from api.web.diagram_source import mermaid_source
from api.web.i18n import parenthesized
from api.web.session import signed_in
from workflow import case_machine as m


def who_fires(event: str) -> list[str]:
    return sorted(m.WHO[event])


def _edge_name(move: m.Move) -> str:
    return f"{labels.event(move.event)} {parenthesized('/'.join(labels.party(p) for p in who_fires(move.event)))}"


@bp.get("/workflow")
@signed_in
def workflow_diagram():
    highlight = request.args.get("state")
    highlight = highlight if highlight in m.STATES else None
    moves = rules().cases.moves  # those of the policy in force
    source = mermaid_source(moves, m.INITIAL_STATE, m.TERMINAL_STATES, state_name=labels.state,
                            edge_name=_edge_name, highlight=highlight)
    starts = {state: [kind for kind, first in m.INITIAL_STATE.items() if first == state]
              for state in dict.fromkeys(m.INITIAL_STATE.values())}
    return render_template("web/workflow.html", source=source, moves=moves, who_fires=who_fires,
                           highlight=highlight, starts=starts, terminal=m.TERMINAL_STATES, all_kinds=m.KINDS)
