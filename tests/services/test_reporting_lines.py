"""The supervisor tree as the case files read it: every chain in one recursive query, nearest first, and
the reports below a supervisor, also when the data holds a loop (the service refuses to make one, but a
database edited by hand must not hang a request)."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from models.managers import Manager

SINCE = date(2025, 1, 1)


def tree(people) -> None:
    """T1 heads the branch; T2 reports to T1, T3 and T4 to T2; X1 stands alone."""
    for no, supervisor in (("T1", None), ("T2", "T1"), ("T3", "T2"), ("T4", "T2"), ("X1", None)):
        people.manager(no, "mid", org_unit="北京分行", grade_since=SINCE, supervisor=supervisor)


def test_every_chain_comes_nearest_first_in_one_read(people, unit_of_work):
    tree(people)
    with unit_of_work() as uow:
        assert uow.managers.supervisor_chain("T3") == ["T2", "T1"]
        assert uow.managers.supervisor_chain("T1") == []
        assert uow.managers.supervisor_chain("X1") == []


def test_the_reports_of_a_supervisor_are_everyone_below_them(people, unit_of_work):
    tree(people)
    with unit_of_work() as uow:
        assert uow.managers.reports_of("T1") == {"T2", "T3", "T4"}
        assert uow.managers.reports_of("T2") == {"T3", "T4"}
        assert uow.managers.reports_of("T4") == set()


def test_a_loop_in_the_data_ends_the_walk_instead_of_hanging_it(people, unit_of_work):
    tree(people)
    with unit_of_work() as uow:  # around the service, as a hand edit would: T1 now reports to T3
        uow.session.execute(sa.update(Manager).where(Manager.employee_no == "T1").values(supervisor_no="T3"))
    with unit_of_work() as uow:
        assert uow.managers.supervisor_chain("T3") == ["T2", "T1"]
        assert uow.managers.reports_of("T1") == {"T2", "T3", "T4"}
