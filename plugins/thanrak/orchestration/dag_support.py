"""What DAG files need from Thanrak, kept light: DAG parsing must not import pandas or GX."""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from thanrak.settings import Settings

if TYPE_CHECKING:
    from thanrak.pipeline import Stages

log = logging.getLogger(__name__)

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


# dbt inside the DAG, through astronomer-cosmos ------------------------------------------------

DBT_GROUP_ID = "build_marts"
# How the dbt task group runs: "watcher" (one `dbt build`, one Airflow task per dbt node watching
# it), "local" (one `dbt build --select <node>` per node, in-process) or "single" (the one-task
# build without Cosmos). docs/ARCHITECTURE.md, "dbt in Airflow (Cosmos)", has the measurements.
DBT_MODES = ("watcher", "local", "single")
DEFAULT_DBT_MODE = "watcher"


def dbt_mode() -> str:
    mode = os.environ.get("THANRAK_DBT_MODE", DEFAULT_DBT_MODE).strip().lower()
    if mode not in DBT_MODES:
        raise ValueError(f"THANRAK_DBT_MODE must be one of {', '.join(DBT_MODES)}, not {mode!r}")
    return mode


def run_of(context) -> tuple[str, dt.date]:
    """The run id and the night a DAG run processes (param `night`, else the logical date's)."""
    from thanrak.nights import night_of

    night = context["params"].get("night")
    if night:
        return context["run_id"], dt.date.fromisoformat(night)
    return context["run_id"], night_of(context["logical_date"] or context["dag_run"].run_after)


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


def set_dbt_environment(context, operator) -> None:
    """Cosmos interceptor, run in the task before dbt is invoked: profiles.yml reads the warehouse
    from THANRAK_DBT_* variables, filled here from the warehouse URL of the run (never at DAG
    parse time, and never written into the DAG)."""
    from thanrak.transform.dbt_build import dbt_environment

    operator.env = {**(operator.env or {}), **dbt_environment(warehouse_url_for_airflow())}


def record_dbt_invocation(project_dir: str, context=None, **_) -> None:
    """Cosmos callback, run after each dbt invocation (also a failed one): one ops.run_log row,
    stage build_marts, with what dbt's run_results.json says of every node it ran."""
    import json

    results_file = Path(project_dir) / "target" / "run_results.json"
    results = json.loads(results_file.read_text()).get("results", []) if results_file.is_file() else []
    nodes = [
        {
            "name": r["unique_id"].split(".")[2],  # model.thanrak.<name>, test.thanrak.<name>.<hash>
            "kind": r["unique_id"].split(".")[0],
            "status": r["status"],
            "seconds": round(r.get("execution_time") or 0.0, 3),
        }
        for r in results
    ]
    ti = context["ti"]
    started = getattr(ti, "start_date", None) or dt.datetime.now(dt.UTC)
    stages_for_airflow().record_marts(*run_of(context), started, ti.task_id, nodes)


def failed_tasks(context) -> list[str]:
    """The tasks of this DAG run that failed (dbt nodes included), as `task_id: state`."""
    ti = context["ti"]
    states = ti.get_task_states(dag_id=ti.dag_id, run_ids=[context["run_id"]]).get(context["run_id"], {})
    return sorted(
        f"{task}: {state}" for task, state in states.items() if state in ("failed", "upstream_failed")
    )


def dbt_task_group(settings: Settings | None = None):
    """The Cosmos task group that builds the marts, one Airflow task per dbt model and seed,
    rendered from the manifest `thanrak dbt-manifest` writes (no dbt runs while the DAG is
    parsed). None, with a warning, when the manifest is missing or older than the project, or
    when THANRAK_DBT_MODE=single: the DAG then builds the marts in one task."""
    from thanrak.transform.dbt_build import manifest_is_current, manifest_path

    settings = settings or Settings.from_env()
    mode = dbt_mode()
    if mode == "single":
        return None
    manifest = manifest_path(settings)
    if not manifest_is_current(settings):
        why = "missing" if not manifest.is_file() else "older than the dbt project"
        log.warning(
            "dbt manifest %s is %s: dbt runs as one task (build_marts); run `thanrak dbt-manifest`",
            manifest,
            why,
        )
        return None

    from cosmos import (
        DbtTaskGroup,
        ExecutionConfig,
        ExecutionMode,
        InvocationMode,
        LoadMode,
        ProfileConfig,
        ProjectConfig,
        RenderConfig,
        TestBehavior,
    )

    watcher = mode == "watcher"
    group = DbtTaskGroup(
        group_id=DBT_GROUP_ID,
        project_config=ProjectConfig(
            dbt_project_path=settings.dbt_project_dir,
            manifest_path=manifest,
            project_name="thanrak",
            install_dbt_deps=False,
        ),
        profile_config=ProfileConfig(
            profile_name="thanrak",
            target_name="warehouse",
            profiles_yml_filepath=settings.dbt_project_dir / "profiles.yml",
        ),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            # WATCHER: the producer's `dbt build` runs the tests, a sensor per model shows them.
            # LOCAL: `dbt build --select <model>` runs a model and its tests in one invocation.
            test_behavior=TestBehavior.AFTER_EACH if watcher else TestBehavior.BUILD,
            # LOCAL: a test of several models (relationships) is a task after all of them; in a
            # model's own build it would read a model not built yet on a clean database.
            should_detach_multiple_parents_tests=not watcher,
            emit_datasets=False,
        ),
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.WATCHER if watcher else ExecutionMode.LOCAL,
            invocation_mode=InvocationMode.DBT_RUNNER,
            # A WATCHER producer refuses to run a second `dbt build` on retry (it skips, and every
            # sensor then runs its own model): a failed build is not retried as a whole.
            setup_operator_args={"retries": 0} if watcher else None,
        ),
        operator_args={
            "append_env": True,
            "interceptors": [set_dbt_environment],
            "callback": record_dbt_invocation,
            **({"poke_interval": 5} if watcher else {}),
        },
        tooltip="dbt build of the star schema through astronomer-cosmos, one task per dbt node",
    )
    if watcher:
        # In a task group Cosmos puts the sensors of the first models beside the producer, to watch
        # it while it runs. `airflow dags test` runs one task at a time in no set order: a sensor
        # run first would wait for a producer that cannot start. Here every sensor follows the
        # producer and reads its node's result at once, also when the build failed (ALL_DONE).
        from airflow.sdk import TriggerRule
        from cosmos.constants import PRODUCER_WATCHER_TASK_ID

        roots = list(group.roots)
        producer = next(t for t in roots if t.task_id.endswith(PRODUCER_WATCHER_TASK_ID))
        for sensor in roots:
            if sensor is not producer:
                producer >> sensor
                sensor.trigger_rule = TriggerRule.ALL_DONE
    return group
