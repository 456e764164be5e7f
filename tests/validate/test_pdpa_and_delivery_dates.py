"""A citizen ID in any text column rejects the file and echoes no value (issue 11, defect 7 in
part); a day after the file's delivery is quarantined, in the pipeline and in `thanrak check`
(defect 8 in part)."""

from __future__ import annotations

import datetime as dt
import json
import os

import psycopg
import pytest

from support.activities import CONTRACT, activities_file
from thanrak.contract.declarations import load_contract
from thanrak.contract.rules import is_citizen_id
from thanrak.demo.generator import example_csv
from thanrak.extract.frame import SOURCE_ROW, extract
from thanrak.nights import BANGKOK_TZ
from thanrak.pipeline import Stages
from thanrak.settings import Settings
from thanrak.validate.validation import REASONS, province_areas_from_geothai, validate

CITIZEN_ID = "1101700203450"  # check digit right
AREAS = province_areas_from_geothai("30")


@pytest.mark.parametrize(
    ("text", "expected"),
    [(CITIZEN_ID, True), ("1-1017-00203-45-0", True), ("1 1017 00203 45 0", True),
     ("1101700203451", False), ("110170020345", False), ("๑๑๐๑๗๐๐๒๐๓๔๕๐", False), ("P-1101700203450", False)],
)  # fmt: skip
def test_a_citizen_id_is_13_digits_with_a_right_check_digit(text, expected):
    assert is_citizen_id(text) is expected


def test_a_citizen_id_as_producer_id_rejects_the_file_naming_the_column_not_the_value():
    contract = load_contract("otop_sales")
    lines = example_csv(contract, rows=3).splitlines()
    header, first = lines[0], lines[1]
    with_id = first.replace(first.split(",")[0], CITIZEN_ID, 1)
    data = "\r\n".join([header, with_id, *lines[2:]]).encode("utf-8")
    result = validate(extract(data, "otop.csv", contract).frame, contract, period="2026-11", areas=AREAS)
    rule, th, en = result.rejection
    assert rule == "citizen_id_in_text"
    assert "Producer ID" in en and "รหัสผู้ผลิต" in th and "PDPA" in en
    assert CITIZEN_ID not in th + en and "0203450" not in th + en


def _after_delivery_rows(frame_result) -> dict[int, dict]:
    bad = frame_result.frame[frame_result.bad_rows]
    return {
        int(row): reason
        for row, reasons in zip(bad[SOURCE_ROW], bad[REASONS], strict=True)
        for reason in json.loads(reasons)
        if reason["rule"] == "after_delivery"
    }


def test_a_day_after_delivery_is_quarantined_a_day_before_is_not():
    sent = activities_file(5, bump=0, bad={2: {"activity_date": "25/11/2569"}})
    frame = extract(sent.data, "activities.csv", CONTRACT).frame
    delivered = validate(frame, CONTRACT, period="2026-11", areas=AREAS, delivered_on=dt.date(2026, 11, 21))
    [(row, reason)] = _after_delivery_rows(delivered).items()
    assert row == 4 and "after the day the file was delivered" in reason["message_en"]
    later = validate(frame, CONTRACT, period="2026-11", areas=AREAS, delivered_on=dt.date(2026, 11, 30))
    assert _after_delivery_rows(later) == {}


def test_the_pipeline_judges_by_the_files_own_delivery_time(warehouse, tmp_path):
    settings = Settings.in_folder(tmp_path / "var", warehouse)
    sent = activities_file(6, bump=0, bad={1: {"activity_date": "20/11/2569"}}, province="40")
    path = settings.landing_dir / "40" / "activities" / "2026-11" / "activities.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(sent.data)
    delivered = dt.datetime(2026, 11, 19, 21, 0, tzinfo=BANGKOK_TZ).timestamp()
    os.utime(path, (delivered, delivered))
    stages = Stages(warehouse, settings)
    for batch in stages.discover_by_province("test", dt.date(2026, 11, 19)):
        stages.process_batch("test", dt.date(2026, 11, 19), batch)
    with psycopg.connect(warehouse) as conn:
        rules = conn.execute(
            """select r ->> 'rule' from quarantine.row q, jsonb_array_elements(q.reasons::jsonb) r
               join ops.submission s on true where s.submission_id = q.submission_id
                 and s.province_code = '40'"""
        ).fetchall()
        received, loaded, quarantined = conn.execute(
            "select rows_received, rows_loaded, rows_quarantined from ops.submission where province_code = '40'"
        ).fetchone()
    assert ("after_delivery",) in rules, (rules, received, loaded, quarantined)
    assert (received, quarantined) == (6, 1) and loaded == 5
