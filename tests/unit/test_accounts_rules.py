"""Accounts and access: who grants which role, username and password rules, password
hashing, and who may see whom."""
from __future__ import annotations

import pytest

from workflow.access import (can_list_managers, can_manage_accounts, can_manage_people, can_operate_clock,
                             can_view_manager, require)
from workflow.accounts import Actor, grantable_roles, password_problem, username_problem
from workflow.errors import Forbidden
from workflow.passwords import Passwords

PASSWORD = "correct horse battery"
USERNAME_RULE = "must be 1-64 characters: letters, digits, '.', '_' or '-', starting with a letter or digit"


def actor(*roles: str, employee_no: str | None = None) -> Actor:
    return Actor(user_id=1, username="someone", roles=frozenset(roles), employee_no=employee_no)


@pytest.fixture(scope="module")
def passwords():
    return Passwords(time_cost=1, memory_cost=64)


# --- granting roles ----------------------------------------------------------------------

@pytest.mark.parametrize("roles, grantable", [
    (("admin",), {"employee", "supervisor", "committee", "hr", "admin"}),
    (("hr", "admin"), {"employee", "supervisor", "committee", "hr", "admin"}),
    (("hr",), {"employee", "supervisor", "committee"}),
    (("hr", "committee"), {"employee", "supervisor", "committee"}),
    (("employee",), set()),
    (("supervisor",), set()),
    (("committee",), set()),
    (("employee", "supervisor", "committee"), set()),
    ((), set()),
])
def test_grantable_roles_admin_all_hr_non_privileged_others_none(roles, grantable):
    assert grantable_roles(actor(*roles)) == frozenset(grantable)


# --- usernames and passwords ------------------------------------------------------------

@pytest.mark.parametrize("username", ["x", "7", "li", "wu", "c1", "M1001", "10023", "abc", "alice", "Zhang.Wei",
                                      "li_na-2", "9lives", "a.", "a" * 64],
                         ids=["one_letter", "one_digit", "two_letters_li", "two_letters_wu", "letter_digit",
                              "employee_no_with_letter", "employee_no_digits", "three", "alice", "dotted", "mixed",
                              "leading_digit", "trailing_dot", "sixty_four"])
def test_username_rule_accepts_1_to_64_characters_as_companies_have_them(username):
    assert username_problem(username) is None


@pytest.mark.parametrize("username", ["a" * 65, "", None, ".alice", "_alice", "-alice", "-", "ali ce",
                                      "alice@bank", "张伟", "alice\n", "<b>"],
                         ids=["too_long", "empty", "none", "leading_dot", "leading_underscore",
                              "leading_dash", "dash_alone", "space", "at_sign", "non_ascii", "trailing_newline",
                              "markup"])
def test_username_rule_refuses(username):
    assert username_problem(username) == USERNAME_RULE


@pytest.mark.parametrize("password, problem", [
    ("", "must be at least 10 characters"),
    (None, "must be at least 10 characters"),
    ("a" * 9, "must be at least 10 characters"),
    ("a" * 10, None),
    ("密码" * 5, None),
    ("a" * 1024, None),
    ("a" * 1025, "must be at most 1024 characters"),
])
def test_password_rule_is_10_to_1024_characters(password, problem):
    assert password_problem(password) == problem


# --- password hashing -------------------------------------------------------------------

def test_password_hash_is_argon2id_not_the_clear_text(passwords):
    hashed = passwords.hash(PASSWORD)
    assert hashed.startswith("$argon2id$")
    assert PASSWORD not in hashed


def test_password_hash_is_salted(passwords):
    assert passwords.hash(PASSWORD) != passwords.hash(PASSWORD)


def test_verify_accepts_the_right_password(passwords):
    assert passwords.verify(passwords.hash(PASSWORD), PASSWORD) is True


@pytest.mark.parametrize("attempt", ["", PASSWORD.upper(), PASSWORD + " ", "wrong password"])
def test_verify_refuses_a_wrong_password(passwords, attempt):
    assert passwords.verify(passwords.hash(PASSWORD), attempt) is False


@pytest.mark.parametrize("attempt", [PASSWORD, "decoy password for unknown users"])
def test_verify_without_a_hash_is_false(passwords, attempt):
    assert passwords.verify(None, attempt) is False


def test_an_unknown_username_costs_a_verification_like_a_known_one(passwords, monkeypatch):
    """The decoy hash (made at the first verify, not at start-up): a sign-in of a username that does not exist
    verifies the password against it, so that it takes as long as a wrong password of one that does."""
    verified = []
    real = type(passwords._hasher).verify
    monkeypatch.setattr(type(passwords._hasher), "verify",
                        lambda hasher, hashed, password: verified.append(hashed) or real(hasher, hashed, password))
    known = passwords.hash(PASSWORD)
    assert passwords.verify(None, PASSWORD) is False and passwords.verify(known, "wrong password") is False
    assert len(verified) == 2 and verified[1] == known and verified[0].startswith("$argon2")
    assert passwords.verify(None, "another") is False and verified[2] == verified[0]  # one decoy per process


def test_verify_with_a_malformed_hash_is_false(passwords):
    assert passwords.verify("not-an-argon2-hash", PASSWORD) is False


@pytest.mark.parametrize("time_cost, memory_cost, rehash", [(1, 64, False), (2, 64, True), (1, 128, True)])
def test_needs_rehash_when_costs_rise(passwords, time_cost, memory_cost, rehash):
    hashed = passwords.hash(PASSWORD)
    assert Passwords(time_cost=time_cost, memory_cost=memory_cost).needs_rehash(hashed) is rehash


# --- who may see a manager ----------------------------------------------------------------

@pytest.mark.parametrize("viewer, employee_no, chain, allowed", [
    (actor("employee", employee_no="E100"), "E100", ["E010", "E001"], True),
    (actor("employee", "supervisor", employee_no="E010"), "E100", ["E010", "E001"], True),
    (actor("supervisor", employee_no="E001"), "E100", ["E010", "E001"], True),
    (actor("employee", employee_no="E010"), "E100", ["E010", "E001"], False),
    (actor("supervisor", employee_no="E020"), "E100", ["E010", "E001"], False),
    (actor("supervisor"), "E100", ["E010", "E001"], False),
    (actor("hr"), "E100", [], True),
    (actor("committee"), "E100", [], True),
    (actor("admin"), "E100", [], True),
    (actor("employee", employee_no="E200"), "E100", ["E010", "E001"], False),
    (actor(employee_no="E100"), "E100", [], True),
], ids=["self", "direct_supervisor", "transitive_supervisor", "in_chain_without_supervisor_role",
        "supervisor_of_someone_else", "supervisor_without_employee_no", "hr", "committee", "admin",
        "stranger_employee", "self_without_roles"])
def test_can_view_manager(viewer, employee_no, chain, allowed):
    assert can_view_manager(viewer, employee_no, chain) is allowed


@pytest.mark.parametrize("rule, allowed_roles", [
    (can_list_managers, {"hr", "committee", "admin"}),
    (can_manage_people, {"hr"}),
    (can_manage_accounts, {"hr", "admin"}),
    (can_operate_clock, {"admin"}),
])
@pytest.mark.parametrize("role", ["employee", "supervisor", "committee", "hr", "admin"])
def test_organisation_wide_permissions_by_role(rule, allowed_roles, role):
    assert rule(actor(role, employee_no="E100")) is (role in allowed_roles)


def test_require_raises_forbidden_only_when_not_allowed():
    assert require(True, "fine") is None
    with pytest.raises(Forbidden) as refused:
        require(False, "hr only")
    assert (refused.value.code, refused.value.detail) == ("forbidden", "hr only")
