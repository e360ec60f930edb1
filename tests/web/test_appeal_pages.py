"""HR's appeals page through Flask's test client: the pending appeals with their reason (markup shown as text),
upheld or overturned with a comment through the case events, a stale page refused as such, other roles refused
by the use case, and a fixed number of statements whatever the number of appeals."""
from __future__ import annotations

import re

import pytest

from tests.support.answers import ok
from tests.support.reads import case_of
from tests.support.statements import counting
from tests.support.steps import appeal, decide, in_deliberation, publish
from tests.support.world import BOSS, HR, candidate, organisation
from tests.web.visitor import Visitor, text

SCRIPT = '<script>alert("x")</script>'


def _appealed(gf, *numbers: str, reason: str = "评分有误, 请复核") -> list[int]:
    ids = [in_deliberation(gf, candidate(gf, no, performance="90"), supervisor=90, scores=90) for no in numbers]
    decide(gf)
    publish(gf)
    for no, case_id in zip(numbers, ids):
        assert appeal(gf, case_id, no.lower(), reason).status_code == 201
    return ids


@pytest.fixture
def hr(app, gf, visit):
    organisation(gf)
    visitor = visit()
    assert visitor.sign_in(HR).status_code == 302
    return visitor


def _resolve(visitor, case_id, event, version, comment=""):
    return visitor.submit(f"/appeals/{case_id}", {f"c{case_id}-event": event, f"c{case_id}-version": version,
                                                  f"c{case_id}-comment": comment}, from_page="/appeals")


def test_hr_sees_the_pending_appeal_with_its_reason_and_upholds_it(app, gf, hr):
    [case_id] = _appealed(gf, "E001", reason=SCRIPT)
    page = hr.get("/appeals")
    body = page.get_data(as_text=True)
    assert "申诉" in text(page) and f"№{case_id}" in text(page)
    assert SCRIPT not in body and "&lt;script&gt;alert(" in body
    assert "维持原决定" in text(page) and "撤销原决定" in text(page)
    assert 'data-confirm="现在答复该申诉？答复后不能更改，并将立即通知申诉人。"' in body  # asked first in a browser
    version = case_of(gf, case_id)["version"]
    done = _resolve(hr, case_id, "uphold", version, comment="复核无误 " + SCRIPT)
    assert done.status_code == 302
    assert case_of(gf, case_id)["state"] == "published"
    page = hr.get("/appeals")
    assert "已维持原决定" in text(page) and "目前没有待处理的申诉" in text(page)
    applicant = Visitor(app)
    assert applicant.sign_in("e001").status_code == 302
    timeline = text(applicant.get(f"/cases/{case_id}"))  # one appeal per case: no window left to count down
    assert "申诉已处理，自" in timeline and "如无申诉" not in timeline and "个工作日" not in timeline.split("申诉已处理")[1]


def test_overturn_sends_the_case_back_to_deliberation(app, gf, hr):
    [case_id] = _appealed(gf, "E001")
    assert _resolve(hr, case_id, "overturn", case_of(gf, case_id)["version"], "重新评议").status_code == 302
    assert case_of(gf, case_id)["state"] == "deliberation"


def test_a_stale_page_says_the_case_changed_and_keeps_the_comment(app, gf, hr):
    [case_id] = _appealed(gf, "E001")
    version = case_of(gf, case_id)["version"]
    stale = _resolve(hr, case_id, "uphold", version - 1, comment="我的意见")
    assert stale.status_code == 409
    assert "案件已被更改" in text(stale) and "我的意见" in stale.get_data(as_text=True)
    assert case_of(gf, case_id)["state"] == "appealed"


def test_a_second_resolution_is_refused_without_a_change(app, gf, hr):
    [case_id] = _appealed(gf, "E001")
    version = case_of(gf, case_id)["version"]
    assert _resolve(hr, case_id, "uphold", version).status_code == 302
    again = _resolve(hr, case_id, "overturn", version)  # the same page sent twice
    assert again.status_code in (404, 409) or again.status_code == 302
    assert case_of(gf, case_id)["state"] == "published"


def test_others_are_refused_by_the_use_case(app, gf, visit):
    organisation(gf)
    [case_id] = _appealed(gf, "E001")
    boss = visit()
    boss.sign_in(BOSS)
    refused = boss.submit(f"/appeals/{case_id}", {f"c{case_id}-event": "uphold",
                                                 f"c{case_id}-version": case_of(gf, case_id)["version"]},
                          from_page="/")
    assert refused.status_code == 403
    assert case_of(gf, case_id)["state"] == "appealed"
    assert 'href="/appeals"' not in boss.get("/").get_data(as_text=True)


def test_the_appeals_page_issues_as_many_statements_for_twelve_appeals_as_for_two(build):
    from tests.support.driver import Driver
    served = build(GRADEFLOW_CLOCK="system")
    gf = Driver(served)
    organisation(gf)
    visitor = Visitor(served)
    assert visitor.sign_in(HR).status_code == 302
    counts = []
    for cycle, numbers in (("A1", ["E001", "E002"]), ("A2", [f"E{n:03d}" for n in range(3, 13)])):
        ok(gf.post("/cycles", as_=HR, json={"code": cycle, "name": cycle}), 201)
        ok(gf.put(f"/cycles/{cycle}/committee", as_=HR, json={"chair": "chair", "members": ["cm2", "cm3"]}))
        ids = [in_deliberation(gf, candidate(gf, no, performance="90"), supervisor=90, scores=90, cycle=cycle)
               for no in numbers]
        decide(gf, cycle)
        ok(gf.post(f"/cycles/{cycle}/publish", as_=HR))
        for no, case_id in zip(numbers, ids):
            assert appeal(gf, case_id, no.lower()).status_code == 201
        with counting(served) as seen:
            page = visitor.get("/appeals")
        assert page.status_code == 200
        counts.append((len(seen), str(seen), len(re.findall(r'data-testid="appeal-\d+"', page.get_data(as_text=True)))))
    (few, _, shown_few), (many, statements, shown_many) = counts
    assert (shown_few, shown_many) == (2, 12)
    assert many == few, statements
    assert many <= 40, statements
