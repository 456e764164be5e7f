"""`make bench`: the measurements of issue 13 in one run, each a ratio or a share against a
baseline measured in the same run, written to bench/results/latest.json and latest.md.

1. **Load and clean-CSV ingest** (bench.run at 10^6 household rows): `load_ratio` is Thanrak's
   load step over raw COPY into a table of raw.bmn_households' shape (the equivalent table);
   `ingest_ratio_csv` is the whole path (discover, extract, validate, load) over raw COPY.
2. **A realistic night, in one process**: the generator's night (76 provinces × 5 datasets:
   CSV in UTF-8 and cp874, XLSX with banners and merged cells, ~1 % bad rows, a few spoilt
   files) through `Stages` (discover, then `process_batch` per province, the DAG's mapped
   work), at `--mix-scale` (default 5, about 10^6 rows). `ingest_ratio_mix` is its rows/s over
   raw COPY of the same accepted rows into copies of the raw tables, measured right after in
   the same database; `ingest_ratio_demo_night` is the same at the demo's scale 1 (~200k rows
   in 380 files, where per-file costs dominate).
3. **The same night through Airflow** (`airflow dags test thanrak_nightly`, as `thanrak demo`
   runs it): `night_s`; `night_orchestration_share` is 1 - (the in-process night: ingest, dbt,
   Data Docs, report, verify) / night_s.
4. **One province resubmitting one file**: the next night through Airflow with one new
   revision; `resubmission_share` is its seconds over night_s.
5. **dlt** (right after section 1, on its files): `dlt_ratio` is dlt's arrow path (each clean
   CSV read with pyarrow into an Arrow table, yielded from a dlt resource, `pipeline.run` to the
   postgres destination, append, loader file format csv: dlt's COPY) over section 1's raw COPY
   rows/s, in a fresh database; `dlt_ratio_multiple` = `ingest_ratio_csv` / `dlt_ratio`.
   dlt is not a dependency: bench/dlt/ makes its own environment (var/bench-dlt-venv, with uv,
   from bench/dlt/requirements.lock) and runs bench/dlt/load.py there. Null, with the reason,
   when that environment cannot be made (no uv, no network).

Every timing has the load average beside it (the machine is shared; compare ratios within a
run). Tests never assert on these numbers.

    .venv/bin/python -m bench.suite            # or: make bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from bench.data import DEFAULT_DATA_DIR, generate
from bench.run import SERVER_URL, fresh_database, run_size, warm_up
from thanrak.contract.declarations import DATASETS, load_contract
from thanrak.demo.generator import generate_night
from thanrak.load.files import LINEAGE
from thanrak.orchestration.runner import run_nightly_dag
from thanrak.pipeline import Stages
from thanrak.settings import PROJECT_ROOT, Settings

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


def log(text: str) -> None:
    print(f"{dt.datetime.now():%H:%M:%S} {text}", file=sys.stderr, flush=True)


def load_average() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def timed(function, *args, **kwargs) -> tuple[object, float]:
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - started


# ---------------------------------------------------------------------------------------------
# 1. Load and clean-CSV ingest


def load_section(rows: int, data_dir: Path, naive_max_rows: int) -> dict:
    data = generate(rows, data_dir / str(rows))
    warm_up(data)
    result = run_size(SERVER_URL, data, naive_max_rows, log)
    by_path = {t.path: t for t in result.timings}
    copy, shaped = by_path["copy"].rows_per_second, by_path["copy_raw_shaped"].rows_per_second
    return {
        "rows": rows,
        "rows_per_second": {path: round(t.rows_per_second) for path, t in by_path.items()},
        "load_ratio": by_path["thanrak_load"].rows_per_second / shaped,
        "load_ratio_to_plain_copy": by_path["thanrak_load"].rows_per_second / copy,
        "ingest_ratio_csv": by_path["thanrak_ingest"].rows_per_second / copy,
        "load_average": [list(result.load_before), list(result.load_after)],
    }


# ---------------------------------------------------------------------------------------------
# 2. A realistic night in one process, and raw COPY of its rows


def in_process_night(url: str, settings: Settings, *, stages_after_ingest: bool) -> dict:
    """The night's stages in this process, each timed, as the DAG runs them (without Airflow);
    only discover and ingest unless `stages_after_ingest`."""
    stages = Stages(url, settings)
    seconds: dict[str, float] = {}
    _, seconds["prepare_warehouse"] = timed(stages.prepare_warehouse)
    batches, seconds["discover"] = timed(stages.discover_by_province, "bench", NIGHT)
    started = time.perf_counter()
    for batch in batches:
        stages.process_batch("bench", NIGHT, batch)
    seconds["ingest"] = time.perf_counter() - started
    for stage in (
        ("observe", "build_marts", "build_data_docs", "write_report", "verify_night")
        if stages_after_ingest
        else ()
    ):
        _, seconds[stage] = timed(getattr(stages, stage), "bench", NIGHT)
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


def night_section(work: Path, scale: float, *, whole_night: bool) -> dict:
    """A generated night at `scale` in one process: its ingest against raw COPY of the rows it
    loaded, and with `whole_night` every later stage too (the in-process twin of the Airflow run)."""
    folder = work / f"in-process-{scale:g}"
    generated, generate_seconds = timed(
        generate_night, Settings.in_folder(folder).landing_dir, NIGHT, scale=scale
    )
    with fresh_database(SERVER_URL, "night") as url:
        before = load_average()
        stages = in_process_night(url, Settings.in_folder(folder, url), stages_after_ingest=whole_night)
        after = load_average()
        with psycopg.connect(url) as conn:
            received, loaded = conn.execute(
                "select sum(rows_received), sum(rows_loaded) from ops.submission where status = 'loaded'"
            ).fetchone()
        copied, copy_seconds = copy_baseline(url)
    if copied != loaded:
        raise RuntimeError(f"COPY baseline holds {copied} rows, the night loaded {loaded}")
    ingest = stages["discover"] + stages["ingest"]
    return {
        "scale": scale,
        "files": len(generated.files),
        "rows_received": int(received),
        "rows_loaded": int(loaded),
        "generate_s": generate_seconds,
        "stages_s": stages,
        "in_process_night_s": sum(stages.values()),
        "ingest_rows_per_second": received / ingest,
        "copy_rows_per_second": copied / copy_seconds,
        "ingest_ratio": (received / ingest) / (copied / copy_seconds),
        "load_average": [before, after],
    }


# ---------------------------------------------------------------------------------------------
# 3-4. Through Airflow: a night, then a resubmission


def airflow_section(work: Path) -> dict:
    with fresh_database(SERVER_URL, "airflow") as url:
        settings = Settings.in_folder(work / "airflow", url)
        generate_night(settings.landing_dir, NIGHT)
        before = load_average()
        log_path, night_s = timed(run_nightly_dag, settings, url, NIGHT)
        province, dataset = RESUBMITTED
        after_night = load_average()
        next_night = NIGHT + dt.timedelta(days=1)
        generate_night(
            settings.landing_dir, next_night, provinces=[province], datasets=(dataset,), file_defects=0
        )
        _, resubmission_s = timed(run_nightly_dag, settings, url, next_night)
        with psycopg.connect(url) as conn:
            revisions = conn.execute(
                "select count(*) from ops.submission where province_code = %s and dataset = %s and night = %s",
                (province, dataset, next_night),
            ).fetchone()[0]
        if revisions != 1:
            raise RuntimeError(
                f"the resubmission night processed {revisions} files of {province} {dataset}, not 1"
            )
        return {
            "night_s": night_s,
            "resubmission_s": resubmission_s,
            "airflow_log": str(log_path),
            "load_average": [before, after_night, load_average()],
        }


# ---------------------------------------------------------------------------------------------
# 5. dlt


def dlt_section(load: dict, data_dir: Path) -> dict:
    """dlt's arrow path on the load bench's files (section 1's, reused) in a fresh database,
    over section 1's raw COPY rows/s; `dlt_ratio` null, with the reason, when dlt's own
    environment cannot be made. Raises unless dlt's table holds every row."""
    from bench.dlt import DltUnavailable, run_dlt, venv_python
    from bench.run import checkpoint

    try:
        python = venv_python()
    except DltUnavailable as reason:
        return {"dlt_ratio": None, "reason": str(reason)}
    data = generate(load["rows"], data_dir / str(load["rows"]))
    copy_rows_per_second = load["rows_per_second"]["copy"]
    with fresh_database(SERVER_URL, "dlt") as url:
        checkpoint(url)
        before = load_average()
        loaded = run_dlt(url, data, python)
        after = load_average()
    # Diagnostic, not the goal's: the same without dlt's default gzip of its intermediate files.
    with fresh_database(SERVER_URL, "dlt") as url:
        checkpoint(url)
        plain = run_dlt(url, data, python, compression=False)
    plain_ratio = plain["rows"] / plain["seconds"] / copy_rows_per_second
    rows_per_second = loaded["rows"] / loaded["seconds"]
    return {
        "rows": loaded["rows"],
        "seconds": loaded["seconds"],
        "rows_per_second": rows_per_second,
        "copy_rows_per_second": copy_rows_per_second,
        "dlt_ratio": rows_per_second / copy_rows_per_second,
        "steps_s": loaded["steps_s"],
        "loader_file_format": loaded["loader_file_format"],
        "path": "each clean CSV read with pyarrow.csv, yielded from a dlt resource (append),"
        f" pipeline.run(loader_file_format={loaded['loader_file_format']!r}) to postgres",
        "dlt_version": loaded["dlt_version"],
        "pyarrow_version": loaded["pyarrow_version"],
        "load_average": [before, after, load_average()],
        "uncompressed": {
            "seconds": plain["seconds"],
            "rows_per_second": plain["rows"] / plain["seconds"],
            "dlt_ratio": plain_ratio,
            "dlt_ratio_multiple": dlt_ratio_multiple(load["ingest_ratio_csv"], plain_ratio),
            "steps_s": plain["steps_s"],
            "note": "diagnostic: DATA_WRITER__DISABLE_COMPRESSION=true (dlt gzips its files by default)",
        },
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
    return (
        f"dlt {dlt['dlt_version']} (Arrow tables, loader file format {dlt['loader_file_format']})"
        f" on the same {dlt['rows']:,} rows:"
        f" {dlt['rows_per_second']:,.0f} rows/s in {dlt['seconds']:.1f} s; raw COPY"
        f" {dlt['copy_rows_per_second']:,.0f} rows/s (dlt_ratio {dlt['dlt_ratio']:.3f}). Without dlt's"
        f" default gzip of its intermediate files (diagnostic): {dlt['uncompressed']['rows_per_second']:,.0f}"
        f" rows/s (ratio {dlt['uncompressed']['dlt_ratio']:.3f}, multiple"
        f" {dlt['uncompressed']['dlt_ratio_multiple']:.2f})."
    )


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


def markdown(results: dict) -> str:
    lines = [
        f"# Bench {results['finished'][:10]} at {results['commit']}",
        "",
        f"`make bench` ({results['seconds']:.0f} s). Load average at the start {results['load_average'][0]},"
        f" at the end {results['load_average'][1]} (2 cores: above 2 the machine was shared).",
        "",
        "| measure | value | goal | met |",
        "|---|---:|---|---|",
    ]
    for name, (sense, goal) in GOALS.items():
        value = results.get(name)
        shown = "null" if value is None else (f"{value:.1f}" if name.endswith("_s") else f"{value:.3f}")
        met = results["goals_met"][name]
        lines.append(
            f"| `{name}` | {shown} | {sense} {goal:g} | {'-' if met is None else 'yes' if met else 'no'} |"
        )
    night, mix = results["night"], results["mix"]
    lines += [
        "",
        "## Where the time goes",
        "",
        f"A night of {night['files']} files, {night['rows_received']:,} rows ({night['rows_loaded']:,} loaded):"
        f" {results['night_s'] or 0:.1f} s through Airflow (0: not run), {night['in_process_night_s']:.1f} s in one process.",
        "",
        "| in-process stage | seconds |",
        "|---|---:|",
        *(f"| {stage} | {seconds:.1f} |" for stage, seconds in night["stages_s"].items()),
        "",
        f"Ingest of the demo night: {night['ingest_rows_per_second']:,.0f} rows/s; raw COPY of the same rows:"
        f" {night['copy_rows_per_second']:,.0f} rows/s (ratio {night['ingest_ratio']:.3f}: small files, per-file"
        " costs dominate).",
        f"Ingest of the mix at scale {mix['scale']:g} ({mix['files']} files, {mix['rows_received']:,} rows):"
        f" {mix['ingest_rows_per_second']:,.0f} rows/s; raw COPY of the same rows {mix['copy_rows_per_second']:,.0f}"
        f" rows/s; in {mix['stages_s']['ingest']:.1f} s.",
        f"Load bench at {results['load']['rows']:,} household rows (rows/s): "
        + ", ".join(f"{path} {value:,}" for path, value in results["load"]["rows_per_second"].items()),
        _dlt_line(results["dlt"]),
    ]
    return "\n".join(lines) + "\n"


def _share(whole: float | None, part: float | None, *, complement: bool = False) -> float | None:
    if whole is None or part is None:
        return None
    return 1 - part / whole if complement else part / whole


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=lambda s: int(float(s)), default=10**6, help="load bench size")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument(
        "--mix-scale", type=float, default=5.0, help="generator scale of the ingest mix (5: ~1M rows)"
    )
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    parser.add_argument(
        "--without-airflow",
        action="store_true",
        help="skip sections 3-4 (for a quick look; null in latest.json)",
    )
    args = parser.parse_args(argv)
    started, start_load = time.perf_counter(), load_average()
    work = Path(tempfile.mkdtemp(prefix="thanrak-bench-"))
    try:
        log("load and clean-CSV ingest")
        load = load_section(args.rows, args.data_dir, naive_max_rows=100_000)
        log("dlt's arrow path on the same rows")
        dlt = dlt_section(load, args.data_dir)
        log("the demo night in one process")
        night = night_section(work, 1.0, whole_night=True)
        log(f"a night at scale {args.mix_scale:g} in one process (the realistic mix at volume)")
        mix = night_section(work, args.mix_scale, whole_night=False)
        airflow = {"night_s": None, "resubmission_s": None, "skipped": "--without-airflow"}
        if not args.without_airflow:
            log("the night through Airflow, then a resubmission")
            airflow = airflow_section(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results = {
        "commit": commit(),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": time.perf_counter() - started,
        "load_ratio": load["load_ratio"],
        "ingest_ratio_csv": load["ingest_ratio_csv"],
        "ingest_ratio_mix": mix["ingest_ratio"],
        "ingest_ratio_demo_night": night["ingest_ratio"],
        "dlt_ratio": dlt["dlt_ratio"],
        "dlt_ratio_multiple": dlt_ratio_multiple(load["ingest_ratio_csv"], dlt["dlt_ratio"]),
        "night_s": airflow["night_s"],
        "night_orchestration_share": _share(airflow["night_s"], night["in_process_night_s"], complement=True),
        "resubmission_share": _share(airflow["night_s"], airflow["resubmission_s"]),
        "load_average": [start_load, load_average()],
        "load": load,
        "night": night,
        "mix": mix,
        "airflow": airflow,
        "dlt": dlt,
    }
    results["goals_met"] = verdicts(results)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    (args.results_dir / "latest.json").write_text(json.dumps(results, indent=1) + "\n")
    (args.results_dir / "latest.md").write_text(markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()
