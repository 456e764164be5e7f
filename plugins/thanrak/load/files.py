"""Load: one transaction per file. Accepted rows go to raw.<dataset> by COPY, failing rows to
quarantine.row with every reason, rule results to dq, and the manifest row is closed, all or
nothing: a crash mid-file leaves no trace of that file and the next run loads it again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
import psycopg

from thanrak.contract.declarations import Contract
from thanrak.contract.messages import message
from thanrak.extract.frame import SOURCE_ROW
from thanrak.load.manifest import claim, close
from thanrak.load.pseudonyms import Pseudonymiser, check_keys
from thanrak.load.quarantine import copy_quarantined, release_earlier_quarantine
from thanrak.validate.validation import REASONS, Validation
from thanrak.warehouse.bulk_copy import copy_frame

LINEAGE = ("submission_id", "source_row")


@dataclass
class LoadResult:
    submission_id: int
    status: str  # loaded | rejected | already_done
    rows_received: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0


def load_validated(
    conn: psycopg.Connection,
    submission_id: int,
    contract: Contract,
    validation: Validation,
    encoding: str,
    pseudonymiser: Pseudonymiser,
) -> LoadResult:
    """Loads a validated file; its personal key column (the contract's `pii_column`) is stored
    only as keyed pseudonyms, in raw and quarantine alike."""
    frame = validation.frame

    def pseudonymised(rows: pd.DataFrame) -> pd.DataFrame:
        if not contract.pii_column:
            return rows
        return rows.assign(**{contract.pii_column: pseudonymiser.column(rows[contract.pii_column])})

    with conn.transaction():
        if not claim(conn, submission_id):
            return LoadResult(submission_id, "already_done")
        if contract.pii_column:
            check_keys(conn, pseudonymiser)
        _record_rule_results(conn, submission_id, validation)
        if validation.rejection:
            _, th, en = validation.rejection
            close(conn, submission_id, "rejected", len(frame), 0, 0, th, en, encoding)
            return LoadResult(submission_id, "rejected", rows_received=len(frame))
        bad = frame[REASONS].notna()
        quarantined = int(bad.sum())
        # most files have no bad row: selecting rows copies the frame, so only when some are bad
        good_rows = frame[~bad] if quarantined else frame
        _copy_accepted(conn, submission_id, contract, good_rows, pseudonymised)  # batch by batch, in the COPY
        if quarantined:
            copy_quarantined(conn, submission_id, contract, pseudonymised(frame[bad]))
        release_earlier_quarantine(conn, submission_id, contract)
        close(conn, submission_id, "loaded", len(frame), len(good_rows), quarantined, None, None, encoding)
    return LoadResult(submission_id, "loaded", len(frame), len(good_rows), quarantined)


def reject_after_failure(conn: psycopg.Connection, submission_id: int, failure: str) -> LoadResult:
    """Closes a submission a stage broke on: rejected in the officer's words, the error kept for
    the engineers (verify_night reports it)."""
    with conn.transaction():
        if not claim(conn, submission_id):
            return LoadResult(submission_id, "already_done")
        close(conn, submission_id, "rejected", None, 0, 0, *message("internal_failure"), None)
        conn.execute(
            "update ops.submission set failure = %s where submission_id = %s", (failure, submission_id)
        )
    return LoadResult(submission_id, "rejected")


def reject_unreadable(
    conn: psycopg.Connection, submission_id: int, message_th: str, message_en: str
) -> LoadResult:
    """Closes a submission whose file could not be read at all."""
    with conn.transaction():
        if not claim(conn, submission_id):
            return LoadResult(submission_id, "already_done")
        close(conn, submission_id, "rejected", None, 0, 0, message_th, message_en, None)
    return LoadResult(submission_id, "rejected")


def _copy_accepted(
    conn: psycopg.Connection,
    submission_id: int,
    contract: Contract,
    rows: pd.DataFrame,
    prepare: Callable[[pd.DataFrame], pd.DataFrame],
) -> None:
    table = rows[[SOURCE_ROW, *contract.column_names]]  # a new frame (pandas copy-on-write)
    for column in contract.columns:
        if column.type == "code_set":  # 'a;b' -> PostgreSQL array literal '{a,b}'
            table[column.name] = "{" + table[column.name].str.replace(";", ",") + "}"
    table.insert(0, "submission_id", submission_id)
    columns = ", ".join([*LINEAGE, *contract.column_names])
    copy_frame(conn, f"copy raw.{contract.dataset} ({columns}) from stdin with (format csv)", table, prepare)


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
    with (
        conn.cursor() as cursor,
        cursor.copy(
            "copy dq.rule_result (submission_id, rule, column_name, severity, failed_rows) from stdin"
        ) as copy,
    ):
        for r in validation.rule_results:
            copy.write_row((submission_id, r.rule, r.column, r.severity, r.failed_rows))
