import pandas as pd
import pytest

from thanrak.contract.declarations import load_contract
from thanrak.extract.frame import FileRejected, extract

CONTRACT = load_contract("activities")
THAI_HEADER = ",".join(c.th for c in CONTRACT.columns)
ENGLISH_HEADER = ",".join(c.en for c in CONTRACT.columns)
GOOD_ROW = 'A-001,100101,30/11/2569,1,ต้นทาง,เกษตร,OTOP,ภาครัฐ;ภาคเอกชน,25,10,"12,500.50",10000'


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp874"])
def test_reads_utf8_bom_and_cp874(encoding):
    data = f"{THAI_HEADER}\r\n{GOOD_ROW}\r\n".encode(encoding)
    extracted = extract(data, "x.csv", CONTRACT)
    row = extracted.frame.iloc[0]
    assert extracted.encoding == encoding.replace("-sig", "")
    assert row["tambon_code"] == "100101"
    assert str(row["activity_date"]) == "2026-11-30"
    assert (row["value_chain_stage"], row["sector"], row["programme"]) == ("upstream", "agriculture", "otop")
    assert row["partner_sectors"] == "private;public"
    assert row["budget_baht"] == 12500.50
    assert pd.isna(row["_problems"])


def test_english_headers_thai_digits_and_invisible_characters():
    row = "A-002,\u200b๑๐๐๑๐๑,๐๑/๑๑/๒๕๖๙,๓,Downstream,Processing,Khok Nong Na,people,๕,๒,๑๐๐,๕๐"
    frame = extract(f"{ENGLISH_HEADER}\n{row}\n".encode(), "x.csv", CONTRACT).frame
    assert frame.iloc[0]["tambon_code"] == "100101"
    assert frame.iloc[0]["gear"] == "3"
    assert frame.iloc[0]["participants"] == 5


def test_unparseable_values_become_problems_with_the_text_as_sent():
    row = "A-003,100101,ไม่ทราบ,1,ต้นทาง,เกษตร,OTOP,ภาครัฐ,ยี่สิบ,10,1000,100"
    frame = extract(f"{THAI_HEADER}\n{row}\n".encode(), "x.csv", CONTRACT).frame
    problems = frame.iloc[0]["_problems"]
    assert '"rule": "not_a_date"' in problems and '"value": "ไม่ทราบ"' in problems
    assert '"rule": "not_a_whole_number"' in problems and "ยี่สิบ" in problems


def test_a_whole_number_beyond_64_bits_is_a_problem_of_its_row_not_of_the_file():
    # participants holds plain numbers only (one cast); budget_baht a grouped one (the full conversion)
    rows = [GOOD_ROW, GOOD_ROW.replace(",25,", ",99999999999999999999,"), GOOD_ROW.replace(",25,", ",2.5,")]
    frame = extract((f"{THAI_HEADER}\n" + "\n".join(rows) + "\n").encode(), "x.csv", CONTRACT).frame
    assert frame["participants"].isna().tolist() == [False, True, True]
    assert frame.iloc[0]["participants"] == 25
    assert pd.isna(frame.iloc[0]["_problems"])
    assert '"value": "99999999999999999999"' in frame.iloc[1]["_problems"]
    assert '"rule": "not_a_whole_number"' in frame.iloc[1]["_problems"]
    assert '"value": "2.5"' in frame.iloc[2]["_problems"]
    assert frame["budget_baht"].tolist() == [12500.5] * 3  # grouped: the full conversion


def test_row_numbers_are_the_lines_the_officer_sees_blank_rows_included():
    data = f"{THAI_HEADER}\n{GOOD_ROW}\n,,,,,,,,,,,\n{GOOD_ROW.replace('A-001', 'A-009')}\n".encode()
    assert extract(data, "x.csv", CONTRACT).frame["_source_row"].tolist() == [2, 4]


def test_missing_columns_are_named_in_thai_and_english():
    header = THAI_HEADER.replace(",งบประมาณ (บาท)", "")
    with pytest.raises(FileRejected) as rejected:
        extract(f"{header}\nx\n".encode(), "x.csv", CONTRACT)
    assert rejected.value.reason == "missing_columns"
    assert "งบประมาณ (บาท)" in rejected.value.message_th
    assert "Budget (baht)" in rejected.value.message_en


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"\x00\x01\x02binary", "x.csv", "corrupt_file"),
        (b"", "x.csv", "empty_file"),
        (f"{THAI_HEADER}\n".encode(), "x.csv", "empty_file"),
        (b"\x81\x8d\x8f\x90 not text", "x.csv", "unreadable_encoding"),
        (b"anything", "x.pdf", "unreadable_format"),
        (b"a,b,c\n1,2,3\n", "x.csv", "corrupt_file"),
    ],
)
def test_unusable_files_are_rejected_with_a_reason(data, name, reason):
    with pytest.raises(FileRejected) as rejected:
        extract(data, name, CONTRACT)
    assert rejected.value.reason == reason
    assert rejected.value.message_th and rejected.value.message_en
