"""What waits on a caller (case_reads.cases_waiting_on, the web pages' start page): the cases whose reminders
would go to them (due.waiting_on), with the last working day they may wait and whether they are overdue."""
from __future__ import annotations

from datetime import datetime

from tests.services.conftest import SHANGHAI
from workflow.services.case_reads import cases_waiting_on
from workflow.services.due import waiting_on


def waiting(unit_of_work, rules, actor) -> dict[int, object]:
    with unit_of_work() as uow:
        return {item.case.id: item for item in cases_waiting_on(uow, rules, actor)}


def test_a_submitted_case_waits_on_the_applicants_supervisor_alone(unit_of_work, rules, organisation, steps):
    case_id = steps.apply()
    mine = waiting(unit_of_work, rules, organisation.supervisor)
    assert list(mine) == [case_id]
    assert mine[case_id].case.available_events == ["approve_materials", "return_materials", "reject_materials"]
    for other in (organisation.applicant, organisation.hr, organisation.chair):
        assert waiting(unit_of_work, rules, other) == {}


def test_an_interview_waits_on_each_member_until_they_have_scored(unit_of_work, rules, organisation, steps, use_case):
    from decimal import Decimal

    from workflow.services.committee import put_score
    case_id = steps.apply()
    steps.review(case_id)
    for member in organisation.committee:
        assert list(waiting(unit_of_work, rules, member)) == [case_id]
    use_case(put_score, organisation.committee[1], case_id, score=Decimal("80"))
    assert waiting(unit_of_work, rules, organisation.committee[1]) == {}
    assert list(waiting(unit_of_work, rules, organisation.committee[2])) == [case_id]


def test_deliberation_waits_on_the_chair_and_a_decided_case_on_hr(unit_of_work, rules, organisation, steps):
    case_id = steps.apply()
    steps.review(case_id)
    steps.interview(case_id)
    assert list(waiting(unit_of_work, rules, organisation.chair)) == [case_id]
    assert waiting(unit_of_work, rules, organisation.hr) == {}
    steps.decide(datetime(2026, 9, 2, 10, 0, tzinfo=SHANGHAI))
    assert list(waiting(unit_of_work, rules, organisation.hr)) == [case_id]
    assert waiting(unit_of_work, rules, organisation.chair) == {}


def test_a_case_may_wait_three_working_days_and_is_overdue_from_the_reminder_after(unit_of_work, rules, clock,
                                                                                   organisation, steps):
    case_id = steps.apply()  # Tuesday 2026-09-01 09:00
    item = waiting(unit_of_work, rules, organisation.supervisor)[case_id]
    assert item.since == datetime(2026, 9, 1, 9, 0, tzinfo=SHANGHAI)
    assert item.due_by == datetime(2026, 9, 4, 23, 59, 59, tzinfo=SHANGHAI)  # Wed, Thu, Fri
    assert not item.overdue
    clock.set(datetime(2026, 9, 6, 20, 0, tzinfo=SHANGHAI))  # Sunday: not yet
    assert not waiting(unit_of_work, rules, organisation.supervisor)[case_id].overdue
    clock.set(datetime(2026, 9, 7, 9, 0, tzinfo=SHANGHAI))  # Monday's reminder
    assert waiting(unit_of_work, rules, organisation.supervisor)[case_id].overdue


def test_the_overdue_come_first_then_the_soonest_due(unit_of_work, rules, clock, people, organisation, steps,
                                                     use_case):
    from workflow.services.cases import submit_case
    first = steps.apply()
    clock.set(datetime(2026, 9, 7, 10, 0, tzinfo=SHANGHAI))
    people.manager("SH03", "junior", org_unit=organisation.org_unit, grade_since=datetime(2025, 1, 1).date(),
                   supervisor="SH00", annual_score="90")
    second_applicant = people.user("sh03", "employee", employee_no="SH03")
    second = use_case(submit_case, second_applicant, kind="promotion", cycle=organisation.cycle, target_grade="mid",
                      statement="申请").id
    items = list(waiting(unit_of_work, rules, organisation.supervisor).values())
    assert [(i.case.id, i.overdue) for i in items] == [(first, True), (second, False)]


def test_it_agrees_with_whom_the_reminders_go_to(unit_of_work, rules, organisation, steps):
    case_id = steps.apply()
    steps.review(case_id)
    everyone = (organisation.hr, organisation.supervisor, organisation.applicant, *organisation.committee)
    with unit_of_work() as uow:
        reminded = set(waiting_on(uow, rules, uow.cases.get(case_id)))
    assert {a.username for a in everyone if case_id in waiting(unit_of_work, rules, a)} == reminded
