"""What an answer of the API must be: a success with the expected status (`ok`), or RFC 9457 problem
details with this status and code (`assert_problem`)."""
from __future__ import annotations


def ok(response, status: int = 200) -> dict:
    body = response.get_json()
    assert response.status_code == status, body
    return body


def assert_problem(response, status: int, code: str, field: str | None = None, rule: str | None = None) -> dict:
    """The response is RFC 9457 problem details with this status and code (and field/rule, if given)."""
    body = response.get_json()
    assert response.status_code == status, body
    assert response.mimetype == "application/problem+json"
    assert body["status"] == status and body["code"] == code, body
    assert body["title"] and body["type"] and body["detail"], body
    if field is not None:
        matching = [e for e in body.get("errors", []) if e["field"] == field]
        assert matching, f"no error names {field!r}: {body}"
        if rule is not None:
            assert rule in {e["rule"] for e in matching}, body
    return body
