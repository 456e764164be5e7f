"""Reading provincial files as offices really make them: workbooks built by hand with openpyxl
(banner rows, Thai sheet names, cover sheets, merged cells, total and blank rows, real date
cells, Excel serials, error cells), unusable files, and CSV cases the fast reader cannot take."""

from __future__ import annotations

import datetime as dt
import io
import json
import random

import openpyxl
import pandas as pd
import pytest

from thanrak.contract.declarations import load_contract
from thanrak.extract import readers
from thanrak.extract.frame import PROBLEMS, SOURCE_ROW, FileRejected, extract

ACTIVITIES = load_contract("activities")
BUDGET = load_contract("budget_disbursement")
THAI_HEADER = [c.th for c in ACTIVITIES.columns]


def activity(
    activity_id: str,
    *,
    tambon: object = "300101",
    day: object = "05/11/2569",
    participants: object = 25,
    budget: object = 12500.5,
    disbursed: object = 10000,
) -> list[object]:
    """One activities row in contract column order."""
    return [
        activity_id,
        tambon,
        day,
        "1",
        "ต้นทาง",
        "เกษตร",
        "OTOP",
        "ภาครัฐ;ภาคเอกชน",
        participants,
        10,
        budget,
        disbursed,
    ]


def workbook_bytes(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_with_rows(sheet, first_row: int, rows: list[list[object]]) -> None:
    for offset, row in enumerate(rows):
        for column, value in enumerate(row, 1):
            if value is not None:
                sheet.cell(first_row + offset, column, value)


def office_workbook(rows: list[list[object]], *, header_row: int = 4) -> openpyxl.Workbook:
    """A workbook as provincial offices make them: a Thai sheet name, a title merged across
    every column on row 1, a note on row 2 and the header on `header_row`."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "กิจกรรม 5 ฟันเฟือง นครราชสีมา"
    sheet.cell(1, 1, "แบบรายงานกิจกรรมขับเคลื่อนเศรษฐกิจฐานราก จังหวัดนครราชสีมา")
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(THAI_HEADER))
    sheet.cell(2, 1, "ข้อมูล ณ วันที่ 30 พฤศจิกายน 2569 (หน่วย: บาท)")
    sheet_with_rows(sheet, header_row, [THAI_HEADER])
    sheet_with_rows(sheet, header_row + 1, rows)
    return workbook


def problems_of(frame: pd.DataFrame, position: int) -> list[dict]:
    found = frame.iloc[position][PROBLEMS]
    return [] if pd.isna(found) else json.loads(found)


# ---------------------------------------------------------------------------------------------
# XLSX


def test_banner_rows_above_the_header_on_row_4_of_a_thai_named_sheet_are_not_data():
    workbook = office_workbook([activity("A-001"), activity("A-002", participants=40)])
    extracted = extract(workbook_bytes(workbook), "30/activities/2026-11/act.xlsx", ACTIVITIES)
    frame = extracted.frame
    assert extracted.file_format == "xlsx"
    assert extracted.encoding is None
    assert frame["activity_id"].tolist() == ["A-001", "A-002"]
    assert frame[SOURCE_ROW].tolist() == [5, 6]
    assert frame["tambon_code"].tolist() == ["300101", "300101"]
    assert frame["participants"].tolist() == [25, 40]
    assert frame["budget_baht"].tolist() == [12500.5, 12500.5]
    assert str(frame.iloc[0]["activity_date"]) == "2026-11-05"
    assert frame[PROBLEMS].isna().all()


def test_the_data_sheet_need_not_be_the_first_sheet():
    workbook = openpyxl.Workbook()
    cover = workbook.active
    cover.title = "ปก"
    cover.cell(1, 1, "รายงานผลการดำเนินงาน ประจำเดือนพฤศจิกายน 2569")
    cover.cell(2, 1, "สำนักงานพัฒนาชุมชนจังหวัดนครราชสีมา")
    cover.cell(3, 1, "ผู้รายงาน")
    cover.cell(3, 2, "นางสาวสมศรี ใจดี")
    data = workbook.create_sheet("ข้อมูล")
    sheet_with_rows(data, 1, [THAI_HEADER, activity("A-001"), activity("A-002")])
    frame = extract(workbook_bytes(workbook), "x.xlsx", ACTIVITIES).frame
    assert frame["activity_id"].tolist() == ["A-001", "A-002"]
    assert frame[SOURCE_ROW].tolist() == [2, 3]


def test_total_rows_and_blank_rows_are_skipped_and_row_numbers_stay_the_excel_rows():
    rows = [
        activity("A-001"),  # row 5
        activity("A-002"),  # row 6
        [None] * len(THAI_HEADER),  # row 7: blank
        activity("A-003"),  # row 8
        ["รวม", None, None, None, None, None, None, None, 75, 30, 37501.5, 30000],  # row 9
        [None, "รวมทั้งสิ้น", None, None, None, None, None, None, 75, 30, 37501.5, 30000],  # row 10
    ]
    extracted = extract(workbook_bytes(office_workbook(rows)), "x.xlsx", ACTIVITIES)
    assert extracted.frame["activity_id"].tolist() == ["A-001", "A-002", "A-003"]
    assert extracted.frame[SOURCE_ROW].tolist() == [5, 6, 8]
    assert extracted.total_rows_skipped == 2
    assert extracted.frame[PROBLEMS].isna().all()


def test_a_vertically_merged_area_code_applies_to_every_row_of_the_merge():
    rows = [
        activity("A-001", tambon="300102"),
        activity("A-002", tambon=None),
        activity("A-003", tambon=None),
    ]
    rows.append(activity("A-004", tambon="300103"))
    workbook = office_workbook(rows)
    workbook.active.merge_cells("B5:B7")
    frame = extract(workbook_bytes(workbook), "x.xlsx", ACTIVITIES).frame
    assert frame["tambon_code"].tolist() == ["300102", "300102", "300102", "300103"]
    assert frame[SOURCE_ROW].tolist() == [5, 6, 7, 8]


def test_real_excel_date_cells_are_ce_and_never_shifted_by_543():
    """A date cell holds a CE serial whatever it shows: in Thai Excel 2026-11-05 displays as
    5/11/2569, and must still come out 2026-11-05 (not 1483 or 2569)."""
    rows = [activity("A-001", day=dt.datetime(2026, 11, 5)), activity("A-002", day=dt.date(2026, 11, 30))]
    workbook = office_workbook(rows)
    for row in (5, 6):
        workbook.active.cell(row, 3).number_format = "[$-th-TH,107]d/m/yyyy;@"  # shown in BE
    frame = extract(workbook_bytes(workbook), "x.xlsx", ACTIVITIES).frame
    assert frame["activity_date"].tolist() == [dt.date(2026, 11, 5), dt.date(2026, 11, 30)]
    assert frame[PROBLEMS].isna().all()


def test_an_excel_serial_number_in_a_date_column_is_read_as_its_ce_date():
    rows = [activity("A-001", day=46331), activity("A-002", day="46331"), activity("A-003", day=46331.0)]
    workbook = office_workbook(rows)
    workbook.active.cell(6, 3).number_format = "@"  # a text cell holding the serial
    frame = extract(workbook_bytes(workbook), "x.xlsx", ACTIVITIES).frame
    assert frame["activity_date"].tolist() == [dt.date(2026, 11, 5)] * 3
    assert frame[PROBLEMS].isna().all()


def test_a_ref_error_in_a_number_column_becomes_a_row_problem_not_a_crash():
    workbook = office_workbook([activity("A-001", budget="#REF!"), activity("A-002")])
    frame = extract(workbook_bytes(workbook), "x.xlsx", ACTIVITIES).frame
    assert frame["activity_id"].tolist() == ["A-001", "A-002"]
    assert pd.isna(frame.iloc[0]["budget_baht"])
    assert frame.iloc[1]["budget_baht"] == 12500.5
    [problem] = problems_of(frame, 0)
    assert (problem["rule"], problem["column"], problem["value"]) == ("not_a_number", "budget_baht", "#REF!")
    assert problem["message_th"] and problem["message_en"]
    assert problems_of(frame, 1) == []


def test_an_error_cell_in_a_text_column_is_read_as_its_error_never_as_blank():
    """calamine reads error cells as empty; the reader takes them from the sheet's XML."""
    workbook = office_workbook([activity("A-001", tambon="#N/A"), activity("A-002")])
    frame = extract(workbook_bytes(workbook), "x.xlsx", ACTIVITIES).frame
    assert frame["tambon_code"].tolist() == ["#N/A", "300101"]


BUDGET_HEADER = [c.th for c in BUDGET.columns]
BUDGET_ROWS = [
    ["P-001", "รวมพลังชุมชน", "3001", "11/2569", 100000, 50000, 40000, 0],
    ["P-002", "ส่งเสริมสัมมาชีพชุมชน", "3000", "11/2569", 200000, 0, 150000, 0],
    ["P-003", "รวมใจพัฒนาหมู่บ้าน", "3002", "11/2569", 50000, 0, 0, 0],
    ["", "รวม", "", "", 350000, 50000, 190000, 0],
    ["รวมทั้งสิ้น", "", "", "", 350000, 50000, 190000, 0],
]


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_a_project_name_that_merely_starts_with_ruam_is_not_a_total_row(file_format):
    if file_format == "xlsx":
        workbook = openpyxl.Workbook()
        workbook.active.title = "เบิกจ่าย"
        sheet_with_rows(workbook.active, 1, [BUDGET_HEADER, *BUDGET_ROWS])
        data = workbook_bytes(workbook)
    else:
        lines = [BUDGET_HEADER, *BUDGET_ROWS]
        data = "\r\n".join(",".join(str(v) for v in line) for line in lines).encode()
    extracted = extract(data, f"x.{file_format}", BUDGET)
    frame = extracted.frame
    assert frame["project_name"].tolist() == ["รวมพลังชุมชน", "ส่งเสริมสัมมาชีพชุมชน", "รวมใจพัฒนาหมู่บ้าน"]
    assert frame[SOURCE_ROW].tolist() == [2, 3, 4]
    assert extracted.total_rows_skipped == 2
    assert frame["allocated_baht"].tolist() == [100000, 200000, 50000]


def _random_bytes() -> bytes:
    return random.Random(2569).randbytes(8192)


def _truncated_workbook() -> bytes:
    data = workbook_bytes(office_workbook([activity("A-001")]))
    return data[: len(data) // 2]


def _workbook_without_template_headers() -> bytes:
    workbook = openpyxl.Workbook()
    sheet_with_rows(workbook.active, 1, [["ลำดับ", "ชื่อ", "หมายเหตุ"], [1, "นาย ก", ""], [2, "นาง ข", ""]])
    workbook.create_sheet("สรุป").cell(1, 1, "ไม่มีข้อมูล")
    return workbook_bytes(workbook)


@pytest.mark.parametrize(
    "make",
    [_random_bytes, _truncated_workbook, _workbook_without_template_headers],
    ids=["random-bytes", "truncated", "no-template-headers"],
)
def test_an_unreadable_workbook_is_rejected_as_a_corrupt_file(make):
    with pytest.raises(FileRejected) as rejected:
        extract(make(), "30/activities/2026-11/act.xlsx", ACTIVITIES)
    assert rejected.value.reason == "corrupt_file"
    assert rejected.value.message_th and rejected.value.message_en


@pytest.mark.parametrize(
    "data",
    [b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), workbook_bytes(office_workbook([activity("A-001")]))],
    ids=["ole2-bytes", "xlsx-bytes-named-xls"],
)
def test_an_old_xls_workbook_is_rejected_as_an_unreadable_format(data):
    with pytest.raises(FileRejected) as rejected:
        extract(data, "30/activities/2026-11/act.xls", ACTIVITIES)
    assert rejected.value.reason == "unreadable_format"
    assert "act.xls" in rejected.value.message_en


# ---------------------------------------------------------------------------------------------
# CSV


def csv_line(values: list[object]) -> str:
    return ",".join(f'"{v}"' if "," in str(v) else str(v) for v in values)


def test_a_ragged_csv_row_is_still_read_with_the_line_numbers_the_officer_sees(monkeypatch):
    tolerant_reads = []
    tolerant = readers._read_csv_tolerant
    monkeypatch.setattr(
        readers, "_read_csv_tolerant", lambda text: tolerant_reads.append(1) or tolerant(text)
    )
    lines = [
        ",".join(THAI_HEADER),  # line 1
        csv_line(activity("A-001")),  # line 2
        csv_line(activity("A-002", participants=40)) + ",หมายเหตุเพิ่มเติม,",  # line 3: two cells too many
        "",  # line 4: blank
        csv_line(activity("A-003", participants=7)),  # line 5
    ]
    extracted = extract("\r\n".join(lines).encode(), "x.csv", ACTIVITIES)
    frame = extracted.frame
    assert frame["activity_id"].tolist() == ["A-001", "A-002", "A-003"]
    assert frame[SOURCE_ROW].tolist() == [2, 3, 5]
    assert frame["participants"].tolist() == [25, 40, 7]
    assert frame["disbursed_baht"].tolist() == [10000, 10000, 10000]
    assert frame[PROBLEMS].isna().all()
    assert tolerant_reads == [1]  # the fast columnar reader refused the file, the tolerant one read it


def test_header_spelling_variants_are_recognised():
    headers = {
        "activity_id": "activity code",  # an alias from the contract
        "tambon_code": "  รหัสต\u0e4d\u0e32บล ",  # sara am typed as nikhahit + sara aa, stray spaces
        "activity_date": "วันที่จัด  กิจกรรม",
        "gear": "ฟันเฟือง",
        "value_chain_stage": "Value-chain stage",
        "sector": "ภาคการผลิต",  # alias
        "programme": " โครงการ",
        "partner_sectors": "ภาคีเครือข่าย",  # alias
        "participants": "จ\u0e4d\u0e32นวนผู้เข้าร่วม  (คน)",
        "households_reached": "ครัวเรือนที่ได้รับประโยชน์\u200b",
        "budget_baht": "งบประมาณ (บาท) ",
        "disbursed_baht": "ผลการเบิกจ่าย",  # alias
    }
    assert list(headers) == ACTIVITIES.column_names
    data = f"{','.join(headers.values())}\n{csv_line(activity('A-001'))}\n".encode()
    frame = extract(data, "x.csv", ACTIVITIES).frame
    row = frame.iloc[0]
    assert row["activity_id"] == "A-001"
    assert row["tambon_code"] == "300101"
    assert row["activity_date"] == dt.date(2026, 11, 5)
    assert (row["gear"], row["value_chain_stage"], row["sector"]) == ("1", "upstream", "agriculture")
    assert row["programme"] == "otop"
    assert row["partner_sectors"] == "private;public"
    assert (row["participants"], row["households_reached"]) == (25, 10)
    assert (row["budget_baht"], row["disbursed_baht"]) == (12500.5, 10000)
    assert pd.isna(row[PROBLEMS])
