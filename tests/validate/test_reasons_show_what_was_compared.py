"""A cross-column rule's reason shows the values it compared, by column, never the column
validation derived to compare them (issue 11, defect 8)."""

from __future__ import annotations

import json

from support.activities import CONTRACT, activities_file
from thanrak.contract.declarations import load_contract
from thanrak.demo.generator import example_csv
from thanrak.extract.frame import SOURCE_ROW, extract
from thanrak.validate.validation import REASONS, province_areas_from_geothai, validate


def test_income_per_person_reason_names_income_members_and_household_income():
    contract = load_contract("bmn_households")
    header, first, *rest = example_csv(contract, rows=3).splitlines()
    cells = first.split(",")
    cells[-1] = "999999.00"  # the household income no longer matches income per person × members
    data = "\r\n".join([header, ",".join(cells), *rest]).encode("utf-8")
    frame = extract(data, "bmn.csv", contract).frame
    checked = validate(frame, contract, period="2026-11", areas=province_areas_from_geothai(cells[1][:2]))
    bad = checked.frame[checked.bad_rows]
    reasons = [r for found in bad[REASONS] for r in json.loads(found)]
    [reason] = [r for r in reasons if r["rule"] == "income_per_person_matches_members"]
    assert set(reason["value"]) == {"income_per_person_baht", "household_income_baht", "members"}
    assert reason["value"]["household_income_baht"] == "999999.00"  # as typed, not as parsed
    assert not any(key.startswith("_") for key in reason["value"])
    assert list(bad[SOURCE_ROW]) == [2]


def test_a_reason_shows_the_value_as_the_officer_typed_it():
    sent = activities_file(4, bump=0, bad={1: {"activity_date": "15/11/2579"}, 2: {"budget_baht": "-500"}})
    frame = extract(sent.data, "activities.csv", CONTRACT).frame
    checked = validate(frame, CONTRACT, period="2026-11", areas=province_areas_from_geothai("30"))
    reasons = {r["rule"]: r for found in checked.frame[checked.bad_rows][REASONS] for r in json.loads(found)}
    assert reasons["outside_period"]["value"] == "15/11/2579"
    assert (
        "'15/11/2579'" in reasons["outside_period"]["message_en"]
        and "2036" not in reasons["outside_period"]["message_en"]
    )
    assert reasons["out_of_range"]["value"] == "-500" and "'-500'" in reasons["out_of_range"]["message_th"]
