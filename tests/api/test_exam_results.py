"""Exam results (issue 13, point 4): hr enters a manager's result in an exam once, nothing overwrites it, each
result is a link of the audit chain; a policy's exam pass mark (min_exam) refuses an application naming the rule
`exam` until a recent enough result reaches it."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from models import AuditLink, db
from models.audit import verify_chain
from tests.support.answers import assert_problem
from tests.support.driver import Driver
from tests.support.policies import policy_file
from tests.support.steps import apply
from tests.support.world import CYCLE, HR, candidate, organisation

RESULT = {"exam": "skills_test", "taken_on": "2026-06-20", "score": 75}


def post(gf, no: str = "E001", **changes):
    return gf.post(f"/managers/{no}/exam-results", as_=HR, json={**RESULT, **changes})


def test_hr_enters_results_and_each_reader_of_the_manager_sees_them_oldest_first(gf):
    organisation(gf)
    candidate(gf, "E001")
    entered = post(gf, taken_on="2026-06-20")
    assert entered.status_code == 201, entered.get_json()
    assert entered.get_json() == {"exam": "skills_test", "taken_on": "2026-06-20", "score": 75,
                                  "recorded_at": "2026-09-01T09:00:00+08:00", "recorded_by": HR}
    assert post(gf, taken_on="2025-06-20", score=58.5).status_code == 201
    shown = gf.get("/managers/E001/exam-results", as_="e001")
    assert [(r["taken_on"], r["score"]) for r in shown.get_json()] == [("2025-06-20", 58.5), ("2026-06-20", 75)]


def test_a_result_is_entered_once_and_never_overwritten(gf):
    organisation(gf)
    candidate(gf, "E001")
    assert post(gf).status_code == 201
    assert_problem(post(gf, score=95), 409, "exam_result_exists")
    assert [r["score"] for r in gf.get("/managers/E001/exam-results", as_=HR).get_json()] == [75]


@pytest.mark.parametrize("changes, field, rule", [
    ({"exam": "技能鉴定"}, "exam", "exam_code"),
    ({"exam": "x" * 33}, "exam", "length"),
    ({"exam": None}, "exam", "not_null"),
    ({"taken_on": "2026-09-02"}, "taken_on", "not_in_future"),
    ({"taken_on": "2026-02-30"}, "taken_on", "type"),
    ({"score": 100.5}, "score", "score_range"),
    ({"score": -0.5}, "score", "score_range"),
    ({"score": 75.555}, "score", "score_precision"),
])
def test_a_bad_result_is_refused_naming_the_field_and_nothing_is_stored(gf, changes, field, rule):
    organisation(gf)
    candidate(gf, "E001")
    assert_problem(post(gf, **changes), 422, "validation_error", field=field, rule=rule)
    assert gf.get("/managers/E001/exam-results", as_=HR).get_json() == []


def test_a_result_of_today_is_taken_and_one_for_an_unknown_manager_is_not_found(gf):
    organisation(gf)
    candidate(gf, "E001")
    assert post(gf, taken_on="2026-09-01").status_code == 201
    assert_problem(post(gf, "E999"), 404, "not_found")


def test_a_missing_field_is_named(gf):
    organisation(gf)
    candidate(gf, "E001")
    refused = gf.post("/managers/E001/exam-results", as_=HR, json={"exam": "skills_test", "score": 75})
    assert_problem(refused, 422, "validation_error", field="taken_on", rule="required")


def test_each_result_is_a_link_of_the_audit_chain_and_an_altered_one_is_named(gf):
    organisation(gf)
    candidate(gf, "E001")
    assert post(gf).status_code == 201
    with gf.app.app_context():
        [link] = db.session.scalars(sa.select(AuditLink).where(AuditLink.source == "exam_results")).all()
        assert verify_chain(db.session)[1] is None
        with db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE exam_results SET score = 95"))
        assert verify_chain(db.session)[1] == f"exam_results entry {link.source_id} (link {link.seq}) was altered"
        db.session.remove()


@pytest.fixture
def examined(build, tmp_path):
    """The app under a policy whose mid needs 60 in skills_test within the last 12 months."""
    def exam(document):
        document["eligibility"]["targets"]["mid"]["min_exam"] = {"exam": "skills_test", "min_score": 60,
                                                                 "within_months": 12}
    gf = Driver(build(GRADEFLOW_POLICY=policy_file(tmp_path, exam)))
    organisation(gf)
    candidate(gf, "E001")
    return gf


def test_an_exam_pass_mark_refuses_an_application_until_a_recent_result_reaches_it(examined):
    def refusal() -> str:
        body = assert_problem(examined.post("/cases", as_="e001", json={
            "cycle": CYCLE, "target_grade": "mid", "statement": "申请晋升"}), 422, "not_eligible")
        [reason] = body["reasons"]
        assert reason["rule"] == "exam"
        return reason["detail"]

    assert refusal() == "mid needs at least 60 in skills_test taken since 2025-09-01; no such result is recorded"
    assert post(examined, taken_on="2025-08-31", score=90).status_code == 201  # a day too early to count
    assert refusal().endswith("no such result is recorded")
    assert post(examined, taken_on="2026-03-01", score=59).status_code == 201
    assert refusal().endswith("the latest (2026-03-01) scored 59")
    assert post(examined, taken_on="2026-06-20", score=60).status_code == 201
    assert apply(examined, "E001")


def test_the_latest_result_counts_not_the_best_and_the_window_s_first_day_is_in_it(examined):
    assert post(examined, taken_on="2025-09-01", score=95).status_code == 201  # exactly 12 months before today
    refusal = examined.post("/cases", as_="e001", json={"cycle": CYCLE, "target_grade": "mid", "statement": "申请"})
    assert refusal.status_code == 201, refusal.get_json()  # the window's first day counts


def test_a_newer_lower_result_replaces_an_older_higher_one(examined):
    assert post(examined, taken_on="2026-01-10", score=95).status_code == 201
    assert post(examined, taken_on="2026-06-20", score=55).status_code == 201
    body = assert_problem(examined.post("/cases", as_="e001", json={
        "cycle": CYCLE, "target_grade": "mid", "statement": "申请晋升"}), 422, "not_eligible")
    assert [(r["rule"], r["detail"].split("; ")[1]) for r in body["reasons"]] == [
        ("exam", "the latest (2026-06-20) scored 55")]
