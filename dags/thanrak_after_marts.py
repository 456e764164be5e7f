"""
### thanrak_after_marts: what runs once a night's marts are ready

Scheduled on the marts' Airflow Assets that `thanrak_nightly` updates when every dbt model of a
night built. It refreshes PostgreSQL's planner statistics of the marts and bi views' tables, so
the first dashboards of the morning get good plans, and logs which night it follows. A team can
schedule its own DAGs (extract refreshes, exports) on the same assets.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import dag, get_current_context, task

from thanrak.orchestration.dag_support import mart_assets, warehouse_url_for_airflow


@dag(
    dag_id="thanrak_after_marts",
    schedule=mart_assets(),
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Bangkok"),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "thanrak-data", "retries": 1},
    tags=["thanrak", "marts", "cdd"],
    doc_md=__doc__,
)
def thanrak_after_marts():
    @task
    def analyze_marts() -> dict:
        from thanrak.warehouse.connection import analyze_schema

        events = get_current_context()["triggering_asset_events"]
        nights = sorted({e.extra.get("night") for evs in events.values() for e in evs if e.extra})
        tables = analyze_schema(warehouse_url_for_airflow(), "marts")
        return {"nights": nights, "tables_analyzed": tables}

    analyze_marts()


thanrak_after_marts()
