"""Crash safety of the load: one transaction per file, though a batch's files share one
connection. A batch killed with SIGKILL in the middle of a file's COPY leaves nothing of that
file anywhere (the file before it stays loaded), and the next run finds the file still pending
and completes it. Running the load of a file twice loads it once."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from thanrak.demo.generator import generate_night
from thanrak.pipeline import FileItem, Stages
from thanrak.settings import PROJECT_ROOT, Settings

NIGHT = dt.date(2026, 11, 22)
COPY_SEEN_WITHIN = 90.0  # seconds: the subprocess loads the small file, extracts and validates the big one
BACKEND_GONE_WITHIN = 30.0

# Runs a batch as the DAG's ingest task does, in a process of its own. It imports the pipeline
# first (slow: Great Expectations), then waits on stdin for the batch, so the import overlaps the
# test's own work.
INGEST = """
import datetime as dt, json, sys
from pathlib import Path
from thanrak.pipeline import FileItem, Stages
from thanrak.settings import Settings

url, var_dir, night = sys.argv[1:4]
stages = Stages(url, Settings.in_folder(Path(var_dir), url))
batch = [FileItem.from_xcom(value) for value in json.loads(sys.stdin.readline())]
done = stages.process_batch("crashing-run", dt.date.fromisoformat(night), batch)
print(json.dumps([item.to_xcom() for item in done]))
"""


def file_state(url: str, submission_id: int, dataset: str) -> dict:
    """Everything the warehouse holds of one submitted file."""
    with psycopg.connect(url) as conn:
        status, received, loaded, quarantined = conn.execute(
            "select status, rows_received, rows_loaded, rows_quarantined from ops.submission where submission_id = %s",
            (submission_id,),
        ).fetchone()

        def count(table: str) -> int:
            return conn.execute(
                f"select count(*) from {table} where submission_id = %s", (submission_id,)
            ).fetchone()[0]

        return {
            "status": status,
            "rows_received": received,
            "rows_loaded": loaded,
            "rows_quarantined": quarantined,
            "raw": count(f"raw.{dataset}"),
            "quarantine": count("quarantine.row"),
            "validation_runs": count("dq.validation_run"),
            "rule_results": count("dq.rule_result"),
        }


def wait_for_copy(url: str, table: str, loader: subprocess.Popen, log: Path) -> int:
    """The pid of the backend while it is running the loader's COPY into `table`. Fails clearly
    when the COPY is not seen in time or the loader ends first."""
    deadline = time.monotonic() + COPY_SEEN_WITHIN
    with psycopg.connect(url, autocommit=True) as observer:
        while time.monotonic() < deadline:
            row = observer.execute(
                """select pid from pg_stat_activity
                   where datname = current_database() and pid <> pg_backend_pid()
                     and state = 'active' and query ilike %s""",
                (f"copy {table} %",),
            ).fetchone()
            if row:
                return row[0]
            if loader.poll() is not None:
                pytest.fail(
                    f"the loader ended (exit {loader.returncode}) before its COPY was seen:\n{log.read_text()}"
                )
            time.sleep(0.005)
    loader.kill()
    pytest.fail(f"no 'copy {table}' statement seen in pg_stat_activity within {COPY_SEEN_WITHIN:.0f} s")


def wait_until_backend_gone(url: str, pid: int) -> None:
    """PostgreSQL notices the dead client and rolls its transaction back."""
    deadline = time.monotonic() + BACKEND_GONE_WITHIN
    with psycopg.connect(url, autocommit=True) as observer:
        while time.monotonic() < deadline:
            if not observer.execute("select 1 from pg_stat_activity where pid = %s", (pid,)).fetchone():
                return
            time.sleep(0.05)
    pytest.fail(f"backend {pid} still there {BACKEND_GONE_WITHIN:.0f} s after its client was killed")


def pending(stages: Stages, run_id: str, night: dt.date, key: str) -> list[FileItem]:
    return [s for s in stages.discover(run_id, night) if s.submission.key == key]


def test_killed_load_leaves_nothing_and_the_next_run_completes_it(warehouse, tmp_path):
    settings = Settings.in_folder(tmp_path / "var", warehouse)
    log = tmp_path / "ingest.log"  # a file, not a pipe: a chatty process can never block on it
    with log.open("w") as output:
        ingest = subprocess.Popen(
            [sys.executable, "-c", INGEST, warehouse, str(settings.var_dir), NIGHT.isoformat()],
            stdin=subprocess.PIPE,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=PROJECT_ROOT,
        )
    try:
        small = generate_night(
            settings.landing_dir, NIGHT, provinces=["30"], datasets=("otop_sales",), scale=1, file_defects=0
        )
        generated = generate_night(
            settings.landing_dir,
            NIGHT,
            provinces=["30"],
            datasets=("activities",),
            scale=180,  # about 200,000 rows in one file (province 30 is about 2.2 times the mean)
            file_defects=0,
        )
        [small_key], [key] = small.files, generated.files
        rows_sent = generated.rows["activities"]
        assert rows_sent > 150_000
        stages = Stages(warehouse, settings)
        [first] = pending(stages, "first-run", NIGHT, small_key)
        [submission] = pending(stages, "first-run", NIGHT, key)

        # the batch as the ingest task gets it: the small file first, over the same connection
        ingest.stdin.write(json.dumps([first.to_xcom(), submission.to_xcom()]) + "\n")
        ingest.stdin.close()
        backend = wait_for_copy(warehouse, "raw.activities", ingest, log)
        os.kill(ingest.pid, signal.SIGKILL)
        ingest.wait(timeout=30)
    finally:
        if ingest.poll() is None:
            ingest.kill()
            ingest.wait()
    assert ingest.returncode == -signal.SIGKILL
    wait_until_backend_gone(warehouse, backend)

    before = file_state(warehouse, first.submission.submission_id, "otop_sales")
    assert before["status"] == "loaded" and before["raw"] > 0  # committed before the crash
    assert before["rows_received"] == before["raw"] + before["quarantine"]
    left = file_state(warehouse, submission.submission.submission_id, "activities")
    assert left == {
        "status": "discovered",
        "rows_received": None,
        "rows_loaded": None,
        "rows_quarantined": None,
        "raw": 0,
        "quarantine": 0,
        "validation_runs": 0,
        "rule_results": 0,
    }

    next_run = Stages(warehouse, settings)
    assert pending(next_run, "next-run", NIGHT, small_key) == []
    assert pending(next_run, "next-run", NIGHT, key) == [submission]
    [result] = next_run.process_batch("next-run", NIGHT, [submission])
    assert result.loaded.status == "loaded"
    done = file_state(warehouse, submission.submission.submission_id, "activities")
    assert done["status"] == "loaded"
    assert done["rows_received"] == rows_sent
    assert done["rows_received"] == done["raw"] + done["quarantine"]
    assert (done["raw"], done["quarantine"]) == (result.loaded.rows_loaded, result.loaded.rows_quarantined)
    assert done["quarantine"] > 0  # the generator's row defects went to quarantine, not lost
    assert done["validation_runs"] == 1
    assert pending(next_run, "third-run", NIGHT, key) == []
    assert file_state(warehouse, first.submission.submission_id, "otop_sales") == before


def small_file(warehouse: str, tmp_path, province: str) -> tuple[Stages, dt.date, FileItem]:
    """A small activities file of `province` for a night of its own, discovered."""
    night = dt.date(2026, 10, 20)
    settings = Settings.in_folder(tmp_path / "var", warehouse)
    generated = generate_night(
        settings.landing_dir, night, provinces=[province], datasets=("activities",), scale=1, file_defects=0
    )
    stages = Stages(warehouse, settings)
    [submission] = pending(stages, "run", night, generated.files[0])
    return stages, night, submission


def test_loading_the_same_item_twice_loads_it_once(warehouse, tmp_path):
    stages, night, submission = small_file(warehouse, tmp_path, "40")
    item = stages.validate("run", night, stages.extract("run", night, submission))
    first = stages.load("run", night, item)
    assert first.loaded.status == "loaded"
    after_first = file_state(warehouse, submission.submission.submission_id, "activities")
    assert after_first["raw"] == first.loaded.rows_loaded > 0

    second = stages.load("retry", night, item)
    assert second.loaded.status == "already_done"
    assert file_state(warehouse, submission.submission.submission_id, "activities") == after_first


def test_rerunning_a_batch_whose_file_is_loaded_loads_nothing_more(warehouse, tmp_path):
    """A retried or cleared ingest task gets the same batch again, a file of it already loaded."""
    stages, night, submission = small_file(warehouse, tmp_path, "50")
    [first] = stages.process_batch("run", night, [submission])
    assert first.loaded.status == "loaded"
    after_first = file_state(warehouse, submission.submission.submission_id, "activities")

    [again] = Stages(warehouse, stages.settings).process_batch("retry", night, [submission])
    assert again.loaded.status == "already_done"
    after_second = file_state(warehouse, submission.submission.submission_id, "activities")
    assert after_second == after_first
    assert after_second["rows_received"] == after_second["raw"] + after_second["quarantine"]
