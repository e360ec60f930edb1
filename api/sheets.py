"""Workbooks out of tables (the exports' .xlsx, and their .csv where one table says it all): pure, no request, no
database. A table is its columns (a header, a width in characters, a kind) and its rows of plain values; the
workbook has a sheet per table with the header row in bold and frozen, the columns as wide as said, dates as
dates, numbers as numbers (a score with two decimals), and text as text (never read as a formula)."""
from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
BOM = "\ufeff"  # before a CSV's first byte: Excel then reads it as UTF-8, Chinese included

TEXT, NUMBER, SCORE, DATE, MOMENT = "text", "number", "score", "date", "moment"
_FORMATS = {NUMBER: "0", SCORE: "0.00", DATE: "yyyy-mm-dd", MOMENT: "yyyy-mm-dd hh:mm"}
_SHEET_TITLE = 31  # Excel's longest sheet name
_FORBIDDEN_IN_TITLE = str.maketrans({c: "_" for c in "[]:*?/\\"})


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 14  # characters; a CJK character is about two
    kind: str = TEXT


@dataclass(frozen=True)
class Table:
    title: str  # the sheet's name (cut to Excel's 31 characters)
    columns: Sequence[Column]
    rows: Sequence[Sequence] = field(default_factory=list)
    notes: Sequence[str] = ()  # lines above the header: what the sheet is (a notice's deadline, a period)


def workbook(tables: Sequence[Table]) -> bytes:
    """The .xlsx of `tables`, one sheet each, in order."""
    # openpyxl here, where a workbook is written, not at import: it was a third of the time the API and the pages
    # take to import (every `gradeflow serve` imports them before its workers fork), for the few requests that
    # download a workbook
    from openpyxl import Workbook
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        _sheet(book, table)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(book: Workbook, table: Table) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    sheet = book.create_sheet(table.title.translate(_FORBIDDEN_IN_TITLE)[:_SHEET_TITLE])
    for note in table.notes:
        sheet.append([_text(note)])
    header_row = len(table.notes) + 1
    sheet.append([column.header for column in table.columns])
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for values in table.rows:
        sheet.append([_cell_value(column, value) for column, value in zip(table.columns, values, strict=True)])
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        if column.kind in _FORMATS:
            for (cell,) in sheet.iter_rows(min_row=header_row + 1, min_col=index, max_col=index):
                cell.number_format = _FORMATS[column.kind]
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)


def _cell_value(column: Column, value):
    if value is None:
        return None
    if column.kind in (NUMBER, SCORE):
        return int(value) if column.kind == NUMBER else float(Decimal(str(value)))
    if column.kind == MOMENT:
        return value.replace(tzinfo=None) if isinstance(value, datetime) else value  # already local time
    if column.kind == DATE:
        return value.date() if isinstance(value, datetime) else value
    return _text(str(value))


def _text(value: str) -> str:
    """Text that a spreadsheet would read as a formula (=, +, -, @ first) gets a leading space, so that it stays
    text in the workbook and in a CSV alike (a quote prefix would be lost in a CSV)."""
    return " " + value if value[:1] in ("=", "+", "-", "@") else value


def csv_text(table: Table) -> str:
    """The table as CSV (its notes left out), values as a person reads them: dates as YYYY-MM-DD."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.header for column in table.columns])
    for values in table.rows:
        writer.writerow(["" if v is None else _csv_value(c, v) for c, v in zip(table.columns, values, strict=True)])
    return out.getvalue()


def _csv_value(column: Column, value) -> str:
    if column.kind == SCORE:
        return f"{Decimal(str(value)):.2f}"
    if column.kind == DATE and isinstance(value, (date, datetime)):
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    if column.kind == MOMENT and isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return _text(str(value))
