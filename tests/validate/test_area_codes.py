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
