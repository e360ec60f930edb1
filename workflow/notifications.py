"""Notifications delivered from the outbox (issue 15, point 1), as pure rules: the channels a deployment configures,
what each is sent (mail over SMTP to the recipient's address; a generic JSON webhook; the group robots of DingTalk,
with its signed-URL scheme, and of WeCom, mentioning the recipient by mobile number), which channels reach a
recipient, how a refusal is told from an acknowledgement, and when a failed message is tried again or given up (dead
letter). The sending itself is scheduler/delivery.py's; the claiming and recording, workflow/services/outbox.py's;
what a message says, workflow/messages.py's."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import quote_plus

EMAIL, WEBHOOK, DINGTALK, WECOM = "email", "webhook", "dingtalk", "wecom"
CHANNEL_KINDS = (EMAIL, WEBHOOK, DINGTALK, WECOM)
PENDING, SENT, DEAD = "pending", "sent", "dead"
STATUSES = (PENDING, SENT, DEAD)
MAX_ATTEMPTS = 8  # then the message is dead: hr sees it and may send it again
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
LEASE = timedelta(minutes=2)  # a message being sent is not claimed again before this: a crash mid-send retries it


@dataclass(frozen=True)
class Channel:
    kind: str  # CHANNEL_KINDS
    url: str  # EMAIL: smtp://[user:password@]host[:port][?starttls=true], or smtps://
    secret: str | None = None  # DingTalk's 加签 secret
    sender: str | None = None  # EMAIL: the From address


@dataclass(frozen=True)
class Outgoing:
    """A message as the channels send it."""
    id: int
    kind: str
    recipient: str
    case_id: int | None
    subject: str
    body: str
    created_at: datetime
    email: str | None = None  # the recipient's, from their account
    mobile: str | None = None
    language: str | None = None

    @property
    def dedupe_key(self) -> str:
        """The same for every attempt of a message: a receiver that got it once can drop a repeat."""
        return f"gradeflow-outbox-{self.id}"


def reaches(channel: Channel, message: Outgoing) -> bool:
    """Mail needs the recipient's address; the webhook and the group robots take every message."""
    return channel.kind != EMAIL or bool(message.email)


def email_for(channel: Channel, message: Outgoing) -> EmailMessage:
    """The mail of a message; its Message-ID is its dedupe key, so a mail system drops a repeat."""
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = channel.sender
    mail["To"] = message.email
    mail["Date"] = format_datetime(message.created_at)
    mail["Message-ID"] = f"<{message.dedupe_key}@gradeflow>"
    mail.set_content(message.body)
    return mail


def request_for(channel: Channel, message: Outgoing, now: datetime) -> tuple[str, bytes]:
    """(url, JSON body) of one delivery attempt to a webhook or a robot."""
    text = f"{message.subject}\n{message.body}\n[{message.dedupe_key}]"
    if channel.kind == WEBHOOK:
        payload = {"id": message.id, "dedupe_key": message.dedupe_key, "kind": message.kind,
                   "recipient": message.recipient, "email": message.email, "mobile": message.mobile,
                   "language": message.language, "case_id": message.case_id, "subject": message.subject,
                   "body": message.body, "created_at": message.created_at.isoformat()}
        return channel.url, _json(payload)
    payload = {"msgtype": "text", "text": {"content": text}}
    if message.mobile and channel.kind == DINGTALK:  # the robot notifies whom the text @-mentions
        payload["text"]["content"] += f"\n@{message.mobile}"
        payload["at"] = {"atMobiles": [message.mobile], "isAtAll": False}
    elif message.mobile:
        payload["text"]["mentioned_mobile_list"] = [message.mobile]
    url = signed_dingtalk_url(channel.url, channel.secret, now) if channel.kind == DINGTALK and channel.secret \
        else channel.url
    return url, _json(payload)


def signed_dingtalk_url(url: str, secret: str, now: datetime) -> str:
    """DingTalk's 加签: timestamp in milliseconds, and the base64 HMAC-SHA256 of "timestamp\\nsecret" keyed by the
    secret, URL-encoded (the robot refuses a timestamp more than an hour away)."""
    timestamp = str(int(now.timestamp() * 1000))
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}\n{secret}".encode("utf-8"), hashlib.sha256).digest()
    sign = quote_plus(base64.b64encode(digest).decode("ascii"))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


def refusal(channel: Channel, status: int, body: bytes) -> str | None:
    """Why an answer is not an acknowledgement (None: it is). A 2xx answer of a robot may still refuse
    ({"errcode": 310000, "errmsg": "sign not match"})."""
    if not 200 <= status < 300:
        return f"HTTP {status}: {body[:200].decode('utf-8', 'replace')}"
    if channel.kind in (DINGTALK, WECOM):
        try:
            answer = json.loads(body or b"{}")
        except ValueError:
            return f"not JSON: {body[:200].decode('utf-8', 'replace')}"
        if answer.get("errcode", 0) != 0:
            return f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}"
    return None


def next_attempt(attempts: int, now: datetime) -> datetime | None:
    """When a message that failed its `attempts`-th try is tried again (doubling from a minute, at most an hour
    apart); None: never, it is dead."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


def _json(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")
