"""POST /cycles/{code}/decide and the single-case approve/deny (domain.md "Scoring and the decision").

final = 0.3 supervisor + 0.4 interview + 0.3 latest annual performance, half-up to 2 decimals; the
interview score is the mean of the committee's scores, trimmed (one highest, one lowest) from 5 scores
on; pass mark 60; seniors at most 30 % of an org unit's active managers, ties broken by interview
score, time in grade, employee number.

The organisation and the steps of a case are tests.support.world and tests.support.steps.
"""
from __future__ import annotations

from datetime import date

import pytest

from tests.support.answers import assert_problem, ok
from tests.support.reads import case_of
from tests.support.steps import apply, decide, event, exited, hr_case, in_deliberation, overturned, review
from tests.support.world import (ADMIN, BOSS, COMMITTEE, CYCLE, FIVE, HR, SUPERVISOR, candidate, fillers, open_cycle,
                                 organisation)


# --- the score card ---------------------------------------------------------------------------

def test_final_score_weighs_supervisor_interview_and_latest_annual_performance_rounded_half_up(gf):
    organisation(gf)
    candidate(gf, "E001", performance="90")  # 2025 (the latest annual score) is corrected below
    gf.performance("E001", "2024", "50")
    gf.performance("E001", "2025", "75.10")
    gf.performance("E001", "2026Q2", "99", months_worked=3)  # a quarter is not an annual score
    case_id = in_deliberation(gf, "E001", supervisor="70.05", scores=80)

    decided = decide(gf)

    # 0.3 × 70.05 + 0.4 × 80 + 0.3 × 75.10 = 21.015 + 32 + 22.53 = 75.545 → 75.55 (half-even would give 75.54)
    assert decided[case_id] == {"case_id": case_id, "outcome": "approved", "final_score": 75.55, "rank": 1,
                                "reasons": []}
    shown = case_of(gf, case_id)
    assert (shown["state"], shown["outcome"], shown["rank"]) == ("decided", "approved", 1)
    assert (shown["supervisor_score"], shown["interview_score"], shown["performance_score"],
            shown["final_score"]) == (70.05, 80, 75.1, 75.55)


def test_interview_score_drops_one_highest_and_one_lowest_with_five_scores(gf):
    organisation(gf, committee=FIVE)
    candidate(gf, "E001", performance="80")
    case_id = in_deliberation(gf, "E001", supervisor=80, scores=[50, 70, 80, 90, 100], committee=FIVE)

    decided = decide(gf)

    shown = case_of(gf, case_id)
    assert shown["interview_score"] == 80  # (70 + 80 + 90) / 3; the plain mean would be 78
    assert decided[case_id]["final_score"] == 80  # 24 + 32 + 24


@pytest.mark.parametrize("committee, scores, mean, final", [
    (COMMITTEE, [60, 70, 95], 75, 78),  # 24 + 30 + 24
    (FIVE[:4], [40, 70, 80, 90], 70, 76),  # trimmed it would be 75
], ids=["three_members", "four_members"])
def test_interview_score_is_the_plain_mean_with_three_or_four_scores(gf, committee, scores, mean, final):
    organisation(gf, committee=committee)
    candidate(gf, "E001", performance="80")
    case_id = in_deliberation(gf, "E001", supervisor=80, scores=scores, committee=committee)

    decided = decide(gf)

    assert case_of(gf, case_id)["interview_score"] == mean
    assert decided[case_id]["final_score"] == final


def test_final_score_below_the_pass_mark_is_denied_below_pass_mark(gf):
    organisation(gf)
    candidate(gf, "E001", performance="59.97")
    candidate(gf, "E002", performance="60")
    below = in_deliberation(gf, "E001", supervisor=60, scores=60)
    at_mark = in_deliberation(gf, "E002", supervisor=60, scores=60)

    decided = decide(gf)

    # 18 + 24 + 17.991 = 59.991 → 59.99: denied; exactly 60.00 passes
    assert decided[below] == {"case_id": below, "outcome": "denied", "final_score": 59.99, "rank": 2,
                              "reasons": ["below_pass_mark"]}
    assert decided[at_mark] == {"case_id": at_mark, "outcome": "approved", "final_score": 60, "rank": 1,
                                "reasons": []}
    assert case_of(gf, below)["reasons"] == ["below_pass_mark"]


# --- the senior quota --------------------------------------------------------------------------

SHANGHAI = "上海分行"


def senior_candidates(gf, scores: dict[str, int], org_unit: str = SHANGHAI) -> dict[str, int]:
    """Mid managers of `org_unit` in deliberation for senior; supervisor score and interview score
    both `scores[no]`."""
    for no in scores:
        candidate(gf, no, "mid", org_unit=org_unit, performance="80")
    return {no: in_deliberation(gf, no, supervisor=score, scores=score, target="senior")
            for no, score in scores.items()}


def test_senior_quota_is_30_percent_of_active_managers_probation_included_minus_current_seniors(gf):
    organisation(gf)
    cases = senior_candidates(gf, {"M101": 90, "M102": 85, "M103": 80})
    gf.manager("M200", "senior", org_unit=SHANGHAI)
    gf.manager("M300", "probation", org_unit=SHANGHAI, grade_since=date(2026, 8, 1))
    fillers(gf, SHANGHAI, 5)
    # 10 active managers (3 mid, 1 senior, 1 on probation, 5 junior): floor(0.30 × 10) − 1 senior = 2 slots;
    # without the one on probation it would be floor(2.7) − 1 = 1

    decided = decide(gf)

    assert [(decided[cases[no]]["outcome"], decided[cases[no]]["rank"], decided[cases[no]]["reasons"])
            for no in ("M101", "M102", "M103")] == [
        ("approved", 1, []), ("approved", 2, []), ("denied", 3, ["quota_exceeded"])]
    assert decided[cases["M103"]]["final_score"] >= 60
    assert [case_of(gf, cases[no])["rank"] for no in ("M101", "M102", "M103")] == [1, 2, 3]


def test_exited_managers_do_not_count_toward_the_senior_quota(gf):
    organisation(gf)
    gf.manager("X001", "junior", org_unit=SHANGHAI)
    exited(gf, "X001")
    cases = senior_candidates(gf, {"M101": 90, "M102": 85})
    gf.manager("M200", "senior", org_unit=SHANGHAI)
    fillers(gf, SHANGHAI, 6)
    # 9 active (the exited one not counted): floor(2.7) − 1 = 1 slot; counting X001 would give floor(3.0) − 1 = 2

    decided = decide(gf)

    assert decided[cases["M101"]]["outcome"] == "approved"
    assert (decided[cases["M102"]]["outcome"], decided[cases["M102"]]["reasons"]) == ("denied", ["quota_exceeded"])


def test_approved_promotions_to_senior_not_yet_effective_take_quota_slots(gf):
    organisation(gf)
    for no in ("M101", "M102", "M103"):
        candidate(gf, no, "mid", org_unit=SHANGHAI, performance="80")
    fillers(gf, SHANGHAI, 6)
    earlier = senior_candidates(gf, {"M100": 90})
    assert decide(gf)[earlier["M100"]]["outcome"] == "approved"  # decided, not yet effective: M100 is still mid
    open_cycle(gf, "2026H2B")
    later = {no: in_deliberation(gf, no, supervisor=score, scores=score, target="senior", cycle="2026H2B")
             for no, score in (("M101", 90), ("M102", 85), ("M103", 80))}
    # 10 active, no senior yet: floor(3.0) = 3 slots, one of them taken by M100's approval

    decided = decide(gf, "2026H2B")

    assert [decided[later[no]]["outcome"] for no in ("M101", "M102", "M103")] == ["approved", "approved", "denied"]
    assert decided[later["M103"]]["reasons"] == ["quota_exceeded"]


def test_quota_ties_are_broken_by_interview_score_then_time_in_grade_then_employee_number(gf):
    organisation(gf)
    # every final score is 74; M104 has the best interview score (80 against 77) but the shortest time
    # in grade and the highest number; M103 has been mid longest; M101 and M102 differ only by number
    people = {"M104": (date(2025, 8, 1), 70, 80), "M103": (date(2024, 1, 1), 74, 77),
              "M101": (date(2025, 1, 1), 74, 77), "M102": (date(2025, 1, 1), 74, 77)}
    cases = {}
    for no, (since, supervisor, interview_score) in people.items():
        candidate(gf, no, "mid", org_unit=SHANGHAI, grade_since=since, performance="70")
        cases[no] = in_deliberation(gf, no, supervisor=supervisor, scores=interview_score, target="senior")
    gf.manager("M200", "senior", org_unit=SHANGHAI)
    fillers(gf, SHANGHAI, 5)  # 10 active, 1 senior: 2 slots

    decided = decide(gf)

    assert {decided[c]["final_score"] for c in cases.values()} == {74}
    assert [(no, decided[cases[no]]["rank"], decided[cases[no]]["outcome"], decided[cases[no]]["reasons"])
            for no in ("M104", "M103", "M101", "M102")] == [
        ("M104", 1, "approved", []), ("M103", 2, "approved", []),
        ("M101", 3, "denied", ["quota_exceeded"]), ("M102", 4, "denied", ["quota_exceeded"])]


# --- when a cycle can be decided, and by whom ---------------------------------------------------

def test_cycle_not_ready_while_a_case_is_submitted_returned_in_hr_review_or_interview(gf):
    organisation(gf)
    for no in ("E001", "E002", "E003", "E004", "E005"):
        candidate(gf, no)
    ready = in_deliberation(gf, "E001", supervisor=80, scores=80)
    submitted = apply(gf, "E002")
    returned = apply(gf, "E003")
    ok(event(gf, returned, "return_materials", BOSS, comment="补充材料"))
    hr_review = apply(gf, "E004", exceptional=True)
    assert review(gf, hr_review, 80)["state"] == "hr_review"
    in_interview = apply(gf, "E005")
    review(gf, in_interview, 80)
    ok(gf.put(f"/cases/{in_interview}/score", as_="cm2", json={"score": 80}))

    body = assert_problem(gf.post(f"/cycles/{CYCLE}/decide", as_=HR), 409, "cycle_not_ready")

    assert sorted((b["case_id"], b["state"]) for b in body["blocking_cases"]) == [
        (submitted, "submitted"), (returned, "returned"), (hr_review, "hr_review"), (in_interview, "interview")]
    assert case_of(gf, ready)["state"] == "deliberation"
    assert ok(gf.get(f"/cycles/{CYCLE}", as_=HR))["decided_at"] is None


def test_withdrawn_and_rejected_cases_do_not_block_the_decision(gf):
    organisation(gf)
    for no in ("E001", "E002", "E003"):
        candidate(gf, no)
    ready = in_deliberation(gf, "E001", supervisor=80, scores=80)
    withdrawn = apply(gf, "E002")
    assert ok(event(gf, withdrawn, "withdraw", "e002"))["state"] == "withdrawn"
    rejected = apply(gf, "E003")
    assert ok(event(gf, rejected, "reject_materials", BOSS))["state"] == "rejected"

    decided = decide(gf)

    assert list(decided) == [ready]
    assert case_of(gf, withdrawn)["state"] == "withdrawn" and case_of(gf, rejected)["state"] == "rejected"


def test_only_the_cycle_chair_or_hr_decides_a_cycle(gf):
    organisation(gf)
    candidate(gf, "E001")
    case_id = in_deliberation(gf, "E001", supervisor=80, scores=80)
    gf.user("cm9", "committee")  # holds the role, but sits on no committee of this cycle

    for caller in ("cm2", "cm9", BOSS, "e001", ADMIN):
        assert_problem(gf.post(f"/cycles/{CYCLE}/decide", as_=caller), 403, "forbidden")
    assert case_of(gf, case_id)["state"] == "deliberation"

    assert decide(gf, as_="chair")[case_id]["outcome"] == "approved"
    assert case_of(gf, case_id)["state"] == "decided"


def test_an_hr_user_who_applied_in_the_cycle_does_not_decide_it(gf):
    """Nobody decides their own case, whatever other roles they hold: an hr user who is also a manager
    and applied in the cycle may not take the cycle's decision (their own case is in it)."""
    organisation(gf)
    gf.manager("H001", supervisor=SUPERVISOR, login=True, roles=("employee", "hr"))
    gf.performance("H001", "2025", "80")
    own = in_deliberation(gf, "H001", supervisor=80, scores=80)

    assert_problem(gf.post(f"/cycles/{CYCLE}/decide", as_="h001"), 403, "forbidden")

    assert case_of(gf, own)["state"] == "deliberation"
    assert decide(gf, as_=HR)[own]["outcome"] == "approved"


def test_hr_decides_a_cycle(gf):
    organisation(gf)
    candidate(gf, "E001")
    case_id = in_deliberation(gf, "E001", supervisor=80, scores=80)

    assert decide(gf, as_=HR)[case_id]["outcome"] == "approved"


def test_a_decided_cycle_refuses_new_applications_cycle_open(gf):
    organisation(gf)
    candidate(gf, "E001")
    candidate(gf, "E002")
    in_deliberation(gf, "E001", supervisor=80, scores=80)
    decide(gf)

    response = gf.post("/cases", as_="e002", json={"cycle": CYCLE, "target_grade": "mid", "statement": "迟到的申请"})

    assert_problem(response, 422, "validation_error", field="cycle", rule="cycle_open")
    assert ok(gf.get("/cases?mine=true", as_="e002")) == []


# --- single-case decisions ---------------------------------------------------------------------

def test_approve_does_not_apply_to_a_cycle_case_before_the_cycle_decision(gf):
    organisation(gf)
    candidate(gf, "E001")
    case_id = in_deliberation(gf, "E001", supervisor=80, scores=80)

    for name in ("approve", "deny"):
        body = assert_problem(event(gf, case_id, name, HR), 409, "invalid_transition")
        assert body["state"] == "deliberation"
    assert case_of(gf, case_id)["outcome"] is None


def test_hr_opens_a_demotion_in_deliberation_and_hr_approves_it(gf):
    organisation(gf)
    candidate(gf, "D001", "mid")
    opened = hr_case(gf, "demotion", "D001")
    assert (opened["state"], opened["cycle"], opened["from_grade"], opened["target_grade"]) == (
        "deliberation", None, "mid", "junior")

    assert_problem(event(gf, opened["id"], "approve", BOSS), 403, "forbidden")
    assert_problem(event(gf, opened["id"], "approve", "chair"), 404, "not_found")  # no cycle: no chair, not seen
    decided = ok(event(gf, opened["id"], "approve", HR, comment="季度考核连续两次未达标"))

    assert (decided["state"], decided["outcome"], decided["reasons"]) == ("decided", "approved", [])
    assert ok(gf.get("/managers/D001", as_=HR))["grade"] == "mid"  # nothing moves before it is final


def test_hr_denies_a_demotion_on_review(gf):
    organisation(gf)
    candidate(gf, "D001", "mid")
    case_id = hr_case(gf, "demotion", "D001")["id"]

    decided = ok(event(gf, case_id, "deny", HR))

    assert (decided["state"], decided["outcome"], decided["reasons"]) == ("decided", "denied", ["denied_on_review"])


def test_a_re_decision_after_an_overturned_appeal_obeys_the_pass_mark(gf):
    organisation(gf)
    candidate(gf, "E001", performance="60")
    case_id = in_deliberation(gf, "E001", supervisor=50, scores=50)
    assert decide(gf)[case_id]["reasons"] == ["below_pass_mark"]  # 15 + 20 + 18 = 53
    overturned(gf, case_id, "e001")

    body = assert_problem(event(gf, case_id, "approve", HR), 409, "below_pass_mark")

    assert case_of(gf, case_id)["state"] == "deliberation"
    assert float(body["final_score"]) == 53
    denied = ok(event(gf, case_id, "deny", "chair"))
    assert (denied["state"], denied["outcome"], denied["reasons"]) == ("decided", "denied", ["below_pass_mark"])


def test_a_re_decision_after_an_overturned_appeal_obeys_the_quota_counted_at_the_re_decision(gf):
    organisation(gf)
    cases = senior_candidates(gf, {"M101": 90, "M102": 85})
    gf.manager("M200", "senior", org_unit=SHANGHAI)
    fillers(gf, SHANGHAI, 6)  # 9 active, 1 senior: 1 slot
    decided = decide(gf)
    assert decided[cases["M102"]]["reasons"] == ["quota_exceeded"]
    overturned(gf, cases["M102"], "m102")

    # M101's approval (published, not yet effective) still holds the only slot
    body = assert_problem(event(gf, cases["M102"], "approve", HR), 409, "quota_exceeded")
    assert (body["grade"], body["area"], body["active_managers"], body["holding"]) == ("senior", SHANGHAI, 9, 2)
    assert body["detail"] == ("上海分行 has no free senior slot: 2 hold or are promoted to it, and at most 30 % of 9 "
                              "active managers may")
    assert case_of(gf, cases["M102"])["state"] == "deliberation"

    gf.manager("M400", "junior", org_unit=SHANGHAI)  # 10 active now: floor(3.0) − 1 − 1 = 1 slot
    approved = ok(event(gf, cases["M102"], "approve", HR))
    assert (approved["state"], approved["outcome"], approved["reasons"]) == ("decided", "approved", [])
    assert approved["final_score"] == 83.5  # 25.5 + 34 + 24


# --- pass marks per component (issue 13, point 3) -----------------------------------------------

def test_a_component_below_its_own_pass_mark_is_denied_in_the_cycle_and_on_a_single_approval(build, tmp_path):
    from tests.support.driver import Driver
    from tests.support.policies import policy_file
    marked = Driver(build(GRADEFLOW_POLICY=policy_file(
        tmp_path, lambda document: document["scoring"].update(component_pass_marks={"interview": 60}))))
    organisation(marked)
    candidate(marked, "E001", performance="90")
    case_id = in_deliberation(marked, "E001", supervisor=90, scores=55)  # 27 + 22 + 27 = 76: the final passes

    decided = decide(marked)

    assert (decided[case_id]["outcome"], decided[case_id]["reasons"]) == ("denied", ["component_below_pass_mark"])
    overturned(marked, case_id, "e001")
    body = assert_problem(event(marked, case_id, "approve", HR), 409, "component_below_pass_mark")
    assert (body["component"], float(body["score"]), float(body["pass_mark"])) == ("interview", 55, 60)
    denied = ok(event(marked, case_id, "deny", HR))
    assert denied["reasons"] == ["component_below_pass_mark"]


def test_an_exam_component_enters_the_final_score_from_the_latest_recent_result(build, tmp_path):
    """0.2 × 90 + 0.3 × 80 + 0.3 × 70 + 0.2 × exam; without a result in the last 12 months the cycle cannot be
    decided (409 no_exam_result), as without an annual score."""
    from tests.support.driver import Driver
    from tests.support.policies import policy_file

    def weigh_an_exam(document):
        document["scoring"].update(weights={"supervisor": 0.2, "interview": 0.3, "performance": 0.3, "exam": 0.2},
                                   exam={"exam": "skills_test", "within_months": 12})
    gf = Driver(build(GRADEFLOW_POLICY=policy_file(tmp_path, weigh_an_exam)))
    organisation(gf)
    candidate(gf, "E001", performance="70")
    case_id = in_deliberation(gf, "E001", supervisor=90, scores=80)

    def record(taken_on: str, score: float) -> None:
        body = {"exam": "skills_test", "taken_on": taken_on, "score": score}
        assert gf.post("/managers/E001/exam-results", as_=HR, json=body).status_code == 201

    record("2025-08-31", 100)  # more than 12 months before 2026-09-01: it does not count
    body = assert_problem(gf.post(f"/cycles/{CYCLE}/decide", as_=HR), 409, "no_exam_result")
    assert (body["case_id"], body["exam"]) == (case_id, "skills_test")
    record("2026-01-10", 95)  # an older, better result: the latest counts
    record("2026-06-20", 55)

    decided = decide(gf)

    assert decided[case_id]["final_score"] == 74  # 18 + 24 + 21 + 11
    shown = case_of(gf, case_id)
    assert (shown["exam_score"], shown["final_score"]) == (55, 74)


def test_a_performance_component_of_the_last_quarters_enters_the_final_score(build, tmp_path):
    """scoring.performance {period: quarter, last: 2}: on 2026-09-01 the mean of 2026Q1 and 2026Q2 (not the annual
    score, nor the quarter under way); without one of them the cycle cannot be decided (409 no_period_results)."""
    from tests.support.driver import Driver
    from tests.support.policies import policy_file

    def last_two_quarters(document):
        document["scoring"]["performance"] = {"period": "quarter", "last": 2}
    gf = Driver(build(GRADEFLOW_POLICY=policy_file(tmp_path, last_two_quarters)))
    organisation(gf)
    candidate(gf, "E001", performance="70")
    gf.performance("E001", "2026Q2", "85", months_worked=3)
    gf.performance("E001", "2026Q3", "20", months_worked=2)  # under way: it does not count
    case_id = in_deliberation(gf, "E001", supervisor=90, scores=80)

    body = assert_problem(gf.post(f"/cycles/{CYCLE}/decide", as_=HR), 409, "no_period_results")
    assert (body["case_id"], body["periods"]) == (case_id, ["2026Q1"])
    gf.performance("E001", "2026Q1", "80.5", months_worked=3)

    decided = decide(gf)

    assert decided[case_id]["final_score"] == 83.83  # 0.3 × 90 + 0.4 × 80 + 0.3 × 82.75 = 83.825, half up
    assert case_of(gf, case_id)["performance_score"] == 82.75
