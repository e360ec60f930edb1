"""Who sees which manager record (api.md: "the manager, their supervisors, hr, committee, admin (others: 404)").

The organisation used throughout:

    S01 (supervisor)                 P01 (supervisor, a peer of S01)
    ├── S02 (supervisor)             └── P02 (employee)
    │   ├── E01 (employee)
    │   └── E02 (employee)
    └── N01 (employee only, no supervisor role)
        └── X01 (employee)

Users are the employee numbers in lower case; hr1, committee1 and admin1 hold no employee number.
"""
from __future__ import annotations

import json

import pytest

from tests.support.answers import assert_problem
from tests.support.worlds import world_fixture

EVERYONE = ["S01", "S02", "E01", "E02", "N01", "X01", "P01", "P02"]
RECORD_PATHS = ["/managers/{no}", "/managers/{no}/grade-history", "/managers/{no}/performance",
                "/managers/{no}/performance/2026Q2/versions"]


@pytest.fixture
@world_fixture
def org(gf):
    supervisor = ("employee", "supervisor")
    gf.manager("S01", "senior", login=True, roles=supervisor)
    gf.manager("S02", "mid", supervisor="S01", login=True, roles=supervisor)
    gf.manager("E01", "junior", supervisor="S02", login=True)
    gf.manager("E02", "junior", supervisor="S02", login=True)
    gf.manager("N01", "mid", supervisor="S01", login=True)
    gf.manager("X01", "junior", supervisor="N01", login=True)
    gf.manager("P01", "senior", login=True, roles=supervisor)
    gf.manager("P02", "junior", supervisor="P01", login=True)
    gf.user("hr1", "hr")
    gf.user("committee1", "committee")
    gf.user("admin1", "admin")
    return gf


def _normalised_404(response, employee_no: str) -> str:
    """The 404 body with the asked-for number blanked out: what a caller learns from it."""
    body = assert_problem(response, 404, "not_found")
    return json.dumps(body, sort_keys=True, ensure_ascii=False).replace(employee_no, "<no>")


def _assert_hidden(gf, as_: str, path_template: str, employee_no: str) -> None:
    """Hidden exactly like a number that does not exist: same status, same body, same content type."""
    hidden = gf.get(path_template.format(no=employee_no), as_=as_)
    unknown = gf.get(path_template.format(no="NOSUCH1"), as_=as_)
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.mimetype == unknown.mimetype
    assert _normalised_404(hidden, employee_no) == _normalised_404(unknown, "NOSUCH1")


# (viewer, the records they see); every other record of EVERYONE is hidden from them
SEES = [
    pytest.param("e01", {"E01"}, id="employee_sees_only_themselves"),
    pytest.param("p02", {"P02"}, id="another_employee_sees_only_themselves"),
    pytest.param("x01", {"X01"}, id="employee_does_not_see_their_supervisor"),
    pytest.param("s02", {"S02", "E01", "E02"}, id="supervisor_sees_direct_reports_not_their_own_supervisor"),
    pytest.param("s01", {"S01", "S02", "E01", "E02", "N01", "X01"}, id="supervisor_sees_reports_of_reports"),
    pytest.param("p01", {"P01", "P02"}, id="supervisor_does_not_see_a_peers_reports"),
    pytest.param("n01", {"N01"}, id="in_the_chain_without_supervisor_role_sees_only_themselves"),
    pytest.param("hr1", set(EVERYONE), id="hr_sees_all"),
    pytest.param("committee1", set(EVERYONE), id="committee_sees_all"),
    pytest.param("admin1", set(EVERYONE), id="admin_sees_all"),
]


@pytest.mark.parametrize("viewer, visible", SEES)
def test_a_manager_record_is_visible_to_the_manager_their_supervisors_and_org_wide_roles(org, viewer, visible):
    for no in EVERYONE:
        if no in visible:
            response = org.get(f"/managers/{no}", as_=viewer)
            assert response.status_code == 200, (viewer, no, response.get_json())
            assert response.get_json()["employee_no"] == no
        else:
            _assert_hidden(org, viewer, "/managers/{no}", no)


@pytest.mark.parametrize("path", RECORD_PATHS[1:], ids=["grade-history", "performance", "performance-versions"])
@pytest.mark.parametrize("viewer, visible", SEES)
def test_grade_history_and_performance_follow_the_same_visibility(org, path, viewer, visible):
    for no in EVERYONE:
        if no in visible:
            response = org.get(path.format(no=no), as_=viewer)
            assert response.status_code == 200, (viewer, no, response.get_json())
            assert response.get_json() == []
        else:
            _assert_hidden(org, viewer, path, no)


@pytest.mark.parametrize("path", RECORD_PATHS, ids=["record", "grade-history", "performance", "performance-versions"])
def test_an_employee_learns_nothing_about_anothers_existence(org, path):
    """Another employee's number and a number nobody has give the same answer."""
    _assert_hidden(org, "e01", path, "E02")
    _assert_hidden(org, "e01", path, "P02")


@pytest.mark.parametrize("viewer", ["hr1", "committee1", "admin1"])
def test_org_wide_roles_list_every_manager(org, viewer):
    response = org.get("/managers", as_=viewer)
    assert response.status_code == 200, response.get_json()
    assert [m["employee_no"] for m in response.get_json()] == sorted(EVERYONE)
    assert response.headers["X-Total-Count"] == str(len(EVERYONE))


@pytest.mark.parametrize("viewer", ["e01", "s01", "s02", "n01"])
def test_employees_and_supervisors_may_not_list_managers(org, viewer):
    response = org.get("/managers", as_=viewer)
    body = assert_problem(response, 403, "forbidden")
    assert "employee_no" not in json.dumps(body)


@pytest.mark.parametrize("path", RECORD_PATHS, ids=["record", "grade-history", "performance", "performance-versions"])
def test_visibility_follows_the_current_supervisor(org, path):
    """After E01 moves from S02 to P01, S02 and S01 lose sight of E01 and P01 gains it."""
    _give_records(org, "E01")
    moved = org.patch("/managers/E01", as_="hr1", json={"supervisor": "P01"})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["supervisor"] == "P01", moved.get_json()
    for viewer in ("s02", "s01"):
        _assert_hidden(org, viewer, path, "E01")
    for viewer in ("p01", "e01"):
        response = org.get(path.format(no="E01"), as_=viewer)
        assert response.status_code == 200, (viewer, response.get_json())
        assert _what_came_back(path, response.get_json()) == _what_came_back(path, _E01_AS_HR[path]), viewer


def test_losing_the_supervisor_role_hides_the_reports(org):
    """Roles are read afresh on every request: a supervisor whose role is removed sees only themselves."""
    _give_records(org, "E01")
    before = org.get("/managers/E01", as_="s02")
    assert before.status_code == 200, before.get_json()
    assert before.get_json()["employee_no"] == "E01"
    changed = org.patch("/users/s02", as_="hr1", json={"roles": ["employee"]})
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["username"], changed.get_json()["roles"]) == ("s02", ["employee"])
    for path in RECORD_PATHS:
        hidden = org.get(path.format(no="E01"), as_="s02")
        body = assert_problem(hidden, 404, "not_found")
        # nothing of E01's record: no name, grade, supervisor, scores or history rows
        assert not {"employee_no", "name", "grade", "supervisor", "org_unit", "score", "case_id"} & set(body), body
        text = json.dumps(body, ensure_ascii=False)
        assert all(value not in text for value in ("经理E01", "S02", "2026Q2", "71.5", "4201")), body
        _assert_hidden(org, "s02", path, "E01")
    own = org.get("/managers/S02", as_="s02")
    assert own.status_code == 200, own.get_json()
    assert own.get_json()["employee_no"] == "S02"


# what E01's records hold after _give_records: the record, its grade history, its performance and its versions
_E01_AS_HR = {
    "/managers/{no}": {"employee_no": "E01", "grade": "mid"},
    "/managers/{no}/grade-history": [{"from_grade": "junior", "to_grade": "mid", "case_id": 4201}],
    "/managers/{no}/performance": [{"employee_no": "E01", "period": "2026Q2", "score": 71.5}],
    "/managers/{no}/performance/2026Q2/versions": [{"employee_no": "E01", "period": "2026Q2", "score": 71.5}],
}


def _give_records(gf, employee_no: str) -> None:
    """A performance record and a grade move (case 4201) for the manager, so that every path has content."""
    from datetime import date

    from api.context import rules, uow
    from tests.support.world import case_record
    from workflow.services.grades import change_grade
    gf.performance(employee_no, "2026Q2", "71.5", months_worked=3)
    with gf.app.app_context():
        case_record(employee_no, 4201)
        with uow() as u:
            manager = u.managers.get(employee_no, for_update=True)
            change_grade(u, rules(), manager, "promote", effective_on=date(2026, 7, 1), case_id=4201)
    for path, expected in _E01_AS_HR.items():
        response = gf.get(path.format(no=employee_no), as_="hr1")
        assert response.status_code == 200, response.get_json()
        assert _what_came_back(path, response.get_json()) == _what_came_back(path, expected), path


def _what_came_back(path: str, body):
    """The identifying part of a 200 body: whose record, which history rows, which scores."""
    if path == "/managers/{no}":
        return body["employee_no"], body["grade"]
    if path.endswith("grade-history"):
        return [(h["from_grade"], h["to_grade"], h["case_id"]) for h in body]
    return [(r["employee_no"], r["period"], r["score"]) for r in body]


@pytest.mark.parametrize("path", RECORD_PATHS + ["/managers"],
                         ids=["record", "grade-history", "performance", "performance-versions", "list"])
def test_records_need_a_signed_in_caller(org, path):
    response = org.get(path.format(no="E01"))
    body = assert_problem(response, 401, "invalid_token")
    assert "E01" not in json.dumps(body, ensure_ascii=False).replace(path.format(no="E01"), "")
