"""Monthly results entered by their parts (issue 13, point 3; seed 004's 月度考核): where the policy's period
scorecard covers a period, hr enters the parts, the score is made from them, and the parts stay on the record,
in each version and in the audit chain. A bare score is refused there; parts are refused elsewhere."""
from __future__ import annotations

import io

import pytest

from models import db
from models.audit import verify_chain
from tests.support.answers import assert_problem, ok
from tests.support.driver import Driver
from tests.support.policies import TOBACCO_MONTHLY_SCORECARD as TOBACCO, policy_file
from tests.support.world import HR, organisation

GOOD = {"sales": 92.5, "conduct": 1, "groundwork": 0, "training": 2}  # 0.6 × 92.5 + 0.4 × (35 + 40 + 0) = 85.5


@pytest.fixture
def tobacco(build, tmp_path):
    gf = Driver(build(GRADEFLOW_POLICY=policy_file(tmp_path, lambda document: document.update(TOBACCO))))
    organisation(gf)
    gf.manager("M001", "mid", supervisor="S900")
    return gf


def enter(gf, period: str, **body):
    return gf.put(f"/managers/M001/performance/{period}", as_=HR, json={"months_worked": 1, **body})


def test_period_scorecard_makes_a_months_score_from_the_parts_hr_enters(tobacco):
    record = ok(enter(tobacco, "2026M08", parts=GOOD))
    assert record["score"] == 85.5
    assert record["parts"] == {"entered": {"sales": "92.50", "conduct": "1", "groundwork": "0", "training": "2"},
                               "points": {"sales": "92.50", "quality": "75.00"}}
    [listed] = ok(tobacco.get("/managers/M001/performance", as_=HR))
    assert (listed["period"], listed["score"], listed["parts"]) == ("2026M08", 85.5, record["parts"])


def test_period_scorecard_correction_is_a_new_version_with_its_parts_and_chained(tobacco):
    ok(enter(tobacco, "2026M08", parts=GOOD))
    ok(enter(tobacco, "2026M08", parts={**GOOD, "conduct": 3}, reason="第三次违纪查实"))
    versions = ok(tobacco.get("/managers/M001/performance/2026M08/versions", as_=HR))
    assert [(v["version"], v["score"], v["parts"]["points"]["quality"]) for v in versions] == [
        (1, 85.5, "75.00"), (2, 71.5, "40.00")]  # three findings: conduct scores nothing (作风纪律项为零分)
    assert versions[1]["reason"] == "第三次违纪查实"
    with tobacco.app.app_context():
        assert verify_chain(db.session)[:2] == (2, None)
        db.session.remove()


def test_period_scorecard_the_same_parts_again_change_nothing(tobacco):
    ok(enter(tobacco, "2026M08", parts=GOOD))
    ok(enter(tobacco, "2026M08", parts={**GOOD, "sales": "92.50", "conduct": 1.0}))  # typed otherwise: the same
    assert len(ok(tobacco.get("/managers/M001/performance/2026M08/versions", as_=HR))) == 1


def test_period_scorecard_a_record_whose_parts_were_altered_around_the_service_is_named(tobacco):
    ok(enter(tobacco, "2026M08", parts=GOOD))
    with tobacco.app.app_context():
        with db.engine.begin() as conn:
            conn.exec_driver_sql("UPDATE performance_records SET parts = NULL")
        assert verify_chain(db.session)[1] == ("the 2026M08 performance record of M001 differs from its version 1: "
                                               "it was altered around the service")
        db.session.remove()


def test_period_scorecard_refuses_a_bare_score_where_it_makes_the_score(tobacco):
    assert_problem(enter(tobacco, "2026M08", score=90), 422, "validation_error", field="score",
                   rule="score_from_parts")
    assert_problem(enter(tobacco, "2026M08", score=90, parts=GOOD), 422, "validation_error", field="score",
                   rule="score_from_parts")
    assert ok(tobacco.get("/managers/M001/performance", as_=HR)) == []


def test_period_scorecard_names_each_wrong_part_and_stores_nothing(tobacco):
    body = assert_problem(enter(tobacco, "2026M08", parts={"sales": 120, "conduct": 0.5, "training": 0}), 422,
                          "validation_error")
    assert {(e["field"], e["rule"]) for e in body["errors"]} == {
        ("parts.sales", "part_range"), ("parts.conduct", "findings_count"),
        ("parts.groundwork", "scorecard_part_missing")}
    assert_problem(enter(tobacco, "2026M08"), 422, "validation_error", field="parts", rule="required")
    assert ok(tobacco.get("/managers/M001/performance", as_=HR)) == []


def test_period_scorecard_leaves_the_other_periods_entered_by_their_score(tobacco):
    assert "parts" not in ok(tobacco.put("/managers/M001/performance/2025", as_=HR,
                                         json={"score": 80, "months_worked": 12}))
    assert_problem(tobacco.put("/managers/M001/performance/2026Q3", as_=HR,
                               json={"parts": GOOD, "months_worked": 3}), 422, "validation_error", field="parts",
                   rule="no_scorecard")


def test_without_a_period_scorecard_a_score_is_required_as_before(gf):
    gf.user(HR, "hr")
    gf.manager("M001", "mid")
    assert_problem(gf.put("/managers/M001/performance/2025", as_=HR, json={"months_worked": 12}), 422,
                   "validation_error", field="score", rule="required")
    assert_problem(gf.put("/managers/M001/performance/2025", as_=HR, json={"score": None, "months_worked": 12}), 422,
                   "validation_error", field="score", rule="not_null")
    assert_problem(gf.put("/managers/M001/performance/2025", as_=HR, json={"parts": GOOD, "months_worked": 12}),
                   422, "validation_error", field="parts", rule="no_scorecard")


@pytest.mark.parametrize("value", ["ninety", None, True, [90], {"points": 90}, "NaN", "Infinity"])
def test_period_scorecard_a_part_that_is_not_a_number_is_named_by_its_code(tobacco, value):
    body = assert_problem(enter(tobacco, "2026M08", parts={**GOOD, "sales": value}), 422, "validation_error")
    assert [(e["field"], e["rule"]) for e in body["errors"]] == [("parts.sales", "type")]


def test_period_scorecard_an_unknown_part_is_named_without_repeating_markup(tobacco):
    body = assert_problem(enter(tobacco, "2026M08", parts={**GOOD, "<b>x</b>": 1}), 422, "validation_error")
    [error] = body["errors"]
    assert error["rule"] == "scorecard_part_unknown" and "<b>" not in str(body)


@pytest.fixture
def tobacco_with_a_metric(build, tmp_path):
    def with_a_metric(document):
        document.update(TOBACCO)
        document["metrics"] = [{"code": "new_customers", "zh": "新客到店数(位)", "en": "New customers", "max": 10000}]
    gf = Driver(build(GRADEFLOW_POLICY=policy_file(tmp_path, with_a_metric)))
    organisation(gf)
    gf.manager("M001", "mid", supervisor="S900")
    return gf


def upload(gf, text: str):
    return gf.post("/imports/performance", as_=HR, content_type="multipart/form-data",
                   data={"file": (io.BytesIO(text.encode()), "绩效.csv")})


SCORECARD_HEADER = "工号,考核期间,在岗月数,经营业绩,作风纪律,基础工作,training,新客到店数(位)"


def test_the_performance_template_has_a_column_for_each_part_hr_enters_and_each_metric_under_its_chinese_name(
        tobacco_with_a_metric):
    template = tobacco_with_a_metric.get("/imports/performance/template?format=csv", as_=HR)
    header = template.get_data().decode("utf-8-sig").splitlines()[0].split(",")
    assert header[-5:] == ["经营业绩", "作风纪律", "基础工作", "training", "新客到店数(位)"]


def test_a_performance_import_enters_a_months_parts_and_metrics_as_the_api_does_and_again_changes_nothing(
        tobacco_with_a_metric):
    gf = tobacco_with_a_metric
    records = f"{SCORECARD_HEADER},得分\nM001,2026M08,1,92.5,1,0,2,62,\nM001,2026Q2,3,,,,,,80\n"  # a quarter: a score
    assert ok(upload(gf, records))["created"] == 2
    month = record_of(gf, "2026M08")
    assert (month["score"], month["parts"]["points"], month["metrics"]) == (
        85.5, {"sales": "92.50", "quality": "75.00"}, {"new_customers": "62.00"})
    assert ok(upload(gf, records))["unchanged"] == 2
    corrected = records.replace("92.5,1,0,2,62,", "92.5,3,0,2,62,")
    assert ok(upload(gf, corrected))["updated"] == 1
    assert record_of(gf, "2026M08")["score"] == 71.5 and record_of(gf, "2026Q2")["score"] == 80


def test_a_performance_import_names_each_part_or_metric_refused_by_its_column(tobacco_with_a_metric):
    records = (f"{SCORECARD_HEADER},得分\nM001,2026M08,1,92.5,1.5,0,2,62,\nM001,2026M09,1,92.5,,0,2,,\n"
               "M001,2026M10,1,,,,,,85\nM001,2026M11,1,101,0,0,0,10001,\nM001,2026Q2,3,90,,,,,80\n")
    assert sorted(refused_problems(upload(tobacco_with_a_metric, records))) == [
        (2, "作风纪律", "findings_count"), (3, "作风纪律", "scorecard_part_missing"),
        (4, "parts", "required"), (4, "得分", "score_from_parts"),
        (5, "新客到店数(位)", "metric_range"), (5, "经营业绩", "part_range"), (6, "parts", "no_scorecard")]
    assert ok(tobacco_with_a_metric.get("/managers/M001/performance", as_=HR)) == []


def record_of(gf, period: str) -> dict:
    return {r["period"]: r for r in ok(gf.get("/managers/M001/performance", as_=HR))}[period]


def refused_problems(answer) -> list[tuple]:
    return [(e["row"], e["column"], e["rule"]) for e in assert_problem(answer, 422, "import_refused")["errors"]]
