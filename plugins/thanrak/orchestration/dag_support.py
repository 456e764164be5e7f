"""What DAG files need from Thanrak, kept light: DAG parsing must not import pandas or GX.

The pipeline's typed items become plain dicts here, and only here, where Airflow keeps them
in XCom: discover's batches, the input of the mapped `ingest` task, and what ingest made of them
(the rows themselves never leave the task)."""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from thanrak.pipeline import Stages

WAREHOUSE_CONNECTION_ID = "thanrak_warehouse"


def warehouse_url_for_airflow() -> str:
    """THANRAK_WAREHOUSE_URL, or else the URL of the Airflow connection `thanrak_warehouse`."""
    url = os.environ.get("THANRAK_WAREHOUSE_URL")
    if url:
        return url
    from airflow.sdk import BaseHook

    return BaseHook.get_connection(WAREHOUSE_CONNECTION_ID).get_uri()


def stages_for_airflow() -> Stages:
    from thanrak.pipeline import Stages

    return Stages(warehouse_url_for_airflow())


def night_of_run(context) -> dt.date:
    """The night a DAG run processes: param `night`, else the Bangkok day before the run's logical
    date (or, for a run without one, its `run_after`)."""
    from thanrak.nights import night_of

    night = (context.get("params") or {}).get("night")
    if night:
        return dt.date.fromisoformat(str(night))
    dag_run = context.get("dag_run")
    moment = (
        context.get("logical_date")
        or getattr(dag_run, "logical_date", None)
        or getattr(dag_run, "run_after", None)
    )
    return night_of(moment)


def run_of(context) -> tuple[str, dt.date]:
    """The run id and the night a DAG run processes."""
    return context["run_id"], night_of_run(context)


def ingest_batch(batch: list[dict]) -> list[dict]:
    """The mapped `ingest` task's work: one province's files through extract, validate and load
    (`Stages.process_batch`), from XCom to XCom. Fails when a file of the batch could not be
    closed with a verdict (after the others were)."""
    from airflow.sdk import get_current_context

    from thanrak.pipeline import FileItem

    context = get_current_context()
    items = [FileItem.from_xcom(value) for value in batch]
    context["province"] = items[0].submission.province_code  # the mapped task's label
    done = stages_for_airflow().process_batch(*run_of(context), items)
    return [item.to_xcom() for item in done]


def discover_batches(context) -> list[list[dict]]:
    """The night's waiting files, one batch per province, as XCom values."""
    batches = stages_for_airflow().discover_by_province(*run_of(context), exact_window=is_backfill(context))
    return [[item.to_xcom() for item in batch] for batch in batches]


def is_backfill(context) -> bool:
    """A backfill run (`airflow backfill create`, or param `exact_window`) takes exactly its night's
    window; a nightly run also takes anything delivered earlier and not processed yet."""
    return str(context["dag_run"].run_type) in ("backfill", "DagRunType.BACKFILL_JOB") or bool(
        context["params"].get("exact_window")
    )


# The marts as Airflow Assets: thanrak_nightly updates them when dbt built every model, so a DAG
# scheduled on them (thanrak_after_marts, or a team's own) runs once a night's marts are ready.
MART_ASSET_NAMES = ("fct_scorecard", "fct_scorecard_national", "fct_dq_completeness", "fct_bmn_household")


def mart_assets() -> list:
    from airflow.sdk import Asset

    return [
        Asset(name=f"marts.{name}", uri=f"thanrak://warehouse/marts/{name}", group="thanrak")
        for name in MART_ASSET_NAMES
    ]


def failed_tasks(context) -> list[str]:
    """The tasks of this DAG run that failed (dbt nodes included), as `task_id: state`."""
    ti = context["ti"]
    states = ti.get_task_states(dag_id=ti.dag_id, run_ids=[context["run_id"]]).get(context["run_id"], {})
    return sorted(
        f"{task}: {state}" for task, state in states.items() if state in ("failed", "upstream_failed")
    )
