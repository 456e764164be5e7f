"""Operations: backfills and late deliveries, through the pipeline's stages and dbt.

- A backfill run of a past night takes exactly the files delivered in that night's window
  (after the previous night's 01:00 cut-off, up to its own), whatever else lies in the landing
  zone; a backfill over a week gives the same warehouse as seven nightly runs.
- A file delivered after its night's cut-off is picked up by the next night's run, and the marts
  of its period then hold its rows."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import psycopg
import pytest

from conftest import fresh_database
from thanrak.demo.generator import generate_night
from thanrak.nights import BANGKOK_TZ, night_cutoff
from thanrak.pipeline import Stages
from thanrak.settings import Settings
from thanrak.transform.dbt_build import run_dbt
from thanrak.warehouse.migrate import migrate
from thanrak.warehouse.reference import load_reference

WEEK = [dt.date(2026, 10, 5) + dt.timedelta(days=i) for i in range(7)]
PROVINCES = ["40", "57"]
# What must be equal between two warehouses: every row the pipeline keeps, less the columns that
# record when a run happened (the run log is about runs, not data, and is left out).
RUN_TIME_COLUMNS = ["loaded_at", "discovered_at", "processed_at", "released_at", "quarantined_at", "built_at"]
COMPARED = [
    "ops.submission",
    "raw.activities",
    "raw.otop_sales",
    "raw.bmn_households",
    "quarantine.row",
    "marts.fct_activities",
    "marts.fct_otop_sales",
    "marts.fct_bmn_household",
    "marts.fct_scorecard",
    "marts.fct_dq_completeness",
]


def deliver_week(landing: Path) -> None:
    """A week of deliveries, one night after another, each file stamped with its arrival."""
    for i, night in enumerate(WEEK):
        generate_night(
            landing,
            night,
            provinces=PROVINCES,
            datasets=("activities", "otop_sales", "bmn_households"),
            scale=0.03,
            file_defects=1 if i % 3 == 0 else 0,
            seed=11,
        )


def run_night(stages: Stages, night: dt.date, *, backfill: bool) -> None:
    for batch in stages.discover_by_province("test", night, exact_window=backfill):
        stages.process_batch("test", night, batch)


def build_marts(url: str, settings: Settings) -> None:
    """The nightly dbt step, without dbt's tests (test_marts.py runs them) to keep this quick:
    seeds once, then every model the compared marts are made of."""
    if not (settings.var_dir / "seeded").exists():
        assert run_dbt(url, ["seed"], settings).success
        (settings.var_dir / "seeded").touch()
    outcome = run_dbt(url, ["run", "--select", "+fct_scorecard"], settings)
    assert outcome.success, outcome.failures


def digest(url: str) -> dict[str, tuple]:
    without = " - ".join(f"'{c}'" for c in RUN_TIME_COLUMNS)
    with psycopg.connect(url) as conn:
        return {
            table: conn.execute(
                f"""select count(*), md5(coalesce(string_agg(row, '|' order by row), ''))
                    from (select (to_jsonb(t) - {without})::text as row from {table} t) rows"""
            ).fetchone()
            for table in COMPARED
        }


def new_warehouse(stack: list, pg_server: str) -> str:
    context = fresh_database(pg_server)
    url = context.__enter__()
    stack.append(context)
    with psycopg.connect(url, autocommit=True) as conn:
        migrate(conn)
        load_reference(conn)
    return url


@pytest.fixture(scope="module")
def databases(pg_server):
    stack: list = []
    yield lambda: new_warehouse(stack, pg_server)
    for context in reversed(stack):
        context.__exit__(None, None, None)


@pytest.fixture(scope="module")
def week_files(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("week") / "landing"
    deliver_week(landing)
    return landing


def files_delivered_between(landing: Path, start: dt.datetime, end: dt.datetime) -> set[str]:
    stamps = {
        str(p.relative_to(landing)): dt.datetime.fromtimestamp(p.stat().st_mtime, BANGKOK_TZ)
        for p in landing.rglob("*")
        if p.is_file()
    }
    return {key for key, at in stamps.items() if start < at <= end}


def test_a_backfill_of_a_past_night_takes_exactly_that_nights_deliveries(databases, week_files, tmp_path):
    url = databases()
    settings = Settings.in_folder(tmp_path / "var")
    shutil.copytree(week_files, settings.landing_dir, copy_function=shutil.copy2)
    night = WEEK[3]
    run_night(Stages(url, settings), night, backfill=True)
    with psycopg.connect(url) as conn:
        processed = {key for (key,) in conn.execute("select source_key from ops.submission")}
        statuses = {s for (s,) in conn.execute("select distinct status from ops.submission")}
    expected = files_delivered_between(
        week_files, night_cutoff(night - dt.timedelta(days=1)), night_cutoff(night)
    )
    assert expected and processed == expected
    assert statuses <= {"loaded", "rejected"}


def test_a_backfill_over_a_week_equals_seven_nightly_runs(databases, week_files, tmp_path):
    # Seven nightly runs: each night only what had arrived by then is in the landing zone.
    nightly_url = databases()
    nightly = Settings.in_folder(tmp_path / "nightly")
    stages = Stages(nightly_url, nightly)
    for night in WEEK:
        for key in files_delivered_between(
            week_files, night_cutoff(night - dt.timedelta(days=1)), night_cutoff(night)
        ):
            target = nightly.landing_dir / key
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(week_files / key, target)
        run_night(stages, night, backfill=False)
        build_marts(nightly_url, nightly)

    # A backfill later: the whole week is already in the landing zone, nights run in order.
    backfill_url = databases()
    backfill = Settings.in_folder(tmp_path / "backfill")
    shutil.copytree(week_files, backfill.landing_dir, copy_function=shutil.copy2)
    stages = Stages(backfill_url, backfill)
    for night in WEEK:
        run_night(stages, night, backfill=True)
        build_marts(backfill_url, backfill)

    nightly_digest, backfill_digest = digest(nightly_url), digest(backfill_url)
    assert nightly_digest["raw.activities"][0] > 0
    assert backfill_digest == nightly_digest


def test_a_late_file_is_picked_up_the_next_night_and_its_period_rebuilt(databases, tmp_path):
    url = databases()
    settings = Settings.in_folder(tmp_path / "var")
    night = dt.date(2026, 10, 20)
    generated = generate_night(
        settings.landing_dir,
        night,
        provinces=["40", "57"],
        datasets=("otop_sales",),
        scale=0.05,
        file_defects=0,
    )
    late = next(key for key in generated.files if key.startswith("57/"))
    arrival = night_cutoff(night) + dt.timedelta(hours=1)  # 02:00 the next morning: too late
    os.utime(settings.landing_dir / late, (arrival.timestamp(), arrival.timestamp()))
    stages = Stages(url, settings)

    def otop_rows(province: str) -> int:
        with psycopg.connect(url) as conn:
            return conn.execute(
                "select count(*) from marts.fct_otop_sales where province_code = %s and period = '2026-10'",
                (province,),
            ).fetchone()[0]

    run_night(stages, night, backfill=False)
    build_marts(url, settings)
    rows_after_its_night = otop_rows("57")
    run_night(stages, night + dt.timedelta(days=1), backfill=False)
    build_marts(url, settings)
    with psycopg.connect(url) as conn:
        picked_up = conn.execute(
            "select night, status, rows_loaded from ops.submission where source_key = %s", (late,)
        ).fetchone()
        scorecard = conn.execute(
            """select has_data from marts.fct_scorecard where province_code = '57'
               and indicator_code = 'G3-OTOP-SALES' and fiscal_year_be = 2570 and fiscal_quarter = 1"""
        ).fetchone()[0]
    assert otop_rows("40") > 0 and rows_after_its_night == 0
    assert picked_up[:2] == (night + dt.timedelta(days=1), "loaded")
    assert otop_rows("57") == picked_up[2] > 0
    assert scorecard is True
