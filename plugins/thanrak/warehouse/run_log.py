"""The pipeline's run log (ops.run_log): one row per stage run, with what the stage reports of
itself. The night's summary reads its stage timings from here, and `thanrak run-night` its
progress while the DAG runs."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

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


def record_stages(conn: psycopg.Connection, rows: list[tuple]) -> None:
    """Stage runs that have finished, each (run_id, night, stage, started, finished, detail), in
    one transaction and one round trip: a batch's extract and validate rows, two per file."""
    if not rows:
        return
    with conn.transaction(), conn.cursor() as cursor:
        cursor.executemany(
            "insert into ops.run_log (run_id, night, stage, started_at, finished_at, detail) "
            "values (%s, %s, %s, %s, %s, %s)",
            [(*row[:5], json.dumps(row[5], default=str)) for row in rows],
        )


def latest_run_id(conn: psycopg.Connection, night: dt.date) -> str | None:
    """The run that last finished a stage of `night`."""
    row = conn.execute(
        "select run_id from ops.run_log where night = %s order by finished_at desc limit 1", (night,)
    ).fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class NightProgress:
    """How far a run of a night has come, from the stages it has logged so far: what
    `thanrak run-night` prints while Airflow runs the DAG."""

    stages: frozenset[str]  # the stages with at least one row
    files_waiting: int | None  # what discover found; None until it has finished
    files_done: int  # closed by load: loaded, rejected or already done
    files_rejected: int
    rows_loaded: int
    rows_quarantined: int
    dbt_nodes: int  # nodes dbt reported, over every build_marts row
    dbt_failed: tuple[str, ...]


def night_progress(conn: psycopg.Connection, night: dt.date, since: dt.datetime) -> NightProgress:
    """The stages of `night` that started at `since` or later (the run being watched: a run
    id is Airflow's to choose), summed up; one query on the (night, stage) index."""
    row = conn.execute(
        """
        with run as (select stage, detail from ops.run_log where night = %s and started_at >= %s)
        select coalesce(array_agg(distinct stage), '{}'),
               sum((detail ->> 'pending')::int) filter (where stage = 'discover'),
               count(*) filter (where stage = 'load'),
               count(*) filter (where stage = 'load' and detail ->> 'status' = 'rejected'),
               coalesce(sum((detail ->> 'rows_loaded')::bigint) filter (where stage = 'load'), 0),
               coalesce(sum((detail ->> 'rows_quarantined')::bigint) filter (where stage = 'load'), 0),
               coalesce(sum((detail ->> 'nodes')::int) filter (where stage = 'build_marts'), 0),
               (select coalesce(array_agg(name), '{}')
                from run, jsonb_array_elements_text(
                    case when jsonb_typeof(detail -> 'failed') = 'array' then detail -> 'failed' end
                ) as name)
        from run
        """,
        (night, since),
    ).fetchone()
    return NightProgress(
        stages=frozenset(row[0]),
        files_waiting=row[1],
        files_done=row[2],
        files_rejected=row[3],
        rows_loaded=row[4],
        rows_quarantined=row[5],
        dbt_nodes=row[6],
        dbt_failed=tuple(row[7]),
    )
