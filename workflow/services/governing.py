"""The rules that govern a case: those of the policy version it recorded when it was opened, so that a change of
the policy file never changes a case already open (its deadlines, scoring, quotas, who acts). The cases of a cycle
follow one version, that of its first case, so that one decision ranks them all under one set of rules (a policy
corrected before a cycle's first application still applies to the whole cycle).

A recorded version is read from `policy_versions` and built once per process (versions never change). Where it
cannot be used, the case follows the policy in force by the same name (its org unit's, or the company's), and the
log says why: a case opened before versions were kept (none is stored), a version this release no longer accepts,
or a stored document that does not fingerprint to its reference (tampered with: `gradeflow audit verify` names it).
"""
from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime
from functools import lru_cache

from workflow.policy import Policy, PolicyError, parse_policy
from workflow.services.context import Rules

log = logging.getLogger(__name__)


def rules_for(uow, rules: Rules, case) -> Rules:
    """The rules of the policy version the case was opened under."""
    return _rules_of_version(uow, rules, case.policy)


def rules_for_cycle(uow, rules: Rules, cycle) -> Rules:
    """The rules of the version the cycle's cases follow: that of its first case (the policy in force while it
    has none)."""
    return _rules_of_version(uow, rules, cycle.cases_policy)


def _rules_of_version(uow, rules: Rules, reference: str | None) -> Rules:
    """`rules`: the service's (the company's policy in force, with its units')."""
    if reference is None:
        return rules
    if (in_force := rules.in_force(reference)) is not None:
        return in_force
    if reference not in rules.versions:
        rules.versions[reference] = _version_rules(uow, rules, reference)
    version = rules.versions[reference]
    if version is None:  # unusable: the policy in force by the same name (its unit's, or the company's)
        return rules.in_force_named(reference.rpartition("@")[0])
    return version if version.clock is rules.clock else replace(version, clock=rules.clock)


def governing_policy(uow, rules: Rules, at: datetime) -> str:
    """The reference (name@version) that cases opened `at` record: that of `rules`. The version's content is
    stored with it the first time, so that the rules a case was opened under stay readable (and keep governing
    it) after the policy file changes."""
    uow.policies.remember(rules.policy.reference, rules.policy.document, at)
    return rules.policy.reference


def _version_rules(uow, rules: Rules, reference: str) -> Rules | None:
    """The rules of a stored version, or None (logged) where it cannot be used."""
    stored = uow.policies.get(reference)
    policy = parsed_policy(stored.document) if stored is not None else None
    if policy is None or policy.reference != reference:
        why = ("it is not stored (recorded before policy versions were kept)" if stored is None else
               "this release does not accept it" if policy is None else
               "its stored document does not fingerprint to its reference")
        log.warning("policy version %s: %s; its cases follow the policy in force, %s", reference, why,
                    rules.in_force_named(reference.rpartition("@")[0]).policy.reference)
        return None
    return Rules.for_policy(policy, rules.clock, versions=rules.versions)


@lru_cache(maxsize=32)
def parsed_policy(document: str) -> Policy | None:
    """A stored document as a policy, parsed once per process (versions are immutable); None where this release's
    checks refuse it (a rule an earlier release accepted)."""
    try:
        return parse_policy(document, as_json=True)
    except PolicyError:
        return None
