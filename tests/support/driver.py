"""`Driver`: the API driven through the Flask test client as named users, each with a token issued once; people
are created through the real use cases (no rows written behind the service's back)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.support.answers import ok
from tests.support.settings import PASSWORD


class Driver:
    """Drives the API as named users; creates people through the real use cases."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self._tokens: dict[str, str] = {}

    # --- people -------------------------------------------------------------------
    def user(self, username: str, *roles: str, employee_no: str | None = None, password: str = PASSWORD) -> str:
        from api.context import extension, rules, uow
        from workflow.services.accounts import OPERATOR, create_user
        with self.app.app_context():
            with uow() as u:
                create_user(u, rules(), extension("passwords"), OPERATOR, username=username, password=password,
                            roles=roles, employee_no=employee_no)
        return username

    def manager(self, employee_no: str, grade: str = "junior", *, supervisor: str | None = None,
                org_unit: str = "北京分行", grade_since: date = date(2025, 1, 1), hire_date: date | None = None,
                name: str | None = None, login: bool = False, roles: tuple[str, ...] = ("employee",)) -> str:
        from api.context import rules, uow
        from workflow.services.accounts import OPERATOR
        from workflow.services.managers import register_manager
        with self.app.app_context():
            with uow() as u:
                register_manager(u, rules(), OPERATOR, employee_no=employee_no, name=name or f"经理{employee_no}",
                                 org_unit=org_unit, grade=grade, grade_since=grade_since,
                                 hire_date=hire_date or grade_since, supervisor=supervisor)
        if login:
            self.user(employee_no.lower(), *roles, employee_no=employee_no)
        return employee_no

    def performance(self, employee_no: str, period: str, score: str, months_worked: int = 12,
                    violation: bool = False) -> None:
        from api.context import rules, uow
        from workflow.services.accounts import OPERATOR
        from workflow.services.managers import record_performance
        with self.app.app_context():
            with uow() as u:
                record_performance(u, rules(), OPERATOR, employee_no, period, score=Decimal(score),
                                   months_worked=months_worked, violation=violation)

    # --- requests -----------------------------------------------------------------
    def token(self, username: str) -> str:
        """A bearer token for `username`, issued as POST /auth/token issues it once the password is checked. The
        sign-in itself is tested where it is the subject (tests/api/test_auth.py, the throttling tests); a
        sign-in per user and test cost the API tests a sixth of their time."""
        if username not in self._tokens:
            from api.context import extension, uow
            with self.app.app_context():
                with uow() as u:
                    user = u.users.by_username(username)
                    assert user is not None, f"no user {username!r}"
                    self._tokens[username] = extension("tokens").issue(user.id, user.password_hash)
        return self._tokens[username]

    def request(self, method: str, path: str, as_: str | None = None, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if as_ is not None:
            headers["Authorization"] = f"Bearer {self.token(as_)}"
        return self.client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    def case(self, case_id: int, as_: str) -> dict:
        """GET /cases/{id} as `as_`, which must succeed."""
        return ok(self.get(f"/cases/{case_id}", as_=as_))

    def history(self, case_id: int, as_: str) -> list[dict]:
        """GET /cases/{id}/history as `as_`, which must succeed."""
        return ok(self.get(f"/cases/{case_id}/history", as_=as_))

    def get(self, path, as_=None, **kw):
        return self.request("GET", path, as_, **kw)

    def post(self, path, as_=None, **kw):
        return self.request("POST", path, as_, **kw)

    def put(self, path, as_=None, **kw):
        return self.request("PUT", path, as_, **kw)

    def patch(self, path, as_=None, **kw):
        return self.request("PATCH", path, as_, **kw)

    def delete(self, path, as_=None, **kw):
        return self.request("DELETE", path, as_, **kw)
