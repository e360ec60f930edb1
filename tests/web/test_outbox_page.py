"""HR's notifications page (/outbox; issue 15, point 1): the messages given up after their last try, with their last
error, sent again from the page; the other tabs; hr only."""
from __future__ import annotations

import sqlalchemy as sa

from models import OutboxMessage, db
from tests.support.driver import Driver
from tests.support.steps import apply, move_clock
from tests.support.world import BOSS, HR, candidate, organisation
from tests.web.visitor import Visitor, text


def one_dead_reminder(app) -> int:
    """A reminder (E001's case waits on S900 past three working days), given up after its last try."""
    gf = Driver(app)
    organisation(gf)
    candidate(gf, "E001")
    apply(gf, "E001")
    move_clock(gf, "2026-09-07T09:30:00+08:00")
    with app.app_context():
        message = db.session.scalars(sa.select(OutboxMessage)).one()
        message.status, message.attempts, message.last_error = "dead", 8, "wecom: HTTP 500: busy"
        db.session.commit()
        message_id = message.id
        db.session.remove()
    return message_id


def test_hr_sees_a_dead_notification_with_its_error_and_sends_it_again(app):
    message_id = one_dead_reminder(app)
    hr = Visitor(app, "zh-CN")
    assert hr.sign_in(HR).status_code == 302
    page = hr.get("/outbox")
    words = text(page)
    assert page.status_code == 200 and "通知" in words and "wecom: HTTP 500: busy" in words and "重新发送" in words
    assert f'data-message="{message_id}"' in page.get_data(as_text=True)

    sent = hr.submit(f"/outbox/{message_id}/resend", {}, from_page="/outbox")
    assert sent.status_code == 302
    assert f"通知 №{message_id} 将在下次发送时重新发送。" in text(hr.get("/outbox"))
    assert "没有已放弃的通知。" in text(hr.get("/outbox"))
    assert f'data-message="{message_id}"' in hr.get("/outbox?status=pending").get_data(as_text=True)
    again = hr.submit(f"/outbox/{message_id}/resend", {}, from_page="/outbox")  # not dead any more
    assert again.status_code == 302 and "不在待重发状态" in text(hr.get("/outbox"))


def test_only_hr_has_the_page_and_its_entry_in_the_navigation(app):
    one_dead_reminder(app)
    supervisor = Visitor(app, "zh-CN")
    assert supervisor.sign_in(BOSS).status_code == 302
    assert supervisor.get("/outbox").status_code == 403
    assert 'href="/outbox"' not in supervisor.get("/").get_data(as_text=True)
    hr = Visitor(app, "zh-CN")
    hr.sign_in(HR)
    assert 'href="/outbox"' in hr.get("/").get_data(as_text=True)
