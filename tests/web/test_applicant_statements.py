"""The applicant's pages and the publication board issue a fixed number of SQL statements, whatever the number
of cases (issue 12: a bounded number of statements per page)."""
from __future__ import annotations

from tests.support.statements import counting
from tests.support.steps import apply, decide, interview, move_clock, publish, review
from tests.support.world import CYCLE, candidate, organisation
from tests.web.visitor import Visitor

BUDGET = 40  # statements for a page, the session's user included


def _published(gf, first: int, count: int) -> list[int]:
    ids = []
    for n in range(first, first + count):
        case_id = apply(gf, candidate(gf, f"E{n:03d}"))
        review(gf, case_id, 80)
        interview(gf, case_id, 80)
        ids.append(case_id)
    return ids


def _counts(app, paths: list[str]) -> dict[str, int]:
    visitor = Visitor(app)
    assert visitor.sign_in("e001").status_code == 302
    counts = {}
    for path in paths:
        with counting(app) as seen:
            page = visitor.get(path)
        assert page.status_code == 200, path
        counts[path] = len(seen)
        assert len(seen) <= BUDGET, (path, str(seen))
    return counts


def test_the_applicants_pages_and_the_board_issue_as_many_statements_for_eight_cases_as_for_two(gf, app):
    organisation(gf)
    ids = _published(gf, 1, 2)
    move_clock(gf, "2026-09-30T10:00:00+08:00")
    decide(gf)
    publish(gf)
    paths = ["/apply", f"/cases/{ids[0]}", f"/cases/{ids[0]}/appeal", f"/cycles/{CYCLE}/board", "/board"]
    few = _counts(app, paths)
    # six more applications in a second cycle, published too; E001's own case gains nothing
    from tests.support.world import open_cycle
    open_cycle(gf, "2026H3")
    more = []
    for n in range(3, 9):
        case_id = apply(gf, candidate(gf, f"E{n:03d}"), cycle="2026H3")
        review(gf, case_id, 80)
        interview(gf, case_id, 80)
        more.append(case_id)
    decide(gf, "2026H3")
    publish(gf, "2026H3")
    many = _counts(app, paths[:-2] + ["/cycles/2026H3/board", "/board"])
    assert list(many.values()) == list(few.values()), (few, many)
