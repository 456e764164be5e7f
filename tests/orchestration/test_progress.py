"""What `thanrak run-night` and `thanrak demo` show while Airflow runs a night: progress lines
from the tasks' announcements and the night's run log (a line when something changed, at most
one per stage and interval), each task's output copied into the file the Airflow UI reads, and
a log file of its own for every run. The whole run is in tests/orchestration/test_run_night.py."""

from __future__ import annotations

import datetime as dt
import io
import json

import psycopg
import pytest

from thanrak.orchestration.airflow_process import TASK_MARKER, task_event
from thanrak.orchestration.runner import NightWatch, _AirflowOutput, airflow_log_path
from thanrak.settings import Settings

NIGHT = dt.date(2026, 11, 22)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _log(url: str, stage: str, **detail) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "insert into ops.run_log (run_id, night, stage, started_at, finished_at, detail) "
            "values ('manual__test', %s, %s, now(), now(), %s)",
            (NIGHT, stage, json.dumps(detail)),
        )


def _load(url: str, status: str = "loaded", rows: int = 100, quarantined: int = 2) -> None:
    _log(url, "load", submission_id=1, status=status, rows_loaded=rows, rows_quarantined=quarantined)


def _event(event: str, task_id: str, map_index: int = -1, **fields) -> dict:
    return {"event": event, "task_id": task_id, "map_index": map_index, "try_number": 1, **fields}


@pytest.fixture
def watched(warehouse):
    with psycopg.connect(warehouse, autocommit=True) as conn:
        conn.execute("delete from ops.run_log")
    clock, lines = Clock(), []
    watch = NightWatch(
        warehouse, NIGHT, lambda text: lines.append(text.split("] ", 1)[1]), interval=10, clock=clock
    )
    yield watch, clock, lines
    watch.finish()


def test_a_line_per_task_with_what_the_run_log_says(watched, warehouse):
    watch, clock, lines = watched
    watch.task(_event("started", "prepare_warehouse"))
    clock.now += 3
    watch.task(_event("ended", "prepare_warehouse", state="success"))
    watch.task(_event("started", "discover_submissions"))
    _log(warehouse, "discover", pending=4)
    clock.now += 0.5
    watch.task(_event("ended", "discover_submissions", state="success"))
    assert lines == [
        "Airflow started the run (its start-up: 0.0 s)",
        "prepare_warehouse: success in 3.0 s",
        "discover_submissions: success in 0.5 s: 4 files waiting",
    ]


def test_ingest_is_summed_up_at_most_once_per_interval_and_only_when_it_changed(watched, warehouse):
    watch, clock, lines = watched
    _log(warehouse, "discover", pending=4)
    watch.task(_event("started", "ingest", 0))
    watch.tick()
    assert lines[1:] == []  # nothing loaded yet: nothing to say
    _load(warehouse)
    watch.tick()
    assert lines[-1] == "ingest: 1/4 files, 100 rows loaded, 2 quarantined, 0 files rejected"
    _load(warehouse)
    clock.now += 2
    watch.tick()
    assert len(lines) == 2  # changed, but within the interval
    clock.now += 10
    watch.tick()
    assert lines[-1] == "ingest: 2/4 files, 200 rows loaded, 4 quarantined, 0 files rejected"
    clock.now += 10
    watch.tick()
    assert len(lines) == 3  # nothing changed
    _load(warehouse)
    _load(warehouse, "rejected", rows=0, quarantined=0)
    watch.task(_event("ended", "ingest", 0, state="success"))
    # The last file closed: said at once, interval or not.
    assert lines[-1] == "ingest: 4/4 files (1 province done), 300 rows loaded, 6 quarantined, 1 file rejected"


def test_dbt_start_nodes_and_end(watched, warehouse):
    watch, clock, lines = watched
    watch.task(_event("started", "build_marts"))
    assert lines[-1] == "build_marts: dbt build started"
    watch.output(b"09:00:01  1 of 3 START sql view model staging.stg_x ...... [RUN]\n")
    assert len(lines) == 2  # a start is not a node done
    watch.output(b"09:00:02  1 of 3 OK created sql view model staging.stg_x ...... [CREATE VIEW in 0.1s]\n")
    assert lines[-1] == "build_marts: dbt 1/3 nodes done"
    clock.now += 1
    watch.output(b"09:00:03  2 of 3 PASS not_null_stg_x_key ...... [PASS in 0.1s]\n")
    watch.tick()
    assert lines[-1] == "build_marts: dbt 1/3 nodes done"  # held back by the interval
    clock.now += 10
    watch.tick()
    assert lines[-1] == "build_marts: dbt 2/3 nodes done"
    clock.now += 20
    watch.tick()
    assert lines[-1] == "build_marts: dbt 2/3 nodes done"  # no "running for": its count says so
    watch.output(b"09:00:04  3 of 3 OK created sql table model marts.fct_x ...... [SELECT 5 in 0.2s]\n")
    _log(warehouse, "build_marts", nodes=3, success=True)
    clock.now += 1
    watch.task(_event("ended", "build_marts", state="success"))
    watch.finish()
    # The held-back 3/3 is not said after the line that says it all.
    assert lines[-1] == "build_marts: dbt build finished in 32.0 s: 3 nodes"


def test_a_long_task_is_said_to_run_once_and_a_failure_names_its_log(watched):
    watch, clock, lines = watched
    watch.task(_event("started", "write_report", log="/var/airflow/logs/write_report/attempt=1.log"))
    clock.now += 19
    watch.tick()
    assert lines[-1].startswith("Airflow started")
    clock.now += 6
    watch.tick()
    watch.tick()
    assert lines[-1] == "write_report: running for 25 s"
    clock.now += 1
    watch.task(_event("ended", "write_report", state="failed"))
    assert (
        lines[-1]
        == "write_report: failed after 26.0 s, its log: /var/airflow/logs/write_report/attempt=1.log"
    )
    assert len(lines) == 3


def test_a_warehouse_out_of_reach_leaves_only_the_counts_out():
    lines = []
    watch = NightWatch("postgresql://nobody@127.0.0.1:1/none", NIGHT, lines.append, interval=10)
    watch.task(_event("started", "discover_submissions"))
    watch.task(_event("ended", "discover_submissions", state="success"))
    watch.task(_event("started", "ingest", 0))
    watch.tick()
    watch.finish()
    assert [line.split("] ", 1)[1] for line in lines][1:] == ["discover_submissions: success in 0.0 s"]


def _marker(event: str, **fields) -> bytes:
    return f"{TASK_MARKER}{event} {json.dumps(fields)}\n".encode()


def test_each_tasks_output_goes_to_its_own_log_file_and_everything_to_the_runs(tmp_path):
    task_log = (
        tmp_path / "logs" / "dag_id=thanrak_nightly" / "task_id=ingest" / "map_index=3" / "attempt=1.log"
    )
    run_log = io.BytesIO()
    output = _AirflowOutput(run_log, None)
    stream = b"".join(
        [
            b"parsing the DAG\n",
            _marker("started", task_id="ingest", map_index=3, try_number=1, log=str(task_log)),
            "ingest: 40/otop_sales/2026-11/ยอดขาย.xlsx loaded\n".encode(),
            b"a line in two chunks\n",
            _marker("ended", task_id="ingest", map_index=3, try_number=1, state="success"),
            b"the next task",
        ]
    )
    for at in range(0, len(stream), 7):  # lines and markers cut anywhere
        output.feed(stream[at : at + 7])
    output.close()
    assert run_log.getvalue() == stream + b"\n"
    assert task_log.read_text() == "ingest: 40/otop_sales/2026-11/ยอดขาย.xlsx loaded\na line in two chunks\n"


def test_an_announcement_is_told_from_any_other_line():
    line = _marker("ended", task_id="verify_night", map_index=-1, try_number=2, state="failed")
    assert task_event(line) == {
        "event": "ended",
        "task_id": "verify_night",
        "map_index": -1,
        "try_number": 2,
        "state": "failed",
    }
    assert task_event(b"2026-12-03T09:27:04Z [info] [DAG TEST] starting task_id=ingest\n") is None
    assert task_event(f"{TASK_MARKER}started not json\n".encode()) is None


def test_every_run_gets_a_log_file_of_its_own(tmp_path):
    settings = Settings.in_folder(tmp_path / "var")
    first, second = airflow_log_path(settings, NIGHT), airflow_log_path(settings, NIGHT)
    assert first != second and first.is_file() and second.is_file()
    assert first.parent == tmp_path / "var" / "logs"
    assert first.name.startswith("airflow-2026-11-22-") and first.suffix == ".log"
