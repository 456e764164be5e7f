"""A cross-column rule's reason shows the values it compared, by column, never the column
validation derived to compare them (issue 11, defect 8)."""

from __future__ import annotations

import json

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
    assert reason["value"]["household_income_baht"] == 999999.0
    assert not any(key.startswith("_") for key in reason["value"])
    assert list(bad[SOURCE_ROW]) == [2]
