"""COPY of a DataFrame into PostgreSQL at close to the speed of COPY itself."""

from __future__ import annotations

import io

import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv

COPY_BATCH_ROWS = 20_000


def copy_frame(conn: psycopg.Connection, statement: str, table: pd.DataFrame) -> None:
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
