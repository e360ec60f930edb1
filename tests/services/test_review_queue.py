"""The supervisor's review queue (review_reads.review_queue): the submitted cases of their direct reports, with
the events of a review they may fire; nobody else's, and nothing once reviewed."""
from __future__ import annotations

from workflow.services.review_reads import REVIEW_EVENTS, review_queue


def queue(unit_of_work, rules, actor) -> dict[int, list[str]]:
    with unit_of_work() as uow:
        return {item.case.id: list(item.case.available_events) for item in review_queue(uow, rules, actor)}


def test_the_review_events_are_the_supervisors_own():
    assert set(REVIEW_EVENTS) == {"approve_materials", "return_materials", "reject_materials", "pass_probation",
                                  "fail_probation"}


def test_a_submitted_application_is_in_its_supervisors_queue_until_reviewed(unit_of_work, rules, organisation,
                                                                            steps):
    case_id = steps.apply()
    assert queue(unit_of_work, rules, organisation.supervisor) == {
        case_id: ["approve_materials", "return_materials", "reject_materials"]}
    for other in (organisation.applicant, organisation.hr, organisation.chair):
        assert queue(unit_of_work, rules, other) == {}
    steps.review(case_id)
    assert queue(unit_of_work, rules, organisation.supervisor) == {}
