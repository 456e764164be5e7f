"""The manifest (ops.submission) as load sees it: whether a file still waits, claiming it for
one transaction, closing it with its verdict, and the night's books: every file processed, and
rows received = rows loaded + rows quarantined for every loaded file."""

from __future__ import annotations

import psycopg

from thanrak.contract.declarations import DATASETS


def is_pending(conn: psycopg.Connection, submission_id: int, *, lock: bool = False) -> bool:
    """Whether the submission still waits to be loaded. Without `lock` it is only a look
    (load_validated looks again under the lock)."""
    row = conn.execute(
        f"select status from ops.submission where submission_id = %s{' for update' if lock else ''}",
        (submission_id,),
    ).fetchone()
    return row is not None and row[0] == "discovered"


def claim(conn: psycopg.Connection, submission_id: int) -> bool:
    """Locks the manifest row; False when another run already finished this file."""
    return is_pending(conn, submission_id, lock=True)


def close(conn, submission_id, status, received, loaded, quarantined, reason_th, reason_en, encoding) -> None:
    conn.execute(
        """update ops.submission
           set status = %s, rows_received = %s, rows_loaded = %s, rows_quarantined = %s,
               reject_reason_th = %s, reject_reason_en = %s, encoding = %s, processed_at = now()
           where submission_id = %s""",
        (status, received, loaded, quarantined, reason_th, reason_en, encoding, submission_id),
    )


def night_problems(conn: psycopg.Connection, night, cutoff) -> list[str]:
    """What is wrong with the warehouse after a night: files left unprocessed up to `cutoff`,
    files of the night a stage broke on, and loaded files whose rows in raw and quarantine do not
    add up to the rows received."""
    problems = [
        f"{key} was not processed"
        for (key,) in conn.execute(
            "select source_key from ops.submission where status = 'discovered' and delivered_at <= %s",
            (cutoff,),
        )
    ]
    problems += [
        f"{key} could not be processed: {failure}"
        for key, failure in conn.execute(
            "select source_key, failure from ops.submission where failure is not null and night = %s",
            (night,),
        )
    ]
    for dataset in DATASETS:
        mismatched = conn.execute(
            f"""select s.source_key, s.rows_received,
                       (select count(*) from raw.{dataset} r where r.submission_id = s.submission_id),
                       (select count(*) from quarantine.row q where q.submission_id = s.submission_id)
                from ops.submission s
                where s.dataset = %s and s.status = 'loaded'
                  and s.rows_received <> (select count(*) from raw.{dataset} r where r.submission_id = s.submission_id)
                                       + (select count(*) from quarantine.row q where q.submission_id = s.submission_id)""",
            (dataset,),
        ).fetchall()
        problems += [
            f"{key}: {received} rows received, {raw} loaded, {quarantined} quarantined"
            for key, received, raw, quarantined in mismatched
        ]
    return problems
