"""Fixtures of the web page tests: a visitor of the pages (Flask's test client with cookies), and for the
browser tests (test_browser.py) the real server and Debian's chromium."""
from __future__ import annotations

import pytest

from tests.support.world import organisation
from tests.web.visitor import Visitor


@pytest.fixture
def visit(app):
    """visit(accept_language=None) → a new visitor with an empty cookie jar."""
    return lambda accept_language=None: Visitor(app, accept_language)


@pytest.fixture
def signed(gf, visit):
    """The standard organisation (tests/support/world.py); signed(username) → a new visitor signed in as them."""
    organisation(gf)

    def as_(username):
        visitor = visit()
        assert visitor.sign_in(username).status_code == 302
        return visitor
    return as_


# --- the browser tests: the real server and Debian's chromium ------------------------------------------------

import os  # noqa: E402
import subprocess  # noqa: E402
from pathlib import Path  # noqa: E402

from tests.support.browser import answer_dialog  # noqa: E402
from tests.support.demo_server import serve_demo  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_BROWSER = Path(__file__).resolve().parents[2] / "scripts" / "install-browser"
REQUIRE_BROWSER = os.environ.get("GRADEFLOW_TEST_REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's chromium, installed by scripts/install-browser when missing. Where it cannot be installed the
    browser tests skip, saying why, unless GRADEFLOW_TEST_REQUIRE_BROWSER=1 (CI): then they fail."""
    why = None
    if not CHROMIUM.exists():
        result = subprocess.run([str(INSTALL_BROWSER)], capture_output=True, text=True, timeout=900)
        if result.returncode != 0 or not CHROMIUM.exists():
            why = f"no browser: {CHROMIUM} is missing and scripts/install-browser could not install it " \
                  f"({result.stderr.strip().splitlines()[-1:] or 'no message'})"
    if why is None:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            why = "no browser driver: the playwright package is not installed (pip install -e '.[test]')"
    if why is not None:
        if REQUIRE_BROWSER:
            pytest.fail(f"{why}; GRADEFLOW_TEST_REQUIRE_BROWSER=1 requires the browser tests to run")
        pytest.skip(why)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium), headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """`gradeflow serve` with its default flags on 127.0.0.1 and a free port, over a fresh SQLite file that
    `gradeflow db upgrade` and `gradeflow demo` prepared, in development mode (as `make run` starts it):
    (base URL, {username: password} of the demo logins)."""
    with serve_demo(tmp_path_factory.mktemp("demo-server")) as served:
        yield served


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    """Where a browser test saves its screenshots: GRADEFLOW_SCREENSHOTS (docs/screenshots), else a temporary
    folder."""
    folder = Path(os.environ.get("GRADEFLOW_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def zh_page(browser, demo_server):
    """A page of a fresh browser context (no cookies) in Chinese, with .base (the server's URL) and .logins, that
    fails the test on any dialog but a form's confirmation (an alert() an XSS attempt would open), and on any error
    in the page's scripts. A confirmation is accepted (declined while .declining), its words kept in .confirmed."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    problems = []
    opened.confirmed, opened.declining = [], False
    opened.on("dialog", lambda dialog: answer_dialog(opened, dialog, problems))
    opened.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    opened.base, opened.logins = demo_server
    yield opened
    context.close()
    assert not problems, problems
