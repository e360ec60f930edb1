"""governing.rules_for: the rules of the policy version a case recorded, read once per process; the policy in
force, with a warning, where that version cannot be used (issue 13, point 6)."""
from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from workflow.clock import FixedClock
from workflow.policy import load_policy, parse_policy
from workflow.services.context import Rules
from workflow.services.governing import rules_for, rules_for_cycle

CURRENT = load_policy()
EARLIER = parse_policy(json.dumps(json.loads(CURRENT.document) | {"committee": {"quorum": 5}}), as_json=True)


class _StoredVersions:
    """uow.policies with the given documents by reference; counts the reads."""

    def __init__(self, documents: dict[str, str]):
        self.documents, self.reads = documents, 0

    def get(self, reference: str):
        self.reads += 1
        document = self.documents.get(reference)
        return SimpleNamespace(document=document) if document is not None else None


def _uow(**documents) -> SimpleNamespace:
    return SimpleNamespace(policies=_StoredVersions(dict(documents)))


def _case(policy: str | None) -> SimpleNamespace:
    return SimpleNamespace(policy=policy)


@pytest.fixture
def rules() -> Rules:
    return Rules.for_policy(CURRENT, FixedClock(datetime(2026, 9, 1, 1, tzinfo=timezone.utc)))


def test_a_case_of_the_version_in_force_or_of_none_follows_the_rules_in_force(rules):
    uow = _uow()
    assert rules_for(uow, rules, _case(CURRENT.reference)) is rules
    assert rules_for(uow, rules, _case(None)) is rules
    assert uow.policies.reads == 0


def test_a_case_of_an_earlier_version_follows_that_version_read_once(rules):
    uow = _uow(**{EARLIER.reference: EARLIER.document})
    first = rules_for(uow, rules, _case(EARLIER.reference))
    assert first.policy.reference == EARLIER.reference and first.policy.quorum == 5
    assert first.cases is not rules.cases and first.ladder is not rules.ladder
    again = rules_for(uow, rules, _case(EARLIER.reference))
    assert again is first and uow.policies.reads == 1


def test_an_earlier_version_reads_the_callers_clock(rules):
    uow = _uow(**{EARLIER.reference: EARLIER.document})
    rules_for(uow, rules, _case(EARLIER.reference))
    standing = replace(rules, clock=FixedClock(datetime(2027, 1, 4, 1, tzinfo=timezone.utc)))
    version = rules_for(uow, standing, _case(EARLIER.reference))
    assert version.policy.quorum == 5 and version.now() == standing.now() != rules.now()
    assert rules_for(uow, rules, _case(EARLIER.reference)).now() == rules.now()  # the cached one is not moved


def test_the_cycle_follows_the_version_of_its_first_case(rules):
    uow = _uow(**{EARLIER.reference: EARLIER.document})
    assert rules_for_cycle(uow, rules, SimpleNamespace(cases_policy=EARLIER.reference)).policy.quorum == 5
    assert rules_for_cycle(uow, rules, SimpleNamespace(cases_policy=None)) is rules


@pytest.mark.parametrize("stored, why", [
    (None, "it is not stored"),
    ("{\"name\": \"default\"}", "this release does not accept it"),
    ("tampered", "does not fingerprint to its reference"),
])
def test_a_version_that_cannot_be_used_leaves_the_case_to_the_rules_in_force_and_says_why(rules, caplog, stored, why):
    document = json.dumps(json.loads(EARLIER.document) | {"committee": {"quorum": 2}}) if stored == "tampered" \
        else stored
    uow = _uow(**({EARLIER.reference: document} if document else {}))
    with caplog.at_level(logging.WARNING, logger="workflow.services.governing"):
        assert rules_for(uow, rules, _case(EARLIER.reference)) is rules
    assert [r.getMessage() for r in caplog.records if why in r.getMessage() and EARLIER.reference in r.getMessage()]


def test_an_unusable_version_of_a_units_policy_follows_that_units_policy_in_force_on_the_callers_clock(tmp_path):
    from tests.support.policies import company_with_units
    from workflow.org_unit_policies import load_policies

    def kecheng(document):
        document["committee"]["quorum"] = 4
    company = load_policies(company_with_units(tmp_path, {"衢州市/柯城区": ("kecheng", kecheng)}))
    service = Rules.for_policy(company, FixedClock(datetime(2026, 9, 1, 1, tzinfo=timezone.utc)))
    standing = replace(service, clock=FixedClock(datetime(2027, 1, 4, 1, tzinfo=timezone.utc)))
    followed = rules_for(_uow(), standing, _case("kecheng@000000000000"))  # not stored
    assert followed.policy.name == "kecheng" and followed.policy.quorum == 4
    assert followed.now() == standing.now() != service.now()
    assert rules_for(_uow(), standing, _case("gone@000000000000")) is standing  # no policy by that name: the company's
