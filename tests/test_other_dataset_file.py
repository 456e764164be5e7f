"""A file put in another dataset's folder (an officer drops the OTOP file into the activities
folder) is rejected at night with the reason `thanrak check` gives: its headers are those of
OTOP sales, and where it belongs, in Thai and English, in the manifest the report reads."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import psycopg
import pytest

from support.activities import activities_file
from thanrak.contract.declarations import load_contract
from thanrak.demo.generator import generate_night
from thanrak.nights import BANGKOK_TZ
from thanrak.pipeline import Stages
from thanrak.settings import Settings

NIGHT = dt.date(2026, 11, 22)
OTOP = load_contract("otop_sales")


def _otop_file(folder: Path, *, xlsx_share: float) -> Path:
    """A clean OTOP sales file of province 30 for November, as the office saved it."""
    generated = generate_night(
        folder,
        NIGHT,
        provinces=["30"],
        datasets=("otop_sales",),
        scale=0.05,
        defect_rate=0,
        file_defects=0,
        xlsx_share=xlsx_share,
    )
    return folder / generated.files[0]


def _deliver(landing: Path, key: str, data: bytes) -> str:
    path = landing / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    stamp = dt.datetime.combine(NIGHT, dt.time(15, 0), BANGKOK_TZ).timestamp()
    os.utime(path, (stamp, stamp))
    return key


@pytest.fixture(scope="module")
def night(warehouse, tmp_path_factory):
    """One night: the OTOP file (CSV) in the activities folder, the OTOP file (a workbook) in
    the household survey's folder, and an activities file that lacks one of its own columns."""
    scratch = tmp_path_factory.mktemp("office")
    settings = Settings.in_folder(tmp_path_factory.mktemp("var"), warehouse)
    landing = settings.landing_dir
    csv_file = _otop_file(scratch / "csv", xlsx_share=0)
    xlsx_file = _otop_file(scratch / "xlsx", xlsx_share=1)
    own = activities_file(5, bump=0, bad={}, province="57").data
    cut = b"\r\n".join(line.split(b",", 1)[-1] for line in own.split(b"\r\n"))  # no activity id
    keys = {
        "in_activities": _deliver(landing, f"30/activities/2026-11/{csv_file.name}", csv_file.read_bytes()),
        "in_survey": _deliver(landing, f"30/bmn_households/2026-11/{xlsx_file.name}", xlsx_file.read_bytes()),
        "own_column_missing": _deliver(landing, "57/activities/2026-11/activities.csv", cut),
    }
    shutil.rmtree(scratch)
    stages = Stages(warehouse, settings)
    for batch in stages.discover_by_province("test", NIGHT):
        stages.process_batch("test", NIGHT, batch)
    with psycopg.connect(warehouse) as conn:
        rows = conn.execute(
            """select s.source_key, s.status, s.reject_reason_th, s.reject_reason_en, l.detail ->> 'rejected'
               from ops.submission s
               join ops.run_log l on l.stage = 'extract'
                                 and (l.detail ->> 'submission_id')::bigint = s.submission_id
               where s.night = %s""",
            (NIGHT,),
        ).fetchall()
    by_key = {key: tuple(rest) for key, *rest in rows}
    return {name: by_key[key] for name, key in keys.items()}


@pytest.mark.parametrize("where", ["in_activities", "in_survey"])
def test_an_otop_file_in_another_datasets_folder_is_rejected_naming_otop_sales_and_its_folder(night, where):
    status, reason_th, reason_en, reason = night[where]
    expected = load_contract({"in_activities": "activities", "in_survey": "bmn_households"}[where])
    assert status == "rejected" and reason == "other_dataset_headers"
    assert reason_th.startswith(
        f"หัวตารางของไฟล์นี้ตรงกับชุดข้อมูล otop_sales ({OTOP.title_th}) "
        f"ไม่ใช่ {expected.dataset} ({expected.title_th})"
    )
    assert reason_en.startswith(
        f"The file's headers are those of dataset otop_sales ({OTOP.title_en}), "
        f"not {expected.dataset} ({expected.title_en})"
    )
    for text in (reason_th, reason_en):
        assert "30/otop_sales/2026-11/" in text and "thanrak check --dataset otop_sales" in text
    assert "Required columns are missing" not in reason_en and "damaged" not in reason_en


def test_a_file_lacking_a_column_of_its_own_dataset_still_lists_that_column(night):
    status, reason_th, reason_en, reason = night["own_column_missing"]
    assert status == "rejected" and reason == "missing_columns"
    assert reason_th.startswith("ไม่พบคอลัมน์ที่ต้องมี") and "Required columns are missing" in reason_en
    assert "otop_sales" not in reason_en
