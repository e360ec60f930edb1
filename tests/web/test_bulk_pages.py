"""Bulk work on the pages (issue 16, point 3): hr ticks cases on "my work" and applies one event to them, seeing a
line per case (done, or refused and why, in Chinese); a committee member enters the whole scoring sheet in one
form, with each row's refusal next to its field and the other rows saved."""
from __future__ import annotations

import re
from datetime import date

import pytest

from tests.support.answers import ok
from tests.support.reads import case_of
from tests.support.statements import counting
from tests.support.steps import apply, event, review
from tests.support.world import BOSS, CYCLE, FIVE, HR, SUPERVISOR, candidate, organisation
from tests.web.visitor import text

SHEET = f"/cycles/{CYCLE}/scoring/sheet"


def _signed_in(visit, username):
    visitor = visit()
    assert visitor.sign_in(username).status_code == 302
    return visitor


def _decided_probations(gf, count: int) -> list[int]:
    organisation(gf)
    ids = []
    for i in range(count):
        no = f"P{i:03d}"
        gf.manager(no, "probation", supervisor=SUPERVISOR, grade_since=date(2026, 5, 1), name=f"见习{i}")
        case_id = ok(gf.post("/cases", as_=HR, json={"kind": "probation_confirmation", "employee_no": no,
                                                      "statement": "转正"}), 201)["id"]
        ok(event(gf, case_id, "pass_probation", BOSS, supervisor_score=85))
        ids.append(case_id)
    return ids


def _versions(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="(v\d+)" value="(\d+)"', page))


def test_hr_ticks_cases_on_my_work_and_publishes_them(gf, visit):
    first, second, untouched = _decided_probations(gf, 3)
    hr = _signed_in(visit, HR)
    page = hr.get("/").get_data(as_text=True)
    assert f'data-testid="tick-{first}"' in page and 'data-events="publish"' in page
    assert re.search(r'<option value="publish"[^>]*>公示</option>', page)
    versions = _versions(page)
    answer = hr.submit("/work/bulk", {"cases": [str(first), str(second)], "event": "publish", "comment": "批量公示",
                                      f"v{first}": versions[f"v{first}"], f"v{second}": "1"}, from_page="/")
    assert answer.status_code == 200
    body = answer.get_data(as_text=True)
    assert re.search(rf'data-testid="result-{first}" data-result="done"', body)
    assert re.search(rf'data-testid="result-{second}" data-result="version_conflict"', body)
    words = text(answer)
    assert "已办理 1 件，被拒绝 1 件。" in words and "✓ 已办理 公示中" in words and "案件在此期间已有变动" in words
    assert case_of(gf, first)["state"] == "published" and case_of(gf, second)["state"] == "decided"
    assert case_of(gf, untouched)["state"] == "decided"
    assert [h["comment"] for h in gf.history(first, HR) if h["event"] == "publish"] == ["批量公示"]


def test_a_case_refused_by_its_state_is_told_in_words(gf, visit):
    case_id, = _decided_probations(gf, 1)
    hr = _signed_in(visit, HR)
    version = _versions(hr.get("/").get_data(as_text=True))[f"v{case_id}"]
    ok(event(gf, case_id, "publish", HR))
    answer = hr.submit("/work/bulk", {"cases": [str(case_id)], "event": "publish", f"v{case_id}": version},
                       from_page="/")
    assert "被拒绝" in text(answer) and "案件在此期间已有变动" in text(answer)
    answer = hr.submit("/work/bulk", {"cases": [str(case_id)], "event": "publish"}, from_page="/")
    assert "案件处于“公示中”状态，无法办理。" in text(answer)


def test_a_supervisor_returns_the_cases_ticked_with_one_shared_reason(gf, visit):
    organisation(gf)
    first, second = (apply(gf, candidate(gf, no)) for no in ("E401", "E402"))
    boss = _signed_in(visit, BOSS)
    page = boss.get("/").get_data(as_text=True)
    assert re.search(r'<option value="return_materials"', page) and 'name="reason"' in page
    assert not re.search(r'<option value="approve_materials"', page)  # a score of each case: one at a time
    answer = boss.submit("/work/bulk", {"cases": [str(first), str(second)], "event": "return_materials",
                                        "reason": "缺少业绩证明材料"}, from_page="/")
    assert answer.status_code == 200 and "已办理 2 件" in text(answer)
    for case_id in (first, second):
        [entry] = [h for h in gf.history(case_id, HR) if h["event"] == "return_materials"]
        assert entry["data"]["reason"] == "缺少业绩证明材料" and case_of(gf, case_id)["state"] == "returned"


@pytest.mark.parametrize("data, testid, message", [
    ({"event": "publish"}, "cases-error", "请至少勾选一件案件。"),
    ({"cases": ["1"], "event": ""}, "event-error", "请选择要办理的操作。"),
    ({"cases": ["1"], "event": "pass_probation"}, "event-error", "请选择要办理的操作。"),
])
def test_the_bulk_form_names_what_is_missing_next_to_the_field(gf, visit, data, testid, message):
    _decided_probations(gf, 1)
    hr = _signed_in(visit, HR)
    refused = hr.submit("/work/bulk", data, from_page="/")
    assert refused.status_code == 422
    found = re.search(rf'data-testid="{testid}">([^<]*)<', refused.get_data(as_text=True))
    assert found and found.group(1).strip() == message


PER_CASE_BUDGET = 15  # a state-changing case request's (tests/api/test_statement_budgets.py)


def test_the_bulk_form_issues_a_fixed_number_of_statements_per_case(gf, visit):
    ids = _decided_probations(gf, 7)
    hr = _signed_in(visit, HR)
    counts = []
    for chosen in (ids[:2], ids[2:]):
        data = {"cases": [str(i) for i in chosen], "event": "publish", "csrf_token": hr.csrf_token("/")}
        with counting(gf.app) as seen:
            assert hr.client.post("/work/bulk", data=data).status_code == 200
        counts.append(len(seen))
    per_case = (counts[1] - counts[0]) / 3
    assert per_case <= PER_CASE_BUDGET, counts


def test_my_work_offers_no_bulk_form_without_events_fired_in_bulk(gf, visit):
    _decided_probations(gf, 1)
    page = _signed_in(visit, BOSS).get("/").get_data(as_text=True)
    assert 'id="bulk-form"' not in page


# --- the whole scoring sheet --------------------------------------------------------------------------

@pytest.fixture
def two_in_interview(gf):
    organisation(gf, committee=FIVE)
    ids = []
    for no in ("E201", "E202"):
        candidate(gf, no)
        case_id = apply(gf, no)
        review(gf, case_id, 85)
        ids.append(case_id)
    return ids


def _sheet_form(page: str) -> dict[str, str]:
    return dict(re.findall(r'name="((?:version|was|score|comment)-\d+)"[^>]*value="([^"]*)"', page))


def test_a_member_enters_the_whole_sheet_at_once(gf, visit, two_in_interview):
    first, second = two_in_interview
    cm2 = _signed_in(visit, "cm2")
    page = cm2.get(SHEET).get_data(as_text=True)
    fields = _sheet_form(page) | {f"score-{first}": "88", f"comment-{first}": "清楚", f"score-{second}": "76.5"}
    done = cm2.submit(SHEET, fields, from_page=SHEET)
    assert done.status_code == 302 and done.headers["Location"].endswith(SHEET)
    assert "已保存 2 个评分。" in text(cm2.get(SHEET))
    assert ok(gf.get(f"/cases/{first}", as_="cm2"))["interview"]["my_score"] == 88
    assert ok(gf.get(f"/cases/{second}", as_="cm2"))["interview"]["my_score"] == 76.5
    again = cm2.submit(SHEET, _sheet_form(cm2.get(SHEET).get_data(as_text=True)), from_page=SHEET)
    assert again.status_code == 422  # nothing changed: nothing is sent again
    assert [h["event"] for h in gf.history(first, HR)].count("score") == 1


def test_a_row_the_rules_refuse_is_told_next_to_its_field_and_the_others_are_saved(gf, visit, two_in_interview):
    first, second = two_in_interview
    cm2 = _signed_in(visit, "cm2")
    fields = _sheet_form(cm2.get(SHEET).get_data(as_text=True)) | {f"score-{first}": "150", f"score-{second}": "80"}
    refused = cm2.submit(SHEET, fields, from_page=SHEET)
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert re.search(rf'data-testid="score-{first}-error">([^<]*)<', body).group(1) == "请输入 0 至 100 之间的分数。"
    assert re.search(rf'name="score-{first}"[^>]*value="150"', body)  # what was typed stays
    assert ok(gf.get(f"/cases/{second}", as_="cm2"))["interview"]["my_score"] == 80
    assert ok(gf.get(f"/cases/{first}", as_="cm2"))["interview"]["my_score"] is None


def test_an_unreadable_score_sends_nothing(gf, visit, two_in_interview):
    first, second = two_in_interview
    cm2 = _signed_in(visit, "cm2")
    fields = _sheet_form(cm2.get(SHEET).get_data(as_text=True)) | {f"score-{first}": "abc", f"score-{second}": "80"}
    refused = cm2.submit(SHEET, fields, from_page=SHEET)
    assert refused.status_code == 422
    assert re.search(rf'data-testid="score-{first}-error">([^<]*)<', refused.get_data(as_text=True)).group(1) == \
        "请输入数字，例如 85 或 85.5。"
    assert ok(gf.get(f"/cases/{second}", as_="cm2"))["interview"]["my_score"] is None


def test_a_recused_member_sees_the_row_without_a_field(gf, visit, two_in_interview):
    first, _second = two_in_interview
    ok(gf.post(f"/cases/{first}/recusal", as_="cm5", json={}))
    page = _signed_in(visit, "cm5").get(SHEET).get_data(as_text=True)
    assert f'data-testid="recused-{first}"' in page and f'name="score-{first}"' not in page


def test_the_whole_sheet_of_a_cycle_not_the_members_is_not_found(gf, visit, two_in_interview):
    gf.user("outsider", "committee")
    assert _signed_in(visit, "outsider").get(SHEET).status_code == 404
