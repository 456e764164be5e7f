"""Every DAG file imports into a DagBag cleanly and every DAG is documented and retried; dbt
runs inside the nightly DAG through Cosmos, rendered from a manifest without running dbt."""

import dataclasses
import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from support.fresh_python import answer_of
from thanrak.nights import night_cutoff
from thanrak.orchestration.cosmos import LAYERS, folder_layer, node_layers, write_manifest
from thanrak.orchestration.dag_support import MART_ASSET_NAMES, is_backfill
from thanrak.settings import PROJECT_ROOT, Settings

DAG_FILES = sorted((PROJECT_ROOT / "dags").glob("*.py"))
# The Cosmos WATCHER producer runs the one `dbt build` and must not be retried (a second try only
# skips): every other task is.
NOT_RETRIED = {"build_marts.dbt_producer_watcher"}
# Every dbt node's tasks: build_marts.<layer>.<node>.<run|seed|build|test>; beside them only
# Cosmos' own tasks (the WATCHER producer and its gate, LOCAL's tests of several models).
DBT_TASK_ID = re.compile(rf"^build_marts\.({'|'.join(LAYERS)})\.(\w+)\.(run|seed|snapshot|build|test)$")
COSMOS_TASK_ID = re.compile(r"^build_marts\.(dbt_producer_watcher(_done)?|\w+_test)$")


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory):
    os.environ.setdefault("AIRFLOW_HOME", str(tmp_path_factory.mktemp("airflow_home")))
    os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
    os.environ.pop("THANRAK_DBT_MODE", None)
    write_manifest()  # what `thanrak demo` and `thanrak dbt-manifest` do before Airflow parses
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(PROJECT_ROOT / "dags"))


_PARSE_IN_A_FRESH_PROCESS = """
import json, sys, time
started = time.monotonic()
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
dag = bag.dags.get("thanrak_nightly")
group = dag.task_group_dict.get("build_marts") if dag else None
graph = getattr(group, "dbt_graph", None)
print(json.dumps({
    "errors": {k: str(v) for k, v in bag.import_errors.items()},
    "tasks": [t.task_id for t in dag.tasks] if dag else [],
    "undocumented": [t.task_id for t in dag.tasks if not t.doc_md] if dag else [],
    "load_method": graph.load_method.value if graph else None,
    "dbt_imported": sorted(m for m in sys.modules if m == "dbt" or m.startswith("dbt.")),
    "seconds": time.monotonic() - started,
}))
"""


def _parse_dag_file(tmp_path: Path, **environment: str) -> dict:
    """Parses the DAG folder in a new interpreter, as Airflow's DAG processor would."""
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(tmp_path / "airflow_home"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        **environment,
    }
    if "THANRAK_DBT_MODE" not in environment:
        env.pop("THANRAK_DBT_MODE", None)
    return answer_of(_PARSE_IN_A_FRESH_PROCESS, str(PROJECT_ROOT / "dags"), env=env)


def test_dag_files_exist():
    assert [p.name for p in DAG_FILES] == ["thanrak_after_marts.py", "thanrak_nightly.py"]


def test_every_dag_file_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert {Path(dag.fileloc).name for dag in dagbag.dags.values()} == {p.name for p in DAG_FILES}


def test_no_cycles(dagbag):
    for dag in dagbag.dags.values():
        dag.check_cycle()  # raises on a cycle


def test_every_dag_has_owner_retries_tags_and_doc(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags, dag_id
        assert dag.doc_md and len(dag.doc_md) > 100, dag_id
        for task in dag.tasks:
            assert task.owner and task.owner != "airflow", f"{dag_id}.{task.task_id}"
            assert task.retries >= 1 or task.task_id in NOT_RETRIED, f"{dag_id}.{task.task_id}"


def test_every_task_of_the_night_has_a_doc_a_user_can_act_on(dagbag):
    dag = dagbag.dags["thanrak_nightly"]
    undocumented = [t.task_id for t in dag.tasks if not (t.doc_md and len(t.doc_md) > 80)]
    assert undocumented == []
    for task_id in (
        "prepare_warehouse",
        "discover_submissions",
        "ingest",
        "observe_deliveries",
        "verify_night",
    ):
        assert "**Failed?**" in dag.get_task(task_id).doc_md, task_id  # what to do next
    for task_id in ("build_data_docs", "write_report", "announce_marts"):
        assert "Runs" in dag.get_task(task_id).doc_md, task_id  # when it runs
    assert "**Failed?**" in dag.get_task("build_marts.dbt_producer_watcher").doc_md
    # A dbt node's tasks carry the node's own description, from its YAML via the manifest.
    manifest = json.loads(write_manifest().read_text())
    fact = manifest["nodes"]["model.thanrak.fct_activities"]
    doc = dag.get_task("build_marts.marts.fct_activities.run").doc_md
    assert fact["description"] and fact["description"] in doc and fact["original_file_path"] in doc


def test_the_scheduled_run_of_a_night_is_at_its_cut_off_and_processes_that_night(dagbag):
    """01:00 Bangkok on D+1 runs night D: its logical date is that moment (a data interval
    given to the schedule would move the logical date, and the night, back by it)."""
    from airflow.serialization.encoders import coerce_to_core_timetable
    from airflow.timetables.base import DataInterval, TimeRestriction

    from thanrak.orchestration.dag_support import night_of_run

    timetable = coerce_to_core_timetable(dagbag.dags["thanrak_nightly"].timetable)
    night = dt.date(2026, 11, 22)
    last = DataInterval(
        night_cutoff(night - dt.timedelta(days=1)), night_cutoff(night - dt.timedelta(days=1))
    )
    run = timetable.next_dagrun_info(
        last_automated_data_interval=last, restriction=TimeRestriction(None, None, catchup=True)
    )
    assert run.logical_date == run.run_after == night_cutoff(night)
    assert night_of_run({"params": {}, "logical_date": run.logical_date}) == night


def test_nightly_schedule_and_shape(dagbag):
    dag = dagbag.dags["thanrak_nightly"]
    assert dag.max_active_runs == 1
    assert dag.catchup is False
    assert dag.timetable.expression == "0 1 * * *"
    assert str(dag.timetable.timezone) == "Asia/Bangkok"
    order = [t.task_id for t in dag.topological_sort()]
    dbt = [i for i, task_id in enumerate(order) if task_id.split(".")[0] == "build_marts"]
    assert order.index("prepare_warehouse") < order.index("discover_submissions")
    assert (
        order.index("discover_submissions")
        < order.index("ingest")
        < order.index("observe_deliveries")
        < min(dbt)
    )
    assert not {"extract", "validate", "load"} & set(order)  # one mapped task per province, not three
    assert (
        max(dbt) < order.index("build_data_docs") < order.index("write_report") < order.index("verify_night")
    )


def test_dbt_runs_as_one_task_per_dbt_node_rendered_from_the_manifest(dagbag):
    dag = dagbag.dags["thanrak_nightly"]
    manifest = json.loads(write_manifest().read_text())
    group = dag.task_group_dict["build_marts"]
    assert group.dbt_graph.load_method.value == "dbt_manifest"
    tasks = {t.task_id for t in dag.tasks}
    models = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    seeds = {n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "seed"}
    assert models and seeds
    # One form for every node, tested or not: its group in its layer's group, then the verb.
    # The layer is its folder's, or a later one it reads from (the scorecard's measures).
    layers, order = node_layers(manifest), list(LAYERS)
    for uid, node in manifest["nodes"].items():
        if node["resource_type"] in ("model", "seed"):
            verb = "run" if node["resource_type"] == "model" else "seed"
            assert f"build_marts.{layers[uid]}.{node['name']}.{verb}" in tasks, node["name"]
            assert order.index(layers[uid]) >= order.index(folder_layer(node["original_file_path"]))
    assert layers["model.thanrak.int_activities_in_force"] == "intermediate"
    dbt_tasks = {t for t in tasks if t.startswith("build_marts.")}
    assert {t for t in dbt_tasks if not DBT_TASK_ID.match(t)} == {
        "build_marts.dbt_producer_watcher",
        "build_marts.dbt_producer_watcher_done",
    }
    assert {DBT_TASK_ID.match(t)[1] for t in dbt_tasks if DBT_TASK_ID.match(t)} == set(LAYERS)
    assert "build_marts" not in tasks  # no single-task build beside the group
    # No group waits for one that waits for it: the UI sorts each group's children in order.
    for group in dag.task_group_dict.values():
        group.topological_sort()  # raises on a cycle between the groups


def test_local_mode_names_its_tasks_the_same_way(tmp_path):
    parsed = _parse_dag_file(tmp_path, THANRAK_DBT_MODE="local")
    assert parsed["errors"] == {} and parsed["undocumented"] == []
    dbt_tasks = [t for t in parsed["tasks"] if t.startswith("build_marts.")]
    assert any(t.endswith(".build") for t in dbt_tasks)
    # Beside the nodes' build_marts.<layer>.<node>.build: Cosmos' tasks for tests of several models.
    assert [t for t in dbt_tasks if not (DBT_TASK_ID.match(t) or COSMOS_TASK_ID.match(t))] == []


def test_dbt_runs_even_if_a_file_task_failed_and_a_failed_model_fails_the_run(dagbag):
    dag = dagbag.dags["thanrak_nightly"]
    producer = dag.get_task("build_marts.dbt_producer_watcher")
    assert producer.upstream_task_ids == {"observe_deliveries"}
    assert dag.get_task("observe_deliveries").upstream_task_ids == {"ingest"}
    assert producer.trigger_rule == "all_done"
    for task_id in ("observe_deliveries", "build_data_docs", "write_report", "verify_night"):
        assert dag.get_task(task_id).trigger_rule == "all_done", task_id
    # verify_night follows the dbt tasks themselves, and fails when any task of the run failed.
    assert any(t.startswith("build_marts.") for t in dag.get_task("verify_night").upstream_task_ids)


def test_marts_are_assets_a_downstream_dag_is_scheduled_on(dagbag):
    nightly, downstream = dagbag.dags["thanrak_nightly"], dagbag.dags["thanrak_after_marts"]
    announce = nightly.get_task("announce_marts")
    uris = {outlet.uri for outlet in announce.outlets}
    assert uris == {f"thanrak://warehouse/marts/{name}" for name in MART_ASSET_NAMES}
    # After every dbt task, none failed: the tasks a night's selection left out are skipped.
    assert announce.trigger_rule == "none_failed"
    assert any(t.startswith("build_marts.") for t in announce.upstream_task_ids)
    assert {a.uri for a in downstream.timetable.asset_condition.objects} == uris


def test_every_task_alerts_when_it_fails_for_good(dagbag):
    nightly = dagbag.dags["thanrak_nightly"]
    for task in nightly.tasks:
        callbacks = (
            task.on_failure_callback
            if isinstance(task.on_failure_callback, list)
            else [task.on_failure_callback]
        )
        assert any(getattr(c, "__module__", "") == "thanrak.orchestration.alerts" for c in callbacks if c), (
            task.task_id
        )


class _Run:
    def __init__(self, run_type: str):
        self.run_type = run_type


@pytest.mark.parametrize(
    ("run_type", "params", "exact"),
    [
        ("scheduled", {}, False),
        ("manual", {}, False),
        ("backfill", {}, True),
        ("manual", {"exact_window": True}, True),
    ],
)
def test_a_backfill_run_takes_exactly_its_nights_window(run_type, params, exact):
    assert is_backfill({"dag_run": _Run(run_type), "params": params}) is exact


def test_parsing_the_dag_runs_no_dbt(tmp_path):
    write_manifest()
    parsed = _parse_dag_file(tmp_path)
    assert parsed["errors"] == {}
    assert parsed["load_method"] == "dbt_manifest"
    assert parsed["dbt_imported"] == []  # no dbt ls, no dbt parse, not even dbt's modules
    assert any(t.endswith(".run") for t in parsed["tasks"])


def test_without_a_manifest_dbt_runs_in_one_task(tmp_path):
    project = tmp_path / "dbt_project"
    shutil.copytree(PROJECT_ROOT / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs"))
    parsed = _parse_dag_file(tmp_path, THANRAK_DBT_PROJECT_DIR=str(project))
    assert parsed["errors"] == {}
    assert parsed["load_method"] is None
    assert "build_marts" in parsed["tasks"]
    assert not any(t.startswith("build_marts.") for t in parsed["tasks"])
    # A stale manifest (the project changed after it was written) counts as none.
    write_manifest(dataclasses.replace(Settings.from_env(), dbt_project_dir=project))
    (project / "models" / "added_after_the_manifest.sql").write_text("select 1 as one\n")
    parsed = _parse_dag_file(tmp_path, THANRAK_DBT_PROJECT_DIR=str(project))
    assert "build_marts" in parsed["tasks"]
