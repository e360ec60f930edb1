"""The import page in a real browser (Debian's chromium, Playwright) against `gradeflow serve` over the demo: hr
downloads the roster template, uploads a roster with a bad row and reads each problem by row, column and rule in
Chinese with nothing written, checks the corrected file ("check only"), imports it, and imports it again to no
change (tests/web/test_accessibility_browser.py runs axe-core over the page). Screenshots go to
GRADEFLOW_SCREENSHOTS."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

HEADER = "工号,姓名,机构,等级,定级日期,入职日期,上级工号\n"
GOOD = HEADER + "M7001,周敏,城东支行,中级,2024-03-01,2020-07-01,\nM7002,吴磊,城东支行,初级,2025/3/1,2024-07-01,M7001\n"
BAD = GOOD.replace("初级,2025/3/1", "队长,2025/3/1").replace("M7001\n", "M7009\n")


def upload(page, content: str, *, check_only: bool = False) -> None:
    page.get_by_label("花名册（客户经理、机构、上级、等级、入职日期）").check()
    page.get_by_label("文件（.xlsx 或 .csv）").set_input_files(
        files=[{"name": "花名册.csv", "mimeType": "text/csv", "buffer": content.encode("utf-8")}])
    checkbox = page.get_by_label("仅检查，不写入")
    checkbox.check() if check_only else checkbox.uncheck()
    page.get_by_role("button", name="导入", exact=True).click()


def test_hr_downloads_the_template_sees_the_problems_checks_and_imports_a_roster(zh_page, shots):
    page = zh_page
    page.goto(page.base + "/sign-in")
    page.locator("#username").fill("hr.chen")
    page.locator("#password").fill(page.logins["hr.chen"])
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    page.wait_for_url(page.base + "/")
    page.get_by_role("link", name="导入", exact=True).first.click()
    page.wait_for_url(page.base + "/imports")

    with page.expect_download() as download:
        page.get_by_test_id("template-roster-csv").click()
    assert download.value.suggested_filename == "gradeflow-roster-template.csv"
    with open(download.value.path(), encoding="utf-8-sig") as template:
        assert template.readline().startswith("工号,姓名,机构,等级,定级日期,入职日期,上级工号")

    upload(page, BAD)
    problems = page.get_by_test_id("problems")
    problems.wait_for()
    assert "2 个问题：未导入任何内容" in problems.inner_text()
    grade = page.locator("tr[data-row='3'][data-rule='known_grade']")
    assert "等级" in grade.inner_text() and "等级不在本政策的等级序列中" in grade.inner_text()
    assert "上级工号不存在" in page.locator("tr[data-row='3'][data-rule='known_supervisor']").inner_text()
    page.screenshot(path=shots / "import-problems.zh-CN.png", full_page=True)

    upload(page, GOOD, check_only=True)
    page.get_by_test_id("outcome").wait_for()
    assert "检查完毕：没有问题，未写入任何内容" in page.get_by_test_id("outcome").inner_text()
    assert page.get_by_test_id("created").inner_text() == "2"

    upload(page, GOOD)
    page.get_by_test_id("outcome").filter(has_text="导入完成").wait_for()
    assert page.get_by_test_id("created").inner_text() == "2"
    page.screenshot(path=shots / "import-done.zh-CN.png", full_page=True)
    upload(page, GOOD)
    page.get_by_test_id("outcome").filter(has_text="导入完成").wait_for()
    assert (page.get_by_test_id("created").inner_text(), page.get_by_test_id("unchanged").inner_text()) == ("0", "2")

    page.goto(page.base + "/managers/M7002")
    assert "吴磊" in page.content()
