"""A stage's score in the final score, over HTTP (issue 13, point 3: the data a component comes from; seed 002,
China Mobile Quzhou: the skills test 技能鉴定 counts towards the promotion).

The company's policy is the default one with hr's skills test (技能鉴定, a score, 60 to pass) before the interview,
and weights supervisor 0.3, interview 0.4, performance 0.2, skills_test 0.1. The organisation is the committee
tests' (S001 ← S002 ← E001, E002, whose 2025 scores are 90 and 88; hr1; cycle 2026-H2, committee chair1, cm1, cm2).
"""
from __future__ import annotations

import pytest

from tests.support.answers import assert_problem, ok
from tests.support.committee_world import CYCLE, HR, appoint, committee_org

SKILLS_TEST = {"stage": "skills_test", "label": "技能鉴定", "by": "hr", "records": "score", "pass_mark": 60}


def weighing_the_skills_test(document):
    document["stages"] = {"promotion": [SKILLS_TEST]}
    document["scoring"]["weights"] = {"supervisor": 0.3, "interview": 0.4, "performance": 0.2, "skills_test": 0.1}


@pytest.fixture
def quzhou(build, tmp_path):
    from tests.support.driver import Driver
    from tests.support.policies import policy_file
    gf = committee_org(Driver(build(GRADEFLOW_POLICY=policy_file(tmp_path, weighing_the_skills_test))))
    appoint(gf, "chair1", "chair1", "cm1", "cm2")
    return gf


def _event(gf, case_id: int, as_: str, event: str, **more):
    return gf.post(f"/cases/{case_id}/events", as_=as_, json={"event": event, **more})


def _scored(gf, applicant: str, skills: float, interview: int) -> int:
    case_id = ok(gf.post("/cases", as_=applicant, json={"cycle": CYCLE, "target_grade": "mid",
                                                       "statement": "申请晋升"}), 201)["id"]
    ok(_event(gf, case_id, "s002", "approve_materials", supervisor_score=80))
    ok(_event(gf, case_id, HR, "pass_stage", score=skills))
    for member in ("chair1", "cm1", "cm2"):
        ok(gf.put(f"/cases/{case_id}/score", as_=member, json={"score": interview}))
    return case_id


def test_the_stages_score_weighs_in_the_final_score(quzhou):
    case_id = _scored(quzhou, "e001", 65.5, 70)
    decided = ok(quzhou.post(f"/cycles/{CYCLE}/decide", as_=HR))["decided"]
    # 0.3 × 80 + 0.4 × 70 + 0.2 × 90 + 0.1 × 65.5 = 24 + 28 + 18 + 6.55
    assert [(d["case_id"], d["final_score"]) for d in decided] == [(case_id, 76.55)]
    decide = [e for e in quzhou.history(case_id, HR) if e["event"] == "decide"][-1]
    assert decide["data"]["stage_scores"] == {"skills_test": "65.5"}


def test_the_stages_score_orders_the_ranking(quzhou):
    """The same scores elsewhere: the skills test alone puts E002 first, though E001's annual score is higher."""
    first = _scored(quzhou, "e001", 60, 80)
    second = _scored(quzhou, "e002", 100, 80)
    decided = {d["case_id"]: d for d in ok(quzhou.post(f"/cycles/{CYCLE}/decide", as_=HR))["decided"]}
    # 24 + 32 + 17.6 + 10 against 24 + 32 + 18 + 6
    assert (decided[second]["final_score"], decided[first]["final_score"]) == (83.6, 80)
    assert (decided[second]["rank"], decided[first]["rank"]) == (1, 2)


def test_the_case_shows_its_stage_scores_to_hr_and_hides_them_from_the_applicant(quzhou):
    case_id = _scored(quzhou, "e001", 75, 70)
    assert quzhou.case(case_id, HR)["stage_scores"] == {"skills_test": 75}
    assert quzhou.case(case_id, "e001")["stage_scores"] is None


def test_a_case_without_its_weighed_stages_score_cannot_be_decided(quzhou):
    """A case whose stage score is missing (here: removed behind the service's back) is named, not decided on 0."""
    from models import Case, db
    case_id = _scored(quzhou, "e001", 75, 70)
    with quzhou.app.app_context():
        db.session.get(Case, case_id).stage_scores = None
        db.session.commit()
        db.session.remove()
    problem = assert_problem(quzhou.post(f"/cycles/{CYCLE}/decide", as_=HR), 409, "no_stage_score")
    assert problem["stages"] == ["skills_test"]


def test_the_case_page_shows_the_stages_score_by_its_label(quzhou):
    import re

    from tests.web.visitor import Visitor, text
    case_id = _scored(quzhou, "e001", 75.5, 70)
    visitor = Visitor(quzhou.app, accept_language="zh-CN")
    assert visitor.sign_in(HR).status_code == 302
    page = visitor.get(f"/cases/{case_id}")
    assert re.search(r"技能鉴定\s*75\.5", text(page))
    assert 'data-testid="stage-score-skills_test"' in page.get_data(as_text=True)
