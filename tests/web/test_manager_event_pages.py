"""Events on a manager's record on the manager's page (issue 14): hr enters one through the page's form (the JSON API's
use case, workflow/services/manager_events.py record_event) and sees it listed by day; a bad event is told next to its
field in the user's language and nothing is stored; others read the events but get no form, and their POST is refused
with the 403 page; the page shows the standing (在岗, 待岗) and the policy's metrics beside a record's score.

The manual clock starts on 2026-09-01: 2026Q2 is over and may be closed."""
from __future__ import annotations

import pytest

from tests.support.answers import ok
from tests.support.driver import Driver
from tests.support.policies import policy_file
from tests.support.world import BOSS, HR, organisation
from tests.web.visitor import Visitor, text

PAGE = "/managers/M001"
FORM = 'data-testid="event-form"'


@pytest.fixture
def hr(gf, visit):
    organisation(gf)
    gf.manager("M001", "mid", supervisor="S900", login=True)
    visitor = visit()
    assert visitor.sign_in(HR).status_code == 302
    return visitor


def enter(visitor, **fields):
    return visitor.submit(f"{PAGE}/events", fields, from_page=PAGE)


def events(gf) -> list[tuple[str, str]]:
    return [(e["occurred_on"], e["kind"]) for e in ok(gf.get("/managers/M001/events", as_=HR))]


def test_hr_enters_events_and_sees_them_by_day_with_the_standing_they_change(gf, hr):
    page = hr.get(PAGE)
    assert page.status_code == 200 and FORM in page.get_data(as_text=True)
    assert "在岗状态 在岗" in text(page) and "尚无履职事件。" in text(page)

    entered = enter(hr, kind="leave", occurred_on="2026-08-20", days="16", reason="other", note="未请假缺勤")
    assert entered.status_code == 302 and entered.location.endswith("/managers/M001#events")
    shown = hr.get(PAGE)
    words = text(shown)
    assert "已录入履职事件：2026年8月20日 周四 请假。" in words
    assert "2026年8月20日 周四 请假：16 天 · 其他原因 未请假缺勤" in words and HR in words
    assert enter(hr, kind="complaint", occurred_on="2026-08-03", note="客户投诉服务态度").status_code == 302
    assert enter(hr, kind="suspension", occurred_on="2026-08-31", note="违纪停岗").status_code == 302

    words = text(hr.get(PAGE))
    listed = words[words.index("履职事件 日期 事件 说明 录入"):]
    assert listed.index("2026年8月3日") < listed.index("2026年8月20日") < listed.index("2026年8月31日")  # by day
    assert "2026年8月31日 周一 待岗 违纪停岗" in listed and "在岗状态 待岗" in words
    assert 'data-standing="suspended"' in hr.get(PAGE).get_data(as_text=True)
    assert events(gf) == [("2026-08-03", "complaint"), ("2026-08-20", "leave"), ("2026-08-31", "suspension")]


def test_an_empty_form_names_both_the_kind_and_the_day_at_once(gf, hr):
    refused = enter(hr, kind="", occurred_on="")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'data-testid="kind-error">请选择事件类型。' in body and 'data-testid="occurred_on-error">请输入日期' in body
    assert events(gf) == []


@pytest.mark.parametrize("fields, field, told", [
    ({"kind": "leave", "occurred_on": "2026-08-20", "note": "病休"}, "days", "请输入请假天数。"),
    ({"kind": "leave", "occurred_on": "2026-08-20", "days": "3"}, "reason", "请选择请假原因。"),
    ({"kind": "leave", "occurred_on": "2026-08-20", "days": "三", "reason": "sick"}, "days", "请输入整数天数，如 3。"),
    ({"kind": "leave", "occurred_on": "2026-08-20", "days": "400", "reason": "sick"}, "days",
     "请假天数为 1 至 366 天。"),
    ({"kind": "complaint", "occurred_on": "2026-08-20", "days": "2"}, "days", "只有请假才有天数：请留空此项。"),
    ({"kind": "complaint", "occurred_on": "2026-09-02"}, "occurred_on", "事件须在发生后录入"),
    ({"kind": "complaint", "occurred_on": ""}, "occurred_on", "请输入日期，如 2026-10-10。"),
    ({"kind": "", "occurred_on": "2026-08-20"}, "kind", "请选择事件类型。"),
    ({"kind": "suspension", "occurred_on": "2026-08-20"}, "note", "请说明原因"),
    ({"kind": "reinstatement", "occurred_on": "2026-08-20", "note": "复岗"}, "kind", "该客户经理并未待岗"),
])
def test_a_bad_event_is_told_next_to_its_field_in_chinese_and_nothing_is_stored(gf, hr, fields, field, told):
    refused = enter(hr, **fields)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and f'data-testid="{field}-error"' in body
    error = body[body.index(f'data-testid="{field}-error"'):]
    assert told in error[:error.index("</small>")]
    assert f'id="{field}"' in body and 'aria-invalid="true"' in body and FORM in body
    if fields.get("note"):
        assert fields["note"] in text(refused)  # what was typed is kept
    assert events(gf) == []


def test_a_months_sales_target_entered_twice_is_told_next_to_its_day_in_chinese(gf, hr):
    assert enter(hr, kind="target_missed", occurred_on="2026-08-05").status_code == 302
    refused = enter(hr, kind="target_missed", occurred_on="2026-08-25", note="重复录入")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'data-testid="occurred_on-error"' in body
    assert "该月的销售任务完成情况已录入：每月只录入一次。" in text(refused)
    assert events(gf) == [("2026-08-05", "target_missed")]


def test_an_event_in_a_closed_period_is_refused_with_409_next_to_its_day(gf, hr):
    gf.performance("M001", "2026Q2", "85", months_worked=3)
    ok(gf.post("/evaluations/2026Q2/close", as_=HR))
    refused = enter(hr, kind="complaint", occurred_on="2026-05-10", note="迟报投诉")
    assert refused.status_code == 409 and 'data-testid="occurred_on-error"' in refused.get_data(as_text=True)
    assert "2026年第2季度已完成评价：评价按当时的记录进行，不能再录入该日的事件。" in text(refused)
    assert events(gf) == []


def test_the_refusal_reads_in_english_for_an_english_reader(gf, hr, visit):
    english = visit("en")
    assert english.sign_in(HR).status_code == 302
    refused = enter(english, kind="leave", occurred_on="2026-08-20", reason="sick")
    assert refused.status_code == 422 and "Enter the length of the leave in days." in text(refused)
    assert "Events on the record" in text(refused) and "Standing Active" in text(refused)


@pytest.mark.parametrize("who", [BOSS, "m001"])
def test_others_read_the_events_but_get_no_form_and_their_post_is_refused(gf, hr, visit, who):
    assert enter(hr, kind="target_missed", occurred_on="2026-08-31", note="8月销售任务未完成").status_code == 302
    other = visit()
    assert other.sign_in(who).status_code == 302
    page = other.get(PAGE)
    assert page.status_code == 200 and "未完成销售任务 8月销售任务未完成" in text(page)
    assert FORM not in page.get_data(as_text=True)
    refused = other.submit(f"{PAGE}/events", {"kind": "complaint", "occurred_on": "2026-08-03"}, from_page=PAGE)
    assert refused.status_code == 403
    assert events(gf) == [("2026-08-31", "target_missed")]


METRICS = [{"code": "new_customers", "zh": "新客到店数", "en": "New customers", "max": 10000},
           {"code": "ad_exchange", "zh": "广告置换金额", "en": "Advertising exchanged", "max": 100000000}]


def test_the_page_shows_the_policys_metrics_beside_a_records_score(build, tmp_path):
    app = build(GRADEFLOW_POLICY=policy_file(tmp_path, lambda document: document.update(metrics=METRICS)))
    gf = Driver(app)
    organisation(gf)
    gf.manager("M001", "mid", supervisor="S900")
    ok(gf.put("/managers/M001/performance/2026Q2", as_=HR, json={
        "score": 88, "months_worked": 3, "metrics": {"ad_exchange": 105000, "new_customers": 62}}))
    chinese, english = Visitor(app), Visitor(app, "en")
    for visitor in (chinese, english):
        assert visitor.sign_in(HR).status_code == 302
    assert "88 新客到店数 62 · 广告置换金额 105,000" in text(chinese.get(PAGE))  # in the policy's order
    assert "88 New customers 62 · Advertising exchanged 105,000" in text(english.get(PAGE))
