"""A visitor of the pages through Flask's test client: a cookie jar, the CSRF token read from the page as a
browser's form would send it, and the page's text."""
from __future__ import annotations

import html
import re

from tests.support.settings import PASSWORD

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Visitor:
    def __init__(self, app, accept_language: str | None = None):
        self.client = app.test_client()
        self.headers = {"Accept-Language": accept_language} if accept_language else {}

    def get(self, path: str, **kw):
        return self.client.get(path, headers=self.headers, **kw)

    def csrf_token(self, page: str = "/sign-in") -> str:
        found = _CSRF.search(self.get(page, follow_redirects=True).get_data(as_text=True))
        assert found, f"no CSRF token on {page}"
        return found.group(1)

    def submit(self, path: str, data: dict, *, from_page: str = "/sign-in", **kw):
        """A form as the page sends it, with the page's CSRF token."""
        return self.client.post(path, data={"csrf_token": self.csrf_token(from_page), **data}, headers=self.headers,
                                **kw)

    def sign_in(self, username: str, password: str = PASSWORD, **kw):
        return self.submit("/sign-in", {"username": username, "password": password}, **kw)

    def sign_out(self):
        return self.submit("/sign-out", {}, from_page="/")

    def choose(self, language: str, next_: str = "/"):
        return self.submit("/language", {"language": language, "next": next_}, from_page="/sign-in")

    def cookie(self, name: str):
        return self.client.get_cookie(name)


def text(response) -> str:
    """The page's visible text, roughly: tags dropped, entities decoded, blanks collapsed."""
    return text_of(re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S))


def text_of(fragment: str) -> str:
    """A fragment of a page's visible text, as `text` reads a page."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def input_named(body: str, name: str, id_: str | None = None) -> str:
    """The <input> tag of the field `name` (with that id, when several share the name)."""
    for tag in re.findall(r"<input\b[^>]*>", body):
        if f'name="{name}"' in tag and (id_ is None or f'id="{id_}"' in tag):
            return tag
    raise AssertionError(f"no input named {name}")
