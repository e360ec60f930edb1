"""Imports (issue 16, point 1; docs/imports.md): POST /imports/{kind} with a spreadsheet, all rows or none, every
problem named by sheet, row, column and rule; a file imported twice changes nothing the second time; a row is refused
for the reasons the API refuses the same record; the audit chain still verifies."""
from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from models import Manager, ManagerEvent, PerformanceVersion, db
from models.audit import verify_chain
from tests.support.answers import assert_problem, ok
from tests.support.statements import counting
from tests.support.world import ADMIN, HR, SUPERVISOR, organisation
from workflow.spreadsheets import write_sheets

ROSTER_HEADER = "工号,姓名,机构,等级,定级日期,入职日期,上级工号\n"


def upload(gf, kind: str, text: str | bytes, *, name: str = "file.csv", as_: str = HR, dry_run: bool | None = None,
           **kwargs):
    data = {"file": (io.BytesIO(text.encode("utf-8") if isinstance(text, str) else text), name)}
    if dry_run is not None:
        data["dry_run"] = "true" if dry_run else "false"
    return gf.post(f"/imports/{kind}", as_=as_, data=data, content_type="multipart/form-data", **kwargs)


def refused(answer) -> list[tuple]:
    body = assert_problem(answer, 422, "import_refused")
    return [(e["row"], e["column"], e["rule"]) for e in body["errors"]]


def count(app, model) -> int:
    with app.app_context():
        try:
            return db.session.scalar(sa.select(sa.func.count()).select_from(model))
        finally:
            db.session.remove()


def chain_verifies(app) -> bool:
    with app.app_context():
        try:
            return verify_chain(db.session)[1] is None
        finally:
            db.session.remove()


def test_a_roster_registers_managers_whose_supervisors_are_on_any_row_and_a_second_import_changes_nothing(gf, app):
    organisation(gf)
    roster = (ROSTER_HEADER + "M2002,王芳,北京分行,初级,2026/3/1,2025-07-01,M2001\n"
              f"M2001,李强,北京分行,高级客户经理,2024-03-01,2020-07-01,{SUPERVISOR}\n"
              "M2003,赵六,北京分行,probation,2026-08-01,2026-08-01,M2002\n")
    assert ok(upload(gf, "roster", roster)) == {"kind": "roster", "rows": 3, "created": 3, "updated": 0,
                                                "unchanged": 0, "dry_run": False}
    m2002 = ok(gf.get("/managers/M2002", as_=HR))
    assert (m2002["grade"], m2002["grade_since"], m2002["supervisor"]) == ("junior", "2026-03-01", "M2001")
    assert ok(upload(gf, "roster", roster))["unchanged"] == 3
    assert ok(gf.get("/managers/M2002", as_=HR))["updated_at"] == m2002["updated_at"]


def test_an_upload_repeated_with_its_idempotency_key_is_replayed_whatever_its_multipart_boundary(gf, app):
    organisation(gf)
    roster = ROSTER_HEADER + f"M2001,李强,北京分行,初级,2026-03-01,2025-07-01,{SUPERVISOR}\n"
    key = {"Idempotency-Key": "roster-1"}
    first = upload(gf, "roster", roster, headers=key)
    assert ok(first)["created"] == 1
    gf.manager("M2009", "mid", supervisor=SUPERVISOR)  # what a second import would count differently
    again = upload(gf, "roster", roster, headers=key)  # the test client draws a new boundary for each upload
    assert ok(again) == ok(first) and again.headers["Idempotent-Replayed"] == "true"
    assert count(app, Manager) == 3


@pytest.mark.parametrize("change", ["another file", "another name", "dry run"])
def test_the_idempotency_key_of_an_upload_sent_with_another_file_or_field_is_refused(gf, app, change):
    organisation(gf)
    roster = ROSTER_HEADER + f"M2001,李强,北京分行,初级,2026-03-01,2025-07-01,{SUPERVISOR}\n"
    key = {"Idempotency-Key": "roster-1"}
    ok(upload(gf, "roster", roster, headers=key))
    other = {"another file": lambda: upload(gf, "roster", roster.replace("李强", "王芳"), headers=key),
             "another name": lambda: upload(gf, "roster", roster, name="花名册.csv", headers=key),
             "dry run": lambda: upload(gf, "roster", roster, dry_run=True, headers=key)}[change]()
    assert assert_problem(other, 422, "validation_error")["errors"][0]["rule"] == "reused_for_another_request"
    assert ok(gf.get("/managers/M2001", as_=HR))["name"] == "李强"


def test_a_roster_corrects_org_unit_and_supervisor_but_refuses_a_grade_change(gf, app):
    organisation(gf)
    ok(upload(gf, "roster", ROSTER_HEADER + f"M2001,李强,北京分行,mid,2024-03-01,2020-07-01,{SUPERVISOR}\n"
                                            "M2002,王芳,北京分行,junior,2026-03-01,2025-07-01,M2001\n"))
    moved = ROSTER_HEADER + "M2002,王芳,上海分行,junior,2026-03-01,2025-07-01,\n"
    assert ok(upload(gf, "roster", moved))["updated"] == 1
    m2002 = ok(gf.get("/managers/M2002", as_=HR))
    assert (m2002["org_unit"], m2002["supervisor"]) == ("上海分行", None)
    promoted = ROSTER_HEADER + "M2002,王芳,上海分行,mid,2026-03-01,2025-06-01,\n"
    assert refused(upload(gf, "roster", promoted)) == [(2, "等级", "grade_through_case"),
                                                       (2, "入职日期", "not_correctable")]
    assert ok(gf.get("/managers/M2002", as_=HR))["grade"] == "junior"


def test_a_roster_with_problems_names_each_by_sheet_row_column_and_rule_and_writes_nothing(gf, app):
    organisation(gf)
    before = count(app, Manager)
    roster = (ROSTER_HEADER + "M2001,李强,北京分行,mid,2024-03-01,2020-07-01,M2002\n"
              "M2002,王芳,北京分行,junior,2026-03-01,2025-07-01,M2001\n"  # a cycle across two rows
              "M2003,赵六,北京分行,captain,2026-10-01,2026-08-01,M9999\n"
              "M2003,赵六,北京分行,junior,2026-03-01,2025-07-01,\n"
              "bad no,,北京分行,junior,2026-13-01,2025-07-01,\n"
              "M2004,孙七,北京分行,junior,2026-03-01,2025-07-01,\n")  # a good row: not written either
    body = assert_problem(upload(gf, "roster", roster, name="花名册.csv"), 422, "import_refused")
    assert {(e["row"], e["column"], e["rule"]) for e in body["errors"]} == {
        (2, "上级工号", "no_supervisor_cycle"), (3, "上级工号", "no_supervisor_cycle"),
        (4, "等级", "known_grade"), (4, "定级日期", "not_in_future"), (4, "上级工号", "known_supervisor"),
        (5, "工号", "row_twice"),
        (6, "工号", "pattern"), (6, "姓名", "required"), (6, "定级日期", "type")}
    assert {e["sheet"] for e in body["errors"]} == {"花名册.csv"}
    grade = next(e for e in body["errors"] if e["rule"] == "known_grade")
    assert grade["field"] == "grade" and grade["message_zh"] == "等级不在本政策的等级序列中"
    assert count(app, Manager) == before


def roster_of(first: int, count: int, grade: str = "probation") -> str:
    """`count` managers from number `first`, each supervised by the one before (the first by S900)."""
    rows = [f"M{n},经理{n},北京分行,{grade},2026-08-01,2026-08-01,{f'M{n - 1}' if n > first else SUPERVISOR}"
            for n in range(first, first + count)]
    return ROSTER_HEADER + "\n".join(rows) + "\n"


def test_a_roster_import_issues_as_many_statements_for_a_hundred_rows_as_for_ten(gf, app):
    """Set-wise: the roster is read in one query and written in batches, whatever its length (probation managers:
    their timers too; every supervisor changed: the recusals of their cases read once)."""
    organisation(gf)
    seen = {}
    for first, count in ((3000, 10), (4000, 100)):
        with counting(app) as statements:
            assert ok(upload(gf, "roster", roster_of(first, count)))["created"] == count
        seen[count] = len(statements)
        moved = roster_of(first, count).replace(f",{SUPERVISOR}\n", ",\n").replace(",北京分行,", ",上海分行,")
        with counting(app) as statements:
            assert ok(upload(gf, "roster", moved))["updated"] == count
        seen[-count] = len(statements)
    assert (seen[10], seen[-10]) == (seen[100], seen[-100]), seen


@pytest.mark.parametrize("row, field, rule", [
    ("M2001,李强,北京分行,exited,2024-03-01,2020-07-01,", "grade", "active_grade"),
    ("M2001,李强,北京分行,mid,2019-03-01,2020-07-01,", "grade_since", "hire_date_before_grade_since"),
    (f"M2001,{'李' * 101},北京分行,mid,2024-03-01,2020-07-01,", "name", "length"),
    ("M2001,李强,北京分行,mid,2024-03-01,2020-07-01,M2001", "supervisor", "no_supervisor_cycle"),
])
def test_a_roster_row_is_refused_for_the_reason_post_managers_refuses_the_manager(gf, row, field, rule):
    organisation(gf)
    no, name, org_unit, grade, grade_since, hire_date, supervisor = row.split(",")
    single = gf.post("/managers", as_=HR, json={"employee_no": no, "name": name, "org_unit": org_unit, "grade": grade,
                                               "grade_since": grade_since, "hire_date": hire_date,
                                               "supervisor": supervisor or None})
    assert_problem(single, 422, "validation_error", field=field, rule=rule)
    body = assert_problem(upload(gf, "roster", ROSTER_HEADER + row + "\n"), 422, "import_refused")
    assert [(e["field"], e["rule"]) for e in body["errors"]] == [(field, rule)]


def test_a_dry_run_checks_every_row_and_writes_nothing(gf, app):
    organisation(gf)
    before = count(app, Manager)
    roster = ROSTER_HEADER + "M2001,李强,北京分行,mid,2024-03-01,2020-07-01,\n"
    assert ok(upload(gf, "roster", roster, dry_run=True)) == {"kind": "roster", "rows": 1, "created": 1,
                                                              "updated": 0, "unchanged": 0, "dry_run": True}
    assert count(app, Manager) == before
    assert ok(upload(gf, "roster", roster, dry_run=False))["created"] == 1


def test_a_workbook_and_a_gbk_csv_read_as_a_utf8_csv_does(gf):
    organisation(gf)
    header = ["工号", "姓名", "机构", "等级", "定级日期", "入职日期", "上级工号"]
    workbook = write_sheets("xlsx", [("花名册", header, [["M2001", "李强", "北京分行", "中级", "2024-03-01",
                                                        "2020-07-01", ""]])])
    assert ok(upload(gf, "roster", workbook, name="roster.xlsx"))["created"] == 1
    gbk = (ROSTER_HEADER + "M2002,王芳,北京分行,初级,2026-03-01,2025-07-01,M2001\n").encode("gbk")
    assert ok(upload(gf, "roster", gbk, name="roster.csv"))["created"] == 1
    assert ok(gf.get("/managers/M2002", as_=HR))["name"] == "王芳"


def test_a_file_whose_header_is_wrong_or_that_is_no_spreadsheet_is_refused_whole(gf):
    organisation(gf)
    assert refused(upload(gf, "roster", "工号,姓名,部门,等级,定级日期,上级,身高\nM1,a,b,c,d,e,f\n")) == [
        (1, "身高", "unknown_column"), (1, "入职日期", "column_missing")]  # 部门 and 上级 are aliases
    assert refused(upload(gf, "roster", b"PK\x03\x04 not really", name="r.xlsx")) == [(None, None, "file_format")]
    assert refused(upload(gf, "roster", "a,b", name="r.txt")) == [(None, None, "file_format")]
    assert_problem(upload(gf, "payroll", ROSTER_HEADER), 404, "not_found")


def test_only_hr_imports_people_and_hr_or_admin_import_users(gf):
    organisation(gf)
    assert_problem(upload(gf, "roster", ROSTER_HEADER, as_=ADMIN), 403, "forbidden")
    assert_problem(upload(gf, "performance", "工号,考核期间,在岗月数\n", as_="s900"), 403, "forbidden")
    assert ok(upload(gf, "users", "用户名,角色\n", as_=ADMIN))["rows"] == 0


def test_users_are_created_with_their_initial_password_their_roles_changed_and_never_beyond_the_importer(gf, app):
    organisation(gf)
    ok(upload(gf, "roster", ROSTER_HEADER + "M2001,李强,北京分行,mid,2024-03-01,2020-07-01,\n"))
    users = "用户名,初始密码,角色,工号\nliqiang,correct-horse-battery,客户经理、上级主管,M2001\nwang.cm,,committee,\n"
    assert refused(upload(gf, "users", users)) == [(3, "初始密码", "password_length")]
    users = users.replace("wang.cm,,committee,", "wang.cm,another-long-secret,评审委员会,")
    assert ok(upload(gf, "users", users))["created"] == 2
    assert ok(upload(gf, "users", users))["unchanged"] == 2
    assert ok(upload(gf, "users", "用户名,角色\nliqiang,客户经理\n"))["updated"] == 1
    assert ok(gf.get("/users/liqiang", as_=HR))["roles"] == ["employee"]
    assert refused(upload(gf, "users", "用户名,初始密码,角色\nboss,long-enough-secret,admin\n")) == [
        (2, "角色", "grantable_role")]
    assert refused(upload(gf, "users", "用户名,角色,工号\nliqiang,客户经理,M9999\n")) == [
        (2, "工号", "not_correctable")]
    ok(upload(gf, "roster", ROSTER_HEADER + "M2002,王芳,北京分行,junior,2026-03-01,2025-07-01,M2001\n"))
    twice = ("用户名,初始密码,角色,工号\nli2,long-enough-secret,客户经理,M2001\nwf,long-enough-secret,客户经理,M2002\n"
             "wf2,long-enough-secret,客户经理,M2002\n")
    assert refused(upload(gf, "users", twice)) == [(2, "工号", "employee_no_taken"), (4, "工号", "employee_no_taken")]


def test_users_without_employee_numbers_are_created_however_many_the_file_has(gf):
    gf.user(HR, "hr")
    users = "用户名,初始密码,角色\nwf1,long-enough-secret,评审委员会\nwf2,long-enough-secret,评审委员会\n"
    assert ok(upload(gf, "users", users))["created"] == 2


def test_performance_records_are_entered_or_corrected_as_versions_in_the_audit_chain(gf, app):
    organisation(gf)
    gf.manager("M001", "mid", supervisor=SUPERVISOR)
    records = "工号,考核期间,得分,在岗月数,违规\nM001,2026Q2,88.5,3,否\nM001,2025,90,12,\n"
    assert ok(upload(gf, "performance", records))["created"] == 2
    assert ok(upload(gf, "performance", records))["unchanged"] == 2
    corrected = "工号,考核期间,得分,在岗月数,违规,更正原因\nM001,2026Q2,78.5,3,是,复核后更正\n"
    assert ok(upload(gf, "performance", corrected))["updated"] == 1
    versions = ok(gf.get("/managers/M001/performance/2026Q2/versions", as_=HR))
    assert [(v["score"], v["violation"], v["reason"]) for v in versions] == [(88.5, False, None),
                                                                           (78.5, True, "复核后更正")]
    assert count(app, PerformanceVersion) == 3 and chain_verifies(app)
    assert sorted(refused(upload(gf, "performance", "工号,考核期间,得分,在岗月数\nM001,2026Q5,80,3\n"
                                                    "M404,2026Q2,80,3\nM001,2026Q1,101,4\n"))) == [
        (2, "考核期间", "period_format"), (3, "工号", "known_manager"),
        (4, "在岗月数", "months_in_period"), (4, "得分", "score_range")]


def test_a_closed_quarter_refuses_a_change_but_its_unchanged_rows_import_again(gf):
    organisation(gf)
    gf.manager("M001", "mid", supervisor=SUPERVISOR)
    records = "工号,考核期间,得分,在岗月数\nM001,2026Q2,88.5,3\n"
    ok(upload(gf, "performance", records))
    ok(gf.post("/evaluations/2026Q2/close", as_=HR))
    assert ok(upload(gf, "performance", records))["unchanged"] == 1
    assert refused(upload(gf, "performance", records.replace("88.5", "90"))) == [(2, "考核期间", "period_closed")]


def test_events_are_entered_once_each_in_the_audit_chain_and_a_bad_one_stops_the_file(gf, app):
    organisation(gf)
    gf.manager("M001", "mid", supervisor=SUPERVISOR)
    events = ("工号,事件类型,发生日期,天数,请假原因,说明\nM001,投诉,2026-08-03,,,客户投诉\n"
              "M001,请假,2026-08-20,16,其他,未请假缺勤\nM001,投诉,2026-08-03,,,客户投诉\n")
    assert ok(upload(gf, "events", events))["created"] == 3
    assert ok(upload(gf, "events", events))["unchanged"] == 3
    assert count(app, ManagerEvent) == 3 and chain_verifies(app)
    bad = "工号,事件类型,发生日期,天数,请假原因\nM001,请假,2026-08-21,2,holiday\nM001,待岗,2026-08-21,,\n"
    assert refused(upload(gf, "events", bad)) == [(2, "请假原因", "leave_reason"), (3, "说明", "required")]
    assert count(app, ManagerEvent) == 3


def test_a_file_entering_a_months_sales_target_twice_is_refused_at_the_second_row_and_nothing_is_written(gf, app):
    organisation(gf)
    gf.manager("M001", "mid", supervisor=SUPERVISOR)
    twice = ("工号,事件类型,发生日期,天数,请假原因,说明\nM001,未完成销售任务,2026-07-05,,,\n"
             "M001,未完成销售任务,2026-08-05,,,\nM001,未完成销售任务,2026-08-25,,,\n")
    assert refused(upload(gf, "events", twice)) == [(4, "发生日期", "target_once_a_month")]
    assert count(app, ManagerEvent) == 0
    once_a_month = twice.rsplit("M001", 1)[0]
    assert ok(upload(gf, "events", once_a_month))["created"] == 2
    assert ok(upload(gf, "events", once_a_month))["unchanged"] == 2  # the same file again changes nothing


@pytest.mark.parametrize("kind", ["roster", "users", "performance", "events"])
def test_each_template_has_the_chinese_headers_that_an_import_reads(gf, kind):
    organisation(gf)
    answer = gf.get(f"/imports/{kind}/template?format=csv", as_=HR)
    assert answer.status_code == 200 and answer.data.startswith("\ufeff".encode())
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"  # once: not "…; charset=utf-8; charset=utf-8"
    header = answer.data.decode("utf-8-sig").splitlines()[0]
    assert all("\u4e00" <= name[0] <= "\u9fff" for name in header.split(","))
    assert ok(upload(gf, kind, answer.data))["rows"] == 0  # the template, as it comes, is an empty file
    workbook = gf.get(f"/imports/{kind}/template", as_=HR)
    assert workbook.headers["Content-Disposition"] == f'attachment; filename="gradeflow-{kind}-template.xlsx"'
    assert ok(upload(gf, kind, workbook.data, name="t.xlsx"))["rows"] == 0


@pytest.mark.parametrize("kind, text", [
    ("roster", ROSTER_HEADER + "M2002,王芳,北京分行,初级,2026/3/1,2025-07-01,\nM2003,赵六,北京分行,初级,2026/3/1,2025-07-01,\n"),
    ("events", "employee_no,kind,occurred_on,days,reason,note\n"
               "S900,complaint,2026-08-20,,,\nS900,complaint,2026-08-21,,,\n"),
])
def test_an_import_reports_its_progress_row_by_row_for_the_command_line(gf, app, kind, text):
    from api.import_files import import_file
    from workflow.services.accounts import OPERATOR
    organisation(gf)
    heard = []
    with app.app_context():
        try:
            import_file(OPERATOR, kind, text.encode("utf-8"), "file.csv", dry_run=False,
                        progress=lambda done, of: heard.append((done, of)))
        finally:
            db.session.remove()
    assert heard == [(1, 2), (2, 2)]
