"""Property-based: whatever sequence of events hits a manager, the ladder keeps the grade legal and
moves it exactly as its table of destinations says, under every shipped policy."""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.ladder import EVENTS, GradeChangeRefused, GradeLadder
from workflow.policy import BUILTIN_POLICIES, load_policy

LADDERS = {name: GradeLadder(load_policy(name).ladder) for name in BUILTIN_POLICIES}


@dataclass
class Holder:
    grade: str


def _attempts(ladder: GradeLadder):
    codes = ladder.policy.all_codes
    return st.lists(st.tuples(st.sampled_from(EVENTS), st.none() | st.sampled_from(codes)), max_size=30)


@pytest.mark.parametrize("name", LADDERS)
def test_every_event_sequence_keeps_the_grade_on_the_ladder_and_moves_only_as_allowed(name):
    ladder = LADDERS[name]

    @settings(max_examples=300, deadline=None)
    @given(start=st.sampled_from(ladder.policy.codes), attempts=_attempts(ladder))
    def run(start, attempts):
        holder = Holder(start)
        for event, target in attempts:
            before = holder.grade
            allowed = ladder.destinations(before, event)
            try:
                move = ladder.fire(holder, event, target=target)
            except GradeChangeRefused:
                assert holder.grade == before
                assert not allowed or (target is not None and target not in allowed)
                continue
            assert holder.grade in allowed and (move.from_grade, move.to_grade) == (before, holder.grade)
            assert target is None or holder.grade == target
            rank_change = ladder.policy.rank(holder.grade) - ladder.policy.rank(before)
            if event == "demote":
                assert -ladder.policy.demotion_steps <= rank_change <= -1
            elif event in ("promote", "confirm", "advance"):
                assert 1 <= rank_change <= ladder.policy.promotion_steps
            elif event == "exceptional_promote":
                assert 1 <= rank_change <= ladder.policy.exceptional_steps
            else:
                assert ladder.policy.is_exited(holder.grade)
        assert holder.grade in ladder.policy.all_codes

    run()


@pytest.mark.parametrize("name", LADDERS)
def test_once_exited_no_event_moves_a_manager(name):
    ladder = LADDERS[name]
    assert ladder.available_events(ladder.policy.exited.code) == ()
