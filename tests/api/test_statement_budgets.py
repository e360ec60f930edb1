"""How many SQL statements a request issues (issue "Speed and shape of the hot paths"): a case is loaded
once per use case in a fixed number of queries, so the count does not grow with the committee or the page.

Budgets: a state-changing case request ≤ 15, GET /cases/{id} ≤ 6, a list page of 50 cases ≤ 8. Counted on
the service as production runs it, by the system clock (the manual clock of tests and demos reads its row
once more per use case).
"""
from __future__ import annotations

import pytest

from tests.support.answers import ok
from tests.support.driver import Driver
from tests.support.statements import counting
from tests.support.steps import apply, event
from tests.support.world import BOSS, FIVE, HR, candidate, open_cycle, organisation

CHANGE_BUDGET, GET_BUDGET, LIST_BUDGET = 15, 6, 8
SMALL, LARGE = ("chair", "cm2", "cm3"), FIVE


@pytest.fixture
def served(build):
    return build(GRADEFLOW_CLOCK="system")


@pytest.fixture
def gf(served) -> Driver:
    return Driver(served)


@pytest.fixture
def measure(served):
    """measure(label, send) → the answer; the statement counts are kept by label."""
    counts: dict[str, int] = {}
    statements: dict[str, str] = {}

    def run(label: str, send, status: int = 200):
        with counting(served) as seen:
            answer = send()
        ok(answer, status)
        counts[label] = len(seen)
        statements[label] = str(seen)
        return answer.get_json()
    run.counts, run.statements = counts, statements
    return run


def _over(counts: dict[str, int], statements: dict[str, str], budget: int) -> str:
    over = {label: n for label, n in counts.items() if n > budget}
    return "\n".join(f"{label}: {counts[label]} statements\n{statements[label]}" for label in over)


def _signed_in(gf, *usernames: str) -> None:
    for username in usernames:  # sign-in is not what is counted
        gf.token(username)


def _case_through_its_life(gf, measure, tag: str, committee: tuple[str, ...]) -> None:
    """One promotion in cycle `tag` with `committee`, from application to an appeal upheld; every request counted."""
    cycle = f"C{tag}"
    open_cycle(gf, cycle, committee)
    applicant = candidate(gf, f"M{tag}")
    _signed_in(gf, HR, BOSS, applicant.lower(), *committee)
    case_id = measure("apply", lambda: gf.post("/cases", as_=applicant.lower(), json={
        "cycle": cycle, "target_grade": "mid", "statement": "申请晋级"}), 201)["id"]
    measure("approve_materials", lambda: event(gf, case_id, "approve_materials", BOSS, supervisor_score=85))
    for member in committee[:-1]:
        measure("score", lambda: gf.put(f"/cases/{case_id}/score", as_=member, json={"score": 82}))
    measure("last score (the interview completes)",
            lambda: gf.put(f"/cases/{case_id}/score", as_=committee[-1], json={"score": 84}))
    for role, reader in (("hr", HR), ("chair", committee[0]), ("applicant", applicant.lower()), ("supervisor", BOSS)):
        measure(f"GET as {role}", lambda: gf.get(f"/cases/{case_id}", as_=reader))
    ok(gf.post(f"/cycles/{cycle}/decide", as_=HR))
    ok(gf.post(f"/cycles/{cycle}/publish", as_=HR))
    measure("appeal", lambda: gf.post(f"/cases/{case_id}/appeal", as_=applicant.lower(),
                                      json={"reason": "评分有误"}), 201)
    measure("overturn", lambda: event(gf, case_id, "overturn", HR, comment="重新评议"))
    measure("approve (a re-decision: score card and quota)", lambda: event(gf, case_id, "approve", HR))
    measure("publish", lambda: event(gf, case_id, "publish", HR))


def _counts_of(gf, measure, tag: str, committee: tuple[str, ...]) -> dict[str, int]:
    _case_through_its_life(gf, measure, tag, committee)
    counts = dict(measure.counts)
    measure.counts.clear()
    return counts


def test_a_case_request_issues_a_fixed_number_of_statements_whatever_the_committee_size(gf, measure):
    organisation(gf)
    small = _counts_of(gf, measure, "3", SMALL)
    large = _counts_of(gf, measure, "5", LARGE)
    assert large == small


def test_a_state_changing_case_request_issues_at_most_15_statements(gf, measure):
    organisation(gf)
    _case_through_its_life(gf, measure, "5", LARGE)
    changes = {label: n for label, n in measure.counts.items() if not label.startswith("GET")}
    assert len(changes) == 8
    assert not _over(changes, measure.statements, CHANGE_BUDGET), _over(changes, measure.statements, CHANGE_BUDGET)


def test_a_declared_recusal_issues_at_most_15_statements(gf, measure):
    organisation(gf, committee=LARGE)
    applicant = candidate(gf, "M1")
    case_id = apply(gf, applicant)
    ok(event(gf, case_id, "approve_materials", BOSS, supervisor_score=85))
    _signed_in(gf, "cm4")
    measure("recusal", lambda: gf.post(f"/cases/{case_id}/recusal", as_="cm4", json={"comment": "亲属"}))
    assert measure.counts["recusal"] <= CHANGE_BUDGET, measure.statements["recusal"]


def test_get_case_issues_at_most_6_statements_for_every_reader(gf, measure):
    organisation(gf)
    _case_through_its_life(gf, measure, "5", LARGE)
    reads = {label: n for label, n in measure.counts.items() if label.startswith("GET")}
    assert len(reads) == 4
    assert not _over(reads, measure.statements, GET_BUDGET), _over(reads, measure.statements, GET_BUDGET)


def _cases_in_interview(gf, how_many: int) -> None:
    for i in range(how_many):
        case_id = apply(gf, candidate(gf, f"L{i:03d}"))
        ok(event(gf, case_id, "approve_materials", BOSS, supervisor_score=85))
        ok(gf.put(f"/cases/{case_id}/score", as_="chair", json={"score": 80}))


@pytest.mark.parametrize("reader", [HR, "chair", BOSS], ids=["hr", "committee_member", "supervisor"])
def test_a_list_page_of_50_cases_issues_at_most_8_statements_and_no_more_than_a_page_of_5(gf, measure, reader):
    organisation(gf, committee=LARGE)
    _cases_in_interview(gf, 50)
    _signed_in(gf, reader)
    page = measure("page of 50", lambda: gf.get("/cases?per_page=50", as_=reader))
    assert len(page) == 50
    measure("page of 5", lambda: gf.get("/cases?per_page=5", as_=reader))
    assert measure.counts["page of 50"] <= LIST_BUDGET, measure.statements["page of 50"]
    assert measure.counts["page of 50"] == measure.counts["page of 5"]

