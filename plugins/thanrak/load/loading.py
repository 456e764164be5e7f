"""Load: one transaction per file. Accepted rows go to raw.<dataset> by COPY, failing rows to
quarantine.row with every reason, rule results to dq, and the manifest row is closed, all or
nothing: a crash mid-file leaves no trace of that file and the next run loads it again."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv

from thanrak.contract.declarations import DATASETS, Contract
from thanrak.extract.frame import SOURCE_ROW
from thanrak.validate.validation import REASONS, Validation

LINEAGE = ("submission_id", "source_row")


@dataclass
class LoadResult:
    submission_id: int
    status: str  # loaded | rejected | already_done
    rows_received: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0


def load_validated(
    conn: psycopg.Connection, submission_id: int, contract: Contract, validation: Validation, encoding: str
) -> LoadResult:
    frame = validation.frame
    with conn.transaction():
        if not _claim(conn, submission_id):
            return LoadResult(submission_id, "already_done")
        _record_rule_results(conn, submission_id, validation)
        if validation.rejection:
            _, th, en = validation.rejection
            _close(conn, submission_id, "rejected", len(frame), 0, 0, th, en, encoding)
            return LoadResult(submission_id, "rejected", rows_received=len(frame))
        bad = validation.bad_rows
        good_rows, bad_rows = frame[~bad], frame[bad]
        _copy_accepted(conn, submission_id, contract, good_rows)
        _copy_quarantined(conn, submission_id, contract, bad_rows)
        _release_earlier_quarantine(conn, submission_id, contract)
        _close(conn, submission_id, "loaded", len(frame), len(good_rows), len(bad_rows), None, None, encoding)
    return LoadResult(submission_id, "loaded", len(frame), len(good_rows), len(bad_rows))


def reject_unreadable(
    conn: psycopg.Connection, submission_id: int, message_th: str, message_en: str
) -> LoadResult:
    """Closes a submission whose file could not be read at all."""
    with conn.transaction():
        if not _claim(conn, submission_id):
            return LoadResult(submission_id, "already_done")
        _close(conn, submission_id, "rejected", None, 0, 0, message_th, message_en, None)
    return LoadResult(submission_id, "rejected")


def is_pending(conn: psycopg.Connection, submission_id: int, *, lock: bool = False) -> bool:
    """Whether the submission still waits to be loaded. Without `lock` it is only a look
    (load_validated looks again under the lock)."""
    row = conn.execute(
        f"select status from ops.submission where submission_id = %s{' for update' if lock else ''}",
        (submission_id,),
    ).fetchone()
    return row is not None and row[0] == "discovered"


def _claim(conn: psycopg.Connection, submission_id: int) -> bool:
    """Locks the manifest row; False when another run already finished this file."""
    return is_pending(conn, submission_id, lock=True)


def _copy_accepted(
    conn: psycopg.Connection, submission_id: int, contract: Contract, rows: pd.DataFrame
) -> None:
    table = rows[[SOURCE_ROW, *contract.column_names]].copy()
    for column in contract.columns:
        if column.type == "code_set":  # 'a;b' -> PostgreSQL array literal '{a,b}'
            table[column.name] = "{" + table[column.name].str.replace(";", ",") + "}"
    table.insert(0, "submission_id", submission_id)
    columns = ", ".join([*LINEAGE, *contract.column_names])
    _copy_csv(conn, f"copy raw.{contract.dataset} ({columns}) from stdin with (format csv)", table)


def _copy_quarantined(
    conn: psycopg.Connection, submission_id: int, contract: Contract, rows: pd.DataFrame
) -> None:
    table = pd.DataFrame(
        {
            "submission_id": submission_id,
            "source_row": rows[SOURCE_ROW],
            "dataset": contract.dataset,
            "record": [
                _record_as_sent(row, reasons)
                for row, reasons in zip(
                    rows[contract.column_names].to_dict(orient="records"), rows[REASONS], strict=True
                )
            ],
            "reasons": rows[REASONS],
        }
    )
    _copy_csv(
        conn,
        "copy quarantine.row (submission_id, source_row, dataset, record, reasons) from stdin with (format csv)",
        table,
    )


def _release_earlier_quarantine(conn: psycopg.Connection, submission_id: int, contract: Contract) -> None:
    """This revision supersedes the earlier ones of its slot: their open quarantined rows are
    released, as 'fixed' where this revision loaded a row with the same key."""
    same_key = " and ".join(f"r.{k}::text = q.record ->> '{k}'" for k in contract.key)
    conn.execute(
        f"""update quarantine.row q
            set released_at = now(), released_by = new.submission_id,
                resolution = case when exists (
                    select 1 from raw.{contract.dataset} r
                    where r.submission_id = new.submission_id and {same_key}) then 'fixed' else 'superseded' end
            from ops.submission new, ops.submission old
            where new.submission_id = %s and q.submission_id = old.submission_id and q.released_at is null
              and old.province_code = new.province_code and old.dataset = new.dataset
              and old.period = new.period and old.revision < new.revision""",
        (submission_id,),
    )


def _record_as_sent(row: dict, reasons: str) -> str:
    """The quarantined row for the officer: typed values, and the text as sent where a value
    could not be read at all."""
    record = {column: (None if pd.isna(value) else value) for column, value in row.items()}
    for reason in json.loads(reasons):
        if reason["rule"].startswith("not_a_"):
            record[reason["column"]] = reason["value"]
    return json.dumps(record, ensure_ascii=False, default=str)


COPY_BATCH_ROWS = 20_000


def _copy_csv(conn: psycopg.Connection, statement: str, table: pd.DataFrame) -> None:
    """COPY a frame as CSV written by Arrow (C++), far faster than pandas' writer, in batches:
    psycopg sends a batch from its own thread while the next one is written, so the client's
    CSV writing overlaps the server's COPY."""
    if table.empty:
        return
    options = pa_csv.WriteOptions(include_header=False, quoting_style="needed")
    with conn.cursor().copy(statement) as copy:
        for batch in pa.Table.from_pandas(table, preserve_index=False).to_batches(COPY_BATCH_ROWS):
            buffer = io.BytesIO()
            pa_csv.write_csv(batch, buffer, options)
            copy.write(buffer.getbuffer())


def _record_rule_results(conn: psycopg.Connection, submission_id: int, validation: Validation) -> None:
    conn.execute(
        """insert into dq.validation_run (submission_id, suite_name, success, rows_evaluated)
           values (%s, %s, %s, %s)""",
        (
            submission_id,
            validation.suite_name,
            validation.rejection is None and not validation.bad_rows.any(),
            len(validation.frame),
        ),
    )
    with conn.cursor() as cursor:
        cursor.executemany(
            """insert into dq.rule_result (submission_id, rule, column_name, severity, failed_rows)
               values (%s, %s, %s, %s, %s)""",
            [(submission_id, r.rule, r.column, r.severity, r.failed_rows) for r in validation.rule_results],
        )


def _close(
    conn, submission_id, status, received, loaded, quarantined, reason_th, reason_en, encoding
) -> None:
    conn.execute(
        """update ops.submission
           set status = %s, rows_received = %s, rows_loaded = %s, rows_quarantined = %s,
               reject_reason_th = %s, reject_reason_en = %s, encoding = %s, processed_at = now()
           where submission_id = %s""",
        (status, received, loaded, quarantined, reason_th, reason_en, encoding, submission_id),
    )


def night_problems(conn: psycopg.Connection, cutoff) -> list[str]:
    """What is wrong with the warehouse after a night: files left unprocessed up to `cutoff`,
    and loaded files whose rows in raw and quarantine do not add up to the rows received."""
    problems = [
        f"{key} was not processed"
        for (key,) in conn.execute(
            "select source_key from ops.submission where status = 'discovered' and delivered_at <= %s",
            (cutoff,),
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
