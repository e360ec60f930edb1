"""The pages on a phone (390 × 844) in a real browser (Debian's chromium, Playwright) against `gradeflow serve` over
the demo: no page is wider than the screen (a wide table scrolls in its own box; a long word typed without spaces
breaks), and every entry of the header keeps its words on one line, in Chinese and in English (a narrow header
once stacked 退/出/登/录 one character a line, and the English navigation made every page 1,020 px wide)."""
from __future__ import annotations

import pytest

from tests.support.browser import Api, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
HR_PAGES = ("/", "/managers", "/managers/M2003/file", "/cycles", "/cycles/2026-H2", "/calendar", "/quarter-close",
            "/appeals", "/users", "/imports", "/outbox")
UNBROKEN = "材料" + "x" * 600  # a statement typed without a space


@pytest.fixture(params=["zh-CN", "en"])
def phone(request, browser, demo_server):
    context = browser.new_context(locale=request.param, viewport=PHONE)
    opened = context.new_page()
    opened.base, opened.logins = demo_server
    yield opened
    context.close()


def _too_wide(page) -> int | None:
    """The page's width when it is wider than the screen, else None."""
    width = page.evaluate("document.documentElement.scrollWidth")
    return width if width > PHONE["width"] else None


def _header_entries_on_more_than_one_line(page) -> list[str]:
    return page.evaluate("""() => [...document.querySelectorAll('header a, header button, header label')]
        .filter(e => { const r = document.createRange(); r.selectNodeContents(e);
                       const tops = new Set([...r.getClientRects()].map(x => Math.round(x.top)));
                       return tops.size > 1; })
        .map(e => e.textContent.trim())""")


def test_hr_pages_fit_a_phone_and_the_header_keeps_each_entry_on_one_line(phone):
    sign_in(phone, "hr.chen", phone.logins["hr.chen"])
    problems = []
    for path in HR_PAGES:
        phone.goto(phone.base + path)
        if width := _too_wide(phone):
            problems.append(f"{path}: {width} px wide")
        if broken := _header_entries_on_more_than_one_line(phone):
            problems.append(f"{path}: header entries on more than one line: {broken}")
    assert not problems, problems


def test_a_long_word_typed_by_an_applicant_breaks_on_every_page_that_shows_it(phone, demo_server):
    base, logins = demo_server
    api = Api(base, logins)
    case = api("POST", "/cases", "liuyang", {"kind": "promotion", "cycle": "2026-H2", "target_grade": "mid",
                                             "statement": UNBROKEN})
    try:
        for username, path in (("liuyang", f"/cases/{case['id']}"), ("liqiang", f"/review/{case['id']}"),
                               ("hr.chen", f"/cases/{case['id']}")):
            phone.context.clear_cookies()
            sign_in(phone, username, logins[username])
            phone.goto(phone.base + path)
            assert phone.get_by_text(UNBROKEN[:20]).count() >= 1, (username, path)
            assert _too_wide(phone) is None, (username, path)
    finally:
        api("POST", f"/cases/{case['id']}/events", "liuyang", {"event": "withdraw"})
