"""The files sent back to provincial offices hold what was typed, and nothing a spreadsheet would
evaluate: a value starting with = + - @ tab or CR (OWASP, CSV injection) is quoted text in the
CSV ("'" first) and a string cell in the XLSX; numbers stay numbers. The HTML page escapes."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import os
import re

import openpyxl
import psycopg
import pytest

from thanrak.contract.declarations import load_contract
from thanrak.demo.generator import generate_night
from thanrak.pipeline import Stages
from thanrak.report.downloads import (
    FORMULA_LEADERS,
    QUARANTINE_COLUMNS,
    QUARANTINE_HEADERS,
    spreadsheet_cell,
)
from thanrak.report.html_report import write_html_report
from thanrak.settings import Settings

NIGHT = dt.date(2026, 11, 22)
PAYLOADS = [
    '=HYPERLINK("http://x","y")',
    "=cmd|'/c calc'!A1",
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
]
MARKUP = "<img src=x onerror=alert(1)>"
VALUE, ROW = QUARANTINE_COLUMNS.index("value"), QUARANTINE_COLUMNS.index("row")
MESSAGE_EN = QUARANTINE_COLUMNS.index("message_en")


def _markup(path) -> str:
    """The page without its scripts (the inline Vega libraries hold markup of their own)."""
    return re.sub(r"<script[^>]*>.*?</script>", "", path.read_text(encoding="utf-8"), flags=re.S)


def _csv_rows(path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:  # a CR inside a cell stays a CR
        return list(csv.reader(file))


def _assert_csv_inert(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_LEADERS), cell


def _assert_xlsx_has_no_formula(sheet) -> None:
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)


# -- through the real pipeline ------------------------------------------------------------------


@pytest.fixture(scope="module")
def night(warehouse, tmp_path_factory):
    """One OTOP file for province 30 whose producer types are formula payloads (not in the code
    list, so quarantined with the value as sent) and one revenue typed as -500 (below the
    minimum), loaded, built and reported like any night."""
    settings = Settings.in_folder(tmp_path_factory.mktemp("var"), warehouse)
    generated = generate_night(
        settings.landing_dir, NIGHT, provinces=["30"], datasets=("otop_sales",),
        scale=0.05, defect_rate=0, file_defects=0, xlsx_share=0,
    )  # fmt: skip
    path = settings.landing_dir / generated.files[0]
    stat = path.stat()
    try:  # the generator picks the office's encoding and headers; columns in contract order
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_bytes().decode("cp874")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    columns = load_contract("otop_sales").column_names
    producer_type, revenue = columns.index("producer_type"), columns.index("revenue_baht")
    assert len(rows[0]) == len(columns)
    spoilt = [*PAYLOADS, MARKUP]
    assert len(rows) > len(spoilt) + 2
    for row, payload in zip(rows[1:], spoilt, strict=False):
        row[producer_type] = payload
    rows[len(spoilt) + 1][revenue] = "-500"
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
    os.utime(path, (stat.st_atime, stat.st_mtime))  # delivered when it was

    stages = Stages(warehouse, settings)
    for batch in stages.discover_by_province("test", NIGHT):
        stages.process_batch("test", NIGHT, batch)
    stages.build_marts("test", NIGHT)
    stages.write_report("test", NIGHT)
    with psycopg.connect(warehouse) as conn:
        values = [
            value
            for (value,) in conn.execute(
                """select coalesce(r ->> 'value', '') from quarantine.row q
                   join ops.submission s using (submission_id), jsonb_array_elements(q.reasons) r
                   where s.night = %s and s.province_code = '30'""",
                (NIGHT,),
            )
        ]
    return settings.reports_dir / NIGHT.isoformat(), values


def test_the_payloads_reached_the_quarantine_as_sent(night):
    _, values = night
    for payload in PAYLOADS[:5]:
        assert payload in values
    assert any(v.lstrip("\t").startswith("=1+1") for v in values)  # the tab case, trimmed or not
    assert any(v.startswith("-500") for v in values)


def test_the_csv_quotes_every_formula_leading_cell_and_keeps_the_text(night):
    folder, values = night
    rows = _csv_rows(folder / "quarantine" / "quarantine-30.csv")
    assert rows[0] == list(QUARANTINE_HEADERS)
    _assert_csv_inert(rows)
    written = [row[VALUE] for row in rows[1:]]
    assert sorted(written) == sorted("'" + v if v.startswith(FORMULA_LEADERS) else v for v in values)
    for payload in PAYLOADS[:5]:
        assert "'" + payload in written
    assert any(v.startswith("'-500") for v in written)  # typed text, so quoted like any text


def test_the_xlsx_holds_text_as_string_cells_and_rows_as_numbers(night):
    folder, values = night
    sheet = openpyxl.load_workbook(folder / "quarantine" / "quarantine-30.xlsx").active
    _assert_xlsx_has_no_formula(sheet)
    cells = [row[VALUE] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for cell in cells if cell.value)
    assert sorted(cell.value or "" for cell in cells) == sorted(values)
    for payload in PAYLOADS[:5]:
        (cell,) = (c for c in cells if c.value == payload)
        assert cell.quotePrefix  # editing it in Excel keeps it text
    row_numbers = [row[ROW] for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "n" and isinstance(cell.value, int) for cell in row_numbers)


def test_the_page_escapes_what_was_sent(night):
    folder, _ = night
    page = _markup(folder / "report.html")
    assert "<img" not in page and "onerror=alert(1)>" not in page


# -- the report functions, with values the pipeline cannot make ---------------------------------

TEXTS = [*PAYLOADS, "\r=1+1", "-500", "+66 81 234 5678", "@home", "'already quoted", "ปกติ", ""]
NUMBERS = [-500, decimal.Decimal("-1.50"), -0.25, 0, 12]


def _data(rows: list[tuple]) -> dict:
    return {
        "night": NIGHT,
        "regions": [
            {
                "th": "ภาคตะวันออกเฉียงเหนือ",
                "en": "Northeast",
                "provinces": [{"code": "30", "th": "นครราชสีมา", "en": "Nakhon Ratchasima"}],
            }
        ],
        "datasets": [("otop_sales", "ยอดจำหน่ายผลิตภัณฑ์ OTOP", "OTOP sales", 10)],
        "period": f"{NIGHT:%Y-%m}",
        "previous_period": f"{NIGHT.replace(day=1) - dt.timedelta(days=1):%Y-%m}",
        "matrix": {
            ("30", "otop_sales"): ("on_time", (NIGHT.replace(day=1) + dt.timedelta(days=40)).replace(day=10))
        },
        "previous_matrix": {},
        "totals": dict.fromkeys(
            (
                "slots",
                "files",
                "loaded",
                "rejected",
                "redeliveries",
                "rows",
                "rows_loaded",
                "rows_quarantined",
                "rows_rejected",
            ),
            1,
        ),  # fmt: skip
        "top_rules": [],
        "trend": [],
        "rejected_files": [("30", "otop_sales", MARKUP, MARKUP, "=1+1")],
        "quarantined": rows,
        "anomalies": [],
        "anomaly_history": {},
    }


@pytest.fixture
def written(tmp_path):
    rows = [
        ("30", "otop_sales", "f.csv", i, "rule", "col", text, MARKUP, text) for i, text in enumerate(TEXTS)
    ]
    rows += [
        ("30", "otop_sales", "f.csv", 100 + i, "rule", "col", n, "ข้อความ", "message")
        for i, n in enumerate(NUMBERS)
    ]
    write_html_report(_data(rows), tmp_path)
    return tmp_path, rows


def test_one_decision_for_both_downloads():
    assert spreadsheet_cell(-500) == (-500, False)
    assert spreadsheet_cell(decimal.Decimal("-1.5")) == (decimal.Decimal("-1.5"), False)
    assert spreadsheet_cell(None) == (None, False)
    assert spreadsheet_cell(NIGHT) == (NIGHT, False)
    assert spreadsheet_cell("-500") == ("-500", True)
    for leader in FORMULA_LEADERS:
        assert spreadsheet_cell(leader + "x") == (leader + "x", True)
    assert spreadsheet_cell(" =1") == (" =1", False)
    assert spreadsheet_cell("ก=1") == ("ก=1", False)


def test_csv_text_is_quoted_and_numbers_are_not(written):
    folder, rows = written
    lines = _csv_rows(folder / "quarantine" / "quarantine-30.csv")[1:]
    _assert_csv_inert([line[:VALUE] + line[VALUE + 1 :] for line in lines[len(TEXTS) :]])
    _assert_csv_inert(lines[: len(TEXTS)])
    for line, text in zip(lines, TEXTS, strict=False):
        expected = "'" + text if text.startswith(FORMULA_LEADERS) else text
        assert line[VALUE] == expected and line[MESSAGE_EN] == expected
    assert [line[VALUE] for line in lines[len(TEXTS) :]] == ["-500", "-1.50", "-0.25", "0", "12"]
    assert [line[ROW] for line in lines] == [str(r[3]) for r in rows]


def test_xlsx_text_is_string_cells_and_numbers_are_numeric_cells(written):
    folder, _ = written
    sheet = openpyxl.load_workbook(folder / "quarantine" / "quarantine-30.xlsx").active
    _assert_xlsx_has_no_formula(sheet)
    lines = list(sheet.iter_rows(min_row=2))
    for line, text in zip(lines, TEXTS, strict=False):
        cell = line[VALUE]
        # XML normalises a carriage return to a line feed; everything else is as written
        assert cell.value == (text.replace("\r", "\n") or None)
        assert cell.data_type == "s" or text == ""
        assert cell.quotePrefix == text.startswith(FORMULA_LEADERS)
    numbers = [line[VALUE] for line in lines[len(TEXTS) :]]
    assert [c.value for c in numbers] == [-500, -1.5, -0.25, 0, 12]
    assert all(c.data_type == "n" for c in numbers)


def test_the_page_escapes_every_text(written):
    folder, _ = written
    page = _markup(folder / "report.html")
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_characters_xml_cannot_hold_do_not_stop_the_xlsx(tmp_path):
    rows = [("30", "otop_sales", "f.csv", 1, "rule", "col", "=a\x0bb\x00", "ข้อความ", "message")]
    write_html_report(_data(rows), tmp_path)
    (line,) = _csv_rows(tmp_path / "quarantine" / "quarantine-30.csv")[1:]
    assert line[VALUE] == "'=a\x0bb\x00"
    sheet = openpyxl.load_workbook(tmp_path / "quarantine" / "quarantine-30.xlsx").active
    cell = sheet.cell(row=2, column=VALUE + 1)
    assert (cell.value, cell.data_type) == ("=a\ufffdb\ufffd", "s")
