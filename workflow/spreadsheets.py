"""Spreadsheets as HR's software saves them, read into text and written back: `.xlsx` (openpyxl) and `.csv`,
UTF-8 with or without a byte-order mark, or GBK (GB 18030) as Excel saves "CSV" on a Chinese Windows. No rule of the
service is here: a sheet is a name, a header and numbered rows of text (workflow/imports.py gives them meaning)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

XLSX, CSV = "xlsx", "csv"
FORMATS = (XLSX, CSV)
# a row's cells read, at most (a sheet of ours has a dozen columns; those beyond are not read)
MAX_COLUMNS = 64


class UnreadableFile(ValueError):
    """The file is no spreadsheet of a known format; `rule` says why (file_format, file_encoding, empty_file)."""

    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule


@dataclass(frozen=True)
class Sheet:
    """`header`: the first non-blank row; `rows`: (row number as the spreadsheet shows it, cells), blank rows left
    out. Every cell is text, stripped."""
    name: str
    header: tuple[str, ...]
    header_row: int
    rows: tuple[tuple[int, tuple[str, ...]], ...]


def format_of(filename: str) -> str:
    """xlsx or csv by the file's name; UnreadableFile for any other."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in FORMATS:
        raise UnreadableFile("file_format", f"a .xlsx or .csv file, not {filename or 'a file without a name'}")
    return suffix


def read_sheet(data: bytes, filename: str) -> Sheet:
    """The first sheet of the file (an .xlsx's first worksheet, a .csv's only one)."""
    if format_of(filename) == XLSX:
        name, cells = _xlsx_rows(data)
    else:
        name, cells = filename.rsplit("/", 1)[-1], _csv_rows(_decoded(data))
    numbered = []
    for number, row in enumerate(cells, start=1):
        texts = tuple(_text(cell) for cell in row)
        while texts and not texts[-1]:
            texts = texts[:-1]
        if texts:
            numbered.append((number, texts[:MAX_COLUMNS]))
    if not numbered:
        raise UnreadableFile("empty_file", "the file holds no rows; the first row names the columns")
    (header_row, header), rows = numbered[0], numbered[1:]
    return Sheet(name=name, header=header, header_row=header_row, rows=tuple(rows))


def _decoded(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("file_encoding", "the file is neither UTF-8 nor GBK text: save it as CSV (UTF-8)")


def _csv_rows(text: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:  # a field beyond the csv module's limit (128 KiB)
        raise UnreadableFile("file_format", f"the file is not CSV text: {exc}") from exc


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook  # only where a workbook is read: it takes a while to import
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        return sheet.title, list(sheet.iter_rows(values_only=True))
    except Exception as exc:  # noqa: BLE001 - whatever openpyxl fails on (a bad zip, its XML, no worksheet), the
        # file is no workbook this service can read: the caller hears that, as a problem of the file
        raise UnreadableFile("file_format", "the file is not an .xlsx workbook (Excel 2007 or later)") from exc


def _text(cell) -> str:
    """A cell as text: a date as 2026-08-31 (Excel keeps dates as numbers formatted so), a whole number without
    its '.0', anything else as written."""
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == time() else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else str(Decimal(repr(cell)))
    return str(cell).strip()


def write_sheets(fmt: str, sheets: list[tuple[str, list[str], list[list[str]]]]) -> bytes:
    """Sheets (name, header, rows) as a file to download: .xlsx with each header in bold and every cell formatted
    as text (so that an employee number such as 0012 keeps its zeros), or the first sheet as .csv in UTF-8 with a
    byte-order mark (Excel then reads the Chinese)."""
    if fmt == CSV:
        _, header, rows = sheets[0]
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    from openpyxl import Workbook
    from openpyxl.styles import Font
    book = Workbook()
    book.remove(book.active)
    for name, header, rows in sheets:
        sheet = book.create_sheet(name)
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        for index, title in enumerate(header, start=1):
            letter = sheet.cell(row=1, column=index).column_letter
            sheet.cell(row=1, column=index).font = Font(bold=True)
            widths = [12, 2 * len(title) + 4] + [len(row[index - 1]) + 4 for row in rows]
            sheet.column_dimensions[letter].width = max(widths)
            for number in range(2, 1002):
                sheet.cell(row=number, column=index).number_format = "@"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
