"""The distributed deployment of docker-compose.yml, started natively: api-server, scheduler,
dag-processor, triggerer and a Celery worker, with Redis on 127.0.0.1:6379 as the broker and
PostgreSQL as Airflow's metadata database. A small night goes through `thanrak_nightly`,
triggered like an operator would, and lands in a fresh warehouse."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import time
import uuid

import psycopg
import pytest

from conftest import fresh_database
from thanrak.demo.generator import generate_night
from thanrak.nights import night_cutoff
from thanrak.settings import PROJECT_ROOT, Settings

pytest.importorskip(
    "airflow.providers.celery",
    reason="apache-airflow-providers-celery is not installed (it belongs in requirements.lock)",
)
redis = pytest.importorskip("redis")

from support.airflow_cluster import AirflowCluster, running_cluster  # noqa: E402

pytestmark = pytest.mark.slow

DAG_ID = "thanrak_nightly"
NIGHT = dt.date(2026, 11, 22)
PROVINCES = ["30", "40", "57"]
REDIS_URL = os.environ.get("THANRAK_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
# No test asserts on time; these only stop a broken run from hanging the suite.
PARSE_TIMEOUT = 5 * 60
RUN_TIMEOUT = 25 * 60
# The scheduler can finish the run (its last task's state came through the execution API) while
# that task's Celery task is still returning on the worker: the backend says STARTED a moment
# longer. How long to wait for every result to be final.
RESULTS_TIMEOUT = 60
READY_STATES = {"SUCCESS", "FAILURE", "REVOKED"}  # celery.states.READY_STATES


@pytest.fixture(scope="module")
def broker():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    yield client
    client.close()


@pytest.fixture(scope="module")
def cluster_run(warehouse, pg_server, broker, tmp_path_factory):
    """The night generated, the cluster started, the run triggered and finished; then the
    processes stopped, the metadata database dropped and this cluster's Redis keys deleted."""
    var = tmp_path_factory.mktemp("celery-var")
    # The DAG and the dbt project as they are now, copied like the deployment's image holds them:
    # an edit of the working tree during the run must not change the DAG under the running run.
    code = tmp_path_factory.mktemp("code")
    shutil.copytree(PROJECT_ROOT / "dags", code / "dags", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(PROJECT_ROOT / "dbt_project", code / "dbt_project", ignore=shutil.ignore_patterns("logs"))
    settings = dataclasses.replace(Settings.in_folder(var, warehouse), dbt_project_dir=code / "dbt_project")
    generated = generate_night(settings.landing_dir, NIGHT, provinces=PROVINCES, scale=0.05)
    with fresh_database(pg_server) as metadata_url:
        cluster = AirflowCluster(
            home=tmp_path_factory.mktemp("airflow-home"),
            settings=settings,
            warehouse_url=warehouse,
            metadata_url=metadata_url,
            broker_url=REDIS_URL,
            dags_folder=code / "dags",
            queue=f"thanrak_test_{uuid.uuid4().hex[:10]}",
        )
        try:
            with running_cluster(cluster):
                cluster.wait_for_dag(DAG_ID, timeout=PARSE_TIMEOUT)
                logical_date = night_cutoff(NIGHT).astimezone(dt.UTC).isoformat()
                run_id = cluster.trigger(DAG_ID, logical_date)
                state = cluster.wait_for_run(DAG_ID, run_id, timeout=RUN_TIMEOUT)
                tasks = cluster.task_states(DAG_ID, run_id)
                results = final_celery_results(cluster, run_id, timeout=RESULTS_TIMEOUT)
                celery_results = cluster.query("select status, count(*) from celery_taskmeta group by status")
                logs = {name: cluster.tail(name) for name in cluster.processes}
            yield {
                "state": state,
                "tasks": tasks,
                "celery_results": dict(celery_results),
                "results": results,
                "queue": cluster.queue,
                "generated": generated,
                "logs": logs,
                "processes": dict(cluster.processes),
            }
        finally:
            for key in broker.scan_iter(match=f"*{cluster.queue}*"):
                broker.delete(key)


def final_celery_results(cluster: AirflowCluster, run_id: str, timeout: float) -> dict[tuple, tuple]:
    """{(task_id, map_index): (Celery task id, its status in the result backend)} for every task
    instance of the run that succeeded on a worker, once every status is final (bounded by
    `timeout`; then as they are, for the test to name what is not final). The Celery task id is
    the task instance's `external_executor_id`, assigned by the scheduler when it queued it."""
    sql = """select ti.task_id, ti.map_index, ti.external_executor_id, m.status
             from task_instance ti left join celery_taskmeta m on m.task_id = ti.external_executor_id
             where ti.dag_id = %s and ti.run_id = %s and ti.state = 'success'
               and ti.operator is distinct from 'EmptyOperator'"""
    deadline = time.monotonic() + timeout
    while True:
        try:
            rows = cluster.query(sql, (DAG_ID, run_id))
        except psycopg.errors.UndefinedTable:  # no result stored yet: the backend makes it lazily
            rows = []
        results = {
            (task_id, map_index): (celery_id, status) for task_id, map_index, celery_id, status in rows
        }
        if (results and all(status in READY_STATES for _, status in results.values())) or (
            time.monotonic() > deadline
        ):
            return results
        time.sleep(1)


def test_the_night_succeeds_through_celery_workers(cluster_run):
    failed = [t for t in cluster_run["tasks"] if t[2] != "success" and t[2] != "skipped"]
    assert cluster_run["state"] == "success", f"tasks not successful: {failed}\n" + "\n".join(
        f"--- {n}\n{log}" for n, log in cluster_run["logs"].items()
    )


def test_every_task_went_through_this_clusters_celery_queue(cluster_run):
    # An EmptyOperator (Cosmos' watcher "done" marker) is marked success by the scheduler itself
    # and never sent to a worker.
    ran = [t for t in cluster_run["tasks"] if t[2] == "success" and t[5] != "EmptyOperator"]
    assert ran
    for task_id, map_index, _, queue, hostname, _ in ran:
        assert queue == cluster_run["queue"], (task_id, map_index)
        assert hostname, (task_id, map_index)
    # each of them is a Celery task of its own that this cluster's result backend recorded as
    # done: no task finished without going through Celery, none is counted twice
    results = cluster_run["results"]
    assert set(results) == {(task_id, map_index) for task_id, map_index, *_ in ran}
    celery_ids = [celery_id for celery_id, _ in results.values()]
    assert None not in celery_ids and len(set(celery_ids)) == len(celery_ids)
    not_done = {key: status for key, (_, status) in results.items() if status != "SUCCESS"}
    assert not not_done, f"Celery results not SUCCESS {RESULTS_TIMEOUT} s after the run: {not_done}"
    assert cluster_run["celery_results"].get("SUCCESS", 0) >= len(ran)


def test_the_mapped_tasks_ran_once_per_province_folder(cluster_run):
    # a file the generator put in another province's folder makes that folder a batch of its own
    folders = {key.split("/")[0] for key in cluster_run["generated"].files}
    mapped = {}
    for task_id, map_index, state, *_ in cluster_run["tasks"]:
        if map_index >= 0:
            mapped.setdefault(task_id, []).append(state)
    assert set(mapped) == {"ingest"}
    assert mapped["ingest"] == ["success"] * len(folders)


def test_the_warehouse_holds_the_night(cluster_run, warehouse):
    generated = cluster_run["generated"]
    with psycopg.connect(warehouse) as conn:
        submissions = dict(conn.execute("select source_key, status from ops.submission").fetchall())
        scorecard = conn.execute("select count(*) from marts.fct_scorecard").fetchone()[0]
        activities = conn.execute(
            "select count(distinct province_code) from marts.fct_activities"
        ).fetchone()[0]
    assert set(submissions) == set(generated.files)
    assert set(submissions.values()) <= {"loaded", "rejected"}
    assert "loaded" in submissions.values()
    assert scorecard > 0
    assert activities >= 1


def test_only_the_processes_it_started_were_stopped(cluster_run):
    for name, process in cluster_run["processes"].items():
        assert process.poll() is not None, f"airflow {name} still running"
        with pytest.raises(ProcessLookupError):
            os.killpg(process.pid, 0)  # nothing left in its process group
