"""Points off the final score, over HTTP (issue 13, point 3: a scorecard's deductions; seed 004: 查实一项次有违章违纪
行为的, 扣5分). The policy is the default one with `scoring.deductions`: 5 points for each of the last four quarters
ended before the decision whose record has a compliance violation, at most 15. The organisation and cycle are the
standard ones (tests/support/world.py); the clock stands at 2026-09-01, so the quarters read are 2025Q3–2026Q2."""
from __future__ import annotations

import pytest

from tests.support.answers import ok
from tests.support.reads import case_of
from tests.support.steps import decide, in_deliberation
from tests.support.world import HR, candidate, organisation

VIOLATIONS = {"code": "violations", "label": "违规违纪", "points": 5, "max": 15, "period": "quarter", "last": 4}


@pytest.fixture
def tobacco(build, tmp_path):
    from tests.support.driver import Driver
    from tests.support.policies import policy_file
    gf = Driver(build(GRADEFLOW_POLICY=policy_file(
        tmp_path, lambda document: document["scoring"].update(deductions=[VIOLATIONS]))))
    organisation(gf)
    return gf


def _with_violations(gf, no: str, *periods: str) -> None:
    candidate(gf, no, performance="80")
    for period in ("2025Q2", "2025Q3", "2025Q4", "2026Q1", "2026Q2"):
        gf.performance(no, period, "80", months_worked=3, violation=period in periods)


def test_each_recent_quarter_with_a_violation_takes_points_off_the_final_score(tobacco):
    _with_violations(tobacco, "E001", "2025Q2", "2025Q4", "2026Q1")  # 2025Q2 is older than the last four
    case_id = in_deliberation(tobacco, "E001", supervisor=80, scores=80)
    decided = decide(tobacco)[case_id]
    assert (decided["outcome"], decided["final_score"]) == ("approved", 70)  # 80 − 2 × 5
    shown = case_of(tobacco, case_id)
    assert shown["deductions"] == {"violations": 10}
    entry = [e for e in ok(tobacco.get(f"/cases/{case_id}/history", as_=HR)) if e["event"] == "decide"][-1]
    assert entry["data"]["deductions"] == {"violations": "10"}


def test_the_deductions_can_bring_a_case_below_the_pass_mark(tobacco):
    _with_violations(tobacco, "E001", "2025Q3", "2025Q4", "2026Q1", "2026Q2")  # four: capped at 15
    case_id = in_deliberation(tobacco, "E001", supervisor=70, scores=70)  # 21 + 28 + 24 = 73, less 15
    decided = decide(tobacco)[case_id]
    assert (decided["outcome"], decided["final_score"], decided["reasons"]) == ("denied", 58, ["below_pass_mark"])


def test_a_clean_record_takes_nothing_off(tobacco):
    _with_violations(tobacco, "E001")
    case_id = in_deliberation(tobacco, "E001", supervisor=80, scores=80)
    assert decide(tobacco)[case_id]["final_score"] == 80
    assert case_of(tobacco, case_id)["deductions"] is None
    entry = [e for e in ok(tobacco.get(f"/cases/{case_id}/history", as_=HR)) if e["event"] == "decide"][-1]
    assert "deductions" not in entry["data"]


def test_the_case_page_shows_the_points_taken_off_by_the_deductions_label(tobacco):
    import re

    from tests.web.visitor import Visitor, text
    _with_violations(tobacco, "E001", "2026Q1")
    case_id = in_deliberation(tobacco, "E001", supervisor=80, scores=80)
    decide(tobacco)
    visitor = Visitor(tobacco.app, accept_language="zh-CN")
    assert visitor.sign_in(HR).status_code == 302
    assert re.search(r"违规违纪\s*−5", text(visitor.get(f"/cases/{case_id}")))
