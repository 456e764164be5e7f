"""BI latency at national scale: how long the dashboard queries of docs/bi-queries.sql take as
bi_reader on a warehouse holding a full household-survey year (12.8 M households) and a fiscal
year of the other datasets at realistic national sizes, next to the time it takes to read the
household fact table once (the physical limit of any query that needs all of it).

    python -m bench.bi_latency                    # national scale, about 40 minutes on 2 cores
    python -m bench.bi_latency --scale 0.1        # a tenth of every dataset

The warehouse is built fast, not through the pipeline: rows are generated with numpy and COPYed
straight into raw.* with matching ops.submission rows marked loaded (and dq results), then
`dbt build` builds the marts and the bi views. Every query then runs as a LOGIN role that is a
member of bi_reader: once cold (operating-system page cache dropped first, when run as root)
and --runs times warm; the median of the warm runs is reported. The database and the role are
dropped at the end, also after an error (not when the process is killed: then drop the
`thanrak_bench_bi_*` database and role by hand).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import re
import secrets
import statistics
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import geothai
import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv
from psycopg import sql

from bench.data import cdd_provinces, households, previous_survey, tambon_codes
from bench.run import code_state, machine_facts
from thanrak.contract.declarations import load_contract
from thanrak.nights import BANGKOK_TZ
from thanrak.settings import PROJECT_ROOT, Settings
from thanrak.transform.dbt_build import run_dbt
from thanrak.validate.suites import suite_definition
from thanrak.warehouse.migrate import migrate
from thanrak.warehouse.reference import load_reference

SERVER_URL = os.environ.get("THANRAK_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
RESULTS_DIR = Path(__file__).parent / "results"
QUERY_FILE = PROJECT_ROOT / "docs" / "bi-queries.sql"
CODE_LISTS = PROJECT_ROOT / "dbt_project" / "seeds" / "contract_code_lists.csv"

# National sizes at --scale 1 (see docs/bi.md and the domain brief): one survey year of
# 12,817,903 households (2564), and per CDD province and month of one fiscal year:
HOUSEHOLDS = 12_817_903
SURVEY_PERIOD = "2026-03"  # the month folder the survey files land in (survey season)
PREVIOUS_SURVEY_PERIOD = "2025-03"  # the previous survey year's
MONTHS = [
    dt.date(2025 + (9 + i) // 12, (9 + i) % 12 + 1, 1) for i in range(12)
]  # FY2569: Oct 2025 - Sep 2026
OTOP_PRODUCERS = 1_230  # 93,414 producers in 2021 / 76 provinces; 1-2 products, 1-3 channels a month
ACTIVITIES = 400  # five-gear activities a month
PLOTS = 1_500  # Khok Nong Na plots reporting each month (Ubon has 4,044)
BUDGET_PROJECTS = 100  # each at 10-30 units (district offices and the provincial office)
REJECTED_SHARE = 0.02  # slots whose first file was rejected, then resent and loaded


# ---------------------------------------------------------------------------------------------
# The queries


def bi_queries(text: str | None = None) -> dict[str, str]:
    """name -> SQL of docs/bi-queries.sql (or of `text`, another version of it), split at its
    `-- name:` markers (comments dropped)."""
    text = QUERY_FILE.read_text(encoding="utf-8") if text is None else text
    parts = re.split(r"^-- name: *(\S+) *\n", text, flags=re.M)
    return {
        name: "\n".join(line for line in body.strip().splitlines() if not line.startswith("--"))
        .strip()
        .rstrip(";")
        for name, body in zip(parts[1::2], parts[2::2], strict=True)
    }


BASELINES = {
    "baseline: count(*)": "select count(*) from marts.fct_bmn_household",
    "baseline: full scan": "select count(*), sum(members), sum(income_per_person_baht) from marts.fct_bmn_household",
}


# ---------------------------------------------------------------------------------------------
# Data


def code_list(name: str) -> list[str]:
    lines = CODE_LISTS.read_text(encoding="utf-8").splitlines()[1:]
    return [line.split(",")[1] for line in lines if line.split(",")[0] == name]


class Warehouse:
    """Writes generated rows into raw.*, ops.submission and dq.* of one database."""

    def __init__(self, url: str, scale: float, seed: int = 2569):
        self.url = url
        self.scale = scale
        self.rng = np.random.default_rng(seed)
        self.next_id = 1
        self.submissions: list[tuple] = []
        self.runs: list[tuple] = []
        self.rules: list[tuple] = []
        self.rows: dict[str, int] = {}
        # One connection for every COPY (one each was 3,600 connections, half a minute at scale 0.01).
        self._conn: psycopg.Connection | None = None
        self.rule_sets = {
            d: sorted({(e["meta"]["rule"], e["meta"]["column"] or "", e["meta"]["severity"])
                       for e in suite_definition(d)["expectations"]})
            for d in ("activities", "otop_sales", "knn_plot_progress", "budget_disbursement", "bmn_households")
        }  # fmt: skip

    def _delivery(self, period_start: dt.date) -> tuple[dt.datetime, dt.date]:
        """A file for the month is delivered on one of the first ten days of the next month,
        in the evening (one in twenty after the 23:00 deadline)."""
        next_month = (period_start + dt.timedelta(days=32)).replace(day=1)
        night = next_month + dt.timedelta(days=int(self.rng.integers(0, 10)))
        minutes = int(self.rng.integers(17 * 60, 23 * 60)) if self.rng.random() > 0.05 else 23 * 60 + 20
        at = dt.datetime.combine(night, dt.time(minutes // 60, minutes % 60), BANGKOK_TZ)
        return at, night

    def submit(self, province: str, dataset: str, period: str, rows: int) -> int:
        """Manifest rows for one slot (a rejected first revision now and then) and its dq
        results; returns the submission id of the loaded file."""
        start = dt.date.fromisoformat(period + "-01")
        revision = 1
        at, night = self._delivery(start)
        if self.rng.random() < REJECTED_SHARE:
            rejected = self._manifest(province, dataset, period, revision, at, night, "rejected", rows, 0)
            self._dq(rejected, dataset, rows, reject=True)
            revision += 1
            at, night = at + dt.timedelta(days=1), night + dt.timedelta(days=1)
        quarantined = int(self.rng.binomial(rows, 0.003)) if rows else 0
        loaded = self._manifest(
            province, dataset, period, revision, at, night, "loaded", rows + quarantined, quarantined
        )
        self._dq(loaded, dataset, rows + quarantined, quarantined=quarantined)
        return loaded

    def _manifest(self, province, dataset, period, revision, at, night, status, received, quarantined) -> int:
        submission_id = self.next_id
        self.next_id += 1
        loaded = received - quarantined if status == "loaded" else 0
        reason = ("ไฟล์มีรหัสซ้ำกัน", "The file has duplicate keys.") if status == "rejected" else (None, None)
        self.submissions.append((
            submission_id, uuid.uuid4().hex * 2, f"{province}/{dataset}/{period}/{dataset}_{province}_{revision}.csv",
            province, dataset, period, revision, received * 180 + 400, at, night, status, "csv", "utf-8",
            received, loaded, quarantined if status == "loaded" else 0, *reason, at + dt.timedelta(hours=7),
        ))  # fmt: skip
        return submission_id

    def _dq(self, submission_id: int, dataset: str, rows: int, *, reject: bool = False, quarantined: int = 0):
        self.runs.append((submission_id, f"{dataset}.v1", not (reject or quarantined), rows))
        rules = self.rule_sets[dataset]
        failing = {}
        if reject:
            failing[next(i for i, r in enumerate(rules) if r[2] == "reject_file")] = 3
        elif quarantined:
            row_rules = [i for i, r in enumerate(rules) if r[2] == "quarantine_row"]
            for index in self.rng.choice(row_rules, size=min(3, len(row_rules)), replace=False):
                failing[int(index)] = failing.get(int(index), 0)
            for _ in range(quarantined):
                key = list(failing)[int(self.rng.integers(0, len(failing)))]
                failing[key] += 1
        for index, (rule, column, severity) in enumerate(rules):
            self.rules.append((submission_id, rule, column, severity, failing.get(index, 0)))

    def copy(self, table: str, columns: list[str], data: pa.Table) -> None:
        buffer = io.BytesIO()
        pa_csv.write_csv(data, buffer, pa_csv.WriteOptions(include_header=False))
        statement = sql.SQL("copy {} ({}) from stdin with (format csv)").format(
            sql.Identifier(*table.split(".")), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        if self._conn is None:
            self._conn = psycopg.connect(self.url, autocommit=True)
        with self._conn.cursor() as cursor, cursor.copy(statement) as copy:
            view = buffer.getbuffer()
            for offset in range(0, len(view), 8 << 20):
                copy.write(view[offset : offset + (8 << 20)])
        self.rows[table] = self.rows.get(table, 0) + data.num_rows

    def _lineage(self, submission_id: int, data: dict) -> pa.Table:
        n = len(next(iter(data.values())))
        return pa.table({"submission_id": np.full(n, submission_id, np.int64),
                         "source_row": np.arange(2, n + 2, dtype=np.int32), **data})  # fmt: skip

    def write(self, table: str, submission_id: int, data: dict) -> None:
        frame = self._lineage(submission_id, data)
        self.copy(table, frame.column_names, frame)

    def finish(self) -> None:
        columns = ["submission_id", "content_sha256", "source_key", "province_code", "dataset", "period",
                   "revision", "byte_size", "delivered_at", "night", "status", "file_format", "encoding",
                   "rows_received", "rows_loaded", "rows_quarantined", "reject_reason_th", "reject_reason_en",
                   "processed_at"]  # fmt: skip
        if self._conn is not None:
            self._conn.close()
        with psycopg.connect(self.url, autocommit=True) as conn, conn.cursor() as cursor:
            for table, names, rows in (
                ("ops.submission", columns, self.submissions),
                (
                    "dq.validation_run",
                    ["submission_id", "suite_name", "success", "rows_evaluated"],
                    self.runs,
                ),
                (
                    "dq.rule_result",
                    ["submission_id", "rule", "column_name", "severity", "failed_rows"],
                    self.rules,
                ),
            ):
                statement = sql.SQL("copy {} ({}) from stdin").format(
                    sql.Identifier(*table.split(".")), sql.SQL(", ").join(map(sql.Identifier, names))
                )
                with cursor.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(row)
                self.rows[table] = len(rows)
            # The ids were given here: the manifest's own sequence must start after them, for the
            # pipeline's discovery to register files in this warehouse afterwards (bench/national.py).
            cursor.execute(
                "select setval(pg_get_serial_sequence('ops.submission', 'submission_id'), max(submission_id))"
                " from ops.submission"
            )


def n_of(rng: np.random.Generator, mean: float, scale: float) -> int:
    return max(1, int(round(rng.normal(mean, mean * 0.15) * scale)))


def money(rng: np.random.Generator, low: float, high: float, n: int) -> pa.Array:
    return pa.array(np.round(rng.uniform(low, high, n), 2)).cast(pa.decimal128(16, 2), safe=False)


def generate(
    wh: Warehouse, log: Callable[[str], None], previous_year_share: float, *, survey: bool = True
) -> None:
    """A fiscal year of every dataset at `wh.scale` of national size into raw.*; without `survey`,
    every dataset but the household survey (bench/national.py sends the survey through the
    pipeline instead)."""
    rng, scale = wh.rng, wh.scale
    gears, stages, sectors = code_list("gear"), code_list("value_chain_stage"), code_list("sector")
    programmes, partners = code_list("programme"), code_list("partner_sector")
    producer_types, categories = code_list("producer_type"), code_list("product_category")
    channels, models = code_list("sales_channel"), code_list("plot_model")
    bmn = load_contract("bmn_households")
    provinces = cdd_provinces()
    per_province = round(HOUSEHOLDS * scale / len(provinces))
    for number, province in enumerate(provinces):
        tambons = np.array(tambon_codes(province))
        units = [d.code for d in geothai.districts(province)] + [province + "00"]
        # Household survey: one file of the province's survey year (and a share re-surveyed
        # the year before, so that households can be followed).
        if survey:
            table = households(np.random.default_rng([2569, number]), list(tambons), per_province, bmn)
            wh.write("raw.bmn_households", wh.submit(province, "bmn_households", SURVEY_PERIOD, table.num_rows),
                     {name: table[name] for name in table.column_names})  # fmt: skip
        if survey and previous_year_share > 0:
            earlier = previous_survey(rng, table, previous_year_share)
            wh.write("raw.bmn_households", wh.submit(province, "bmn_households", PREVIOUS_SURVEY_PERIOD, earlier.num_rows),
                     {name: earlier[name] for name in earlier.column_names})  # fmt: skip
        # OTOP: the province's producers and products, selling through some channels each month.
        producers = n_of(rng, OTOP_PRODUCERS, scale)
        products_of = rng.integers(1, 3, producers)
        product_producer = np.repeat(np.arange(producers), products_of)
        n_products = len(product_producer)
        producer_tambon = tambons[rng.integers(0, len(tambons), producers)]
        producer_type = np.array(producer_types)[rng.integers(0, len(producer_types), producers)]
        product_category = np.array(categories)[rng.integers(0, len(categories), n_products)]
        product_stars = rng.integers(1, 6, n_products)
        product_ids = np.array([f"OP{province}-{p:05d}-{i}" for i, p in enumerate(product_producer)])
        producer_ids = np.array([f"PR{province}-{p:05d}" for p in range(producers)])
        for month in MONTHS:
            period = f"{month:%Y-%m}"
            # Activities.
            n = n_of(rng, ACTIVITIES, scale)
            days = (((month + dt.timedelta(days=32)).replace(day=1)) - month).days
            partner_lists = ["{" + ",".join(sorted(rng.choice(partners, rng.integers(1, 4), replace=False))) + "}"
                             for _ in range(n)]  # fmt: skip
            budget = np.round(rng.uniform(5_000, 500_000, n), 2)
            wh.write("raw.activities", wh.submit(province, "activities", period, n), {
                "activity_id": pa.array([f"AC{province}{month:%y%m}-{i:05d}" for i in range(n)]),
                "tambon_code": pa.array(tambons[rng.integers(0, len(tambons), n)]),
                "activity_date": pa.array([month + dt.timedelta(days=int(d)) for d in rng.integers(0, days, n)]),
                "gear": pa.array(np.array(gears)[rng.integers(0, 5, n)]),
                "value_chain_stage": pa.array(np.array(stages)[rng.integers(0, len(stages), n)]),
                "sector": pa.array(np.array(sectors)[rng.integers(0, len(sectors), n)]),
                "programme": pa.array(np.array(programmes)[rng.integers(0, len(programmes), n)]),
                "partner_sectors": pa.array(partner_lists),
                "participants": pa.array(rng.integers(5, 300, n).astype(np.int32)),
                "households_reached": pa.array(rng.integers(1, 120, n).astype(np.int32)),
                "budget_baht": pa.array(budget).cast(pa.decimal128(16, 2), safe=False),
                "disbursed_baht": pa.array(np.round(budget * rng.uniform(0, 1, n), 2)).cast(pa.decimal128(16, 2), safe=False),
            })  # fmt: skip
            # OTOP sales: each product through 1-3 distinct channels.
            k = rng.integers(1, 4, n_products)
            product = np.repeat(np.arange(n_products), k)
            order = np.argsort(rng.random((n_products, len(channels))), axis=1)
            channel = np.concatenate([order[i, : k[i]] for i in range(n_products)])
            n = len(product)
            producer = product_producer[product]
            wh.write("raw.otop_sales", wh.submit(province, "otop_sales", period, n), {
                "producer_id": pa.array(producer_ids[producer]),
                "producer_type": pa.array(producer_type[producer]),
                "product_id": pa.array(product_ids[product]),
                "product_category": pa.array(product_category[product]),
                "star_rating": pa.array(product_stars[product].astype(np.int32)),
                "tambon_code": pa.array(producer_tambon[producer]),
                "sale_month": pa.array(np.full(n, month)),
                "channel": pa.array(np.array(channels)[channel]),
                "revenue_baht": money(rng, 2_000, 400_000, n),
                "units_sold": pa.array(rng.integers(1, 3_000, n).astype(np.int32)),
            })  # fmt: skip
            # Khok Nong Na: every plot reports every month.
            plot_rng = np.random.default_rng([number, 7])  # the same plots every month
            n = n_of(plot_rng, PLOTS, scale)
            wh.write("raw.knn_plot_progress", wh.submit(province, "knn_plot_progress", period, n), {
                "plot_id": pa.array([f"KN{province}-{i:05d}" for i in range(n)]),
                "tambon_code": pa.array(tambons[plot_rng.integers(0, len(tambons), n)]),
                "plot_model": pa.array(np.where(plot_rng.random(n) < 0.9, models[0], models[1])),
                "area_rai": money(plot_rng, 1, 15, n),
                "report_month": pa.array(np.full(n, month)),
                "progress_pct": money(rng, 0, 100, n),
                "workers_hired": pa.array(rng.integers(0, 12, n).astype(np.int32)),
                "wages_baht": money(rng, 0, 60_000, n),
                "spend_baht": money(rng, 0, 120_000, n),
                "produce_value_baht": money(rng, 0, 90_000, n),
            })  # fmt: skip
            # Budget: each project at 10-30 units (as many as the province has).
            projects = max(1, round(BUDGET_PROJECTS * scale))
            per_project = np.minimum(rng.integers(10, 31, projects), len(units))
            project = np.repeat(np.arange(projects), per_project)
            unit = np.concatenate([rng.choice(len(units), c, replace=False) for c in per_project])
            n = len(project)
            allocated = np.round(rng.uniform(50_000, 3_000_000, n), 2)
            disbursed = np.round(allocated * rng.beta(5, 2, n), 2)
            wh.write("raw.budget_disbursement", wh.submit(province, "budget_disbursement", period, n), {
                "project_code": pa.array([f"PJ{province}-{p:03d}" for p in project]),
                "project_name": pa.array([f"โครงการ {p}" for p in project]),
                "unit_code": pa.array(np.array(units)[unit]),
                "budget_month": pa.array(np.full(n, month)),
                "allocated_baht": pa.array(allocated).cast(pa.decimal128(16, 2), safe=False),
                "committed_baht": pa.array(np.round(allocated * 0.1, 2)).cast(pa.decimal128(16, 2), safe=False),
                "disbursed_baht": pa.array(disbursed).cast(pa.decimal128(16, 2), safe=False),
                "returned_baht": pa.array(np.round((allocated - disbursed) * 0.05, 2)).cast(pa.decimal128(16, 2), safe=False),
            })  # fmt: skip
        if number % 10 == 9 or number == len(provinces) - 1:
            log(f"  {number + 1}/{len(provinces)} provinces written: {sum(wh.rows.values()):,} raw rows")
    wh.finish()


# ---------------------------------------------------------------------------------------------
# Timing


def drop_os_caches() -> bool:
    """Drops the operating system's page cache (root only): the next read comes from disk.
    PostgreSQL's own shared_buffers are not emptied (the server is shared)."""
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def time_query(
    connect: Callable[[], psycopg.Connection], query: str, runs: int, cold: bool, *, drop_caches: bool = True
) -> dict:
    """The query's first run in a new session (`cold`, after the page cache was dropped when
    `drop_caches` and root) and `runs` more in one session (warm)."""
    result: dict = {}
    if cold:
        result["cold_caches_dropped"] = drop_os_caches() if drop_caches else False
        with connect() as conn:
            started = time.perf_counter()
            rows = conn.execute(query).fetchall()
            result["cold_s"] = time.perf_counter() - started
    warm = []
    with connect() as conn:
        for _ in range(runs):
            started = time.perf_counter()
            rows = conn.execute(query).fetchall()
            warm.append(time.perf_counter() - started)
    result["warm_s"] = warm
    result["warm_median_s"] = statistics.median(warm)
    result["rows"] = len(rows)
    return result


def explain(connect: Callable[[], psycopg.Connection], query: str) -> str:
    with connect() as conn:
        plan = conn.execute(
            "explain (analyze, buffers, costs off, timing off, summary on) " + query
        ).fetchall()
    return "\n".join(line for (line,) in plan)


@contextmanager
def bench_database(server_url: str, keep: bool, tag: str = "bi"):
    name = f"thanrak_bench_{tag}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    url = server_url.partition("?")[0].rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        if not keep:
            with psycopg.connect(server_url, autocommit=True) as admin:
                admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


@contextmanager
def reader_login(url: str):
    """A LOGIN role in bi_reader, dropped at the end; yields a function that connects as it."""
    name, password = f"thanrak_bench_bi_{uuid.uuid4().hex[:8]}", secrets.token_urlsafe(16)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(sql.SQL("create role {} login password {} in role bi_reader").format(
            sql.Identifier(name), sql.Literal(password)))  # fmt: skip
    try:
        yield lambda: psycopg.connect(url, user=name, password=password, autocommit=True)
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(sql.SQL("drop owned by {}").format(sql.Identifier(name)))
            admin.execute(sql.SQL("drop role {}").format(sql.Identifier(name)))


def sizes(url: str) -> dict[str, dict]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """select n.nspname || '.' || c.relname, c.reltuples::bigint, pg_total_relation_size(c.oid)
               from pg_class c join pg_namespace n on n.oid = c.relnamespace
               where n.nspname in ('raw', 'marts') and c.relkind = 'r' order by 1"""
        ).fetchall()
    return {name: {"rows": rows_, "bytes": size} for name, rows_, size in rows}


def run(args: argparse.Namespace, log: Callable[[str], None]) -> dict:
    result: dict = {"scale": args.scale, "runs": args.runs, "previous_year_share": args.previous_year_share,
                    "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "load_before": os.getloadavg()}  # fmt: skip
    queries = bi_queries()
    with bench_database(SERVER_URL, args.keep_database) as url:
        result["database"] = url.rsplit("/", 1)[1]
        started = time.perf_counter()
        with psycopg.connect(url, autocommit=True) as conn:
            migrate(conn)
            load_reference(conn)
        result["migrate_s"] = time.perf_counter() - started
        log(
            f"database {result['database']} migrated ({result['migrate_s']:.1f} s); generating and COPYing rows"
        )
        started = time.perf_counter()
        wh = Warehouse(url, args.scale)
        generate(wh, log, args.previous_year_share)
        result["generate_and_copy_s"] = time.perf_counter() - started
        result["raw_rows"] = wh.rows
        log(f"rows written in {result['generate_and_copy_s']:.0f} s: {wh.rows}")
        settings = Settings.in_folder(PROJECT_ROOT / "var" / "bench" / "bi", url)
        started = time.perf_counter()
        outcome = run_dbt(url, ["build"], settings)
        result["dbt_build_s"] = time.perf_counter() - started
        result["dbt_nodes"] = [{**n, "kind": str(n["kind"])} for n in outcome.nodes]
        result["dbt_failures"] = [
            {**n, "kind": str(n["kind"])} for n in outcome.failures if n["status"] != "no-op"
        ]  # exposures are no-ops
        log(
            f"dbt build: {result['dbt_build_s']:.0f} s, {len(outcome.nodes)} nodes, failures: {result['dbt_failures']}"
        )
        started = time.perf_counter()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("vacuum (analyze) ")
        result["vacuum_analyze_s"] = time.perf_counter() - started
        log(f"vacuum analyze: {result['vacuum_analyze_s']:.0f} s")
        result["sizes"] = sizes(url)
        with reader_login(url) as connect:
            result["timings"] = {}
            for name, query in {**BASELINES, **queries}.items():
                result["timings"][name] = time_query(connect, query, args.runs, not args.no_cold)
                t = result["timings"][name]
                log(
                    f"{name}: cold {t.get('cold_s', float('nan')):.3f} s, warm {t['warm_median_s']:.3f} s, {t['rows']} rows"
                )
            slowest = sorted(queries, key=lambda n: -result["timings"][n]["warm_median_s"])[:3]
            result["plans"] = {name: explain(connect, queries[name]) for name in slowest}
            result["plans"]["baseline: full scan"] = explain(connect, BASELINES["baseline: full scan"])
    result["load_after"] = os.getloadavg()
    return result


# ---------------------------------------------------------------------------------------------
# Report


def report(result: dict, facts: dict) -> str:
    timings = result["timings"]
    base_warm = timings["baseline: full scan"]["warm_median_s"]
    base_cold = timings["baseline: full scan"].get("cold_s")
    households = result["sizes"].get("marts.fct_bmn_household", {})
    lines = [
        f"# BI latency, {dt.date.today():%Y-%m-%d}",
        "",
        f"Command: `python -m bench.bi_latency --scale {result['scale']} --runs {result['runs']}"
        f" --previous-year-share {result['previous_year_share']}`. How to read this: `bench/README.md` (BI latency).",
        "",
        f"Machine: {facts['nproc']} CPUs ({facts['cpu']}), {facts['ram_gib']} GiB RAM; PostgreSQL "
        f"{facts['postgresql']['server_version']} on the same machine (shared_buffers "
        f"{facts['postgresql']['shared_buffers']}, work_mem {result['work_mem']}, "
        f"max_parallel_workers_per_gather {result['parallel_workers']}). Load average before "
        f"{', '.join(f'{x:.2f}' for x in result['load_before'])}, after "
        f"{', '.join(f'{x:.2f}' for x in result['load_after'])}.",
        "",
        f"Code measured: commit {facts['code']['commit']}"
        + (
            f" (uncommitted under plugins/: {', '.join(facts['code']['uncommitted'])})"
            if facts["code"]["uncommitted"]
            else ", clean plugins/"
        )
        + ".",
        "",
        "## The warehouse",
        "",
        "| table | rows | size |",
        "|---|---:|---:|",
    ]
    for name, size in result["sizes"].items():
        if size["rows"] > 1000:
            lines.append(f"| {name} | {size['rows']:,} | {size['bytes'] / 2**30:.2f} GiB |")
    lines += [
        "",
        f"- Generating the rows and COPYing them into raw.*: {result['generate_and_copy_s']:.0f} s.",
        f"- `dbt build` (every model, every test, the bi views): **{result['dbt_build_s'] / 60:.1f} min**"
        f" ({len(result['dbt_nodes'])} nodes; failures: {len(result['dbt_failures'])}). Slowest nodes:",
    ]
    for node in sorted(result["dbt_nodes"], key=lambda n: -n["seconds"])[:8]:
        lines.append(
            f"  - {node['name']} ({node['kind'].rsplit('.', 1)[-1].lower()}): {node['seconds']:.0f} s"
        )
    lines += [
        f"- `vacuum (analyze)` of the database after the build: {result['vacuum_analyze_s']:.0f} s.",
        "",
        "## Latency as bi_reader",
        "",
        f"Baseline: reading marts.fct_bmn_household once ({households.get('rows', 0):,} rows,"
        f" {households.get('bytes', 0) / 2**30:.2f} GiB): `{BASELINES['baseline: full scan']}`. "
        f"Warm = median of {result['runs']} runs in one session; cold = first run in a new session after"
        " the operating system's page cache was dropped (PostgreSQL's shared_buffers are not emptied).",
        "",
        "| query | rows | cold s | warm s (median) | warm ÷ baseline | cold ÷ baseline |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, t in timings.items():
        cold = t.get("cold_s")
        lines.append(
            f"| {name} | {t['rows']:,} | {cold:.3f} | {t['warm_median_s']:.3f} | {t['warm_median_s'] / base_warm:.2f} | "
            f"{cold / base_cold:.2f} |" if cold is not None and base_cold else
            f"| {name} | {t['rows']:,} | – | {t['warm_median_s']:.3f} | {t['warm_median_s'] / base_warm:.2f} | – |"
        )  # fmt: skip
    lines += ["", "## Plans of the slowest queries", ""]
    for name, plan in result["plans"].items():
        lines += [f"### {name}", "", "```", plan, "```", ""]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="1 = national (12.8 M households)")
    parser.add_argument("--runs", type=int, default=5, help="warm runs per query (median reported)")
    parser.add_argument("--previous-year-share", type=float, default=0.1,
                        help="share of households also surveyed the year before (poverty transitions)")  # fmt: skip
    parser.add_argument("--no-cold", action="store_true", help="skip the cold runs")
    parser.add_argument("--keep-database", action="store_true", help="keep the database (drop it by hand)")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {message}", flush=True)

    facts = machine_facts(SERVER_URL)
    facts["code"] = code_state()
    result = run(args, log)
    with psycopg.connect(SERVER_URL) as conn:
        result["work_mem"] = conn.execute("show work_mem").fetchone()[0]
        result["parallel_workers"] = conn.execute("show max_parallel_workers_per_gather").fetchone()[0]
    result["wall_s"] = time.perf_counter() - started
    args.results_dir.mkdir(parents=True, exist_ok=True)
    stem = args.results_dir / f"bi-latency-{dt.date.today():%Y-%m-%d}"
    stem.with_suffix(".json").write_text(json.dumps({"facts": facts, **result}, indent=1, default=str))
    stem.with_suffix(".md").write_text(report(result, facts))
    log(f"written {stem}.md")


if __name__ == "__main__":
    main()
