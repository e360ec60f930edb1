"""The pages in a real browser: Debian's chromium driven by Playwright, against `gradeflow serve` with its
default flags over the demo's data (tests/web/conftest.py). Each test saves a screenshot of the pages it
visits into GRADEFLOW_SCREENSHOTS (docs/screenshots/ holds the ones the README shows), else into a temporary
folder.

Run them alone: `.venv/bin/python -m pytest tests/web/test_browser.py` (scripts/install-browser installs the
browser first when it is missing)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.browser import answer_dialog

pytestmark = pytest.mark.browser

CHAIR = "committee.qian"  # chairs the demo's cycle, whose two applications wait for its decision
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("GRADEFLOW_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(browser, demo_server):
    """A page of a fresh browser context (no cookies), in Chinese, that fails the test on any dialog but a form's
    confirmation (an alert() an XSS attempt would open) and on any error in the page's scripts."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    opened = context.new_page()
    problems = []
    opened.confirmed, opened.declining = [], False
    opened.on("dialog", lambda dialog: answer_dialog(opened, dialog, problems))
    opened.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    opened.base = demo_server[0]
    yield opened
    context.close()
    assert not problems, problems


def _go(page, path: str):
    return page.goto(page.base + path)


def _sign_in(page, username: str, password: str):
    page.get_by_label("用户名" if page.locator("html").get_attribute("lang") == "zh-CN" else "Username").fill(username)
    page.locator("#password").fill(password)
    page.locator("form[action='/sign-in'] button[type=submit]").click()


def test_a_manager_signs_in_in_chinese_sees_my_work_switches_to_english_and_signs_out(page, demo_server, shots):
    logins = demo_server[1]
    _go(page, "/")
    assert page.url == page.base + "/sign-in?next=/"
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "登录"
    demo = page.locator("section.demo-logins")
    assert demo.locator("h2").inner_text() == "演示账户"
    assert demo.locator("tr", has_text=CHAIR).locator("td").first.inner_text() == logins[CHAIR]
    page.screenshot(path=shots / "sign-in.zh-CN.png", full_page=True)

    _sign_in(page, CHAIR, logins[CHAIR])
    page.wait_for_url(page.base + "/")
    assert page.locator("h1").inner_text() == "我的工作"
    assert page.get_by_test_id("username").inner_text() == CHAIR
    rows = page.get_by_test_id("my-work").locator("tbody tr")
    assert rows.count() == 2
    assert "评议中" in rows.first.inner_text() and "评议并作出决定" in rows.first.inner_text()
    assert "初级客户经理 → 中级客户经理" in rows.first.inner_text()
    assert page.locator("nav.main-nav a[aria-current=page]").inner_text() == "我的工作"
    page.screenshot(path=shots / "my-work.zh-CN.png", full_page=True)

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.url == page.base + "/"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "My work"
    assert "Junior customer manager → Mid-level customer manager" in rows.first.inner_text()
    assert "Deliberation" in rows.first.inner_text()
    page.screenshot(path=shots / "my-work.en.png", full_page=True)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(page.base + "/sign-in")
    assert "You have signed out." in page.locator("main").inner_text()
    assert page.locator("html").get_attribute("lang") == "en"  # the choice is remembered
    _go(page, "/")
    assert page.url.startswith(page.base + "/sign-in")
    _sign_in(page, CHAIR, logins[CHAIR])  # the choice is the user's: English again once signed in
    page.wait_for_url(page.base + "/")
    assert page.locator("h1").inner_text() == "My work"
    page.get_by_role("button", name="中文").click()  # and back to Chinese, as the tests below expect
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "我的工作"


def test_a_wrong_password_is_told_next_to_the_field_and_the_username_stays(page, shots):
    _go(page, "/sign-in")
    _sign_in(page, CHAIR, "not the password at all")
    error = page.get_by_test_id("password-error")
    assert error.inner_text() == "用户名或密码不正确。"
    assert page.locator("#password").get_attribute("aria-describedby") == "password-error"
    assert page.locator("#password").get_attribute("aria-invalid") == "true"
    assert page.locator("#username").input_value() == CHAIR
    assert page.locator("#password").input_value() == ""
    page.screenshot(path=shots / "sign-in-wrong-password.zh-CN.png", full_page=True)


def test_markup_typed_as_a_username_is_shown_as_text(page, shots):
    _go(page, "/sign-in")
    _sign_in(page, SCRIPT, "whatever password")
    assert page.locator("#username").input_value() == SCRIPT
    assert page.locator("img[src=x]").count() == 0
    assert page.get_by_test_id("password-error").inner_text() == "用户名或密码不正确。"
    page.screenshot(path=shots / "sign-in-markup.zh-CN.png", full_page=True)


def test_a_post_without_the_csrf_token_is_refused(page, demo_server):
    logins = demo_server[1]
    _go(page, "/sign-in")
    _sign_in(page, CHAIR, logins[CHAIR])
    page.wait_for_url(page.base + "/")
    refused = page.request.post(page.base + "/sign-out", form={"anything": "1"})  # the browser's own cookies
    assert refused.status == 400
    assert "表单不是从本站提交的" in refused.text()
    _go(page, "/")
    assert page.locator("h1").inner_text() == "我的工作"  # still signed in


def test_an_unknown_page_is_a_page_in_the_users_language(page, shots):
    response = _go(page, "/no-such-page")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "页面不存在"
    page.screenshot(path=shots / "not-found.zh-CN.png", full_page=True)


def test_the_sign_in_page_is_usable_from_the_keyboard(page, demo_server):
    logins = demo_server[1]
    _go(page, "/sign-in")
    assert page.evaluate("document.activeElement.id") == "username"  # the form takes the focus
    page.keyboard.type(CHAIR)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(logins[CHAIR])
    page.keyboard.press("Enter")
    page.wait_for_url(page.base + "/")
    page.keyboard.press("Tab")  # the first stop of a page is the skip link
    assert page.evaluate("document.activeElement.className") == "skip-link"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_every_field_has_a_label_and_every_page_its_landmarks(page, demo_server):
    logins = demo_server[1]
    for path in ("/sign-in", "/"):
        if path == "/":
            _sign_in(page, CHAIR, logins[CHAIR])
            page.wait_for_url(page.base + "/")
        else:
            _go(page, path)
        unlabelled = page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')).map(el => el.name)""")
        assert unlabelled == [], (path, unlabelled)
        assert page.locator("main#main").count() == 1 and page.locator("header").count() >= 1
        assert page.locator("h1").count() == 1
        unnamed = page.evaluate("""() => [...document.querySelectorAll('button')]
            .filter(b => !b.innerText.trim() && !b.getAttribute('aria-label')).length""")
        assert unnamed == 0, path


def test_english_by_accept_language(browser, demo_server, shots):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(demo_server[0] + "/sign-in")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Sign in"
    assert page.locator("section.demo-logins h2").inner_text() == "Demo logins"
    page.screenshot(path=shots / "sign-in.en.png", full_page=True)
    context.close()
