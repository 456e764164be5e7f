"""`thanrak demo`: a whole night for 76 provinces, end to end, on generated data."""

from __future__ import annotations

import datetime as dt
import time

from thanrak.demo.generator import generate_night
from thanrak.orchestration.runner import run_nightly_dag
from thanrak.report.scorecard import national_scorecard, render_scorecard
from thanrak.report.summary import night_summary, render_markdown
from thanrak.settings import Settings
from thanrak.warehouse.connection import connect, warehouse_url
from thanrak.warehouse.run_log import latest_run_id


def run_demo(settings: Settings, night: dt.date, *, scale: float) -> int:
    timings: dict[str, float] = {}
    with warehouse_url(settings) as url:
        where = (
            "external warehouse (THANRAK_WAREHOUSE_URL)"
            if settings.warehouse_url
            else (f"embedded PostgreSQL in {settings.embedded_pg_dir}")
        )
        print(f"Thanrak demo: night {night}, {where}")

        started = time.monotonic()
        generated = generate_night(settings.landing_dir, night, scale=scale)
        generated_path = settings.var_dir / "generated" / f"{night}.json"
        generated_path.parent.mkdir(parents=True, exist_ok=True)
        generated_path.write_text(generated.to_json())
        timings["generate"] = time.monotonic() - started
        print(
            f"  generated {len(generated.files)} files, {generated.total_rows:,} rows, "
            f"{len(generated.defects)} injected defects -> {settings.landing_dir}"
        )

        started = time.monotonic()
        airflow_log = run_nightly_dag(settings, url, night)
        timings["airflow dags test thanrak_nightly"] = time.monotonic() - started

        with connect(url) as conn:
            run_id = latest_run_id(conn, night)
            summary = night_summary(conn, night, run_id)
            scorecard = national_scorecard(conn, night)
    print()
    print(render_markdown(summary))
    print(render_scorecard(scorecard))
    print()
    print("Wall-clock / เวลาที่ใช้:")
    for step, seconds in timings.items():
        print(f"  {step}: {seconds:.1f} s")
    print()
    report_dir = settings.reports_dir / night.isoformat()
    print(f"Planners' report (open in a browser): {report_dir / 'report.html'}")
    print(f"Summary: {report_dir / 'night-report.md'} and night-report.json")
    print(f"Rejected rows per province, to send back: {report_dir / 'quarantine'}/")
    print(f"Airflow log: {airflow_log}")
    print(f"Injected defects (what validation should have caught): {generated_path}")
    return 0
