"""The users page's reads (workflow/services/account_reads.py): which accounts the caller may switch on or off
follows update_user's rules (only accounts holding roles the caller may grant, never one's own), and the roles a
new account may be given are the caller's grantable ones; only hr and admin read the accounts."""
from __future__ import annotations

import pytest

from workflow.errors import Forbidden
from workflow.services.account_reads import roles_to_grant, users_page


def test_hr_may_switch_the_employees_and_committee_but_not_itself(unit_of_work, organisation):
    with unit_of_work() as uow:
        rows, total = users_page(uow, organisation.hr, page=1, per_page=50)
    switch = {row.username: row.may_switch for row in rows}
    assert total == len(rows) and switch["sh01"] and switch["chair1"] and not switch["hr1"]
    assert roles_to_grant(organisation.hr) == ["employee", "supervisor", "committee"]


def test_an_admin_may_switch_hr_and_grant_every_role(unit_of_work, people, organisation):
    admin = people.user("root", "admin")
    with unit_of_work() as uow:
        rows, _total = users_page(uow, admin, page=1, per_page=50)
    switch = {row.username: row.may_switch for row in rows}
    assert switch["hr1"] and not switch["root"]
    assert roles_to_grant(admin) == ["employee", "supervisor", "committee", "hr", "admin"]


def test_an_employee_may_not_read_the_accounts(unit_of_work, organisation):
    with unit_of_work() as uow, pytest.raises(Forbidden):
        users_page(uow, organisation.applicant, page=1, per_page=50)
