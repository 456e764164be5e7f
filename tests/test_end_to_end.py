"""A small night through the real DAG, run by Airflow itself, into a real PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sqlite3
from collections import defaultdict

import psycopg
import pytest

from thanrak.contract.declarations import DATASETS, load_contract
from thanrak.demo.generator import cdd_provinces, generate_night
from thanrak.nights import BANGKOK_TZ
from thanrak.orchestration.runner import run_nightly_dag
from thanrak.settings import Settings

NIGHT = dt.date(2026, 11, 22)
NEXT_NIGHT = NIGHT + dt.timedelta(days=1)
PROVINCES = ["30", "40", "50", "57", "65", "96"]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def cosmos_watcher():
    """`airflow dags test` from the runner builds the marts in one task unless told otherwise:
    this file checks the Cosmos WATCHER group a scheduler runs."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("THANRAK_DBT_MODE", "watcher")
        yield


@pytest.fixture(scope="module")
def night(warehouse, tmp_path_factory):
    settings = Settings.in_folder(tmp_path_factory.mktemp("var"), warehouse)
    # CSV only, so that the totals below can be read back with the csv module alone.
    generated = generate_night(
        settings.landing_dir,
        NIGHT,
        provinces=PROVINCES,
        scale=0.15,
        defect_rate=0.05,
        file_defects=2,
        xlsx_share=0,
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
                *(f"raw.{dataset}" for dataset in DATASETS),
                "quarantine.row",
                "marts.fct_activities",
                "dq.rule_result",
            )
        } | {
            "ops.submission": conn.execute(
                "select count(*), string_agg(status || rows_received::text, ',' order by submission_id) from ops.submission"
            ).fetchone()
        }


def _accepted_source_totals(settings, generated, dataset: str, measures: dict[str, int]) -> dict:
    """Totals per province straight from the landed CSV files, leaving out the rows the
    generator spoilt and the files it spoilt as a whole: read here with the csv module alone,
    independently of Thanrak's reader. `measures` maps a column to its position in the file."""
    spoilt_rows = {(d.path, d.source_row) for d in generated.defects}
    spoilt_files = {d.path for d in generated.defects if d.source_row is None}
    digits = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for key in generated.files:
        if key in spoilt_files or f"/{dataset}/" not in key:
            continue
        data = (settings.landing_dir / key).read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp874")
        province = key.split("/")[0]
        for line_number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            if line_number == 1 or (key, line_number) in spoilt_rows or not any(row):
                continue
            for measure, position in measures.items():
                totals[province][measure] += float(
                    row[position].translate(digits).replace(",", "").strip(" \u200b")
                )
    return totals


def test_spoilt_files_are_rejected_and_the_others_load(night, warehouse):
    _, generated = night
    spoilt = {d.path for d in generated.defects if d.source_row is None}
    with psycopg.connect(warehouse) as conn:
        statuses = dict(conn.execute("select source_key, status from ops.submission").fetchall())
        reasons = conn.execute(
            "select reject_reason_th, reject_reason_en from ops.submission where status = 'rejected'"
        ).fetchall()
    assert sorted(statuses) == sorted(generated.files)  # every delivered file has its manifest row
    assert len(spoilt) == 2
    assert {k for k, s in statuses.items() if s == "rejected"} == spoilt
    assert all(th and en for th, en in reasons)


def test_rows_received_equal_rows_loaded_plus_rows_quarantined(night, warehouse):
    with psycopg.connect(warehouse) as conn:
        rows = [
            row
            for dataset in DATASETS
            for row in conn.execute(
                f"""select s.rows_received,
                           (select count(*) from raw.{dataset} r where r.submission_id = s.submission_id),
                           (select count(*) from quarantine.row q where q.submission_id = s.submission_id)
                    from ops.submission s where status = 'loaded' and dataset = %s""",
                (dataset,),
            )
        ]
    assert len(rows) >= len(night[1].files) - 2
    for received, loaded, quarantined in rows:
        assert received == loaded + quarantined
        assert received > 0


def test_quarantine_reasons_are_bilingual_and_keep_the_row_as_sent(night, warehouse):
    with psycopg.connect(warehouse) as conn:
        quarantined = conn.execute("select dataset, record, reasons from quarantine.row").fetchall()
    assert quarantined
    for dataset, record, reasons in quarantined:
        assert set(record) == set(load_contract(dataset).column_names)
        assert reasons and all(r["message_th"] and r["message_en"] and r["column"] for r in reasons)


def test_fact_totals_match_the_accepted_rows_of_the_source_files(night, warehouse):
    settings, generated = night
    measures = {"participants": 8, "households_reached": 9, "budget_baht": 10, "disbursed_baht": 11}
    expected = _accepted_source_totals(settings, generated, "activities", measures)
    with psycopg.connect(warehouse) as conn:
        actual = {
            province: dict(zip(measures, map(float, sums), strict=True))
            for province, *sums in conn.execute(
                """select province_code, sum(participants), sum(households_reached),
                          sum(budget_baht), sum(disbursed_baht)
                   from marts.fct_activities group by province_code"""
            )
        }
    assert set(actual) == set(expected)
    for province, totals in expected.items():
        for measure, value in totals.items():
            assert actual[province][measure] == pytest.approx(value, abs=0.01), (province, measure)


def test_the_report_and_run_log_are_written(night, warehouse):
    settings, generated = night
    report = json.loads((settings.reports_dir / NIGHT.isoformat() / "night-report.json").read_text())
    folders = {key.split("/")[0] for key in generated.files}
    assert report["provinces_delivered"] == len(folders & set(cdd_provinces()))
    assert report["marts"]["fct_activities"] > 0
    assert {s["stage"] for s in report["stages"]} >= {
        "discover",
        "extract",
        "validate",
        "load",
        "build_marts",
    }
    # `dags test` runs the ingest tasks one at a time, each file's steps one after the other: a
    # step's busy time (its runs added up) is within its span (first start to last finish).
    steps = {s["stage"]: s for s in report["stages"]}
    for step in ("extract", "validate", "load"):
        assert 0 < steps[step]["busy_seconds"] <= steps[step]["seconds"] + 0.01


def test_dbt_ran_inside_the_dag_one_task_per_dbt_node(night, warehouse):
    """Through Cosmos, rendered from the manifest: every dbt task succeeded, and the run log
    has the dbt build with every node of it."""
    settings, _ = night
    with sqlite3.connect(settings.var_dir / "airflow" / "airflow.db") as airflow_db:
        states = airflow_db.execute(
            "select task_id, state from task_instance where dag_id = 'thanrak_nightly' and task_id like 'build_marts.%'"
        ).fetchall()
    assert len(states) > 20
    assert {state for _, state in states} == {"success"}, [s for s in states if s[1] != "success"]
    with psycopg.connect(warehouse) as conn:
        details = [d for (d,) in conn.execute("select detail from ops.run_log where stage = 'build_marts'")]
    assert details and all("failed" not in d for d in details)
    assert sum(d["nodes"] for d in details) > 50


def test_the_marts_assets_were_updated_for_downstream_dags(night):
    """announce_marts ran after dbt built everything, and Airflow recorded one event per mart
    asset carrying the night, which thanrak_after_marts is scheduled on."""
    settings, _ = night
    with sqlite3.connect(settings.var_dir / "airflow" / "airflow.db") as airflow_db:
        events = airflow_db.execute(
            """select asset.name, asset_event.extra from asset_event join asset on asset.id = asset_event.asset_id
               where asset.uri like 'thanrak://warehouse/marts/%'"""
        ).fetchall()
    assert {name for name, _ in events} == {
        "marts.fct_scorecard",
        "marts.fct_scorecard_national",
        "marts.fct_dq_completeness",
        "marts.fct_bmn_household",
    }
    assert all(json.loads(extra)["night"] == NIGHT.isoformat() for _, extra in events)


def test_running_the_night_again_changes_nothing(night, warehouse):
    settings, _ = night
    before = _snapshot(warehouse)
    run_nightly_dag(settings, warehouse, NIGHT)
    assert _snapshot(warehouse) == before


def test_a_resubmission_night_builds_only_its_dataset_and_skips_the_other_dbt_tasks(night, warehouse):
    """The next night province 40 resubmits one activities file: the producer builds activities'
    descendants and the delivery marts; the tasks of the other datasets' models are skipped,
    and the marts' assets are still announced."""
    settings, generated = night
    spoilt = {d.path for d in generated.defects if d.source_row is None}  # whole files
    key = next(k for k in generated.files if k.startswith("40/activities/") and k not in spoilt)
    original = settings.landing_dir / key
    resubmitted = original.with_name(f"{original.stem}_แก้ไข{original.suffix}")
    resubmitted.write_bytes(b"".join(original.read_bytes().splitlines(keepends=True)[:-1]))
    stamp = dt.datetime.combine(NEXT_NIGHT, dt.time(18, 30), BANGKOK_TZ).timestamp()
    os.utime(resubmitted, (stamp, stamp))
    run_nightly_dag(settings, warehouse, NEXT_NIGHT)

    with sqlite3.connect(settings.var_dir / "airflow" / "airflow.db") as airflow_db:
        states = dict(
            airflow_db.execute(
                """select task_id, state from task_instance where run_id = (
                       select run_id from dag_run where dag_id = 'thanrak_nightly'
                       order by logical_date desc limit 1)"""
            ).fetchall()
        )
    dbt_states = {task: state for task, state in states.items() if task.startswith("build_marts.")}
    assert {s for t, s in dbt_states.items() if ".fct_activities." in t} == {"success"}
    assert {s for t, s in dbt_states.items() if ".fct_dq_deliveries" in t} == {"success"}
    assert {s for t, s in dbt_states.items() if ".fct_otop_sales" in t} == {"skipped"}
    assert "failed" not in dbt_states.values()
    assert states["announce_marts"] == "success"
    with psycopg.connect(warehouse) as conn:
        (detail,) = conn.execute(
            """select detail from ops.run_log where stage = 'build_marts' and night = %s
               and detail ? 'selection'""",
            (NEXT_NIGHT,),
        ).fetchone()
    assert (detail["selection"], detail["success"]) == (["activities"], True)
    with psycopg.connect(warehouse) as conn:
        counted = conn.execute(
            """select (select count(*) from marts.fct_activities),
                      (select sum(activities) from marts.fct_activities_monthly)"""
        ).fetchone()
    assert counted[0] == counted[1], "the activities aggregate was not rebuilt with its fact"
