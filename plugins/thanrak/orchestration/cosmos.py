"""dbt inside the nightly DAG, through astronomer-cosmos: the task group that renders one Airflow
task per dbt node, the manifest it is rendered from (written by `dbt parse` outside any DAG
parse), and the interceptor and callback Cosmos runs around each dbt invocation."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from thanrak.orchestration.dag_support import run_of, warehouse_url_for_airflow
from thanrak.settings import Settings
from thanrak.transform.dbt_build import DbtOutcome, dbt_environment, night_selection, project_fingerprint

log = logging.getLogger(__name__)

DBT_GROUP_ID = "build_marts"
# How the dbt task group runs: "watcher" (one `dbt build`, one Airflow task per dbt node watching
# it), "local" (one `dbt build --select <node>` per node, in-process) or "single" (the one-task
# build without Cosmos). docs/ARCHITECTURE.md, "dbt in Airflow (Cosmos)", has the measurements.
DBT_MODES = ("watcher", "local", "single")
DEFAULT_DBT_MODE = "watcher"
# The WATCHER producer's XCom with the night's selection (Selection.to_detail()), read by the
# sensors (skip_unselected_node) and by the run-log callback.
SELECTION_XCOM_KEY = "thanrak_selection"


def dbt_mode() -> str:
    mode = os.environ.get("THANRAK_DBT_MODE", DEFAULT_DBT_MODE).strip().lower()
    if mode not in DBT_MODES:
        raise ValueError(f"THANRAK_DBT_MODE must be one of {', '.join(DBT_MODES)}, not {mode!r}")
    return mode


def manifest_path(settings: Settings | None = None) -> Path:
    """Where the dbt manifest the DAG is rendered from lives: with the dbt project it describes
    (`target/` is dbt's own output folder, ignored by git)."""
    settings = settings or Settings.from_env()
    return settings.dbt_project_dir / "target" / "manifest.json"


def manifest_is_current(settings: Settings | None = None) -> bool:
    settings = settings or Settings.from_env()
    stamp = manifest_path(settings).with_suffix(".sha256")
    return (
        manifest_path(settings).is_file()
        and stamp.is_file()
        and stamp.read_text().strip() == project_fingerprint(settings.dbt_project_dir)
    )


def write_manifest(settings: Settings | None = None, *, force: bool = False) -> Path:
    """`dbt parse` of the project into target/manifest.json, outside any DAG parse, so that the
    DAG renders one Airflow task per dbt node from a file. Skipped when the manifest is current.
    dbt parse reads profiles.yml but connects to nothing: placeholders stand in for the warehouse
    when no THANRAK_DBT_* variables are set."""
    settings = settings or Settings.from_env()
    path = manifest_path(settings)
    if not force and manifest_is_current(settings):
        return path
    fingerprint = project_fingerprint(settings.dbt_project_dir)
    env = {**dbt_environment("postgresql://dbt-parse@localhost/dbt_parse"), **os.environ}
    project = str(settings.dbt_project_dir)
    dbt = Path(sys.executable).with_name("dbt")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Parsed into a folder of its own, then moved: a DAG being parsed meanwhile sees the old
    # manifest or the new one, never half of one.
    with tempfile.TemporaryDirectory(prefix=".parse-", dir=path.parent) as folder:
        command = [str(dbt), "parse", "--project-dir", project, "--profiles-dir", project,
                   "--target-path", folder, "--log-path", str(settings.var_dir / "dbt" / "logs")]  # fmt: skip
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(
                f"dbt parse failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
            )
        os.replace(Path(folder) / "manifest.json", path)
    path.with_suffix(".sha256").write_text(fingerprint + "\n")
    return path


def set_dbt_environment(context, operator) -> None:
    """Cosmos interceptor, run in the task before dbt is invoked: profiles.yml reads the warehouse
    from THANRAK_DBT_* variables, filled here from the warehouse URL of the run (never at DAG
    parse time, and never written into the DAG)."""
    operator.env = {**(operator.env or {}), **dbt_environment(warehouse_url_for_airflow())}


def select_night(context, operator) -> None:
    """Cosmos interceptor: the WATCHER producer's one `dbt build` builds the night's selection
    (thanrak.transform.dbt_build.night_selection; every node with the DAG param full_build or
    THANRAK_DBT_FULL=1). The rendered task list cannot change from night to night: the sensors of
    nodes left out skip (skip_unselected_node)."""
    from cosmos.operators.watcher import DbtProducerWatcherOperator

    from thanrak.warehouse.connection import connect  # psycopg: only when a dbt task runs

    if not isinstance(operator, DbtProducerWatcherOperator):
        return
    _, night = run_of(context)
    with connect(warehouse_url_for_airflow()) as conn:
        selection = night_selection(conn, night, full=bool(context["params"].get("full_build")))
    operator.select = selection.select() or None
    # A selection leaves the unit tests out, as the one-task build does (Selection.dbt_args).
    operator.dbt_cmd_flags = [*(operator.dbt_cmd_flags or []), *selection.exclusions()]
    context["ti"].xcom_push(key=SELECTION_XCOM_KEY, value=selection.to_detail())


def skip_unselected_node(context) -> None:
    """pre_execute of every task of the group: a WATCHER sensor whose node the producer's
    successful build did not run (not in the night's selection) skips, instead of waiting for a
    status that never comes. With a failed producer Cosmos' own handling stays."""
    from airflow.sdk.exceptions import AirflowSkipException
    from cosmos.operators._watcher.base import BaseConsumerSensor

    sensor, ti = context["task"], context["ti"]
    if not isinstance(sensor, BaseConsumerSensor):
        return
    selection = ti.xcom_pull(task_ids=sensor.producer_task_id, key=SELECTION_XCOM_KEY)
    if not selection or selection["selection"] == "full":
        return
    # Cosmos' own readers of the producer's state and of a node's status (no public API for them).
    if (
        sensor._get_producer_task_status(context) == "success"
        and sensor._get_node_status(ti, context) is None
    ):
        raise AirflowSkipException(
            f"{sensor.model_unique_id} is not in tonight's selection (datasets: "
            f"{', '.join(selection['selection']) or 'none'}): nothing it reads changed"
        )


def record_dbt_invocation(project_dir: str, context=None, **_) -> None:
    """Cosmos callback, run after each dbt invocation (also a failed one): one ops.run_log row,
    stage build_marts, with what dbt's run_results.json says of every node it ran. The producer's
    row also holds its selection and whether it succeeded: the next night selects from there."""
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
    from thanrak.warehouse.connection import connect  # psycopg: only when a dbt task ran
    from thanrak.warehouse.run_log import record_stage

    ti = context["ti"]
    started = getattr(ti, "start_date", None) or dt.datetime.now(dt.UTC)
    failed = [n["name"] for n in DbtOutcome(success=True, nodes=nodes).failures]
    detail = {"task": ti.task_id, "nodes": len(nodes), **({"failed": failed} if failed else {})}
    selection = ti.xcom_pull(task_ids=ti.task_id, key=SELECTION_XCOM_KEY)
    if selection:  # the producer: no results at all means dbt stopped before any node
        detail.update(selection, success=bool(nodes) and not failed)
    with connect(warehouse_url_for_airflow(), autocommit=True) as conn:
        record_stage(conn, *run_of(context), "build_marts", started, detail)


def dbt_task_group(settings: Settings | None = None):
    """The Cosmos task group that builds the marts, one Airflow task per dbt model and seed,
    rendered from the manifest `thanrak dbt-manifest` writes (no dbt runs while the DAG is
    parsed). None, with a warning, when the manifest is missing or older than the project, or
    when THANRAK_DBT_MODE=single: the DAG then builds the marts in one task."""
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
            "interceptors": [set_dbt_environment, *([select_night] if watcher else [])],
            "callback": record_dbt_invocation,
            **({"pre_execute": skip_unselected_node} if watcher else {}),
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
