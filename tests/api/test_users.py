"""User accounts: POST/GET /users, GET/PATCH /users/{username}; roles read fresh on every request (issue 2)."""
from __future__ import annotations

import logging
import re

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from models import db
from tests.support.answers import assert_problem
from tests.support.settings import PASSWORD
from tests.support.worlds import world_fixture

NEW_PASSWORD = "a fresh user's passphrase"
MANAGER_BODY = {"employee_no": "M900", "name": "李雷", "org_unit": "北京分行", "grade": "junior",
                "grade_since": "2025-03-01", "hire_date": "2024-12-01", "supervisor": None}


def sign_in(gf, username, password=PASSWORD):
    return gf.client.post("/api/v1/auth/token", json={"username": username, "password": password})


def new_user(username, *roles, employee_no=None, password=NEW_PASSWORD):
    body = {"username": username, "password": password, "roles": list(roles)}
    if employee_no is not None:
        body["employee_no"] = employee_no
    return body


def user_row(app, username):
    with app.app_context():
        try:
            row = db.session.execute(sa.text("SELECT * FROM users WHERE username = :u"), {"u": username}).mappings().one_or_none()
            return dict(row) if row is not None else None
        finally:
            db.session.remove()


def exists(gf, username) -> bool:
    response = gf.get(f"/users/{username}", as_="root")
    assert response.status_code in (200, 404), response.get_json()
    return response.status_code == 200


@pytest.fixture
@world_fixture
def staff(gf):
    gf.user("root", "admin")
    gf.user("hr1", "hr")
    return gf


# --- POST /users -----------------------------------------------------------------------------

@pytest.mark.parametrize("roles", [("admin",), ("hr",), ("hr", "committee"), ("committee",)])
def test_admin_creates_users_with_any_role(staff, roles):
    gf = staff
    response = gf.post("/users", as_="root", json=new_user("newbie", *roles))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["username"] == "newbie" and body["roles"] == sorted(roles) and body["employee_no"] is None
    assert body["active"] is True
    assert body["created_at"] == "2026-09-01T09:00:00+08:00", body
    assert "password" not in body and "password_hash" not in body and NEW_PASSWORD not in response.get_data(as_text=True)
    token = sign_in(gf, "newbie", NEW_PASSWORD)
    assert token.status_code == 200, token.get_json()
    me = gf.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.get_json()['access_token']}"})
    assert me.get_json() == {"username": "newbie", "roles": sorted(roles), "employee_no": None}


def test_hr_creates_employee_supervisor_and_committee_users(staff):
    gf = staff
    gf.manager("M100")
    gf.manager("M200")
    for body in (new_user("emp100", "employee", employee_no="M100"),
                 new_user("sup200", "supervisor", "committee", employee_no="M200"),
                 new_user("member", "committee")):
        response = gf.post("/users", as_="hr1", json=body)
        assert response.status_code == 201, response.get_json()
        created = response.get_json()
        assert created["roles"] == sorted(body["roles"]) and created["employee_no"] == body.get("employee_no"), created
    assert gf.get("/users/emp100", as_="root").get_json()["employee_no"] == "M100"


@pytest.mark.parametrize("role", ["hr", "admin"])
def test_hr_may_not_grant_hr_or_admin(staff, role):
    gf = staff
    response = gf.post("/users", as_="hr1", json=new_user("climber", "committee", role))
    body = assert_problem(response, 422, "validation_error", field="roles", rule="grantable_role")
    assert role in body["detail"]
    assert not exists(gf, "climber")


@pytest.mark.parametrize("role", ["employee", "supervisor"])
def test_employee_and_supervisor_roles_need_an_employee_no(staff, role):
    gf = staff
    response = gf.post("/users", as_="root", json=new_user("nobody1", role))
    assert_problem(response, 422, "validation_error", field="employee_no", rule="employee_no_for_role")
    assert not exists(gf, "nobody1")


def test_employee_no_must_name_a_known_manager(staff):
    gf = staff
    response = gf.post("/users", as_="hr1", json=new_user("ghost", "employee", employee_no="M404"))
    assert_problem(response, 422, "validation_error", field="employee_no", rule="known_manager")
    assert not exists(gf, "ghost")


def test_taken_username_is_a_conflict(staff):
    gf = staff
    gf.user("alice", "committee")
    response = gf.post("/users", as_="root", json=new_user("alice", "admin"))
    body = assert_problem(response, 409, "username_taken")
    assert body.get("field") == "username", body
    # the existing account is untouched: same password, same roles
    assert sign_in(gf, "alice", NEW_PASSWORD).status_code == 401
    assert gf.get("/me", as_="alice").get_json()["roles"] == ["committee"]


def test_a_manager_has_at_most_one_account(staff):
    gf = staff
    gf.manager("M100", login=True)
    response = gf.post("/users", as_="hr1", json=new_user("second", "employee", employee_no="M100"))
    assert_problem(response, 409, "employee_no_taken")
    assert not exists(gf, "second")


@pytest.mark.parametrize("roles", [("employee",), ("supervisor",), ("committee",)])
def test_only_hr_and_admin_create_users(staff, roles):
    gf = staff
    gf.manager("M100")
    gf.user("caller", *roles, employee_no="M100" if set(roles) & {"employee", "supervisor"} else None)
    response = gf.post("/users", as_="caller", json=new_user("sneaky", "committee"))
    assert_problem(response, 403, "forbidden")
    assert not exists(gf, "sneaky")


def test_creating_a_user_needs_a_token(staff):
    gf = staff
    response = gf.post("/users", json=new_user("anon", "committee"))
    assert_problem(response, 401, "invalid_token")
    assert not exists(gf, "anon")


def test_new_user_refuses_unknown_fields_naming_them(staff):
    gf = staff
    body = new_user("extra", "committee") | {"is_superuser": True}
    response = gf.post("/users", as_="root", json=body)
    assert_problem(response, 422, "validation_error", field="is_superuser", rule="unknown_field")
    assert not exists(gf, "extra")


def test_new_user_names_every_missing_field(staff):
    response = staff.post("/users", as_="root", json={})
    body = assert_problem(response, 422, "validation_error")
    assert {(e["field"], e["rule"]) for e in body["errors"]} == {
        ("username", "required"), ("password", "required"), ("roles", "required")}, body


def test_new_user_refuses_unknown_roles(staff):
    response = staff.post("/users", as_="root", json=new_user("wizard", "wizard"))
    assert_problem(response, 422, "validation_error", field="roles.0", rule="one_of")
    assert not exists(staff, "wizard")


def test_new_user_needs_at_least_one_role(staff):
    response = staff.post("/users", as_="root", json=new_user("roleless"))
    assert_problem(response, 422, "validation_error", field="roles", rule="at_least_one_role")


def test_new_user_refuses_a_short_password_and_a_bad_username_naming_both(staff):
    response = staff.post("/users", as_="root", json=new_user("x!", "committee", password="tiny-pw9"))
    body = assert_problem(response, 422, "validation_error", field="password", rule="password_length")
    assert "username_format" in {e["rule"] for e in body["errors"] if e["field"] == "username"}, body
    # the refusal does not echo the password back
    assert "tiny-pw9" not in response.get_data(as_text=True)
    assert sorted(u["username"] for u in staff.get("/users", as_="root").get_json()) == ["hr1", "root"]


# --- usernames as companies already have them (api.md: 1-64 letters, digits, '.', '_', '-') ----------

# one character, two-letter pinyin names, a letter and a digit, employee numbers
NAMES_COMPANIES_USE = ["x", "7", "li", "wu", "c1", "M1001", "10023"]


@pytest.mark.parametrize("username", NAMES_COMPANIES_USE)
def test_usernames_of_one_or_two_characters_and_employee_numbers_are_accepted(staff, username):
    gf = staff
    response = gf.post("/users", as_="hr1", json=new_user(username, "committee"))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["username"] == username
    token = sign_in(gf, username, NEW_PASSWORD)
    assert token.status_code == 200, token.get_json()
    # /users/{username} takes the same names as POST /users
    shown = gf.get(f"/users/{username}", as_="root")
    assert shown.status_code == 200 and shown.get_json()["username"] == username, shown.get_json()
    changed = gf.patch(f"/users/{username}", as_="root", json={"roles": ["committee", "employee"]})
    assert_problem(changed, 422, "validation_error", field="employee_no", rule="employee_no_for_role")
    switched = gf.patch(f"/users/{username}", as_="root", json={"active": False})
    assert switched.status_code == 200 and switched.get_json()["active"] is False, switched.get_json()


@pytest.mark.parametrize("username", ["a" * 65, "", "li na", "li@bank", "李", "li<b>", "-li", ".li", "_li"],
                         ids=["65_characters", "empty", "space", "at_sign", "non_ascii", "markup", "leading_dash",
                              "leading_dot", "leading_underscore"])
def test_a_username_of_65_characters_or_with_another_character_is_refused(staff, username):
    """The first character is a letter or a digit (tests/unit/test_accounts_rules.py pins it: a name starting
    with '-' would read as an option of `gradeflow users create`)."""
    response = staff.post("/users", as_="hr1", json=new_user(username, "committee"))
    body = assert_problem(response, 422, "validation_error", field="username", rule="username_format")
    assert [e["field"] for e in body["errors"]] == ["username"], body
    assert sorted(u["username"] for u in staff.get("/users", as_="root").get_json()) == ["hr1", "root"]


@pytest.mark.parametrize("path", ["/users/" + "a" * 65, "/users/li%20na", "/users/-li", "/users/li%3Cb%3E"],
                         ids=["65_characters", "space", "leading_dash", "markup"])
def test_a_path_that_cannot_be_a_username_is_not_found(staff, path):
    assert_problem(staff.get(path, as_="root"), 404, "not_found")


def test_gradeflow_users_create_accepts_the_names_companies_use(staff, migrated, tmp_path):
    from tests.support.commands import gradeflow
    for username in ("x", "li", "10023"):
        result = gradeflow(tmp_path, "users", "create", username, "--role", "committee", "--password-stdin",
                           stdin=f"{NEW_PASSWORD}\n", GRADEFLOW_DATABASE_URL=migrated)
        assert result.returncode == 0, result.stderr
        assert sign_in(staff, username, NEW_PASSWORD).status_code == 200
    too_long = gradeflow(tmp_path, "users", "create", "a" * 65, "--role", "committee", "--password-stdin",
                         stdin=f"{NEW_PASSWORD}\n", GRADEFLOW_DATABASE_URL=migrated)
    assert too_long.returncode != 0 and "username:" in too_long.stderr and "[username_format]" in too_long.stderr
    assert sorted(u["username"] for u in staff.get("/users", as_="root").get_json()) == ["10023", "hr1", "li", "root",
                                                                                         "x"]


def test_new_user_password_is_stored_as_an_argon2_hash_never_in_clear(staff, app):
    gf = staff
    response = gf.post("/users", as_="root", json=new_user("hashed", "committee"))
    assert response.status_code == 201, response.get_json()
    row = user_row(app, "hashed")
    assert row["password_hash"].startswith("$argon2id$"), row["password_hash"]
    assert row["password_hash"] != NEW_PASSWORD
    assert all(NEW_PASSWORD not in str(value) for value in row.values()), row
    assert PasswordHasher().verify(row["password_hash"], NEW_PASSWORD)


def test_creating_a_user_never_logs_the_password(staff, caplog):
    gf = staff
    secret = "unmistakable-new-user-Passw0rd"
    gf.token("root")
    gf.token("hr1")
    caplog.set_level(logging.DEBUG)
    assert gf.post("/users", as_="root", json=new_user("logged", "committee", password=secret)).status_code == 201
    # and when refused: taken name, a role hr may not grant
    taken = assert_problem(gf.post("/users", as_="root", json=new_user("logged", "committee", password=secret)),
                           409, "username_taken")
    assert taken.get("field") == "username", taken
    assert_problem(gf.post("/users", as_="hr1", json=new_user("logged2", "admin", password=secret)),
                   422, "validation_error", field="roles", rule="grantable_role")
    assert not exists(gf, "logged2")
    assert sign_in(gf, "logged", secret).status_code == 200
    assert secret not in caplog.text
    assert all(secret not in record.getMessage() for record in caplog.records)


# --- GET /users ------------------------------------------------------------------------------

def test_user_list_is_paginated_with_total_count(staff):
    gf = staff
    for name in ("carol", "dave", "erin"):
        gf.user(name, "committee")
    # all: erin, carol, dave, hr1, root -> sorted: carol, dave, erin, hr1, root
    first = gf.get("/users?page=1&per_page=2", as_="hr1")
    assert first.status_code == 200, first.get_json()
    assert first.headers["X-Total-Count"] == "5"
    assert [u["username"] for u in first.get_json()] == ["carol", "dave"]
    last = gf.get("/users?page=3&per_page=2", as_="root")
    assert last.headers["X-Total-Count"] == "5"
    assert [u["username"] for u in last.get_json()] == ["root"]
    assert last.get_json()[0]["roles"] == ["admin"] and last.get_json()[0]["active"] is True
    beyond = gf.get("/users?page=9&per_page=2", as_="root")
    assert beyond.status_code == 200 and beyond.get_json() == [] and beyond.headers["X-Total-Count"] == "5"


def test_user_list_defaults_to_50_and_allows_500_per_page(staff):
    gf = staff
    default = gf.get("/users", as_="root")
    assert default.status_code == 200 and default.headers["X-Total-Count"] == "2"
    assert sorted(u["username"] for u in default.get_json()) == ["hr1", "root"]
    big = gf.get("/users?per_page=500", as_="root")
    assert big.status_code == 200 and len(big.get_json()) == 2, big.get_json()
    assert all("password" not in u and "password_hash" not in u for u in big.get_json())


def test_user_list_refuses_out_of_range_paging(staff):
    response = staff.get("/users?page=0&per_page=501", as_="root")
    body = assert_problem(response, 422, "validation_error", field="page", rule="range")
    assert "per_page" in {e["field"] for e in body["errors"]}, body


@pytest.mark.parametrize("roles", [("committee",), ("employee",), ("supervisor",)])
def test_user_list_is_for_hr_and_admin_only(staff, roles):
    gf = staff
    gf.manager("M100")
    gf.user("caller", *roles, employee_no=None if roles == ("committee",) else "M100")
    response = gf.get("/users", as_="caller")
    body = assert_problem(response, 403, "forbidden")
    assert "root" not in str(body)


# --- GET /users/{username} -------------------------------------------------------------------

def test_user_is_visible_to_hr_admin_and_themselves(staff):
    gf = staff
    gf.user("alice", "committee")
    for caller in ("root", "hr1", "alice"):
        response = gf.get("/users/alice", as_=caller)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert body["username"] == "alice" and body["roles"] == ["committee"] and body["active"] is True, body
        assert "password" not in body and "password_hash" not in body


def test_other_users_are_hidden_as_not_found(staff):
    gf = staff
    gf.user("alice", "committee")
    gf.user("bob", "committee")
    hidden = assert_problem(gf.get("/users/alice", as_="bob"), 404, "not_found")
    missing = assert_problem(gf.get("/users/nobody-at-all", as_="bob"), 404, "not_found")
    # the same answer as for a user that does not exist: nothing about alice leaks
    assert hidden["detail"] == missing["detail"].replace("nobody-at-all", "alice"), (hidden, missing)
    assert "committee" not in str(hidden)


def test_unknown_user_is_not_found(staff):
    assert_problem(staff.get("/users/nobody-at-all", as_="root"), 404, "not_found")
    assert_problem(staff.patch("/users/nobody-at-all", as_="root", json={"active": False}), 404, "not_found")


# --- PATCH /users/{username} -----------------------------------------------------------------

def test_admin_changes_roles(staff):
    gf = staff
    gf.user("alice", "committee")
    response = gf.patch("/users/alice", as_="root", json={"roles": ["committee", "hr"]})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["roles"] == ["committee", "hr"] and response.get_json()["username"] == "alice"
    assert gf.get("/users/alice", as_="root").get_json()["roles"] == ["committee", "hr"]


def test_removed_role_stops_working_at_once(staff):
    gf = staff
    token = gf.token("hr1")
    before = gf.post("/managers", as_="hr1", json=MANAGER_BODY)
    assert before.status_code == 201, before.get_json()
    demoted = gf.patch("/users/hr1", as_="root", json={"roles": ["committee"]})
    assert demoted.status_code == 200 and demoted.get_json()["roles"] == ["committee"], demoted.get_json()
    # the very same token, issued while hr1 was hr
    assert gf.token("hr1") == token
    after = gf.post("/managers", as_="hr1", json=MANAGER_BODY | {"employee_no": "M901"})
    assert_problem(after, 403, "forbidden")
    assert gf.get("/me", as_="hr1").get_json()["roles"] == ["committee"]
    assert_problem(gf.get("/managers/M901", as_="root"), 404, "not_found")


def test_granted_role_works_at_once(staff):
    gf = staff
    gf.user("alice", "committee")
    token = gf.token("alice")
    assert_problem(gf.post("/managers", as_="alice", json=MANAGER_BODY), 403, "forbidden")
    granted = gf.patch("/users/alice", as_="root", json={"roles": ["committee", "hr"]})
    assert granted.status_code == 200, granted.get_json()
    assert gf.token("alice") == token
    created = gf.post("/managers", as_="alice", json=MANAGER_BODY)
    assert created.status_code == 201 and created.get_json()["employee_no"] == "M900", created.get_json()


def test_switched_off_user_is_refused_at_once(staff):
    gf = staff
    gf.user("alice", "committee")
    token = gf.token("alice")
    assert gf.get("/me", as_="alice").status_code == 200
    off = gf.patch("/users/alice", as_="hr1", json={"active": False})
    assert off.status_code == 200 and off.get_json()["active"] is False, off.get_json()
    assert gf.token("alice") == token
    assert_problem(gf.get("/me", as_="alice"), 401, "invalid_token")
    assert_problem(sign_in(gf, "alice"), 401, "invalid_credentials")
    on = gf.patch("/users/alice", as_="hr1", json={"active": True})
    assert on.status_code == 200 and on.get_json()["active"] is True, on.get_json()
    assert gf.get("/me", as_="alice").get_json()["username"] == "alice"
    assert sign_in(gf, "alice").status_code == 200


@pytest.mark.parametrize("role", ["hr", "admin"])
def test_hr_may_not_grant_hr_or_admin_by_patch(staff, role):
    gf = staff
    gf.user("alice", "committee")
    response = gf.patch("/users/alice", as_="hr1", json={"roles": ["committee", role]})
    assert_problem(response, 422, "validation_error", field="roles", rule="grantable_role")
    assert gf.get("/users/alice", as_="root").get_json()["roles"] == ["committee"]


def test_hr_may_not_change_an_admin(staff):
    gf = staff
    response = gf.patch("/users/root", as_="hr1", json={"active": False})
    assert_problem(response, 403, "forbidden")
    assert gf.get("/users/root", as_="root").get_json()["active"] is True
    assert gf.get("/me", as_="root").status_code == 200


def test_only_hr_and_admin_change_users(staff):
    gf = staff
    gf.user("alice", "committee")
    gf.user("bob", "committee")
    response = gf.patch("/users/bob", as_="alice", json={"active": False})
    assert_problem(response, 403, "forbidden")
    assert gf.get("/users/bob", as_="root").get_json()["active"] is True
    own = gf.patch("/users/alice", as_="alice", json={"roles": ["committee", "admin"]})
    assert_problem(own, 403, "forbidden")
    assert gf.get("/me", as_="alice").get_json()["roles"] == ["committee"]


def test_nobody_switches_off_their_own_account(staff):
    gf = staff
    response = gf.patch("/users/root", as_="root", json={"active": False})
    assert_problem(response, 422, "validation_error", field="active", rule="not_own_lockout")
    assert gf.get("/me", as_="root").status_code == 200


def _account(gf, username) -> tuple:
    user = gf.get(f"/users/{username}", as_="root").get_json()
    return user["roles"], user["active"]


@pytest.mark.parametrize("holder_roles, kept_roles, lost", [
    (["admin"], ["committee"], {"admin"}),
    (["admin", "hr"], ["admin"], {"hr"}),
    (["admin", "hr"], ["hr"], {"admin"}),
    (["admin", "hr"], ["committee"], {"admin", "hr"}),
], ids=["admin_drops_admin", "admin_and_hr_drops_hr", "admin_and_hr_drops_admin", "admin_and_hr_drops_both"])
def test_not_own_lockout_nobody_drops_their_own_hr_or_admin_role(staff, holder_roles, kept_roles, lost):
    gf = staff
    gf.user("boss", *holder_roles)
    response = gf.patch("/users/boss", as_="boss", json={"roles": kept_roles})
    body = assert_problem(response, 422, "validation_error", field="roles", rule="not_own_lockout")
    [message] = [e["message"] for e in body["errors"] if (e["field"], e["rule"]) == ("roles", "not_own_lockout")]
    assert {role for role in ("admin", "hr") if re.search(rf"\b{role}\b", message)} == lost, message
    assert _account(gf, "boss") == (sorted(holder_roles), True)
    assert gf.get("/me", as_="boss").get_json()["roles"] == sorted(holder_roles)


def test_not_own_lockout_keeping_the_own_admin_role_while_adding_another_is_allowed(staff):
    """Control for the refusals above: the rule is about losing hr/admin, not about changing one's roles."""
    gf = staff
    response = gf.patch("/users/root", as_="root", json={"roles": ["admin", "committee"]})
    assert response.status_code == 200, response.get_json()
    assert _account(gf, "root") == (["admin", "committee"], True)


@pytest.mark.parametrize("holder_roles", [["admin"], ["admin", "hr"]], ids=["admin", "admin_and_hr"])
def test_not_own_lockout_nobody_switches_off_their_own_account_even_while_changing_roles(staff, holder_roles):
    gf = staff
    gf.user("boss", *holder_roles)
    response = gf.patch("/users/boss", as_="boss", json={"roles": holder_roles, "active": False})
    assert_problem(response, 422, "validation_error", field="active", rule="not_own_lockout")
    assert _account(gf, "boss") == (sorted(holder_roles), True)
    assert gf.get("/me", as_="boss").status_code == 200


@pytest.mark.parametrize("body", [{"roles": ["committee"]}, {"active": False}, {"roles": ["committee"], "active": False}],
                         ids=["drop_hr", "switch_off", "both"])
def test_not_own_lockout_hr_may_neither_drop_their_own_hr_role_nor_switch_themselves_off(staff, body):
    """hr changes only users who hold no more than employee/supervisor/committee (docs/api-extensions.md),
    so an hr user's change to their own account is refused (403) before the lockout rule is reached."""
    gf = staff
    response = gf.patch("/users/hr1", as_="hr1", json=body)
    assert_problem(response, 403, "forbidden")
    assert _account(gf, "hr1") == (["hr"], True)
    assert gf.get("/me", as_="hr1").get_json()["roles"] == ["hr"]


def test_patch_refuses_unknown_fields_naming_them(staff):
    gf = staff
    gf.user("alice", "committee")
    response = gf.patch("/users/alice", as_="root", json={"roles": ["hr"], "password": "sneaky new one"})
    assert_problem(response, 422, "validation_error", field="password", rule="unknown_field")
    assert gf.get("/users/alice", as_="root").get_json()["roles"] == ["committee"]


def test_patch_needs_roles_or_active(staff):
    gf = staff
    gf.user("alice", "committee")
    response = gf.patch("/users/alice", as_="root", json={})
    body = assert_problem(response, 422, "validation_error")
    assert body["errors"], body


def test_patch_refuses_a_non_boolean_active(staff):
    gf = staff
    gf.user("alice", "committee")
    response = gf.patch("/users/alice", as_="root", json={"active": "no"})
    assert_problem(response, 422, "validation_error", field="active", rule="type")
    assert gf.get("/users/alice", as_="root").get_json()["active"] is True
