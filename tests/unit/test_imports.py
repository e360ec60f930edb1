"""The pure part of an import (workflow/spreadsheets.py, workflow/imports.py): a file's text read as HR's software
saves it, its header matched in Chinese or English, and its cells written as the API's JSON would carry them."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from workflow.imports import COLUMNS, EVENTS, KINDS, PERFORMANCE, ROSTER, USERS, ImportRefused, rows_of, template
from workflow.policy import load_policy
from workflow.spreadsheets import Sheet, UnreadableFile, read_sheet, write_sheets

POLICY = load_policy("default")


def sheet(*rows: tuple[str, ...], header: tuple[str, ...]) -> Sheet:
    return Sheet("s", header, 1, tuple((number, row) for number, row in enumerate(rows, start=2)))


def test_a_header_is_matched_in_chinese_by_an_alias_or_by_the_api_field_name_in_any_case():
    rows = rows_of(EVENTS, sheet(("M1", "投诉", "2026-08-03"), header=("员工编号", "类型", "Occurred On")), POLICY)
    assert rows[0].values == {"employee_no": "M1", "kind": "complaint", "occurred_on": "2026-08-03"}
    assert rows[0].columns["employee_no"] == "员工编号" and rows[0].columns["note"] == "说明"


def test_days_written_as_excel_users_write_them_become_iso_dates():
    header = ("工号", "事件类型", "发生日期")
    for written in ("2026/8/3", "2026.8.3", "2026年8月3日", "2026-08-03"):
        assert rows_of(EVENTS, sheet(("M1", "违规", written), header=header), POLICY)[0].values["occurred_on"] == \
            "2026-08-03"
    assert rows_of(EVENTS, sheet(("M1", "违规", "3 Aug"), header=header), POLICY)[0].values["occurred_on"] == "3 Aug"


def test_hr_words_for_codes_become_the_codes_and_anything_else_stays_for_the_api_to_refuse():
    performance = rows_of(PERFORMANCE, sheet(("M1", "2026Q3", "3", "是"), ("M1", "2026Q2", "x", "maybe"),
                                             header=("工号", "考核期间", "在岗月数", "违规")), POLICY)
    assert [(r.values["months_worked"], r.values["violation"]) for r in performance] == [(3, True), ("x", "maybe")]
    users = rows_of(USERS, sheet(("li", "客户经理、上级主管; committee"), header=("用户名", "角色")), POLICY)
    assert users[0].values["roles"] == ["employee", "supervisor", "committee"]


def test_a_grade_is_written_as_its_name_on_the_ladder_with_or_without_kehu_jingli_or_as_its_code():
    header = ("工号", "姓名", "机构", "等级", "定级日期", "入职日期", "上级工号")
    grades = [rows_of(ROSTER, sheet(("M1", "a", "b", written, "2026-01-01", "2026-01-01", ""), header=header),
                      POLICY)[0].values["grade"] for written in ("初级", "初级客户经理", "Junior customer manager",
                                                                 "junior")]
    assert grades == ["junior"] * 4


def test_a_blank_cell_is_null_where_the_api_takes_null_and_left_out_where_it_does_not():
    header = ("工号", "姓名", "机构", "等级", "定级日期", "入职日期", "上级工号", "资格证书")
    values = rows_of(ROSTER, sheet(("M1", "", "b", "junior", "2026-01-01", "2026-01-01", ""), header=header),
                     POLICY)[0].values
    assert "name" not in values and values["supervisor"] is None and values["certificates"] == []


def test_unknown_repeated_and_missing_columns_are_each_named_at_the_header_row():
    with pytest.raises(ImportRefused) as refused:
        rows_of(EVENTS, sheet(header=("工号", "员工编号", "颜色")), POLICY)
    assert [(p.row, p.column, p.rule) for p in refused.value.problems] == [
        (1, "员工编号", "column_twice"), (1, "颜色", "unknown_column"), (1, "事件类型", "column_missing"),
        (1, "发生日期", "column_missing")]


def test_a_csv_is_read_in_utf8_with_or_without_bom_or_in_gbk_with_blank_rows_left_out_and_rows_numbered():
    text = "工号,姓名\n\nM1,张三\n,\nM2,李四\n"
    for data in (text.encode("utf-8"), ("\ufeff" + text).encode("utf-8"), text.encode("gbk")):
        read = read_sheet(data, "名单.csv")
        assert (read.name, read.header, read.rows) == ("名单.csv", ("工号", "姓名"),
                                                       ((3, ("M1", "张三")), (5, ("M2", "李四"))))


def _zip_without_workbook() -> bytes:
    from io import BytesIO
    from zipfile import ZipFile
    out = BytesIO()
    with ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    return out.getvalue()


def test_a_file_that_is_no_spreadsheet_is_named_for_what_is_wrong():
    for data, name, rule in ((b"a,b", "x.txt", "file_format"), (b"\xff\xfe\xff", "x.csv", "file_encoding"),
                             (b"\n,\n", "x.csv", "empty_file"), (b"PK\x03\x04", "x.xlsx", "file_format"),
                             (b"a\n\"" + b"x" * 200_000, "x.csv", "file_format"), (_zip_without_workbook(), "x.xlsx",
                                                                            "file_format")):
        with pytest.raises(UnreadableFile) as unreadable:
            read_sheet(data, name)
        assert unreadable.value.rule == rule


def test_a_workbook_cell_is_read_as_the_text_hr_sees():
    from io import BytesIO
    from openpyxl import Workbook
    book = Workbook()
    book.active.title = "花名册"
    book.active.append(["工号", "入职日期", "在岗月数", "得分", "出生"])
    book.active.append(["M1", datetime(2024, 7, 1), 3.0, 86.5, date(1990, 1, 2)])
    out = BytesIO()
    book.save(out)
    read = read_sheet(out.getvalue(), "r.xlsx")
    assert (read.name, read.rows) == ("花名册", ((2, ("M1", "2024-07-01", "3", "86.5", "1990-01-02")),))


@pytest.mark.parametrize("kind", KINDS)
def test_each_template_reads_back_as_an_empty_file_of_its_kind_and_describes_every_column(kind):
    sheets = template(kind, POLICY)
    for fmt in ("xlsx", "csv"):
        read = read_sheet(write_sheets(fmt, sheets), f"t.{fmt}")
        assert rows_of(kind, read, POLICY) == [] and read.header == tuple(c.zh for c in COLUMNS[kind])
    assert [row[1] for row in sheets[1][2]] == [c.field for c in COLUMNS[kind]]
