"""The exports on the pages (issue 16): the downloads behind the pages' links, answered as the API's (the same
workbook, the same refusals), the report page with its charts drawn as inline SVG by the server, and the printable
personal file and publication notice."""
from __future__ import annotations

import io
import re

import openpyxl

from api.sheets import XLSX
from tests.support.answers import ok
from tests.support.cycles import published_cycle
from tests.support.driver import Driver
from tests.support.steps import appeal, event
from tests.support.world import BOSS, COMMITTEE, CYCLE, HR
from tests.web.visitor import Visitor, text


def signed_in(app, username: str) -> Visitor:
    visitor = Visitor(app)
    assert visitor.sign_in(username).status_code == 302
    return visitor


def test_the_cycle_page_links_its_downloads_and_hr_its_report(app):
    published_cycle(Driver(app))
    page = signed_in(app, HR).get(f"/cycles/{CYCLE}").get_data(as_text=True)
    for link in (f"/cycles/{CYCLE}/decisions.xlsx", f"/cycles/{CYCLE}/board", f"/cycles/{CYCLE}/board.xlsx",
                 f"/cycles/{CYCLE}/report"):
        assert f'href="{link}"' in page
    member = signed_in(app, COMMITTEE[1]).get(f"/cycles/{CYCLE}").get_data(as_text=True)
    assert 'data-testid="report-link"' not in member


def test_a_page_download_is_the_apis_workbook(app):
    gf = Driver(app)
    published_cycle(gf)
    page = signed_in(app, HR).get(f"/cycles/{CYCLE}/decisions.xlsx")
    api = gf.get(f"/cycles/{CYCLE}/decisions.xlsx", as_=HR)
    assert page.headers["Content-Type"] == XLSX
    assert page.headers["Content-Disposition"] == api.headers["Content-Disposition"]
    rows = [list(openpyxl.load_workbook(io.BytesIO(r.data))["决定名单"].values) for r in (page, api)]
    assert rows[0] == rows[1]


def test_the_pages_downloads_refuse_as_the_pages_do(app):
    published_cycle(Driver(app))
    applicant = signed_in(app, "e001")
    assert applicant.get("/managers.xlsx").status_code == 403
    assert applicant.get(f"/cycles/{CYCLE}/report").status_code == 403
    assert applicant.get(f"/cycles/{CYCLE}/report.xlsx").status_code == 403
    assert applicant.get("/managers/E002/file").status_code == 404
    assert applicant.get("/managers/E002/file.xlsx").status_code == 404
    assert applicant.get("/quarter-close/2026Q2.xlsx").status_code == 403
    assert Visitor(app).get(f"/cycles/{CYCLE}/decisions.xlsx").status_code == 302  # to the sign-in page


def test_the_report_page_draws_the_funnel_and_the_distribution_as_inline_svg(app):
    gf = Driver(app)
    _approved, denied = published_cycle(gf)
    ok(appeal(gf, denied, "e002"), 201)
    ok(event(gf, denied, "overturn", HR, comment="复核"))
    page = signed_in(app, HR).get(f"/cycles/{CYCLE}/report")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    funnel = re.search(r'<svg class="chart" data-testid="funnel-chart".*?</svg>', body, re.S).group(0)
    assert re.findall(r'data-value="(\d+)"', funnel) == ["2", "2", "1", "1", "1", "1"]
    assert 'data-testid="distribution-chart"' in body and 'data-testid="quota-chart"' in body
    assert 'data-limit="most"' in body
    assert "<script" not in body.split("<main", 1)[1]  # the charts need no script
    words = text(page)
    assert "评审漏斗" in words and "材料审核通过" in words and "等级分布" in words and "对照名额" in words
    assert f'href="/cycles/{CYCLE}/report.xlsx"' in body


def test_the_report_page_of_one_org_unit(app):
    published_cycle(Driver(app))
    page = signed_in(app, HR).get(f"/cycles/{CYCLE}/report?org_unit=总行")
    assert page.status_code == 200
    assert "总行" in text(page)
    assert 'href="/cycles/2026H2/report.xlsx?org_unit=%E6%80%BB%E8%A1%8C"' in page.get_data(as_text=True)


def test_the_personal_file_page_shows_the_cases_with_their_history_as_the_caller_may_see_them(app):
    gf = Driver(app)
    approved, _denied = published_cycle(gf)
    page = signed_in(app, BOSS).get("/managers/E001/file")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert f'data-case="{approved}"' in body and f'data-testid="file-history-{approved}"' in body
    assert "一人一档" in text(page) and "提交申请" in text(page)
    assert 'href="/managers/E001/file.xlsx"' in body
    manager_page = signed_in(app, HR).get("/managers/E001").get_data(as_text=True)
    assert 'href="/managers/E001/file"' in manager_page and 'href="/managers/E001/file.xlsx"' in manager_page


def test_the_personal_file_page_shows_the_exam_results(app):
    gf = Driver(app)
    published_cycle(gf)
    ok(gf.post("/managers/E001/exam-results", as_=HR, json={"exam": "skills_test", "taken_on": "2026-06-20",
                                                            "score": 75}), 201)
    page = signed_in(app, "e001").get("/managers/E001/file")
    assert 'data-testid="file-exams"' in page.get_data(as_text=True)
    assert "考试成绩" in text(page) and "skills_test 2026年6月20日 周六 75" in " ".join(text(page).split())


def test_the_notice_page_says_how_to_appeal_and_links_its_workbook(app):
    published_cycle(Driver(app))
    page = signed_in(app, "e002").get(f"/cycles/{CYCLE}/board")
    assert "公示后3个工作日内提出申诉" in text(page)
    assert f'href="/cycles/{CYCLE}/board.xlsx"' in page.get_data(as_text=True)


def test_the_roster_and_the_close_pages_link_their_downloads(app):
    published_cycle(Driver(app))
    hr = signed_in(app, HR)
    assert 'href="/managers.xlsx?org_unit=%E5%8C%97%E4%BA%AC%E5%88%86%E8%A1%8C"' in \
        hr.get("/managers?org_unit=北京分行").get_data(as_text=True)
    assert 'href="/quarter-close/2026Q2.xlsx"' in hr.get("/quarter-close?period=2026Q2").get_data(as_text=True)
    sheet = openpyxl.load_workbook(io.BytesIO(hr.get("/managers.xlsx").data))["花名册"]
    assert sheet.max_row >= 3
