"""The exports in a real browser (Debian's chromium, Playwright) against `gradeflow serve` over the demo's data: HR
decides and publishes the demo's cycle, downloads its decision list from the cycle page, prints the publication
notice (公示) and a personal file (一人一档) on A4 (page.pdf under the print stylesheet: no navigation, no buttons),
and reads the cycle's report with its charts. Screenshots and the PDFs go to GRADEFLOW_SCREENSHOTS."""
from __future__ import annotations

import io
import re

import openpyxl
import pytest

pytestmark = pytest.mark.browser

HR = "hr.chen"
A4_POINTS = (595, 842)  # an A4 page in PDF points, rounded


@pytest.fixture
def hr_page(zh_page):
    page = zh_page
    page.goto(page.base + "/sign-in")
    page.locator("#username").fill(HR)
    page.locator("#password").fill(page.logins[HR])
    page.locator("form[action='/sign-in'] button[type=submit]").click()
    page.wait_for_url(page.base + "/")
    return page


def _a4_pages(pdf: bytes) -> int:
    """The number of A4 pages (595 × 842 points, give or take one) of a PDF chromium printed, by their MediaBox."""
    assert pdf.startswith(b"%PDF")
    boxes = [(float(w), float(h)) for w, h in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)]
    assert boxes and all(abs(w - A4_POINTS[0]) < 1.5 and abs(h - A4_POINTS[1]) < 1.5 for w, h in boxes), boxes
    return len(boxes)


def test_hr_downloads_prints_and_reads_the_report_of_the_demo_cycle(hr_page, shots):
    page = hr_page
    page.goto(page.base + "/cycles")
    page.get_by_test_id("cycles").locator("tbody tr", has_text="客户经理等级评审").locator("a").click()
    page.wait_for_load_state()
    code = page.url.rsplit("/", 1)[1]
    page.get_by_test_id("decide-form").get_by_role("button").click()
    page.wait_for_url("**#result")
    page.get_by_test_id("publish-form").get_by_role("button").click()
    page.wait_for_url("**#publication")
    page.screenshot(path=shots / "export-cycle-links.zh-CN.png", full_page=False)

    with page.expect_download() as downloading:
        page.get_by_role("link", name="决定名单（.xlsx）").click()
    download = downloading.value
    assert download.suggested_filename == f"决定名单-{code}.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(download.path().read_bytes()))["决定名单"]
    assert [row[1] for row in sheet.iter_rows(min_row=4, values_only=True)] and sheet.freeze_panes == "A4"

    page.get_by_role("link", name="公示（可打印）").click()
    page.wait_for_url(f"**/cycles/{code}/board")
    assert "公示后3个工作日内提出申诉" in page.get_by_test_id("board-how-to-appeal").inner_text()
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible() and not page.get_by_role("button", name="打印").is_visible()
    page.screenshot(path=shots / "export-notice-print.zh-CN.png", full_page=True)
    pdf = page.pdf(path=shots / "export-notice.zh-CN.pdf", prefer_css_page_size=True, print_background=True)
    assert _a4_pages(pdf) >= 1
    page.emulate_media(media="screen")

    page.goto(page.base + f"/cycles/{code}")
    page.get_by_test_id("report-link").click()
    page.wait_for_url(f"**/cycles/{code}/report")
    funnel = page.get_by_test_id("funnel-chart")
    assert funnel.locator("rect").count() == 6
    assert funnel.locator("rect").first.get_attribute("data-value") == "2"
    assert page.get_by_test_id("quota-chart").is_visible()
    page.screenshot(path=shots / "export-report.zh-CN.png", full_page=True)

    page.goto(page.base + "/managers")
    page.get_by_test_id("roster").locator("tbody tr", has_text="吴军").locator("a").first.click()
    page.wait_for_load_state()
    page.get_by_role("link", name="一人一档（可打印）").click()
    page.wait_for_url("**/file")
    filed = page.get_by_test_id("personal-file")
    assert filed.locator("section.filed-case").count() == 1  # 吴军's promotion, with its history
    assert "提交申请" in filed.inner_text() and "公示" in filed.inner_text()
    page.emulate_media(media="print")
    page.screenshot(path=shots / "export-personal-file-print.zh-CN.png", full_page=True)
    pdf = page.pdf(path=shots / "export-personal-file.zh-CN.pdf", prefer_css_page_size=True)
    assert _a4_pages(pdf) >= 1
