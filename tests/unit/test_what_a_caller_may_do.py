"""What a caller may do to a case now (workflow/case_access.py, the one home of that answer): the events on
offer, the refusals in the contract's words, the appeal window to the second, and the committee that counts
(workflow/case_file.py)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from workflow.accounts import Actor
from workflow.case_access import appeal_refusal, available_events, refuse_event, standing
from workflow.case_file import CaseFile, Seat
from workflow.clock import FixedClock
from workflow.errors import Conflict, Forbidden
from workflow.policy import load_policy
from workflow.services.context import Rules

SHANGHAI = timezone(timedelta(hours=8))
DEADLINE = datetime(2026, 9, 4, 23, 59, 59, tzinfo=SHANGHAI)
COMMITTEE = (Seat("chair", "E900", True), Seat("cm2", None, True), Seat("cm3", None, True))


def rules_at(instant: datetime) -> Rules:
    return Rules.for_policy(load_policy(), FixedClock(instant))


def a_case(state: str, *, scorers=(), recused=(), appeal=None, appeal_deadline=None) -> SimpleNamespace:
    return SimpleNamespace(
        id=7, kind="promotion", state=state, exceptional=False, cycle_code="2026H2", outcome=None,
        reopened_by_appeal=False, employee_no="E100", reviewed_by="s050", decided_by=None, stage=None,
        escalated_from=None, escalated_to=None, reviews=None,
        cycle=SimpleNamespace(chair="chair"), scores=[SimpleNamespace(username=u) for u in scorers],
        recusals=[SimpleNamespace(username=u) for u in recused], appeal=appeal, appeal_deadline=appeal_deadline)


def file_of(case, seats=COMMITTEE) -> CaseFile:
    return CaseFile(case, ("E050", "E010"), seats)


def actor(username: str, *roles: str, employee_no: str | None = None) -> Actor:
    return Actor(user_id=1, username=username, roles=frozenset(roles), employee_no=employee_no)


CHAIR = actor("chair", "committee", employee_no="E900")
APPLICANT = actor("e100", "employee", employee_no="E100")
SUPERVISOR = actor("s050", "supervisor", employee_no="E050")


def offered(rules: Rules, file: CaseFile, who: Actor) -> list[str]:
    return available_events(rules, file, standing(who, file.people))


def test_the_chair_may_close_the_interview_once_a_quorum_has_scored():
    rules = rules_at(DEADLINE)
    assert "close_interview" not in offered(rules, file_of(a_case("interview", scorers=("cm2",))), CHAIR)
    assert "close_interview" in offered(rules, file_of(a_case("interview", scorers=("cm2", "cm3", "chair"))), CHAIR)


def test_a_member_switched_off_or_without_the_committee_role_does_not_count():
    seats = (Seat("chair", "E900", True), Seat("cm2", None, False), Seat("cm3", None, True))
    file = file_of(a_case("interview", scorers=("cm2",)), seats)
    assert file.progress(3).eligible == ("chair", "cm3")
    assert not file.progress(3).quorum_reachable


def test_a_recused_member_does_not_count_and_a_recused_chair_is_no_chair():
    file = file_of(a_case("deliberation", recused=("chair",)))
    assert file.progress(2).eligible == ("cm2", "cm3")
    assert "approve" not in offered(rules_at(DEADLINE), file, CHAIR)


def test_the_applicant_is_offered_the_appeal_until_the_last_second_of_the_window():
    published = a_case("published", appeal_deadline=DEADLINE)
    assert offered(rules_at(DEADLINE), file_of(published), APPLICANT) == ["appeal"]
    assert offered(rules_at(DEADLINE + timedelta(seconds=1)), file_of(published), APPLICANT) == []


def test_an_appeal_is_refused_in_the_contracts_order_appeal_exists_first():
    late = rules_at(DEADLINE + timedelta(days=1))
    appealed = a_case("effective", appeal=SimpleNamespace(id=3), appeal_deadline=DEADLINE)
    assert appeal_refusal(late, appealed).code == "appeal_exists"
    assert appeal_refusal(late, a_case("published", appeal_deadline=DEADLINE)).code == "appeal_window_closed"
    assert appeal_refusal(rules_at(DEADLINE), a_case("decided")).code == "not_published"
    assert appeal_refusal(rules_at(DEADLINE), a_case("published", appeal_deadline=DEADLINE)) is None


def test_an_event_of_another_party_is_forbidden_and_says_whose_it_is():
    file = file_of(a_case("submitted"))
    with pytest.raises(Forbidden, match="the applicant's supervisor"):
        refuse_event(rules_at(DEADLINE), file, standing(APPLICANT, file.people), "approve_materials")


def test_an_event_that_does_not_apply_now_says_what_the_caller_may_do_instead():
    file = file_of(a_case("interview"))
    with pytest.raises(Conflict) as refused:
        refuse_event(rules_at(DEADLINE), file, standing(APPLICANT, file.people), "resubmit")
    assert refused.value.code == "invalid_transition"
    assert refused.value.extra == {"state": "interview", "available_events": ["withdraw"]}
    assert "you may now: withdraw" in str(refused.value)


def test_an_appeal_that_does_not_apply_is_left_to_its_own_refusals():
    file = file_of(a_case("decided"))
    refuse_event(rules_at(DEADLINE), file, standing(APPLICANT, file.people), "appeal")  # no invalid_transition
