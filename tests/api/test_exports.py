"""The exports as .xlsx downloads (issue 16): each workbook read back with openpyxl, and each showing what the same
caller's JSON read shows and nothing more: scores hidden where the case hides them, cases and managers the caller
may not see left out or refused (403 or 404, as the API answers), and a fixed number of statements where a list can
grow."""
from __future__ import annotations

import codecs
import csv
import io
from datetime import date, datetime
from urllib.parse import unquote

import openpyxl
import pytest

from api.sheets import XLSX
from tests.support.answers import ok
from tests.support.cycles import AFTER_DEADLINE, published_cycle
from tests.support.driver import Driver
from tests.support.statements import counting
from tests.support.steps import appeal, apply, decide, event, in_deliberation, interview, move_clock, review
from tests.support.world import BOSS, COMMITTEE, CYCLE, HR, candidate, open_cycle, organisation


def book(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(response.data))


def table(sheet) -> tuple[list, list[list]]:
    """(header, rows) of a sheet, the header being the first row below the frozen notes."""
    header_row = sheet.freeze_panes and int(sheet.freeze_panes[1:]) - 1
    rows = [list(r) for r in sheet.iter_rows(min_row=header_row, values_only=True)]
    return rows[0], rows[1:]


def column(sheet, header: str) -> list:
    head, rows = table(sheet)
    return [row[head.index(header)] for row in rows]


def test_decision_list_holds_rank_scores_outcome_and_reasons_as_numbers_and_dates(app):
    gf = Driver(app)
    approved, denied = published_cycle(gf)
    response = gf.get(f"/cycles/{CYCLE}/decisions.xlsx", as_=HR)
    sheet = book(response)["决定名单"]
    assert sheet.freeze_panes == "A4"  # two lines of notes, the header, frozen
    head, rows = table(sheet)
    assert head[:5] == ["排名", "工号", "姓名", "机构", "申请"]
    assert [r[1] for r in rows] == ["E001", "E002"]
    assert column(sheet, "排名") == [1, 2] and column(sheet, "最终得分") == [80, 50]
    assert column(sheet, "结果") == ["通过", "未通过"] and column(sheet, "原因") == [None, "低于及格线"]
    assert all(isinstance(d, datetime) for d in column(sheet, "决定时间"))
    assert sheet.cell(row=4, column=9).number_format == "0.00"
    assert sheet.column_dimensions["E"].width == 18


def test_a_download_is_named_in_utf8_with_an_ascii_stand_in(app):
    gf = Driver(app)
    published_cycle(gf)
    disposition = gf.get(f"/cycles/{CYCLE}/publication.xlsx", as_=HR).headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=\"__-2026H2.xlsx\"; ")
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == f"公示-{CYCLE}.xlsx"


def test_the_notice_says_who_moves_from_which_grade_to_which_and_until_when_and_how_to_appeal(app):
    gf = Driver(app)
    published_cycle(gf)
    gf.manager("O001", org_unit="广州分行", login=True)
    sheet = book(gf.get(f"/cycles/{CYCLE}/publication.xlsx", as_="o001"))["公示"]  # any user, as the board
    notes = [sheet.cell(row=r, column=1).value for r in range(1, 5)]
    assert notes[1] == "公示日期：2026-09-01"
    assert notes[2].startswith("申诉截止：2026-09-04 23:59（公示后3个工作日内）")
    assert "提交申诉" in notes[3] and "人力资源部" in notes[3]
    head, rows = table(sheet)
    assert "最终得分" not in head  # the default policy shows no scores on the board
    assert [r[:7] for r in rows] == [["E001", "经理E001", "北京分行", "晋级", "初级客户经理", "中级客户经理", "通过"],
                                     ["E002", "经理E002", "北京分行", "晋级", "初级客户经理", "中级客户经理", "未通过"]]


def test_a_committee_member_exports_the_decisions_of_their_own_cycle_only(app):
    gf = Driver(app)
    organisation(gf)
    candidate(gf, "E001")
    candidate(gf, "E002")
    in_deliberation(gf, "E001", supervisor=80, scores=80)
    scoring = apply(gf, "E002")
    review(gf, scoring, 70)
    ok(gf.put(f"/cases/{scoring}/score", as_=COMMITTEE[0], json={"score": 90}))
    assert table(book(gf.get(f"/cycles/{CYCLE}/decisions.xlsx", as_=COMMITTEE[1]))["决定名单"])[1] == []
    interview(gf, scoring, 75, committee=COMMITTEE[1:])
    decide(gf)
    member = book(gf.get(f"/cycles/{CYCLE}/decisions.xlsx", as_=COMMITTEE[1]))["决定名单"]
    assert column(member, "工号") == ["E001", "E002"] and None not in column(member, "面试得分")
    outsider = "cm4"  # holds the committee role, not on this cycle's committee: sees none of its cases
    assert table(book(gf.get(f"/cycles/{CYCLE}/decisions.xlsx", as_=outsider))["决定名单"])[1] == []
    assert gf.get(f"/cases/{scoring}", as_=outsider).status_code == 404


def test_an_applicant_exports_only_their_own_case_and_its_scores_only_once_published(app):
    gf = Driver(app)
    organisation(gf)
    candidate(gf, "E001")
    candidate(gf, "E002")
    mine = in_deliberation(gf, "E001", supervisor=80, scores=80)
    in_deliberation(gf, "E002", supervisor=70, scores=70)
    decide(gf)
    before = table(book(gf.get(f"/cycles/{CYCLE}/decisions.xlsx", as_="e001"))["决定名单"])[1]
    assert before == []  # decided, not published: the applicant's page shows no decision yet
    assert gf.case(mine, as_="e001")["outcome"] is None
    ok(gf.post(f"/cycles/{CYCLE}/publish", as_=HR))
    sheet = book(gf.get(f"/cycles/{CYCLE}/decisions.xlsx", as_="e001"))["决定名单"]
    assert column(sheet, "工号") == ["E001"] and column(sheet, "最终得分") == [80]


def test_the_roster_is_for_those_who_list_managers(app):
    gf = Driver(app)
    published_cycle(gf)
    sheet = book(gf.get("/managers.xlsx?org_unit=北京分行", as_=HR))["花名册"]
    assert column(sheet, "工号") == ["E001", "E002"] and column(sheet, "等级") == ["初级客户经理"] * 2
    assert column(sheet, "任现等级日期")[0].date().isoformat() == "2025-01-01"  # a date, not text
    assert gf.get("/managers.xlsx", as_="e001").status_code == 403
    assert gf.get("/managers.xlsx?colour=red", as_=HR).status_code == 422


def test_the_personal_file_holds_the_record_its_cases_with_history_and_every_version_of_a_record(app):
    gf = Driver(app)
    approved, _denied = published_cycle(gf)
    ok(gf.put("/managers/E001/performance/2025", as_=HR,
              json={"score": 82, "months_worked": 12, "reason": "复核更正"}))
    workbook = book(gf.get("/managers/E001/file.xlsx", as_=HR))
    assert workbook.sheetnames == ["档案", "等级变动", "案件", "案件历史", "绩效记录", "考试成绩", "事件"]
    assert column(workbook["案件"], "案件号") == [approved]
    history = workbook["案件历史"]
    assert column(history, "序号") == list(range(1, len(gf.history(approved, as_=HR)) + 1))
    assert column(history, "事件")[0] == "提交申请"
    performance = workbook["绩效记录"]
    assert column(performance, "版本") == [1, 2] and column(performance, "得分") == [80, 82]
    assert column(performance, "更正原因") == [None, "复核更正"]


def test_the_personal_files_history_words_the_services_own_comments_as_its_page_does(app):
    """api/web/service_words.py: the API gives them in the service's English, the file in Chinese."""
    gf = Driver(app)
    approved, _denied = published_cycle(gf)
    said = column(book(gf.get("/managers/E001/file.xlsx", as_=HR))["案件历史"], "说明")
    assert "本案所有应评分的评审委员均已评分。" in said and not any("every committee member" in s for s in said if s)
    assert len(said) == len(gf.history(approved, as_=HR))


def test_the_personal_file_tells_how_the_service_opened_a_case(app):
    gf = Driver(app)
    organisation(gf)
    gf.manager("P001", "probation", supervisor="S900", grade_since=date(2026, 6, 10), login=True)
    move_clock(gf, "2026-09-10T00:00:00+08:00")  # the probation is over: the service opens its confirmation
    history = book(gf.get("/managers/P001/file.xlsx", as_=HR))["案件历史"]
    assert column(history, "说明") == ["系统开启本案：试用期自2026年6月10日 周三起，现已期满。"]
    assert column(history, "操作人") == ["系统"]  # the service, in words: not its name on record, "(gradeflow)"


def test_the_personal_file_holds_the_exam_results_each_reader_of_the_exam_results_api_sees(app):
    gf = Driver(app)
    organisation(gf)
    candidate(gf, "E001")
    for exam, taken_on, score in (("skills_test", "2026-06-20", 75), ("skills_test", "2025-06-20", 58.5),
                                  ("compliance", "2026-03-01", 90)):
        ok(gf.post("/managers/E001/exam-results", as_=HR, json={"exam": exam, "taken_on": taken_on, "score": score}),
           201)
    for reader in (HR, "e001", BOSS):
        listed = ok(gf.get("/managers/E001/exam-results", as_=reader))
        exams = book(gf.get("/managers/E001/file.xlsx", as_=reader))["考试成绩"]
        assert [[row[0], row[1].date().isoformat(), row[2], row[4]] for row in table(exams)[1]] == \
               [[r["exam"], r["taken_on"], r["score"], r["recorded_by"]] for r in listed]
        assert len(listed) == 3
    gf.manager("O001", org_unit="广州分行", login=True)
    assert gf.get("/managers/E001/exam-results", as_="o001").status_code == 404
    assert gf.get("/managers/E001/file.xlsx", as_="o001").status_code == 404


def test_the_personal_file_shows_a_case_as_its_page_shows_it_to_the_caller(app):
    gf = Driver(app)
    organisation(gf)
    candidate(gf, "E001")
    case_id = in_deliberation(gf, "E001", supervisor=80, scores=80)
    decide(gf)
    own = book(gf.get("/managers/E001/file.xlsx", as_="e001"))
    assert column(own["案件"], "最终得分") == [None] and column(own["案件"], "结果") == [None]
    assert "评审委员会" in column(own["案件历史"], "操作人")  # the members' names are hidden from the applicant
    boss = book(gf.get("/managers/E001/file.xlsx", as_=BOSS))
    assert column(boss["案件"], "案件号") == [case_id]
    gf.manager("O001", org_unit="广州分行", login=True)
    assert gf.get("/managers/E001/file.xlsx", as_="o001").status_code == 404  # as GET /managers/E001


def test_the_report_counts_the_funnel_and_the_distribution_against_the_quota(app):
    gf = Driver(app)
    approved, denied = published_cycle(gf)
    ok(appeal(gf, denied, "e002"), 201)
    ok(event(gf, denied, "overturn", HR, comment="复核"))
    workbook = book(gf.get(f"/cycles/{CYCLE}/report.xlsx", as_=HR))
    head, rows = table(workbook["漏斗"])
    assert head == ["机构", "申请", "材料审核通过", "达到及格线", "晋升", "提出申诉", "申诉改判"]
    assert rows == [["北京分行", 2, 2, 1, 1, 1, 1], ["合计", 2, 2, 1, 1, 1, 1]]
    head, rows = table(workbook["等级分布"])
    assert head == ["机构", "在职人数", "见习客户经理", "初级客户经理", "中级客户经理", "高级客户经理"]
    assert ["北京分行", 2, 0, 2, 0, 0] in rows
    quotas = {row[1]: row for row in table(workbook["名额"])[1]}
    assert quotas["北京分行"][:8] == ["高级客户经理", "北京分行", 2, 0, 0, 0, 0, None]
    assert gf.get(f"/cycles/{CYCLE}/report.xlsx", as_=COMMITTEE[0]).status_code == 403
    assert gf.get(f"/cycles/{CYCLE}/report.xlsx", as_="e001").status_code == 403


def test_the_report_of_one_org_unit(app):
    gf = Driver(app)
    published_cycle(gf)
    candidate(gf, "G001", org_unit="广州分行")
    funnel = table(book(gf.get(f"/cycles/{CYCLE}/report.xlsx?org_unit=广州分行", as_=HR))["漏斗"])[1]
    assert funnel == [["合计", 0, 0, 0, 0, 0, 0]]


def test_the_report_counts_a_case_in_the_org_unit_it_was_applied_from_after_its_applicant_moved(app):
    gf = Driver(app)
    published_cycle(gf)
    ok(gf.patch("/managers/E001", as_=HR, json={"org_unit": "广州分行"}))
    funnel = table(book(gf.get(f"/cycles/{CYCLE}/report.xlsx", as_=HR))["漏斗"])[1]
    assert funnel == [["北京分行", 2, 2, 1, 1, 0, 0], ["合计", 2, 2, 1, 1, 0, 0]]
    moved_to = table(book(gf.get(f"/cycles/{CYCLE}/report.xlsx?org_unit=广州分行", as_=HR))["漏斗"])[1]
    assert moved_to == [["合计", 0, 0, 0, 0, 0, 0]]
    applied_from = table(book(gf.get(f"/cycles/{CYCLE}/report.xlsx?org_unit=北京分行", as_=HR))["漏斗"])[1]
    assert applied_from == [["北京分行", 2, 2, 1, 1, 0, 0], ["合计", 2, 2, 1, 1, 0, 0]]
    distribution = {row[0]: row for row in table(book(gf.get(f"/cycles/{CYCLE}/report.xlsx", as_=HR))["等级分布"])[1]}
    assert distribution["广州分行"][1] == 1 and distribution["北京分行"][1] == 1  # the managers where they are now


def test_the_close_results_are_for_hr_and_say_recorded_or_foreseen(app):
    gf = Driver(app)
    organisation(gf)
    candidate(gf, "E001", grade="mid", grade_since=datetime(2024, 1, 1).date())
    gf.performance("E001", "2026Q2", "70", months_worked=3)
    candidate(gf, "E002")
    gf.performance("E002", "2026Q2", "90", months_worked=1)
    foreseen = book(gf.get("/evaluations/2026Q2/results.xlsx", as_=HR))["2026Q2"]
    assert column(foreseen, "状态") == ["预计", "预计"]
    ok(gf.post("/evaluations/2026Q2/close", as_=HR))
    recorded = book(gf.get("/evaluations/2026Q2/results.xlsx", as_=HR))["2026Q2"]
    assert column(recorded, "工号") == ["E001", "E002"] and column(recorded, "状态") == ["已记录", "已记录"]
    assert column(recorded, "依据")[1] == "工作1个月，不足2个月"
    assert column(recorded, "得分") == [70, 90]
    assert gf.get("/evaluations/2026Q2/results.xlsx", as_=COMMITTEE[0]).status_code == 403
    assert gf.get("/evaluations/2026Q9/results.xlsx", as_=HR).status_code in (404, 422)


def _statements(app, gf, path: str) -> int:
    with counting(app) as seen:
        assert gf.get(path, as_=HR).status_code == 200
    return len(seen)


def _decided_cycle(gf, code: str, first: int, count: int) -> None:
    if code != CYCLE:
        open_cycle(gf, code)
    for n in range(first, first + count):
        candidate(gf, f"E{n:03d}")
        score = 80 if n % 2 else 50  # the even ones are denied below the pass mark
        in_deliberation(gf, f"E{n:03d}", supervisor=score, scores=score, cycle=code)
    decide(gf, code)


@pytest.mark.parametrize("export", ["decisions.xlsx", "publication.xlsx", "report.xlsx"])
def test_a_cycle_export_issues_as_many_statements_for_many_cases_as_for_few(app, export):
    gf = Driver(app)
    organisation(gf)
    _decided_cycle(gf, CYCLE, 1, 2)
    ok(gf.post(f"/cycles/{CYCLE}/publish", as_=HR))
    _decided_cycle(gf, "2026H2-B", 3, 8)
    ok(gf.post("/cycles/2026H2-B/publish", as_=HR))
    few = _statements(app, gf, f"/cycles/{CYCLE}/{export}")
    assert _statements(app, gf, f"/cycles/2026H2-B/{export}") == few


def test_the_personal_file_issues_as_many_statements_for_two_cases_as_for_one(app):
    gf = Driver(app)
    organisation(gf)
    _decided_cycle(gf, CYCLE, 1, 2)  # E002 is denied
    ok(gf.post(f"/cycles/{CYCLE}/publish", as_=HR))
    move_clock(gf, AFTER_DEADLINE)
    one = _statements(app, gf, "/managers/E002/file.xlsx")
    open_cycle(gf, "2026H2-B")
    apply(gf, "E002", cycle="2026H2-B")
    assert _statements(app, gf, "/managers/E002/file.xlsx") == one
    assert len(table(book(gf.get("/managers/E002/file.xlsx", as_=HR))["案件"])[1]) == 2


def test_the_close_results_issue_as_many_statements_for_many_managers_as_for_few(app):
    gf = Driver(app)
    organisation(gf)

    def managers_with_records(first: int, count: int, period: str) -> int:
        for n in range(first, first + count):
            candidate(gf, f"Q{n:03d}")
            gf.performance(f"Q{n:03d}", period, "70", months_worked=1 + n % 3)
        return _statements(app, gf, f"/evaluations/{period}/results.xlsx")
    few = managers_with_records(1, 2, "2026Q1")
    assert managers_with_records(3, 8, "2026Q2") == few


# --- the exports of one table as CSV ------------------------------------------------------------------------------

def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type == "text/csv; charset=utf-8"
    body = response.get_data()
    assert body.startswith(codecs.BOM_UTF8)  # Excel reads the Chinese as UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_csv_exports_hold_the_table_of_their_workbook_in_utf8_with_a_bom(app):
    gf = Driver(app)
    published_cycle(gf)
    for path, sheet in ((f"/cycles/{CYCLE}/decisions", "决定名单"), (f"/cycles/{CYCLE}/publication", "公示"),
                        ("/managers", "花名册")):
        head, rows = table(book(gf.get(f"{path}.xlsx", as_=HR))[sheet])
        found = _csv(gf.get(f"{path}.csv", as_=HR))
        assert found[0] == head and len(found) == len(rows) + 1, path
    roster = _csv(gf.get("/managers.csv?org_unit=北京分行", as_=HR))
    assert [row[:4] for row in roster[1:]] == [["E001", "经理E001", "北京分行", "初级客户经理"],
                                               ["E002", "经理E002", "北京分行", "初级客户经理"]]
    disposition = gf.get("/managers.csv", as_=HR).headers["Content-Disposition"]
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "花名册.csv"


def test_the_csv_exports_show_each_caller_what_their_workbook_shows(app):
    gf = Driver(app)
    organisation(gf)
    candidate(gf, "E001")
    candidate(gf, "E002")
    in_deliberation(gf, "E001", supervisor=80, scores=80)
    in_deliberation(gf, "E002", supervisor=70, scores=70)
    decide(gf)
    assert _csv(gf.get(f"/cycles/{CYCLE}/decisions.csv", as_="e001"))[1:] == []  # not published yet
    ok(gf.post(f"/cycles/{CYCLE}/publish", as_=HR))
    rows = _csv(gf.get(f"/cycles/{CYCLE}/decisions.csv", as_="e001"))
    assert [row[rows[0].index("工号")] for row in rows[1:]] == ["E001"]
    assert rows[1][rows[0].index("最终得分")] == "80.00"
    assert gf.get("/managers.csv", as_="e001").status_code == 403
    assert gf.get("/evaluations/2026Q2/results.csv", as_=COMMITTEE[0]).status_code == 403
    assert _csv(gf.get("/evaluations/2026Q2/results.csv", as_=HR))[0][:2] == ["工号", "姓名"]
