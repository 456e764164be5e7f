"""Validation: the bulk evaluator gives Great Expectations' verdicts, row for row, and no
failing row is ever dropped, whatever the number."""

from __future__ import annotations

import datetime as dt

import geothai
import pytest

from thanrak.contract.declarations import DATASETS, load_contract
from thanrak.demo.generator import generate_night
from thanrak.extract.frame import SOURCE_ROW, extract
from thanrak.validate.validation import REASONS, ProvinceAreas, validate

NIGHT = dt.date(2026, 11, 22)


def areas_of(province: str) -> ProvinceAreas:
    districts = geothai.districts(province)
    tambons = tuple(s.code for d in districts for s in geothai.subdistricts(d.code))
    return ProvinceAreas(province, tuple(d.code for d in districts), tambons)


@pytest.fixture(scope="module")
def landed(tmp_path_factory):
    landing = tmp_path_factory.mktemp("landing")
    generated = generate_night(
        landing, NIGHT, provinces=["30", "50", "90", "41", "13"], scale=0.3, defect_rate=0.08, file_defects=10
    )
    return landing, generated


def _files(landing, generated):
    for key in generated.files:
        province, dataset, period, _ = key.split("/")
        if dataset not in DATASETS:
            continue
        contract = load_contract(dataset)
        try:
            extracted = extract((landing / key).read_bytes(), key, contract)
        except Exception:  # files the reader rejects never reach validation
            continue
        yield (
            key,
            contract,
            extracted.frame,
            period,
            areas_of(province) if province != "99" else areas_of("30"),
        )


def test_bulk_evaluation_gives_the_verdicts_of_great_expectations(landed):
    landing, generated = landed
    compared = rejected = 0
    for key, contract, frame, period, areas in _files(landing, generated):
        bulk = validate(frame, contract, period=period, areas=areas, engine="bulk")
        gx = validate(frame, contract, period=period, areas=areas, engine="gx")
        assert bulk.rule_results == gx.rule_results, key
        assert bulk.rejection == gx.rejection, key
        assert _reasons(bulk) == _reasons(gx), key
        compared += 1
        rejected += bulk.rejection is not None
    assert compared >= 15
    assert rejected >= 2  # file-level rules (duplicate keys, wrong folder, PDPA) were exercised too


def _reasons(validation) -> list[str | None]:
    return [r if isinstance(r, str) else None for r in validation.frame[REASONS]]


def test_no_failing_row_is_missed_in_a_file_with_thousands_of_bad_rows(tmp_path):
    """GX caps unexpected-row lists unless asked; both engines must list every bad row."""
    contract = load_contract("activities")
    generate_night(
        tmp_path, NIGHT, provinces=["30"], datasets=("activities",), scale=5, defect_rate=0, file_defects=0
    )
    key = next(p for p in tmp_path.rglob("*.*"))
    frame = extract(key.read_bytes(), key.name, contract).frame
    frame.loc[frame.index[::2], "gear"] = "9"  # every other row: a gear that does not exist
    bad = set(frame.loc[frame.index[::2], SOURCE_ROW])
    assert len(bad) > 2000
    for engine in ("bulk", "gx"):
        result = validate(frame, contract, period="2026-11", areas=areas_of("30"), engine=engine)
        assert set(result.frame.loc[result.bad_rows, SOURCE_ROW]) == bad, engine
        gear = next(r for r in result.rule_results if r.rule == "not_in_code_list" and r.column == "gear")
        assert gear.failed_rows == len(bad), engine
