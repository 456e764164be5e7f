"""A small night through the real DAG, run by Airflow itself, into a real PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import defaultdict

import psycopg
import pytest

from thanrak.airflow_runner import run_nightly_dag
from thanrak.generate import generate_night

NIGHT = dt.date(2026, 11, 22)
PROVINCES = ["30", "40", "50", "57", "65", "96"]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def night(warehouse, tmp_path_factory):
    from thanrak.settings import PROJECT_ROOT, Settings

    var = tmp_path_factory.mktemp("var")
    settings = Settings(
        var,
        var / "landing",
        var / "work",
        var / "reports",
        var / "pg",
        PROJECT_ROOT / "dbt_project",
        warehouse,
    )
    generated = generate_night(
        settings.landing_dir, NIGHT, provinces=PROVINCES, mean_rows=80, defect_rate=0.05, corrupt_files=1
    )
    run_nightly_dag(settings, warehouse, NIGHT)
    return settings, generated


def _snapshot(url: str) -> dict:
    with psycopg.connect(url) as conn:
        return {
            table: conn.execute(
                f"select count(*), md5(string_agg(t::text, '|' order by t::text)) from {table} t"
            ).fetchone()
            for table in (
                "raw.activities",
                "quarantine.row",
                "marts.fct_activities",
                "dq.rule_result",
            )
        } | {
            "ops.submission": conn.execute(
                "select count(*), string_agg(status || rows_received::text, ',' order by submission_id) from ops.submission"
            ).fetchone()
        }


def _accepted_source_totals(settings, generated) -> dict[str, dict[str, float]]:
    """Totals per province straight from the landed files, leaving out the rows the generator
    spoiled: read here with the csv module alone, independently of Thanrak's reader."""
    spoiled = {(d.path, d.source_row) for d in generated.defects}
    digits = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for key in generated.files:
        if any(d.path == key and d.source_row is None for d in generated.defects):
            continue  # a file the generator corrupted
        data = (settings.landing_dir / key).read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp874")
        province = key.split("/")[0]
        for line_number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            if line_number == 1 or (key, line_number) in spoiled:
                continue
            values = [cell.translate(digits) for cell in row]
            totals[province]["participants"] += int(values[8])
            totals[province]["households_reached"] += int(values[9])
            totals[province]["budget_baht"] += float(values[10])
            totals[province]["disbursed_baht"] += float(values[11])
    return totals


def test_one_corrupt_file_is_rejected_and_the_others_load(night, warehouse):
    _, generated = night
    corrupt = {d.path for d in generated.defects if d.source_row is None}
    with psycopg.connect(warehouse) as conn:
        statuses = dict(conn.execute("select source_key, status from ops.submission").fetchall())
        reasons = conn.execute(
            "select reject_reason_th, reject_reason_en from ops.submission where status = 'rejected'"
        ).fetchall()
    assert len(statuses) == len(PROVINCES)
    assert {k for k, s in statuses.items() if s == "rejected"} == corrupt
    assert sum(s == "loaded" for s in statuses.values()) == len(PROVINCES) - 1
    assert all("ไฟล์" in th and "file" in en for th, en in reasons)


def test_rows_received_equal_rows_loaded_plus_rows_quarantined(night, warehouse):
    with psycopg.connect(warehouse) as conn:
        rows = conn.execute(
            """select s.rows_received,
                      (select count(*) from raw.activities r where r.submission_id = s.submission_id),
                      (select count(*) from quarantine.row q where q.submission_id = s.submission_id)
               from ops.submission s where status = 'loaded'"""
        ).fetchall()
    assert rows
    for received, loaded, quarantined in rows:
        assert received == loaded + quarantined
        assert received > 0


def test_every_injected_row_defect_is_quarantined_with_its_reason(night, warehouse):
    _, generated = night
    row_defects = [d for d in generated.defects if d.source_row is not None]
    with psycopg.connect(warehouse) as conn:
        quarantined = {
            (key, row): [r["rule"] for r in reasons]
            for key, row, reasons in conn.execute(
                "select s.source_key, q.source_row, q.reasons from quarantine.row q join ops.submission s using (submission_id)"
            )
        }
    assert len(row_defects) > 10
    for defect in row_defects:
        assert defect.expected_rule in quarantined.get((defect.path, defect.source_row), []), defect
    # and nothing the generator did not spoil was quarantined
    assert set(quarantined) == {(d.path, d.source_row) for d in row_defects}


def test_quarantine_reasons_are_bilingual_and_keep_the_row_as_sent(night, warehouse):
    with psycopg.connect(warehouse) as conn:
        record, reasons = conn.execute("select record, reasons from quarantine.row limit 1").fetchone()
    assert "activity_id" in record
    assert reasons and all(r["message_th"] and r["message_en"] and r["column"] for r in reasons)


def test_fact_totals_match_the_accepted_rows_of_the_source_files(night, warehouse):
    settings, generated = night
    expected = _accepted_source_totals(settings, generated)
    with psycopg.connect(warehouse) as conn:
        actual = {
            province: {
                "participants": p,
                "households_reached": h,
                "budget_baht": float(b),
                "disbursed_baht": float(d),
            }
            for province, p, h, b, d in conn.execute(
                """select province_code, sum(participants), sum(households_reached), sum(budget_baht), sum(disbursed_baht)
                   from marts.fct_activities group by province_code"""
            )
        }
    assert set(actual) == set(expected)
    for province, totals in expected.items():
        for measure, value in totals.items():
            assert actual[province][measure] == pytest.approx(value, abs=0.01), (province, measure)


def test_the_report_and_run_log_are_written(night, warehouse):
    settings, _ = night
    report = json.loads((settings.reports_dir / NIGHT.isoformat() / "night-report.json").read_text())
    assert report["provinces_delivered"] == len(PROVINCES)
    assert report["marts"]["fct_activities"] > 0
    assert {s["stage"] for s in report["stages"]} >= {
        "discover",
        "extract",
        "validate",
        "load",
        "build_marts",
    }


def test_running_the_night_again_changes_nothing(night, warehouse):
    settings, _ = night
    before = _snapshot(warehouse)
    run_nightly_dag(settings, warehouse, NIGHT)
    assert _snapshot(warehouse) == before
