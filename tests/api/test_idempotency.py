"""Idempotency-Key on POST (api.md): a repeat with the same key returns the first response and changes
nothing; the response is stored in the transaction of the change it reports."""
from __future__ import annotations

import pytest

from models import Case, IdempotentRequest, db
from tests.support.committee_world import appoint, case_in_interview, committee_org
from tests.support.threads import at_once
from tests.support.world import one_submitted_case

KEY = "0b6f7c1e-6a39-4c55-9a1d-2d8f3f1f5b11"
APPROVE = {"event": "approve_materials", "supervisor_score": 80}


def _approve(gf, case_id: int, key: str | None = KEY, body: dict = APPROVE, as_: str = "s001"):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return gf.post(f"/cases/{case_id}/events", as_=as_, json=body, headers=headers)


def _state(gf, case_id: int) -> tuple[str, int, int]:
    case = gf.case(case_id, as_="hr1")
    return case["state"], case["version"], len(gf.history(case_id, as_="hr1"))


def _stored(gf) -> int:
    with gf.app.app_context():
        return db.session.query(IdempotentRequest).count()


def test_a_repeated_post_with_the_same_key_returns_the_first_response_and_changes_nothing(gf):
    case_id = one_submitted_case(gf)
    first = _approve(gf, case_id)
    assert first.status_code == 200, first.get_json()
    after_first = _state(gf, case_id)

    repeat = _approve(gf, case_id)

    assert repeat.status_code == 200
    assert repeat.get_json() == first.get_json()
    assert repeat.headers["Idempotent-Replayed"] == "true"
    assert repeat.headers["ETag"] == first.headers["ETag"]
    assert "Idempotent-Replayed" not in first.headers
    assert _state(gf, case_id) == after_first


def test_a_repeated_submission_with_the_same_key_opens_one_case(gf):
    case_id = one_submitted_case(gf)
    gf.manager("E002", "junior", supervisor="S001", login=True)
    gf.performance("E002", "2025", "90")
    body = {"cycle": "C1", "target_grade": "mid", "statement": "apply"}
    headers = {"Idempotency-Key": "submit-e002-1"}
    first = gf.post("/cases", as_="e002", json=body, headers=headers)
    repeat = gf.post("/cases", as_="e002", json=body, headers=headers)
    assert first.status_code == repeat.status_code == 201, first.get_json()
    assert repeat.get_json() == first.get_json()
    assert repeat.headers.get("Location") == first.headers.get("Location")
    with gf.app.app_context():
        assert db.session.query(Case).filter(Case.id != case_id).count() == 1


def test_without_a_key_a_repeated_event_is_judged_again(gf):
    case_id = one_submitted_case(gf)
    assert _approve(gf, case_id, key=None).status_code == 200
    assert _approve(gf, case_id, key=None).status_code == 409
    assert _stored(gf) == 0


def test_a_key_sent_again_with_another_body_is_refused_naming_the_header(gf):
    case_id = one_submitted_case(gf)
    assert _approve(gf, case_id).status_code == 200
    before = _state(gf, case_id)

    other = _approve(gf, case_id, body={"event": "return_materials", "comment": "redo"})

    assert other.status_code == 422
    [error] = other.get_json()["errors"]
    assert error["field"] == "Idempotency-Key"
    assert error["rule"] == "reused_for_another_request"
    assert error["location"] == "header"
    assert _state(gf, case_id) == before


def test_a_key_sent_again_on_another_path_is_refused(gf):
    case_id = one_submitted_case(gf)
    assert _approve(gf, case_id).status_code == 200
    response = gf.post(f"/cases/{case_id}/recusal", as_="cm2", json={"reason": "friend"},
                       headers={"Idempotency-Key": KEY})
    # the key belongs to s001: cm2's same key is a key of their own
    assert "Idempotent-Replayed" not in response.headers
    assert "Idempotency-Key" not in [e["field"] for e in response.get_json().get("errors", [])]
    again = gf.post(f"/cases/{case_id}/appeal", as_="s001", json={"reason": "x"}, headers={"Idempotency-Key": KEY})
    assert again.status_code == 422
    assert again.get_json()["errors"][0]["rule"] == "reused_for_another_request"


def test_a_json_body_is_compared_by_content_not_by_spacing_or_key_order(gf):
    case_id = one_submitted_case(gf)
    first = gf.post(f"/cases/{case_id}/events", as_="s001", headers={"Idempotency-Key": KEY},
                    data='{"event": "approve_materials", "supervisor_score": 80}', content_type="application/json")
    repeat = gf.post(f"/cases/{case_id}/events", as_="s001", headers={"Idempotency-Key": KEY},
                     data='{"supervisor_score":80,"event":"approve_materials"}', content_type="application/json")
    assert first.status_code == 200
    assert repeat.status_code == 200 and repeat.headers["Idempotent-Replayed"] == "true"


def test_two_users_with_the_same_key_do_not_meet(gf):
    case_id = one_submitted_case(gf)
    gf.manager("E002", "junior", supervisor="S001", login=True)
    gf.performance("E002", "2025", "90")
    assert _approve(gf, case_id).status_code == 200
    response = gf.post("/cases", as_="e002", json={"cycle": "C1", "target_grade": "mid", "statement": "apply"},
                       headers={"Idempotency-Key": KEY})
    assert response.status_code == 201, response.get_json()
    assert "Idempotent-Replayed" not in response.headers
    assert _stored(gf) == 2


def test_an_error_response_is_not_kept_and_a_repeat_is_judged_again(gf):
    case_id = one_submitted_case(gf)
    refused = _approve(gf, case_id, body={"event": "approve_materials", "supervisor_score": 101})
    assert refused.status_code == 422
    assert _stored(gf) == 0
    assert _approve(gf, case_id, body={"event": "approve_materials", "supervisor_score": 101}).status_code == 422
    # the corrected request may use the same key: nothing was done under it
    fixed = _approve(gf, case_id)
    assert fixed.status_code == 200, fixed.get_json()
    assert _stored(gf) == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "with space", "中文"])
def test_a_malformed_key_is_refused_naming_the_header_and_nothing_changes(gf, key):
    case_id = one_submitted_case(gf)
    before = _state(gf, case_id)
    response = gf.post(f"/cases/{case_id}/events", as_="s001", json=APPROVE,
                       headers={"Idempotency-Key": key.encode().decode("latin-1")})
    assert response.status_code == 422
    [error] = response.get_json()["errors"]
    assert (error["field"], error["rule"], error["location"]) == ("Idempotency-Key", "format", "header")
    assert _state(gf, case_id) == before


def test_sign_in_ignores_the_key_so_a_stored_token_is_never_handed_out(gf):
    gf.user("hr1", "hr")
    headers = {"Idempotency-Key": KEY}
    first = gf.client.post("/api/v1/auth/token", json={"username": "hr1", "password": "wrong password"},
                           headers=headers)
    assert first.status_code == 401
    assert _stored(gf) == 0


def test_a_stranger_cannot_replay_someone_elses_response(gf):
    case_id = one_submitted_case(gf)
    assert _approve(gf, case_id).status_code == 200
    response = gf.client.post(f"/api/v1/cases/{case_id}/events", json=APPROVE, headers={"Idempotency-Key": KEY})
    assert response.status_code == 401
    assert "Idempotent-Replayed" not in response.headers


def test_the_response_is_stored_in_the_transaction_of_the_change(gf, monkeypatch):
    """If storing the response fails, the change it reports is not committed either."""
    case_id = one_submitted_case(gf)
    before = _state(gf, case_id)

    def broken_clock():
        raise RuntimeError("the response could not be stored")
    monkeypatch.setattr("api.idempotency.rules", broken_clock)
    failed = _approve(gf, case_id)
    monkeypatch.undo()

    assert failed.status_code == 500
    assert _state(gf, case_id) == before
    assert _stored(gf) == 0
    assert _approve(gf, case_id).status_code == 200  # the retry does the work, once


def test_the_same_request_sent_many_times_at_once_is_done_once_and_every_sender_gets_its_response(gf):
    case_id = one_submitted_case(gf)
    token = gf.token("s001")
    before_history = len(gf.history(case_id, as_="hr1"))
    version = gf.case(case_id, as_="hr1")["version"]

    def approve():
        return gf.app.test_client().post(
            f"/api/v1/cases/{case_id}/events", json=APPROVE,
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": KEY})

    responses = at_once([approve] * 8)

    assert [r.status_code for r in responses] == [200] * 8, [r.get_json() for r in responses]
    assert len({r.get_data() for r in responses}) == 1
    assert sum("Idempotent-Replayed" not in r.headers for r in responses) == 1
    assert len(gf.history(case_id, as_="hr1")) == before_history + 1
    assert gf.case(case_id, as_="hr1")["version"] == version + 1


def test_the_openapi_document_offers_the_key_on_every_post_but_sign_in(gf):
    paths = gf.client.get("/api/v1/openapi.json").get_json()["paths"]
    posts = {path: ops["post"] for path, ops in paths.items() if "post" in ops}
    offering = {path for path, post in posts.items()
                if any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in post.get("parameters", []))}
    assert offering == set(posts) - {"/api/v1/auth/token"}


@pytest.mark.parametrize("key", [None, "recusal-1"])
def test_a_keyed_post_answers_what_the_same_post_without_a_key_answers(gf, key):
    """The keyed request commits after its answer is built; the answer is still read from the database,
    so a list keeps its order (recusals by member) exactly as a GET right after shows it."""
    committee_org(gf)
    appoint(gf, "chair1", "s001", "cm1", "cm2", "cm3")  # s001 is recused as e001's line manager
    case_id = case_in_interview(gf)
    headers = {"Idempotency-Key": key} if key else {}
    response = gf.post(f"/cases/{case_id}/recusal", as_="cm1", json={}, headers=headers)
    assert response.status_code == 200, response.get_json()
    posted = [r["member"] for r in response.get_json()["interview"]["recusals"]]
    fetched = [r["member"] for r in gf.get(f"/cases/{case_id}", as_="hr1").get_json()["interview"]["recusals"]]
    assert posted == fetched == ["cm1", "s001"]


def test_a_keyed_post_on_a_long_url_is_stored(gf):
    """The stored path is the route's; the query string (here 2,100 bare '&') is part of the fingerprint."""
    one_submitted_case(gf)
    path = "/cycles?" + "&" * 2100
    response = gf.post(path, as_="hr1", json={"code": "C9", "name": "x"}, headers={"Idempotency-Key": "long-1"})
    assert response.status_code == 201, response.get_json()
    repeat = gf.post(path, as_="hr1", json={"code": "C9", "name": "x"}, headers={"Idempotency-Key": "long-1"})
    assert (repeat.status_code, repeat.headers.get("Idempotent-Replayed")) == (201, "true")
