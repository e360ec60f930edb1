"""PUT/GET /managers/{no}/performance: annual and quarterly scores, entered and corrected by hr.

The manual clock stands at 2026-09-01T09:00+08:00.
"""
from __future__ import annotations

import re

import pytest

from tests.support.answers import assert_problem
from tests.support.worlds import world_fixture

HR = "hr1"
NOW = "2026-09-01T09:00:00+08:00"


@pytest.fixture
@world_fixture
def hr(gf):
    gf.user(HR, "hr")
    gf.manager("M1", "mid")
    return HR


def _records(gf, employee_no: str = "M1") -> list[dict]:
    response = gf.get(f"/managers/{employee_no}/performance", as_=HR)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.parametrize("period, score, months", [
    ("2026", 88.5, 12),
    ("2025", 0, 0),
    ("2026Q3", 90, 3),
    ("2026Q1", 100, 2),
])
def test_hr_records_an_annual_or_quarterly_score(gf, hr, period, score, months):
    response = gf.put(f"/managers/M1/performance/{period}", as_=HR,
                      json={"score": score, "months_worked": months, "violation": False})
    assert response.status_code == 200, response.get_json()
    expected = {"employee_no": "M1", "period": period, "score": score, "months_worked": months,
                "violation": False, "recorded_at": NOW, "recorded_by": HR}
    assert response.get_json() == expected
    assert _records(gf) == [expected]


def test_a_violation_is_recorded_and_defaults_to_none(gf, hr):
    flagged = gf.put("/managers/M1/performance/2026Q2", as_=HR, json={"score": 70, "months_worked": 3,
                                                                        "violation": True})
    assert flagged.status_code == 200, flagged.get_json()
    assert flagged.get_json()["violation"] is True
    plain = gf.put("/managers/M1/performance/2026Q3", as_=HR, json={"score": 70, "months_worked": 3})
    assert plain.status_code == 200, plain.get_json()
    assert plain.get_json()["violation"] is False
    assert [(r["period"], r["violation"]) for r in _records(gf)] == [("2026Q2", True), ("2026Q3", False)]


def test_a_second_put_corrects_the_record(gf, hr):
    gf.user("hr2", "hr")
    first = gf.put("/managers/M1/performance/2026Q3", as_=HR, json={"score": 61.5, "months_worked": 1})
    assert first.status_code == 200, first.get_json()
    second = gf.put("/managers/M1/performance/2026Q3", as_="hr2",
                    json={"score": 79.25, "months_worked": 3, "violation": True})
    assert second.status_code == 200, second.get_json()
    corrected = {"employee_no": "M1", "period": "2026Q3", "score": 79.25, "months_worked": 3, "violation": True,
                 "recorded_at": NOW, "recorded_by": "hr2"}
    assert second.get_json() == corrected
    assert _records(gf) == [corrected]


def test_the_records_are_listed_by_period(gf, hr):
    for period, score, months in [("2026Q3", 91, 3), ("2025", 85.5, 12), ("2026Q1", 72, 3), ("2026", 88, 8)]:
        response = gf.put(f"/managers/M1/performance/{period}", as_=HR, json={"score": score, "months_worked": months})
        assert response.status_code == 200, response.get_json()
    assert [(r["period"], r["score"], r["months_worked"]) for r in _records(gf)] == [
        ("2025", 85.5, 12), ("2026", 88, 8), ("2026Q1", 72, 3), ("2026Q3", 91, 3)]


def test_records_belong_to_their_manager(gf, hr):
    gf.manager("M2", "mid")
    assert gf.put("/managers/M1/performance/2026", as_=HR, json={"score": 81, "months_worked": 12}).status_code == 200
    assert gf.put("/managers/M2/performance/2026", as_=HR, json={"score": 62, "months_worked": 12}).status_code == 200
    assert [(r["employee_no"], r["score"]) for r in _records(gf, "M1")] == [("M1", 81)]
    assert [(r["employee_no"], r["score"]) for r in _records(gf, "M2")] == [("M2", 62)]


def test_a_manager_without_records_has_an_empty_list(gf, hr):
    assert _records(gf) == []


@pytest.mark.parametrize("score", [100.01, 101, -0.01, -1, 1000])
def test_a_score_lies_on_the_0_to_100_scale(gf, hr, score):
    response = gf.put("/managers/M1/performance/2026", as_=HR, json={"score": score, "months_worked": 12})
    assert_problem(response, 422, "validation_error", field="score", rule="score_range")
    assert _records(gf) == []


@pytest.mark.parametrize("score", [88.555, 0.001, 99.999, 12.3456])
def test_a_score_has_at_most_two_decimals(gf, hr, score):
    response = gf.put("/managers/M1/performance/2026", as_=HR, json={"score": score, "months_worked": 12})
    assert_problem(response, 422, "validation_error", field="score", rule="score_precision")
    assert _records(gf) == []


@pytest.mark.parametrize("score", [0, 0.01, 59.99, 100, 100.0])
def test_scores_on_the_scale_with_two_decimals_are_accepted(gf, hr, score):
    response = gf.put("/managers/M1/performance/2026", as_=HR, json={"score": score, "months_worked": 12})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["score"] == score


@pytest.mark.parametrize("period, months", [("2026", 13), ("2026Q3", 4), ("2026", -1), ("2026Q3", -1),
                                            ("2026Q1", 12)])
def test_months_worked_lie_within_the_period(gf, hr, period, months):
    response = gf.put(f"/managers/M1/performance/{period}", as_=HR, json={"score": 80, "months_worked": months})
    assert_problem(response, 422, "validation_error", field="months_worked", rule="months_in_period")
    assert _records(gf) == []


def test_every_broken_rule_is_named_at_once(gf, hr):
    response = gf.put("/managers/M1/performance/2026Q3", as_=HR, json={"score": 120, "months_worked": 4})
    body = assert_problem(response, 422, "validation_error")
    assert {(e["field"], e["rule"]) for e in body["errors"]} == {("score", "score_range"),
                                                                 ("months_worked", "months_in_period")}


@pytest.mark.parametrize("period", ["2026Q5", "2026Q0", "26", "2026-3", "2026q3", "20263", "Q3", "2026Q", "abcd"])
def test_a_malformed_period_is_refused_naming_the_period(gf, hr, period):
    response = gf.put(f"/managers/M1/performance/{period}", as_=HR, json={"score": 80, "months_worked": 3})
    body = assert_problem(response, 422, "validation_error", field="period", rule="period_format")
    assert period in body["detail"]
    assert _records(gf) == []


@pytest.mark.parametrize("body, field, rule", [
    ({"months_worked": 12}, "score", "required"),
    ({"score": 80}, "months_worked", "required"),
    ({"score": "NaN", "months_worked": 12}, "score", None),
    ({"score": True, "months_worked": 12}, "score", "type"),
    ({"score": 80, "months_worked": "12"}, "months_worked", "type"),
    ({"score": 80, "months_worked": 11.5}, "months_worked", "type"),
    ({"score": 80, "months_worked": 12, "violation": "yes"}, "violation", "type"),
    ({"score": 80, "months_worked": 12, "recorded_by": "someone"}, "recorded_by", "unknown_field"),
])
def test_the_body_is_validated_by_schema(gf, hr, body, field, rule):
    response = gf.put("/managers/M1/performance/2026", as_=HR, json=body)
    assert_problem(response, 422, "validation_error", field=field, rule=rule)
    assert _records(gf) == []


def test_an_unknown_manager_is_not_found(gf, hr):
    response = gf.put("/managers/NOPE/performance/2026", as_=HR, json={"score": 80, "months_worked": 12})
    assert_problem(response, 404, "not_found")
    assert_problem(gf.get("/managers/NOPE/performance", as_=HR), 404, "not_found")


@pytest.mark.parametrize("roles", [("committee",), ("admin",), ("employee",), ("employee", "supervisor")],
                         ids=lambda r: "+".join(r))
def test_only_hr_records_performance(gf, hr, roles):
    gf.manager("S1", "senior")
    gf.patch("/managers/M1", as_=HR, json={"supervisor": "S1"})
    # the employee records their own score, the supervisor their report's
    gf.user("other", *roles, employee_no=("M1" if roles == ("employee",) else "S1") if "employee" in roles else None)
    response = gf.put("/managers/M1/performance/2026", as_="other", json={"score": 99, "months_worked": 12})
    assert_problem(response, 403, "forbidden")
    assert _records(gf) == []


def test_admin_is_refused_correcting_a_record_hr_entered(gf, hr):
    """Only hr records performance, also when correcting: admin's correction is refused with 403 and
    the record hr entered stays as it was."""
    first = gf.put("/managers/M1/performance/2026", as_=HR, json={"score": 75, "months_worked": 12})
    assert first.status_code == 200, first.get_json()
    gf.user("admin1", "admin")
    refused = gf.put("/managers/M1/performance/2026", as_="admin1", json={"score": 99, "months_worked": 12})
    body = assert_problem(refused, 403, "forbidden")
    assert body["type"] == "urn:gradeflow:problem:forbidden", body
    assert re.search(r"\bhr\b", body["detail"]), body  # the refusal says who may record performance
    assert "errors" not in body, body
    # the refusal echoes neither the stored record nor the attempted one
    assert not {"score", "months_worked", "recorded_by", "employee_no", "period"} & set(body), body
    assert [(r["score"], r["months_worked"], r["recorded_at"], r["recorded_by"]) for r in _records(gf)] == [
        (75, 12, NOW, HR)]


def test_a_supervisor_reads_their_reports_records(gf, hr):
    gf.manager("S10", "senior", login=True, roles=("employee", "supervisor"))
    assert gf.patch("/managers/M1", as_=HR, json={"supervisor": "S10"}).status_code == 200
    assert gf.put("/managers/M1/performance/2026", as_=HR, json={"score": 66.6, "months_worked": 12}).status_code == 200
    response = gf.get("/managers/M1/performance", as_="s10")
    assert response.status_code == 200, response.get_json()
    assert [(r["period"], r["score"], r["recorded_by"]) for r in response.get_json()] == [("2026", 66.6, HR)]


# --- the kinds of period a policy records (issue 13, point 2) -----------------------------------------------

@pytest.mark.parametrize("period", ["2026M03", "2026H1"])
def test_the_default_policy_records_years_and_quarters_only(gf, hr, period):
    response = gf.put(f"/managers/M1/performance/{period}", as_=HR, json={"score": 80, "months_worked": 1})
    body = assert_problem(response, 422, "validation_error", field="period", rule="period_kind")
    assert "year (2026), quarter (2026Q3)" in body["detail"]
    assert _records(gf) == []


@pytest.fixture
def monthly(build, hr, tmp_path):
    """The app under a policy that records every kind of period (monthly assessment, half-year reviews)."""
    from importlib import resources

    from tests.support.driver import Driver
    policy = tmp_path / "policy.yaml"
    policy.write_text(resources.files("workflow.policies").joinpath("default.yaml").read_text("utf-8")
                      .replace("periods: [year, quarter]", "periods: [year, half, quarter, month]"), "utf-8")
    return Driver(build(GRADEFLOW_POLICY=str(policy)))


@pytest.mark.parametrize("period, months", [("2026M03", 1), ("2026M12", 0), ("2026H1", 6), ("2026H2", 4)])
def test_a_policy_with_months_and_half_years_records_them(monthly, period, months):
    response = monthly.put(f"/managers/M1/performance/{period}", as_=HR, json={"score": 77, "months_worked": months})
    assert response.status_code == 200, response.get_json()
    assert [(r["period"], r["months_worked"]) for r in _records(monthly)] == [(period, months)]


@pytest.mark.parametrize("period, months, most", [("2026M03", 2, 1), ("2026H1", 7, 6)])
def test_months_worked_lie_within_a_month_or_a_half_year(monthly, period, months, most):
    response = monthly.put(f"/managers/M1/performance/{period}", as_=HR, json={"score": 77, "months_worked": months})
    body = assert_problem(response, 422, "validation_error", field="months_worked", rule="months_in_period")
    assert f"between 0 and {most}" in body["detail"]
    assert _records(monthly) == []
