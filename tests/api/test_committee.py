"""The review committee (评审委员会) of a cycle: its appointment, the members' interview scores,
recusals (回避), the end of the interview, and who sees the scores when.

The organisation: S001 (supervisor, also on committees) ← S002 (supervisor) ← E001 and E002
(juniors of 北京分行 applying for mid). Committee users chair1 and cm1..cm5 hold only the committee
role. Users of managers are their employee numbers in lower case. The manual clock stands at
2026-09-01T09:00+08:00. The organisation and the committee's appointment are tests.support.committee_world.
"""
from __future__ import annotations

import pytest

from tests.support.answers import assert_problem
from tests.support.committee_world import CYCLE, HR, appoint, case_in_interview, committee_org, put_committee
from tests.support.worlds import world_fixture

SYSTEM_ACTOR = "(gradeflow)"


@pytest.fixture
@world_fixture
def org(gf):
    return committee_org(gf)


def _score(gf, case_id: int, member: str, score=80, **fields):
    return gf.put(f"/cases/{case_id}/score", as_=member, json={"score": score, **fields})


def _scored(gf, case_id: int, member: str, score=80) -> dict:
    response = _score(gf, case_id, member, score)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _case(gf, case_id: int, as_: str = HR) -> dict:
    return gf.case(case_id, as_)


def _history(gf, case_id: int, as_: str = HR) -> list[dict]:
    return gf.history(case_id, as_)


def _recusals(gf, case_id: int) -> list[tuple[str, str, str]]:
    """(actor, member, reason) of every recusal entry in the history."""
    return [(e["actor"], e["data"]["member"], e["data"]["reason"]) for e in _history(gf, case_id)
            if e["event"] == "recusal"]


def _events(gf, case_id: int, event: str) -> list[dict]:
    return [e for e in _history(gf, case_id) if e["event"] == event]


# --- appointing the committee ------------------------------------------------------------------

def test_hr_appoints_the_committee_and_the_chair_counts_as_a_member(org):
    cycle = appoint(org, "chair1", "cm1", "cm2")
    assert cycle["chair"] == "chair1" and sorted(cycle["members"]) == ["chair1", "cm1", "cm2"]
    assert sorted(org.get(f"/cycles/{CYCLE}", as_="cm1").get_json()["members"]) == ["chair1", "cm1", "cm2"]


def test_listing_the_chair_among_the_members_does_not_count_them_twice(org):
    response = put_committee(org, "chair1", "chair1", "cm1")
    assert_problem(response, 422, "validation_error", field="members", rule="quorum")
    assert sorted(appoint(org, "chair1", "chair1", "cm1", "cm2")["members"]) == ["chair1", "cm1", "cm2"]


@pytest.mark.parametrize("user", ["chair1", "s001", "e002"])
def test_only_hr_appoints_the_committee(org, user):
    response = org.put(f"/cycles/{CYCLE}/committee", as_=user, json={"chair": "chair1", "members": ["cm1", "cm2"]})
    assert_problem(response, 403, "forbidden")
    assert org.get(f"/cycles/{CYCLE}", as_=HR).get_json()["chair"] is None


def test_members_hold_the_committee_role(org):
    response = put_committee(org, "chair1", "cm1", "e002")
    assert_problem(response, 422, "validation_error", field="members", rule="committee_role")
    response = put_committee(org, HR, "cm1", "cm2")
    assert_problem(response, 422, "validation_error", field="chair", rule="committee_role")


def test_members_are_known_users(org):
    assert_problem(put_committee(org, "chair1", "cm1", "nobody9"), 422, "validation_error", field="members",
                   rule="known_user")


def test_a_switched_off_user_does_not_sit_on_the_committee(org):
    org.user("admin1", "admin")
    assert org.patch("/users/cm2", as_="admin1", json={"active": False}).status_code == 200
    assert_problem(put_committee(org, "chair1", "cm1", "cm2"), 422, "validation_error", field="members",
                   rule="committee_role")


def test_a_committee_has_at_least_the_quorum_chair_included(org):
    assert_problem(put_committee(org, "chair1", "cm1"), 422, "validation_error", field="members", rule="quorum")
    assert_problem(put_committee(org, "chair1"), 422, "validation_error", field="members", rule="quorum")
    appoint(org, "chair1", "cm1", "cm2")


def test_a_member_who_scored_an_undecided_case_stays_on_the_committee(org):
    appoint(org, "chair1", "cm1", "cm2", "cm3")
    case_id = case_in_interview(org)
    _scored(org, case_id, "cm1")
    body = assert_problem(put_committee(org, "chair1", "cm2", "cm3", "cm4"), 409, "committee_locked")
    assert body["members"] == ["cm1"] and body["case_id"] == case_id
    assert sorted(org.get(f"/cycles/{CYCLE}", as_=HR).get_json()["members"]) == ["chair1", "cm1", "cm2", "cm3"]
    # a member who has not scored may go
    assert sorted(appoint(org, "chair1", "cm1", "cm2", "cm4")["members"]) == ["chair1", "cm1", "cm2", "cm4"]


def test_a_scorer_stays_on_the_committee_during_deliberation(org):
    appoint(org, "chair1", "cm1", "cm2")
    case_id = case_in_interview(org)
    for member in ("chair1", "cm1", "cm2"):
        _scored(org, case_id, member)
    assert _case(org, case_id)["state"] == "deliberation"
    assert_problem(put_committee(org, "chair1", "cm2", "cm3"), 409, "committee_locked")


def test_a_scorer_stays_until_the_case_is_final_for_a_re_decision_may_need_the_score(org):
    appoint(org, "chair1", "cm1", "cm2")
    case_id = case_in_interview(org)
    for member in ("chair1", "cm1", "cm2"):
        _scored(org, case_id, member)
    assert org.post(f"/cycles/{CYCLE}/decide", as_=HR).status_code == 200
    locked = org.put(f"/cycles/{CYCLE}/committee", as_=HR, json={"chair": "chair1", "members": ["cm2", "cm3"]})
    assert_problem(locked, 409, "committee_locked")
    assert org.post(f"/cycles/{CYCLE}/publish", as_=HR).status_code == 200
    org.user("clock.admin", "admin")
    assert org.put("/clock", as_="clock.admin", json={"now": "2026-09-30T00:00:00+08:00"}).status_code == 200
    assert org.get(f"/cases/{case_id}", as_=HR).get_json()["state"] in ("effective", "closed")
    assert sorted(appoint(org, "chair1", "cm2", "cm3")["members"]) == ["chair1", "cm2", "cm3"]


# --- scores ------------------------------------------------------------------------------------

def test_a_member_scores_and_may_replace_the_score_until_deliberation(org):
    appoint(org, "chair1", "cm1", "cm2", "cm3")
    case_id = case_in_interview(org)
    first = _scored(org, case_id, "cm1", 70)
    assert first["state"] == "interview" and first["interview"]["my_score"] == 70
    second = _scored(org, case_id, "cm1", 75.5)
    assert second["interview"]["my_score"] == 75.5 and second["interview"]["scored"] == ["cm1"]
    scores = _events(org, case_id, "score")
    assert [(e["actor"], e["data"]["score"], e["data"]["replaces_earlier"]) for e in scores] == [
        ("cm1", "70", False), ("cm1", "75.5", True)]
    assert _case(org, case_id)["interview"]["scores"] == [{"member": "cm1", "score": 75.5, "comment": None, "counts": True}]


def test_scores_are_final_once_deliberation_begins(org):
    appoint(org, "chair1", "cm1", "cm2")
    case_id = case_in_interview(org)
    for member in ("chair1", "cm1", "cm2"):
        _scored(org, case_id, member, 80)
    body = assert_problem(_score(org, case_id, "cm1", 60), 409, "invalid_transition")
    assert body["state"] == "deliberation"
    assert {s["member"]: s["score"] for s in _case(org, case_id)["interview"]["scores"]}["cm1"] == 80


def test_a_case_is_scored_only_in_interview(org):
    appoint(org, "chair1", "cm1", "cm2")
    response = org.post("/cases", as_="e001", json={"cycle": CYCLE, "target_grade": "mid", "statement": "申请"})
    case_id = response.get_json()["id"]
    body = assert_problem(_score(org, case_id, "cm1"), 409, "invalid_transition")
    assert body["state"] == "submitted"


@pytest.mark.parametrize("score, rule", [(-1, "score_range"), (100.5, "score_range"), (80.555, "score_precision")])
def test_an_interview_score_is_0_to_100_with_at_most_2_decimals(org, score, rule):
    appoint(org, "chair1", "cm1", "cm2")
    case_id = case_in_interview(org)
    assert_problem(_score(org, case_id, "cm1", score), 422, "validation_error", field="score", rule=rule)
    assert _case(org, case_id)["interview"]["scored"] == []


@pytest.mark.parametrize("user", [HR, "s002", "e002"])
def test_someone_who_sees_the_case_but_is_not_on_the_committee_may_not_score(org, user):
    appoint(org, "chair1", "cm1", "cm2")
    case_id = case_in_interview(org, applicant="e002")
    assert_problem(_score(org, case_id, user), 403, "forbidden")
    assert _case(org, case_id)["interview"]["scored"] == []


def test_a_committee_member_of_another_cycle_does_not_see_the_case(org):
    appoint(org, "chair1", "cm1", "cm2")
    case_id = case_in_interview(org)
    assert_problem(_score(org, case_id, "cm5"), 404, "not_found")


def test_a_recused_member_may_not_score(org):
    appoint(org, "chair1", "cm1", "cm2", "cm3", "s001")  # S001 is above E001: recused
    case_id = case_in_interview(org)
    body = assert_problem(_score(org, case_id, "s001"), 403, "recused")
    assert body["code"] == "recused"
    assert _case(org, case_id)["interview"]["scored"] == []


def test_the_applicant_does_not_score_their_own_case(org):
    appoint(org, "chair1", "cm1", "cm2", "cm3", "e001")
    case_id = case_in_interview(org)
    response = _score(org, case_id, "e001")
    assert response.status_code == 403, response.get_json()
    assert _case(org, case_id)["interview"]["scored"] == []


def test_a_score_with_a_stale_version_is_refused(org):
    appoint(org, "chair1", "cm1", "cm2", "cm3")
    case_id = case_in_interview(org)
    version = _case(org, case_id)["version"]
    _scored(org, case_id, "cm1")
    response = org.put(f"/cases/{case_id}/score", as_="cm2", json={"score": 80}, headers={"If-Match": f'"{version}"'})
    assert_problem(response, 409, "version_conflict")


# --- automatic recusals ------------------------------------------------------------------------

def test_the_applicant_on_the_committee_is_recused_automatically(org):
    appoint(org, "chair1", "cm1", "cm2", "e001")
    case_id = case_in_interview(org)
    assert _recusals(org, case_id) == [(SYSTEM_ACTOR, "e001", "applicant")]
    interview = _case(org, case_id)["interview"]
    assert interview["recusals"] == [{"member": "e001", "reason": "applicant"}]
    assert "e001" not in interview["counting_members"]


def test_the_supervisor_chain_on_the_committee_is_recused_automatically(org):
    appoint(org, "chair1", "cm1", "cm2", "s001", "s002")
    case_id = case_in_interview(org)
    assert sorted(_recusals(org, case_id)) == [(SYSTEM_ACTOR, "s001", "line_manager"),
                                               (SYSTEM_ACTOR, "s002", "line_manager")]
    entries = _events(org, case_id, "recusal")
    assert all(e["from_state"] == e["to_state"] == "interview" for e in entries)
    assert _case(org, case_id)["interview"]["counting_members"] == ["chair1", "cm1", "cm2"]


def test_the_reviewer_of_the_materials_is_recused_automatically(org):
    appoint(org, "chair1", "cm1", "cm2")
    case_id = case_in_interview(org)  # S002 reviewed the materials
    # E001 moves to S001, so S002 is no longer in the chain, and then joins the committee
    assert org.patch("/managers/E001", as_=HR, json={"supervisor": "S001"}).status_code == 200
    appoint(org, "chair1", "cm1", "cm2", "s002")
    assert _recusals(org, case_id) == [(SYSTEM_ACTOR, "s002", "reviewed_materials")]
    assert_problem(_score(org, case_id, "s002"), 403, "recused")


def test_a_member_added_during_the_interview_is_checked_for_recusal(org):
    appoint(org, "chair1", "cm1", "cm2")
    case_id = case_in_interview(org)
    assert _recusals(org, case_id) == []
    appoint(org, "chair1", "cm1", "cm2", "s001")
    assert _recusals(org, case_id) == [(SYSTEM_ACTOR, "s001", "line_manager")]
    appoint(org, "chair1", "cm1", "cm2", "cm3", "s001")  # the same committee again, plus cm3
    assert _recusals(org, case_id) == [(SYSTEM_ACTOR, "s001", "line_manager")]  # recorded once


def test_a_member_who_becomes_the_applicants_supervisor_during_the_interview_may_not_score(org):
    """domain.md: a member never scores a case whose applicant they directly supervise, also when the
    reporting line changes after the interview began."""
    org.manager("S003", "senior", login=True, roles=("employee", "supervisor", "committee"))
    appoint(org, "chair1", "cm1", "cm2", "s003")
    case_id = case_in_interview(org)
    assert "s003" in _case(org, case_id)["interview"]["counting_members"]
    assert org.patch("/managers/E001", as_=HR, json={"supervisor": "S003"}).status_code == 200
    assert_problem(_score(org, case_id, "s003"), 403, "recused")
    assert "s003" not in _case(org, case_id)["interview"]["counting_members"]


def test_recusals_are_recorded_when_an_exceptional_case_enters_the_interview(org):
    appoint(org, "chair1", "cm1", "cm2", "s001")
    response = org.post("/cases", as_="e001", json={"cycle": CYCLE, "target_grade": "senior", "exceptional": True,
                                                    "statement": "破格晋升"})
    case_id = response.get_json()["id"]
    assert org.post(f"/cases/{case_id}/events", as_="s002",
                    json={"event": "approve_materials", "supervisor_score": 90}).get_json()["state"] == "hr_review"
    assert _recusals(org, case_id) == []
    assert org.post(f"/cases/{case_id}/events", as_=HR, json={"event": "approve_exception"}).status_code == 200
    assert _recusals(org, case_id) == [(SYSTEM_ACTOR, "s001", "line_manager")]


def test_an_unrelated_case_has_no_automatic_recusals(org):
    org.manager("XS01", "senior", org_unit="上海分行", login=True, roles=("employee", "supervisor"))
    org.manager("X001", "junior", supervisor="XS01", org_unit="上海分行", login=True)
    org.performance("X001", "2025", "90")
    appoint(org, "chair1", "cm1", "s001", "s002", "e001")
    response = org.post("/cases", as_="x001", json={"cycle": CYCLE, "target_grade": "mid", "statement": "申请"})
    case_id = response.get_json()["id"]
    assert org.post(f"/cases/{case_id}/events", as_="xs01",
                    json={"event": "approve_materials", "supervisor_score": 80}).status_code == 200
    assert _recusals(org, case_id) == []
    assert _case(org, case_id)["interview"]["counting_members"] == ["chair1", "cm1", "e001", "s001", "s002"]


# --- declared recusal --------------------------------------------------------------------------

def test_a_member_declares_a_recusal_and_no_longer_counts(org):
    appoint(org, "chair1", "cm1", "cm2", "cm3")
    case_id = case_in_interview(org)
    response = org.post(f"/cases/{case_id}/recusal", as_="cm3", json={"comment": "与申请人是亲属"})
    assert response.status_code == 200, response.get_json()
    interview = response.get_json()["interview"]
    assert interview["recused"] is True and "cm3" not in interview["counting_members"]
    entry = _events(org, case_id, "recusal")[-1]
    assert entry["actor"] == "cm3" and entry["comment"] == "与申请人是亲属"
    assert entry["data"] == {"member": "cm3", "reason": "declared"}
    assert_problem(_score(org, case_id, "cm3"), 403, "recused")
    assert_problem(org.post(f"/cases/{case_id}/recusal", as_="cm3"), 403, "recused")


def test_a_recusal_without_a_body_is_accepted(org):
    appoint(org, "chair1", "cm1", "cm2", "cm3")
    case_id = case_in_interview(org)
    response = org.post(f"/cases/{case_id}/recusal", as_="cm3")
    assert response.status_code == 200, response.get_json()


def test_a_declared_recusal_completes_an_interview_the_others_finished(org):
    appoint(org, "chair1", "cm1", "cm2", "cm3")
    case_id = case_in_interview(org)
    for member in ("chair1", "cm1", "cm2"):
        _scored(org, case_id, member)
    assert _case(org, case_id)["state"] == "interview"  # cm3 has not scored yet
    response = org.post(f"/cases/{case_id}/recusal", as_="cm3")
    assert response.status_code == 200 and response.get_json()["state"] == "deliberation", response.get_json()
    assert len(_events(org, case_id, "interview_complete")) == 1


def test_a_declared_recusal_may_leave_too_few_members_for_the_quorum(org):
    appoint(org, "chair1", "cm1", "cm2")
    case_id = case_in_interview(org)
    _scored(org, case_id, "chair1")
    _scored(org, case_id, "cm1")
    response = org.post(f"/cases/{case_id}/recusal", as_="cm2")
    assert response.status_code == 200, response.get_json()
    case = _case(org, case_id)
    assert case["state"] == "interview" and case["interview"]["quorum_reachable"] is False


@pytest.mark.parametrize("user, status", [(HR, 403), ("s002", 403), ("cm5", 404)])
def test_only_a_member_declares_a_recusal(org, user, status):
    appoint(org, "chair1", "cm1", "cm2")
    case_id = case_in_interview(org)
    response = org.post(f"/cases/{case_id}/recusal", as_=user)
    assert response.status_code == status, response.get_json()
    assert _case(org, case_id)["interview"]["recusals"] == []


def test_a_recusal_is_declared_only_during_the_interview(org):
    appoint(org, "chair1", "cm1", "cm2")
    case_id = case_in_interview(org)
    for member in ("chair1", "cm1", "cm2"):
        _scored(org, case_id, member)
    assert_problem(org.post(f"/cases/{case_id}/recusal", as_="cm1"), 409, "invalid_transition")


def test_a_member_who_scored_and_then_declares_a_recusal_no_longer_counts(org):
    appoint(org, "chair1", "cm1", "cm2", "cm3", "cm4")
    case_id = case_in_interview(org)
    _scored(org, case_id, "cm1", 10)
    assert org.post(f"/cases/{case_id}/recusal", as_="cm1").status_code == 200
    for member in ("chair1", "cm2", "cm3"):
        _scored(org, case_id, member, 90)
    assert _case(org, case_id)["state"] == "interview"  # cm4 still counts
    case = _scored(org, case_id, "cm4", 90)
    assert case["state"] == "deliberation"
    scores = _case(org, case_id)["interview"]["scores"]
    assert sorted(s["member"] for s in scores if s["counts"]) == ["chair1", "cm2", "cm3", "cm4"]
    assert [s["member"] for s in scores if not s["counts"]] == ["cm1"]  # hr still sees the withdrawn score


# --- the end of the interview ------------------------------------------------------------------

def test_the_interview_ends_by_itself_once_every_counting_member_has_scored(org):
    appoint(org, "chair1", "cm1", "cm2", "cm3")
    case_id = case_in_interview(org)
    for member in ("chair1", "cm1", "cm2"):
        assert _scored(org, case_id, member)["state"] == "interview"
    _scored(org, case_id, "cm1", 85)  # replacing a score does not end it either
    assert _case(org, case_id)["state"] == "interview"
    assert _scored(org, case_id, "cm3")["state"] == "deliberation"
    complete = _events(org, case_id, "interview_complete")
    assert len(complete) == 1
    assert complete[0]["actor"] == SYSTEM_ACTOR and complete[0]["from_state"] == "interview"
    assert complete[0]["to_state"] == "deliberation"
    assert sorted(complete[0]["data"]["scored"]) == ["chair1", "cm1", "cm2", "cm3"]


def test_the_interview_ends_exactly_once(org):
    appoint(org, "chair1", "cm1", "cm2")
    case_id = case_in_interview(org)
    for member in ("chair1", "cm1", "cm2"):
        _scored(org, case_id, member)
    _score(org, case_id, "cm2", 90)  # refused: deliberation
    org.post(f"/cases/{case_id}/recusal", as_="cm1")  # refused too
    appoint(org, "chair1", "cm1", "cm2", "cm3")  # a committee change touches only cases in interview
    assert [e["event"] for e in _history(org, case_id)].count("interview_complete") == 1
    assert _case(org, case_id)["state"] == "deliberation"


def test_the_recused_members_do_not_hold_up_the_interview(org):
    appoint(org, "chair1", "cm1", "cm2", "s001", "s002")
    case_id = case_in_interview(org)
    for member in ("chair1", "cm1", "cm2"):
        _scored(org, case_id, member)
    assert _case(org, case_id)["state"] == "deliberation"


def test_removing_the_last_member_who_had_not_scored_ends_the_interview(org):
    appoint(org, "chair1", "cm1", "cm2", "cm3")
    case_id = case_in_interview(org)
    for member in ("chair1", "cm1", "cm2"):
        _scored(org, case_id, member)
    appoint(org, "chair1", "cm1", "cm2")
    assert _case(org, case_id)["state"] == "deliberation"
    assert len(_events(org, case_id, "interview_complete")) == 1


def test_adding_a_member_keeps_the_interview_open_for_them(org):
    appoint(org, "chair1", "cm1", "cm2", "cm3")
    case_id = case_in_interview(org)
    for member in ("chair1", "cm1"):
        _scored(org, case_id, member)
    appoint(org, "chair1", "cm1", "cm2", "cm3", "cm4")
    for member in ("cm2", "cm3"):
        _scored(org, case_id, member)
    assert _case(org, case_id)["state"] == "interview"
    assert _scored(org, case_id, "cm4")["state"] == "deliberation"


def test_the_chair_closes_the_interview_once_the_quorum_has_scored(org):
    appoint(org, "chair1", "cm1", "cm2", "cm3", "cm4")
    case_id = case_in_interview(org)
    _scored(org, case_id, "cm1")
    _scored(org, case_id, "cm2")
    assert "close_interview" not in _case(org, case_id, as_="chair1")["available_events"]
    body = assert_problem(org.post(f"/cases/{case_id}/events", as_="chair1", json={"event": "close_interview"}),
                          409, "quorum_not_met")
    assert body["quorum"] == 3 and sorted(body["scored"]) == ["cm1", "cm2"]
    _scored(org, case_id, "cm3")
    assert _case(org, case_id, as_="chair1")["available_events"] == ["close_interview"]
    response = org.post(f"/cases/{case_id}/events", as_="chair1", json={"event": "close_interview",
                                                                        "comment": "cm4 缺席"})
    assert response.status_code == 200 and response.get_json()["state"] == "deliberation", response.get_json()
    closing = _events(org, case_id, "close_interview")
    assert len(closing) == 1 and closing[0]["actor"] == "chair1"
    assert sorted(closing[0]["data"]["scored"]) == ["cm1", "cm2", "cm3"]
    assert _events(org, case_id, "interview_complete") == []
    assert_problem(_score(org, case_id, "cm4"), 409, "invalid_transition")


@pytest.mark.parametrize("user, status", [("cm1", 403), (HR, 403), ("s002", 403), ("e001", 403)])
def test_only_the_chair_closes_the_interview(org, user, status):
    appoint(org, "chair1", "cm1", "cm2", "cm3", "cm4")
    case_id = case_in_interview(org)
    for member in ("cm1", "cm2", "cm3"):
        _scored(org, case_id, member)
    assert "close_interview" not in _case(org, case_id, as_=user)["available_events"]
    response = org.post(f"/cases/{case_id}/events", as_=user, json={"event": "close_interview"})
    assert_problem(response, status, "forbidden")
    assert _case(org, case_id)["state"] == "interview"


def test_a_recused_chair_does_not_close_the_interview(org):
    appoint(org, "chair1", "cm1", "cm2", "cm3", "cm4")
    case_id = case_in_interview(org)
    assert org.post(f"/cases/{case_id}/recusal", as_="chair1").status_code == 200
    for member in ("cm1", "cm2", "cm3"):
        _scored(org, case_id, member)
    assert_problem(org.post(f"/cases/{case_id}/events", as_="chair1", json={"event": "close_interview"}), 403,
                   "forbidden")


def test_scores_of_recused_members_do_not_count_towards_the_quorum(org):
    appoint(org, "chair1", "cm1", "cm2", "cm3", "cm4")
    case_id = case_in_interview(org)
    _scored(org, case_id, "cm1")
    _scored(org, case_id, "cm2")
    _scored(org, case_id, "cm3")
    assert org.post(f"/cases/{case_id}/recusal", as_="cm3").status_code == 200
    assert_problem(org.post(f"/cases/{case_id}/events", as_="chair1", json={"event": "close_interview"}), 409,
                   "quorum_not_met")


# --- a committee too small for the case --------------------------------------------------------

def test_a_committee_with_too_few_eligible_members_reports_the_shortfall(org):
    appoint(org, "chair1", "cm1", "s001")  # S001 is above E001: only two members count
    case_id = case_in_interview(org)
    interview = _case(org, case_id)["interview"]
    assert interview["quorum_reachable"] is False and interview["counting_members"] == ["chair1", "cm1"]
    _scored(org, case_id, "chair1")
    _scored(org, case_id, "cm1")
    assert _case(org, case_id)["state"] == "interview"  # every counting member scored, but below the quorum

    body = assert_problem(org.post(f"/cycles/{CYCLE}/decide", as_=HR), 409, "cycle_not_ready")
    assert len(body["blocking_cases"]) == 1
    blocking = body["blocking_cases"][0]
    assert blocking["case_id"] == case_id and blocking["employee_no"] == "E001" and blocking["state"] == "interview"
    assert "quorum" in blocking["detail"]

    # hr adds a member and the interview can finish
    appoint(org, "chair1", "cm1", "cm2", "s001")
    assert _case(org, case_id)["interview"]["quorum_reachable"] is True
    assert _scored(org, case_id, "cm2")["state"] == "deliberation"
    assert org.post(f"/cycles/{CYCLE}/decide", as_=HR).status_code == 200


def test_a_cycle_is_not_decided_while_any_case_is_before_deliberation(org):
    appoint(org, "chair1", "cm1", "cm2")
    ready = case_in_interview(org, "e001")
    for member in ("chair1", "cm1", "cm2"):
        _scored(org, ready, member)
    pending = org.post("/cases", as_="e002", json={"cycle": CYCLE, "target_grade": "mid", "statement": "申请"})
    body = assert_problem(org.post(f"/cycles/{CYCLE}/decide", as_="chair1"), 409, "cycle_not_ready")
    assert [b["case_id"] for b in body["blocking_cases"]] == [pending.get_json()["id"]]
    assert body["blocking_cases"][0]["state"] == "submitted"
    assert _case(org, ready)["state"] == "deliberation"


# --- who sees the scores when ------------------------------------------------------------------

def test_scores_are_hidden_from_other_members_until_deliberation(org):
    appoint(org, "chair1", "cm1", "cm2")
    case_id = case_in_interview(org)
    _scored(org, case_id, "cm1", 70)

    mine = _case(org, case_id, as_="cm1")
    assert mine["interview"]["my_score"] == 70 and mine["interview"]["scores"] is None
    other = _case(org, case_id, as_="cm2")
    assert other["interview"]["my_score"] is None and other["interview"]["scores"] is None
    assert other["interview"]["scored"] == ["cm1"]  # who has scored is no secret
    assert other["supervisor_score"] is None and other["interview_score"] is None
    assert all("score" not in e["data"] for e in _history(org, case_id, as_="cm2"))
    assert "supervisor_score" not in _history(org, case_id, as_="cm2")[1]["data"]
    assert _case(org, case_id)["interview"]["scores"] == [{"member": "cm1", "score": 70, "comment": None, "counts": True}]

    _scored(org, case_id, "chair1", 80)
    _scored(org, case_id, "cm2", 90)
    other = _case(org, case_id, as_="cm2")
    assert other["state"] == "deliberation"
    assert {s["member"]: s["score"] for s in other["interview"]["scores"]} == {"chair1": 80, "cm1": 70, "cm2": 90}
    assert other["supervisor_score"] == 80
    assert [e["data"]["score"] for e in _history(org, case_id, as_="cm2") if e["event"] == "score"] == [
        "70", "80", "90"]


def test_scores_are_hidden_from_the_applicant_until_publication(org):
    appoint(org, "chair1", "cm1", "cm2")
    case_id = case_in_interview(org)
    for member, score in (("chair1", 80), ("cm1", 70), ("cm2", 90)):
        _scored(org, case_id, member, score)

    def assert_hidden(case: dict, history: list[dict]) -> None:
        assert case["interview"] is None
        for field in ("supervisor_score", "interview_score", "performance_score", "final_score", "rank"):
            assert case[field] is None, field
        hidden = {"score", "supervisor_score", "interview_score", "performance_score", "final_score", "rank"}
        assert all(hidden.isdisjoint(e["data"]) for e in history), history

    for viewer in ("e001", "s001"):  # the applicant and a line manager above the reviewer
        assert_hidden(_case(org, case_id, as_=viewer), _history(org, case_id, as_=viewer))

    assert org.post(f"/cycles/{CYCLE}/decide", as_=HR).status_code == 200
    case = _case(org, case_id, as_="e001")
    # the decision, like the scores, is announced by publication (公示)
    assert case["state"] == "decided" and case["outcome"] is None and case["reasons"] is None
    assert_hidden(case, _history(org, case_id, as_="e001"))
    assert all("outcome" not in e["data"] for e in _history(org, case_id, as_="e001"))

    assert org.post(f"/cycles/{CYCLE}/publish", as_=HR).status_code == 200
    case = _case(org, case_id, as_="e001")
    assert case["state"] == "published"
    # 0.3 × 80 + 0.4 × 80 + 0.3 × 90 = 83
    assert case["supervisor_score"] == 80 and case["interview_score"] == 80 and case["performance_score"] == 90
    assert case["final_score"] == 83 and case["rank"] == 1 and case["outcome"] == "approved"
    history = _history(org, case_id, as_="e001")
    assert [e["data"]["score"] for e in history if e["event"] == "score"] == ["80", "70", "90"]
    assert next(e for e in history if e["event"] == "decide")["data"]["final_score"] == "83.00"


def test_hr_sees_every_score_at_any_time(org):
    appoint(org, "chair1", "cm1", "cm2")
    case_id = case_in_interview(org)
    _scored(org, case_id, "cm1", 66.5)
    case = _case(org, case_id)
    assert case["supervisor_score"] == 80
    assert case["interview"]["scores"] == [{"member": "cm1", "score": 66.5, "comment": None, "counts": True}]
    assert [e["data"]["score"] for e in _history(org, case_id) if e["event"] == "score"] == ["66.5"]


def test_a_member_comment_on_a_score_is_kept(org):
    appoint(org, "chair1", "cm1", "cm2")
    case_id = case_in_interview(org)
    response = _score(org, case_id, "cm1", 77, comment="表达清晰")
    assert response.status_code == 200, response.get_json()
    assert _case(org, case_id)["interview"]["scores"] == [{"member": "cm1", "score": 77, "comment": "表达清晰", "counts": True}]
