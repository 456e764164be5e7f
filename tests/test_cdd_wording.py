"""CDD's own wording is accepted (issue 12): files written with the official labels of the five
gears, the value chain's ต้นน้ำ/กลางน้ำ/ปลายน้ำ, the partner sector "ภาคประชาชน/ชุมชน", the
Pracharath company as a programme and OTOP's producer types pass `thanrak check` and load with
the right codes; the code lists' official labels are what the dimensions show."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from pathlib import Path

import geothai
import psycopg
import pytest

from thanrak.cli import main
from thanrak.contract.declarations import Code, _spellings, load_contract
from thanrak.nights import BANGKOK_TZ
from thanrak.pipeline import Stages
from thanrak.publish import CODE_LISTS_SEED
from thanrak.settings import Settings

PROVINCE, PERIOD, NIGHT = "34", "2026-11", dt.date(2026, 11, 22)
TAMBONS = sorted(s.code for d in geothai.districts(PROVINCE) for s in geothai.subdistricts(d.code))
# (as typed, the code it means)
GEARS = [
    ("การเข้าถึงปัจจัยการผลิต", "1"),
    ("การสร้างองค์ความรู้", "2"),
    ("การตลาด", "3"),
    ("การสื่อสารสร้างการรับรู้", "4"),
    ("การบริหารจัดการ", "5"),
    ("ปัจจัยการผลิต", "1"),
    ("การสื่อสาร", "4"),
]
STAGES = [("ต้นน้ำ", "upstream"), ("กลางน้ำ", "midstream"), ("ปลายน้ำ", "downstream")]
PROGRAMMES = [("บริษัทประชารัฐรักสามัคคี", "pracharath"), ("โคก หนอง นา โมเดล", "khok_nong_na")]
PARTNERS = [("ภาครัฐ;ภาคประชาชน/ชุมชน", "{people,public}"), ("ภาคประชาชน/ชุมชน", "{people}")]
PRODUCERS = [("ผู้ผลิตชุมชน", "community_group"), ("วิสาหกิจชุมชน", "community_group"), ("ผู้ผลิตที่เป็น SMEs", "sme")]


def _csv(dataset: str, rows: list[dict]) -> bytes:
    contract = load_contract(dataset)
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow([c.th for c in contract.columns])
    out.writerows([row[c.name] for c in contract.columns] for row in rows)
    return buffer.getvalue().encode("utf-8")


def _activities() -> bytes:
    rows = []
    for index, (gear, _) in enumerate(GEARS):
        rows.append(
            {
                "activity_id": f"A-{index + 1:04d}",
                "tambon_code": TAMBONS[index],
                "activity_date": f"{index + 1}/11/2569",
                "gear": gear,
                "value_chain_stage": STAGES[index % len(STAGES)][0],
                "sector": "เกษตร",
                "programme": PROGRAMMES[index % len(PROGRAMMES)][0],
                "partner_sectors": PARTNERS[index % len(PARTNERS)][0],
                "participants": "30",
                "households_reached": "10",
                "budget_baht": "10000",
                "disbursed_baht": "5000",
            }
        )
    return _csv("activities", rows)


def _otop_sales() -> bytes:
    rows = [
        {
            "producer_id": f"OP34-{index:03d}",
            "producer_type": producer,
            "product_id": f"PD34-{index:03d}-1",
            "product_category": "อาหาร",
            "star_rating": "4",
            "tambon_code": TAMBONS[index],
            "sale_month": "11/2569",
            "channel": "ออนไลน์",
            "revenue_baht": "12000",
            "units_sold": "40",
        }
        for index, (producer, _) in enumerate(PRODUCERS)
    ]
    return _csv("otop_sales", rows)


def _deliver(landing: Path, dataset: str, data: bytes) -> Path:
    path = landing / PROVINCE / dataset / PERIOD / f"{dataset}_{PROVINCE}_ถ้อยคำทางการ.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    stamp = dt.datetime.combine(NIGHT, dt.time(18, 30), BANGKOK_TZ).timestamp()
    os.utime(path, (stamp, stamp))
    return path


@pytest.fixture(scope="module")
def loaded(warehouse, tmp_path_factory) -> dict:
    settings = Settings.in_folder(tmp_path_factory.mktemp("var"), warehouse)
    paths = {
        "activities": _deliver(settings.landing_dir, "activities", _activities()),
        "otop_sales": _deliver(settings.landing_dir, "otop_sales", _otop_sales()),
    }
    stages = Stages(warehouse, settings)
    for waiting in stages.discover("nightly", NIGHT):
        stages.load(
            "nightly", NIGHT, stages.validate("nightly", NIGHT, stages.extract("nightly", NIGHT, waiting))
        )
    with psycopg.connect(warehouse) as conn:
        return {
            "paths": paths,
            "manifest": conn.execute(
                "select dataset, status, rows_received, rows_loaded, rows_quarantined from ops.submission"
            ).fetchall(),
            "activities": conn.execute(
                """select gear, value_chain_stage, programme, partner_sectors::text
                   from raw.activities order by activity_id"""
            ).fetchall(),
            "producers": conn.execute(
                "select producer_type from raw.otop_sales order by producer_id"
            ).fetchall(),
        }


@pytest.mark.parametrize("dataset", ["activities", "otop_sales"])
def test_thanrak_check_accepts_cdd_wording(loaded, dataset, capsys):
    assert main(["check", str(loaded["paths"][dataset])]) == 0
    assert "ACCEPTED" in capsys.readouterr().out


def test_every_row_in_cdd_wording_loads(loaded):
    assert sorted(loaded["manifest"]) == [
        ("activities", "loaded", len(GEARS), len(GEARS), 0),
        ("otop_sales", "loaded", len(PRODUCERS), len(PRODUCERS), 0),
    ]


def test_cdd_wording_loads_as_the_codes_it_means(loaded):
    expected = [
        (gear, STAGES[i % len(STAGES)][1], PROGRAMMES[i % len(PROGRAMMES)][1], PARTNERS[i % len(PARTNERS)][1])
        for i, (_, gear) in enumerate(GEARS)
    ]
    assert loaded["activities"] == expected
    assert [p for (p,) in loaded["producers"]] == [code for _, code in PRODUCERS]


def test_the_dimensions_show_cdd_official_labels():
    with CODE_LISTS_SEED.open(encoding="utf-8") as seed:
        labels = {(r["code_list"], r["code"]): r["name_th"] for r in csv.DictReader(seed)}
    assert [labels["gear", str(n)] for n in range(1, 6)] == [
        "การเข้าถึงปัจจัยการผลิต",
        "การสร้างองค์ความรู้",
        "การตลาด",
        "การสื่อสารสร้างการรับรู้",
        "การบริหารจัดการ",
    ]
    assert labels["producer_type", "community_group"] == "ผู้ผลิตชุมชน"
    assert labels["producer_type", "sme"] == "ผู้ผลิตที่เป็น SMEs"
    assert {labels["value_chain_stage", c] for c in ("upstream", "midstream", "downstream")} == {
        "ต้นทาง",
        "กลางทาง",
        "ปลายทาง",
    }


def test_a_spelling_that_would_mean_two_codes_is_refused():
    ambiguous = (Code("1", "การตลาด", "Marketing", ("ตลาด",)), Code("2", "ตลาดชุมชน", "Market", ("ตลาด",)))
    with pytest.raises(ValueError, match="'ตลาด' means both 1 and 2"):
        _spellings(ambiguous, "gear")
