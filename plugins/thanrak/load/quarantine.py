"""Quarantine: the rows of a file that failed a rule, kept with every reason and the values as
the officer sent them, and released when a later revision of the same slot loads."""

from __future__ import annotations

import json

import pandas as pd
import psycopg

from thanrak.contract.declarations import Contract
from thanrak.extract.frame import SOURCE_ROW
from thanrak.validate.validation import REASONS
from thanrak.warehouse.bulk_copy import copy_frame


def copy_quarantined(
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
    copy_frame(
        conn,
        "copy quarantine.row (submission_id, source_row, dataset, record, reasons) from stdin with (format csv)",
        table,
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
