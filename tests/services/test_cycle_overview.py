"""A cycle as hr sees it on its page (cycle_reads.cycle_overview): where each case stands and who it waits
on, what blocks the decision (the same cases decide_cycle's refusal names), whether the caller may decide or
publish now, and the ranked result with the pass mark."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from tests.services.conftest import CYCLE, SHANGHAI
from workflow.errors import Conflict, NotFound
from workflow.services.cycle_reads import cycle_overview
from workflow.services.cycles import decide_cycle


def overview(unit_of_work, rules, actor, code=CYCLE):
    with unit_of_work() as uow:
        return cycle_overview(uow, rules, actor, code)


def test_a_case_in_interview_blocks_the_decision_with_the_shortfall_the_refusal_names(unit_of_work, rules,
                                                                                      organisation, steps, use_case):
    case_id = steps.apply()
    steps.review(case_id)
    seen = overview(unit_of_work, rules, organisation.hr)
    assert [item.case.id for item in seen.blocking] == [case_id]
    item = seen.blocking[0]
    assert item.case.state == "interview"
    assert set(item.waiting_on) == {"chair1", "member2", "member3"}
    with pytest.raises(Conflict) as refused:
        use_case(decide_cycle, organisation.hr, CYCLE)
    assert refused.value.extra["blocking_cases"][0]["detail"] == item.shortfall
    assert not seen.may_decide and not seen.may_publish
    assert seen.members == ["chair1", "member2", "member3"]


def test_deliberation_may_be_decided_by_hr_and_the_chair_not_by_a_member(unit_of_work, rules, organisation, steps):
    case_id = steps.apply()
    steps.review(case_id)
    steps.interview(case_id)
    assert overview(unit_of_work, rules, organisation.hr).may_decide
    chair = overview(unit_of_work, rules, organisation.chair)
    assert chair.may_decide and chair.cases[0].waiting_on == ("chair1",)
    assert not overview(unit_of_work, rules, organisation.committee[1]).may_decide


def test_once_decided_the_ranked_result_shows_and_hr_may_publish(unit_of_work, rules, organisation, steps):
    case_id = steps.apply()
    steps.review(case_id)
    steps.interview(case_id)
    steps.decide(datetime(2026, 9, 2, 10, 0, tzinfo=SHANGHAI))
    seen = overview(unit_of_work, rules, organisation.hr)
    assert [(item.case.id, item.case.rank, item.case.outcome) for item in seen.ranked] == [(case_id, 1, "approved")]
    assert seen.pass_mark == Decimal("60")
    assert seen.may_publish and not seen.may_decide
    assert not overview(unit_of_work, rules, organisation.chair).may_publish  # hr publishes


def test_an_applicant_sees_only_their_own_case_and_not_the_committee(unit_of_work, rules, organisation, steps):
    steps.apply()
    seen = overview(unit_of_work, rules, organisation.applicant)
    assert [item.case.employee_no for item in seen.cases] == ["SH01"]
    assert seen.members is None and not seen.may_decide


def test_an_unknown_cycle_is_not_found(unit_of_work, rules, organisation):
    with pytest.raises(NotFound):
        overview(unit_of_work, rules, organisation.hr, "NOPE")
