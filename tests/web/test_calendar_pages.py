"""HR's working-day calendar page through Flask's test client: a month in weeks with its holidays and make-up
workdays, a day corrected through set_calendar_day (the open appeal deadlines it extends listed with the
correction), a refusal next to its field with what was typed kept, markup in the name shown as text, other roles
refused, and a fixed number of statements whatever the number of corrections."""
from __future__ import annotations

import pytest

from tests.support.cycles import published_cycle
from tests.support.reads import case_of
from tests.support.statements import counting
from tests.support.world import ADMIN, BOSS, HR, organisation
from tests.web.visitor import text

SCRIPT = '<script>alert("x")</script>'


@pytest.fixture
def hr(gf, visit):
    organisation(gf)
    visitor = visit()
    assert visitor.sign_in(HR).status_code == 302
    return visitor


def _correct(visitor, day, working, name="", month="2026-09"):
    return visitor.submit("/calendar", {"day": day, "working": working, "name": name, "month": month},
                          from_page=f"/calendar?month={month}")


def test_october_2026_shows_national_day_and_the_makeup_saturday(hr):
    page = hr.get("/calendar?month=2026-10")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'data-day="2026-10-01" data-kind="holiday"' in body and "国庆节" in text(page)
    assert 'data-day="2026-10-10" data-kind="makeup_workday"' in body and "调休补班" in text(page)
    assert 'data-day="2026-10-12" data-kind="workday"' in body
    assert "month=2026-09" in body and "month=2026-11" in body
    assert body.count("<tr>") >= 5  # weeks as rows


def test_a_company_holiday_extends_the_open_appeal_deadline_and_says_which(gf, visit):
    approved, _denied = published_cycle(gf)
    hr = visit()
    assert hr.sign_in(HR).status_code == 302
    done = _correct(hr, "2026-09-03", "0", "公司活动日 " + SCRIPT)
    assert done.status_code == 302 and "month=2026-09" in done.headers["Location"]
    assert case_of(gf, approved)["appeal_deadline"] == "2026-09-07T23:59:59+08:00"
    page = hr.get("/calendar?month=2026-09")
    body = page.get_data(as_text=True)
    assert 'data-day="2026-09-03" data-kind="holiday"' in body
    assert SCRIPT not in body and "&lt;script&gt;alert(" in body
    assert f"№{approved}" in text(page) and "2026年9月7日" in text(page)


def test_a_missing_date_is_told_next_to_the_field_and_the_name_is_kept(hr):
    refused = _correct(hr, "", "0", "厂庆 " + SCRIPT)
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert 'data-testid="day-error"' in body and "请输入日期" in text(refused)
    assert "厂庆 &lt;script&gt;" in body and SCRIPT not in body


def test_a_name_too_long_is_refused_and_nothing_is_stored(gf, hr):
    refused = _correct(hr, "2026-09-03", "0", "长" * 101)
    assert refused.status_code == 422 and 'data-testid="name-error"' in refused.get_data(as_text=True)
    assert 'data-day="2026-09-03" data-kind="workday"' in hr.get("/calendar?month=2026-09").get_data(as_text=True)


@pytest.mark.parametrize("who", [BOSS, "chair", ADMIN])
def test_other_roles_get_the_403_page_and_cannot_correct(gf, visit, hr, who):
    other = visit()
    assert other.sign_in(who).status_code == 302
    assert other.get("/calendar").status_code == 403
    assert _correct(other, "2026-09-03", "0", "x").status_code == 403
    assert 'data-day="2026-09-03" data-kind="workday"' in hr.get("/calendar?month=2026-09").get_data(as_text=True)


def test_a_malformed_month_is_the_404_page(hr):
    assert hr.get("/calendar?month=2026-13").status_code == 404


@pytest.mark.parametrize("month", ["0001-01", "9999-12"])
def test_a_month_at_the_end_of_the_dates_is_the_404_page_not_a_server_error(hr, month):
    """Its weeks and the months beside it would run off the dates Python has."""
    assert hr.get(f"/calendar?month={month}&day={month}-01").status_code == 404
    assert hr.get("/calendar?month=0001-02").status_code == 200 and hr.get("/calendar?month=9999-11").status_code == 200


def test_the_page_issues_as_many_statements_for_many_corrections_as_for_one(hr):
    _correct(hr, "2026-09-03", "0", "一")
    with counting(hr.client.application) as few:
        assert hr.get("/calendar?month=2026-09").status_code == 200
    for day in range(4, 26):
        _correct(hr, f"2026-09-{day:02d}", "0", f"第{day}天")
    with counting(hr.client.application) as many:
        assert hr.get("/calendar?month=2026-09").status_code == 200
    assert len(many) == len(few), str(many)
