"""Delivering the outbox (issue 15, point 1): each message is claimed in a short transaction (its next attempt put a
lease ahead, so that a sender that dies mid-send leaves it to be tried again), sent outside any transaction to every
configured channel that has not acknowledged it yet, and its outcome recorded in another: sent once every channel
acknowledged it, tried again later with backoff, dead after the last try. At least once: a receiver drops a repeat by
the message's dedupe key. hr lists the messages and sends a dead one again."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from workflow import access
from workflow.accounts import Actor
from workflow.errors import Conflict, NotFound
from workflow.notifications import DEAD, EMAIL, LEASE, PENDING, SENT, Channel, Outgoing, next_attempt, reaches
from workflow.services.context import Rules
from workflow.services.notices import write_notices
from workflow.services.unit_of_work import UnitOfWork

# deliver(channel, message, now) → None when acknowledged, else why not (scheduler/delivery.py)
Deliver = Callable[[Channel, Outgoing, object], str | None]


@dataclass
class SendRun:
    notices: int = 0  # written before sending
    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)


def notify_and_send(unit_of_work: Callable[[], UnitOfWork], rules: Rules, channels: Sequence[Channel],
                    deliver: Deliver, *, limit: int = 100) -> SendRun:
    """What the scheduler's leader does after each sweep (and `gradeflow outbox send` by hand): write the notices of
    what happened since the last time (notices.py), then send what is due."""
    notices = write_notices(unit_of_work, rules)
    run = send_due(unit_of_work, rules, channels, deliver, limit=limit)
    run.notices = notices
    return run


def send_due(unit_of_work: Callable[[], UnitOfWork], rules: Rules, channels: Sequence[Channel], deliver: Deliver, *,
             limit: int = 100) -> SendRun:
    """Send up to `limit` messages due now; nothing without a channel (they wait for one). Each channel's
    acknowledgement is recorded as it comes, so that a sender killed mid-send never sends it there again."""
    run = SendRun()
    if not channels:
        return run
    for _ in range(limit):
        claimed = _claim(unit_of_work, rules)
        if claimed is None:
            break
        message, delivered = claimed
        reaching = [channel for channel in channels if reaches(channel, message)]
        # only mail is configured and the recipient has no address: nothing will ever reach them (hr sees it)
        failures = {} if reaching else {EMAIL: f"no channel reaches {message.recipient}: no e-mail address"}
        for channel in reaching:
            if channel.kind in delivered:
                continue
            why = deliver(channel, message, rules.now())
            if why is None:
                delivered.append(channel.kind)
                _acknowledged(unit_of_work, message.id, delivered)
            else:
                failures[channel.kind] = why
        _record(unit_of_work, rules, run, message.id, failures, give_up=not reaching)
    return run


def _claim(unit_of_work, rules: Rules) -> tuple[Outgoing, list[str]] | None:
    with unit_of_work() as uow:
        now = rules.now()
        row = uow.outbox.claim_due(now)
        if row is None:
            return None
        row.attempts += 1
        row.next_attempt_at = now + LEASE  # taken: another sender leaves it alone until then
        account = uow.outbox.accounts([row.recipient]).get(row.recipient)
        return (Outgoing(row.id, row.kind, row.recipient, row.case_id, row.subject, row.body, row.created_at,
                         email=account and account.email, mobile=account and account.mobile,
                         language=account and account.language),
                list(row.delivered_to or []))


def _acknowledged(unit_of_work, message_id: int, delivered: list[str]) -> None:
    with unit_of_work() as uow:
        uow.outbox.get(message_id, for_update=True).delivered_to = list(delivered)


def _record(unit_of_work, rules: Rules, run: SendRun, message_id: int, failures: dict[str, str], *,
            give_up: bool) -> None:
    with unit_of_work() as uow:
        row, now = uow.outbox.get(message_id, for_update=True), rules.now()
        if not failures:
            row.status, row.sent_at, row.next_attempt_at, row.last_error = SENT, now, None, None
            run.sent.append(message_id)
            return
        row.last_error = "; ".join(f"{kind}: {why}" for kind, why in failures.items())[:2000]
        row.next_attempt_at = None if give_up else next_attempt(row.attempts, now)
        if row.next_attempt_at is None:
            row.status = DEAD
            run.dead.append(message_id)
        else:
            run.retried.append(message_id)


def messages(uow: UnitOfWork, actor: Actor, *, status: str | None, page: int, per_page: int):
    access.require(access.can_manage_people(actor), "only hr reads the outbox")
    return uow.outbox.page(status, page, per_page)


def send_again(uow: UnitOfWork, rules: Rules, actor: Actor, message_id: int):
    """A dead message back to pending, tried at the next send, to the channels that did not acknowledge it."""
    access.require(access.can_manage_people(actor), "only hr sends a message again")
    row = uow.outbox.get(message_id, for_update=True)
    if row is None:
        raise NotFound(f"no message {message_id}")
    if row.status != DEAD:
        raise Conflict("not_dead", f"message {message_id} is {row.status}: only a dead message is sent again",
                       message_status=row.status)
    row.status, row.attempts, row.next_attempt_at = PENDING, 0, None
    return row
