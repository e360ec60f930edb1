"""GET/PUT /clock: the service's time, the manual test clock shared through the database (issue 2)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.support.answers import assert_problem
from tests.support.driver import Driver
from tests.support.worlds import world_fixture

START = "2026-09-01T09:00:00+08:00"




@pytest.fixture
@world_fixture
def admin(gf):
    gf.user("root", "admin")
    return gf


def clock_now(gf, as_="root") -> str:
    response = gf.get("/clock", as_=as_)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["now"]


# --- GET /clock ------------------------------------------------------------------------------

def test_admin_reads_the_manual_clock_in_the_policy_time_zone(admin):
    response = admin.get("/clock", as_="root")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"now": START, "mode": "manual"}


@pytest.mark.parametrize("roles", [("hr",), ("committee",), ("employee",), ("supervisor", "employee"),
                                   ("hr", "committee")])
def test_only_admins_read_the_clock(admin, roles):
    gf = admin
    gf.manager("M100")
    gf.user("caller", *roles, employee_no="M100" if set(roles) & {"employee", "supervisor"} else None)
    body = assert_problem(gf.get("/clock", as_="caller"), 403, "forbidden")
    assert "now" not in body


def test_reading_the_clock_needs_a_token(admin):
    body = assert_problem(admin.get("/clock"), 401, "invalid_token")
    assert "now" not in body


def test_system_clock_reads_the_wall_clock_in_the_policy_time_zone(admin, build):
    system = Driver(build(GRADEFLOW_CLOCK="system"))
    before = datetime.now(timezone.utc)
    response = system.get("/clock", as_="root")
    after = datetime.now(timezone.utc)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["mode"] == "system"
    now = datetime.fromisoformat(body["now"])
    assert now.utcoffset() == timedelta(hours=8), body
    assert before - timedelta(seconds=1) <= now <= after + timedelta(seconds=1), body


# --- PUT /clock ------------------------------------------------------------------------------

def test_admin_moves_the_manual_clock_forward(admin):
    gf = admin
    response = gf.put("/clock", as_="root", json={"now": "2026-10-08T09:30:00+08:00"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"now": "2026-10-08T09:30:00+08:00", "mode": "manual"}
    assert clock_now(gf) == "2026-10-08T09:30:00+08:00"
    # and it stands still there
    assert clock_now(gf) == "2026-10-08T09:30:00+08:00"


def test_moved_time_is_reported_in_the_policy_time_zone(admin):
    gf = admin
    response = gf.put("/clock", as_="root", json={"now": "2026-12-31T20:00:00Z"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["now"] == "2027-01-01T04:00:00+08:00"
    assert clock_now(gf) == "2027-01-01T04:00:00+08:00"


def test_moved_clock_is_the_time_of_new_records(admin):
    gf = admin
    assert gf.put("/clock", as_="root", json={"now": "2026-11-11T11:11:11+08:00"}).status_code == 200
    created = gf.post("/users", as_="root", json={"username": "latecomer", "password": "a long enough one",
                                                  "roles": ["committee"]})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["created_at"] == "2026-11-11T11:11:11+08:00"


def test_clock_does_not_move_backwards(admin):
    gf = admin
    assert gf.put("/clock", as_="root", json={"now": "2026-10-01T00:00:00+08:00"}).status_code == 200
    response = gf.put("/clock", as_="root", json={"now": "2026-09-30T23:59:59+08:00"})
    assert_problem(response, 409, "clock_backwards")
    assert clock_now(gf) == "2026-10-01T00:00:00+08:00"


def test_clock_does_not_move_back_before_its_start(admin):
    gf = admin
    response = gf.put("/clock", as_="root", json={"now": "2026-08-31T09:00:00+08:00"})
    assert_problem(response, 409, "clock_backwards")
    assert clock_now(gf) == START


def test_clock_backwards_reports_the_current_time_in_the_policy_time_zone(admin):
    gf = admin
    assert gf.put("/clock", as_="root", json={"now": "2026-10-01T00:00:00+08:00"}).status_code == 200
    body = assert_problem(gf.put("/clock", as_="root", json={"now": "2026-09-15T00:00:00+08:00"}),
                          409, "clock_backwards")
    # every timestamp the API writes carries the policy's offset, problem details included
    assert body["now"] == "2026-10-01T00:00:00+08:00", body


@pytest.mark.parametrize("roles", [("hr",), ("committee",), ("employee",)])
def test_only_admins_move_the_clock(admin, roles):
    gf = admin
    gf.manager("M100")
    gf.user("caller", *roles, employee_no="M100" if "employee" in roles else None)
    response = gf.put("/clock", as_="caller", json={"now": "2027-01-01T00:00:00+08:00"})
    body = assert_problem(response, 403, "forbidden")
    assert "now" not in body
    assert clock_now(gf) == START


def test_moving_the_clock_needs_a_token(admin):
    response = admin.put("/clock", json={"now": "2027-01-01T00:00:00+08:00"})
    assert_problem(response, 401, "invalid_token")
    assert clock_now(admin) == START


def test_naive_datetime_is_refused_naming_now(admin):
    gf = admin
    response = gf.put("/clock", as_="root", json={"now": "2027-01-01T00:00:00"})
    assert_problem(response, 422, "validation_error", field="now")
    assert clock_now(gf) == START


@pytest.mark.parametrize("body, field, rule", [
    ({}, "now", "required"),
    ({"now": "next tuesday"}, "now", "type"),
    ({"now": "2027-01-01T00:00:00+08:00", "mode": "system"}, "mode", "unknown_field"),
])
def test_clock_move_is_validated_naming_the_field(admin, body, field, rule):
    gf = admin
    response = gf.put("/clock", as_="root", json=body)
    assert_problem(response, 422, "validation_error", field=field, rule=rule)
    assert clock_now(gf) == START


def test_put_clock_is_not_found_with_the_system_clock(admin, build):
    system = Driver(build(GRADEFLOW_CLOCK="system"))
    response = system.put("/clock", as_="root", json={"now": "2027-01-01T00:00:00+08:00"})
    assert_problem(response, 404, "not_found")
    assert "<html" not in response.get_data(as_text=True).lower()
    # nothing was stored for the manual clock either
    assert clock_now(admin) == START


def test_manual_clock_is_shared_between_app_instances(admin, build):
    first = admin
    second = Driver(build())
    assert first.put("/clock", as_="root", json={"now": "2026-12-01T08:00:00+08:00"}).status_code == 200
    assert clock_now(second) == "2026-12-01T08:00:00+08:00"
    moved = second.put("/clock", as_="root", json={"now": "2027-02-01T08:00:00+08:00"})
    assert moved.status_code == 200, moved.get_json()
    assert clock_now(first) == "2027-02-01T08:00:00+08:00"
    # the first instance knows the clock has moved past the instant it set itself
    back = first.put("/clock", as_="root", json={"now": "2027-01-01T08:00:00+08:00"})
    assert_problem(back, 409, "clock_backwards")
    assert clock_now(second) == "2027-02-01T08:00:00+08:00"
