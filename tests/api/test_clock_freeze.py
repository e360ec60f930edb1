"""GRADEFLOW_CLOCK=manual without a start: time stands still from its first use until moved."""
from __future__ import annotations

import time

import pytest

from tests.support.answers import assert_problem
from tests.support.driver import Driver


@pytest.fixture
def unstarted(make_app, app):  # `app` empties the tables afterwards
    app = make_app(GRADEFLOW_CLOCK_START=None)
    driver = Driver(app)
    driver.user("root", "admin")
    return driver


def test_unstarted_manual_clock_stands_still_from_its_first_use(unstarted):
    first = unstarted.get("/clock", as_="root").get_json()
    time.sleep(1.1)
    second = unstarted.get("/clock", as_="root").get_json()
    assert first == second and first["mode"] == "manual"


def test_first_move_of_an_unstarted_clock_may_set_any_instant(unstarted):
    unstarted.get("/clock", as_="root")
    moved = unstarted.put("/clock", as_="root", json={"now": "2020-01-06T09:00:00+08:00"})
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["now"] == "2020-01-06T09:00:00+08:00"
    back = unstarted.put("/clock", as_="root", json={"now": "2020-01-06T08:59:59+08:00"})
    assert_problem(back, 409, "clock_backwards")


def test_a_configured_start_is_the_floor_of_the_first_move(gf):
    gf.user("root", "admin")
    assert_problem(gf.put("/clock", as_="root", json={"now": "2026-08-31T09:00:00+08:00"}), 409, "clock_backwards")
    assert gf.get("/clock", as_="root").get_json()["now"] == "2026-09-01T09:00:00+08:00"
