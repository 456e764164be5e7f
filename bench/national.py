"""Issue 14: a national household-survey year (จปฐ., bmn_households) from the provinces' files to
every mart built and tested, the next night's resubmission of one province, and the dashboard
queries right after the build, with the baselines measured in the same run.

    python -m bench.national --scale 1          # national: 12.8 M households; or make bench-national
    python -m bench.national --scale 0.01       # a quick look

1. **The year** (not timed against the goals: the survey arrives in a warehouse that already holds
   the fiscal year). A new database, migrated, reference data loaded; a fiscal year of the other
   four datasets at `--scale` of national size put straight into raw.* with their ops.submission
   and dq rows (bench.bi_latency's generator, without the survey), then a night's build (the
   first: every node).
2. **The survey files** (generation timed apart, not part of the goals): one file per CDD province
   of survey year 2569, sizes proportional to the province's tambons, and one file per province
   of the previous survey year holding `--previous-year-share` of the same households (same
   hashes, other answers), written as provinces send them (Thai headers, ผ่าน/ไม่ผ่าน) into a
   landing folder `<province>/bmn_households/<YYYY-MM>/…`, each with its clean twin for COPY.
3. **The survey night**: `ingest_s` is the nightly path (discover, then Stages.process_batch per
   province, bench.run.nightly_ingest) over every file; rows received = loaded + quarantined is
   checked in ops.submission and in the tables. `dbt_s` is the night's build as the DAG's
   build_marts runs it (Stages.build_marts: night_selection, then build_marts, logged), every
   node of the selection and its tests; per-node times from dbt's run_results.json.
   `files_to_marts_s` = ingest_s + dbt_s (the bench runs nothing in between).
4. **The queries** of docs/bi-queries.sql, right after that build, as a LOGIN member of bi_reader:
   cold (first run in a new session, the OS page cache dropped when root) and `--runs` warm runs
   (median and p95). No VACUUM or ANALYZE by the bench: marts' pg_stat_user_tables are recorded.
5. **The next night**: one province's survey file sent again (a new revision, some rows changed),
   ingest + the night's selected build = `resubmission_s`; checked in the marts.
6. **Baselines**: raw COPY of the same survey rows (the clean twins) as bench.run measures it
   (`copy_rows_per_s`, a logged table, in a database of its own), and one full read of
   marts.fct_bmn_household (`full_scan_s`).

Writes bench/results/national-<date>.json and .md (`-scale-<s>` added below national scale).
The databases and the login role are dropped at the end, also after an error (not when the
process is killed: then drop the `thanrak_bench_national_*` databases by hand).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.compute as pc

from bench.bi_latency import (
    BASELINES,
    HOUSEHOLDS,
    PREVIOUS_SURVEY_PERIOD,
    QUERY_FILE,
    SURVEY_PERIOD,
    Warehouse,
    bench_database,
    bi_queries,
    explain,
    reader_login,
    time_query,
)
from bench.bi_latency import generate as generate_year
from bench.data import (
    DATASET,
    BenchFile,
    cdd_provinces,
    households,
    previous_survey,
    revised,
    tambon_codes,
    write_clean,
    write_provincial,
)
from bench.run import (
    SERVER_URL,
    checkpoint,
    code_state,
    fresh_warehouse,
    machine_facts,
    nightly_ingest,
    run_copy,
)
from thanrak.contract.declarations import load_contract
from thanrak.nights import BANGKOK_TZ
from thanrak.pipeline import Stages
from thanrak.settings import PROJECT_ROOT, Settings

RESULTS_DIR = Path(__file__).parent / "results"
DEFAULT_DATA_DIR = PROJECT_ROOT / "var" / "bench" / "national"
SURVEY_YEAR, PREVIOUS_SURVEY_YEAR = 2569, 2568
GOALS = {  # issue 14, at national scale (--scale 1)
    "files_to_marts_s": ("<=", 360.0),
    "ingest_s": ("<=", 120.0),
    "dbt_s": ("<=", 240.0),
    "resubmission_share": ("<=", 0.10),
    "queries_warm_p95_max_s": ("<=", 0.200),
    "queries_cold_max_s": ("<=", 1.0),
}
QUERY_GOALS = {"warm_p95_s": 0.200, "cold_s": 1.0}  # each query
RUN_IDS = {"year": "national-year", "survey": "national-survey", "resubmission": "national-resubmission"}
CODE_FOLDERS = (
    "plugins", "dbt_project", "contracts", "expectations", "docs/bi-queries.sql", "bench", ":(exclude)bench/results",
)  # fmt: skip
OK_STATUSES = {"success", "pass", "no-op"}


def load_average() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of the values at or below it (p95 of
    five runs is the slowest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


# ---------------------------------------------------------------------------------------------
# The survey files


def province_households(total: int) -> dict[str, int]:
    """`total` households over the CDD provinces in proportion to their tambons (geothai, as
    ref.tambon holds them; a stand-in for DOPA's household counts, which are not in the tree),
    largest remainders rounded up, at least one per province."""
    tambons = {p: len(tambon_codes(p)) for p in cdd_provinces()}
    whole = sum(tambons.values())
    exact = {p: total * n / whole for p, n in tambons.items()}
    sizes = {p: max(1, math.floor(x)) for p, x in exact.items()}
    for p in sorted(exact, key=lambda p: exact[p] - math.floor(exact[p]), reverse=True):
        if sum(sizes.values()) >= total:
            break
        sizes[p] += 1
    return sizes


@dataclass
class SurveyFiles:
    """The survey's files in the landing folder, with their clean twins, and what the resubmission
    and the checks need of them."""

    landing: Path
    files: list[BenchFile]  # both survey years, in province order
    households: int  # rows of the survey year's files
    previous_households: int  # rows of the previous survey year's files
    resubmitted: str  # the province whose file is sent again the next night
    resubmitted_table: pa.Table  # its survey-year rows, as first sent
    resubmitted_previous: pa.Array  # the hashes of its households surveyed the year before
    bytes_provincial: int
    bytes_clean: int

    @property
    def rows(self) -> int:
        return self.households + self.previous_households


def survey_key(province: str, period: str, year: int) -> str:
    return f"{province}/{DATASET}/{period}/bmn_{province}_{year}.csv"


def write_survey(
    folder: Path, sizes: dict[str, int], previous_share: float, resubmitted: str, seed: int
) -> SurveyFiles:
    """Every province's two files (survey year, previous survey year) and their clean twins."""
    contract = load_contract(DATASET)
    files: list[BenchFile] = []
    counts = {"current": 0, "previous": 0}
    kept: dict[str, object] = {}
    for index, (province, size) in enumerate(sorted(sizes.items())):
        rng = np.random.default_rng([seed, index])
        table = households(rng, tambon_codes(province), size, contract)
        earlier = previous_survey(rng, table, previous_share)
        for rows, period, year, kind in (
            (table, SURVEY_PERIOD, SURVEY_YEAR, "current"),
            (earlier, PREVIOUS_SURVEY_PERIOD, PREVIOUS_SURVEY_YEAR, "previous"),
        ):
            if rows.num_rows == 0:  # a tiny province at a tiny scale: no re-surveyed household
                continue
            key = survey_key(province, period, year)
            bench_file = BenchFile(
                province,
                rows.num_rows,
                key,
                folder / "landing" / key,
                folder / "clean" / f"{province}_{year}.csv",
            )
            write_provincial(rows, bench_file.landing_path, contract)
            write_clean(rows, bench_file.clean_path)
            files.append(bench_file)
            counts[kind] += rows.num_rows
        if province == resubmitted:
            kept = {"table": table, "previous": earlier["household_hash"]}
    return SurveyFiles(
        folder / "landing",
        files,
        counts["current"],
        counts["previous"],
        resubmitted,
        kept["table"],
        kept["previous"],
        sum(f.landing_path.stat().st_size for f in files),
        sum(f.clean_path.stat().st_size for f in files),
    )


# ---------------------------------------------------------------------------------------------
# A night


def reconcile(url: str, night: dt.date, files: int, rows: int) -> dict:
    """The night's books: every file closed as loaded, rows received = the files' rows = loaded +
    quarantined, and the tables hold them (raw.bmn_households, quarantine.row). Raises otherwise,
    and when any row was quarantined: the generated rows are valid, so a quarantined row means the
    contract and the generator disagree, and the marts would hold less than the survey."""
    with psycopg.connect(url) as conn:
        books = conn.execute(
            """select count(*), count(*) filter (where status = 'loaded'),
                      coalesce(sum(rows_received), 0), coalesce(sum(rows_loaded), 0),
                      coalesce(sum(rows_quarantined), 0)
               from ops.submission where night = %s and dataset = %s""",
            (night, DATASET),
        ).fetchone()
        in_raw = conn.execute(
            f"""select count(*) from raw.{DATASET} r join ops.submission s using (submission_id)
                where s.night = %s""",
            (night,),
        ).fetchone()[0]
        in_quarantine = conn.execute(
            """select count(*) from quarantine.row q join ops.submission s using (submission_id)
               where s.night = %s""",
            (night,),
        ).fetchone()[0]
    result = dict(
        zip(("files", "files_loaded", "received", "loaded", "quarantined"), map(int, books), strict=True),
        expected_files=files,
        expected_rows=rows,
        raw_rows=in_raw,
        quarantine_rows=in_quarantine,
    )
    problems = [
        f"{result['files']} files registered, {files} written" * (result["files"] != files),
        f"{result['files_loaded']} of {result['files']} files loaded" * (result["files_loaded"] != files),
        f"{result['received']} rows received, {rows} written" * (result["received"] != rows),
        "received != loaded + quarantined" * (result["received"] != result["loaded"] + result["quarantined"]),
        f"raw holds {in_raw} rows, the manifest says {result['loaded']}" * (in_raw != result["loaded"]),
        f"quarantine holds {in_quarantine}, the manifest says {result['quarantined']}"
        * (in_quarantine != result["quarantined"]),
        f"{result['quarantined']} generated rows quarantined" * (result["quarantined"] > 0),
    ]
    if any(problems):
        raise RuntimeError(f"night {night}: " + "; ".join(p for p in problems if p))
    return result


def dbt_nodes(target: Path, since: float) -> list[dict]:
    """Every node of the last dbt invocation (run_results.json, which must be newer than `since`):
    name, kind, status, seconds."""
    path = target / "run_results.json"
    if path.stat().st_mtime < since:
        raise RuntimeError(f"{path} is older than the build: dbt did not write its results")
    nodes = []
    for r in json.loads(path.read_text())["results"]:
        kind, _, *name = r["unique_id"].split(".")
        nodes.append(
            {
                "name": name[0] if kind == "test" else ".".join(name),  # a generic test's hash dropped
                "kind": kind,
                "status": r["status"],
                "seconds": round(r["execution_time"], 3),
            }
        )
    return nodes


def night_build(stages: Stages, run_id: str, night: dt.date) -> dict:
    """The night's dbt build as the DAG's build_marts task runs it; raises when a node fails."""
    wall_started = time.time()
    started = time.perf_counter()
    built = stages.build_marts(run_id, night)
    seconds = time.perf_counter() - started
    nodes = dbt_nodes(stages.settings.dbt_target_dir, wall_started)
    kinds: dict[str, int] = {}
    for node in nodes:
        kinds[node["kind"]] = kinds.get(node["kind"], 0) + 1
    return {
        "seconds": seconds,
        "selection": built["selection"],
        "nodes": len(nodes),
        "nodes_by_kind": kinds,
        "node_seconds_sum": round(sum(n["seconds"] for n in nodes), 1),  # two threads: may exceed the wall
        "not_ok": [n for n in nodes if n["status"] not in OK_STATUSES],
        "models": sorted(n["name"] for n in nodes if n["kind"] in ("model", "seed")),
        "slowest": sorted(nodes, key=lambda n: -n["seconds"])[:10],
        "started_at": dt.datetime.fromtimestamp(wall_started, dt.UTC),
    }


def ingest(stages: Stages, run_id: str, night: dt.date, workers: int) -> dict:
    done = nightly_ingest(stages, run_id, night, workers)
    failed = [i.submission.key for i in done.items if i.loaded is None or i.loaded.status != "loaded"]
    if failed:
        raise RuntimeError(f"night {night}: files not loaded: {failed[:5]}")
    return {
        "seconds": done.whole.seconds,
        "discover_s": done.discover.seconds,
        "steps_busy_s": done.busy_s,
        "client_cpu_s": done.whole.cpu_seconds,
        "files": len(done.items),
    }


# ---------------------------------------------------------------------------------------------
# Checks in the marts


def survey_in_marts(url: str, survey: SurveyFiles) -> dict:
    """After the survey night: the household fact holds every household of both survey years, and
    every re-surveyed household has its transition."""
    with psycopg.connect(url) as conn:
        (facts,) = conn.execute("select count(*) from marts.fct_bmn_household").fetchone()
        (transitions,) = conn.execute("select count(*) from marts.fct_poverty_transitions").fetchone()
    result = {
        "fct_bmn_household": facts,
        "expected_fct_bmn_household": survey.rows,
        "fct_poverty_transitions": transitions,
        "expected_fct_poverty_transitions": survey.previous_households,
    }
    if facts != survey.rows or transitions != survey.previous_households:
        raise RuntimeError(f"the survey did not reach the marts as sent: {result}")
    return result


def resubmission_in_marts(url: str, survey: SurveyFiles, revision: pa.Table, night: dt.date) -> dict:
    """After the resubmission night: the province's survey-year households in the fact are the new
    revision's, all of them, with its incomes; its transitions end at the new incomes."""
    province = survey.resubmitted
    with psycopg.connect(url) as conn:
        submission_id, rev = conn.execute(
            "select submission_id, revision from ops.submission where night = %s and province_code = %s",
            (night, province),
        ).fetchone()
        rows, of_revision, income = conn.execute(
            """select count(*), count(*) filter (where submission_id = %s), sum(income_per_person_baht)
               from marts.fct_bmn_household where province_code = %s and period = %s""",
            (submission_id, province, SURVEY_PERIOD),
        ).fetchone()
        pairs, to_income = conn.execute(
            """select count(*), sum(to_income_per_person_baht) from marts.fct_poverty_transitions
               where province_code = %s""",
            (province,),
        ).fetchone()
    followed = pc.is_in(revision["household_hash"], value_set=survey.resubmitted_previous)
    expected_to_income = pc.sum(pc.filter(revision["income_per_person_baht"], followed)).as_py()
    result = {
        "province": province,
        "revision": rev,
        "fct_bmn_household_rows": rows,
        "fct_bmn_household_rows_of_new_revision": of_revision,
        "expected_rows": revision.num_rows,
        "income_sum": str(income),
        "expected_income_sum": str(pc.sum(revision["income_per_person_baht"]).as_py()),
        "fct_poverty_transitions_rows": pairs,
        "expected_transitions": len(survey.resubmitted_previous),
        "to_income_sum": str(to_income),
        "expected_to_income_sum": str(expected_to_income or Decimal(0)),
    }
    result["reached_marts"] = (
        rev == 2
        and rows == of_revision == revision.num_rows
        and result["income_sum"] == result["expected_income_sum"]
        and pairs == result["expected_transitions"]
        and Decimal(result["to_income_sum"] if to_income is not None else 0)
        == Decimal(result["expected_to_income_sum"])
    )
    if not result["reached_marts"]:
        raise RuntimeError(f"the resubmitted file did not reach the marts as sent: {result}")
    return result


def marts_statistics(url: str, build: dict) -> dict:
    """pg_stat_user_tables of the marts right before the queries: when each was last analysed, by
    ANALYZE (the build's) or by autovacuum; which of the tables the night's build made were
    analysed since it began, and which not."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """select relname, last_analyze, last_autoanalyze, n_live_tup, n_mod_since_analyze
               from pg_stat_user_tables where schemaname = 'marts' order by relname"""
        ).fetchall()
    tables = {
        name: {"last_analyze": a, "last_autoanalyze": auto, "n_live_tup": live, "n_mod_since_analyze": mod}
        for name, a, auto, live, mod in rows
    }
    started = build["started_at"]

    def fresh(table: dict) -> bool:
        return any(table[k] and table[k] >= started for k in ("last_analyze", "last_autoanalyze"))

    built = [n for n in tables if n in build["models"]]
    return {
        "tables": tables,
        "built_by_the_night": built,
        "built_and_analyzed": [n for n in built if fresh(tables[n])],
        "built_not_analyzed": [n for n in built if not fresh(tables[n])],
        "autoanalyzed_since_build_start": [
            n for n, t in tables.items() if t["last_autoanalyze"] and t["last_autoanalyze"] >= started
        ],
        "never_analyzed": [
            n for n, t in tables.items() if not t["last_analyze"] and not t["last_autoanalyze"]
        ],
    }


# ---------------------------------------------------------------------------------------------
# Queries


def time_queries(
    url: str, queries: dict[str, str], args: argparse.Namespace, log: Callable[[str], None]
) -> tuple[dict, dict, str]:
    """Every query of docs/bi-queries.sql and the full-scan baseline as a LOGIN member of bi_reader."""
    cold = not args.no_cold
    results: dict[str, dict] = {}
    with reader_login(url) as connect:
        for name, query in {"baseline: full scan": BASELINES["baseline: full scan"], **queries}.items():
            t = time_query(connect, query, args.runs, cold, drop_caches=not args.no_drop_caches)
            results[name] = {
                "cold_s": t.get("cold_s"),
                "warm_s": t["warm_median_s"],
                "warm_p95_s": percentile(t["warm_s"], 0.95),
                "warm_runs_s": t["warm_s"],
                "rows": t["rows"],
                "cold_caches_dropped": t.get("cold_caches_dropped", False),
            }
            log(f"  {name}: cold {t.get('cold_s') or float('nan'):.3f} s, warm {t['warm_median_s']:.3f} s")
        slowest = max(queries, key=lambda n: results[n]["warm_s"])
        plan = explain(connect, queries[slowest])
    full_scan = results.pop("baseline: full scan")
    return results, full_scan, f"{slowest}\n{plan}"


def committed(path: Path) -> str:
    """The file as committed at HEAD."""
    relative = path.relative_to(PROJECT_ROOT).as_posix()
    return subprocess.run(
        ["git", "show", f"HEAD:{relative}"], cwd=PROJECT_ROOT, capture_output=True, check=True, text=True
    ).stdout


def snapshot_dbt_project(work: Path, source: str) -> tuple[Path, dict]:
    """A copy of the dbt project for the whole run: as committed (`head`) or as the working tree
    is now (`tree`). Others edit the project while the bench runs; a change between two builds
    would make the next night's build a full one, and a half-made change breaks the build."""
    target = work / "dbt_project"
    if source == "head":
        archive = subprocess.run(
            ["git", "archive", "--format=tar", "HEAD", "dbt_project"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            check=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(work, filter="data")
    else:
        shutil.copytree(
            PROJECT_ROOT / "dbt_project",
            target,
            ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"),
        )
    state = code_state(("dbt_project", "docs/bi-queries.sql"))
    return target, {
        "from": f"commit {state['commit']}" if source == "head" else "working tree",
        "uncommitted_in_tree": state["uncommitted"],
        "queries": "docs/bi-queries.sql " + ("as committed" if source == "head" else "of the working tree"),
    }


# ---------------------------------------------------------------------------------------------
# The run


def run(args: argparse.Namespace, log: Callable[[str], None]) -> dict:
    result: dict = {
        "scale": args.scale,
        "ingest_workers": args.workers,
        "runs": args.runs,
        "previous_year_share": args.previous_year_share,
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    load = {"before": load_average()}
    sizes = province_households(round(HOUSEHOLDS * args.scale))
    resubmitted = args.resubmit_province or max(sizes, key=lambda p: (sizes[p], p))
    if resubmitted not in sizes:
        raise SystemExit(
            f"--resubmit-province {resubmitted}: not a CDD province ({', '.join(sorted(sizes))})"
        )
    today = dt.datetime.now(BANGKOK_TZ).date()
    nights = {
        "year": today - dt.timedelta(days=1),
        "survey": today,
        "resubmission": today + dt.timedelta(days=1),
    }
    args.data_dir.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"scale-{args.scale:g}-", dir=args.data_dir))
    try:
        dbt_project, result["dbt_project"] = snapshot_dbt_project(work, args.dbt_project)
        queries = bi_queries(committed(QUERY_FILE) if args.dbt_project == "head" else None)
        log(f"generating the survey files: {sum(sizes.values()):,} households in {len(sizes)} provinces")
        started = time.perf_counter()
        survey = write_survey(work / "survey", sizes, args.previous_year_share, resubmitted, args.seed)
        result["generate_s"] = time.perf_counter() - started
        result["survey"] = {
            "files": len(survey.files),
            "households": survey.households,
            "previous_year_households": survey.previous_households,
            "rows": survey.rows,
            "largest_file_rows": max(f.rows for f in survey.files),
            "smallest_file_rows": min(f.rows for f in survey.files),
            "bytes_as_sent": survey.bytes_provincial,
            "bytes_clean": survey.bytes_clean,
            "periods": {str(SURVEY_YEAR): SURVEY_PERIOD, str(PREVIOUS_SURVEY_YEAR): PREVIOUS_SURVEY_PERIOD},
        }
        log(f"  {len(survey.files)} files, {survey.rows:,} rows in {result['generate_s']:.1f} s")

        # Baseline: raw COPY of the same rows, in a database of its own (bench.run's plain table).
        with fresh_warehouse(args.server_url, "national_copy") as copy_url:
            checkpoint(copy_url)
            copied = run_copy(copy_url, tuple(survey.files))
            copy_database = copy_url.rsplit("/", 1)[1]
        result["copy_rows_per_s"] = copied.rows_per_second
        result["copy"] = {
            "database": copy_database,
            "rows": copied.rows,
            "seconds": copied.seconds,
            "how": "bench.run.run_copy: each clean twin's bytes streamed into COPY ... FROM STDIN (FORMAT "
            "csv), one transaction per file, after a checkpoint, into a logged table with the "
            "contract's columns, types and NOT NULLs and nothing else (no key, no lineage), in a "
            "database of its own on the same server",
        }
        log(f"raw COPY of the survey rows: {copied.rows_per_second:,.0f} rows/s ({copied.seconds:.1f} s)")

        with bench_database(args.server_url, args.keep_database, tag="national") as url:
            result["database"] = url.rsplit("/", 1)[1]
            settings = dataclasses.replace(
                Settings.in_folder(work / "var", url), landing_dir=survey.landing, dbt_project_dir=dbt_project
            )
            stages = Stages(url, settings)
            started = time.perf_counter()
            stages.prepare_warehouse()
            wh = Warehouse(url, args.scale)
            generate_year(wh, log, 0.0, survey=False)
            year_raw_s = time.perf_counter() - started
            log(f"the year's other datasets in raw.* ({year_raw_s:.0f} s); its first build (untimed)")
            year_build = night_build(stages, RUN_IDS["year"], nights["year"])
            result["year"] = {
                "note": "not timed against the goals: the survey arrives in a warehouse that already "
                "holds the fiscal year's other datasets, built",
                "raw_rows": wh.rows,
                "migrate_and_copy_s": year_raw_s,
                "build_s": year_build["seconds"],
                "build_selection": year_build["selection"],
                "build_nodes": year_build["nodes"],
            }
            log(f"  year built in {year_build['seconds']:.0f} s ({year_build['nodes']} nodes)")

            # The survey night.
            checkpoint(url)
            load["before_night"] = load_average()
            log("the survey night: ingest")
            night = ingest(stages, RUN_IDS["survey"], nights["survey"], args.workers)
            result["ingest_s"] = night["seconds"]
            result["ingest"] = {**night, "rows_per_s": survey.rows / night["seconds"]}
            result["ingest_ratio_to_copy"] = result["ingest"]["rows_per_s"] / result["copy_rows_per_s"]
            result["rows"] = reconcile(url, nights["survey"], len(survey.files), survey.rows)
            log(f"  ingest {night['seconds']:.1f} s; the night's dbt build")
            build = night_build(stages, RUN_IDS["survey"], nights["survey"])
            result["dbt_s"] = build["seconds"]
            result["dbt"] = build
            result["files_to_marts_s"] = result["ingest_s"] + result["dbt_s"]
            result["between_ingest_and_dbt"] = {}  # the bench runs nothing there; see marts_statistics
            log(f"  dbt {build['seconds']:.1f} s ({build['nodes']} nodes, selection {build['selection']})")
            result["marts_statistics"] = marts_statistics(url, build)
            result["survey_in_marts"] = survey_in_marts(url, survey)

            log("the queries as bi_reader, right after the build")
            result["queries"], result["full_scan"], result["slowest_query_plan"] = time_queries(
                url, queries, args, log
            )
            result["full_scan_s"] = result["full_scan"]["warm_s"]

            # The next night: one province's survey file again, some rows corrected.
            revision, changed = revised(
                np.random.default_rng([args.seed, 14]), survey.resubmitted_table, args.resubmit_share
            )
            key = survey_key(resubmitted, SURVEY_PERIOD, SURVEY_YEAR)
            write_provincial(revision, survey.landing / key, load_contract(DATASET))
            checkpoint(url)  # hours pass between two nights
            log(f"the next night: {key} again ({changed:,} of {revision.num_rows:,} rows changed)")
            again = ingest(stages, RUN_IDS["resubmission"], nights["resubmission"], args.workers)
            books = reconcile(url, nights["resubmission"], 1, revision.num_rows)
            rebuild = night_build(stages, RUN_IDS["resubmission"], nights["resubmission"])
            result["resubmission_s"] = again["seconds"] + rebuild["seconds"]
            result["resubmission_share"] = result["resubmission_s"] / result["files_to_marts_s"]
            result["resubmission"] = {
                "province": resubmitted,
                "chosen": "--resubmit-province" if args.resubmit_province else "the largest province",
                "rows": revision.num_rows,
                "rows_changed": changed,
                "ingest_s": again["seconds"],
                "ingest": again,
                "rows_books": books,
                "dbt_s": rebuild["seconds"],
                "dbt": rebuild,
                "in_marts": resubmission_in_marts(url, survey, revision, nights["resubmission"]),
            }
            log(
                f"  resubmission {result['resubmission_s']:.1f} s (ingest {again['seconds']:.1f}, dbt {rebuild['seconds']:.1f})"
            )
    finally:
        if not args.keep_data:
            shutil.rmtree(work, ignore_errors=True)
    load["after"] = load_average()
    result["load_average"] = load
    return result


def summarise(result: dict) -> dict:
    """The goals' values and verdicts."""
    queries = result["queries"]
    colds = [q["cold_s"] for q in queries.values() if q["cold_s"] is not None]
    slowest_warm = max(queries, key=lambda n: queries[n]["warm_p95_s"])
    result["queries_warm_p95_max_s"] = queries[slowest_warm]["warm_p95_s"]
    result["queries_warm_p95_max_query"] = slowest_warm
    result["queries_cold_max_s"] = max(colds) if len(colds) == len(queries) else None
    result["queries_cold_max_query"] = (
        max(queries, key=lambda n: queries[n]["cold_s"]) if result["queries_cold_max_s"] is not None else None
    )
    result["goals"] = {}
    for name, (sense, goal) in GOALS.items():
        value = result.get(name)
        met = None if value is None else (value <= goal if sense == "<=" else value >= goal)
        result["goals"][name] = {"goal": f"{sense} {goal:g}", "value": value, "met": met}
    return result


# ---------------------------------------------------------------------------------------------
# Report


def _s(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _met(met: bool | None) -> str:
    return "–" if met is None else "met" if met else "**not met**"


def markdown(result: dict, facts: dict) -> str:
    pg, code = facts["postgresql"], facts["code"]
    from_head = result["dbt_project"]["from"].startswith("commit")
    measured = [
        f
        for f in code["uncommitted"]
        if not (from_head and f.startswith(("dbt_project/", "docs/bi-queries.sql")))
    ]
    survey, rows, build = result["survey"], result["rows"], result["dbt"]
    resub, stats = result["resubmission"], result["marts_statistics"]
    labels = {
        "files_to_marts_s": "files to every mart built and tested (ingest + dbt), s",
        "ingest_s": "ingest (discover + process_batch per province), s",
        "dbt_s": "the night's dbt build (selection and its tests), s",
        "resubmission_share": "next night, one province resubmitted ÷ files to marts",
        "queries_warm_p95_max_s": "slowest query's warm p95, s",
        "queries_cold_max_s": "slowest query cold, s",
    }
    lines = [
        f"# National survey year, {result['finished'][:10]} (scale {result['scale']:g})",
        "",
        f"Command: `{result['command']}` ({result['wall_s'] / 60:.1f} min). How to read this:"
        " `bench/README.md` (National survey year).",
        "",
        f"Machine: {facts['nproc']} CPUs ({facts['cpu']}), {facts['ram_gib']} GiB RAM; PostgreSQL "
        f"{pg['server_version']} on the same machine (shared_buffers {pg['shared_buffers']}, work_mem "
        f"{result['postgresql']['work_mem']}, max_parallel_workers_per_gather "
        f"{result['postgresql']['max_parallel_workers_per_gather']}). Load average (1, 5, 15 min) at the "
        f"start {result['load_average']['before']}, before the survey night "
        f"{result['load_average']['before_night']}, at the end {result['load_average']['after']}"
        " (2 cores: above 2 the machine was shared).",
        "",
        f"Code measured: commit {code['commit']}"
        + (
            f", with uncommitted changes in {', '.join(f'`{f}`' for f in measured)} (the working tree as"
            " imported at the start)."
            if measured
            else ", clean working tree."
        )
        + f" dbt project: {result['dbt_project']['from']}, copied at the start for the whole run"
        + (
            f" ({len(result['dbt_project']['uncommitted_in_tree'])} uncommitted files in the tree's dbt_project/ and"
            " docs/bi-queries.sql not measured)."
            if result["dbt_project"]["from"].startswith("commit")
            and result["dbt_project"]["uncommitted_in_tree"]
            else "."
        ),
        "",
        "## Goals (issue 14)",
        "",
        *(
            [
                f"At scale {result['scale']:g} the goals, set for the national scale, are shown for orientation only.",
                "",
            ]
            if result["scale"] != 1
            else []
        ),
        "| measure | goal | measured | |",
        "|---|---|---:|---|",
    ]
    for name, goal in result["goals"].items():
        digits = 3 if name.startswith(("queries", "resubmission_share")) else 1
        which = {
            "queries_warm_p95_max_s": "queries_warm_p95_max_query",
            "queries_cold_max_s": "queries_cold_max_query",
        }
        label = labels[name] + (f" ({result[which[name]]})" if name in which and result[which[name]] else "")
        lines.append(f"| {label} | {goal['goal']} | {_s(goal['value'], digits)} | {_met(goal['met'])} |")
    lines += [
        "",
        "## The survey night",
        "",
        f"- **Files**: {survey['files']} ({survey['households']:,} households of survey year {SURVEY_YEAR} in one "
        f"file per CDD province, sizes by tambons: {survey['smallest_file_rows']:,} to "
        f"{survey['largest_file_rows']:,} rows; {survey['previous_year_households']:,} of them surveyed in "
        f"{PREVIOUS_SURVEY_YEAR} too, in a second file per province), {survey['bytes_as_sent'] / 2**30:.2f} GiB "
        f"as sent. Generated in {result['generate_s']:.0f} s (not part of the goals).",
        f"- **The year before the survey** (untimed): {sum(result['year']['raw_rows'].values()):,} rows of the "
        f"other four datasets put in raw.* in {result['year']['migrate_and_copy_s']:.0f} s, built in "
        f"{result['year']['build_s']:.0f} s ({result['year']['build_nodes']} nodes, selection "
        f"{result['year']['build_selection']}).",
        f"- **Ingest**: {result['ingest_s']:.1f} s for {rows['received']:,} rows ({result['ingest']['rows_per_s']:,.0f}"
        f" rows/s; discover {result['ingest']['discover_s']:.1f} s; busy time of the steps, which overlap: "
        + ", ".join(f"{k} {v:.1f} s" for k, v in sorted(result["ingest"]["steps_busy_s"].items()))
        + f"). Rows received {rows['received']:,} = loaded {rows['loaded']:,} + quarantined "
        f"{rows['quarantined']:,}; raw holds {rows['raw_rows']:,}.",
        f"- **Raw COPY baseline**: {result['copy_rows_per_s']:,.0f} rows/s ({result['copy']['seconds']:.1f} s for "
        f"the same {result['copy']['rows']:,} rows; {result['copy']['how']}). Ingest ÷ COPY: "
        f"{result['ingest_ratio_to_copy']:.3f}.",
        f"- **dbt**: {result['dbt_s']:.1f} s, selection {build['selection']}: "
        + ", ".join(f"{n} {k}s" for k, n in sorted(build["nodes_by_kind"].items()))
        + f"; the nodes' own times add up to {build['node_seconds_sum']:.1f} s over dbt's two threads."
        " Slowest nodes:",
        "",
        "  | node | kind | s |",
        "  |---|---|---:|",
        *(f"  | {n['name']} | {n['kind']} | {n['seconds']:.1f} |" for n in build["slowest"]),
        "",
        "- **Between ingest and dbt** the bench runs nothing, and no VACUUM or ANALYZE before the queries."
        f" Of the {len(stats['built_by_the_night'])} marts tables the night's build made,"
        f" {len(stats['built_and_analyzed'])} had fresh statistics right before the queries (analysed since"
        f" the build began; by autovacuum: {', '.join(stats['autoanalyzed_since_build_start']) or 'none'});"
        f" not analysed: {', '.join(stats['built_not_analyzed']) or 'none'}. Never analysed in the whole"
        f" schema: {', '.join(stats['never_analyzed']) or 'none'}.",
        f"- **In the marts**: fct_bmn_household {result['survey_in_marts']['fct_bmn_household']:,} rows, "
        f"fct_poverty_transitions {result['survey_in_marts']['fct_poverty_transitions']:,}.",
        "",
        "## The next night: one province resubmitted",
        "",
        f"Province {resub['province']} ({resub['chosen']}) sends its {SURVEY_YEAR} file again, {resub['rows_changed']:,} of "
        f"{resub['rows']:,} rows changed: {result['resubmission_s']:.1f} s = ingest {resub['ingest_s']:.1f} s + dbt "
        f"{resub['dbt_s']:.1f} s (selection {resub['dbt']['selection']}, {resub['dbt']['nodes']} nodes), "
        f"{result['resubmission_share']:.3f} of the survey night. Checked in the marts: the province's "
        f"{resub['in_marts']['fct_bmn_household_rows']:,} households are all of revision {resub['in_marts']['revision']} "
        f"with its incomes; its {resub['in_marts']['fct_poverty_transitions_rows']:,} transitions end at them.",
        "",
        "  | node | kind | s |",
        "  |---|---|---:|",
        *(f"  | {n['name']} | {n['kind']} | {n['seconds']:.1f} |" for n in resub["dbt"]["slowest"]),
        "",
        "## Queries as bi_reader, right after the build",
        "",
        f"Cold: first run in a new session{' after the OS page cache was dropped' if any(q['cold_caches_dropped'] for q in result['queries'].values()) else ' (page cache not dropped)'};"
        f" warm: {result['runs']} runs in one session, median and p95 (nearest rank). Baseline, one full read "
        f"of marts.fct_bmn_household: cold {_s(result['full_scan']['cold_s'], 3)} s, warm {result['full_scan_s']:.3f} s.",
        "",
        "| query | rows | cold s | warm median s | warm p95 s | ≤ 0.2 s warm, ≤ 1 s cold |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, q in result["queries"].items():
        met = q["warm_p95_s"] <= QUERY_GOALS["warm_p95_s"] and (
            q["cold_s"] is None or q["cold_s"] <= QUERY_GOALS["cold_s"]
        )
        lines.append(
            f"| {name} | {q['rows']:,} | {_s(q['cold_s'], 3)} | {q['warm_s']:.3f} | {q['warm_p95_s']:.3f} | {_met(met)} |"
        )
    plan_name, _, plan = result["slowest_query_plan"].partition("\n")
    lines += ["", f"Plan of the slowest warm query, {plan_name}:", "", "```", plan, "```", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="1 = national (12.8 M households)")
    parser.add_argument("--runs", type=int, default=5, help="warm runs per query (median and p95)")
    parser.add_argument(
        "--previous-year-share", type=float, default=0.1, help="households surveyed the year before"
    )
    parser.add_argument(
        "--resubmit-province", help="province code whose file is resent (default: the largest)"
    )
    parser.add_argument("--resubmit-share", type=float, default=0.02, help="share of its rows changed")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold runs")
    parser.add_argument(
        "--no-drop-caches", action="store_true", help="cold runs without dropping the page cache"
    )
    parser.add_argument("--keep-database", action="store_true", help="keep the database (drop it by hand)")
    parser.add_argument("--keep-data", action="store_true", help="keep the generated files under --data-dir")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    parser.add_argument("--server-url", default=SERVER_URL, help="PostgreSQL server (THANRAK_BENCH_PG_URL)")
    parser.add_argument("--seed", type=int, default=2569)
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="province batches ingested at once, each in a process of its own (the DAG's mapped ingest "
        "tasks under a scheduler running that many); 1 = one after another",
    )
    parser.add_argument(
        "--dbt-project",
        choices=("head", "tree"),
        default="head",
        help="the dbt project and docs/bi-queries.sql as committed (default) or as in the working tree at the start",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {message}", file=sys.stderr, flush=True)

    facts = machine_facts(args.server_url)
    facts["code"] = code_state(CODE_FOLDERS)
    result = run(args, log)
    with psycopg.connect(args.server_url) as conn:
        result["postgresql"] = {
            name: conn.execute(f"show {name}").fetchone()[0]
            for name in (
                "work_mem",
                "maintenance_work_mem",
                "max_parallel_workers_per_gather",
                "effective_cache_size",
            )
        }
    result["command"] = "python -m bench.national " + " ".join(argv if argv is not None else sys.argv[1:])
    result["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    result["wall_s"] = time.perf_counter() - started
    result["commit"] = facts["code"]
    result["machine"] = facts
    summarise(result)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    stem = f"national-{dt.date.today():%Y-%m-%d}" + ("" if args.scale == 1 else f"-scale-{args.scale:g}")
    path = args.results_dir / f"{stem}.json"
    path.write_text(json.dumps(result, indent=1, default=str, ensure_ascii=False) + "\n")
    (args.results_dir / f"{stem}.md").write_text(markdown(result, facts))
    log(f"written {path} and .md")
    return path


if __name__ == "__main__":
    main()
