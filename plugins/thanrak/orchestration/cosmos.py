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
# The group's sub-groups, one per layer of the dbt project (the folder under models/, and seeds),
# in the order of the flow; a node's tasks are build_marts.<layer>.<node>.<run|seed|test>.
LAYERS = {
    "seeds": "code lists and targets from the contract and the indicator files (dbt seeds)",
    "staging": "one model per source table: renamed and cast, nothing else",
    "intermediate": "the revision in force of each file, the scorecard's measures",
    "marts": "dimensions, facts, aggregates, data quality and the five-gear scorecard",
    "bi": "the public views BI tools and planners read",
}


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


PRODUCER_DOC = (
    "The night's one `dbt build` (Cosmos WATCHER producer): the nodes the night's files touch "
    "(every node with param `full_build`), its selection pushed to XCom for the node tasks, "
    "which then read each node's result. Runs even if a province's ingest failed. Not retried: "
    "a second try would only skip, and every node task would rerun its own node. The log holds "
    "dbt's output, one line per node.\n\n**Failed?** A model or test failed: fix it in "
    "`dbt_project/`, run `thanrak dbt-manifest`, then clear the marts and what follows them "
    "(docs/runbook.md, a failure alert arrived)."
)


DBT_TASK_DOC = (
    "A dbt task of the night's build (astronomer-cosmos): the log holds dbt's output for it "
    "(docs/runbook.md, a failure alert arrived)."
)


def folder_layer(original_file_path: str) -> str:
    """The layer a dbt file's folder names: the folder under models/ (models/marts/facts/x.sql:
    marts), else its first folder (seeds/x.csv: seeds)."""
    parts = Path(original_file_path).parts
    return parts[1] if parts[0] == "models" and len(parts) > 2 else parts[0]


def node_layers(manifest: dict) -> dict[str, str]:
    """The layer group of every model, seed, snapshot and test of the manifest: its folder's
    layer, or the latest layer among what it reads when that comes later. Some models read a
    later layer (the scorecard's measures in intermediate/ read the facts in marts/), and a
    task group may not depend on a group that depends on it (Airflow's UI sorts a group's
    children topologically, and a cycle between groups breaks it): so every edge between two
    groups goes forward, in the order of LAYERS (then any other folder, by name)."""
    nodes = {
        uid: node
        for uid, node in manifest.get("nodes", {}).items()
        if node.get("resource_type") in ("model", "seed", "snapshot", "test")
    }
    folders = {uid: folder_layer(node["original_file_path"]) for uid, node in nodes.items()}
    order = [*LAYERS, *sorted(set(folders.values()) - set(LAYERS))]
    rank = {layer: index for index, layer in enumerate(order)}
    found: dict[str, int] = {}

    def layer_of(uid: str) -> int:
        if uid not in found:
            found[uid] = -1  # a guard: dbt's graph has no cycles
            parents = [p for p in nodes[uid].get("depends_on", {}).get("nodes", []) if p in nodes]
            # A test sits with what it tests; a node, at least in its own folder's layer.
            own = -1 if nodes[uid]["resource_type"] == "test" else rank[folders[uid]]
            found[uid] = max([own, *(layer_of(p) for p in parents)])
        return found[uid]

    return {uid: order[max(layer_of(uid), 0)] for uid in nodes}


def _node_doc(node, description: str, verb: str) -> str:
    """doc_md of a dbt node's task: what the node is (its dbt description), where it lives, and
    what the task does in the WATCHER or LOCAL build."""
    kind = node.resource_type.value
    materialized = node.config.get("materialized")
    if verb == "build":
        does = f"Runs `dbt build --select {node.name}` (LOCAL mode): the {kind} and its tests."
    else:
        what = "its data tests" if verb == "test" else f"the {kind}"
        does = (
            f"Reads the result of {what} from the night's one `dbt build` "
            f"(`{DBT_GROUP_ID}.dbt_producer_watcher`, WATCHER mode); skipped when the night's "
            "selection left the node out. A retry runs this node alone."
        )
    return (
        f"**{node.name}** ({kind}{f', {materialized}' if materialized else ''}, "
        f"`dbt_project/{node.original_file_path}`)\n\n{description or '(no description in its YAML)'}\n\n"
        f"{does} The log holds dbt's output for it (docs/runbook.md, a failure alert arrived)."
    )


class _NodeGroups:
    """Cosmos node converters (models, seeds, snapshots) that render every dbt node the same
    way: a task group named after the node, in its layer's group (node_layers), holding the
    node's task (`run`, `seed`, `snapshot`; `build` in LOCAL mode) and, when the node has tests
    under TestBehavior.AFTER_EACH (WATCHER), its `test` task after it. Cosmos' own rendering
    gives a node with tests that group, but a node without any a single task `<node>_run`
    beside them: here every node's task id is build_marts.<layer>.<node>.<verb>. The tasks
    themselves are Cosmos' (its task metadata and operator classes for the execution mode);
    only where they sit and their doc are ours. LOCAL mode's tests of several models stay
    Cosmos' `build_marts.<test>_test` (a converter for them gets the wrong node from Cosmos
    1.15: the last one rendered)."""

    def __init__(self, render_config, manifest: Path):
        loaded = json.loads(manifest.read_text())
        self.render_config = render_config
        self.layers = node_layers(loaded)
        self.descriptions = {
            uid: (node.get("description") or "").strip() for uid, node in loaded.get("nodes", {}).items()
        }

    def converters(self) -> dict:
        from cosmos import DbtResourceType

        return {
            DbtResourceType.MODEL: self.node,
            DbtResourceType.SEED: self.node,
            DbtResourceType.SNAPSHOT: self.node,
        }

    def _group(self, dag, parent, node, name: str):
        """The node's own group, in its layer's group of `parent` (made when first needed)."""
        from airflow.sdk import TaskGroup

        layer = self.layers.get(node.unique_id) or folder_layer(str(node.original_file_path))
        key = f"{parent.group_id}.{layer}" if parent is not None and parent.group_id else layer
        found = parent.children.get(key) if parent is not None else None
        if not isinstance(found, TaskGroup):
            found = TaskGroup(group_id=layer, parent_group=parent, dag=dag, tooltip=LAYERS.get(layer, layer))
        description = self.descriptions.get(node.unique_id, "")
        tooltip = description.splitlines()[0] if description else name
        return TaskGroup(group_id=name, parent_group=found, dag=dag, tooltip=tooltip)

    def node(self, *, dag, task_group, node, task_args, execution_mode, test_indirect_selection, **kwargs):
        from cosmos import TestBehavior
        from cosmos.airflow.graph import (
            _get_dbt_dag_task_group_identifier,
            create_task_metadata,
            create_test_task_metadata,
        )
        from cosmos.core.airflow import get_airflow_task

        config, detached = self.render_config, kwargs.get("detached_from_parent")
        warning = kwargs.get("on_warning_callback")
        meta = create_task_metadata(
            node=node,
            execution_mode=execution_mode,
            args=task_args,
            dbt_dag_task_group_identifier=_get_dbt_dag_task_group_identifier(dag, task_group),
            render_config=config,
            use_task_group=True,
            test_indirect_selection=test_indirect_selection,
            on_warning_callback=warning,
            detached_from_parent=detached,
        )
        if meta is None:  # a node Cosmos renders as nothing (seed_rendering_behavior NONE)
            return None
        description = self.descriptions.get(node.unique_id, "")
        with self._group(dag, task_group, node, node.name) as group:
            meta.arguments["doc_md"] = _node_doc(node, description, meta.id)
            task = get_airflow_task(meta, dag, task_group=group)
            if node.has_non_detached_test and config.test_behavior == TestBehavior.AFTER_EACH:
                test = create_test_task_metadata(
                    "test",
                    execution_mode,
                    test_indirect_selection,
                    task_args=task_args,
                    node=node,
                    render_config=config,
                    on_warning_callback=warning,
                    detached_from_parent=detached,
                    enable_owner_inheritance=config.enable_owner_inheritance,
                )
                test.arguments["doc_md"] = _node_doc(node, description, "test")
                task >> get_airflow_task(test, dag, task_group=group)
        return group


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
    render_config = RenderConfig(
        load_method=LoadMode.DBT_MANIFEST,
        # WATCHER: the producer's `dbt build` runs the tests, a sensor per model shows them.
        # LOCAL: `dbt build --select <model>` runs a model and its tests in one invocation.
        test_behavior=TestBehavior.AFTER_EACH if watcher else TestBehavior.BUILD,
        # LOCAL: a test of several models (relationships) is a task after all of them; in a
        # model's own build it would read a model not built yet on a clean database.
        should_detach_multiple_parents_tests=not watcher,
        emit_datasets=False,
    )
    # One form for every node's tasks, in a group per layer (_NodeGroups).
    render_config.node_converters = _NodeGroups(render_config, manifest).converters()
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
        render_config=render_config,
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.WATCHER if watcher else ExecutionMode.LOCAL,
            invocation_mode=InvocationMode.DBT_RUNNER,
            # A WATCHER producer refuses to run a second `dbt build` on retry (it skips, and every
            # sensor then runs its own model): a failed build is not retried as a whole.
            setup_operator_args={"retries": 0, "doc_md": PRODUCER_DOC} if watcher else None,
        ),
        operator_args={
            "doc_md": DBT_TASK_DOC,  # the nodes' own tasks get theirs (_NodeGroups)
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
