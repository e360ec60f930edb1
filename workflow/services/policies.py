"""The policy versions cases were opened under, as their readers see them: the rules in plain words (what
`gradeflow policy check` prints) and the document itself, also after the policy file has changed."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from workflow.accounts import Actor
from workflow.errors import NotFound
from workflow.policy import Policy, parse_policy
from workflow.policy_summary import describe
from workflow.services.context import Rules
from workflow.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class PolicyVersionView:
    reference: str
    name: str
    title: str
    version: str
    current: bool  # the version in force now
    first_used_at: datetime | None  # when a case first recorded it (None: the current one, not used yet)
    summary: list[str]
    document: dict


def policy_version(uow: UnitOfWork, rules: Rules, actor: Actor, reference: str) -> PolicyVersionView:
    """Every signed-in user may read the rules: they are the company's, published to those they govern. The
    current version is readable before any case has recorded it."""
    del actor  # authenticated by the caller; no role is needed
    stored = uow.policies.get(reference)
    if stored is None and reference != rules.policy.reference:
        raise NotFound("no policy version by that reference has governed a case")
    policy = rules.policy if stored is None else _parsed(stored.document)
    return PolicyVersionView(reference=reference, name=policy.name, title=policy.title, version=policy.version,
                             current=reference == rules.policy.reference,
                             first_used_at=stored.first_used_at if stored else None,
                             summary=describe(policy), document=json.loads(policy.document))


@lru_cache(maxsize=32)
def _parsed(document: str) -> Policy:
    """A stored document parses as it did when it was stored (versions are immutable): parsed once per process."""
    return parse_policy(document, as_json=True)
