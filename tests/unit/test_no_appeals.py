"""A policy without appeals (issue 13, point 1: "whether publication and an appeal window apply"; seed 002:
公布晋级结果并立即生效): `publication: {appeals: false}`, the machine without the appeal, and what `policy check`
prints."""
from __future__ import annotations

import pytest
import yaml

from tests.support.policies import default_document
from workflow.case_machine import APPEALED, CaseMachine
from workflow.policy import PolicyError, parse_policy
from workflow.policy_summary import describe


def with_publication(publication: dict):
    document = default_document()
    document["publication"] = publication
    return document


def parsed(document: dict):
    return parse_policy(yaml.safe_dump(document, allow_unicode=True))


NO_APPEALS = parsed(with_publication({"show_scores": False, "appeals": False}))


def test_a_policy_without_appeals_has_no_window():
    assert (NO_APPEALS.appeals, NO_APPEALS.appeal_window_working_days) == (False, 0)
    assert parsed(default_document()).appeals is True


def test_a_policy_without_appeals_may_not_state_a_window():
    with pytest.raises(PolicyError) as caught:
        parsed(with_publication({"show_scores": False, "appeals": False, "appeal_window_working_days": 3}))
    assert [(p.key, p.problem) for p in caught.value.problems] == [
        ("publication.appeal_window_working_days", "a policy without appeals (appeals: false) has no window")]


def test_a_policy_with_appeals_states_its_window():
    with pytest.raises(PolicyError) as caught:
        parsed(with_publication({"show_scores": False}))
    assert [p.key for p in caught.value.problems] == ["publication.appeal_window_working_days"]


def test_the_machine_without_appeals_has_no_appeal_to_draw():
    moves = CaseMachine(NO_APPEALS).moves
    assert not [m for m in moves if m.event in ("appeal", "uphold", "overturn") or APPEALED in (m.dest, *m.sources)]
    assert [m.sources for m in moves if m.event == "finalize"] == [("published",), ("published",)]


def test_policy_check_says_decisions_take_effect_as_published_without_appeals():
    printed = "\n".join(describe(NO_APPEALS))
    assert "no appeals: effective as published" in printed and "appeal window" not in printed


def test_no_appeals_documented_example_prints_as_the_page_says():
    from tests.support.policies import documented_example
    lines, printed = documented_example("A publication without appeals", "Grading rules")
    assert printed and all(line in lines for line in printed)
