"""Quarantine: the rows of a file that failed a rule, kept with every reason and the values as
the officer sent them, and released when a later revision of the same slot loads."""

from __future__ import annotations

import json

import pandas as pd
import psycopg

from thanrak.contract.declarations import Contract
from thanrak.extract.frame import SOURCE_ROW
from thanrak.validate.validation import REASONS


def copy_quarantined(
    conn: psycopg.Connection, submission_id: int, contract: Contract, rows: pd.DataFrame
) -> None:
    """A file's bad rows are few: they go row by row into COPY, no frame built around them."""
    records = rows[contract.column_names].to_dict(orient="records")
    with (
        conn.cursor() as cursor,
        cursor.copy(
            "copy quarantine.row (submission_id, source_row, dataset, record, reasons) from stdin"
        ) as copy,
    ):
        for row, source_row, reasons in zip(records, rows[SOURCE_ROW], rows[REASONS], strict=True):
            copy.write_row(
                (submission_id, int(source_row), contract.dataset, _record_as_sent(row, reasons), reasons)
            )


def release_earlier_quarantine(conn: psycopg.Connection, submission_id: int, contract: Contract) -> None:
    """This revision supersedes the ones of its slot delivered before it: their open quarantined
    rows are released, as 'fixed' where this revision loaded a row with the same key."""
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
              and old.period = new.period
              and (old.delivered_at, old.source_key, old.revision) < (new.delivered_at, new.source_key, new.revision)""",
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
