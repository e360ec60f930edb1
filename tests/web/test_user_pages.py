"""The users page through Flask's test client: hr and admin list the accounts and create one through
accounts.create_user (hr only the roles it may grant), refusals next to their field in Chinese with what was
typed kept, markup in a typed value shown as text, an account switched off and on (never one's own, nor one
holding roles the caller cannot grant), others refused with the 403 page, and a fixed number of statements
whatever the number of accounts."""
from __future__ import annotations

import re

import pytest

from tests.support.statements import counting
from tests.support.world import ADMIN, BOSS, HR
from tests.web.visitor import text

SCRIPT = '<script>alert("x")</script>'


def _create(visitor, username, password="一个足够长的密码abc", roles=("committee",), employee_no=""):
    return visitor.submit("/users", {"username": username, "password": password, "roles": list(roles),
                                     "employee_no": employee_no}, from_page="/users")


def _switch(visitor, username, active):
    return visitor.submit(f"/users/{username}/active", {"active": active}, from_page="/users")


def test_hr_creates_a_committee_member_who_then_signs_in(gf, signed, visit):
    hr = signed(HR)
    page = hr.get("/users")
    assert page.status_code == 200 and "用户" in text(page) and HR in text(page)
    assert 'value="hr"' not in page.get_data(as_text=True)  # hr grants no hr role: not offered
    done = _create(hr, "newmember")
    assert done.status_code == 302
    assert "账号 newmember 已创建" in text(hr.get("/users"))
    assert visit().sign_in("newmember", "一个足够长的密码abc").status_code == 302


def test_refusals_are_told_next_to_their_fields_and_the_typed_values_kept(signed):
    hr = signed(HR)
    refused = _create(hr, "bad name" + SCRIPT, password="short", roles=("employee",))
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'data-testid="username-error"' in body and "以字母或数字开头" in text(refused)
    assert 'data-testid="password-error"' in body and "密码至少 10 个字符" in text(refused)
    assert 'data-testid="employee_no-error"' in body and "需要员工编号" in text(refused)
    assert SCRIPT not in body and "bad name&lt;script&gt;" in body
    assert re.search(r"<input[^>]*checked[^>]*value=\"employee\"|<input[^>]*value=\"employee\"[^>]*checked", body)


def test_a_taken_username_and_a_role_hr_may_not_grant_are_refused(signed):
    hr = signed(HR)
    taken = _create(hr, BOSS)
    assert taken.status_code == 409 and "此用户名已被使用" in text(taken)
    beyond = _create(hr, "newadmin", roles=("admin",))
    assert beyond.status_code == 422 and 'data-testid="roles-error"' in beyond.get_data(as_text=True)
    assert "newadmin" not in text(signed(ADMIN).get("/users")).split("新建账号")[0]


def test_admin_switches_an_account_off_and_on_but_not_their_own(signed, visit):
    admin = signed(ADMIN)
    assert _switch(admin, BOSS, "0").status_code == 302
    assert "已停用" in text(admin.get("/users"))
    assert visit().sign_in(BOSS).status_code != 302
    assert _switch(admin, BOSS, "1").status_code == 302
    assert visit().sign_in(BOSS).status_code == 302
    assert _switch(admin, ADMIN, "0").status_code == 302
    assert "您不能停用自己的账号" in text(admin.get("/users"))


def test_hr_may_not_switch_off_an_admin(signed):
    hr = signed(HR)
    assert f'action="/users/{ADMIN}/active"' not in hr.get("/users").get_data(as_text=True)
    assert _switch(hr, ADMIN, "0").status_code == 403


@pytest.mark.parametrize("who", [BOSS, "chair"])
def test_others_get_the_403_page(signed, who):
    other = signed(who)
    assert other.get("/users").status_code == 403
    assert _create(other, "sneaky").status_code == 403


def test_the_page_issues_as_many_statements_for_many_accounts_as_for_few(gf, signed):
    admin = signed(ADMIN)
    with counting(admin.client.application) as few:
        assert admin.get("/users").status_code == 200
    for n in range(15):
        gf.user(f"extra{n:02d}", "committee")
    with counting(admin.client.application) as many:
        assert admin.get("/users").status_code == 200
    assert len(many) == len(few), str(many)


def test_hr_sets_where_a_person_s_notifications_go_and_a_bad_address_is_told_next_to_its_field(gf, signed):
    hr = signed(HR)
    roles = ["employee", "supervisor"]  # as the page shows them ticked, a browser sends them
    refused = hr.submit(f"/users/{BOSS}/contact", {"roles": roles, "email": "not-an-address", "mobile": "12",
                                                   "language": ""},
                        from_page=f"/users/{BOSS}/contact")
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'data-testid="email-error"' in body and 'data-testid="mobile-error"' in body
    assert "请填写电子邮件地址" in text(refused) and "11 位中国大陆手机号" in text(refused)
    assert 'value="not-an-address"' in body  # what was typed is kept

    saved = hr.submit(f"/users/{BOSS}/contact", {"roles": roles, "email": "s900@bank.example",
                                                 "mobile": "13800138000", "language": "en"},
                      from_page=f"/users/{BOSS}/contact")
    assert saved.status_code == 302
    listed = hr.get("/users")
    assert "s900@bank.example" in text(listed) and "13800138000" in text(listed)
    assert "已保存 s900 的账户" in text(listed)
    shown = gf.get(f"/users/{BOSS}", as_=HR).get_json()
    assert (shown["email"], shown["mobile"], shown["language"]) == ("s900@bank.example", "13800138000", "en")
    cleared = hr.submit(f"/users/{BOSS}/contact", {"roles": roles, "email": "", "mobile": "13800138000",
                                                   "language": ""},
                        from_page=f"/users/{BOSS}/contact")
    assert cleared.status_code == 302 and gf.get(f"/users/{BOSS}", as_=HR).get_json()["email"] is None


def test_hr_makes_a_supervisor_a_committee_member_on_the_account_page(gf, signed):
    hr = signed(HR)
    page = hr.get(f"/users/{BOSS}/contact").get_data(as_text=True)
    assert re.search(r'value="supervisor"[^>]*checked|checked[^>]*value="supervisor"', page)  # as they are
    done = hr.submit(f"/users/{BOSS}/contact", {"roles": ["employee", "supervisor", "committee"], "email": "",
                                                "mobile": "", "language": ""}, from_page=f"/users/{BOSS}/contact")
    assert done.status_code == 302
    assert gf.get(f"/users/{BOSS}", as_=HR).get_json()["roles"] == ["committee", "employee", "supervisor"]
    none = hr.submit(f"/users/{BOSS}/contact", {"email": "", "mobile": "", "language": ""},
                     from_page=f"/users/{BOSS}/contact")  # every box cleared
    assert none.status_code == 422 and "请至少选择一个角色" in text(none)


def test_hr_may_not_change_an_admins_roles_nor_take_away_their_own(gf, signed):
    hr = signed(HR)
    admin_page = hr.get(f"/users/{ADMIN}/contact")
    assert admin_page.status_code == 200 and 'data-testid="roles-fixed"' in admin_page.get_data(as_text=True)
    assert "系统管理员" in text(admin_page) and "其中有您无权授予的角色" in text(admin_page)
    admin = signed(ADMIN)
    refused = admin.submit(f"/users/{ADMIN}/contact", {"roles": ["hr"], "email": "", "mobile": "", "language": ""},
                           from_page=f"/users/{ADMIN}/contact")
    assert refused.status_code == 422 and "不能移除您自己的人力资源或系统管理员角色" in text(refused)
    assert gf.get(f"/users/{ADMIN}", as_=ADMIN).get_json()["roles"] == ["admin"]


def test_hr_gives_a_person_who_forgot_theirs_a_new_password_and_their_sessions_end(gf, signed, visit):
    boss = signed(BOSS)
    hr = signed(HR)
    form = hr.get(f"/users/{BOSS}/contact").get_data(as_text=True)
    assert 'data-testid="password-form"' in form and 'data-confirm="为 s900 设置新密码？' in form
    short = hr.submit(f"/users/{BOSS}/password", {"new_password": "short"}, from_page=f"/users/{BOSS}/contact")
    assert short.status_code == 422 and 'data-testid="new_password-error"' in short.get_data(as_text=True)
    done = hr.submit(f"/users/{BOSS}/password", {"new_password": "一个新的足够长的密码"},
                     from_page=f"/users/{BOSS}/contact")
    assert done.status_code == 302 and "已为 s900 设置新密码" in text(hr.get("/users"))
    assert boss.get("/").status_code == 302  # their session ended
    assert visit().sign_in(BOSS, "一个新的足够长的密码").status_code == 302
    assert visit().sign_in(BOSS).status_code != 302  # the old one no longer signs in


def test_no_new_password_for_ones_own_account_nor_for_an_account_one_may_not_change(gf, signed):
    hr = signed(HR)
    assert 'data-testid="password-form"' not in hr.get(f"/users/{HR}/contact").get_data(as_text=True)
    assert hr.submit(f"/users/{ADMIN}/password", {"new_password": "一个新的足够长的密码"},
                     from_page=f"/users/{ADMIN}/contact").status_code == 403
    assert hr.submit(f"/users/{HR}/password", {"new_password": "一个新的足够长的密码"},
                     from_page=f"/users/{HR}/contact").status_code == 403


def test_hr_creates_an_account_with_its_contact_details(gf, signed):
    hr = signed(HR)
    done = hr.submit("/users", {"username": "newmember", "password": "一个足够长的密码abc", "roles": ["committee"],
                                "employee_no": "", "email": "new@bank.example", "mobile": ""}, from_page="/users")
    assert done.status_code == 302
    shown = gf.get("/users/newmember", as_=HR).get_json()
    assert (shown["email"], shown["mobile"]) == ("new@bank.example", None)
