"""The generator's anomalies (issue 17): clean files made unusual for their province, each
recorded with the check that should flag it. Read back from the written files and compared with
the same night generated without anomalies; validated as the pipeline would; no warehouse."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pytest

from thanrak.contract.declarations import code_lists, load_contract
from thanrak.demo.entities import MEAN_ROWS, cdd_provinces, opc_results_month, province_size
from thanrak.demo.generator import ANOMALY_KINDS, generate_night
from thanrak.extract.frame import SOURCE_ROW, extract
from thanrak.validate.validation import REASONS, province_areas_from_geothai, validate

NIGHT = dt.date(2026, 11, 22)
PROVINCES = ["30", "34", "57", "75"]
OPTIONS = {"provinces": PROVINCES, "scale": 0.1, "file_defects": 3, "xlsx_share": 0.3}
ANOMALIES = 2 * len(ANOMALY_KINDS)
# What the observability checks report for each kind (thanrak.observe's names)
CHECKS = {
    "halved_volume": ("rows", "lower"),
    "volume_spike": ("rows", "higher"),
    "amount_spike": ("sum:{column}", "higher"),
    "null_jump": ("null_share:{column}", "higher"),
    "code_shift": ("code_shift:{column}", "shifted"),
}


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    """The same night without and with anomalies, without row defects so that values compare."""
    folder = tmp_path_factory.mktemp("nights")
    clean = generate_night(folder / "clean", NIGHT, defect_rate=0, **OPTIONS)
    unusual = generate_night(folder / "unusual", NIGHT, defect_rate=0, anomalies=ANOMALIES, **OPTIONS)
    return folder, clean, unusual


def _frame(folder: Path, name: str):
    return extract((folder / name).read_bytes(), name, load_contract(name.split("/")[1])).frame


def _twin(night, path: str) -> str:
    """The file of the same province and dataset in another generation of the night (its
    extension may differ)."""
    return next(name for name in night.files if Path(name).stem == Path(path).stem)


def test_a_night_with_anomalies_is_the_same_when_generated_again(nights, tmp_path):
    folder, clean, unusual = nights
    again = generate_night(tmp_path, NIGHT, defect_rate=0, anomalies=ANOMALIES, **OPTIONS)
    assert again.to_json() == unusual.to_json()
    assert json.loads(again.to_json())["anomalies"][0]["path"] == unusual.anomalies[0].path
    for name in unusual.files:
        assert (tmp_path / name).read_bytes() == (folder / "unusual" / name).read_bytes(), name
    assert clean.anomalies == []  # none unless asked for


def test_every_kind_is_recorded_with_the_check_and_direction_that_should_flag_it(nights):
    _, _, unusual = nights
    anomalies = unusual.anomalies
    assert len(anomalies) == ANOMALIES
    assert {a.kind for a in anomalies} == set(ANOMALY_KINDS) == set(CHECKS)
    assert len({a.path for a in anomalies}) == len(anomalies)  # one anomaly a file
    spoilt = {d.path for d in unusual.defects if d.source_row is None}
    for anomaly in anomalies:
        assert anomaly.path in unusual.files and anomaly.path not in spoilt, anomaly
        assert anomaly.path.startswith(f"{anomaly.province}/{anomaly.dataset}/"), anomaly
        check, direction = CHECKS[anomaly.kind]
        assert (anomaly.check, anomaly.direction) == (check.format(column=anomaly.column), direction)
        contract = load_contract(anomaly.dataset)
        if anomaly.kind in ("halved_volume", "volume_spike"):
            assert anomaly.column is None and anomaly.code is None, anomaly
        if anomaly.kind == "volume_spike":  # new rows are new events, never a registry's entities
            assert anomaly.dataset in ("activities", "bmn_households"), anomaly
        if anomaly.kind == "amount_spike":
            assert anomaly.column in contract.observed_sums, anomaly
        if anomaly.kind == "null_jump":
            assert not contract.column(anomaly.column).required, anomaly
        if anomaly.kind == "code_shift":
            column = contract.column(anomaly.column)
            assert column.type == "code" and column.name not in contract.key, anomaly
            assert anomaly.code in {entry.code for entry in code_lists()[column.code_list]}, anomaly
        else:
            assert anomaly.code is None, anomaly


def test_an_unusual_file_is_changed_the_way_its_record_says(nights):
    folder, clean, unusual = nights
    for anomaly in unusual.anomalies:
        before = _frame(folder / "clean", _twin(clean, anomaly.path))
        after = _frame(folder / "unusual", anomaly.path)
        if anomaly.kind == "halved_volume":
            assert len(after) == math.ceil(len(before) / 2), anomaly
            continue
        if anomaly.kind == "volume_spike":
            assert len(after) == 3 * len(before), anomaly
            assert after[load_contract(anomaly.dataset).key[0]].is_unique, anomaly
            continue
        assert len(after) == len(before), anomaly
        was, now = before[anomaly.column], after[anomaly.column]
        if anomaly.kind == "amount_spike":
            assert now.sum() == pytest.approx(4 * was.sum(), rel=1e-4), anomaly
        elif anomaly.kind == "null_jump":
            assert was.isna().mean() < 0.5 and now.isna().mean() >= 0.6, anomaly
        else:  # code_shift: a code the clean file rarely has, on most rows
            assert (was == anomaly.code).mean() <= 0.25 and (now == anomaly.code).mean() >= 0.6, anomaly


def test_unusual_files_stay_clean_and_their_row_defects_are_caught_as_recorded(tmp_path):
    """Many anomalies over most datasets (at scale 1, so that contract v2's files have the rows
    an anomaly needs), row defects at 5 %: an unusual file is never rejected, and the rows
    validation quarantines are exactly the row defects recorded for it."""
    announcing = next(p for p in cdd_provinces() if opc_results_month(p) == NIGHT.month)  # OPC results
    generated = generate_night(
        tmp_path,
        NIGHT,
        provinces=[*PROVINCES, announcing],
        scale=1.0,
        defect_rate=0.05,
        file_defects=3,
        anomalies=25,
    )
    assert {a.kind for a in generated.anomalies} == set(ANOMALY_KINDS)
    assert len({a.dataset for a in generated.anomalies}) >= 8
    for anomaly in generated.anomalies:
        contract = load_contract(anomaly.dataset)
        frame = extract((tmp_path / anomaly.path).read_bytes(), anomaly.path, contract).frame
        checked = validate(
            frame, contract, period=f"{NIGHT:%Y-%m}", areas=province_areas_from_geothai(anomaly.province)
        )
        assert checked.rejection is None, anomaly
        caught: dict[int, set[str]] = {
            int(row): {reason["rule"] for reason in json.loads(reasons)}
            for row, reasons in zip(checked.frame[SOURCE_ROW], checked.frame[REASONS], strict=True)
            if isinstance(reasons, str)
        }
        recorded = [d for d in generated.defects if d.path == anomaly.path]
        assert set(caught) == {d.source_row for d in recorded}, anomaly
        missed = [d for d in recorded if d.expected_rule not in caught[d.source_row]]
        assert missed == [], anomaly


def test_an_event_datasets_rows_are_steady_from_month_to_month_and_follow_the_provinces_size(tmp_path):
    large, small = "30", "75"  # Nakhon Ratchasima and Samut Songkhram, by number of amphoe
    assert province_size(large) > 5 * province_size(small)
    months = [dt.date(2026, month, 22) for month in range(5, 11)]  # six consecutive months
    scale = 0.2
    for dataset in ("activities", "bmn_households"):
        rows = {
            province: [
                generate_night(
                    tmp_path / dataset / province / f"{night}",
                    night,
                    provinces=[province],
                    datasets=(dataset,),
                    scale=scale,
                    defect_rate=0,
                    file_defects=0,
                    xlsx_share=0,
                ).rows[dataset]
                for night in months
            ]
            for province in (large, small)
        }
        for province, volumes in rows.items():
            assert max(volumes) / min(volumes) < 1.5, (dataset, province, volumes)
            usual = MEAN_ROWS[dataset] * scale * province_size(province)
            assert sum(volumes) / len(volumes) == pytest.approx(usual, rel=0.15), (dataset, province, volumes)
        assert min(rows[large]) > max(rows[small]), (dataset, rows)
