"""The clock page (/clock, admin) through Flask's test client: the service's time, and on the manual clock the form
that moves it forward as PUT /api/v1/clock does, firing what fell due (a published decision takes effect once its
appeal window closes); a time before the clock's is told next to the field; others get the 403 page; on the system
clock the time is only shown."""
from __future__ import annotations

from tests.support.cycles import published_cycle
from tests.support.driver import Driver
from tests.support.reads import case_of
from tests.support.world import ADMIN, HR, organisation
from tests.web.visitor import Visitor, text


def _admin(visit):
    admin = visit()
    assert admin.sign_in(ADMIN).status_code == 302
    return admin


def test_the_admin_moves_the_clock_past_an_appeal_window_and_the_decision_takes_effect(app, visit):
    gf = Driver(app)
    approved, _denied = published_cycle(gf)  # published on 2026-09-01: the window closes on 2026-09-04
    admin = _admin(visit)
    page = admin.get("/clock")
    assert page.status_code == 200 and "2026年9月1日 周二" in text(page) and "拨动时钟" in text(page)
    # what falls due on the way cannot be undone: the browser asks first, as for a decision or a publication
    assert 'data-confirm="现在拨动时钟？期间到期的事项将立即全部处理，时钟不能回拨。"' in page.get_data(as_text=True)
    assert "系统时钟" in text(admin.get("/"))  # in the admin's navigation
    moved = admin.submit("/clock", {"now": "2026-09-07T09:00"}, from_page="/clock")
    assert moved.status_code == 302
    assert "时钟已拨到 2026年9月7日 周一 09:00:00，期间到期的事项均已处理。" in text(admin.get("/clock"))
    assert case_of(gf, approved)["state"] == "effective"


def test_a_time_before_the_clocks_is_told_next_to_the_field_and_nothing_moves(app, visit):
    organisation(Driver(app))
    admin = _admin(visit)
    refused = admin.submit("/clock", {"now": "2026-08-01T09:00"}, from_page="/clock")
    assert refused.status_code == 409 and 'data-testid="now-error"' in refused.get_data(as_text=True)
    assert "时钟只能向前拨：现在是 2026年9月1日 周二" in text(refused)
    malformed = admin.submit("/clock", {"now": "明天"}, from_page="/clock")
    assert malformed.status_code == 422 and "请输入日期和时间，如 2026-10-11 09:00。" in text(malformed)
    assert "2026年9月1日 周二" in text(admin.get("/clock"))


def test_others_get_the_403_page(app, visit):
    organisation(Driver(app))
    hr = visit()
    assert hr.sign_in(HR).status_code == 302
    assert hr.get("/clock").status_code == 403 and "系统时钟" not in text(hr.get("/"))


def test_on_the_system_clock_the_time_is_only_shown(build):
    app = build(GRADEFLOW_CLOCK="system")
    organisation(Driver(app))
    admin = Visitor(app)
    assert admin.sign_in(ADMIN).status_code == 302
    page = admin.get("/clock").get_data(as_text=True)
    assert 'data-testid="system-clock"' in page and 'data-testid="clock-form"' not in page
    assert admin.submit("/clock", {"now": "2030-01-01T09:00"}, from_page="/clock").status_code == 404
