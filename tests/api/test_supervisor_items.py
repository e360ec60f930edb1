"""The supervisor's score made of items, over HTTP (issue 13, point 3: a case's score with sub-items of its own;
上级评价 by item). The policy is the default one with `scoring.supervisor_items`: 工作业绩 40, 工作能力 40, 工作态度 20
points. The supervisor scores each item, and the supervisor score, which weighs 30 % in the final score, is their
sum. The organisation and cycle are the standard ones (tests/support/world.py)."""
from __future__ import annotations

import pytest

from tests.support.answers import assert_problem, ok
from tests.support.reads import case_of
from tests.support.steps import apply, decide, event, hr_case, interview, review
from tests.support.world import BOSS, HR, candidate, organisation

ITEMS = [{"code": "performance", "label": "工作业绩", "points": 40},
         {"code": "ability", "label": "工作能力", "points": 40},
         {"code": "attitude", "label": "工作态度", "points": 20}]


@pytest.fixture
def by_items(build, tmp_path):
    from tests.support.driver import Driver
    from tests.support.policies import policy_file
    gf = Driver(build(GRADEFLOW_POLICY=policy_file(
        tmp_path, lambda document: document["scoring"].update(supervisor_items=ITEMS))))
    organisation(gf)
    candidate(gf, "E001", performance="80")
    return gf


def _review_by_items(gf, case_id: int, **items):
    return event(gf, case_id, "approve_materials", BOSS, supervisor_items=items)


def test_the_supervisor_score_is_the_sum_of_its_items(by_items):
    case_id = apply(by_items, "E001")
    reviewed = ok(_review_by_items(by_items, case_id, performance=35, ability="32.5", attitude=18))
    assert reviewed["supervisor_score"] == 85.5
    assert reviewed["supervisor_items"] == {"performance": 35, "ability": 32.5, "attitude": 18}
    entry = [e for e in ok(by_items.get(f"/cases/{case_id}/history", as_=HR)) if e["event"] == "approve_materials"]
    assert entry[0]["data"] == {"supervisor_score": "85.50",
                                "supervisor_items": {"performance": "35.00", "ability": "32.50", "attitude": "18.00"}}


def test_the_supervisor_items_enter_the_final_score_through_their_sum(by_items):
    case_id = apply(by_items, "E001")
    ok(_review_by_items(by_items, case_id, performance=35, ability="32.5", attitude=18))
    interview(by_items, case_id, 80)
    decided = decide(by_items)[case_id]
    assert decided["final_score"] == 81.65  # 0.3 × 85.5 + 0.4 × 80 + 0.3 × 80


def test_each_supervisor_item_is_checked_on_its_own_and_nothing_is_written(by_items):
    case_id = apply(by_items, "E001")
    before = case_of(by_items, case_id, as_=HR)
    body = assert_problem(_review_by_items(by_items, case_id, performance=45, ability="32.555", bonus=5),
                          422, "validation_error")
    assert sorted((e["field"], e["rule"]) for e in body["errors"]) == [
        ("supervisor_items.ability", "score_precision"), ("supervisor_items.attitude", "item_missing"),
        ("supervisor_items.bonus", "item_unknown"), ("supervisor_items.performance", "item_range")]
    after = case_of(by_items, case_id, as_=HR)
    assert (after["state"], after["version"], after["supervisor_score"]) == ("submitted", before["version"], None)


def test_a_supervisor_item_that_is_not_a_number_is_refused_naming_it(by_items):
    case_id = apply(by_items, "E001")
    body = assert_problem(_review_by_items(by_items, case_id, performance="abc", ability=30, attitude=15),
                          422, "validation_error")
    assert [e["field"] for e in body["errors"]] == ["supervisor_items.performance"]


def test_a_typed_supervisor_score_is_refused_where_the_policy_scores_items(by_items):
    case_id = apply(by_items, "E001")
    body = assert_problem(event(by_items, case_id, "approve_materials", BOSS, supervisor_score=85), 422,
                          "validation_error")
    assert sorted((e["field"], e["rule"]) for e in body["errors"]) == [
        ("supervisor_items", "required"), ("supervisor_score", "score_from_items")]


def test_supervisor_items_are_refused_where_the_policy_scores_one_number(gf):
    organisation(gf)
    candidate(gf, "E001", performance="80")
    case_id = apply(gf, "E001")
    assert_problem(_review_by_items(gf, case_id, performance=35), 422, "validation_error",
                   field="supervisor_items", rule="no_items")


def test_supervisor_items_are_refused_with_an_event_that_gives_no_score(by_items):
    case_id = apply(by_items, "E001")
    assert_problem(event(by_items, case_id, "return_materials", BOSS, comment="补充材料",
                         supervisor_items={"performance": 35}),
                   422, "validation_error", field="supervisor_items", rule="not_for_event")


def test_a_probation_confirmation_is_scored_by_items_too(by_items):
    from datetime import date
    by_items.manager("P001", "probation", supervisor="S900", grade_since=date(2026, 5, 1), login=True)
    case_id = hr_case(by_items, "probation_confirmation", "P001")["id"]
    decided = ok(event(by_items, case_id, "pass_probation", BOSS,
                       supervisor_items={"performance": 30, "ability": 30, "attitude": 15}))
    assert (decided["state"], decided["supervisor_score"]) == ("decided", 75)
    assert decided["supervisor_items"] == {"performance": 30, "ability": 30, "attitude": 15}
    entry = ok(by_items.get(f"/cases/{case_id}/history", as_=HR))[-1]
    assert (entry["event"], entry["data"]["outcome"]) == ("pass_probation", "approved")
    assert entry["data"]["supervisor_items"] == {"performance": "30.00", "ability": "30.00", "attitude": "15.00"}


def test_the_supervisor_items_are_hidden_like_the_supervisor_score(by_items):
    case_id = apply(by_items, "E001")
    ok(_review_by_items(by_items, case_id, performance=35, ability=32, attitude=18))
    assert case_of(by_items, case_id, as_="e001")["supervisor_items"] is None
    assert case_of(by_items, case_id, as_=BOSS)["supervisor_items"] == {"performance": 35, "ability": 32,
                                                                        "attitude": 18}
    history = ok(by_items.get(f"/cases/{case_id}/history", as_="e001"))
    assert all("supervisor_items" not in e["data"] for e in history)


def test_a_case_reviewed_under_the_default_policy_has_no_supervisor_items(gf):
    organisation(gf)
    candidate(gf, "E001", performance="80")
    case_id = apply(gf, "E001")
    assert review(gf, case_id, 80)["supervisor_items"] is None
