"""The applicant's reads (workflow/services/applicant_reads.py): the outlook before applying names every rule
submit_case would refuse, and a case's page gives its history, the steps to come counted on the working calendar
and why its applicant may not appeal when they may not."""
from __future__ import annotations

from datetime import date, datetime

from tests.services.conftest import SHANGHAI
from workflow.services.appeals import file_appeal
from workflow.services.applicant_reads import application_outlook, case_page
from workflow.services.cases import fire_event


def test_the_outlook_of_an_eligible_manager_has_no_refusal_and_the_open_cycle(unit_of_work, rules, organisation):
    with unit_of_work() as uow:
        outlook = application_outlook(uow, rules, organisation.applicant)
    assert outlook.eligible and outlook.target == "mid" and outlook.refusals == []
    assert [c.code for c in outlook.open_cycles] == ["2026H2"]


def test_the_outlook_names_the_open_case_once_the_manager_has_applied(unit_of_work, rules, organisation, steps):
    case_id = steps.apply()
    with unit_of_work() as uow:
        outlook = application_outlook(uow, rules, organisation.applicant)
    assert [r.rule for r in outlook.refusals] == ["one_open_case"]
    assert [c.id for c in outlook.my_cases] == [case_id]


def test_a_submitted_case_waits_three_working_days_on_its_supervisor(unit_of_work, rules, organisation, steps):
    case_id = steps.apply()  # Tuesday 2026-09-01
    with unit_of_work() as uow:
        page = case_page(uow, rules, organisation.applicant, case_id)
    assert [e["event"] for e in page.history] == ["submit"]
    (step,) = page.steps
    assert (step.kind, step.state, step.working_days) == ("act", "submitted", 3)
    assert step.due == datetime(2026, 9, 4, 23, 59, 59, tzinfo=SHANGHAI)
    assert page.appeal_refused is None


def test_a_case_published_before_national_day_counts_the_make_up_saturday(unit_of_work, rules, clock, organisation,
                                                                          steps, use_case):
    case_id = steps.to_publication(datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI))
    with unit_of_work() as uow:
        page = case_page(uow, rules, organisation.applicant, case_id)
    deadline, effect = page.steps
    assert deadline.kind == "appeal_deadline" and deadline.due == datetime(2026, 10, 10, 23, 59, 59, tzinfo=SHANGHAI)
    assert deadline.working_days == deadline.working_days_left == 3
    assert [d.day for d in deadline.makeup_days] == [date(2026, 10, 10)]
    assert len(deadline.days_off) == 7  # Oct 1-7, the National Day holidays
    assert effect.kind == "takes_effect" and effect.due.date() == date(2026, 10, 11)
    assert page.appeal_refused is None and "appeal" in page.case.available_events
    use_case(file_appeal, organisation.applicant, case_id, reason="评分有误")
    with unit_of_work() as uow:
        assert case_page(uow, rules, organisation.applicant, case_id).appeal_refused == "appeal_exists"


def test_once_its_appeal_is_answered_a_published_case_shows_no_window_only_the_day_it_takes_effect(
        unit_of_work, rules, organisation, steps, use_case):
    case_id = steps.to_publication(datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI))
    use_case(file_appeal, organisation.applicant, case_id, reason="评分有误")
    use_case(fire_event, organisation.hr, case_id, "uphold", comment="评分无误")
    with unit_of_work() as uow:
        page = case_page(uow, rules, organisation.applicant, case_id)
    (effect,) = page.steps  # no appeal deadline: the case's one appeal is spent
    assert effect.kind == "takes_effect_after_appeal" and effect.due.date() == date(2026, 10, 11)
    assert page.appeal_refused == "appeal_exists"
