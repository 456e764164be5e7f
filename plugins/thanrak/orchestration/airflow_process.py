"""`python -m thanrak.orchestration.airflow_process ARGS`: the `airflow ARGS` command, as the
runner starts it, except for how the process ends.

Once Airflow's command has returned and every atexit handler has run (Airflow's own: the
metadata database's engine disposed, the settings restored), the process leaves with
`os._exit`. It skips the interpreter's teardown, which frees every object of a process that
imported Airflow, dbt, Great Expectations and pandas one by one: about 4 s after each
`airflow dags test` here, when nothing is left to do. Output streams and logging are flushed
first; the exit code is Airflow's."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import sys


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


def main(argv: list[str]) -> None:
    status = [1]  # an exception escaping Airflow: printed by Python, then exit 1
    atexit.register(_leave, status)
    sys.argv = ["airflow", *argv]
    from airflow.__main__ import main as airflow_main

    try:
        code = airflow_main()
    except SystemExit as leaving:
        status[0] = _exit_code(leaving.code)
        raise
    status[0] = _exit_code(code)


if __name__ == "__main__":
    main(sys.argv[1:])
