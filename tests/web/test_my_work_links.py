""""My work" links each waiting case to the page where the user acts on it, chosen from what available_events
offers them: the supervisor's review page, the member's scoring sheet, the cycle page for HR's decision and
publication, the appeals page, and the case page otherwise (the applicant's resubmission)."""
from __future__ import annotations

import re

from tests.support.cycles import decided_cycle, published_cycle
from tests.support.steps import appeal, apply, event, review
from tests.support.world import BOSS, COMMITTEE, CYCLE, HR, candidate, organisation


def _link(visit, login: str, case_id: int) -> str:
    visitor = visit()
    visitor.sign_in(login)
    body = visitor.get("/").get_data(as_text=True)
    found = re.search(rf'<a href="([^"]+)" data-testid="act-{case_id}">', body)
    assert found, f"no link for case {case_id} on {login}'s my work"
    return found.group(1)


def test_the_supervisor_is_sent_to_the_review_page(app, gf, visit):
    organisation(gf)
    candidate(gf, "E001")
    case_id = apply(gf, "E001")
    assert _link(visit, BOSS, case_id) == f"/review/{case_id}"


def test_the_applicant_of_a_returned_case_is_sent_to_the_case_page(app, gf, visit):
    organisation(gf)
    candidate(gf, "E001")
    case_id = apply(gf, "E001")
    assert event(gf, case_id, "return_materials", BOSS, comment="补充材料").status_code == 200
    assert _link(visit, "e001", case_id) == f"/cases/{case_id}"


def test_a_committee_member_is_sent_to_the_case_on_the_scoring_sheet(app, gf, visit):
    organisation(gf)
    candidate(gf, "E001")
    case_id = apply(gf, "E001")
    review(gf, case_id, 80)
    assert _link(visit, COMMITTEE[1], case_id) == f"/cycles/{CYCLE}/scoring#case-{case_id}"


def test_hr_is_sent_to_the_cycle_page_to_publish_a_decided_cycle(app, gf, visit):
    approved, _denied = decided_cycle(gf)
    assert _link(visit, HR, approved) == f"/cycles/{CYCLE}"


def test_hr_is_sent_to_the_appeals_page_for_an_appeal(app, gf, visit):
    _approved, denied = published_cycle(gf)
    assert appeal(gf, denied, "e002").status_code == 201
    assert _link(visit, HR, denied) == "/appeals"
