"""Crash safety of the load: one transaction per file. A load killed with SIGKILL in the
middle of its COPY leaves nothing of that file anywhere, and the next run finds the file still
pending and completes it. Running the load of a file twice loads it once."""

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
COPY_SEEN_WITHIN = 60.0  # seconds: the subprocess imports the pipeline, reads the work files, starts the COPY
BACKEND_GONE_WITHIN = 30.0

# Runs one file's load in a process of its own. It imports the pipeline first (slow: Great
# Expectations), then waits on stdin for the item, so the import overlaps the test's own work.
LOADER = """
import datetime as dt, json, sys
from pathlib import Path
from thanrak.pipeline import FileItem, Stages
from thanrak.settings import Settings

url, var_dir, night = sys.argv[1:4]
stages = Stages(url, Settings.in_folder(Path(var_dir), url))
item = FileItem.from_xcom(json.loads(sys.stdin.readline()))
print(json.dumps(stages.load("crashing-run", dt.date.fromisoformat(night), item).to_xcom()))
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


def wait_for_copy(url: str, loader: subprocess.Popen, log: Path) -> int:
    """The pid of the backend while it is running the loader's COPY into raw. Fails clearly when
    the COPY is not seen in time or the loader ends first."""
    deadline = time.monotonic() + COPY_SEEN_WITHIN
    with psycopg.connect(url, autocommit=True) as observer:
        while time.monotonic() < deadline:
            row = observer.execute(
                """select pid from pg_stat_activity
                   where datname = current_database() and pid <> pg_backend_pid()
                     and state = 'active' and query ilike 'copy raw.%'"""
            ).fetchone()
            if row:
                return row[0]
            if loader.poll() is not None:
                pytest.fail(
                    f"the loader ended (exit {loader.returncode}) before its COPY was seen:\n{log.read_text()}"
                )
            time.sleep(0.005)
    loader.kill()
    pytest.fail(f"no 'copy raw.' statement seen in pg_stat_activity within {COPY_SEEN_WITHIN:.0f} s")


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
    log = tmp_path / "loader.log"  # a file, not a pipe: a chatty loader can never block on it
    with log.open("w") as output:
        loader = subprocess.Popen(
            [sys.executable, "-c", LOADER, warehouse, str(settings.var_dir), NIGHT.isoformat()],
            stdin=subprocess.PIPE,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=PROJECT_ROOT,
        )
    try:
        generated = generate_night(
            settings.landing_dir,
            NIGHT,
            provinces=["30"],
            datasets=("activities",),
            scale=355,  # about 200,000 rows in one file
            file_defects=0,
        )
        [key] = generated.files
        rows_sent = generated.rows["activities"]
        assert rows_sent > 150_000
        stages = Stages(warehouse, settings)
        [submission] = pending(stages, "first-run", NIGHT, key)
        item = stages.validate("first-run", NIGHT, stages.extract("first-run", NIGHT, submission))
        assert item.rows == rows_sent

        loader.stdin.write(json.dumps(item.to_xcom()) + "\n")
        loader.stdin.close()
        backend = wait_for_copy(warehouse, loader, log)
        os.kill(loader.pid, signal.SIGKILL)
        loader.wait(timeout=30)
    finally:
        if loader.poll() is None:
            loader.kill()
            loader.wait()
    assert loader.returncode == -signal.SIGKILL
    wait_until_backend_gone(warehouse, backend)

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
    assert pending(next_run, "next-run", NIGHT, key) == [submission]
    result = next_run.load(
        "next-run",
        NIGHT,
        next_run.validate("next-run", NIGHT, next_run.extract("next-run", NIGHT, submission)),
    )
    assert result.loaded.status == "loaded"
    done = file_state(warehouse, submission.submission.submission_id, "activities")
    assert done["status"] == "loaded"
    assert done["rows_received"] == rows_sent
    assert done["rows_received"] == done["raw"] + done["quarantine"]
    assert (done["raw"], done["quarantine"]) == (result.loaded.rows_loaded, result.loaded.rows_quarantined)
    assert done["quarantine"] > 0  # the generator's row defects went to quarantine, not lost
    assert done["validation_runs"] == 1
    assert pending(next_run, "third-run", NIGHT, key) == []


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


def test_rerunning_extract_validate_load_for_a_loaded_file_loads_nothing_more(warehouse, tmp_path):
    """A retried or cleared task group runs the whole chain again for a file already loaded."""
    stages, night, submission = small_file(warehouse, tmp_path, "50")
    first = stages.load("run", night, stages.validate("run", night, stages.extract("run", night, submission)))
    assert first.loaded.status == "loaded"
    after_first = file_state(warehouse, submission.submission.submission_id, "activities")

    again = stages.load(
        "retry", night, stages.validate("retry", night, stages.extract("retry", night, submission))
    )
    assert again.loaded.status == "already_done"
    after_second = file_state(warehouse, submission.submission.submission_id, "activities")
    assert after_second == after_first
    assert after_second["rows_received"] == after_second["raw"] + after_second["quarantine"]
