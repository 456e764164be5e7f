"""dlt's arrow path on the load bench's clean CSV files, for `make bench`'s dlt_ratio.

Runs in its own environment (var/bench-dlt-venv, from bench/dlt/requirements.lock), not in
Thanrak's: dlt is not a dependency of the project. It does what dlt's documentation gives as the
fast way to load tabular data into PostgreSQL: each file read with pyarrow.csv into an Arrow
table (typed as the contract's columns, as the COPY baseline's table is), yielded from a dlt
resource, and run through a pipeline to the postgres destination with write disposition
append and loader file format csv (dlt writes the Arrow tables as CSV with pyarrow and streams
them into COPY). Everything else is dlt's defaults.

Reads a JSON spec on standard input:

    {"url": "postgresql://...", "table": "bmn_households", "dataset": "bench_dlt",
     "columns": [["household_hash", "text"], ...], "files": ["/.../clean/10.csv", ...],
     "pipelines_dir": "/tmp/...", "loader_file_format": "csv"}

and prints one JSON object: `rows` (counted in the destination table afterwards), `seconds`
(from creating the pipeline to the end of `run`: reading the CSVs, dlt's extract, normalise
and load; not the interpreter's start or dlt's import), `steps_s` (dlt's own trace of its
steps) and the versions of dlt and pyarrow.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time

import dlt
import pyarrow as pa
import pyarrow.csv as pa_csv
from dlt.destinations.impl.postgres.configuration import PostgresCredentials

_NUMERIC = re.compile(r"numeric\((\d+),\s*(\d+)\)")


def arrow_type(postgres_type: str) -> pa.DataType:
    """The Arrow type of a contract column's PostgreSQL type (those the contracts use)."""
    kind = postgres_type.strip().lower()
    if match := _NUMERIC.fullmatch(kind):
        return pa.decimal128(int(match[1]), int(match[2]))
    if kind == "text" or kind.startswith(("char(", "varchar(", "character")):
        return pa.string()
    return {
        "integer": pa.int32(),
        "bigint": pa.int64(),
        "smallint": pa.int16(),
        "boolean": pa.bool_(),
        "date": pa.date32(),
        "double precision": pa.float64(),
    }[kind]


def load(spec: dict) -> dict:
    names = [name for name, _ in spec["columns"]]
    read_options = pa_csv.ReadOptions(column_names=names)  # the clean files have no header
    convert_options = pa_csv.ConvertOptions(
        column_types={name: arrow_type(kind) for name, kind in spec["columns"]}
    )

    @dlt.resource(name=spec["table"], write_disposition="append")
    def rows():
        for path in spec["files"]:
            yield pa_csv.read_csv(path, read_options=read_options, convert_options=convert_options)

    credentials = PostgresCredentials(spec["url"])
    if credentials.password is None:
        # dlt insists on a password; a server that trusts the bench's user (or a PGPASSWORD or
        # .pgpass that libpq finds) ignores this one.
        credentials.password = os.environ.get("PGPASSWORD", "unused")

    started = time.perf_counter()
    pipeline = dlt.pipeline(
        pipeline_name="thanrak_bench_dlt",
        pipelines_dir=spec["pipelines_dir"],
        destination=dlt.destinations.postgres(credentials=credentials),
        dataset_name=spec["dataset"],
    )
    pipeline.run(rows(), loader_file_format=spec.get("loader_file_format", "csv"))
    seconds = time.perf_counter() - started

    steps = {
        step.step: (step.finished_at - step.started_at).total_seconds()
        for step in pipeline.last_trace.steps
        if step.started_at and step.finished_at
    }
    with pipeline.sql_client() as client:
        table = client.make_qualified_table_name(spec["table"])
        ((loaded,),) = client.execute_sql(f"select count(*) from {table}")
    return {
        "rows": loaded,
        "seconds": seconds,
        "steps_s": steps,
        "table": f"{spec['dataset']}.{spec['table']}",
        "loader_file_format": spec.get("loader_file_format", "csv"),
        "dlt_version": dlt.__version__,
        "pyarrow_version": pa.__version__,
    }


if __name__ == "__main__":
    print(json.dumps(load(json.load(sys.stdin))))
