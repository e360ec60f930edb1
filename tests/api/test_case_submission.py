"""POST /cases: who opens which case, and the eligibility rules at submission (domain.md, seed 002's table).

The manual clock stands at 2026-09-01T09:00+08:00. Managers are created with grade_since 2025-01-01
unless a test says otherwise (so they meet every tenure rule), and their users are their employee
numbers in lower case.
"""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from models import db
from models.cases import Case, CaseHistory
from tests.support.answers import assert_problem
from tests.support.worlds import world_fixture

HR = "hr1"
CYCLE = "2026-H2"
SUPERVISOR_ROLES = ("employee", "supervisor")


@pytest.fixture
@world_fixture
def org(gf):
    """hr1, an open cycle, a supervisor S001 and a junior E001 (top of their unit) reporting to them."""
    gf.user(HR, "hr")
    assert gf.post("/cycles", as_=HR, json={"code": CYCLE, "name": "2026 下半年"}).status_code == 201
    gf.manager("S001", "senior", login=True, roles=SUPERVISOR_ROLES)
    gf.manager("E001", "junior", supervisor="S001", login=True)
    gf.performance("E001", "2025", "90")
    return gf


def _apply(gf, as_: str, **fields):
    body = {"cycle": CYCLE, "target_grade": "mid", "statement": "申请晋升中级客户经理"}
    body.update(fields)
    return gf.post("/cases", as_=as_, json=body)


def _refusal_rules(response) -> list[str]:
    body = assert_problem(response, 422, "not_eligible")
    assert all(set(reason) == {"rule", "detail"} and reason["detail"] for reason in body["reasons"]), body
    return [reason["rule"] for reason in body["reasons"]]


def _stored(app) -> tuple[int, int]:
    """(cases, history entries) in the database."""
    with app.app_context():
        counts = (db.session.scalar(sa.select(sa.func.count()).select_from(Case)),
                  db.session.scalar(sa.select(sa.func.count()).select_from(CaseHistory)))
        db.session.remove()
    return counts


def _history(gf, case_id: int, as_: str = HR) -> list[dict]:
    return gf.history(case_id, as_)


# --- who opens a case ------------------------------------------------------------------------

def test_an_employee_applies_for_their_own_promotion(org):
    response = _apply(org, "e001")
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    assert case["kind"] == "promotion" and case["cycle"] == CYCLE
    assert case["employee_no"] == "E001" and case["from_grade"] == "junior" and case["target_grade"] == "mid"
    assert case["state"] == "submitted" and case["version"] == 1 and case["exceptional"] is False
    assert case["outcome"] is None and case["created_by"] == "e001"
    assert case["available_events"] == ["withdraw"]
    assert response.headers["ETag"] == '"1"'
    history = _history(org, case["id"], as_="e001")
    assert len(history) == 1
    entry = history[0]
    assert entry["event"] == "submit" and entry["actor"] == "e001"
    assert entry["from_state"] is None and entry["to_state"] == "submitted"
    assert entry["data"] == {"kind": "promotion", "target_grade": "mid", "exceptional": False}


def test_hr_applies_on_behalf_of_any_manager(org):
    response = _apply(org, HR, employee_no="E001")
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    assert case["employee_no"] == "E001" and case["state"] == "submitted" and case["created_by"] == HR
    assert _history(org, case["id"])[0]["actor"] == HR


def test_an_employee_may_not_apply_for_someone_else(org):
    org.manager("E002", "junior", supervisor="S001", login=True)
    org.performance("E002", "2025", "80")
    assert_problem(_apply(org, "e002", employee_no="E001"), 403, "forbidden")
    assert _stored(org.app) == (0, 0)


def test_an_employee_naming_their_own_number_applies_for_themselves(org):
    response = _apply(org, "e001", employee_no="E001")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["employee_no"] == "E001"


def test_hr_names_an_existing_manager(org):
    response = _apply(org, HR, employee_no="NOSUCH9")
    assert_problem(response, 422, "validation_error", field="employee_no", rule="known_manager")


def test_hr_without_a_manager_record_must_name_whose_case_it_is(org):
    assert_problem(_apply(org, HR), 422, "validation_error", field="employee_no", rule="required")


@pytest.mark.parametrize("kind", ["probation_confirmation", "demotion", "exit"])
def test_only_hr_opens_cases_other_than_promotion(org, kind):
    response = org.post("/cases", as_="e001", json={"kind": kind, "statement": "自己发起"})
    assert_problem(response, 403, "forbidden")
    assert _stored(org.app) == (0, 0)


def test_a_supervisor_does_not_open_a_case_for_a_report(org):
    assert_problem(_apply(org, "s001", employee_no="E001"), 403, "forbidden")


# --- a refusal names every failed rule and stores nothing ------------------------------------

def test_a_refusal_names_every_failed_rule_at_once_and_stores_nothing(org):
    # E002: only 3 months as junior, and last of 5 juniors of the unit
    org.manager("E002", "junior", supervisor="S001", grade_since=date(2026, 6, 1), login=True)
    for no, score in (("E003", "88"), ("E004", "86"), ("E005", "84")):
        org.manager(no, "junior")
        org.performance(no, "2025", score)
    org.performance("E002", "2025", "60")

    response = _apply(org, "e002")

    assert sorted(_refusal_rules(response)) == ["performance_rank", "tenure"]
    assert _stored(org.app) == (0, 0)
    listed = org.get("/cases", as_=HR)
    assert listed.status_code == 200 and listed.get_json() == [] and listed.headers["X-Total-Count"] == "0"
    assert org.get("/cases?mine=true", as_="e002").get_json() == []


def test_a_refused_application_can_be_made_once_the_rules_are_met(org):
    org.manager("E002", "junior", supervisor="S001", grade_since=date(2026, 6, 1), login=True)
    org.performance("E002", "2025", "95")
    assert _refusal_rules(_apply(org, "e002")) == ["tenure"]
    moved = org.put("/clock", as_=org.user("admin1", "admin"), json={"now": "2026-12-01T09:00:00+08:00"})
    assert moved.status_code == 200, moved.get_json()
    response = _apply(org, "e002")
    assert response.status_code == 201, response.get_json()
    assert [e["event"] for e in _history(org, response.get_json()["id"])] == ["submit"]


# --- tenure in the current grade ---------------------------------------------------------------

@pytest.mark.parametrize("grade, target, grade_since, eligible", [
    pytest.param("junior", "mid", date(2026, 3, 1), True, id="mid_after_exactly_6_months_as_junior"),
    pytest.param("junior", "mid", date(2026, 3, 2), False, id="mid_one_day_short_of_6_months"),
    pytest.param("mid", "senior", date(2025, 9, 1), True, id="senior_after_exactly_12_months_as_mid"),
    pytest.param("mid", "senior", date(2025, 9, 2), False, id="senior_one_day_short_of_12_months"),
    pytest.param("mid", "senior", date(2026, 3, 1), False, id="senior_after_only_6_months_as_mid"),
])
def test_tenure_in_the_current_grade_is_6_months_for_mid_and_12_for_senior(org, grade, target, grade_since,
                                                                           eligible):
    org.manager("M001", grade, supervisor="S001", grade_since=grade_since, login=True)
    org.performance("M001", "2025", "99")
    response = _apply(org, "m001", target_grade=target)
    if eligible:
        assert response.status_code == 201, response.get_json()
    else:
        assert _refusal_rules(response) == ["tenure"]


# --- performance rank: same grade, same org unit, latest annual score ----------------------------

def _unit(gf, grade: str, scores: dict[str, str], org_unit: str = "上海分行") -> None:
    for no, score in scores.items():
        gf.manager(no, grade, supervisor="S001", org_unit=org_unit, login=True)
        gf.performance(no, "2025", score)


@pytest.mark.parametrize("applicant, eligible", [
    ("J01", True), ("J02", True), ("J03", True),  # ranks 1, 1, 3: within ceil(0.6 × 5) = 3
    ("J04", False), ("J05", False),  # ranks 4 and 5 (a dense ranking would make J4 third)
])
def test_mid_needs_the_top_60_percent_by_competition_ranking(org, applicant, eligible):
    _unit(org, "junior", {"J01": "90", "J02": "90", "J03": "80", "J04": "70", "J05": "60"})
    response = _apply(org, applicant.lower())
    if eligible:
        assert response.status_code == 201, response.get_json()
    else:
        assert _refusal_rules(response) == ["performance_rank"]


@pytest.mark.parametrize("applicant, eligible", [
    ("J01", True), ("J02", True), ("J03", True), ("J04", True),  # ranks 1, 2, 2, 2 (ties share the better rank)
    ("J05", False),  # rank 5
])
def test_tied_managers_share_the_better_rank(org, applicant, eligible):
    _unit(org, "junior", {"J01": "95", "J02": "85", "J03": "85", "J04": "85", "J05": "70"})
    response = _apply(org, applicant.lower())
    assert (response.status_code == 201) is eligible, response.get_json()


@pytest.mark.parametrize("applicant, eligible", [("J03", True), ("J04", False)])
def test_the_rank_cutoff_is_rounded_up(org, applicant, eligible):
    # 4 juniors: 60 % of 4 is 2.4, so ranks 1..3 are in (rounding down would stop at 2)
    _unit(org, "junior", {"J01": "90", "J02": "85", "J03": "80", "J04": "75"})
    response = _apply(org, applicant.lower())
    assert (response.status_code == 201) is eligible, response.get_json()


@pytest.mark.parametrize("applicant, eligible", [("M02", True), ("M03", False)])
def test_senior_needs_the_top_40_percent_rounded_up(org, applicant, eligible):
    # 4 mids: 40 % of 4 is 1.6, so ranks 1..2 are in
    _unit(org, "mid", {"M01": "90", "M02": "85", "M03": "80", "M04": "75"})
    response = _apply(org, applicant.lower(), target_grade="senior")
    if eligible:
        assert response.status_code == 201, response.get_json()
    else:
        assert _refusal_rules(response) == ["performance_rank"]


def test_the_rank_compares_only_the_same_grade_in_the_same_org_unit(org):
    # J1 would be last among all juniors, but is first in 广州分行 (and mids of the unit do not count)
    _unit(org, "junior", {"J02": "99", "J03": "98", "J04": "97"}, org_unit="上海分行")
    _unit(org, "junior", {"J01": "70"}, org_unit="广州分行")
    _unit(org, "mid", {"M01": "99", "M02": "98"}, org_unit="广州分行")
    response = _apply(org, "j01")
    assert response.status_code == 201, response.get_json()


def test_the_rank_uses_the_latest_annual_score(org):
    _unit(org, "junior", {"J01": "90", "J02": "80", "J03": "70"})  # 2025: J3 is third of 3, cutoff 2
    org.performance("J03", "2024", "99")
    org.performance("J01", "2024", "60")
    assert _refusal_rules(_apply(org, "j03")) == ["performance_rank"]


def test_without_an_annual_score_there_is_no_rank(org):
    org.manager("E009", "junior", supervisor="S001", login=True)
    assert _refusal_rules(_apply(org, "e009")) == ["performance_rank"]


# --- one step at a time, exceptional promotion ------------------------------------------------

def test_promotion_is_one_step_at_a_time(org):
    response = _apply(org, "e001", target_grade="senior")
    assert "one_step_at_a_time" in _refusal_rules(response)


def test_promotion_goes_up(org):
    assert _refusal_rules(_apply(org, "e001", target_grade="junior")) == ["promotion_goes_up"]


def test_the_target_is_a_grade_of_the_ladder(org):
    assert _refusal_rules(_apply(org, "e001", target_grade="director")) == ["known_grade"]


def test_an_exceptional_promotion_may_skip_one_grade_and_ignores_tenure(org):
    org.manager("E002", "junior", supervisor="S001", grade_since=date(2026, 8, 1), login=True)
    org.performance("E002", "2025", "99")
    response = _apply(org, "e002", target_grade="senior", exceptional=True)
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    assert case["exceptional"] is True and case["from_grade"] == "junior" and case["target_grade"] == "senior"
    assert case["state"] == "submitted"


def test_an_exceptional_promotion_still_needs_the_performance_rank(org):
    _unit(org, "junior", {"J01": "90", "J02": "80", "J03": "70"})
    response = _apply(org, "j03", target_grade="senior", exceptional=True)
    assert _refusal_rules(response) == ["performance_rank"]


def test_an_exceptional_promotion_goes_through_hr_review_after_the_materials(org):
    case = _apply(org, "e001", target_grade="senior", exceptional=True).get_json()
    response = org.post(f"/cases/{case['id']}/events", as_="s001",
                        json={"event": "approve_materials", "supervisor_score": 88})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["state"] == "hr_review"
    response = org.post(f"/cases/{case['id']}/events", as_=HR, json={"event": "approve_exception"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["state"] == "interview"
    assert [(e["event"], e["to_state"]) for e in _history(org, case["id"])] == [
        ("submit", "submitted"), ("approve_materials", "hr_review"), ("approve_exception", "interview")]


def test_an_ordinary_promotion_skips_hr_review(org):
    case = _apply(org, "e001").get_json()
    response = org.post(f"/cases/{case['id']}/events", as_="s001",
                        json={"event": "approve_materials", "supervisor_score": 88})
    assert response.get_json()["state"] == "interview"


def test_only_a_promotion_is_exceptional(org):
    org.manager("M001", "mid", supervisor="S001")
    response = org.post("/cases", as_=HR, json={"kind": "demotion", "employee_no": "M001", "statement": "降级",
                                                "exceptional": True})
    assert_problem(response, 422, "validation_error", field="exceptional", rule="exceptional_promotion")


# --- probation ----------------------------------------------------------------------------------

def test_a_manager_on_probation_does_not_apply_for_promotion(org):
    org.manager("P001", "probation", supervisor="S001", grade_since=date(2025, 1, 1), login=True)
    org.performance("P001", "2025", "99")
    response = _apply(org, "p001", target_grade="junior")
    assert _refusal_rules(response) == ["probation_confirmation"]
    assert _stored(org.app) == (0, 0)


def _confirmation(gf, employee_no: str):
    return gf.post("/cases", as_=HR, json={"kind": "probation_confirmation", "employee_no": employee_no,
                                           "statement": "试用期满, 申请转正"})


def test_hr_opens_a_probation_confirmation_once_probation_has_ended(org):
    org.manager("P001", "probation", supervisor="S001", grade_since=date(2026, 6, 1))  # 3 months ago today
    response = _confirmation(org, "P001")
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    assert case["kind"] == "probation_confirmation" and case["cycle"] is None
    assert case["from_grade"] == "probation" and case["target_grade"] == "junior"
    assert case["state"] == "submitted" and case["version"] == 1


def test_a_probation_confirmation_waits_for_the_end_of_probation(org):
    org.manager("P001", "probation", supervisor="S001", grade_since=date(2026, 6, 2))  # ends 2026-09-02
    assert _refusal_rules(_confirmation(org, "P001")) == ["probation_ended"]
    assert _stored(org.app) == (0, 0)


def test_a_probation_confirmation_is_for_a_manager_on_probation(org):
    assert _refusal_rules(_confirmation(org, "E001")) == ["on_probation"]


# --- one open case per manager ----------------------------------------------------------------

def test_a_manager_has_one_open_case_at_a_time(org):
    first = _apply(org, "e001")
    assert first.status_code == 201
    second = _apply(org, "e001")
    assert _refusal_rules(second) == ["one_open_case"]
    assert str(first.get_json()["id"]) in second.get_json()["reasons"][0]["detail"]
    assert _stored(org.app) == (1, 1)


def test_one_open_case_counts_cases_of_any_kind(org):
    assert _apply(org, "e001").status_code == 201
    response = org.post("/cases", as_=HR, json={"kind": "exit", "employee_no": "E001", "statement": "劝退"})
    assert _refusal_rules(response) == ["one_open_case"]

    org.manager("M001", "mid", supervisor="S001", login=True)
    org.performance("M001", "2025", "99")
    demotion = org.post("/cases", as_=HR, json={"kind": "demotion", "employee_no": "M001", "statement": "降级"})
    assert demotion.status_code == 201, demotion.get_json()
    assert _refusal_rules(_apply(org, "m001", target_grade="senior")) == ["one_open_case"]


def test_one_open_case_is_named_together_with_the_other_failed_rules(org):
    assert _apply(org, "e001").status_code == 201
    assert sorted(_refusal_rules(_apply(org, "e001", target_grade="senior"))) == [
        "one_open_case", "one_step_at_a_time"]


def test_a_finished_case_makes_room_for_a_new_one(org):
    case = _apply(org, "e001").get_json()
    assert org.post(f"/cases/{case['id']}/events", as_="e001", json={"event": "withdraw"}).status_code == 200
    response = _apply(org, "e001")
    assert response.status_code == 201, response.get_json()


# --- demotion and exit -------------------------------------------------------------------------

@pytest.mark.parametrize("kind, grade, implied", [
    ("demotion", "mid", "junior"),
    ("demotion", "senior", "mid"),
    ("exit", "junior", "exited"),
    ("exit", "senior", "exited"),
])
def test_demotion_and_exit_cases_start_in_deliberation_with_the_implied_target(org, kind, grade, implied):
    org.manager("M001", grade, supervisor="S001")
    response = org.post("/cases", as_=HR, json={"kind": kind, "employee_no": "M001", "statement": "年度评价不合格"})
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    assert case["kind"] == kind and case["cycle"] is None
    assert case["from_grade"] == grade and case["target_grade"] == implied
    assert case["state"] == "deliberation" and case["version"] == 1
    history = _history(org, case["id"])
    assert [(e["event"], e["from_state"], e["to_state"]) for e in history] == [("submit", None, "deliberation")]


def test_a_demotion_names_no_other_target_than_the_implied_one(org):
    org.manager("M001", "senior", supervisor="S001")
    response = org.post("/cases", as_=HR, json={"kind": "demotion", "employee_no": "M001", "target_grade": "junior",
                                                "statement": "降级"})
    assert_problem(response, 422, "validation_error", field="target_grade", rule="target_for_kind")


def test_a_manager_at_the_demotion_floor_is_not_demotable(org):
    assert _refusal_rules(org.post("/cases", as_=HR, json={"kind": "demotion", "employee_no": "E001",
                                                           "statement": "降级"})) == ["demotable"]


# --- the cycle ---------------------------------------------------------------------------------

def test_a_promotion_needs_a_cycle(org):
    response = org.post("/cases", as_="e001", json={"target_grade": "mid", "statement": "申请"})
    assert_problem(response, 422, "validation_error", field="cycle", rule="required")


def test_every_missing_or_unknown_input_is_named_at_once(org):
    """api.md: invalid values are 422 validation_error naming each field."""
    body = assert_problem(org.post("/cases", as_="e001", json={"statement": "申请"}), 422, "validation_error",
                          field="cycle", rule="required")
    assert {(e["field"], e["rule"]) for e in body["errors"]} == {("cycle", "required"), ("target_grade", "required")}
    body = assert_problem(org.post("/cases", as_=HR, json={"employee_no": "NOSUCH9", "cycle": "2099-X",
                                                           "target_grade": "mid", "statement": "申请"}),
                          422, "validation_error", field="employee_no", rule="known_manager")
    assert {(e["field"], e["rule"]) for e in body["errors"]} == {("employee_no", "known_manager"),
                                                                 ("cycle", "known_cycle")}


def test_a_promotion_names_a_known_cycle(org):
    assert_problem(_apply(org, "e001", cycle="2099-X"), 422, "validation_error", field="cycle", rule="known_cycle")


@pytest.mark.parametrize("kind, grade", [("demotion", "mid"), ("exit", "junior")])
def test_a_case_other_than_promotion_belongs_to_no_cycle(org, kind, grade):
    org.manager("M001", grade, supervisor="S001")
    response = org.post("/cases", as_=HR, json={"kind": kind, "employee_no": "M001", "cycle": CYCLE,
                                                "statement": "降级"})
    assert_problem(response, 422, "validation_error", field="cycle", rule="no_cycle")
    assert _stored(org.app) == (0, 0)


def test_a_decided_cycle_takes_no_more_applications(org):
    for username in ("chair1", "cm1", "cm2"):
        org.user(username, "committee")
    assert org.put(f"/cycles/{CYCLE}/committee", as_=HR,
                   json={"chair": "chair1", "members": ["cm1", "cm2"]}).status_code == 200
    case = _apply(org, "e001").get_json()
    assert org.post(f"/cases/{case['id']}/events", as_="s001",
                    json={"event": "approve_materials", "supervisor_score": 80}).status_code == 200
    for member in ("chair1", "cm1", "cm2"):
        assert org.put(f"/cases/{case['id']}/score", as_=member, json={"score": 80}).status_code == 200
    decided = org.post(f"/cycles/{CYCLE}/decide", as_=HR)
    assert decided.status_code == 200, decided.get_json()

    org.manager("E002", "junior", supervisor="S001", login=True)
    org.performance("E002", "2025", "95")
    assert_problem(_apply(org, "e002"), 422, "validation_error", field="cycle", rule="cycle_open")


def test_an_open_cycle_without_decisions_still_takes_applications_after_an_empty_decide(org):
    assert org.post(f"/cycles/{CYCLE}/decide", as_=HR).status_code == 200
    assert _apply(org, "e001").status_code == 201


# --- input hygiene -----------------------------------------------------------------------------

def test_unknown_fields_are_refused(org):
    response = _apply(org, "e001", grade_since="2020-01-01")
    assert_problem(response, 422, "validation_error", field="grade_since", rule="unknown_field")
    assert _stored(org.app) == (0, 0)


@pytest.mark.parametrize("field, value", [
    ("statement", "申请\x00晋升"),
    ("statement", "申请\x1b[31m晋升"),
    ("cycle", "2026-H2\x07"),
    ("target_grade", "mid\n"),
])
def test_control_characters_are_refused(org, field, value):
    response = _apply(org, "e001", **{field: value})
    assert_problem(response, 422, "validation_error", field=field, rule="no_control_characters")
    assert _stored(org.app) == (0, 0)


def test_a_statement_is_required_and_not_blank(org):
    body = {"cycle": CYCLE, "target_grade": "mid"}
    assert_problem(org.post("/cases", as_="e001", json=body), 422, "validation_error", field="statement",
                   rule="required")
    assert_problem(_apply(org, "e001", statement="   "), 422, "validation_error", field="statement", rule="length")


def test_an_unknown_kind_is_refused(org):
    assert_problem(_apply(org, "e001", kind="transfer"), 422, "validation_error", field="kind", rule="one_of")


def test_the_statement_keeps_any_unicode(org):
    response = _apply(org, "e001", statement="申请晋升 𠮷 ✓")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["statement"] == "申请晋升 𠮷 ✓"


# --- education and recent results, where the policy asks for them (issue 13, point 4) -------------------------

@pytest.fixture
def demanding(build, org, tmp_path):
    """The app under a policy whose mid needs 大专 or above (head office waived) and 70 in each of the last two
    quarters; on 2026-09-01 those are 2026Q2 and 2026Q1."""
    from tests.support.driver import Driver
    from tests.support.policies import policy_file

    def demand(document):
        document["eligibility"]["education_levels"] = ["高中", "中专", "大专", "本科"]
        document["eligibility"]["targets"]["mid"].update(
            min_education="大专", education_waived_in=["总行"],
            min_recent_results={"period": "quarter", "count": 2, "min_score": 70})
    return Driver(build(GRADEFLOW_POLICY=policy_file(tmp_path, demand)))


def test_education_and_recent_results_refuse_an_application_naming_each_rule(demanding):
    demanding.performance("E001", "2026Q2", "69.5", months_worked=3)
    response = _apply(demanding, "e001")
    assert _refusal_rules(response) == ["education", "recent_results"]
    details = {r["rule"]: r["detail"] for r in response.get_json()["reasons"]}
    assert details["education"] == "mid needs 大专 or above; no education is recorded"
    assert details["recent_results"].endswith("(2026Q2, 2026Q1); 2026Q2 scored 69.5; 2026Q1 has no record")
    assert _stored(demanding.app) == (0, 0)


def test_with_the_education_and_the_results_the_application_is_taken(demanding):
    assert demanding.patch("/managers/E001", as_=HR, json={"education": "本科"}).status_code == 200
    demanding.performance("E001", "2026Q1", "70", months_worked=3)
    demanding.performance("E001", "2026Q2", "85", months_worked=3)
    response = _apply(demanding, "e001")
    assert response.status_code == 201, response.get_json()


def test_head_office_is_spared_the_education_rule_not_the_results(demanding):
    demanding.manager("H001", "junior", org_unit="总行", login=True)
    demanding.performance("H001", "2025", "90")
    assert _refusal_rules(_apply(demanding, "h001")) == ["recent_results"]



@pytest.fixture
def limited(build, org, tmp_path):
    """The app under a policy whose mid is open up to the age of 40 and needs 营销师 (issue 13, point 4)."""
    from tests.support.driver import Driver
    from tests.support.policies import policy_file

    def limit(document):
        document["eligibility"]["targets"]["mid"].update(max_age=40, certificates=["营销师"])
    return Driver(build(GRADEFLOW_POLICY=policy_file(tmp_path, limit)))


def test_an_age_limit_and_certificates_refuse_an_application_naming_each_rule(limited):
    assert limited.patch("/managers/E001", as_=HR, json={"birth_date": "1985-08-31"}).status_code == 200
    response = _apply(limited, "e001")
    assert _refusal_rules(response) == ["age", "certificates"]
    details = {r["rule"]: r["detail"] for r in response.get_json()["reasons"]}
    assert details["age"] == "mid is open up to the age of 40; the manager is 41"  # on 2026-09-01
    assert details["certificates"] == "mid needs the certificates 营销师; missing: 营销师"
    assert _stored(limited.app) == (0, 0)


def test_young_enough_and_certified_the_application_is_taken(limited):
    ok = limited.patch("/managers/E001", as_=HR, json={"birth_date": "1985-09-02", "certificates": ["营销师"]})
    assert ok.status_code == 200
    response = _apply(limited, "e001")  # 40 until 2026-09-02
    assert response.status_code == 201, response.get_json()


def test_a_case_records_the_policy_in_force_when_it_was_opened(org, demanding):
    """The shared app runs the default policy; `demanding` another file: each case names its own (in a cycle of
    its own: a cycle's cases follow the version of its first case)."""
    from workflow.policy import load_policy
    opened = _apply(org, "e001")
    assert opened.status_code == 201, opened.get_json()
    assert opened.get_json()["policy"] == load_policy().reference == f"default@{load_policy().version}"
    demanding.manager("H001", "junior", org_unit="总行", login=True)
    demanding.performance("H001", "2025", "90")
    for period in ("2026Q1", "2026Q2"):
        demanding.performance("H001", period, "80", months_worked=3)
    assert demanding.post("/cycles", as_=HR, json={"code": "2027-H1", "name": "2027 上半年"}).status_code == 201
    other = _apply(demanding, "h001", cycle="2027-H1")
    assert other.status_code == 201, other.get_json()
    theirs, ours = other.get_json()["policy"], opened.get_json()["policy"]
    assert theirs.startswith("default@") and theirs != ours  # the same name, other rules: another version
