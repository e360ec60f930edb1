"""A cycle's page issues a fixed number of SQL statements, whatever the number of its cases (issue 12: a bounded
number of statements per page), counted on the service as production runs it (the system clock)."""
from __future__ import annotations

import pytest

from tests.support.statements import counting
from tests.support.steps import apply, review
from tests.support.world import CYCLE, HR, candidate, organisation
from tests.web.visitor import Visitor

BUDGET = 40  # statements for the page, the session's user included


@pytest.fixture
def served(build):
    return build(GRADEFLOW_CLOCK="system")


def _cycle_page(app, applicants: int, start: int) -> tuple[int, str]:
    from tests.support.driver import Driver
    gf = Driver(app)
    for n in range(start, start + applicants):
        case_id = apply(gf, candidate(gf, f"E{n:03d}"))
        if n % 2:
            review(gf, case_id, 80)  # half of them in interview: each blocks the decision
    visitor = Visitor(app)
    assert visitor.sign_in(HR).status_code == 302
    with counting(app) as seen:
        page = visitor.get(f"/cycles/{CYCLE}")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count("data-case=") == start + applicants - 1
    return len(seen), str(seen)


def test_the_cycle_page_issues_as_many_statements_for_twenty_cases_as_for_two(served):
    from tests.support.driver import Driver
    organisation(Driver(served))
    few, _ = _cycle_page(served, 2, 1)
    many, statements = _cycle_page(served, 18, 3)
    assert many == few, statements
    assert many <= BUDGET, statements
