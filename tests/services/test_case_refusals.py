"""What the case services refuse, and that a refused use case leaves nothing behind: the refusals are the
exceptions of workflow.errors, raised by the services themselves (the API only turns them into problem
details). The organisation and the steps of SH01's promotion are those of conftest.py."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from models.unit_of_work import unit_of_work_factory
from workflow.errors import Conflict, Forbidden, NotEligible, RuleViolation
from workflow.services.appeals import file_appeal
from workflow.services.cases import fire_event, submit_case
from workflow.services.committee import put_score
from workflow.services.cycles import decide_cycle
from workflow.services.finalization import finalize_case

SHANGHAI = timezone(timedelta(hours=8))
DECIDED_AT = datetime(2026, 9, 14, 10, 0, tzinfo=SHANGHAI)  # a Monday: the window ends with Thursday the 17th
AFTER_THE_WINDOW = datetime(2026, 9, 18, 0, 0, tzinfo=SHANGHAI)


def rules_broken(refused: pytest.ExceptionInfo) -> list[str]:
    return [reason["rule"] for reason in refused.value.extra["reasons"]]


# --- opening a case ---------------------------------------------------------------------

def test_an_ineligible_application_names_every_broken_rule_and_stores_nothing(people, use_case, unit_of_work,
                                                                                organisation):
    # three months a junior (six needed for mid) and third of three juniors by score (the top 60 %: two)
    people.manager("SH03", "junior", org_unit=organisation.org_unit, grade_since=date(2026, 6, 1),
                   supervisor="SH00", annual_score="60")
    applicant = people.user("sh03", "employee", employee_no="SH03")
    with pytest.raises(NotEligible) as refused:
        use_case(submit_case, applicant, kind="promotion", cycle=organisation.cycle, target_grade="mid",
                 statement="申请晋升")
    assert rules_broken(refused) == ["tenure", "performance_rank"]
    assert unit_of_work().cases.page(1, 10, visible_to=None) == ([], 0)


def test_a_manager_with_an_open_case_is_not_eligible_for_a_second(steps):
    steps.apply()
    with pytest.raises(NotEligible) as refused:
        steps.apply("again")
    assert rules_broken(refused) == ["one_open_case"]


# --- moving a case ----------------------------------------------------------------------

def test_an_event_that_does_not_apply_in_the_case_state_is_an_invalid_transition(steps, use_case, unit_of_work,
                                                                                   organisation):
    case_id = steps.apply()
    steps.review(case_id)
    with pytest.raises(Conflict) as refused:  # reviewing the materials again, once the interview has begun
        use_case(fire_event, organisation.supervisor, case_id, "approve_materials", supervisor_score=Decimal("90"))
    assert (refused.value.code, refused.value.extra["state"]) == ("invalid_transition", "interview")
    case = unit_of_work().cases.get(case_id)
    assert (case.state, case.supervisor_score, case.version) == ("interview", Decimal("85"), 2)


def test_an_event_for_another_party_is_forbidden(steps, use_case, organisation):
    case_id = steps.apply()
    with pytest.raises(Forbidden):  # the applicant does not review their own materials
        use_case(fire_event, organisation.applicant, case_id, "approve_materials", supervisor_score=Decimal("100"))


def test_a_change_sent_against_an_earlier_version_is_a_version_conflict(steps, use_case, unit_of_work,
                                                                          organisation):
    case_id = steps.apply()
    seen = unit_of_work().cases.get(case_id).version
    steps.review(case_id)  # the supervisor moves the case on meanwhile
    with pytest.raises(Conflict) as refused:
        use_case(put_score, organisation.chair, case_id, score=Decimal("80"), version=seen)
    assert (refused.value.code, refused.value.extra["version"]) == ("version_conflict", seen + 1)
    assert unit_of_work().cases.get(case_id).scores == []


def test_a_case_changed_by_another_unit_of_work_since_it_was_read_is_a_version_conflict(steps, engine, rules,
                                                                                          unit_of_work, organisation):
    case_id = steps.apply()
    stale = unit_of_work().cases.get(case_id)  # read, and held, by one request
    with Session(engine) as elsewhere, unit_of_work_factory(lambda: elsewhere)() as other:  # another commits
        fire_event(other, rules, organisation.supervisor, case_id, "approve_materials",
                   supervisor_score=Decimal("85"))
    with pytest.raises(Conflict) as refused:
        with unit_of_work():
            stale.statement = "written over a copy that is no longer the case"
    assert refused.value.code == "version_conflict"
    case = unit_of_work().cases.get(case_id)
    assert (case.state, case.statement, case.version) == ("interview", "申请晋升为中级客户经理", 2)


def test_a_refused_use_case_leaves_nothing_behind(steps, use_case, unit_of_work, organisation):
    """One use case, one transaction: the score is refused after the case was claimed (its version raised
    and flushed); the rollback takes the claim back too."""
    case_id = steps.apply()
    steps.review(case_id)
    with pytest.raises(RuleViolation):
        use_case(put_score, organisation.chair, case_id, score=Decimal("101"))
    case = unit_of_work().cases.get(case_id)
    assert (case.version, case.scores, len(unit_of_work().cases.history(case_id))) == (2, [], 2)


def test_a_cycle_is_not_decided_while_one_of_its_cases_is_before_deliberation(steps, use_case, clock,
                                                                                organisation):
    case_id = steps.apply()
    steps.review(case_id)
    use_case(put_score, organisation.chair, case_id, score=Decimal("80"))
    clock.set(DECIDED_AT)
    with pytest.raises(Conflict) as refused:
        use_case(decide_cycle, organisation.chair, organisation.cycle)
    assert refused.value.code == "cycle_not_ready"
    assert [(b["case_id"], b["state"]) for b in refused.value.extra["blocking_cases"]] == [(case_id, "interview")]


# --- appeals and finalization -----------------------------------------------------------

def test_only_the_applicant_appeals(steps, use_case, clock, organisation):
    case_id = steps.to_publication(DECIDED_AT)
    for caller in (organisation.hr, organisation.supervisor, organisation.chair):
        with pytest.raises(Forbidden):
            use_case(file_appeal, caller, case_id, reason="代为申诉")


def test_an_appeal_after_the_last_working_day_of_the_window_is_refused(steps, use_case, clock, organisation):
    case_id = steps.to_publication(DECIDED_AT)
    clock.set(AFTER_THE_WINDOW)
    with pytest.raises(Conflict) as refused:
        use_case(file_appeal, organisation.applicant, case_id, reason="晚了一秒")
    assert refused.value.code == "appeal_window_closed"


def test_a_case_is_appealed_once(steps, use_case, clock, organisation):
    case_id = steps.to_publication(DECIDED_AT)
    clock.set(datetime(2026, 9, 15, 9, 0, tzinfo=SHANGHAI))
    use_case(file_appeal, organisation.applicant, case_id, reason="第一次申诉")
    use_case(fire_event, organisation.hr, case_id, "uphold")
    with pytest.raises(Conflict) as refused:  # published again, the window still open: still one appeal
        use_case(file_appeal, organisation.applicant, case_id, reason="第二次申诉")
    assert refused.value.code == "appeal_exists"


def test_a_pending_appeal_holds_the_decision_past_its_deadline(steps, use_case, unit_of_work, clock, organisation):
    case_id = steps.to_publication(DECIDED_AT)
    use_case(file_appeal, organisation.applicant, case_id, reason="申诉")
    clock.set(AFTER_THE_WINDOW)
    assert use_case(finalize_case, case_id, clock.now()) is False
    assert (unit_of_work().cases.get(case_id).state, unit_of_work().managers.get("SH01").grade) == (
        "appealed", "junior")


def test_finalizing_twice_has_the_effect_of_finalizing_once(steps, use_case, unit_of_work, clock):
    case_id = steps.to_publication(DECIDED_AT)
    clock.set(AFTER_THE_WINDOW)
    assert use_case(finalize_case, case_id, clock.now()) is True
    assert use_case(finalize_case, case_id, clock.now()) is False
    uow = unit_of_work()
    assert uow.managers.get("SH01").grade == "mid"
    assert uow.grade_history.page("SH01", 1, 10)[1] == 1
    assert [h.event for h in uow.cases.history(case_id)].count("finalize") == 1
