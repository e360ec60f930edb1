"""What the browser tests share: the demo server's JSON API driven as its demo logins (the set-up a test needs
before it clicks), signing in through the sign-in page, and answering a page's dialogs."""
from __future__ import annotations

import json
import urllib.error
import urllib.request


class Api:
    def __init__(self, base: str, logins: dict):
        self.base, self.logins, self.tokens = base + "/api/v1", logins, {}

    def __call__(self, method: str, path: str, as_: str, body: dict | None = None) -> dict:
        if as_ not in self.tokens:
            self.tokens[as_] = self._send("POST", "/auth/token", None, {"username": as_,
                                                                        "password": self.logins[as_]})["access_token"]
        return self._send(method, path, self.tokens[as_], body)

    def _send(self, method, path, token, body):
        request = urllib.request.Request(self.base + path, method=method,
                                         data=None if body is None else json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json",
                                                  **({"Authorization": f"Bearer {token}"} if token else {})})
        try:
            with urllib.request.urlopen(request) as answer:
                return json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as refused:
            raise AssertionError(f"{method} {path}: {refused.code} {refused.read().decode()}") from None


def sign_in(page, username: str, password: str):
    page.goto(page.base + "/sign-in")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    page.wait_for_url(page.base + "/")


def answer_dialog(page, dialog, problems: list) -> None:
    """A form's confirmation (data-confirm) is kept in page.confirmed and accepted, or declined while
    page.declining; any other dialog (an alert() an XSS attempt would open) is dismissed and kept as a problem."""
    if dialog.type == "confirm":
        page.confirmed.append(dialog.message)
        dialog.dismiss() if page.declining else dialog.accept()
    else:
        problems.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()
