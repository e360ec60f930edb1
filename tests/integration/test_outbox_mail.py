"""The mail channel (issue 15, point 1): notices and reminders mailed over SMTP to a real server on 127.0.0.1
(aiosmtpd), to the address of the recipient's account, in their language, with the message's dedupe key as its
Message-ID; a server that refuses is tried again; a recipient that no configured channel reaches is dead at once, for
hr to see."""
from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from tests.support.answers import ok
from tests.support.commands import free_port
from tests.support.driver import Driver
from tests.support.outbox import messages, notify, send
from tests.support.steps import apply, move_clock
from tests.support.world import BOSS, HR, candidate, organisation
from workflow.notifications import EMAIL, Channel

SENDER = "gradeflow@bank.example"


class Mailbox:
    """aiosmtpd's handler: keeps every mail it accepts; refuses `refusing` more RCPT commands first."""

    def __init__(self):
        self.mails = []
        self.refusing = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd's name)
        if self.refusing > 0:
            self.refusing -= 1
            return "450 mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.mails.append((envelope.mail_from, list(envelope.rcpt_tos),
                           message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted for delivery"


@pytest.fixture
def mailbox():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture
def gf(build, mailbox) -> Driver:
    app = build(GRADEFLOW_NOTIFY_CHANNELS=(Channel(EMAIL, f"smtp://127.0.0.1:{mailbox.port}", sender=SENDER),))
    driver = Driver(app)
    organisation(driver)
    candidate(driver, "E001")
    return driver


def test_a_notice_and_a_reminder_are_mailed_to_the_recipient_s_address_once(gf, mailbox):
    ok(gf.patch(f"/users/{BOSS}", as_=HR, json={"email": "s900@bank.example"}))
    case_id = apply(gf, "E001")
    notify(gf)
    move_clock(gf, "2026-09-07T09:30:00+08:00")  # overdue: the first reminder
    waiting, reminder = messages(gf)

    run = send(gf)

    assert run.sent == [waiting.id, reminder.id] and len(mailbox.mails) == 2
    for (sender, to, mail), message in zip(mailbox.mails, (waiting, reminder)):
        assert (sender, to, mail["To"], mail["From"]) == (SENDER, ["s900@bank.example"], "s900@bank.example", SENDER)
        assert mail["Subject"] == message.subject and mail["Message-ID"] == f"<gradeflow-outbox-{message.id}@gradeflow>"
        assert mail.get_content().strip() == message.body
    assert f"晋级案件 {case_id}" in mailbox.mails[1][2]["Subject"] and "【催办】" in mailbox.mails[1][2]["Subject"]
    assert send(gf).sent == [] and len(mailbox.mails) == 2


def test_a_mail_server_that_refuses_for_now_is_tried_again(gf, mailbox):
    ok(gf.patch(f"/users/{BOSS}", as_=HR, json={"email": "s900@bank.example"}))
    apply(gf, "E001")
    notify(gf)
    mailbox.refusing = 1
    [message] = messages(gf)
    assert send(gf).retried == [message.id] and mailbox.mails == []
    assert messages(gf)[0].last_error.startswith("email: SMTP:") and "450" in messages(gf)[0].last_error
    assert send(gf, timedelta(minutes=1, seconds=1)).sent == [message.id] and len(mailbox.mails) == 1


def test_a_recipient_without_an_address_is_dead_at_once_when_only_mail_is_configured(gf, mailbox):
    apply(gf, "E001")  # s900 has no e-mail address
    notify(gf)
    [message] = messages(gf)
    assert send(gf).dead == [message.id] and mailbox.mails == []
    dead = ok(gf.get("/outbox?status=dead", as_=HR))
    assert dead[0]["last_error"] == f"email: no channel reaches {BOSS}: no e-mail address"
