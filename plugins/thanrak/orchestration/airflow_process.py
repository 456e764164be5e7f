"""`python -m thanrak.orchestration.airflow_process ARGS`: the `airflow ARGS` command, as the
runner starts it, except for how the process ends.

Once Airflow's command has returned and every atexit handler has run (Airflow's own: the
metadata database's engine disposed, the settings restored), the process leaves with
`os._exit`. It skips the interpreter's teardown, which frees every object of a process that
imported Airflow, dbt, Great Expectations and pandas one by one: about 4 s after each
`airflow dags test` here, when nothing is left to do. Output streams and logging are flushed
first; the exit code is Airflow's.

Under `airflow dags test` two more things, both for the runner and the Airflow UI:

- The run starts when it starts. `dag.test()` gives the run it creates the logical date as its
  start date, so a night's run from the morning after showed in the UI as running for hours or
  days (end date minus logical date). The run's start date is the moment it is created.
- Each task announces itself. `dags test` runs every task in this process, so the task's log
  is this process's output, and nothing writes the task log file the UI reads. Before and after
  each task a line starting with TASK_MARKER names the task, its try and the log file the UI
  reads for it (Airflow's own log filename template under `[logging] base_log_folder`); the
  runner copies the output in between into that file (thanrak.orchestration.runner) and prints
  progress from the same lines.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import sys
from pathlib import Path

# The start of the lines that announce a task under `dags test`; JSON follows (task_event).
TASK_MARKER = "[thanrak] task "


def _exit_code(code: object) -> int:
    """What `sys.exit(code)` would make of it."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _leave(status: list[int]) -> None:
    """The first atexit handler registered, so the last to run: everything else has run."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # closed or gone: nothing left to flush
            stream.flush()
    os._exit(status[0])


def task_event(line: bytes | str) -> dict | None:
    """The announcement of a task (`event` "started" or "ended", `task_id`, `map_index`,
    `try_number`, `log`, and the `state` it ended in), or None for any other line of output."""
    text = line.decode("utf-8", "replace") if isinstance(line, bytes) else line
    if not text.startswith(TASK_MARKER):
        return None
    event, _, fields = text[len(TASK_MARKER) :].strip().partition(" ")
    try:
        return {"event": event, **json.loads(fields)}
    except ValueError:
        return None


def _announce(event: str, **fields) -> None:
    """One line on the process's output, after everything written before it (both streams go
    to the runner's one pipe, in the order they reach it)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    line = f"{TASK_MARKER}{event} {json.dumps(fields, default=str)}\n"
    os.write(sys.stdout.fileno(), line.encode())


def _task_log_path(ti) -> str | None:
    """The file Airflow's task log reader (the UI, the API server) opens for this try."""
    from airflow.utils.log.log_reader import TaskLogReader

    handler = TaskLogReader().log_handler
    if not hasattr(handler, "local_base"):
        return None
    try:
        return str(Path(handler.local_base) / handler._render_filename(ti, ti.try_number))
    except Exception:  # the log stays in the run's output; the task must run anyway
        logging.getLogger(__name__).exception("no task log file for %s", ti)
        return None


def _dags_test_hooks() -> None:
    """Wraps two helpers of `dag.test()` (looked up in their modules at each call): the run's
    creation, with the start date now, and each task's run, announced before and after."""
    from airflow.models import dagrun
    from airflow.sdk import timezone
    from airflow.sdk.definitions import dag as sdk_dag

    create = dagrun.get_or_create_dagrun

    def get_or_create_dagrun(**kwargs):
        return create(**{**kwargs, "start_date": timezone.utcnow()})

    run_task = sdk_dag._run_task

    def _run_task(*, ti, task, **kwargs):
        key = {"task_id": ti.task_id, "map_index": ti.map_index, "try_number": ti.try_number}
        _announce("started", **key, log=_task_log_path(ti))
        try:
            return run_task(ti=ti, task=task, **kwargs)
        finally:
            _announce("ended", **key, state=ti.state)

    dagrun.get_or_create_dagrun = get_or_create_dagrun
    sdk_dag._run_task = _run_task


def main(argv: list[str]) -> None:
    status = [1]  # an exception escaping Airflow: printed by Python, then exit 1
    atexit.register(_leave, status)
    sys.argv = ["airflow", *argv]
    if argv[:2] == ["dags", "test"]:
        _dags_test_hooks()
    from airflow.__main__ import main as airflow_main

    try:
        code = airflow_main()
    except SystemExit as leaving:
        status[0] = _exit_code(leaving.code)
        raise
    status[0] = _exit_code(code)


if __name__ == "__main__":
    main(sys.argv[1:])
