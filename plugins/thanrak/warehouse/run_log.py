"""The pipeline's run log (ops.run_log): one row per stage run, with what the stage reports of
itself. The night's summary reads its stage timings from here."""

from __future__ import annotations

import datetime as dt
import json

import psycopg


def record_stage(
    conn: psycopg.Connection, run_id: str, night: dt.date, stage: str, started: dt.datetime, detail: dict
) -> None:
    """A stage of `run_id` that began at `started` has just finished, reporting `detail`."""
    conn.execute(
        "insert into ops.run_log (run_id, night, stage, started_at, finished_at, detail) "
        "values (%s, %s, %s, %s, now(), %s)",
        (run_id, night, stage, started, json.dumps(detail, default=str)),
    )


def latest_run_id(conn: psycopg.Connection, night: dt.date) -> str | None:
    """The run that last finished a stage of `night`."""
    row = conn.execute(
        "select run_id from ops.run_log where night = %s order by finished_at desc limit 1", (night,)
    ).fetchone()
    return row[0] if row else None
