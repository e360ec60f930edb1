"""An accessibility check of the main pages in a real browser (Debian's chromium, Playwright) against
`gradeflow serve` over the demo, in Chinese: axe-core (tests/web/vendor/, test-only) runs inside each page with
the WCAG 2.1 A and AA rules, and a serious or critical violation fails the test (a form control without a
label, text whose colour contrast is below AA, ...); each page has its banner, navigation and main landmarks;
and pressing Tab from the top of the page reaches the page's primary action.

The pages: my work, apply, the case page, a review page, the scoring sheet, the cycles and a cycle's page, and a
cycle's publication board."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
MAX_TABS = 60


def _sign_in(page, username: str):
    page.context.clear_cookies()
    page.goto(page.base + "/sign-in")
    page.locator("#username").fill(username)
    page.locator("#password").fill(page.logins[username])
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    page.wait_for_url(page.base + "/")


def _violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA)["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] if isinstance(n["target"][0], str)
                                                                     else str(n["target"]) for n in v["nodes"][:5])
            for v in found if v["impact"] in BLOCKING]


def _tab_reaches(page, primary: str) -> bool:
    """Tab from the top of the page until the primary action has the focus (or MAX_TABS presses)."""
    target = page.locator(primary).first
    target.evaluate("e => e.setAttribute('data-a11y-primary', '')")
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    page.locator("body").focus()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.hasAttribute('data-a11y-primary')"):
            return True
    return False


def _check(page, what: str, primary: str, shots=None) -> list[str]:
    problems = [f"{what}: {v}" for v in _violations(page)]
    for landmark in ("header", "nav", "main"):
        if page.locator(landmark).count() == 0:
            problems.append(f"{what}: no <{landmark}> landmark")
    if not _tab_reaches(page, primary):
        problems.append(f"{what}: Tab does not reach the primary action {primary!r}")
    return problems


def test_the_main_pages_pass_axe_have_landmarks_and_reach_their_primary_action_by_keyboard(zh_page):
    page, problems = zh_page, []
    page.set_default_timeout(10_000)

    _sign_in(page, "liuyang")
    problems += _check(page, "my work (nothing waiting)", "nav.main-nav a")
    page.goto(page.base + "/apply")
    problems += _check(page, "apply", "form button[type=submit]:has-text('提交申请')")
    page.locator("#statement").fill("申请晋升中级客户经理。")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r".*/cases/\d+$"))
    case_id = int(page.url.rsplit("/", 1)[1])
    problems += _check(page, "case page", "details.event-form summary")

    _sign_in(page, "liqiang")
    problems += _check(page, "my work", f"[data-testid=act-{case_id}]")
    page.goto(page.base + f"/review/{case_id}")
    problems += _check(page, "review", "button[type=submit]:has-text('提交决定')")
    page.get_by_label("材料审核通过").check()
    page.get_by_label("上级评分").fill("85")
    page.get_by_role("button", name="提交决定").click()  # to the interview: the scoring sheet has a form
    page.wait_for_url(page.base + "/review")

    _sign_in(page, "committee.qian")
    page.goto(page.base + "/scoring")
    sheet = page.locator("main a[href*='/scoring']").first.get_attribute("href")
    page.goto(page.base + sheet)
    problems += _check(page, "scoring sheet", "main form button[type=submit]")

    _sign_in(page, "hr.chen")
    page.goto(page.base + "/cycles")
    problems += _check(page, "cycles", "button[type=submit]:has-text('开启评审批次')")
    code = page.get_by_test_id("cycles").locator("tbody tr a").first.get_attribute("href").rsplit("/", 1)[1]
    page.goto(page.base + f"/cycles/{code}")
    problems += _check(page, "cycle", "main details summary")  # the decision waits on the interview
    page.goto(page.base + f"/cycles/{code}/board")
    problems += _check(page, "board", "main a, main button")
    page.goto(page.base + "/imports")
    problems += _check(page, "imports", "form[action='/imports'] button[type=submit]")
    page.goto(page.base + "/substitutes")
    problems += _check(page, "substitutes", "button[type=submit]:has-text('指定代理人')")

    assert not problems, "\n".join(problems)
