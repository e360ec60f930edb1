"""A password change ends every session opened with the old password."""
from __future__ import annotations

from tests.support.answers import assert_problem
from tests.support.settings import PASSWORD


def test_password_change_invalidates_tokens_issued_before_it(gf):
    gf.user("alice", "committee")
    old_token = gf.token("alice")
    changed = gf.put("/me/password", as_="alice",
                     json={"current_password": PASSWORD, "new_password": "a brand new passphrase"})
    assert changed.status_code == 204
    stale = gf.client.get("/api/v1/me", headers={"Authorization": f"Bearer {old_token}"})
    body = assert_problem(stale, 401, "invalid_token")
    assert "password has changed" in body["detail"]
    fresh = gf.client.post("/api/v1/auth/token", json={"username": "alice", "password": "a brand new passphrase"})
    me = gf.client.get("/api/v1/me", headers={"Authorization": f"Bearer {fresh.get_json()['access_token']}"})
    assert me.status_code == 200 and me.get_json()["username"] == "alice"
