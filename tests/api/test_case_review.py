"""POST /cases/{id}/events before the interview: the supervisor's review of the materials, the
applicant's resubmission and withdrawal, hr's exception review, probation confirmations, who may
fire what (available_events), and optimistic locking (If-Match / version, ETag).

The organisation:

    S001 (supervisor)                P001 (supervisor, unrelated)
    └── S002 (supervisor)            N001 (employee only)
        ├── E001 (employee)          └── E009 (employee)
        └── PR01 (on probation since 2026-06-01)

Users are the employee numbers in lower case; hr1 and the committee (chair1, cm1, cm2) have no
employee number. The manual clock stands at 2026-09-01T09:00+08:00.
"""
from __future__ import annotations

from datetime import date

import pytest

from tests.support.answers import assert_problem
from tests.support.worlds import world_fixture

HR = "hr1"
CYCLE = "2026-H2"
SUPERVISOR_ROLES = ("employee", "supervisor")
COMMITTEE = ("chair1", "cm1", "cm2")


@pytest.fixture
@world_fixture
def org(gf):
    gf.user(HR, "hr")
    assert gf.post("/cycles", as_=HR, json={"code": CYCLE, "name": "2026 下半年"}).status_code == 201
    for username in COMMITTEE:
        gf.user(username, "committee")
    assert gf.put(f"/cycles/{CYCLE}/committee", as_=HR,
                  json={"chair": "chair1", "members": ["cm1", "cm2"]}).status_code == 200
    gf.manager("S001", "senior", login=True, roles=SUPERVISOR_ROLES)
    gf.manager("S002", "mid", supervisor="S001", login=True, roles=SUPERVISOR_ROLES)
    gf.manager("E001", "junior", supervisor="S002", login=True)
    gf.performance("E001", "2025", "90")
    gf.manager("P001", "senior", login=True, roles=SUPERVISOR_ROLES)
    gf.manager("N001", "mid", login=True)
    gf.manager("E009", "junior", supervisor="N001", login=True)
    gf.performance("E009", "2025", "90")
    gf.manager("PR01", "probation", supervisor="S002", grade_since=date(2026, 6, 1), login=True)
    return gf


def _apply(gf, *, exceptional: bool = False, as_: str = "e001") -> int:
    response = gf.post("/cases", as_=as_, json={"cycle": CYCLE, "target_grade": "senior" if exceptional else "mid",
                                                "statement": "申请晋升", "exceptional": exceptional})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _fire(gf, case_id: int, as_: str, event: str, **fields):
    return gf.post(f"/cases/{case_id}/events", as_=as_, json={"event": event, **fields})


def _moved(gf, case_id: int, as_: str, event: str, **fields) -> dict:
    response = _fire(gf, case_id, as_, event, **fields)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _case(gf, case_id: int, as_: str = HR) -> dict:
    return gf.case(case_id, as_)


def _history(gf, case_id: int) -> list[tuple[str, str, str, str]]:
    return [(e["actor"], e["event"], e["from_state"], e["to_state"]) for e in gf.history(case_id, HR)]


# Ways to bring a promotion case to each state.
def _in_submitted(gf) -> int:
    return _apply(gf)


def _in_returned(gf) -> int:
    case_id = _apply(gf)
    _moved(gf, case_id, "s002", "return_materials", comment="缺少业绩证明")
    return case_id


def _in_hr_review(gf) -> int:
    case_id = _apply(gf, exceptional=True)
    _moved(gf, case_id, "s002", "approve_materials", supervisor_score=90)
    return case_id


def _in_interview(gf) -> int:
    case_id = _apply(gf)
    _moved(gf, case_id, "s002", "approve_materials", supervisor_score=85)
    return case_id


def _in_deliberation(gf) -> int:
    case_id = _in_interview(gf)
    for member in COMMITTEE:
        assert gf.put(f"/cases/{case_id}/score", as_=member, json={"score": 80}).status_code == 200
    return case_id


def _in_rejected(gf) -> int:
    case_id = _apply(gf)
    _moved(gf, case_id, "s002", "reject_materials", comment="材料不实")
    return case_id


def _in_withdrawn(gf) -> int:
    case_id = _apply(gf)
    _moved(gf, case_id, "e001", "withdraw")
    return case_id


IN_STATE = {"submitted": _in_submitted, "returned": _in_returned, "hr_review": _in_hr_review,
            "interview": _in_interview, "deliberation": _in_deliberation, "rejected": _in_rejected,
            "withdrawn": _in_withdrawn}


# --- approve_materials and the supervisor score ------------------------------------------------

def test_approve_materials_moves_to_interview_with_the_supervisor_score(org):
    case_id = _apply(org)
    case = _moved(org, case_id, "s002", "approve_materials", supervisor_score=85.5, comment="材料齐全")
    assert case["state"] == "interview" and case["version"] == 2
    assert case["supervisor_score"] == 85.5  # the reviewer sees the score they gave
    assert _history(org, case_id)[-1] == ("s002", "approve_materials", "submitted", "interview")


def test_the_reason_a_supervisor_gives_with_their_score_is_recorded_in_the_history(org):
    case_id = _apply(org)
    _moved(org, case_id, "s002", "approve_materials", supervisor_score=85, reason="业绩材料完整")
    [entry] = [e for e in org.history(case_id, HR) if e["event"] == "approve_materials"]
    assert entry["data"] == {"supervisor_score": "85", "reason": "业绩材料完整"}


def test_approve_materials_needs_a_supervisor_score(org):
    case_id = _apply(org)
    assert_problem(_fire(org, case_id, "s002", "approve_materials"), 422, "validation_error",
                   field="supervisor_score", rule="required")
    case = _case(org, case_id)
    assert case["state"] == "submitted" and case["version"] == 1


@pytest.mark.parametrize("score, rule", [
    (-1, "score_range"),
    (-0.01, "score_range"),
    (100.01, "score_range"),
    (101, "score_range"),
    (85.123, "score_precision"),
    (0.001, "score_precision"),
])
def test_the_supervisor_score_is_0_to_100_with_at_most_2_decimals(org, score, rule):
    case_id = _apply(org)
    assert_problem(_fire(org, case_id, "s002", "approve_materials", supervisor_score=score), 422,
                   "validation_error", field="supervisor_score", rule=rule)
    assert _case(org, case_id)["state"] == "submitted"


@pytest.mark.parametrize("score", [0, 100, 59.99, 85.1, 85.12, "72.50"])
def test_a_supervisor_score_on_the_scale_is_accepted(org, score):
    case_id = _apply(org)
    case = _moved(org, case_id, "s002", "approve_materials", supervisor_score=score)
    assert case["state"] == "interview" and case["supervisor_score"] == float(score)


@pytest.mark.parametrize("event", ["return_materials", "reject_materials"])
def test_only_approve_materials_takes_a_supervisor_score(org, event):
    case_id = _apply(org)
    assert_problem(_fire(org, case_id, "s002", event, supervisor_score=80), 422, "validation_error",
                   field="supervisor_score", rule="not_for_event")
    assert _case(org, case_id)["state"] == "submitted"


# --- return, resubmit, reject ------------------------------------------------------------------

def test_return_materials_sends_the_case_back_and_resubmit_files_it_again(org):
    case_id = _apply(org)
    returned = _moved(org, case_id, "s002", "return_materials", comment="缺少业绩证明")
    assert returned["state"] == "returned"
    resubmitted = _moved(org, case_id, "e001", "resubmit", comment="已补充")
    assert resubmitted["state"] == "submitted" and resubmitted["version"] == 3
    assert _history(org, case_id) == [
        ("e001", "submit", None, "submitted"),
        ("s002", "return_materials", "submitted", "returned"),
        ("e001", "resubmit", "returned", "submitted"),
    ]
    # and the supervisor reviews the resubmitted materials like the first ones
    assert _moved(org, case_id, "s002", "approve_materials", supervisor_score=80)["state"] == "interview"


def test_reject_materials_is_terminal(org):
    case_id = _in_rejected(org)
    for user in ("e001", "s002", "s001", HR):
        assert _case(org, case_id, as_=user)["available_events"] == []
    for user, event in (("e001", "resubmit"), ("e001", "withdraw"), ("s002", "approve_materials")):
        fields = {"supervisor_score": 80} if event == "approve_materials" else {}
        body = assert_problem(_fire(org, case_id, user, event, **fields), 409, "invalid_transition")
        assert body["state"] == "rejected" and body["available_events"] == []
    assert _case(org, case_id)["state"] == "rejected"


def test_a_rejected_manager_may_apply_again(org):
    _in_rejected(org)
    _apply(org)


# --- withdraw ----------------------------------------------------------------------------------

@pytest.mark.parametrize("state", ["submitted", "returned", "hr_review", "interview"])
def test_the_applicant_withdraws_before_the_decision(org, state):
    case_id = IN_STATE[state](org)
    case = _moved(org, case_id, "e001", "withdraw", comment="个人原因")
    assert case["state"] == "withdrawn" and case["available_events"] == []
    assert _history(org, case_id)[-1] == ("e001", "withdraw", state, "withdrawn")


@pytest.mark.parametrize("state", ["deliberation", "rejected", "withdrawn"])
def test_withdraw_does_not_apply_from_deliberation_on(org, state):
    case_id = IN_STATE[state](org)
    body = assert_problem(_fire(org, case_id, "e001", "withdraw"), 409, "invalid_transition")
    assert body["state"] == state


@pytest.mark.parametrize("user", ["s002", HR, "chair1"])
def test_only_the_applicant_withdraws(org, user):
    case_id = _apply(org)
    assert_problem(_fire(org, case_id, user, "withdraw"), 403, "forbidden")
    assert _case(org, case_id)["state"] == "submitted"


# --- hr's exception review ---------------------------------------------------------------------

def test_hr_approves_the_exception_and_the_interview_begins(org):
    case_id = _in_hr_review(org)
    assert _moved(org, case_id, HR, "approve_exception", comment="业绩突出")["state"] == "interview"
    assert _history(org, case_id)[-1] == (HR, "approve_exception", "hr_review", "interview")


def test_hr_rejects_the_exception_and_the_case_is_rejected(org):
    case_id = _in_hr_review(org)
    case = _moved(org, case_id, HR, "reject_exception", comment="不符合破格条件")
    assert case["state"] == "rejected" and case["available_events"] == []


@pytest.mark.parametrize("user", ["s002", "e001", "chair1"])
@pytest.mark.parametrize("event", ["approve_exception", "reject_exception"])
def test_only_hr_decides_the_exception(org, user, event):
    case_id = _in_hr_review(org)
    assert_problem(_fire(org, case_id, user, event), 403, "forbidden")
    assert _case(org, case_id)["state"] == "hr_review"


def test_the_exception_review_is_only_for_exceptional_cases(org):
    case_id = _in_interview(org)
    body = assert_problem(_fire(org, case_id, HR, "approve_exception"), 409, "invalid_transition")
    assert body["state"] == "interview" and body["available_events"] == []


# --- only the applicant's direct supervisor reviews -------------------------------------------

@pytest.mark.parametrize("event, fields", [
    ("approve_materials", {"supervisor_score": 80}),
    ("return_materials", {}),
    ("reject_materials", {}),
])
def test_a_higher_line_manager_sees_the_case_but_does_not_review_it(org, event, fields):
    case_id = _apply(org)
    assert _case(org, case_id, as_="s001")["available_events"] == []
    assert_problem(_fire(org, case_id, "s001", event, **fields), 403, "forbidden")
    assert _case(org, case_id)["state"] == "submitted"


def test_an_unrelated_supervisor_does_not_see_the_case(org):
    case_id = _apply(org)
    assert_problem(org.get(f"/cases/{case_id}", as_="p001"), 404, "not_found")
    assert_problem(_fire(org, case_id, "p001", "approve_materials", supervisor_score=80), 404, "not_found")
    assert_problem(_fire(org, case_id, "p001", "return_materials"), 404, "not_found")
    assert _case(org, case_id)["state"] == "submitted"


def test_a_direct_superior_without_the_supervisor_role_does_not_review(org):
    case_id = _apply(org, as_="e009")
    assert_problem(_fire(org, case_id, "n001", "approve_materials", supervisor_score=80), 404, "not_found")


def test_the_direct_supervisor_is_the_one_at_the_time_of_the_review(org):
    case_id = _apply(org)
    assert org.patch("/managers/E001", as_=HR, json={"supervisor": "P001"}).status_code == 200
    assert_problem(_fire(org, case_id, "s002", "approve_materials", supervisor_score=80), 404, "not_found")
    assert _moved(org, case_id, "p001", "approve_materials", supervisor_score=80)["state"] == "interview"


def test_hr_does_not_review_materials(org):
    case_id = _apply(org)
    assert_problem(_fire(org, case_id, HR, "approve_materials", supervisor_score=80), 403, "forbidden")


def test_another_employee_does_not_see_the_case(org):
    case_id = _apply(org)
    assert_problem(_fire(org, case_id, "e009", "withdraw"), 404, "not_found")


def test_an_unknown_event_is_refused(org):
    case_id = _apply(org)
    assert_problem(_fire(org, case_id, "s002", "promote_now"), 422, "validation_error", field="event",
                   rule="one_of")
    assert_problem(_fire(org, case_id, "s002", "interview_complete"), 422, "validation_error", field="event",
                   rule="one_of")


# --- available_events: what each party may do in each state -----------------------------------

EXPECTED_EVENTS = {
    # state: {caller: events}
    "submitted": {"e001": {"withdraw"}, "s002": {"approve_materials", "return_materials", "reject_materials"},
                  "s001": set(), HR: set(), "chair1": set(), "cm1": set()},
    "returned": {"e001": {"resubmit", "withdraw"}, "s002": set(), "s001": set(), HR: set(), "chair1": set(),
                 "cm1": set()},
    "hr_review": {"e001": {"withdraw"}, "s002": set(), "s001": set(), HR: {"approve_exception", "reject_exception"},
                  "chair1": set(), "cm1": set()},
    "interview": {"e001": {"withdraw"}, "s002": set(), "s001": set(), HR: set(), "chair1": set(), "cm1": set()},
    "deliberation": {"e001": set(), "s002": set(), "s001": set(), HR: set(), "chair1": set(), "cm1": set()},
    "rejected": {"e001": set(), "s002": set(), "s001": set(), HR: set(), "chair1": set(), "cm1": set()},
    "withdrawn": {"e001": set(), "s002": set(), "s001": set(), HR: set(), "chair1": set(), "cm1": set()},
}


@pytest.mark.parametrize("state", list(EXPECTED_EVENTS))
def test_available_events_list_what_each_party_may_do_in_each_state(org, state):
    case_id = IN_STATE[state](org)
    for caller, expected in EXPECTED_EVENTS[state].items():
        case = _case(org, case_id, as_=caller)
        assert case["state"] == state
        assert set(case["available_events"]) == expected, (state, caller, case["available_events"])
    # and the list view agrees with the single view
    for caller, expected in EXPECTED_EVENTS[state].items():
        listed = org.get("/cases", as_=caller).get_json()
        assert [set(c["available_events"]) for c in listed if c["id"] == case_id] == [expected], (state, caller)


OFFERED = [(state, caller, event) for state, parties in EXPECTED_EVENTS.items()
           for caller, events in parties.items() for event in sorted(events)]


@pytest.mark.parametrize("state, caller, event", OFFERED)
def test_every_available_event_can_be_fired(org, state, caller, event):
    """Nothing is offered that then fails as forbidden or invalid (given its required input)."""
    case_id = IN_STATE[state](org)
    fields = {"supervisor_score": 80} if event == "approve_materials" else {}
    assert _fire(org, case_id, caller, event, **fields).status_code == 200, (state, caller, event)


# --- invalid transitions -----------------------------------------------------------------------

def test_an_event_that_does_not_apply_is_409_with_the_state_and_the_callers_events(org):
    case_id = _apply(org)
    body = assert_problem(_fire(org, case_id, "e001", "resubmit"), 409, "invalid_transition")
    assert body["state"] == "submitted" and body["available_events"] == ["withdraw"]


def test_an_invalid_transition_lists_only_the_callers_own_events(org):
    case_id = _in_returned(org)
    body = assert_problem(_fire(org, case_id, "s002", "approve_materials", supervisor_score=80), 409,
                          "invalid_transition")
    assert body["state"] == "returned" and body["available_events"] == []


def test_the_role_is_checked_before_the_state(org):
    case_id = _in_returned(org)
    # approve_exception is hr's; the applicant gets 403 although it does not apply in this state either
    assert_problem(_fire(org, case_id, "e001", "approve_exception"), 403, "forbidden")


# --- optimistic locking ------------------------------------------------------------------------

def test_a_case_carries_its_version_as_etag(org):
    case_id = _apply(org)
    response = org.get(f"/cases/{case_id}", as_="e001")
    assert response.headers["ETag"] == '"1"' and response.get_json()["version"] == 1
    moved = _fire(org, case_id, "s002", "return_materials")
    assert moved.headers["ETag"] == '"2"' and moved.get_json()["version"] == 2
    assert org.get(f"/cases/{case_id}", as_="e001").headers["ETag"] == '"2"'


def test_if_match_with_the_current_version_is_accepted(org):
    case_id = _apply(org)
    response = org.post(f"/cases/{case_id}/events", as_="s002", json={"event": "return_materials"},
                        headers={"If-Match": '"1"'})
    assert response.status_code == 200, response.get_json()
    response = org.post(f"/cases/{case_id}/events", as_="e001", json={"event": "resubmit"},
                        headers={"If-Match": 'W/"2"'})
    assert response.status_code == 200, response.get_json()
    assert _moved(org, case_id, "s002", "return_materials", version=3)["version"] == 4


def test_a_stale_if_match_is_a_version_conflict(org):
    case_id = _apply(org)
    _moved(org, case_id, "s002", "return_materials")
    response = org.post(f"/cases/{case_id}/events", as_="e001", json={"event": "resubmit"},
                        headers={"If-Match": '"1"'})
    body = assert_problem(response, 409, "version_conflict")
    assert body["version"] == 2
    case = _case(org, case_id)
    assert case["state"] == "returned" and case["version"] == 2


def test_a_stale_version_in_the_body_is_a_version_conflict(org):
    case_id = _apply(org)
    _moved(org, case_id, "s002", "return_materials")
    assert_problem(_fire(org, case_id, "e001", "withdraw", version=1), 409, "version_conflict")
    assert _case(org, case_id)["state"] == "returned"


def test_the_version_is_checked_before_the_callers_right_to_fire(org):
    case_id = _apply(org)
    assert_problem(_fire(org, case_id, "e001", "approve_materials", supervisor_score=80, version=7), 409,
                   "version_conflict")


def test_if_match_and_version_must_agree(org):
    case_id = _apply(org)
    response = org.post(f"/cases/{case_id}/events", as_="s002", json={"event": "return_materials", "version": 1},
                        headers={"If-Match": '"2"'})
    assert_problem(response, 422, "validation_error", field="version", rule="version_matches_if_match")


@pytest.mark.parametrize("tag", ['"abc"', '"\u00b2"', '"\u0663"'], ids=["letters", "superscript", "arabic-indic"])
def test_if_match_takes_a_case_version(org, tag):
    """A version is ASCII digits: "²" and "٣" are digits to Python's isdigit(), not versions."""
    case_id = _apply(org)
    response = org.post(f"/cases/{case_id}/events", as_="s002", json={"event": "return_materials"},
                        headers={"If-Match": tag.encode().decode("latin-1")})
    assert_problem(response, 422, "validation_error", field="If-Match", rule="version_tag")


def test_the_version_grows_by_one_per_event(org):
    case_id = _apply(org)
    versions = [_moved(org, case_id, "s002", "return_materials")["version"],
                _moved(org, case_id, "e001", "resubmit")["version"],
                _moved(org, case_id, "s002", "approve_materials", supervisor_score=80)["version"]]
    assert versions == [2, 3, 4]


def test_a_refused_event_leaves_the_version_alone(org):
    case_id = _apply(org)
    _fire(org, case_id, "s002", "approve_materials")
    _fire(org, case_id, "e001", "resubmit")
    _fire(org, case_id, "s001", "return_materials")
    assert _case(org, case_id)["version"] == 1


# --- probation confirmation --------------------------------------------------------------------

def _confirmation(gf) -> int:
    response = gf.post("/cases", as_=HR, json={"kind": "probation_confirmation", "employee_no": "PR01",
                                               "statement": "试用期满"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_the_supervisor_passes_probation_and_the_case_is_decided_approved(org):
    case_id = _confirmation(org)
    assert set(_case(org, case_id, as_="s002")["available_events"]) == {"pass_probation", "fail_probation"}
    case = _moved(org, case_id, "s002", "pass_probation", supervisor_score=82, comment="表现良好")
    assert case["state"] == "decided" and case["outcome"] == "approved" and case["reasons"] == []
    assert _history(org, case_id)[-1] == ("s002", "pass_probation", "submitted", "decided")
    assert _case(org, case_id)["available_events"] == ["publish"]  # hr publishes it on its own


def test_the_supervisor_fails_probation_and_the_case_is_decided_denied(org):
    case_id = _confirmation(org)
    case = _moved(org, case_id, "s002", "fail_probation", supervisor_score=40, comment="未达要求")
    assert case["state"] == "decided" and case["outcome"] == "denied"
    assert case["reasons"] == ["probation_failed"]


@pytest.mark.parametrize("event", ["pass_probation", "fail_probation"])
def test_a_probation_decision_needs_the_supervisor_score(org, event):
    case_id = _confirmation(org)
    assert_problem(_fire(org, case_id, "s002", event), 422, "validation_error", field="supervisor_score",
                   rule="required")
    assert _case(org, case_id)["state"] == "submitted"


@pytest.mark.parametrize("user, status", [("s001", 403), (HR, 403), ("pr01", 403), ("p001", 404)])
def test_only_the_direct_supervisor_decides_probation(org, user, status):
    case_id = _confirmation(org)
    response = _fire(org, case_id, user, "pass_probation", supervisor_score=80)
    assert response.status_code == status, response.get_json()
    assert _case(org, case_id)["state"] == "submitted"


@pytest.mark.parametrize("event", ["approve_materials", "return_materials", "reject_materials"])
def test_a_probation_confirmation_has_no_materials_review(org, event):
    case_id = _confirmation(org)
    fields = {"supervisor_score": 80} if event == "approve_materials" else {}
    body = assert_problem(_fire(org, case_id, "s002", event, **fields), 409, "invalid_transition")
    assert body["state"] == "submitted" and set(body["available_events"]) == {"pass_probation", "fail_probation"}


def test_a_promotion_is_not_decided_by_passing_probation(org):
    case_id = _apply(org)
    body = assert_problem(_fire(org, case_id, "s002", "pass_probation", supervisor_score=80), 409,
                          "invalid_transition")
    assert body["state"] == "submitted"


def test_the_person_on_probation_cannot_withdraw_the_confirmation(org):
    case_id = _confirmation(org)
    assert _case(org, case_id, as_="pr01")["available_events"] == []
    body = assert_problem(_fire(org, case_id, "pr01", "withdraw"), 409, "invalid_transition")
    assert body["state"] == "submitted"
