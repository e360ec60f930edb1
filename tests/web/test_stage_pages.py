"""The case page under a policy with stages of its own (issue 13, point 1): the stage the case is in, by name; its
party's buttons, with the score field where the stage records one and its pass mark; a refusal next to the field,
in Chinese; the stages in the timeline; the workflow strip and diagram of the policy in force."""
from __future__ import annotations

import re

import pytest

from tests.api.test_policy_stages import STAGES
from tests.support.committee_world import CYCLE, HR, committee_org
from tests.web.visitor import Visitor, text


@pytest.fixture
def staged(build, tmp_path):
    from tests.support.driver import Driver
    from tests.support.policies import policy_file
    app = build(GRADEFLOW_POLICY=policy_file(tmp_path, lambda d: d.update(stages={"promotion": STAGES})))
    gf = committee_org(Driver(app))
    response = gf.post("/cases", as_="e001", json={"cycle": CYCLE, "target_grade": "mid", "statement": "申请晋升"})
    case_id = response.get_json()["id"]
    gf.post(f"/cases/{case_id}/events", as_="s002", json={"event": "approve_materials", "supervisor_score": 80})
    return app, case_id


def _visitor(app, username: str) -> Visitor:
    visitor = Visitor(app, accept_language="zh-CN")
    assert visitor.sign_in(username).status_code == 302
    return visitor


def _fire(visitor: Visitor, case_id: int, event: str, **fields):
    page = visitor.get(f"/cases/{case_id}").get_data(as_text=True)
    version = re.search(rf'data-testid="event-{event}".*?name="version"[^>]*value="(\d+)"', page, flags=re.S)
    assert version, f"no {event} form"
    return visitor.submit(f"/cases/{case_id}/events", {"event": event, "version": version.group(1), **fields},
                          from_page=f"/cases/{case_id}")


def test_the_case_page_names_the_stage_and_offers_its_party_the_stage_buttons(staged):
    app, case_id = staged
    hr = _visitor(app, HR)
    page = hr.get(f"/cases/{case_id}")
    body = page.get_data(as_text=True)
    assert '政策规定环节：<span data-testid="own-stage">资质审核</span>' in body
    assert 'data-testid="event-pass_stage"' in body and 'data-testid="event-fail_stage"' in body
    assert "通过本环节" in text(page) and "本环节不通过" in text(page)
    strip = re.search(r'data-testid="workflow-strip".*?</nav>', body, flags=re.S).group(0)
    assert re.findall(r'data-state="in_stage">([^<]+)<', strip) == ["资质审核", "技能鉴定", "二次审核", "考察期"]
    assert re.search(r'aria-current="step" data-state="in_stage">([^<]+)<', strip).group(1) == "资质审核"
    supervisor = _visitor(app, "s002").get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'data-testid="event-pass_stage"' not in supervisor


def test_a_scored_stage_asks_for_its_score_and_refuses_one_below_the_pass_mark_next_to_the_field(staged):
    app, case_id = staged
    hr = _visitor(app, HR)
    assert _fire(hr, case_id, "pass_stage").status_code == 302
    page = hr.get(f"/cases/{case_id}")
    assert "技能鉴定" in text(page)
    body = page.get_data(as_text=True)
    assert 'name="score"' in body and "60 分及以上为通过" in text(page)
    refused = _fire(hr, case_id, "pass_stage", score="55")
    assert refused.status_code == 422
    assert "分数低于本环节的合格分" in text(refused)
    assert _fire(hr, case_id, "pass_stage", score="75").status_code == 302
    page = hr.get(f"/cases/{case_id}")
    assert "二次审核" in text(page)
    timeline = re.search(r'data-testid="timeline".*?</ol>', page.get_data(as_text=True), flags=re.S).group(0)
    assert "资质审核" in timeline and "技能鉴定" in timeline and "得分 75" in timeline


def test_the_workflow_diagram_follows_the_policy_in_force(staged, visit):
    app, _case_id = staged
    staged_diagram = text(_visitor(app, HR).get("/workflow"))
    assert "通过本环节" in staged_diagram and "政策规定环节" in staged_diagram
    default = visit()
    assert default.sign_in(HR).status_code == 302
    assert "通过本环节" not in text(default.get("/workflow"))


def test_an_observation_period_shows_when_it_ends_and_offers_hr_only_to_fail_it(staged):
    from tests.support.driver import Driver
    app, case_id = staged
    gf = Driver(app)
    for as_, more in ((HR, {}), (HR, {"score": 75}), ("s001", {"comment": "同意"})):
        assert gf.post(f"/cases/{case_id}/events", as_=as_, json={"event": "pass_stage", **more}).status_code == 200
    page = _visitor(app, HR).get(f"/cases/{case_id}")
    shown, body = text(page), page.get_data(as_text=True)
    assert '政策规定环节：<span data-testid="own-stage">考察期</span>' in body
    assert "考察期结束 2026年12月1日 09:00" in shown and "届时自动通过" in shown
    assert 'data-testid="event-fail_stage"' in body and 'data-testid="event-pass_stage"' not in body
