"""api/sheets.py: tables into workbooks (read back with openpyxl) and into CSV."""
from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

import openpyxl

from api.sheets import DATE, MOMENT, NUMBER, SCORE, Column, Table, csv_text, workbook

TABLE = Table("决定名单", (Column("工号", 10), Column("得分", 9, SCORE), Column("排名", 6, NUMBER),
                           Column("生效日期", 12, DATE), Column("时间", 17, MOMENT)),
              [("E001", Decimal("80.50"), 1, date(2026, 9, 5), datetime(2026, 9, 1, 9, 30)),
               ("=1+1", None, None, None, None)], notes=["批次 2026H2"])


def _read(tables):
    return openpyxl.load_workbook(io.BytesIO(workbook(tables)))


def test_the_header_row_is_bold_and_frozen_below_the_notes():
    sheet = _read([TABLE])["决定名单"]
    assert sheet["A1"].value == "批次 2026H2"
    assert [c.value for c in sheet[2]] == ["工号", "得分", "排名", "生效日期", "时间"]
    assert sheet["A2"].font.bold and sheet.freeze_panes == "A3"


def test_numbers_are_numbers_and_dates_are_dates_with_their_formats():
    sheet = _read([TABLE])["决定名单"]
    assert sheet["B3"].value == 80.5 and sheet["B3"].number_format == "0.00"
    assert sheet["C3"].value == 1 and isinstance(sheet["C3"].value, int)
    assert sheet["D3"].value == datetime(2026, 9, 5) and sheet["D3"].number_format == "yyyy-mm-dd"
    assert sheet["E3"].value == datetime(2026, 9, 1, 9, 30) and sheet["E3"].number_format == "yyyy-mm-dd hh:mm"


def test_columns_are_as_wide_as_said():
    sheet = _read([TABLE])["决定名单"]
    assert [sheet.column_dimensions[c].width for c in "ABCDE"] == [10, 9, 6, 12, 17]


def test_text_is_never_read_as_a_formula():
    sheet = _read([TABLE])["决定名单"]
    assert sheet["A4"].value == " =1+1" and sheet["A4"].data_type == "s"
    assert " =1+1" in csv_text(TABLE)


def test_an_empty_value_is_an_empty_cell():
    sheet = _read([TABLE])["决定名单"]
    assert [c.value for c in sheet[4]][1:] == [None, None, None, None]


def test_a_sheet_name_excel_refuses_is_cut_and_cleaned():
    long = Table("a/b:c" + "x" * 40, (Column("x"),))
    assert _read([long]).sheetnames == [("a_b_c" + "x" * 40)[:31]]


def test_the_csv_has_the_header_and_values_as_a_person_reads_them():
    assert csv_text(TABLE).splitlines() == ["工号,得分,排名,生效日期,时间", "E001,80.50,1,2026-09-05,2026-09-01 09:30",
                                            " =1+1,,,,"]
