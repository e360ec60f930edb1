"""Fixtures of the web page tests: a visitor of the pages (Flask's test client with cookies), and for the
browser tests (test_browser.py) the real server and Debian's chromium."""
from __future__ import annotations

import pytest

from tests.web.visitor import Visitor


@pytest.fixture
def visit(app):
    """visit(accept_language=None) → a new visitor with an empty cookie jar."""
    return lambda accept_language=None: Visitor(app, accept_language)
