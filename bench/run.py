"""The load benchmark: the same valid household-survey rows through
  (a) raw COPY of a clean CSV into a plain typed table (the limit),
  (b) Thanrak: discover, then the nightly path (Stages.process_batch per province),
  (c) a naive loader: pandas.read_csv + DataFrame.to_sql, as a tutorial does,
at each size, in a fresh database per size, with a cProfile of Thanrak on one ~170k-row file.

    python -m bench.run --sizes 1e4 1e6 1e7
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import datetime as dt
import itertools
import json
import os
import platform
import pstats
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from importlib.metadata import version
from pathlib import Path

import pandas as pd
import psycopg
import sqlalchemy

from bench.data import (
    DATASET,
    DEFAULT_DATA_DIR,
    MAX_ROWS_PER_FILE,
    PERIOD,
    BenchData,
    BenchFile,
    areas_of,
    generate,
)
from thanrak.contract.declarations import Contract, load_contract
from thanrak.extract.frame import extract
from thanrak.landing.discovery import discover
from thanrak.landing.sources import LocalFolderSource
from thanrak.load.files import load_validated
from thanrak.load.pseudonyms import Pseudonymiser
from thanrak.pipeline import FileItem, Stages
from thanrak.settings import PROJECT_ROOT, Settings
from thanrak.validate.validation import province_areas, validate
from thanrak.warehouse.connection import sqlalchemy_url
from thanrak.warehouse.migrate import migrate
from thanrak.warehouse.reference import load_reference

# The load step as the pipeline runs it, household keys turned into keyed pseudonyms included.
PSEUDONYMS = Pseudonymiser((b"thanrak-bench-pseudonym-key",))
SERVER_URL = os.environ.get("THANRAK_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
RESULTS_DIR = Path(__file__).parent / "results"
COPY_TABLE = "copy_bmn_households"  # plain: contract columns and types, NOT NULLs, no key, no lineage
# Diagnostic: raw.bmn_households' shape (lineage columns, primary key, foreign key to the manifest)
# with the lineage from defaults, to tell the table's own cost from Thanrak's.
RAW_SHAPED_TABLE = "copy_raw_shaped_bmn_households"
NAIVE_TABLE = "naive_bmn_households"  # created by to_sql with the types pandas guesses
GOALS = {"thanrak_load": 0.70, "thanrak_ingest": 0.30}  # share of raw COPY throughput
PROFILE_TOP = 15
STEPS = ("discover", "extract", "validate", "load")
BENCH_RUN = "bench"  # the run id of the nightly path's ops.run_log rows


@dataclass
class Timing:
    """One path (or one step of Thanrak's path) at one size."""

    path: str
    label: str
    rows: int
    seconds: float
    cpu_seconds: float  # this process's CPU time: near `seconds` when the client is the bottleneck
    note: str = ""

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds


@dataclass
class SizeResult:
    rows: int
    files: int
    generate_seconds: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    timings: list[Timing] = field(default_factory=list)

    def timing(self, path: str) -> Timing:
        return next(t for t in self.timings if t.path == path)

    def ratio(self, timing: Timing) -> float:
        return timing.rows_per_second / self.timing("copy").rows_per_second


class Clock:
    """Wall and CPU seconds of a block, added up over calls."""

    def __init__(self) -> None:
        self.seconds = self.cpu_seconds = 0.0

    @contextmanager
    def measure(self) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        self.seconds += time.perf_counter() - wall
        self.cpu_seconds += time.process_time() - cpu


# ---------------------------------------------------------------------------------------------
# Databases


@contextmanager
def fresh_database(server_url: str, tag: str) -> Iterator[str]:
    """A new, empty database on the bench server, dropped afterwards (also after an error)."""
    name = f"thanrak_bench_{tag}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    try:
        yield server_url.partition("?")[0].rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'drop database if exists "{name}" with (force)')


@contextmanager
def fresh_warehouse(server_url: str, tag: str) -> Iterator[str]:
    """A new database with Thanrak's migrations, reference data and the two COPY targets,
    dropped afterwards."""
    with fresh_database(server_url, tag) as url:
        with psycopg.connect(url, autocommit=True) as conn:
            migrate(conn)
            load_reference(conn)
            _create_copy_tables(conn, load_contract(DATASET))
        yield url


def _create_copy_tables(conn: psycopg.Connection, contract: Contract) -> None:
    columns = ", ".join(
        f"{c.name} {c.postgres_type}{' not null' if c.required else ''}" for c in contract.columns
    )
    conn.execute(f"create table {COPY_TABLE} ({columns})")
    # The raw-shaped table's rows belong to one manifest row, closed so that discover skips it.
    (submission_id,) = conn.execute(
        """insert into ops.submission (content_sha256, source_key, province_code, dataset, period,
                                       revision, byte_size, delivered_at, night, status, processed_at)
           values (repeat('0', 64), 'bench', 'bench', 'bench', %s, 1, 0, now(), current_date, 'rejected', now())
           returning submission_id""",
        (PERIOD,),
    ).fetchone()
    conn.execute(f"create sequence {RAW_SHAPED_TABLE}_row")
    conn.execute(f"create table {RAW_SHAPED_TABLE} (like raw.{DATASET} including all)")
    conn.execute(
        f"""alter table {RAW_SHAPED_TABLE}
              alter submission_id set default {submission_id},
              alter source_row set default nextval('{RAW_SHAPED_TABLE}_row')"""
    )
    # `like` copies keys and indexes but not foreign keys: those raw.bmn_households has now, too.
    for (definition,) in conn.execute(_CONSTRAINTS, (f"raw.{DATASET}", "f")).fetchall():
        conn.execute(f"alter table {RAW_SHAPED_TABLE} add {definition}")


_CONSTRAINTS = """select pg_get_constraintdef(oid) from pg_constraint
                  where conrelid = %s::regclass and contype = any(string_to_array(%s, ',')::char[])
                  order by contype desc, conname"""


def raw_shape(url: str) -> str:
    """What the raw-shaped table carries besides the plain table's columns."""
    with psycopg.connect(url) as conn:
        definitions = [d for (d,) in conn.execute(_CONSTRAINTS, (RAW_SHAPED_TABLE, "p,u,f")).fetchall()]
    return "lineage columns filled by defaults; " + "; ".join(definitions or ["no key"])


def checkpoint(url: str) -> None:
    """Flushes dirty buffers so that one path's writes are not paid on the next path's clock."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("checkpoint")


def count(url: str, table: str) -> int:
    """The table's rows."""
    with psycopg.connect(url) as conn:
        return conn.execute(f"select count(*) from {table}").fetchone()[0]


def _expect(actual: int, expected: int, what: str) -> None:
    if actual != expected:
        raise RuntimeError(
            f"{what}: {actual} rows, expected {expected}; the paths did not load the same rows"
        )


# ---------------------------------------------------------------------------------------------
# The three paths


def run_copy(url: str, files: tuple[BenchFile, ...], table: str = COPY_TABLE) -> Timing:
    """(a), or (a′) into the raw-shaped table: each clean CSV's bytes streamed into COPY, one
    transaction per file."""
    statement = (
        f"copy {table} ({', '.join(load_contract(DATASET).column_names)}) from stdin with (format csv)"
    )
    clock = Clock()
    with clock.measure(), psycopg.connect(url, autocommit=True) as conn:
        for bench_file in files:
            with (
                bench_file.clean_path.open("rb") as source,
                conn.transaction(),
                conn.cursor() as cursor,
                cursor.copy(statement) as copy,
            ):
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
    rows = sum(f.rows for f in files)
    _expect(count(url, table), rows, f"raw COPY into {table}")
    if table == COPY_TABLE:
        return Timing("copy", "(a) raw COPY, clean CSV", rows, clock.seconds, clock.cpu_seconds)
    return Timing(
        "copy_raw_shaped",
        "(a′) raw COPY into a raw-shaped table",
        rows,
        clock.seconds,
        clock.cpu_seconds,
        f"diagnostic, raw.bmn_households' shape: {raw_shape(url)}",
    )


@dataclass
class NightlyIngest:
    """One night's ingest through the nightly path: the files it closed, the wall time of
    discovery and of the whole, and each step's busy time from ops.run_log."""

    items: list[FileItem]
    discover: Clock
    whole: Clock
    busy_s: dict[str, float]


_worker_stages: Stages | None = None  # a worker process's own Stages (nightly_ingest)


def _start_worker(url: str, settings: Settings) -> None:
    global _worker_stages
    _worker_stages = Stages(url, settings)


def _process_batch(run_id: str, night: dt.date, batch: list) -> list:
    return _worker_stages.process_batch(run_id, night, batch)


def nightly_ingest(stages: Stages, run_id: str, night: dt.date, workers: int = 1) -> NightlyIngest:
    """discover_by_province, then `Stages.process_batch` per province: one after another (the
    DAG's ingest tasks on a one-worker machine), or `workers` batches at a time in processes of
    their own (the DAG's mapped ingest tasks under a scheduler that runs that many at once).
    Busy times are those of `run_id`'s log rows; the clock's CPU time is this process's only."""
    whole, discover_clock = Clock(), Clock()
    with whole.measure():
        with discover_clock.measure():
            batches = stages.discover_by_province(run_id, night)
        if workers == 1:
            done = [item for batch in batches for item in stages.process_batch(run_id, night, batch)]
        else:
            with ProcessPoolExecutor(
                workers, initializer=_start_worker, initargs=(stages.url, stages.settings)
            ) as pool:
                done = [
                    item
                    for items in pool.map(partial(_process_batch, run_id, night), batches)
                    for item in items
                ]
    with psycopg.connect(stages.url) as conn:
        busy = dict(
            conn.execute(
                """select stage, sum(extract(epoch from finished_at - started_at))::float8 from ops.run_log
                   where run_id = %s and stage in ('extract', 'validate', 'load') group by stage""",
                (run_id,),
            ).fetchall()
        )
    return NightlyIngest(done, discover_clock, whole, busy)


def run_thanrak(url: str, data: BenchData, log: Callable[[str], None]) -> list[Timing]:
    """(b) The nightly path itself: discover, then `Stages.process_batch` per province (the DAG's
    ingest task: extract and validate of a file overlapping the load of the one before). The
    whole path is its wall time; each step's time is its busy time from ops.run_log (the steps
    overlap, so they add up to more than the whole)."""
    expected = {f.key: f.rows for f in data.files}
    with tempfile.TemporaryDirectory(prefix="thanrak-bench-") as var:
        settings = dataclasses.replace(Settings.in_folder(Path(var), url), landing_dir=data.landing)
        night = dt.date.today() + dt.timedelta(days=1)  # every bench file is delivered by its cut-off
        ingest = nightly_ingest(Stages(url, settings), BENCH_RUN, night)
    done, whole, discover_clock, busy = ingest.items, ingest.whole, ingest.discover, ingest.busy_s
    _expect(len(done), len(data.files), "discovered files")
    for item in done:
        result = item.loaded
        if (result.status, result.rows_loaded, result.rows_quarantined) != (
            "loaded",
            expected[item.submission.key],
            0,
        ):
            raise RuntimeError(f"{item.submission.key}: {result}; the generated rows should all load")
        log(f"  thanrak {item.submission.key}: {result.rows_loaded} rows")
    _expect(count(url, f"raw.{DATASET}"), data.rows, "Thanrak")
    labels = {
        "extract": "(b) Thanrak extract (read, parse, normalise), busy time",
        "validate": "(b) Thanrak validate (contract suite), busy time",
        "load": "(b) Thanrak load step (load_validated), busy time",
    }
    timings = [
        Timing(
            "thanrak_discover",
            "(b) Thanrak discover (hash, register)",
            data.rows,
            discover_clock.seconds,
            discover_clock.cpu_seconds,
        )
    ]
    timings += [
        Timing(f"thanrak_{step}", label, data.rows, busy[step], 0.0, "client CPU not split by step")
        for step, label in labels.items()
    ]
    total = Timing(
        "thanrak_ingest",
        "(b) Thanrak whole ingest path (the nightly path)",
        data.rows,
        whole.seconds,
        whole.cpu_seconds,
        "discover, then process_batch per province",
    )
    return [*timings, total]


def run_naive(url: str, files: tuple[BenchFile, ...], subset: bool) -> Timing:
    """(c) The tutorial loader: pandas.read_csv, then to_sql with pandas' defaults."""
    engine = sqlalchemy.create_engine(sqlalchemy_url(url))
    clock = Clock()
    try:
        with clock.measure():
            for bench_file in files:
                frame = pd.read_csv(bench_file.landing_path)
                frame.to_sql(NAIVE_TABLE, engine, if_exists="append", index=False)
    finally:
        engine.dispose()
    rows = sum(f.rows for f in files)
    _expect(count(url, NAIVE_TABLE), rows, "naive loader")
    note = f"measured on the first {rows:,} rows only (--naive-max-rows)" if subset else ""
    return Timing("naive", "(c) naive read_csv + to_sql", rows, clock.seconds, clock.cpu_seconds, note)


def naive_files(data: BenchData, max_rows: int) -> tuple[BenchFile, ...]:
    """Whole files from the first, until they hold at least `max_rows` rows."""
    chosen: list[BenchFile] = []
    for bench_file in data.files:
        if sum(f.rows for f in chosen) >= max_rows:
            break
        chosen.append(bench_file)
    return tuple(chosen)


def same_rows(url: str, contract: Contract) -> None:
    """Raises unless raw.bmn_households (lineage aside) holds the same rows as the COPY table:
    compared by count and by the sum of 64-bit hashes of every row's text. The household key is
    stored as a keyed pseudonym (PDPA), so it is left out of the rows and compared by its number
    of distinct values."""
    columns = ", ".join(c for c in contract.column_names if c != contract.pii_column)
    fingerprint = "select count(*), sum(hashtextextended(r::text, 0)) from (select {} from {}) r"
    distinct = f"select count(distinct {contract.pii_column}) from {{}}"
    with psycopg.connect(url) as conn:
        thanrak, copied = (
            (
                *conn.execute(fingerprint.format(columns, table)).fetchone(),
                *conn.execute(distinct.format(table)).fetchone(),
            )
            for table in (f"raw.{DATASET}", COPY_TABLE)
        )
    if thanrak != copied:
        raise RuntimeError(f"Thanrak's rows differ from the COPY table's: {thanrak} != {copied}")


def warm_up(data: BenchData) -> float:
    """Extract + validate on a few rows, so that the once-per-process set-up (building the
    expectation suite) is not timed as part of the first size; returns its seconds."""
    contract = load_contract(DATASET)
    first = data.files[0]
    with first.landing_path.open("rb") as source:
        head = b"".join(itertools.islice(source, 200))
    started = time.perf_counter()
    extracted = extract(head, first.key, contract)
    validate(extracted.frame, contract, period=PERIOD, areas=areas_of(first.province))
    return time.perf_counter() - started


def run_size(server_url: str, data: BenchData, naive_max_rows: int, log: Callable[[str], None]) -> SizeResult:
    """All three paths at one size, in one fresh database; the naive one only with a
    `naive_max_rows` (it is slow and only a diagnostic)."""
    result = SizeResult(data.rows, len(data.files), 0.0, os.getloadavg())
    with fresh_warehouse(server_url, str(data.rows)) as url:
        checkpoint(url)
        result.timings.append(run_copy(url, data.files))
        log(f"  (a) raw COPY: {result.timing('copy').seconds:.1f} s")
        checkpoint(url)
        result.timings.append(run_copy(url, data.files, RAW_SHAPED_TABLE))
        log(f"  (a′) raw COPY, raw-shaped table: {result.timing('copy_raw_shaped').seconds:.1f} s")
        checkpoint(url)
        result.timings += run_thanrak(url, data, log)
        log(f"  (b) Thanrak: {result.timing('thanrak_ingest').seconds:.1f} s")
        same_rows(url, load_contract(DATASET))
        if naive_max_rows:
            checkpoint(url)
            subset = naive_files(data, naive_max_rows)
            result.timings.append(run_naive(url, subset, subset != data.files))
            log(f"  (c) naive: {result.timing('naive').seconds:.1f} s")
    result.load_after = os.getloadavg()
    return result


# ---------------------------------------------------------------------------------------------
# Profile


@dataclass
class ProfileRow:
    function: str
    calls: int
    own_seconds: float
    cumulative_seconds: float
    steps: str  # the Thanrak steps that spend at least a tenth of its cumulative time


@dataclass
class ProfileResult:
    file: str
    rows: int
    step_seconds: dict[str, float]  # under the profiler, which slows Python-heavy code down
    by_cumulative: list[ProfileRow]
    by_own: list[ProfileRow]


def profile_thanrak(server_url: str, data: BenchData) -> ProfileResult:
    """cProfile of Thanrak's path (discover, extract, validate, load) on a one-file data set,
    one profiler per step so that every function can be attributed to its step(s)."""
    (bench_file,) = data.files
    contract = load_contract(DATASET)
    source = LocalFolderSource(data.landing)
    profilers = {step: cProfile.Profile() for step in STEPS}
    seconds: dict[str, float] = {}

    @contextmanager
    def profiled(step: str) -> Iterator[None]:
        started = time.perf_counter()
        profilers[step].enable()
        yield
        profilers[step].disable()
        seconds[step] = time.perf_counter() - started

    with fresh_warehouse(server_url, "profile") as url, psycopg.connect(url, autocommit=True) as conn:
        with profiled("discover"):
            (submission,) = discover(conn, source, dt.date.today(), dt.datetime.now(dt.UTC))
        with profiled("extract"):
            extracted = extract(source.read_bytes(submission.key), submission.key, contract)
        with profiled("validate"):
            areas = province_areas(conn, submission.province_code)
            validation = validate(extracted.frame, contract, period=submission.period, areas=areas)
        with profiled("load"):
            load_validated(
                conn, submission.submission_id, contract, validation, extracted.encoding, PSEUDONYMS
            )
    per_step = {step: pstats.Stats(profiler).stats for step, profiler in profilers.items()}
    merged = pstats.Stats(*profilers.values()).stats
    merged = {key: value for key, value in merged.items() if "_lsprof.Profiler" not in key[2]}

    def row(key: tuple) -> ProfileRow:
        _, calls, own, cumulative, _ = merged[key]
        steps = [s for s in STEPS if key in per_step[s] and per_step[s][key][3] >= 0.1 * cumulative]
        return ProfileRow(_function_name(key), calls, own, cumulative, ", ".join(steps))

    def top(index: int) -> list[ProfileRow]:
        return [row(k) for k in sorted(merged, key=lambda k: merged[k][index], reverse=True)[:PROFILE_TOP]]

    return ProfileResult(bench_file.key, bench_file.rows, seconds, top(3), top(2))


def _function_name(key: tuple[str, int, str]) -> str:
    """A profiler key as 'package/module.py:line(function)', or the built-in's own name."""
    file, line, name = key
    if file == "~":
        return name
    for marker in ("site-packages/", "plugins/", "lib/python3.11/"):
        if marker in file:
            file = file.split(marker, 1)[1]
            break
    return f"{file}:{line}({name})"


# ---------------------------------------------------------------------------------------------
# Report


def machine_facts(server_url: str) -> dict:
    """CPUs, memory, PostgreSQL settings that matter for COPY, library versions, code version."""
    meminfo = Path("/proc/meminfo").read_text().split("\n")
    cpuinfo = Path("/proc/cpuinfo").read_text().split("\n")
    with psycopg.connect(server_url) as conn:
        settings = {
            name: conn.execute(f"show {name}").fetchone()[0]
            for name in ("server_version", "shared_buffers", "max_wal_size", "synchronous_commit", "fsync")
        }
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": next(
            (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "?"
        ),
        "ram_gib": round(
            int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1]) / 2**20, 1
        ),
        "kernel": platform.release(),
        "postgresql": settings,
        "python": platform.python_version(),
        "libraries": {name: version(name) for name in _LIBRARIES},
        "code": code_state(),
    }


def code_state(folders: tuple[str, ...] = ("plugins",)) -> dict:
    """The commit measured, and the files under `folders` that differed from it (others edit
    Thanrak while the benchmark runs: the working tree, as imported at start, is what ran)."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True).stdout

    changed = git("status", "--porcelain", "--", *folders).splitlines()
    return {
        "commit": git("rev-parse", "--short", "HEAD").strip(),
        "uncommitted": [line[3:] for line in changed],
    }


_LIBRARIES = ("pandas", "pyarrow", "numpy", "psycopg", "sqlalchemy", "great_expectations")


def size_table(result: SizeResult) -> list[str]:
    """Markdown: every path at one size, with its ratio to raw COPY and the goals."""
    lines = [
        f"### {result.rows:,} rows ({result.files} file{'s' if result.files > 1 else ''})",
        "",
        "| path | rows | seconds | rows/s | ratio to COPY | client CPU s | note |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for timing in result.timings:
        ratio = result.ratio(timing)
        note = timing.note
        if timing.path in GOALS:
            verdict = "met" if ratio >= GOALS[timing.path] else "not met"
            note = "; ".join(filter(None, [note, f"goal ≥ {GOALS[timing.path]:.2f}: {verdict}"]))
        lines.append(
            f"| {timing.label}{' †' if timing.path == 'naive' and timing.rows < result.rows else ''} "
            f"| {timing.rows:,} | {timing.seconds:,.2f} | {timing.rows_per_second:,.0f} | {ratio:.3f} "
            f"| {timing.cpu_seconds:,.2f} | {note} |"
        )
    before, after = result.load_before, result.load_after
    lines += [
        "",
        f"Data ready in {result.generate_seconds:.1f} s (generated, or reused from --data-dir; not "
        f"timed). Load average (1, 5, 15 min) before: {before[0]:.2f} {before[1]:.2f} {before[2]:.2f}; "
        f"after: {after[0]:.2f} {after[1]:.2f} {after[2]:.2f}.",
        "",
    ]
    return lines


def summary_table(results: list[SizeResult]) -> list[str]:
    """rows/s (ratio to COPY) for every path at every size."""
    lines = [
        "| path | " + " | ".join(f"{r.rows:,} rows" for r in results) + " |",
        "|---|" + "---:|" * len(results),
    ]
    for timing in results[0].timings:
        cells = []
        for result in results:
            other = result.timing(timing.path)
            mark = " †" if other.path == "naive" and other.rows < result.rows else ""
            cells.append(f"{other.rows_per_second:,.0f} ({result.ratio(other):.2f}){mark}")
        lines.append(f"| {timing.label} | " + " | ".join(cells) + " |")
    return lines


def profile_section(profile: ProfileResult) -> list[str]:
    steps = ", ".join(f"{step} {seconds:.2f} s" for step, seconds in profile.step_seconds.items())
    lines = [
        f"cProfile of Thanrak's path on one file, `{profile.file}` ({profile.rows:,} rows), in a fresh "
        f"database, after the warm-up. Under the profiler: {steps} (the profiler slows Python-level "
        "code down more than C code, so shares are indicative). `steps` names the steps that spend "
        "at least a tenth of a function's cumulative time.",
        "",
    ]
    for title, rows in (("By cumulative time", profile.by_cumulative), ("By own time", profile.by_own)):
        lines += [
            f"#### {title}",
            "",
            "| function | calls | own s | cumulative s | steps |",
            "|---|---:|---:|---:|---|",
        ]
        lines += [
            f"| `{r.function}` | {r.calls:,} | {r.own_seconds:.2f} | {r.cumulative_seconds:.2f} | {r.steps} |"
            for r in rows
        ]
        lines.append("")
    return lines


def report(
    results: list[SizeResult], profile: ProfileResult, machine: dict, warm_up_seconds: float, command: str
) -> str:
    pg, code, contract = machine["postgresql"], machine["code"], load_contract(DATASET)
    lines = [
        f"# Load benchmark, {dt.date.today().isoformat()}",
        "",
        f"Command: `{command}`. Household survey (`bmn_households`, {len(contract.columns)} contract "
        f"columns, {sum(c.type == 'flag' for c in contract.columns)} of them pass/fail flags), valid "
        "rows generated by `bench/data.py`; every path loads the same rows "
        "(checked: row counts, and the same rows in Thanrak's raw table as in the COPY table, by "
        "count and sum of row hashes). How to read this: `bench/README.md`.",
        "",
        f"Machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['ram_gib']} GiB RAM, Linux "
        f"{machine['kernel']}; PostgreSQL {pg['server_version']} on the same machine (shared_buffers "
        f"{pg['shared_buffers']}, max_wal_size {pg['max_wal_size']}, synchronous_commit "
        f"{pg['synchronous_commit']}, fsync {pg['fsync']}); Python {machine['python']}, "
        + ", ".join(f"{name} {v}" for name, v in machine["libraries"].items())
        + ". The CPUs are shared with other work (see the load averages): timings are noisy.",
        "",
        f"Code measured: commit {code['commit']}"
        + (
            f", with uncommitted changes in {', '.join(f'`{f}`' for f in code['uncommitted'])} "
            "(the working tree as imported when the run started)."
            if code["uncommitted"]
            else ", clean working tree."
        ),
        "",
        "One-off warm-up before the first size (suite set-up, once per process): "
        f"{warm_up_seconds:.1f} s, not counted.",
        "",
        "## Summary: rows/s (ratio to raw COPY)",
        "",
        *summary_table(results),
        "",
        *(
            [
                "† the naive loader ran on the first files only (`--naive-max-rows`); its rows/s is "
                "measured on that subset.",
                "",
            ]
            if any(r.timing("naive").rows < r.rows for r in results)
            else []
        ),
        "## Per size",
        "",
    ]
    for result in results:
        lines += size_table(result)
    lines += ["## Profile", "", *profile_section(profile)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", nargs="+", type=lambda s: int(float(s)), default=[10**4, 10**6, 10**7])
    parser.add_argument(
        "--naive-max-rows",
        type=lambda s: int(float(s)),
        default=1_000_000,
        help="above this size, the naive loader runs on the first ~this many rows only",
    )
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="generated files (cached)")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)

    def log(text: str) -> None:
        print(f"{dt.datetime.now():%H:%M:%S} {text}", file=sys.stderr, flush=True)

    command = "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:])
    machine = machine_facts(SERVER_URL)
    results: list[SizeResult] = []
    warm_up_seconds = None
    for rows in args.sizes:
        started = time.perf_counter()
        data = generate(rows, args.data_dir / str(rows))
        generate_seconds = time.perf_counter() - started
        log(f"{rows:,} rows: {len(data.files)} files ready in {generate_seconds:.1f} s")
        if warm_up_seconds is None:
            warm_up_seconds = warm_up(data)
        result = run_size(SERVER_URL, data, args.naive_max_rows, log)
        result.generate_seconds = generate_seconds
        results.append(result)
        print("\n".join(size_table(result)), flush=True)
    log("profile")
    profile = profile_thanrak(SERVER_URL, generate(MAX_ROWS_PER_FILE, args.data_dir / "profile"))
    text = report(results, profile, machine, warm_up_seconds, command)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    stem = args.results_dir / f"load-{dt.date.today().isoformat()}"
    stem.with_suffix(".md").write_text(text + "\n")
    raw = {
        "command": command,
        "machine": machine,
        "warm_up_seconds": warm_up_seconds,
        "sizes": [
            {
                **{k: v for k, v in asdict(r).items() if k != "timings"},
                "timings": [
                    {**asdict(t), "rows_per_second": t.rows_per_second, "ratio_to_copy": r.ratio(t)}
                    for t in r.timings
                ],
            }
            for r in results
        ],
        "profile": asdict(profile),
    }
    stem.with_suffix(".json").write_text(json.dumps(raw, indent=1, ensure_ascii=False) + "\n")
    print(text)
    log(f"written {stem}.md and .json")


if __name__ == "__main__":
    main()
