"""Files made to submission contract v1 still load, unchanged, under every later version.

tests/data/contract-v1/ holds a night of the five v1 datasets from two provinces (34 Ubon
Ratchathani, 57 Chiang Rai), CSV and XLSX, with the generator's record of its rows and row
defects (night.json); both were made by the v1 generator (commit 5edf78a) and are never
regenerated. `raw-v1.json` is what that commit's pipeline loaded from them: per raw table, the
row count and an MD5 of every loaded value except the keyed household hash (its key is the
warehouse's own). A later contract that reads a v1 file differently fails here."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import psycopg
import pytest

from support.nights import ingest_night
from thanrak.nights import BANGKOK_TZ
from thanrak.pipeline import Stages
from thanrak.settings import Settings

FIXTURE = Path(__file__).parents[1] / "data" / "contract-v1"
NIGHT = dt.date(2026, 11, 20)
V1_DATASETS = ("activities", "otop_sales", "knn_plot_progress", "budget_disbursement", "bmn_households")
UNCOMPARED = {"submission_id", "loaded_at", "household_hash"}


def raw_digests(url: str) -> dict[str, list]:
    """Per v1 raw table: [rows, MD5 of its values in file and row order]."""
    found = {}
    with psycopg.connect(url) as conn:
        for dataset in V1_DATASETS:
            columns = [
                name
                for (name,) in conn.execute(
                    """select column_name from information_schema.columns
                       where table_schema = 'raw' and table_name = %s order by ordinal_position""",
                    (dataset,),
                )
                if name not in UNCOMPARED
            ]
            values = " || '|' || ".join(f"coalesce(r.{name}::text, '∅')" for name in columns)
            found[dataset] = list(
                conn.execute(
                    f"""select count(*), md5(coalesce(string_agg({values}, E'\\n'
                                                      order by s.source_key, r.source_row), ''))
                        from raw.{dataset} r join ops.submission s using (submission_id)"""
                ).fetchone()
            )
    return found


@pytest.fixture(scope="module")
def loaded(warehouse, tmp_path_factory):
    settings = Settings.in_folder(tmp_path_factory.mktemp("var"), warehouse)
    shutil.copytree(FIXTURE / "landing", settings.landing_dir)
    stamp = dt.datetime.combine(NIGHT, dt.time(18, 30), BANGKOK_TZ).timestamp()
    for path in settings.landing_dir.rglob("*.*"):
        os.utime(path, (stamp, stamp))
    ingest_night(Stages(warehouse, settings), NIGHT)
    with psycopg.connect(warehouse) as conn:
        books = conn.execute(
            """select source_key, status, rows_received, rows_loaded, rows_quarantined
               from ops.submission order by source_key"""
        ).fetchall()
        quarantined = conn.execute(
            """select s.source_key, q.source_row, r.rule
               from quarantine.row q join ops.submission s using (submission_id),
                    jsonb_to_recordset(q.reasons) as r(rule text)"""
        ).fetchall()
    return {"books": books, "quarantined": set(quarantined), "raw": raw_digests(warehouse)}


def test_every_v1_file_loads_with_its_rows_adding_up(loaded):
    record = json.loads((FIXTURE / "night.json").read_text())
    assert [key for key, *_ in loaded["books"]] == sorted(record["files"])
    defect_rows = {(d["path"], d["source_row"]) for d in record["defects"]}
    for key, status, received, rows_loaded, quarantined in loaded["books"]:
        assert status == "loaded", key
        assert received == rows_loaded + quarantined, key
        assert quarantined == len({row for path, row in defect_rows if path == key}), key
    assert sum(received for *_, received, _, _ in loaded["books"]) == sum(record["rows"].values())


def test_every_recorded_defect_is_quarantined_under_its_rule(loaded):
    record = json.loads((FIXTURE / "night.json").read_text())
    for defect in record["defects"]:
        assert (defect["path"], defect["source_row"], defect["expected_rule"]) in loaded["quarantined"]


def test_the_raw_rows_are_the_ones_contract_v1_loaded(loaded):
    assert loaded["raw"] == json.loads((FIXTURE / "raw-v1.json").read_text())
