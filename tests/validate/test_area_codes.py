"""An area code that does not exist in the province is quarantined; one that DOPA abolished names
its successor, from geothai without a warehouse as from the warehouse's reference data."""

from __future__ import annotations

import json

import psycopg

from support.activities import CONTRACT, activities_file
from thanrak.extract.frame import SOURCE_ROW, extract
from thanrak.validate.validation import REASONS, province_areas, province_areas_from_geothai, validate

# Tha Chang (300602), Nakhon Ratchasima: abolished 2012-05-11, now 303202 (Chaloem Phra Kiat).
SENT = activities_file(6, bump=0, bad={1: {"tambon_code": "300602"}, 4: {"tambon_code": "309999"}})


def _reasons(areas) -> dict[int, dict]:
    extracted = extract(SENT.data, "activities.csv", CONTRACT)
    checked = validate(extracted.frame, CONTRACT, period="2026-11", areas=areas)
    bad = checked.frame[checked.bad_rows]
    return {
        int(row): next(r for r in json.loads(reasons) if r["rule"] == "bad_area_code")
        for row, reasons in zip(bad[SOURCE_ROW], bad[REASONS], strict=True)
    }


def test_an_abolished_tambon_names_its_successor_and_an_unknown_one_does_not():
    reasons = _reasons(province_areas_from_geothai("30"))
    abolished, unknown = reasons[3], reasons[6]  # rows 2 and 5 of data, under the header
    assert abolished["value"] == "300602"
    assert "303202" in abolished["message_en"] and "2012-05-11" in abolished["message_en"]
    assert "303202" in abolished["message_th"] and "ยกเลิก" in abolished["message_th"]
    assert unknown["value"] == "309999" and "not an existing code" in unknown["message_en"]


def test_the_warehouse_reference_data_gives_the_same_reasons(warehouse):
    with psycopg.connect(warehouse) as conn:
        from_warehouse = _reasons(province_areas(conn, "30"))
    assert from_warehouse == _reasons(province_areas_from_geothai("30"))


def _rejection(bad_codes: dict[int, str]):
    sent = activities_file(6, bump=0, bad={i: {"tambon_code": code} for i, code in bad_codes.items()})
    extracted = extract(sent.data, "activities.csv", CONTRACT)
    return validate(
        extracted.frame, CONTRACT, period="2026-11", areas=province_areas_from_geothai("30")
    ).rejection


def test_a_file_of_another_provinces_codes_names_both_provinces():
    rule, th, en = _rejection({i: f"3401{i + 1:02d}" for i in range(4)})  # Ubon's tambons
    assert rule == "wrong_province_folder"
    assert "30 → 34" in en and "30 → 34" in th


def test_a_file_of_codes_that_exist_nowhere_says_so_instead_of_naming_its_province_twice():
    rule, th, en = _rejection({i: f"3099{i + 1:02d}" for i in range(4)})
    assert rule == "wrong_province_folder"
    assert "30 → 30" not in en and "30 → 30" not in th
    assert "exist neither in this province nor in another" in en and "309901, 309902, 309903" in en
    assert "ไม่มีอยู่จริง" in th and "309901" in th
