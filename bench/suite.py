"""`make bench`: the measurements of issue 13 in one run, each a ratio or a share against a
baseline measured in the same run, written to bench/results/latest.json and latest.md.

The machine is shared and one pass of a section moves by ±30 %, more than a change worth
measuring, so every figure is the **median of `--repeats` runs** (default 3), each run pairing
Thanrak with its baseline right after it; latest.json keeps every run beside the median.

1. **Load and clean-CSV ingest** (bench.run at 10^6 household rows), with **dlt** (section 5) in
   the same repeats: `load_ratio` is Thanrak's load step over raw COPY into a table of
   raw.bmn_households' shape (the equivalent table); `ingest_ratio_csv` is the whole path
   (discover, extract, validate, load) over raw COPY. Each repeat in a fresh database.
2. **A realistic night, in one process**: the generator's night (76 provinces × 5 datasets:
   CSV in UTF-8 and cp874, XLSX with banners and merged cells, ~1 % bad rows, a few spoilt
   files) through `Stages` (discover, then `process_batch` per province, the DAG's mapped
   work), at `--mix-scale` (default 5, about 10^6 rows). `ingest_ratio_mix` is its rows/s over
   raw COPY of the same accepted rows into copies of the raw tables, measured right after in
   the same database.
3. **The demo's night through Airflow** (`airflow dags test thanrak_nightly`, as `thanrak demo`
   runs it, scale 1: ~200k rows in ~690 files): `night_s`. `night_orchestration_share` is the
   share of `night_s` during which no stage of the run was working: 1 - (the time covered by the
   run's own `ops.run_log` intervals, every stage of every task, dbt's included) / night_s. So
   start-up, the metadata database, parsing, task start-up and the gaps between tasks, from the
   run itself and not from a twin run in one process (which, on this machine, came out faster
   or slower than the Airflow run by more than the orchestration it was meant to show).
4. **One province resubmitting one file**: the next night through Airflow with one new
   revision; `resubmission_share` is its seconds over the same repeat's night_s. Then, as its
   floor, a night with no file at all (`empty_night_share`, a diagnostic).
5. **dlt**: dlt's arrow path (each clean CSV read with pyarrow into an Arrow table, yielded from
   a dlt resource, `pipeline.run` to the postgres destination, append, loader file format csv:
   dlt's COPY) on section 1's files, in a fresh database, right after each repeat of section 1.
   `dlt_ratio` is its rows/s over that repeat's raw COPY; `dlt_ratio_multiple` =
   `ingest_ratio_csv` / `dlt_ratio`, i.e. Thanrak's ingest rows/s over dlt's, per repeat.
   dlt is not a dependency: bench/dlt/ makes its own environment (var/bench-dlt-venv, with uv,
   from bench/dlt/requirements.lock) and runs bench/dlt/load.py there. Null, with the reason,
   when that environment cannot be made (no uv, no network).

The generator is seeded, so a generated night is made once per version of what it is made from
(var/bench/nights/, see `generated_landing`) and copied for each run. Every timing has the load
average beside it (compare ratios within a run). Tests never assert on these numbers.

    .venv/bin/python -m bench.suite            # or: make bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import psycopg

from bench.data import DEFAULT_DATA_DIR, generate
from bench.run import SERVER_URL, fresh_database, run_size, warm_up
from thanrak.contract.declarations import DATASETS, load_contract
from thanrak.demo.generator import generate_night
from thanrak.load.files import LINEAGE
from thanrak.orchestration.runner import run_nightly_dag
from thanrak.pipeline import Stages
from thanrak.settings import CONTRACTS_DIR, PROJECT_ROOT, Settings
from thanrak.warehouse.run_log import latest_run_id

RESULTS_DIR = Path(__file__).parent / "results"
NIGHT = dt.date(2026, 11, 22)
RESUBMITTED = ("30", "activities")  # the province and dataset that send a corrected file
GOALS = {
    "load_ratio": (">=", 0.90),
    "ingest_ratio_mix": (">=", 0.30),
    "ingest_ratio_csv": (">=", 0.45),
    "night_s": ("<=", 120.0),
    "night_orchestration_share": ("<=", 0.25),
    "resubmission_share": ("<=", 0.10),
    "dlt_ratio_multiple": (">=", 2.0),
}
# What a generated night is made of: a change to any of these makes the cached nights stale.
GENERATOR_INPUTS = ("thanrak/demo", "thanrak/contract", "thanrak/thai", "thanrak/nights.py")


def log(text: str) -> None:
    print(f"{dt.datetime.now():%H:%M:%S} {text}", file=sys.stderr, flush=True)


def load_average() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def timed(function, *args, **kwargs) -> tuple[object, float]:
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - started


def median_of(runs: list[dict], key: str) -> float | None:
    """The median of `key` over the repeats; None when a repeat has none (dlt not measured)."""
    values = [run.get(key) for run in runs]
    return None if not values or None in values else statistics.median(values)


def spread(runs: list[dict], key: str) -> str:
    """`key` over the repeats, for the Markdown table: the values in run order."""
    values = [run.get(key) for run in runs]
    if None in values:
        return ""
    shape = ",.0f" if key.endswith("rows_per_second") else ".1f" if key.endswith("_s") else ".3f"
    return " / ".join(f"{v:{shape}}" for v in values)


def generated_landing(cache: Path, scale: float) -> Path:
    """The landing folder of the generator's night at `scale`, generated once and kept in
    `cache` under a key of everything it is made from (the generator, the contract, the Thai
    conventions and geothai's version): the generator is seeded, so the same key gives the
    same files. Copy it (`shutil.copytree` keeps the delivery times, the files' mtimes)."""
    digest = hashlib.sha256(version("geothai").encode())
    plugins = PROJECT_ROOT / "plugins"
    for path in sorted(
        f
        for name in GENERATOR_INPUTS
        for f in [plugins / name, *(plugins / name).rglob("*.py")]
        if f.is_file()
    ) + sorted(CONTRACTS_DIR.glob("*.yaml")):
        digest.update(path.name.encode() + path.read_bytes())
    landing = cache / f"{NIGHT}-scale{scale:g}-{digest.hexdigest()[:12]}"
    if not landing.exists():
        for stale in cache.glob(f"{NIGHT}-scale{scale:g}-*"):
            shutil.rmtree(stale)
        cache.mkdir(parents=True, exist_ok=True)
        # generated beside, then renamed: an interrupted run leaves no half night in the cache
        with tempfile.TemporaryDirectory(dir=cache) as work:
            _, seconds = timed(generate_night, Path(work) / "landing", NIGHT, scale=scale)
            (Path(work) / "landing").rename(landing)
        log(f"  generated the night at scale {scale:g} in {seconds:.0f} s (kept in {landing})")
    return landing


# ---------------------------------------------------------------------------------------------
# 1 and 5. Load and clean-CSV ingest, with dlt on the same rows


def load_section(rows: int, data_dir: Path, naive_max_rows: int, repeats: int) -> tuple[dict, dict]:
    """`repeats` runs of (raw COPY, raw COPY into the raw-shaped table, Thanrak's nightly path,
    then dlt), each in fresh databases; the naive loader once. Returns the load section and the
    dlt section."""
    data = generate(rows, data_dir / str(rows))
    warm_up(data)
    python, unavailable = dlt_environment()
    runs, dlt_runs = [], []
    for repeat in range(repeats):
        log(f"  repeat {repeat + 1} of {repeats}")
        result = run_size(SERVER_URL, data, naive_max_rows if repeat == 0 else 0, log)
        by_path = {t.path: t for t in result.timings}
        copy, shaped = by_path["copy"].rows_per_second, by_path["copy_raw_shaped"].rows_per_second
        runs.append(
            {
                "rows_per_second": {path: round(t.rows_per_second) for path, t in by_path.items()},
                "load_ratio": by_path["thanrak_load"].rows_per_second / shaped,
                "load_ratio_to_plain_copy": by_path["thanrak_load"].rows_per_second / copy,
                "ingest_ratio_csv": by_path["thanrak_ingest"].rows_per_second / copy,
                "load_average": [list(result.load_before), list(result.load_after)],
            }
        )
        if python:
            dlt_runs.append(dlt_run(data, python, copy))
            log(f"  dlt: {dlt_runs[-1]['seconds']:.1f} s")
    load = {"rows": rows, "runs": runs}
    load |= {
        key: median_of(runs, key) for key in ("load_ratio", "load_ratio_to_plain_copy", "ingest_ratio_csv")
    }
    if python is None:
        return load, {"dlt_ratio": None, "dlt_ratio_multiple": None, "reason": unavailable}
    for run, dlt in zip(runs, dlt_runs, strict=True):
        dlt["dlt_ratio_multiple"] = dlt_ratio_multiple(run["ingest_ratio_csv"], dlt["dlt_ratio"])
    return load, dlt_section(data, python, dlt_runs, runs[-1])


def dlt_environment() -> tuple[Path | None, str | None]:
    """dlt's interpreter, or None and the reason its environment could not be made."""
    from bench.dlt import DltUnavailable, venv_python

    try:
        return venv_python(), None
    except DltUnavailable as reason:
        return None, str(reason)


def dlt_run(data, python: Path, copy_rows_per_second: float, *, compression: bool = True) -> dict:
    """dlt's arrow path on `data` in a fresh database, over the raw COPY rows/s of the repeat it
    follows. Raises unless dlt's table holds every row."""
    from bench.dlt import run_dlt
    from bench.run import checkpoint

    with fresh_database(SERVER_URL, "dlt") as url:
        checkpoint(url)
        before = load_average()
        loaded = run_dlt(url, data, python, compression=compression)
    rows_per_second = loaded["rows"] / loaded["seconds"]
    return {
        "rows": loaded["rows"],
        "seconds": loaded["seconds"],
        "rows_per_second": rows_per_second,
        "copy_rows_per_second": copy_rows_per_second,
        "dlt_ratio": rows_per_second / copy_rows_per_second,
        "steps_s": loaded["steps_s"],
        "loader_file_format": loaded["loader_file_format"],
        "dlt_version": loaded["dlt_version"],
        "pyarrow_version": loaded["pyarrow_version"],
        "load_average": [before, load_average()],
    }


def dlt_section(data, python: Path, runs: list[dict], last_load: dict) -> dict:
    """The median of dlt's repeats, and once more without dlt's default gzip of its
    intermediate files (a diagnostic, not the goal's), beside the last load repeat."""
    last = runs[-1]
    plain = dlt_run(data, python, last["copy_rows_per_second"], compression=False)
    plain["dlt_ratio_multiple"] = dlt_ratio_multiple(last_load["ingest_ratio_csv"], plain["dlt_ratio"])
    return {
        "runs": runs,
        **{key: median_of(runs, key) for key in ("dlt_ratio", "dlt_ratio_multiple", "rows_per_second")},
        "rows": last["rows"],
        "loader_file_format": last["loader_file_format"],
        "path": "each clean CSV read with pyarrow.csv, yielded from a dlt resource (append),"
        f" pipeline.run(loader_file_format={last['loader_file_format']!r}) to postgres",
        "dlt_version": last["dlt_version"],
        "pyarrow_version": last["pyarrow_version"],
        "uncompressed": plain
        | {"note": "diagnostic: DATA_WRITER__DISABLE_COMPRESSION=true (dlt gzips its files by default)"},
    }


def dlt_ratio_multiple(ingest_ratio_csv: float | None, dlt_ratio: float | None) -> float | None:
    """How many times dlt's throughput Thanrak's whole ingest reaches, both over raw COPY of the
    same run (the goal: 2 or more); None without a dlt measurement."""
    if ingest_ratio_csv is None or dlt_ratio is None:
        return None
    return ingest_ratio_csv / dlt_ratio


def _dlt_line(dlt: dict) -> str:
    if dlt.get("dlt_ratio") is None:
        return f"dlt: not measured ({dlt.get('reason', '')})."
    plain = dlt["uncompressed"]
    return (
        f"dlt {dlt['dlt_version']} (Arrow tables, loader file format {dlt['loader_file_format']})"
        f" on the same {dlt['rows']:,} rows: {dlt['rows_per_second']:,.0f} rows/s (median; dlt_ratio"
        f" {spread(dlt['runs'], 'dlt_ratio')}). Without dlt's default gzip of its intermediate files"
        f" (diagnostic, once): {plain['rows_per_second']:,.0f} rows/s (ratio {plain['dlt_ratio']:.3f},"
        f" multiple {plain['dlt_ratio_multiple']:.2f})."
    )


# ---------------------------------------------------------------------------------------------
# 2. A realistic night in one process, and raw COPY of its rows


def in_process_ingest(url: str, settings: Settings) -> dict:
    """The night's discover and ingest in this process, each timed, as the DAG runs them
    (without Airflow)."""
    stages = Stages(url, settings)
    seconds: dict[str, float] = {}
    _, seconds["prepare_warehouse"] = timed(stages.prepare_warehouse)
    batches, seconds["discover"] = timed(stages.discover_by_province, "bench", NIGHT)
    started = time.perf_counter()
    for batch in batches:
        stages.process_batch("bench", NIGHT, batch)
    seconds["ingest"] = time.perf_counter() - started
    return seconds


def copy_baseline(url: str) -> tuple[int, float]:
    """Raw COPY of the rows the night loaded, from CSV in memory into tables of the raw tables'
    shape: the same rows, in the same database, with nothing else to do."""
    rows, seconds = 0, 0.0
    with psycopg.connect(url, autocommit=True) as conn:
        for dataset in DATASETS:
            columns = ", ".join([*LINEAGE, *load_contract(dataset).column_names])
            buffer = io.BytesIO()
            with conn.cursor().copy(
                f"copy (select {columns} from raw.{dataset}) to stdout (format csv)"
            ) as out:
                for chunk in out:
                    buffer.write(chunk)
            conn.execute(f"create table bench_copy_{dataset} (like raw.{dataset} including all)")
            conn.execute("checkpoint")
            started = time.perf_counter()
            with (
                conn.transaction(),
                conn.cursor().copy(f"copy bench_copy_{dataset} ({columns}) from stdin (format csv)") as copy,
            ):
                copy.write(buffer.getbuffer())
            seconds += time.perf_counter() - started
            rows += conn.execute(f"select count(*) from bench_copy_{dataset}").fetchone()[0]
    return rows, seconds


def mix_section(work: Path, landing: Path, scale: float, repeats: int) -> dict:
    """The generated night at `scale` ingested in one process, then raw COPY of the rows it
    loaded, `repeats` times, each in a fresh database."""
    runs, counts = [], set()
    for repeat in range(repeats):
        settings = Settings.in_folder(work / f"mix-{repeat}")
        shutil.copytree(landing, settings.landing_dir)
        with fresh_database(SERVER_URL, "mix") as url:
            before = load_average()
            stages = in_process_ingest(url, Settings.in_folder(settings.var_dir, url))
            after = load_average()
            with psycopg.connect(url) as conn:
                received, loaded = conn.execute(
                    "select sum(rows_received), sum(rows_loaded) from ops.submission where status = 'loaded'"
                ).fetchone()
            copied, copy_seconds = copy_baseline(url)
        shutil.rmtree(settings.var_dir)
        if copied != loaded:
            raise RuntimeError(f"COPY baseline holds {copied} rows, the night loaded {loaded}")
        counts.add((received, loaded))
        if len(counts) > 1:
            raise RuntimeError(f"the repeats of the same night received and loaded {sorted(counts)} rows")
        ingest = stages["discover"] + stages["ingest"]
        runs.append(
            {
                "stages_s": stages,
                "ingest_s": ingest,
                "ingest_rows_per_second": received / ingest,
                "copy_rows_per_second": copied / copy_seconds,
                "ingest_ratio": (received / ingest) / (copied / copy_seconds),
                "load_average": [before, after],
            }
        )
        log(
            f"  repeat {repeat + 1} of {repeats}: ingest {ingest:.1f} s, ratio {runs[-1]['ingest_ratio']:.3f}"
        )
    return {
        "scale": scale,
        "files": sum(1 for f in landing.rglob("*") if f.is_file()),
        "rows_received": int(received),
        "rows_loaded": int(loaded),
        "runs": runs,
        **{key: median_of(runs, key) for key in ("ingest_ratio", "ingest_s", "ingest_rows_per_second")},
        "copy_rows_per_second": median_of(runs, "copy_rows_per_second"),
    }


# ---------------------------------------------------------------------------------------------
# 3-4. Through Airflow: a night, then a resubmission


def covered_seconds(intervals: list[tuple[dt.datetime, dt.datetime]]) -> float:
    """The seconds during which at least one of `intervals` was open (their union's length):
    stages that overlap (a file's load beside the next file's extract) count once."""
    covered, end = 0.0, None
    for started, finished in sorted(intervals):
        if end is None or started > end:
            covered += (finished - started).total_seconds()
            end = finished
        elif finished > end:
            covered += (finished - end).total_seconds()
            end = finished
    return covered


def run_work(url: str, night: dt.date) -> dict:
    """What the night's last run logged in ops.run_log: the seconds any stage was working, and
    each stage's calls, span and busy seconds."""
    with psycopg.connect(url) as conn:
        run_id = latest_run_id(conn, night)
        rows = conn.execute(
            "select stage, started_at, finished_at from ops.run_log where run_id = %s", (run_id,)
        ).fetchall()
    stages: dict[str, dict] = {}
    for stage, started, finished in rows:
        entry = stages.setdefault(stage, {"calls": 0, "busy_s": 0.0, "intervals": []})
        entry["calls"] += 1
        entry["busy_s"] += (finished - started).total_seconds()
        entry["intervals"].append((started, finished))
    return {
        "run_id": run_id,
        "work_s": covered_seconds([(s, f) for _, s, f in rows]),
        "stages": {
            stage: {
                "calls": e["calls"],
                "busy_s": e["busy_s"],
                "covered_s": covered_seconds(e.pop("intervals")),
            }
            for stage, e in stages.items()
        },
    }


def airflow_section(work: Path, landing: Path, repeats: int) -> dict:
    """`repeats` times, in a fresh database and Airflow home: the demo's night through Airflow,
    then the next night with one province's resubmitted file."""
    runs = []
    for repeat in range(repeats):
        with fresh_database(SERVER_URL, "airflow") as url:
            settings = Settings.in_folder(work / f"airflow-{repeat}", url)
            shutil.copytree(landing, settings.landing_dir)
            before = load_average()
            log_path, night_s = timed(run_nightly_dag, settings, url, NIGHT)
            night_work = run_work(url, NIGHT)
            after_night = load_average()
            province, dataset = RESUBMITTED
            next_night = NIGHT + dt.timedelta(days=1)
            generate_night(
                settings.landing_dir, next_night, provinces=[province], datasets=(dataset,), file_defects=0
            )
            _, resubmission_s = timed(run_nightly_dag, settings, url, next_night)
            resubmission_work = run_work(url, next_night)
            # the floor under any night: one with no file at all (start-up, dbt's nightly marts)
            empty_night = next_night + dt.timedelta(days=1)
            _, empty_night_s = timed(run_nightly_dag, settings, url, empty_night)
            empty_work = run_work(url, empty_night)
            with psycopg.connect(url) as conn:
                revisions = conn.execute(
                    "select count(*) from ops.submission where province_code = %s and dataset = %s and night = %s",
                    (province, dataset, next_night),
                ).fetchone()[0]
        if revisions != 1:
            raise RuntimeError(
                f"the resubmission night processed {revisions} files of {province} {dataset}, not 1"
            )
        runs.append(
            {
                "night_s": night_s,
                "night_work_s": night_work["work_s"],
                "night_orchestration_share": 1 - night_work["work_s"] / night_s,
                "resubmission_s": resubmission_s,
                "resubmission_work_s": resubmission_work["work_s"],
                "resubmission_share": resubmission_s / night_s,
                "empty_night_s": empty_night_s,
                "empty_night_work_s": empty_work["work_s"],
                "empty_night_share": empty_night_s / night_s,
                "stages": night_work["stages"],
                "resubmission_stages": resubmission_work["stages"],
                "empty_night_stages": empty_work["stages"],
                "airflow_log": str(log_path),
                "load_average": [before, after_night, load_average()],
            }
        )
        log(
            f"  repeat {repeat + 1} of {repeats}: night {night_s:.1f} s (stages working"
            f" {night_work['work_s']:.1f} s), resubmission {resubmission_s:.1f} s, a night without files"
            f" {empty_night_s:.1f} s"
        )
    keys = (
        "night_s",
        "night_work_s",
        "night_orchestration_share",
        "resubmission_s",
        "resubmission_share",
        "empty_night_s",
        "empty_night_share",
    )
    return {"runs": runs, **{key: median_of(runs, key) for key in keys}}


# ---------------------------------------------------------------------------------------------


def commit() -> str:
    found = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    return found.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def verdicts(results: dict) -> dict:
    met = {}
    for name, (sense, goal) in GOALS.items():
        value = results.get(name)
        met[name] = None if value is None else (value >= goal if sense == ">=" else value <= goal)
    return met


# Where each goal's repeats are kept in the results, for the table's "runs" column.
_RUNS_OF = {
    "load_ratio": ("load", "load_ratio"),
    "ingest_ratio_csv": ("load", "ingest_ratio_csv"),
    "ingest_ratio_mix": ("mix", "ingest_ratio"),
    "night_s": ("airflow", "night_s"),
    "night_orchestration_share": ("airflow", "night_orchestration_share"),
    "resubmission_share": ("airflow", "resubmission_share"),
    "dlt_ratio_multiple": ("dlt", "dlt_ratio_multiple"),
}


def markdown(results: dict) -> str:
    lines = [
        f"# Bench {results['finished'][:10]} at {results['commit']}",
        "",
        f"`make bench` ({results['seconds']:.0f} s). Load average at the start {results['load_average'][0]},"
        f" at the end {results['load_average'][1]} (2 cores: above 2 the machine was shared)."
        f" Each value is the median of {results['repeats']} runs, each Thanrak beside its baseline.",
        "",
        "| measure | median | runs | goal | met |",
        "|---|---:|---|---|---|",
    ]
    for name, (sense, goal) in GOALS.items():
        value = results.get(name)
        shown = "null" if value is None else (f"{value:.1f}" if name.endswith("_s") else f"{value:.3f}")
        section, key = _RUNS_OF[name]
        met = results["goals_met"][name]
        lines.append(
            f"| `{name}` | {shown} | {spread(results[section].get('runs', []), key)} | {sense} {goal:g}"
            f" | {'-' if met is None else 'yes' if met else 'no'} |"
        )
    airflow, mix, load = results["airflow"], results["mix"], results["load"]
    lines += ["", "## Where the time goes", ""]
    if airflow.get("runs"):
        # the repeat whose night was the median one (the first of two middles)
        run = sorted(airflow["runs"], key=lambda r: r["night_s"])[(len(airflow["runs"]) - 1) // 2]
        lines += [
            f"The demo's night through Airflow ({results['night_files']} files), its median run:"
            f" {run['night_s']:.1f} s, of which some stage was working {run['night_work_s']:.1f} s"
            f" (ops.run_log); the resubmission night {run['resubmission_s']:.1f} s, working"
            f" {run['resubmission_work_s']:.1f} s; a night without any file (the floor under the"
            f" resubmission: Airflow's start-up, the marts dbt rebuilds every night) {run['empty_night_s']:.1f} s,"
            f" working {run['empty_night_work_s']:.1f} s (share of the night: {spread(airflow['runs'], 'empty_night_share')}).",
            "",
            "| stage (ops.run_log) | calls | busy s | covered s | resubmission: covered s | no file: covered s |",
            "|---|---:|---:|---:|---:|---:|",
            *(
                f"| {stage} | {e['calls']} | {e['busy_s']:.1f} | {e['covered_s']:.1f} |"
                f" {run['resubmission_stages'].get(stage, {}).get('covered_s', 0):.1f} |"
                f" {run['empty_night_stages'].get(stage, {}).get('covered_s', 0):.1f} |"
                for stage, e in run["stages"].items()
            ),
            "",
            "Busy: the sum of the stage's runs (a file's load overlaps the next file's extract);"
            " covered: the time at least one was running.",
            "",
        ]
    lines += [
        f"Ingest of the mix at scale {mix['scale']:g} ({mix['files']} files, {mix['rows_received']:,} rows):"
        f" {mix['ingest_rows_per_second']:,.0f} rows/s in {mix['ingest_s']:.1f} s (medians; ingest"
        f" {spread(mix['runs'], 'ingest_s')} s); raw COPY of the same rows"
        f" {spread(mix['runs'], 'copy_rows_per_second')} rows/s.",
        f"Load bench at {load['rows']:,} household rows (rows/s, each repeat): "
        + "; ".join(
            ", ".join(f"{path} {value:,}" for path, value in run["rows_per_second"].items())
            for run in load["runs"]
        ),
        _dlt_line(results["dlt"]),
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=lambda s: int(float(s)), default=10**6, help="load bench size")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument(
        "--mix-scale", type=float, default=5.0, help="generator scale of the ingest mix (5: ~1M rows)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs of each section; figures are medians")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    parser.add_argument(
        "--without-airflow",
        action="store_true",
        help="skip sections 3-4 (for a quick look; null in latest.json)",
    )
    args = parser.parse_args(argv)
    started, start_load = time.perf_counter(), load_average()
    work = Path(tempfile.mkdtemp(prefix="thanrak-bench-"))
    nights = args.data_dir / "nights"
    try:
        log("load and clean-CSV ingest, each repeat followed by dlt's arrow path on the same rows")
        load, dlt = load_section(args.rows, args.data_dir, 100_000, args.repeats)
        log(f"a night at scale {args.mix_scale:g} in one process (the realistic mix at volume)")
        mix = mix_section(work, generated_landing(nights, args.mix_scale), args.mix_scale, args.repeats)
        demo_landing = generated_landing(nights, 1.0)
        airflow = {"night_s": None, "resubmission_s": None, "skipped": "--without-airflow"}
        if not args.without_airflow:
            log("the demo's night through Airflow, then a resubmission")
            airflow = airflow_section(work, demo_landing, args.repeats)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results = {
        "commit": commit(),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": time.perf_counter() - started,
        "repeats": args.repeats,
        "load_ratio": load["load_ratio"],
        "ingest_ratio_csv": load["ingest_ratio_csv"],
        "ingest_ratio_mix": mix["ingest_ratio"],
        "dlt_ratio": dlt["dlt_ratio"],
        "dlt_ratio_multiple": dlt["dlt_ratio_multiple"],
        "night_s": airflow["night_s"],
        "night_orchestration_share": airflow.get("night_orchestration_share"),
        "resubmission_share": airflow.get("resubmission_share"),
        "night_files": sum(1 for f in demo_landing.rglob("*") if f.is_file()),
        "load_average": [start_load, load_average()],
        "load": load,
        "mix": mix,
        "airflow": airflow,
        "dlt": dlt,
    }
    results["goals_met"] = verdicts(results)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    (args.results_dir / "latest.json").write_text(json.dumps(results, indent=1, default=str) + "\n")
    (args.results_dir / "latest.md").write_text(markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()
