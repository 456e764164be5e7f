"""Unusual deliveries (issue 17): generated nights of six months for provinces of one region,
through the pipeline's stages into a real PostgreSQL, then a night with injected anomalies. Every
injected anomaly is flagged with its check and direction; the clean nights' false-positive rate
stays under the documented bound (docs/data-quality.md, "Unusual deliveries")."""

from __future__ import annotations

import datetime as dt
import json

import psycopg
import pytest

from thanrak.contract.declarations import load_contract
from thanrak.demo.generator import ANOMALY_KINDS, generate_night
from thanrak.observe.night import USUAL_VOLUMES_FILE
from thanrak.orchestration.alerts import build_unusual_alert
from thanrak.pipeline import Stages
from thanrak.settings import Settings
from thanrak.validate.check import check_file

# Seven provinces of the northeast (peers of each other), one night a month: six clean months, then
# the anomalies' night.
PROVINCES = ["30", "31", "34", "40", "41", "44", "48"]
CLEAN_NIGHTS = [dt.date(2026, month, 20) for month in range(5, 11)]
ANOMALY_NIGHT = dt.date(2026, 11, 20)
# docs/data-quality.md: at most this share of the checks of clean nights comes out unusual
FALSE_POSITIVE_BOUND = 0.01


@pytest.fixture(scope="module")
def observed(warehouse, tmp_path_factory):
    settings = Settings.in_folder(tmp_path_factory.mktemp("var"))
    stages = Stages(warehouse, settings)
    stages.prepare_warehouse()
    nights = {}
    for night in [*CLEAN_NIGHTS, ANOMALY_NIGHT]:
        generated = generate_night(
            settings.landing_dir,
            night,
            provinces=PROVINCES,
            scale=0.25,
            file_defects=0,
            anomalies=len(ANOMALY_KINDS) if night == ANOMALY_NIGHT else 0,
        )
        for batch in stages.discover_by_province("test", night):
            stages.process_batch("test", night, batch)
        nights[night] = (generated, stages.observe("test", night))
    return settings, stages, nights


def _flagged(warehouse: str, night: dt.date) -> set[tuple[str, str, str, str]]:
    with psycopg.connect(warehouse) as conn:
        return set(
            conn.execute(
                """select s.source_key, a.check_name, a.direction, a.level
                   from dq.anomaly a join ops.submission s using (submission_id) where s.night = %s""",
                (night,),
            ).fetchall()
        )


def test_every_injected_anomaly_is_flagged_with_its_check_and_direction(observed, warehouse):
    _, _, nights = observed
    generated, _ = nights[ANOMALY_NIGHT]
    assert {a.kind for a in generated.anomalies} == set(ANOMALY_KINDS)
    flagged = {(path, check, direction) for path, check, direction, _ in _flagged(warehouse, ANOMALY_NIGHT)}
    for anomaly in generated.anomalies:
        assert (anomaly.path, anomaly.check, anomaly.direction) in flagged, anomaly


def test_clean_nights_are_rarely_flagged(observed):
    _, _, nights = observed
    checks = sum(result["checks"] for night, (_, result) in nights.items() if night != ANOMALY_NIGHT)
    flagged = sum(result["anomalies"] for night, (_, result) in nights.items() if night != ANOMALY_NIGHT)
    assert checks > 3000  # every file's measures were judged, against peers first, then own history
    assert flagged / checks <= FALSE_POSITIVE_BOUND, (flagged, checks)
    # the first night has no history: its files are judged against the region's other provinces
    first = nights[CLEAN_NIGHTS[0]][1]
    assert first["files_judged"] > 0 and first["checks"] > 0


def test_the_anomaly_night_flags_little_besides_what_was_injected(observed, warehouse):
    _, _, nights = observed
    generated, result = nights[ANOMALY_NIGHT]
    injected = {a.path for a in generated.anomalies}
    others = [f for f in _flagged(warehouse, ANOMALY_NIGHT) if f[0] not in injected]
    assert len(others) <= FALSE_POSITIVE_BOUND * result["checks"] + 1, others


def test_observing_a_night_again_gives_the_same_anomalies(observed, warehouse):
    _, stages, _ = observed
    before = _flagged(warehouse, ANOMALY_NIGHT)
    again = stages.observe("again", ANOMALY_NIGHT)
    assert _flagged(warehouse, ANOMALY_NIGHT) == before
    assert again["files_measured"] == 0  # every file was measured once, when first seen


def test_the_alert_names_each_anomaly_in_thai_and_english(observed):
    _, _, nights = observed
    to_alert = nights[ANOMALY_NIGHT][1]["to_alert"]
    assert to_alert and all(a["level"] == "high" for a in to_alert)
    alert = build_unusual_alert({"dag_id": "thanrak_nightly", "night": ANOMALY_NIGHT}, to_alert)
    assert alert["kind"] == "unusual_deliveries" and alert["anomalies"] == to_alert
    first = to_alert[0]
    title = load_contract(first["dataset"]).title_th
    assert "ผิดปกติ" in alert["summary_th"] and "unusual" in alert["summary_en"]
    assert f"{title} จังหวัด {first['province']} งวด {first['period']}" in alert["text"]


def test_check_warns_an_office_whose_file_is_far_from_its_usual_rows(observed, tmp_path):
    """`thanrak check` with the night's usual-volumes.json: the halved file gets the warning
    (and keeps its verdict), an ordinary file of the same night does not."""
    settings, _, nights = observed
    generated, _ = nights[ANOMALY_NIGHT]
    usual = json.loads((settings.reports_dir / ANOMALY_NIGHT.isoformat() / USUAL_VOLUMES_FILE).read_text())
    halved = next(a for a in generated.anomalies if a.kind == "halved_volume")
    path = settings.landing_dir / halved.path
    period = f"{ANOMALY_NIGHT:%Y-%m}"
    warned = check_file(
        path, dataset=halved.dataset, province=halved.province, period=period, usual_volumes=usual
    )
    without = check_file(path, dataset=halved.dataset, province=halved.province, period=period)
    assert warned.verdict == without.verdict
    warning = [line for line in warned.lines if line not in without.lines]
    assert warning[0].startswith("คำเตือน / WARNING")
    assert "น้อยกว่าปกติมาก" in warning[1] and "far fewer than usual" in warning[2]
    ordinary = next(
        p
        for p in generated.files
        if p.split("/")[1] == halved.dataset and p not in {a.path for a in generated.anomalies}
    )
    province = ordinary.split("/")[0]
    plain = check_file(
        settings.landing_dir / ordinary,
        dataset=halved.dataset,
        province=province,
        period=period,
        usual_volumes=usual,
    )
    assert not any("WARNING" in line for line in plain.lines)
