"""Writing one outbox message (workflow/messages.py says what it says): a reminder (due.py) or a notice
(notices.py), in the recipient's language, with the grades named by the ladder of the policy the case follows."""
from __future__ import annotations

from datetime import datetime

from workflow import messages
from workflow.services.context import Rules
from workflow.services.governing import rules_for
from workflow.services.unit_of_work import UnitOfWork


def write_message(uow: UnitOfWork, rules: Rules, kind: str, recipient: str, case, dedupe_key: str, facts: dict,
                  account_language: str | None, *, timer_id: int | None = None) -> None:
    """One message about `case` in the recipient's language, its grades named by the case's ladder."""
    language = messages.language_of(account_language)
    governing = rules_for(uow, rules, case)
    names = {g.code: getattr(g, language) for g in (*governing.policy.ladder.grades, governing.policy.ladder.exited)}
    manager = case.manager
    subject, body = messages.render(kind, language, {
        "case_id": case.id, "case_kind": case.kind, "state": case.state, "employee_no": case.employee_no,
        "manager": manager.name, **facts}, grade_names=names)
    uow.outbox.add(kind=kind, recipient=recipient, case_id=case.id, timer_id=timer_id, dedupe_key=dedupe_key,
                   created_at=rules.now(), subject=subject, body=body)


def local_time(rules: Rules, instant: datetime | None) -> str | None:
    """An instant as a message gives it: minutes, in the policy's time zone."""
    return None if instant is None else f"{instant.astimezone(rules.policy.tz):%Y-%m-%d %H:%M}"
