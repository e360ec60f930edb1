"""The policy versions cases were opened under, as their readers see them: the rules in plain words (what
`gradeflow policy check` prints) and the document itself, also after the policy file has changed."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from workflow.errors import NotFound
from workflow.policy_summary import describe
from workflow.services.context import Rules
from workflow.services.governing import parsed_policy
from workflow.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class PolicyVersionView:
    reference: str
    name: str
    title: str
    version: str
    current: bool  # the version in force now
    first_used_at: datetime | None  # when a case first recorded it (None: the current one, not used yet)
    summary: tuple[str, ...]  # empty where this release no longer reads the stored rules
    document: str  # as JSON text


def policy_version(uow: UnitOfWork, rules: Rules, reference: str) -> PolicyVersionView:
    """Every signed-in user may read the rules (the caller has authenticated them): they are the company's,
    published to those they govern. The versions in force (the company's, each org unit's) are readable before
    any case has recorded them."""
    stored, in_force = uow.policies.get(reference), rules.in_force(reference)
    if stored is None and in_force is None:
        raise NotFound("no stored policy version by that reference: the versions in force and those recorded by "
                       "cases opened since policy versions are kept are")
    document = in_force.policy.document if stored is None else stored.document
    policy = in_force.policy if stored is None else parsed_policy(document)
    if policy is not None and policy.reference != reference:
        policy = None  # the stored row does not hold the rules its reference fingerprints: show no summary of it
    data = json.loads(document)
    return PolicyVersionView(reference=reference, name=data.get("name", ""), title=data.get("title", ""),
                             version=reference.rpartition("@")[2], current=in_force is not None,
                             first_used_at=stored.first_used_at if stored else None,
                             summary=tuple(describe(policy)) if policy is not None else (), document=document)
