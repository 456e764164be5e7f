"""The files of quarantined rows sent back to each provincial office (CSV and XLSX): what the
officer needs first (file, row, column as their sheet names it, the value as sent, the problem
in Thai and English), then the codes the data team works with. Headers are Thai / English; the
XLSX has fitted widths, a frozen header and a filter."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from thanrak.contract.declarations import Contract, load_contract
from thanrak.contract.rules import DECLARED_KINDS

# A quarantined reason as gather() reads it: one row of the file, one rule it failed.
REASON_FIELDS = (
    "province_code", "dataset", "file", "row", "rule", "column", "value", "message_th", "message_en",
)  # fmt: skip


@dataclass(frozen=True)
class DownloadColumn:
    field: str
    th: str
    en: str
    width: int  # the widest a column grows to, in characters; long messages wrap

    @property
    def header(self) -> str:
        return f"{self.th} / {self.en}"


DOWNLOAD_COLUMNS = (
    DownloadColumn("file", "ไฟล์", "file", 40),
    DownloadColumn("row", "แถวที่", "row", 8),
    DownloadColumn("column_th", "คอลัมน์", "column", 28),
    DownloadColumn("value", "ค่าที่ส่งมา", "value as sent", 30),
    DownloadColumn("message_th", "ปัญหา", "problem (Thai)", 60),
    DownloadColumn("message_en", "ปัญหา (อังกฤษ)", "problem", 60),
    DownloadColumn("dataset_th", "ชุดข้อมูล", "dataset", 30),
    DownloadColumn("province_code", "รหัสจังหวัด", "province code", 10),
    DownloadColumn("rule", "รหัสกฎ", "rule code", 24),
    DownloadColumn("column", "รหัสคอลัมน์", "column code", 20),
)
QUARANTINE_COLUMNS = tuple(c.field for c in DOWNLOAD_COLUMNS)
QUARANTINE_HEADERS = tuple(c.header for c in DOWNLOAD_COLUMNS)


def download_rows(reasons: list[tuple]) -> list[tuple]:
    """gather()'s reasons as the download's rows: the column's Thai header and the dataset's
    Thai title from the contract beside their codes, and the value as the officer typed it."""
    rows = []
    for reason in reasons:
        record = dict(zip(REASON_FIELDS, reason, strict=True))
        contract = load_contract(record["dataset"])
        column = record["column"]
        record["column_th"] = contract.column(column).th if column in contract.column_names else column
        record["dataset_th"] = contract.title_th
        record["value"] = shown_value(contract, record["rule"], record["value"])
        rows.append(tuple(record[field] for field in QUARANTINE_COLUMNS))
    return rows


def shown_value(contract: Contract, rule: str, value: object) -> object:
    """A rule across columns keeps every value it compared, by column: shown as the officer's
    headers with their values ('ชุดตัวชี้วัด: จปฐ. ปี ๒๕๖๖-๒๕๗๐; จำนวนข้อที่กรอก: 37'), not as
    the JSON it is stored in. Any other value is as sent ('' when nothing was)."""
    if value is None:
        return ""
    if not isinstance(value, dict):
        return value
    declared = next((r for r in contract.rules if r.name == rule), None)
    labels = DECLARED_KINDS[declared.kind].value_labels if declared else {}

    def label(name: str) -> str:
        return contract.column(name).th if name in contract.column_names else labels.get(name, (name,))[0]

    columns = contract.column_names  # the file's columns first, in the file's order
    names = sorted(value, key=lambda name: columns.index(name) if name in columns else len(columns))
    return "; ".join(f"{label(name)}: {'' if value[name] is None else value[name]}" for name in names)


def write_downloads(folder: Path, province: str, rows: list[tuple]) -> list[Path]:
    """quarantine-<province>.csv and .xlsx in folder, from download_rows()."""
    csv_path, xlsx_path = folder / f"quarantine-{province}.csv", folder / f"quarantine-{province}.xlsx"
    _write_csv(csv_path, rows)
    _write_xlsx(xlsx_path, rows)
    return [csv_path, xlsx_path]


# A spreadsheet reads a cell whose text starts with one of these as a formula (OWASP, "CSV
# Injection"): `=HYPERLINK(...)`, `=cmd|'/c calc'!A1`, `+1+1`, `-1+1`, `@SUM(...)`; tab and
# carriage return because Excel strips them and then reads what follows.
FORMULA_LEADERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBERS = (int, float, decimal.Decimal)  # bool is an int: written as is, never read as a formula
_NOT_TEXT = (*_NUMBERS, dt.date, dt.time)  # dt.datetime is a dt.date
# Characters XML 1.0 (so XLSX) cannot hold; openpyxl refuses them.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def spreadsheet_cell(value: object) -> tuple[object, bool]:
    """A download cell as (value, quoted), the one decision both downloads follow: numbers,
    dates and None stay what they are (quoted is False), so -500 stays the number -500;
    anything else is text (str), and quoted says it starts with a formula leader, so a
    spreadsheet must be told it is text: a leading "'" in the CSV (OWASP's advice), a
    string cell with Excel's quote prefix in the XLSX. Text that merely looks like a
    negative number ("-500" as typed) is text, and quoted like any other."""
    if value is None or isinstance(value, _NOT_TEXT):
        return value, False
    text = str(value)
    return text, text.startswith(FORMULA_LEADERS)


def _csv_cell(value: object) -> object:
    value, quoted = spreadsheet_cell(value)
    return "'" + value if quoted else value


def _write_csv(path: Path, rows: list[tuple]) -> None:
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(QUARANTINE_HEADERS)
    out.writerows([_csv_cell(v) for v in row] for row in rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")  # BOM: Excel shows Thai


def _write_xlsx(path: Path, rows: list[tuple]) -> None:
    """Every text cell a string cell (never data type "f", so nothing is evaluated, whatever
    it starts with), with the quote prefix where it starts with a formula leader so that
    editing it in Excel keeps it text; numbers stay numeric cells. Each column as wide as its
    longest cell up to its limit (longer text wraps), the header frozen, a filter on it."""
    import openpyxl
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "แถวที่ไม่ผ่าน"
    widths = [_display_width(c.header) for c in DOWNLOAD_COLUMNS]
    for r, row in enumerate([QUARANTINE_HEADERS, *rows], start=1):
        for c, raw in enumerate(row, start=1):
            value, quoted = spreadsheet_cell(raw)
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, str):
                cell.value = _XML_ILLEGAL.sub("\ufffd", value)
                cell.data_type = "s"  # openpyxl makes any "=..." a formula: undo that
                cell.quotePrefix = quoted
            else:
                cell.value = value
            if value is not None:
                widths[c - 1] = max(widths[c - 1], _display_width(str(value)))
    for c, column in enumerate(DOWNLOAD_COLUMNS, start=1):
        letter = get_column_letter(c)
        sheet.column_dimensions[letter].width = min(widths[c - 1], column.width) + 2
        if widths[c - 1] > column.width:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=c, max_col=c):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    workbook.save(path)


def _display_width(text: str) -> int:
    """Characters a cell shows side by side: Thai vowel and tone marks above or below a
    consonant (category Mn) take no width of their own."""
    return max(
        (sum(unicodedata.category(ch) != "Mn" for ch in line) for line in text.splitlines()), default=0
    )
