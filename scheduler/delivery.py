"""The outbox's channels on the wire (workflow/notifications.py says what): mail over SMTP, or one HTTP POST of JSON
per message and channel, each with a timeout, so that a receiver that hangs delays one message, not the scheduler."""
from __future__ import annotations

import smtplib
import ssl
import urllib.error
import urllib.request
from datetime import datetime
from urllib.parse import parse_qs, unquote, urlsplit

from workflow.notifications import EMAIL, Channel, Outgoing, email_for, refusal, request_for

TIMEOUT = 10  # seconds


def deliver(channel: Channel, message: Outgoing, now: datetime) -> str | None:
    """None when the channel acknowledged the message, else why not."""
    if channel.kind == EMAIL:
        return _mail(channel, message)
    url, body = request_for(channel, message, now)
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "Idempotency-Key": message.dedupe_key})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310 (the deployment's own URLs)
            return refusal(channel, answer.status, answer.read())
    except urllib.error.HTTPError as failed:
        return refusal(channel, failed.code, failed.read())
    except (urllib.error.URLError, OSError) as failed:
        return f"unreachable: {getattr(failed, 'reason', failed)}"


def _mail(channel: Channel, message: Outgoing) -> str | None:
    """The mail server accepted the mail for the recipient (a refusal of any recipient is a failure)."""
    url = urlsplit(channel.url)
    secure = url.scheme == "smtps"
    port = url.port or (465 if secure else 25)
    try:
        server = smtplib.SMTP_SSL(url.hostname, port, timeout=TIMEOUT, context=ssl.create_default_context()) \
            if secure else smtplib.SMTP(url.hostname, port, timeout=TIMEOUT)
        with server:
            if parse_qs(url.query).get("starttls", ["false"])[0].lower() in ("1", "true", "yes"):
                server.starttls(context=ssl.create_default_context())
            if url.username:
                server.login(unquote(url.username), unquote(url.password or ""))
            refused = server.send_message(email_for(channel, message))
        return f"refused: {refused}" if refused else None
    except smtplib.SMTPException as failed:
        return f"SMTP: {failed}"
    except OSError as failed:
        return f"unreachable: {failed}"
