"""The supervisor's score by item on the pages (issue 13, point 3; 上级评价 by item): under a policy with
`scoring.supervisor_items`, the review page and the case page's event form ask for each item instead of the one
score; a refused item is told next to its field, in Chinese, with what was typed kept; the score is their sum, and
the case page lists the items beside it."""
from __future__ import annotations

import re

import pytest

from tests.api.test_supervisor_items import ITEMS
from tests.support.committee_world import CYCLE, HR, committee_org
from tests.web.visitor import Visitor, text


@pytest.fixture
def by_items(build, tmp_path):
    from tests.support.driver import Driver
    from tests.support.policies import policy_file
    app = build(GRADEFLOW_POLICY=policy_file(tmp_path, lambda d: d["scoring"].update(supervisor_items=ITEMS)))
    gf = committee_org(Driver(app))
    response = gf.post("/cases", as_="e001", json={"cycle": CYCLE, "target_grade": "mid", "statement": "申请晋升"})
    return app, gf, response.get_json()["id"]


def _supervisor(app) -> Visitor:
    visitor = Visitor(app, accept_language="zh-CN")
    assert visitor.sign_in("s002").status_code == 302
    return visitor


def _error_of(body: str, field: str) -> str:
    found = re.search(rf'data-testid="{field}-error">([^<]*)<', body)
    return found.group(1) if found else ""


def _send_review(visitor: Visitor, case_id: int, **items):
    page = visitor.get(f"/review/{case_id}").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    data = {"decision": "approve_materials", "version": version, **{f"item_{k}": v for k, v in items.items()}}
    return visitor.submit(f"/review/{case_id}", data, from_page=f"/review/{case_id}")


def test_the_review_page_asks_for_each_item_and_not_for_the_total(by_items):
    app, _gf, case_id = by_items
    page = _supervisor(app).get(f"/review/{case_id}")
    body = page.get_data(as_text=True)
    assert "上级分项评分" in text(page)
    assert "工作业绩 (0–40)" in text(page) and "工作态度 (0–20)" in text(page)
    assert 'name="item_performance"' in body and 'name="supervisor_score"' not in body


def test_the_review_page_refuses_each_bad_item_next_to_it_and_keeps_what_was_typed(by_items):
    app, gf, case_id = by_items
    boss = _supervisor(app)
    refused = _send_review(boss, case_id, performance="45", ability="三十", attitude="")
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert _error_of(body, "item_ability") == "请输入数字，例如 85 或 85.5。"
    assert gf.case(case_id, HR)["state"] == "submitted"  # nothing sent while a field holds no number
    refused = _send_review(boss, case_id, performance="45", ability="30", attitude="")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert _error_of(body, "item_performance") == "请输入 0 至 40 分。"
    assert _error_of(body, "item_attitude") == "请为此项评分：上级评分为各项之和，每项都须评分。"
    assert re.search(r'name="item_performance"[^>]*value="45"', body) or re.search(
        r'value="45"[^>]*name="item_performance"', body)
    assert gf.case(case_id, HR)["state"] == "submitted"
    assert _send_review(boss, case_id, performance="35", ability="32.5", attitude="18").status_code == 302
    shown = gf.case(case_id, HR)
    assert (shown["state"], shown["supervisor_score"]) == ("interview", 85.5)


def test_the_case_page_event_form_takes_the_items_and_lists_them_by_label(by_items):
    app, gf, case_id = by_items
    boss = _supervisor(app)
    body = boss.get(f"/cases/{case_id}").get_data(as_text=True)
    form = re.search(r'data-testid="event-approve_materials".*?</form>', body, flags=re.S).group(0)
    assert 'name="item_ability"' in form and 'name="supervisor_score"' not in form
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    refused = boss.submit(f"/cases/{case_id}/events", {"event": "approve_materials", "version": version,
                                                       "item_performance": "35", "item_ability": "41",
                                                       "item_attitude": "18"}, from_page=f"/cases/{case_id}")
    assert refused.status_code == 422
    assert _error_of(refused.get_data(as_text=True), "item_ability") == "请输入 0 至 40 分。"
    done = boss.submit(f"/cases/{case_id}/events", {"event": "approve_materials", "version": version,
                                                    "item_performance": "35", "item_ability": "32",
                                                    "item_attitude": "18"}, from_page=f"/cases/{case_id}")
    assert done.status_code == 302
    assert gf.case(case_id, HR)["supervisor_score"] == 85
    assert re.search(r"上级评分\s*85\s*\(工作业绩 35 · 工作能力 32 · 工作态度 18\)", text(boss.get(f"/cases/{case_id}")))


def test_item_codes_that_name_other_fields_of_the_form_are_fields_of_their_own(build, tmp_path):
    from tests.support.driver import Driver
    from tests.support.policies import policy_file
    items = [{"code": "fields", "points": 60}, {"code": "comment", "points": 30}, {"code": "version", "points": 10}]
    app = build(GRADEFLOW_POLICY=policy_file(tmp_path, lambda d: d["scoring"].update(supervisor_items=items)))
    gf = committee_org(Driver(app))
    case_id = gf.post("/cases", as_="e001", json={"cycle": CYCLE, "target_grade": "mid",
                                                   "statement": "申请晋升"}).get_json()["id"]
    boss = _supervisor(app)
    body = boss.get(f"/review/{case_id}").get_data(as_text=True)
    assert all(f'name="item_{code}"' in body for code in ("fields", "comment", "version"))
    assert _send_review(boss, case_id, fields="50", comment="20", version="9").status_code == 302
    assert gf.case(case_id, HR)["supervisor_items"] == {"fields": 50, "comment": 20, "version": 9}


def test_the_reviewer_sees_the_score_they_gave_on_the_case_page_and_the_applicant_does_not_yet(gf):
    """As the API shows it: whoever reviewed the materials sees their own score at once (any policy)."""
    from tests.support.world import BOSS, candidate, organisation
    from tests.web.visitor import Visitor
    organisation(gf)
    candidate(gf, "E001")
    case_id = gf.post("/cases", as_="e001", json={"cycle": "2026H2", "target_grade": "mid",
                                                   "statement": "申请晋升"}).get_json()["id"]
    assert gf.post(f"/cases/{case_id}/events", as_=BOSS,
                   json={"event": "approve_materials", "supervisor_score": 88}).status_code == 200
    pages = {}
    for user in (BOSS, "e001"):
        visitor = Visitor(gf.app, accept_language="zh-CN")
        assert visitor.sign_in(user).status_code == 302
        pages[user] = text(visitor.get(f"/cases/{case_id}"))
    assert re.search(r"上级评分\s*88", pages[BOSS])
    assert "上级评分" not in pages["e001"]
