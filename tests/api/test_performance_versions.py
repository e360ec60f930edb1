"""Results are never overwritten (issue 13, point 7; seed 004: 严禁任何人私自修改考评结果).

A correction of a performance record is a new version with who, when and why; the record shows the latest,
which is the one the rules use, and every earlier version stays readable at
GET /managers/{no}/performance/{period}/versions. Each version is a link of the audit chain (tampering with a
version or with the record: tests/integration/test_audit_chain.py).
"""
from __future__ import annotations

import pytest

from tests.support.answers import assert_problem, ok
from tests.support.steps import move_clock
from tests.support.world import ADMIN, HR, organisation

ENTERED = "2026-09-01T09:00:00+08:00"
CORRECTED = "2026-09-03T15:30:00+08:00"


def versions(gf, no: str = "M001", period: str = "2025", as_: str = HR) -> list[dict]:
    return ok(gf.get(f"/managers/{no}/performance/{period}/versions", as_=as_))


def record(gf, no: str = "M001", period: str = "2025", as_: str = HR, **body):
    return gf.put(f"/managers/{no}/performance/{period}", as_=as_,
                  json={"months_worked": 12, **body})


@pytest.fixture
def org(gf):
    organisation(gf)
    gf.user("hr2", "hr")
    gf.manager("M001", "mid", supervisor="S900", login=True)
    return gf


def test_a_correction_is_a_new_version_with_who_when_and_why(org):
    move_clock(org, ENTERED)
    ok(record(org, score=90))
    move_clock(org, CORRECTED)
    corrected = ok(record(org, as_="hr2", score=10, reason="录入错误: 应为 10 分"))

    assert (corrected["score"], corrected["recorded_by"], corrected["recorded_at"]) == (10, "hr2", CORRECTED)
    assert [(v["version"], v["score"], v["recorded_by"], v["recorded_at"], v["reason"])
            for v in versions(org)] == [(1, 90, HR, ENTERED, None), (2, 10, "hr2", CORRECTED, "录入错误: 应为 10 分")]
    assert [(r["period"], r["score"]) for r in ok(org.get("/managers/M001/performance", as_=HR))] == [("2025", 10)]


def test_every_correction_adds_a_version_and_the_earlier_ones_stay_as_they_were(org):
    for n, score in enumerate((70, 75.5, 80, 75.5), start=1):
        ok(record(org, score=score, months_worked=12 - n, reason=f"第{n}次"))
    assert [(v["version"], v["score"], v["months_worked"], v["reason"]) for v in versions(org)] == [
        (1, 70, 11, "第1次"), (2, 75.5, 10, "第2次"), (3, 80, 9, "第3次"), (4, 75.5, 8, "第4次")]


def test_the_same_values_again_make_no_version(org):
    ok(record(org, score=88.5))
    move_clock(org, CORRECTED)
    again = ok(record(org, as_="hr2", score=88.50, reason="再次提交"))
    assert (again["recorded_by"], again["recorded_at"]) == (HR, "2026-09-01T09:00:00+08:00")
    assert [v["version"] for v in versions(org)] == [1]


def test_a_changed_violation_flag_alone_is_a_correction(org):
    ok(record(org, period="2026Q2", score=70, months_worked=3))
    ok(record(org, period="2026Q2", score=70, months_worked=3, violation=True, reason="违规查实"))
    assert [(v["version"], v["violation"]) for v in versions(org, period="2026Q2")] == [(1, False), (2, True)]


def test_the_latest_version_is_the_one_the_quarter_close_uses(org):
    """A mid below 80 in two consecutive quarters is demoted; the corrected 2026Q3 score is not below 80."""
    ok(record(org, period="2026Q2", score=60, months_worked=3))
    ok(record(org, period="2026Q3", score=60, months_worked=3))
    ok(record(org, period="2026Q3", score=85, months_worked=3, reason="复核后更正"))
    move_clock(org, "2026-10-01T00:30:00+08:00")
    ok(org.post("/evaluations/2026Q3/close", as_=HR))
    assert ok(org.post("/evaluations/2026Q3/close", as_=HR))["demotion_cases"] == []


def test_a_refused_correction_makes_no_version(org):
    ok(record(org, period="2026Q3", score=60, months_worked=3))
    move_clock(org, "2026-10-01T00:30:00+08:00")
    ok(org.post("/evaluations/2026Q3/close", as_=HR))
    refused = record(org, period="2026Q3", score=99, months_worked=3, reason="迟到的更正")
    assert_problem(refused, 409, "period_closed")
    assert_problem(record(org, as_=ADMIN, score=99), 403, "forbidden")
    assert_problem(record(org, score=101), 422, "validation_error", field="score", rule="score_range")
    assert [(v["version"], v["score"]) for v in versions(org, period="2026Q3")] == [(1, 60)]
    assert versions(org) == []


@pytest.mark.parametrize("reason, rule", [("", "length"), ("   ", "length"), ("x" * 501, "length"),
                                          ("换行\n不行", "no_control_characters"), (12, "type")])
def test_the_reason_is_text_of_at_most_500_characters(org, reason, rule):
    ok(record(org, score=90))
    refused = record(org, score=80, reason=reason)
    assert_problem(refused, 422, "validation_error", field="reason", rule=rule)
    assert [(v["version"], v["score"]) for v in versions(org)] == [(1, 90)]


def test_a_period_without_a_record_has_no_versions_and_a_malformed_one_is_named(org):
    assert versions(org, period="2024") == []
    assert_problem(org.get("/managers/M001/performance/2026Q5/versions", as_=HR), 422, "validation_error",
                   field="period", rule="period_format")
    assert_problem(org.get("/managers/NOPE/performance/2025/versions", as_=HR), 404, "not_found")


def test_the_manager_and_their_supervisor_read_the_versions_others_do_not(org):
    ok(record(org, score=90))
    ok(record(org, score=91, reason="加分项补录"))
    assert [v["score"] for v in versions(org, as_="m001")] == [90, 91]
    assert [v["reason"] for v in versions(org, as_="s900")] == [None, "加分项补录"]
    org.manager("E777", "junior", login=True)
    assert_problem(org.get("/managers/M001/performance/2025/versions", as_="e777"), 404, "not_found")
