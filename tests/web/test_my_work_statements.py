""""My work" issues a fixed number of SQL statements, whatever the number of cases waiting (issue 12: a
bounded number of statements per page), counted on the service as production runs it (the system clock)."""
from __future__ import annotations

import pytest

from tests.support.statements import counting
from tests.support.steps import apply
from tests.support.world import BOSS, HR, candidate, organisation
from tests.web.visitor import Visitor, text

BUDGET = 40  # statements for the page, the session's user included


@pytest.fixture
def served(build):
    return build(GRADEFLOW_CLOCK="system")


def _my_work(app, username: str, applicants: int, start: int) -> tuple[int, str]:
    from tests.support.driver import Driver
    gf = Driver(app)
    for n in range(start, start + applicants):
        apply(gf, candidate(gf, f"E{n:03d}"))
    visitor = Visitor(app)
    assert visitor.sign_in(username).status_code == 302
    with counting(app) as seen:
        page = visitor.get("/")
    assert page.status_code == 200
    return len(seen), str(seen), text(page)


def test_my_work_issues_as_many_statements_for_twenty_cases_as_for_two(served):
    from tests.support.driver import Driver
    organisation(Driver(served))
    few, _, page = _my_work(served, BOSS, 2, 1)
    assert "有 2 个案件等待您处理" in page
    many, statements, page = _my_work(served, BOSS, 18, 3)
    assert "有 20 个案件等待您处理" in page
    assert many == few, statements
    assert many <= BUDGET, statements


def test_my_work_of_hr_who_sees_every_case_stays_within_the_budget(served):
    from tests.support.driver import Driver
    organisation(Driver(served))
    count, statements, page = _my_work(served, HR, 10, 1)
    assert "目前没有等待您处理的事项" in page
    assert count <= BUDGET, statements
