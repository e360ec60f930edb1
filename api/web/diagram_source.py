"""The workflow diagram's source: the case machine's moves (workflow/case_machine.py MOVES) as a mermaid
stateDiagram. A pure function of the definitions and of the names to show them by (no Flask, no database, no
policy), so that a test holds every move to the drawing; the page (diagram.py) passes the live definitions and
the names in the user's language."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

# characters mermaid reads as syntax in a label; a label never needs them
_SYNTAX = str.maketrans({c: " " for c in ':;"#<>{}[]|`\n\r'})
HIGHLIGHT_CLASS = "current"


def node(state: str) -> str:
    """The diagram's id of a state (prefixed: a state named like one of mermaid's words stays a state)."""
    return f"s_{state}"


def label(text: str) -> str:
    return " ".join(str(text).translate(_SYNTAX).split())


def mermaid_source(moves: Iterable, initial: Mapping[str, str], terminal: Iterable[str], *,
                   state_name: Callable[[str], str], edge_name: Callable[[object], str],
                   highlight: str | None = None) -> str:
    """`moves`: objects with event, sources, dest (case_machine.Move); `initial`: kind → first state;
    `terminal`: the final states; `edge_name(move)`: the label of a move's arrows; `highlight`: a state drawn
    apart (ignored unless it is in the diagram)."""
    moves = list(moves)
    states = list(dict.fromkeys([*initial.values(), *(s for m in moves for s in (*m.sources, m.dest)), *terminal]))
    lines = ["stateDiagram-v2"]
    lines += [f'    state "{label(state_name(s))}" as {node(s)}' for s in states]
    lines += [f"    [*] --> {node(s)}" for s in dict.fromkeys(initial.values())]
    for move in moves:
        lines += [f"    {node(source)} --> {node(move.dest)} : {label(edge_name(move))}" for source in move.sources]
    lines += [f"    {node(s)} --> [*]" for s in terminal]
    if highlight in states:
        lines.append(f"    classDef {HIGHLIGHT_CLASS} fill:#ffe08a,stroke:#8a4b00,stroke-width:3px,font-weight:bold")
        lines.append(f"    class {node(highlight)} {HIGHLIGHT_CLASS}")
    return "\n".join(lines) + "\n"
