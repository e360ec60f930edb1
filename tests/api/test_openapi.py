"""The OpenAPI document and the browsable docs, served without any outside resource (issue 2)."""
from __future__ import annotations

import re

import pytest

CONTRACT_PATHS = {
    "/api/v1/auth/token": {"post"},
    "/api/v1/me": {"get"},
    "/api/v1/me/password": {"put"},
    "/api/v1/users": {"get", "post"},
    "/api/v1/users/{username}": {"get", "patch"},
    "/api/v1/managers": {"get", "post"},
    "/api/v1/managers/{employee_no}": {"get"},
    "/api/v1/managers/{employee_no}/grade-history": {"get"},
    "/api/v1/managers/{employee_no}/performance/{period}": {"put"},
    "/api/v1/clock": {"get", "put"},
    "/api/v1/cycles": {"post"},
    "/api/v1/cycles/{code}/committee": {"put"},
    "/api/v1/cycles/{code}/decide": {"post"},
    "/api/v1/cycles/{code}/publish": {"post"},
    "/api/v1/cycles/{code}/publication": {"get"},
    "/api/v1/cases": {"get", "post"},
    "/api/v1/cases/{case_id}": {"get"},
    "/api/v1/cases/{case_id}/events": {"post"},
    "/api/v1/cases/{case_id}/score": {"put"},
    "/api/v1/cases/{case_id}/recusal": {"post"},
    "/api/v1/cases/{case_id}/appeal": {"post"},
    "/api/v1/cases/{case_id}/history": {"get"},
    "/api/v1/calendar/days": {"get"},
    "/api/v1/calendar/days/{day}": {"put"},
    "/api/v1/evaluations/{period}/close": {"post"},
}
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture
def spec(app):
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def resolve(spec: dict, node):
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        target = spec
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            assert isinstance(target, dict) and part in target, f"unresolvable $ref {ref}"
            target = target[part]
        node = target
    return node


def refs_in(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs_in(value)


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, item, operation


def schema_properties(spec, schema) -> dict:
    return resolve(spec, schema).get("properties", {})


def response_schema(spec, operation, status: str) -> dict:
    response = resolve(spec, operation["responses"][status])
    return response["content"]["application/json"]["schema"]


# --- the document ----------------------------------------------------------------------------

def test_openapi_document_is_valid_openapi_3(spec):
    assert re.fullmatch(r"3\.\d+\.\d+", spec["openapi"]), spec.get("openapi")
    assert spec["info"]["title"] == "gradeflow" and isinstance(spec["info"]["version"], str)
    assert isinstance(spec["paths"], dict) and spec["paths"]
    # every reference resolves inside the document
    for ref in refs_in(spec):
        resolve(spec, {"$ref": ref})
    operation_ids = []
    for path, method, item, operation in operations(spec):
        assert path.startswith("/"), path
        responses = operation["responses"]
        assert responses, (path, method)
        for status, response in responses.items():
            assert status == "default" or re.fullmatch(r"[1-5](\d\d|XX)", status), (path, method, status)
            assert "description" in resolve(spec, response), (path, method, status)
        # every templated path parameter is declared, in: path, required
        declared = {p["name"]: p for p in map(lambda p: resolve(spec, p),
                                              item.get("parameters", []) + operation.get("parameters", []))
                    if p["in"] == "path"}
        for name in re.findall(r"{([^}]+)}", path):
            assert name in declared and declared[name]["required"] is True, (path, method, name)
        if "operationId" in operation:
            operation_ids.append(operation["operationId"])
        for requirement in operation.get("security", []):
            assert set(requirement) <= set(spec["components"]["securitySchemes"]), (path, method)
    assert len(operation_ids) == len(set(operation_ids))
    for requirement in spec.get("security", []):
        assert set(requirement) <= set(spec["components"]["securitySchemes"])


def test_openapi_lists_the_contract_paths(spec):
    for path, methods in CONTRACT_PATHS.items():
        assert path in spec["paths"], f"{path} missing from {sorted(spec['paths'])}"
        documented = set(spec["paths"][path]) & METHODS
        assert methods <= documented, (path, documented)


def test_openapi_declares_bearer_security(spec):
    schemes = spec["components"]["securitySchemes"]
    bearer = [name for name, scheme in schemes.items()
              if scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "bearer"]
    assert bearer, schemes
    # bearer is the default for every operation; signing in needs none
    assert any(set(requirement) & set(bearer) for requirement in spec["security"]), spec["security"]
    assert spec["paths"]["/api/v1/auth/token"]["post"]["security"] == []
    for path, method, _item, operation in operations(spec):
        if path != "/api/v1/auth/token":
            assert operation.get("security", spec["security"]) == spec["security"], (path, method)


def test_openapi_schemas_agree_with_the_contract(spec):
    paths = spec["paths"]
    token = paths["/api/v1/auth/token"]["post"]
    assert {"username", "password"} <= set(resolve(spec, token["requestBody"]["content"]["application/json"]["schema"])
                                           ["required"])
    assert {"access_token", "token_type", "expires_in"} <= set(schema_properties(spec, response_schema(spec, token, "200")))
    me = paths["/api/v1/me"]["get"]
    assert {"username", "roles", "employee_no"} <= set(schema_properties(spec, response_schema(spec, me, "200")))
    new_user = resolve(spec, paths["/api/v1/users"]["post"]["requestBody"]["content"]["application/json"]["schema"])
    assert {"username", "password", "roles", "employee_no"} <= set(new_user["properties"])
    assert {"username", "password", "roles"} <= set(new_user["required"])
    assert set(new_user["properties"]["roles"]["items"]["enum"]) == {"employee", "supervisor", "committee", "hr", "admin"}
    assert "201" in paths["/api/v1/users"]["post"]["responses"]
    users = paths["/api/v1/users"]["get"]
    assert "X-Total-Count" in resolve(spec, users["responses"]["200"]).get("headers", {}), users["responses"]["200"]
    clock = paths["/api/v1/clock"]
    assert {"now", "mode"} <= set(schema_properties(spec, response_schema(spec, clock["get"], "200")))
    move = resolve(spec, clock["put"]["requestBody"]["content"]["application/json"]["schema"])
    assert move["required"] == ["now"] and move["properties"]["now"]["format"] == "date-time"
    problem = resolve(spec, {"$ref": "#/components/schemas/Problem"})
    assert {"type", "title", "status", "detail", "code", "errors"} <= set(problem["properties"])


def test_openapi_case_schemas_carry_the_contract_fields(spec):
    paths = spec["paths"]
    case = schema_properties(spec, response_schema(spec, paths["/api/v1/cases/{case_id}"]["get"], "200"))
    assert {"id", "kind", "cycle", "employee_no", "applicant_name", "org_unit", "from_grade", "target_grade",
            "exceptional", "state", "outcome", "reasons", "supervisor_score", "interview_score", "performance_score",
            "final_score", "published_at", "appeal_deadline", "deadline_confirmed", "version", "available_events",
            "created_at", "updated_at"} <= set(case)
    event = resolve(spec, paths["/api/v1/cases/{case_id}/events"]["post"]["requestBody"]["content"]
                    ["application/json"]["schema"])
    assert {"event", "comment", "supervisor_score", "reason"} <= set(event["properties"])
    assert event["required"] == ["event"]
    new_case = resolve(spec, paths["/api/v1/cases"]["post"]["requestBody"]["content"]["application/json"]["schema"])
    assert {"kind", "cycle", "target_grade", "statement", "exceptional", "employee_no"} <= set(new_case["properties"])
    history = resolve(spec, response_schema(spec, paths["/api/v1/cases/{case_id}/history"]["get"], "200"))
    assert {"seq", "at", "actor", "event", "from_state", "to_state", "comment", "data"} <= set(
        schema_properties(spec, history["items"]))
    board = schema_properties(spec, response_schema(spec, paths["/api/v1/cycles/{code}/publication"]["get"], "200"))
    assert {"published_at", "appeal_deadline", "entries"} <= set(board)
    entry = schema_properties(spec, board["entries"]["items"])
    assert {"case_id", "employee_no", "name", "org_unit", "kind", "from_grade", "target_grade", "outcome"} <= set(entry)
    published = schema_properties(spec, response_schema(spec, paths["/api/v1/cycles/{code}/publish"]["post"], "200"))
    assert {"published_at", "appeal_deadline", "deadline_confirmed", "case_ids"} <= set(published)


def test_openapi_documents_errors_as_problem_json(spec):
    """Errors are application/problem+json; the document must say so, not application/json."""
    wrong = []
    for path, method, _item, operation in operations(spec):
        for status, response in operation["responses"].items():
            if status == "default" or status[0] in "45":
                content = resolve(spec, response).get("content", {})
                if set(content) != {"application/problem+json"}:
                    wrong.append((path, method, status, sorted(content)))
    assert not wrong, wrong[:10]


# --- the browsable docs ----------------------------------------------------------------------

def test_docs_page_is_html_using_local_swagger_ui_assets(app):
    response = app.test_client().get("/api/v1/docs")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in html
    assert "/api/v1/openapi.json" in html
    # nothing is fetched from another host (the docs work offline)
    external = re.findall(r"""(?:src|href)\s*=\s*["'](?:https?:)?//[^"']+""", html)
    assert not external, external


@pytest.mark.parametrize("asset, mimetypes", [
    ("swagger-ui-bundle.js", {"text/javascript", "application/javascript"}),
    ("swagger-ui-standalone-preset.js", {"text/javascript", "application/javascript"}),
    ("swagger-ui.css", {"text/css"}),
])
def test_swagger_ui_assets_are_served_locally(app, asset, mimetypes):
    response = app.test_client().get(f"/api/v1/docs/assets/{asset}")
    assert response.status_code == 200
    assert response.mimetype in mimetypes, response.mimetype
    assert len(response.data) > 1000
    if asset == "swagger-ui-bundle.js":
        assert b"SwaggerUIBundle" in response.data


def test_every_asset_the_docs_page_loads_is_served(app):
    client = app.test_client()
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assets = re.findall(r"""(?:src|href)\s*=\s*["'](/api/v1/docs/assets/[^"']+)""", html)
    assert assets, html
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
