"""The workflow diagram is drawn from the live case machine: every move of workflow/case_machine.py appears as
an arrow (whatever the policy: the machine's moves are the same for every policy), every state as a node, a
highlighted state is drawn apart, and the page shows it in the user's language beside a table of the moves."""
from __future__ import annotations

import pytest

from api.web.diagram_source import label, mermaid_source, node
from tests.support.world import BOSS, organisation
from tests.web.visitor import text
from workflow import case_machine as m


def _source(highlight=None) -> str:
    return mermaid_source(m.MOVES, m.INITIAL_STATE, m.TERMINAL_STATES, state_name=str,
                          edge_name=lambda move: move.event, highlight=highlight)


def test_every_move_of_the_case_machine_is_an_arrow_of_the_diagram():
    lines = _source().splitlines()
    assert lines[0] == "stateDiagram-v2"
    for move in m.MOVES:
        for source in move.sources:
            assert f"    {node(source)} --> {node(move.dest)} : {move.event}" in lines, (move, source)
    arrows = [line for line in lines if " : " in line and "-->" in line]
    assert len(arrows) == sum(len(move.sources) for move in m.MOVES)


def test_every_state_is_a_node_with_its_name_and_the_ends_are_marked():
    lines = _source().splitlines()
    for state in m.STATES:
        assert f'    state "{state}" as {node(state)}' in lines
    for first in set(m.INITIAL_STATE.values()):
        assert f"    [*] --> {node(first)}" in lines
    for final in m.TERMINAL_STATES:
        assert f"    {node(final)} --> [*]" in lines


def test_a_highlighted_state_is_drawn_apart_and_an_unknown_one_is_ignored():
    assert f"class {node(m.INTERVIEW)} current" in _source(highlight=m.INTERVIEW)
    assert "classDef" not in _source(highlight="no_such_state")
    assert "classDef" not in _source()


def test_a_label_carries_none_of_mermaids_syntax():
    assert label('a: b; "c" #d <e> {f} [g]\nh') == "a b c d e f g h"


@pytest.fixture
def supervisor(gf, visit):
    organisation(gf)
    visitor = visit()
    visitor.sign_in(BOSS)
    return visitor


def test_the_page_draws_the_live_machine_in_chinese_with_the_state_highlighted(supervisor):
    page = supervisor.get("/workflow?state=interview")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "class s_interview current" in body
    assert "s_submitted --&gt; s_interview : 材料审核通过 （直接上级）" in body
    assert "mermaid-12.3.0/mermaid.min.js" in body
    shown = text(page)
    assert "案件的流程" in shown and "突出显示：面试评分" in shown
    rows = body.split("<tbody>")[1].count("<tr")
    # the default policy has no stages of its own, and has the interview: no move into or out of a stage (of any
    # kind), none past the interview; every other move is a row
    staged_or_past_the_interview = [move for move in m.MOVES if m.IN_STAGE == move.dest or move.sources == (m.IN_STAGE,)
                                    or move.when in ("straight_to_decision", "decision_next")]
    assert rows == len(m.MOVES) - len(staged_or_past_the_interview) > 0


def test_the_page_ignores_an_unknown_or_hostile_state(supervisor):
    page = supervisor.get('/workflow?state=%3Cscript%3Ealert(1)%3C/script%3E')
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "<script>alert" not in body and "classDef" not in body


def test_the_page_in_english(supervisor):
    supervisor.choose("en", "/workflow")
    shown = text(supervisor.get("/workflow"))
    assert "The workflow of a case" in shown and "Approve the materials (the direct supervisor)" in shown


def test_the_page_asks_for_sign_in(visit):
    assert visit().get("/workflow").status_code == 302


def test_every_party_and_condition_of_the_machine_has_a_label():
    from api.web import labels
    assert set(labels.PARTIES) == set().union(*m.WHO.values())
    assert set(labels.CONDITIONS) == {move.when for move in m.MOVES if move.when}
