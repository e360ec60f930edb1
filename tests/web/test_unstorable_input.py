"""Input no database stores, sent to the pages: a control character (NUL) in a form field or a query, a case number
past the database's integers, a NUL in a path. PostgreSQL refuses NUL in text and integers past 2**31 - 1 (a server
error there, where SQLite stored or missed them): each is refused before a query runs, the same on both databases,
and nothing is stored."""
from __future__ import annotations

import pytest

from tests.support.reads import case_of
from tests.support.steps import apply
from tests.support.world import BOSS, HR, candidate, organisation
from tests.web.visitor import text


@pytest.fixture
def hr(signed):
    return signed(HR)


def test_a_nul_in_the_sign_in_form_is_refused_naming_the_field_before_any_account_is_read(gf, visit):
    organisation(gf)
    visitor = visit()
    visitor.get("/sign-in")
    refused = visitor.submit("/sign-in", {"username": HR + "\x00", "password": "x"}, from_page="/sign-in")
    assert refused.status_code == 422
    assert "“username”含有无法保存的控制字符（如 NUL）：请删除后重新提交。" in text(refused)


@pytest.mark.parametrize("path, fields, page", [
    ("/calendar", {"day": "2026-09-03", "working": "0", "name": "厂庆\x00", "month": "2026-09"}, "/calendar"),
    ("/cycles", {"code": "2027H1", "name": "2027年\x00上半年"}, "/cycles"),
    ("/managers/S900/events", {"kind": "complaint", "occurred_on": "2026-08-03", "note": "投诉\x00"},
     "/managers/S900"),
])
def test_a_nul_in_a_pages_form_is_refused_and_nothing_is_stored(gf, hr, path, fields, page):
    before = {read: gf.get(read, as_=HR).get_data() for read in ("/cycles", "/managers/S900/events")}
    refused = hr.submit(path, fields, from_page=page)
    assert refused.status_code == 422 and "控制字符" in text(refused)
    assert {read: gf.get(read, as_=HR).get_data() for read in before} == before


def test_tabs_and_line_breaks_are_text_not_control_characters(gf, hr):
    done = hr.submit("/managers/S900/events", {"kind": "complaint", "occurred_on": "2026-08-03",
                                               "note": "第一行\r\n第二行\t完"}, from_page="/managers/S900")
    assert done.status_code == 302
    [event] = gf.get("/managers/S900/events", as_=HR).get_json()
    assert event["note"] == "第一行\r\n第二行\t完"


def test_a_nul_in_a_query_is_refused_not_sent_to_the_database(hr):
    assert hr.get("/managers?org_unit=%00").status_code == 422


@pytest.mark.parametrize("path", ["/review/2147483648", "/review/99999999999999999999"])
def test_a_case_number_past_the_databases_integers_is_the_404_page(gf, signed, path):
    boss = signed(BOSS)
    candidate(gf, "E001")
    apply(gf, "E001")
    assert boss.get(path).status_code == 404


def test_posts_to_a_case_number_past_the_databases_integers_are_the_404_page(gf, hr):
    candidate(gf, "E001")
    case_id = apply(gf, "E001")
    for path in ("/appeals/2147483648", "/cycles/2026H2/scoring/2147483648/score"):
        assert hr.submit(path, {"decision": "uphold", "version": "1"}, from_page="/appeals").status_code == 404
    assert case_of(gf, case_id)["state"] == "submitted"


@pytest.mark.parametrize("path", ["/cycles/%00abc/scoring", "/cycles/%00abc/scoring/sheet", "/policies/%00"])
def test_a_nul_in_a_path_is_the_404_page(hr, path):
    assert hr.get(path).status_code == 404
