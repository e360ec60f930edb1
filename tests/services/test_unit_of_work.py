"""The unit of work from models' factory, as every use case runs in it: one transaction, committed when the
use case returns and rolled back when it raises; deferred, it leaves the commit to its caller (a POST with an
Idempotency-Key commits its stored response together with the change: api/idempotency.py)."""
from __future__ import annotations

import pytest

from workflow.errors import Conflict
from workflow.services.cycles import create_cycle


def cycles(unit_of_work) -> list[str]:
    return [cycle.code for cycle in unit_of_work().cycles.page(1, 10)[0]]


def test_a_use_case_that_returns_is_committed(people, unit_of_work, rules, sessions):
    hr = people.user("hr1", "hr")
    with unit_of_work() as uow:
        create_cycle(uow, rules, hr, code="2026H2", name="下半年")
    sessions.rollback()  # nothing left to roll back
    assert cycles(unit_of_work) == ["2026H2"]


def test_a_use_case_that_raises_leaves_nothing(people, unit_of_work, rules):
    hr = people.user("hr1", "hr")
    with pytest.raises(Conflict):
        with unit_of_work() as uow:
            create_cycle(uow, rules, hr, code="2026H2", name="下半年")
            create_cycle(uow, rules, hr, code="2026H2", name="again")  # cycle_exists
    assert cycles(unit_of_work) == []


def test_a_deferred_unit_of_work_leaves_the_commit_to_its_caller(people, unit_of_work, rules, sessions):
    hr = people.user("hr1", "hr")
    with unit_of_work(deferred=True) as uow:
        create_cycle(uow, rules, hr, code="2026H2", name="下半年")
    assert cycles(unit_of_work) == ["2026H2"]  # flushed: visible inside the transaction
    sessions.rollback()  # the caller decides otherwise
    assert cycles(unit_of_work) == []
