"""`thanrak run-night`: the real thanrak_nightly DAG, run by Airflow itself, on whatever the
configured landing zone holds (here an S3 bucket: moto's server on 127.0.0.1), generating
nothing, and the same summary the demo prints; progress lines while Airflow runs, a log of the
run's own, and a run an Airflow UI shows as it happened, with each task's log."""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import boto3
import psycopg
import pytest

from support.fresh_python import answer_of
from thanrak.demo.generator import generate_night
from thanrak.nights import BANGKOK_TZ, night_cutoff

pytestmark = pytest.mark.slow
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def _bucket_listing(s3) -> dict[str, str]:
    return {o["Key"]: o["ETag"] for o in s3.list_objects_v2(Bucket="landing").get("Contents", [])}


def _run_streaming(
    command: list[str], env: dict[str, str], timeout: float
) -> tuple[int, list[tuple[float, str]], str]:
    """Runs `command`, keeping each line of its output with the time it arrived; killed after
    `timeout` seconds."""
    lines: list[tuple[float, str]] = []
    with subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        errors: list[str] = []
        reader = threading.Thread(target=lambda: errors.append(process.stderr.read()), daemon=True)
        watchdog = threading.Timer(timeout, process.kill)
        reader.start()
        watchdog.start()
        try:
            for line in process.stdout:
                lines.append((time.monotonic(), line.rstrip("\n")))
            code = process.wait()
        finally:
            watchdog.cancel()
        reader.join(10)
    return code, lines, "".join(errors)


_READ_TASK_LOG = """
import json, sys
from sqlalchemy import select
from airflow.models import TaskInstance
from airflow.utils.log.log_reader import TaskLogReader
from airflow.utils.session import create_session
with create_session() as session:
    found = {}
    for ti in session.scalars(select(TaskInstance).where(TaskInstance.task_id.in_(sys.argv[1:]))):
        stream, _ = TaskLogReader().read_log_chunks(ti, ti.try_number, {})
        found[f"{ti.task_id}[{ti.map_index}]"] = [str(getattr(line, "event", line)) for line in stream]
print(json.dumps(found))
"""


def _task_logs_as_the_ui_reads_them(airflow_env: dict[str, str], *task_ids: str) -> dict[str, list[str]]:
    """Each try's log as the Airflow UI and API server get it (Airflow's task log reader)."""
    return answer_of(_READ_TASK_LOG, *task_ids, env=airflow_env)


def test_run_night_processes_the_landing_zone_as_it_is(empty_warehouse, s3_endpoint, tmp_path):
    # moto stamps every object with the time of upload: tonight's cut-off lies ahead of it.
    night = dt.datetime.now(BANGKOK_TZ).date()
    generated = generate_night(
        tmp_path / "files",
        night,
        provinces=["30", "40"],
        datasets=("activities", "otop_sales"),
        scale=0.05,
        file_defects=1,
    )
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket="landing")
    for key in generated.files:
        s3.put_object(Bucket="landing", Key=f"cdd/{key}", Body=(tmp_path / "files" / key).read_bytes())
    before = _bucket_listing(s3)
    var = tmp_path / "var"
    env = {
        **os.environ,
        **CREDENTIALS,
        "THANRAK_VAR_DIR": str(var),
        "THANRAK_WAREHOUSE_URL": empty_warehouse,
        "THANRAK_LANDING_URL": "s3://landing/cdd",
        "THANRAK_S3_ENDPOINT_URL": s3_endpoint,
        "THANRAK_DBT_MODE": "single",  # the DAG's one-task dbt build: quicker, same DAG otherwise
        "THANRAK_PROGRESS_SECONDS": "2",  # a small night: a progress line every 2 s at most
    }
    env.pop("THANRAK_LANDING_DIR", None)
    started = dt.datetime.now(dt.UTC)
    command = [str(Path(sys.executable).with_name("thanrak")), "run-night", "--night", night.isoformat()]
    code, timed, errors = _run_streaming(command, env, timeout=900)
    finished = dt.datetime.now(dt.UTC)
    out = "\n".join(line for _, line in timed) + "\n"
    assert code == 0, out + errors
    assert f"Thanrak run-night: night {night}" in out and "landing s3://landing/cdd" in out
    assert "generated" not in out  # nothing was made up: the files are the bucket's

    # The summary table: one row per dataset, its files as many as were delivered.
    delivered = Counter(key.split("/")[1] for key in generated.files)
    rows = dict(re.findall(r"^\| (\w+) \| (\d+) \|", out, flags=re.M))
    assert {dataset: int(files) for dataset, files in rows.items() if dataset != "dataset"} == delivered
    assert "Planners' report" in out and "Airflow log:" in out
    assert "scorecard.html" in out

    with psycopg.connect(empty_warehouse) as conn:
        statuses = dict(conn.execute("select source_key, status from ops.submission").fetchall())
        spoilt = {d.path for d in generated.defects if d.source_row is None}
        assert set(statuses) == set(generated.files)
        assert {k for k, s in statuses.items() if s == "rejected"} == spoilt
        assert {s for k, s in statuses.items() if k not in spoilt} == {"loaded"}
        (loaded_rows,) = conn.execute("select count(*) from marts.fct_otop_sales").fetchone()
        assert loaded_rows > 0
    assert _bucket_listing(s3) == before  # the landing zone is read, never written
    assert not (var / "generated").exists() and not (var / "landing").exists()

    # Progress while Airflow ran: a line per stage, printed as it happened, not at the end.
    progress = [(at, line.split("] ", 1)[1]) for at, line in timed if re.match(r"^  \[ *\d+ s\] ", line)]
    said = [line for _, line in progress]
    # Files a spoilt delivery may have rejected at discovery are not waiting: the count is discover's.
    discovered = [re.match(r"discover_submissions: success in .* s: (\d+) files? waiting", x) for x in said]
    waiting = next(int(found[1]) for found in discovered if found)
    assert waiting and waiting <= len(generated.files), said
    expected = [
        "Airflow started the run",
        "prepare_warehouse: success in",
        "discover_submissions: success in",
        rf"ingest: {waiting}/{waiting} files \(2 provinces done\), [\d,]+ rows loaded, [\d,]+ quarantined, \d+ files? rejected",
        "build_marts: dbt build started",
        r"build_marts: dbt build finished in .* s: [\d,]+ nodes",
        "build_data_docs: success in",
        "write_report: success in",
        "verify_night: success in",
    ]
    for pattern in expected:
        assert any(re.match(pattern, line) for line in said), (pattern, said)
    position = {
        pattern: next(i for i, line in enumerate(said) if re.match(pattern, line)) for pattern in expected
    }
    assert position[expected[2]] < position[expected[3]] < position[expected[4]] < position[expected[5]]
    assert any(re.match(r"build_marts: dbt \d+/\d+ nodes done", line) for line in said)  # dbt's own count
    summary_at = next(at for at, line in timed if line.startswith("# Thanrak night report"))
    dbt_started_at = next(at for at, line in progress if line == "build_marts: dbt build started")
    assert summary_at - dbt_started_at > 3  # printed when dbt started, seconds before the end
    assert len(progress) < 40  # readable: not a line per file or per dbt node

    # The run's own Airflow log, at INFO, kept under var/logs, its path printed before the run.
    [log_line] = [line for line in out.splitlines() if "Airflow log of this run" in line]
    run_log = Path(log_line.rsplit(": ", 1)[1])
    assert run_log.parent == var / "logs" and run_log.name.startswith(f"airflow-{night}-")
    text = run_log.read_text()
    assert "[info" in text and "[thanrak] task started" in text and "Running with dbt=" in text
    assert f"Airflow log: {run_log}" in out

    # The run as the Airflow UI shows it: it started when it started, not at its logical date
    # (the night's cut-off, days before when a night is run late), so its duration is its own.
    airflow_home = var / "airflow"
    with sqlite3.connect(airflow_home / "airflow.db") as airflow_db:
        run = airflow_db.execute(
            "select logical_date, start_date, end_date, data_interval_start, data_interval_end, state "
            "from dag_run where dag_id = 'thanrak_nightly'"
        ).fetchone()
    logical, start, end, interval_start, interval_end = (
        dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC) for value in run[:5]
    )
    assert run[5] == "success"
    assert logical == night_cutoff(night)
    assert started <= start < end <= finished
    assert interval_start == interval_end == logical  # the schedule's: a cron trigger's zero length

    # Each task's log where the UI reads it, with that task's own output and nothing of another's.
    airflow_env = {
        **env,
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{airflow_home / 'airflow.db'}",
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    }
    logs = _task_logs_as_the_ui_reads_them(airflow_env, "ingest", "build_marts", "verify_night")
    assert set(logs) == {"ingest[0]", "ingest[1]", "build_marts[-1]", "verify_night[-1]"}
    for key, lines in logs.items():
        task_id, index = key[:-1].split("[")
        started_line = f"[DAG TEST] starting task_id={task_id} map_index={index}"
        assert any(started_line in line for line in lines), (key, lines[:10])
        assert not any("[DAG TEST] starting task_id=" in line and started_line not in line for line in lines)
    assert any("Running with dbt=" in line for line in logs["build_marts[-1]"])
