"""The outbox's channels on the wire: one HTTP POST of JSON per message and channel (workflow/notifications.py says
what), with a timeout, so that a receiver that hangs delays one message, not the scheduler."""
from __future__ import annotations

import urllib.error
import urllib.request
from datetime import datetime

from workflow.notifications import Channel, Outgoing, refusal, request_for

TIMEOUT = 10  # seconds


def deliver(channel: Channel, message: Outgoing, now: datetime) -> str | None:
    """None when the channel acknowledged the message, else why not."""
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
