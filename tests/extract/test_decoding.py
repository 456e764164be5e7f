"""Issue 11, defects 1 and 4: decoding is honest and whole-file. No control character reaches a
value (a NUL past the first 4 KiB included), a damaged UTF-8 file is never re-read as cp874,
UTF-16 and `;` / tab / `|` files are read, Thai digits in free text are kept as typed, and a
formula Excel never calculated is not an empty cell."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import openpyxl
import pandas as pd
import pytest

from thanrak.contract.declarations import load_contract
from thanrak.contract.messages import FILE_PROBLEMS, MESSAGES
from thanrak.demo.generator import example_csv
from thanrak.extract.frame import PROBLEMS, SOURCE_ROW, FileRejected, extract
from thanrak.settings import PROJECT_ROOT

BUDGET = load_contract("budget_disbursement")
ACTIVITIES = load_contract("activities")


def budget_lines(rows: int = 60) -> list[str]:
    """Clean budget rows as the generator writes them: header + `rows` lines, UTF-8 text."""
    return example_csv(BUDGET, rows=rows).split("\n")


def problems(frame: pd.DataFrame, row: int) -> list[dict]:
    found = frame.loc[frame[SOURCE_ROW] == row, PROBLEMS].iloc[0]
    return [] if pd.isna(found) else json.loads(found)


def rejected(data: bytes, name: str = "x.csv", contract=BUDGET) -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        extract(data, name, contract)
    assert caught.value.message_th and caught.value.message_en
    return caught.value


def with_cell(line: str, position: int, value: str) -> str:
    cells = next(csv.reader([line]))
    cells[position] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# 1. Control characters (NUL first): never in a value, always a verdict


@pytest.mark.parametrize("control", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f"])
def test_a_control_character_in_a_text_cell_past_4_kib_quarantines_that_row_only(control):
    lines = budget_lines()
    assert len("\n".join(lines[:40]).encode()) > 4096  # the old check looked at 4 KiB only
    name = next(csv.reader([lines[40]]))[1]
    lines[40] = with_cell(lines[40], 1, f"ab{control}cd")
    extracted = extract("\n".join(lines).encode(), "x.csv", BUDGET)
    frame = extracted.frame
    assert extracted.rows == 60  # nothing dropped
    shown = f"ab{chr(0x2400 + ord(control))}cd"  # ␀ ␁ …: the control made visible
    assert frame.loc[frame[SOURCE_ROW] == 41, "project_name"].iloc[0] == shown
    [problem] = problems(frame, 41)
    assert (problem["rule"], problem["column"], problem["value"]) == (
        "control_character",
        "project_name",
        shown,
    )
    assert "␀" in problem["message_th"] and "control" in problem["message_en"]
    assert frame[PROBLEMS].notna().sum() == 1
    assert name  # the other rows are as sent
    for column in BUDGET.column_names:
        values = frame[column].dropna().astype(str)
        assert not values.str.contains(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", regex=True).any(), column


@pytest.mark.parametrize(
    ("position", "other_rule"),
    [(0, None), (4, "not_a_number"), (3, "not_a_month"), (2, None)],
    ids=["patterned-id", "decimal", "month", "area-code"],
)
def test_a_nul_in_a_number_date_or_code_cell_is_a_row_problem_too(position, other_rule):
    lines = budget_lines()
    original = next(csv.reader([lines[50]]))[position]
    lines[50] = with_cell(lines[50], position, original[:2] + "\x00" + original[2:])
    frame = extract("\n".join(lines).encode(), "x.csv", BUDGET).frame
    found = problems(frame, 51)
    assert ("control_character", BUDGET.column_names[position]) in {(p["rule"], p["column"]) for p in found}
    assert all("\x00" not in json.dumps(p) and "\\u0000" not in json.dumps(p) for p in found)
    if other_rule:
        assert other_rule in {p["rule"] for p in found}
    assert not any("\x00" in str(value) for value in frame.to_numpy().ravel())


def _saved(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_nul_in_the_header_line_rejects_the_file_as_damaged():
    lines = budget_lines()
    lines[0] = lines[0].replace(",", ",\x00", 1)
    problem = rejected("\n".join(lines).encode())
    assert problem.reason == "corrupt_file"
    assert "NUL" in problem.message_en and "NUL" in problem.message_th


@pytest.mark.parametrize(
    "spoil",
    [
        lambda data: data[:6000] + bytes(4096) + data[6000:],  # a zero-filled block
        lambda data: data[:6000] + b"\x00\x01\x02\x03" * 400 + data[6000:],  # binary garbage
        lambda data: bytes(b if i % 7 else 0 for i, b in enumerate(data)),  # NULs everywhere
    ],
    ids=["zero-block", "binary-run", "nul-everywhere"],
)
def test_a_file_full_of_control_bytes_is_rejected_as_damaged_naming_where(spoil):
    problem = rejected(spoil("\n".join(budget_lines()).encode()))
    assert problem.reason == "corrupt_file"
    assert "line" in problem.message_en and "บรรทัด" in problem.message_th
    assert "CSV UTF-8" in problem.message_en


def test_a_dos_end_of_file_mark_is_not_a_row():
    data = "\r\n".join(budget_lines(5)).encode() + b"\r\n\x1a"
    extracted = extract(data, "x.csv", BUDGET)
    assert extracted.rows == 5 and extracted.frame[PROBLEMS].isna().all()


# ---------------------------------------------------------------------------------------------
# 4a. Honest decoding


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["utf-8", "utf-8-bom"])
@pytest.mark.parametrize("bad", [b"\xff", b"\xe0\xb8", b"\xc3(", b"\xfc\xfd\xfe\xff"])
def test_utf8_with_one_invalid_sequence_is_rejected_naming_where_never_read_as_cp874(bom, bad):
    text = "\n".join(budget_lines()).encode()
    at = text.index(b"\n", 3000) + 5  # after the first four bytes of a line
    line = text.count(b"\n", 0, at) + 1
    problem = rejected(bom + text[:at] + bad + text[at:])
    assert problem.reason == "unreadable_encoding"
    assert f"line {line}, byte 5 of the line" in problem.message_en
    assert f"บรรทัดที่ {line} ไบต์ที่ 5" in problem.message_th
    assert "UTF-8" in problem.message_en and "CSV UTF-8" in problem.message_en


def test_ascii_utf8_with_one_latin1_byte_is_rejected_too():
    data = "\n".join(budget_lines()).encode()
    data = data.replace("หมู่บ้าน".encode(), b"Caf\xe9", 1)  # a Latin-1 e-acute in UTF-8 text
    assert rejected(data).reason == "unreadable_encoding"


def test_a_latin1_file_is_not_plausible_cp874_and_is_rejected():
    header = ",".join(c.en for c in BUDGET.columns)
    row = "P-0001,Caf\xe9 cr\xe8me br\xfbl\xe9e r\xe9gionale \xe0 la fran\xe7aise,3032,11/2569,1000,0,500,0"
    data = f"{header}\n{row}\n".encode("latin-1").replace(b"\xfb", b"u")  # 0xFB is Thai in cp874
    problem = rejected(data)
    assert problem.reason == "unreadable_encoding"
    assert "Windows-874" in problem.message_en


def test_genuine_cp874_with_doubled_vowels_and_typos_is_still_cp874():
    lines = budget_lines()
    lines[5] = with_cell(lines[5], 1, "กุุสุมาลย์ เเก้วตา")  # doubled sara u, เเ typed for แ
    extracted = extract("\r\n".join(lines).encode("cp874", "ignore"), "x.csv", BUDGET)
    assert extracted.encoding == "cp874"
    assert extracted.frame.loc[extracted.frame[SOURCE_ROW] == 6, "project_name"].iloc[0] == "กุุสุมาลย์ เเก้วตา"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("delimiter", ["\t", ","])
def test_utf16_with_a_bom_is_read_tab_or_comma_separated(codec, delimiter):
    lines = budget_lines()
    rows = [next(csv.reader([line])) for line in lines]
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    text = out.getvalue()
    data = text.encode(codec) if codec == "utf-16" else "\ufeff".encode(codec) + text.encode(codec)
    extracted = extract(data, "x.csv", BUDGET)
    expected = extract("\n".join(lines).encode(), "x.csv", BUDGET)
    assert extracted.encoding == "utf-16"
    pd.testing.assert_frame_equal(extracted.frame, expected.frame)


def test_utf16_without_a_bom_is_rejected_as_such():
    problem = rejected("\n".join(budget_lines()).encode("utf-16-le"))
    assert problem.reason == "unreadable_encoding"
    assert "UTF-16" in problem.message_en and "UTF-16" in problem.message_th


# ---------------------------------------------------------------------------------------------
# 4b. Delimiters


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp874"])
def test_semicolon_tab_and_pipe_files_read_like_the_comma_file(delimiter, encoding):
    lines = example_csv(ACTIVITIES, rows=40).split("\n")  # partner sectors hold ';': quoted
    rows = [next(csv.reader([line])) for line in lines]
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = out.getvalue().encode(encoding, "ignore")
    comma = "\r\n".join(lines).encode(encoding, "ignore")
    extracted, expected = extract(data, "x.csv", ACTIVITIES), extract(comma, "x.csv", ACTIVITIES)
    assert extracted.encoding == expected.encoding
    assert extracted.rows == 40
    pd.testing.assert_frame_equal(extracted.frame, expected.frame)


def test_a_header_that_fits_no_delimiter_is_reported_as_sent():
    problem = rejected(b"name;age|place\nx;1|y\n")
    assert problem.reason == "corrupt_file"


def test_a_comma_file_whose_header_holds_a_semicolon_stays_a_comma_file():
    lines = budget_lines(5)
    lines[0] += ",หมายเหตุ; ผู้กรอก"  # a column the contract does not know
    extracted = extract("\n".join(lines).encode(), "x.csv", BUDGET)
    assert extracted.rows == 5 and extracted.frame[PROBLEMS].isna().all()


# ---------------------------------------------------------------------------------------------
# 4c. Thai digits: as typed in free text, normalised where a number, date, code or id is expected


def test_thai_digits_in_free_text_are_stored_as_typed():
    lines = budget_lines(5)
    cells = next(csv.reader([lines[1]]))
    cells[0] = "PC๓๐๒๖๑๑-๐๐๐๐๐๑"  # a patterned id: digits normalised
    cells[1] = "หมู่ที่ ๙ บ้านโนน๑๒\u200b"  # free text: digits kept, the zero-width space removed
    cells[2] = "๓๐๓๒"  # an area code
    cells[3] = "๑๑/๒๕๖๙"  # a month
    cells[4] = "๑,๐๐๐.๕๐"  # a number
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(cells)
    lines[1] = out.getvalue()
    row = extract("\n".join(lines).encode(), "x.csv", BUDGET).frame.iloc[0]
    assert row["project_name"] == "หมู่ที่ ๙ บ้านโนน๑๒"
    assert row["project_code"] == "PC302611-000001"
    assert row["unit_code"] == "3032"
    assert str(row["budget_month"]) == "2026-11-01"
    assert row["allocated_baht"] == 1000.5
    assert pd.isna(row[PROBLEMS])


def test_free_text_keeps_its_digits_in_xlsx_too():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([c.th for c in BUDGET.columns])
    sheet.append(["P-๐๐๑", "บ้านโนน๑๒ หมู่ ๙", "๓๐๓๒", "๑๑/๒๕๖๙", "๑๐๐", 0, 0, 0])
    row = extract(_saved(workbook), "x.xlsx", BUDGET).frame.iloc[0]
    assert (row["project_code"], row["project_name"], row["unit_code"]) == ("P-001", "บ้านโนน๑๒ หมู่ ๙", "3032")
    assert row["allocated_baht"] == 100


# ---------------------------------------------------------------------------------------------
# 4d. XLSX formulas with no saved value


def _activity_row(activity_id: str, participants, households, budget, disbursed) -> list:
    """One activity of tambon 300101 in November 2569, as a workbook row."""
    return [activity_id, "300101", "05/11/2569", "1", "ต้นทาง", "เกษตร", "OTOP", "ภาครัฐ",
            participants, households, budget, disbursed]  # fmt: skip


def _activities_workbook(budget: object, scratch: object = None) -> openpyxl.Workbook:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "กิจกรรม"
    sheet.cell(1, 1, "แบบรายงานกิจกรรม")
    sheet.append([])
    sheet.append([c.th for c in ACTIVITIES.columns])
    for number, value in enumerate([budget, 500], 1):
        sheet.append(_activity_row(f"A-00{number}", 25, 10, value, 100))
    if scratch is not None:
        sheet["P4"] = scratch  # a scratch cell beside the table
    return workbook


def test_a_formula_with_no_saved_value_rejects_the_workbook_naming_the_cell():
    problem = rejected(_saved(_activities_workbook("=1000*2")), "x.xlsx", ACTIVITIES)
    assert problem.reason == "formula_without_value"
    assert "K4" in problem.message_en and "K4" in problem.message_th
    assert "Excel" in problem.message_en and "Excel" in problem.message_th


def test_many_formulas_with_no_value_are_counted_not_all_listed():
    workbook = _activities_workbook("=1+1")
    for row in range(6, 20):
        workbook.active.append(_activity_row(f"A-{row:03d}", 1, 1, f"=K4+{row}", 1))
    problem = rejected(_saved(workbook), "x.xlsx", ACTIVITIES)
    assert "(15)" in problem.message_en


def test_a_formula_outside_the_contract_columns_is_not_a_problem():
    frame = extract(_saved(_activities_workbook(2000, scratch="=SUM(K4:K5)")), "x.xlsx", ACTIVITIES).frame
    assert frame["budget_baht"].tolist() == [2000, 500]


def test_a_formula_excel_calculated_and_saved_is_read_as_its_value():
    data = _saved(_activities_workbook("=1000*2"))
    cached = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(cached, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename.startswith("xl/worksheets/"):  # what Excel writes when it saves
                content = re.sub(rb"(<f>1000\*2</f>)<v\s*/>", rb"\1<v>2000</v>", content)
            target.writestr(item, content)
    frame = extract(cached.getvalue(), "x.xlsx", ACTIVITIES).frame
    assert frame["budget_baht"].tolist() == [2000, 500]
    assert frame[PROBLEMS].isna().all()


# ---------------------------------------------------------------------------------------------
# Messages


def test_the_new_reasons_are_bilingual_published_and_say_what_to_do():
    document = (PROJECT_ROOT / "docs" / "submission-contract.md").read_text()
    for key in ("unreadable_encoding", "formula_without_value", "control_character"):
        th, en = MESSAGES[key]
        assert th and en
        assert f"`{key}`" in document, key
    assert "CSV UTF-8" in FILE_PROBLEMS["unreadable_encoding"][1]
    assert "save it" in FILE_PROBLEMS["formula_without_value"][1]


@pytest.mark.parametrize("forbidden", [b"&#1;", b"&#0;", b"\x01"])
def test_an_xlsx_cell_with_a_character_xml_forbids_rejects_the_workbook_as_damaged(forbidden):
    workbook = openpyxl.Workbook()
    workbook.active.append([c.th for c in BUDGET.columns])
    workbook.active.append(["P-001", "abXYZcd", "3032", "11/2569", 100, 0, 0, 0])
    spoilt = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_saved(workbook))) as source, zipfile.ZipFile(spoilt, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            target.writestr(item, content.replace(b"XYZ", forbidden))  # openpyxl cannot write it
    assert rejected(spoilt.getvalue(), "x.xlsx").reason == "corrupt_file"
