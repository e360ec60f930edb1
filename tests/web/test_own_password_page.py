"""One's own password on a page (/account/password, as PUT /api/v1/me/password): linked from the header; the
current password, the new one twice; each refusal next to its field in Chinese with nothing changed; once
changed, this session goes on, another session of the account ends, and only the new password signs in."""
from __future__ import annotations

import pytest

from tests.support.settings import PASSWORD
from tests.support.world import BOSS, HR, organisation
from tests.web.visitor import text

PAGE = "/account/password"
NEW = "a brand new passphrase"


@pytest.fixture
def boss(signed):
    return signed(BOSS)


def change(visitor, current=PASSWORD, new=NEW, repeated=NEW):
    return visitor.submit(PAGE, {"current_password": current, "new_password": new, "repeated": repeated},
                          from_page=PAGE)


def test_everyone_reaches_the_page_from_the_header(boss):
    assert f'href="{PAGE}"' in boss.get("/").get_data(as_text=True)
    page = boss.get(PAGE)
    assert page.status_code == 200 and "修改密码" in text(page)
    body = page.get_data(as_text=True)
    assert 'autocomplete="current-password"' in body and body.count('autocomplete="new-password"') == 2


def test_a_changed_password_keeps_this_session_ends_the_others_and_alone_signs_in(gf, boss, visit):
    elsewhere = visit()
    assert elsewhere.sign_in(BOSS).status_code == 302
    done = change(boss)
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert "密码已修改。" in text(boss.get("/"))
    assert boss.get(PAGE).status_code == 200  # this session goes on
    assert elsewhere.get(PAGE).status_code == 302  # the other one is sent to sign in again
    assert visit().sign_in(BOSS).status_code == 401
    assert visit().sign_in(BOSS, NEW).status_code == 302
    assert gf.client.post("/api/v1/auth/token", json={"username": BOSS, "password": NEW}).status_code == 200


@pytest.mark.parametrize("fields, field, told", [
    ({"current": "not it"}, "current_password", "当前密码不正确。"),
    ({"new": "short", "repeated": "short"}, "new_password", "密码至少"),
    ({"repeated": NEW + "!"}, "repeated", "两次输入的新密码不一致"),
    ({"current": ""}, "current_password", "请输入当前密码。"),
])
def test_a_refusal_is_told_next_to_its_field_and_the_password_stays(gf, boss, visit, fields, field, told):
    refused = change(boss, **fields)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and f'data-testid="{field}-error"' in body
    error = body[body.index(f'data-testid="{field}-error"'):]
    assert told in error[:error.index("</small>")]
    assert visit().sign_in(BOSS).status_code == 302  # the old password still signs in


def test_someone_signed_out_is_sent_to_sign_in(gf, visit):
    organisation(gf)
    answer = visit().get(PAGE)
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/sign-in")


def test_hr_changes_their_own_password_here_not_through_the_reset_of_others(signed, visit):
    assert change(signed(HR)).status_code == 302
    assert visit().sign_in(HR, NEW).status_code == 302
