"""Issue 14: is declarative partitioning of the household fact worth having? The fact a national
survey year builds (marts.fct_bmn_household, 14 M rows) copied into three layouts side by side, in
the same database and run, and each layout put through what the nights and the dashboards do:

    python -m bench.national --scale 1 --keep-database      # leaves thanrak_bench_national_<id>
    python -m bench.partitioning --database thanrak_bench_national_<id>

Layouts (in schema bench_partitioning, dropped at the end):
  - `plain`: as dbt builds it (create table as, then the fact's indexes: its key unique,
    submission_id, built_at, province_code);
  - `by_year`: partitioned by list of survey_year_be, one partition per survey year; its key's
    unique index must hold the partition column, so it is (household_year_key, survey_year_be);
  - `by_year_province`: each survey year's partition partitioned again by list of province_code
    (76 provinces x 2 years = 152 tables); no province index (a province is a table), the unique
    index (household_year_key, survey_year_be, province_code).

Operations, each layout in turn, `--runs` times (medians):
  - `build`: create, fill from the fact, index, analyze (the full refresh; once per layout);
  - `resubmission`: one province's current survey file replaced: its rows deleted by submission_id
    and the same rows inserted again, in one transaction (the incremental fact's night; a vacuum,
    untimed, between runs);
  - `province_read`: one province's villages counted (the aggregates' per-province increments);
  - `national_aggregate`: every province x year counted (an aggregate's full build: a full scan);
  - `key_lookup`: 200 households by key without their year (a relationships test, a lookup);
  - `drop_year`: the oldest survey year removed (delete, or detach and drop its partition); once,
    last, as it destroys.

Every layout's rows are checked equal to the fact's (count and a checksum of the keys) after the
build, after the resubmissions and, less the oldest year, after drop_year; the run stops if not.
Writes bench/results/partitioning-<date>.json and .md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
from psycopg import sql

from bench.national import load_average
from bench.run import SERVER_URL, code_state, machine_facts

RESULTS_DIR = Path(__file__).parent / "results"
SCHEMA = "bench_partitioning"
SOURCE = ("marts", "fct_bmn_household")
LAYOUTS = ("plain", "by_year", "by_year_province")
KEY_LOOKUPS = 200
CODE_FOLDERS = ("bench/partitioning.py", "dbt_project/models/marts/facts", "dbt_project/macros")


def _table(layout: str) -> sql.Composable:
    return sql.Identifier(SCHEMA, layout)


def _timed(conn: psycopg.Connection, statements: list[sql.Composable]) -> float:
    started = time.perf_counter()
    for statement in statements:
        conn.execute(statement)
    return time.perf_counter() - started


EVERY_ROW = sql.SQL("true")


def checksum(conn: psycopg.Connection, table: sql.Composable, where: sql.Composable = EVERY_ROW) -> tuple:
    """Rows and a sum of the keys' hashes: equal for equal sets of keys, whatever their order."""
    return conn.execute(
        sql.SQL(
            "select count(*), coalesce(sum(hashtextextended(household_year_key, 0)), 0) from {} where {}"
        ).format(table, where)
    ).fetchone()


def build(conn: psycopg.Connection, layout: str, years: list[int], provinces: list[str]) -> dict:
    """The layout filled from the fact: the rows, then the indexes, then statistics, each timed."""
    source, table = sql.Identifier(*SOURCE), _table(layout)
    create: list[sql.Composable] = []
    if layout == "plain":
        fill = [sql.SQL("create table {} as select * from {}").format(table, source)]
    else:
        create.append(
            sql.SQL("create table {} (like {}) partition by list (survey_year_be)").format(table, source)
        )
        for year in years:
            year_table = sql.Identifier(SCHEMA, f"{layout}_{year}")
            by_province = (
                sql.SQL(" partition by list (province_code)") if layout == "by_year_province" else sql.SQL("")
            )
            create.append(
                sql.SQL("create table {} partition of {} for values in ({}){}").format(
                    year_table, table, sql.Literal(year), by_province
                )
            )
            if layout == "by_year_province":
                for province in provinces:
                    create.append(
                        sql.SQL("create table {} partition of {} for values in ({})").format(
                            sql.Identifier(SCHEMA, f"{layout}_{year}_{province}"),
                            year_table,
                            sql.Literal(province),
                        )
                    )
        fill = [sql.SQL("insert into {} select * from {}").format(table, source)]
    key = {
        "plain": ["household_year_key"],
        "by_year": ["household_year_key", "survey_year_be"],
        "by_year_province": ["household_year_key", "survey_year_be", "province_code"],
    }[layout]
    indexes = [
        sql.SQL("create unique index on {} ({})").format(table, sql.SQL(", ").join(map(sql.Identifier, key)))
    ]
    for column in ["submission_id", "built_at"] + (["province_code"] if layout != "by_year_province" else []):
        indexes.append(sql.SQL("create index on {} ({})").format(table, sql.Identifier(column)))
    conn.execute(sql.SQL("drop table if exists {} cascade").format(table))
    steps = {
        "create_s": _timed(conn, create),
        "rows_s": _timed(conn, fill),
        "indexes_s": _timed(conn, indexes),
        "analyze_s": _timed(conn, [sql.SQL("analyze {}").format(table)]),
    }
    steps["build_s"] = sum(steps.values())
    steps["tables"] = len(create) or 1  # a create per table; plain's is its fill
    # pg_partition_tree of a table that is not partitioned is empty
    steps["bytes"] = int(
        conn.execute(
            "select coalesce(sum(pg_total_relation_size(relid)), pg_total_relation_size(%(table)s::regclass))"
            " from pg_partition_tree(%(table)s::regclass)",
            {"table": f"{SCHEMA}.{layout}"},
        ).fetchone()[0]
    )
    return steps


def resubmit(conn: psycopg.Connection, layout: str, submission_id: int) -> float:
    """One file's rows deleted by submission_id and inserted again (from a temporary copy), in one
    transaction, as the incremental fact does on a resubmission night."""
    table = _table(layout)
    with conn.transaction():
        started = time.perf_counter()
        conn.execute(sql.SQL("delete from {} where submission_id = %s").format(table), (submission_id,))
        conn.execute(sql.SQL("insert into {} select * from resubmitted").format(table))
        seconds = time.perf_counter() - started
    conn.execute(sql.SQL("vacuum analyze {}").format(table))
    return seconds


def queries(province: str, year: int, keys: list[str]) -> dict[str, tuple[sql.Composable, tuple]]:
    return {
        "province_read": (
            sql.SQL(
                "select village_key, count(*), count(*) filter (where is_below_threshold), sum(indicators_failed) "
                "from {table} where province_code = %s and survey_year_be = %s group by village_key"
            ),
            (province, year),
        ),
        "national_aggregate": (
            sql.SQL(
                "select province_code, survey_year_be, count(*), count(*) filter (where is_below_threshold) "
                "from {table} group by province_code, survey_year_be"
            ),
            (),
        ),
        "key_lookup": (
            sql.SQL("select count(*) from {table} where household_year_key = any(%s)"),
            (keys,),
        ),
    }


def drop_year(conn: psycopg.Connection, layout: str, year: int) -> float:
    table = _table(layout)
    if layout == "plain":
        return _timed(
            conn, [sql.SQL("delete from {} where survey_year_be = {}").format(table, sql.Literal(year))]
        )
    partition = sql.Identifier(SCHEMA, f"{layout}_{year}")
    return _timed(
        conn,
        [
            sql.SQL("alter table {} detach partition {}").format(table, partition),
            sql.SQL("drop table {}").format(partition),
        ],
    )


def run(url: str, runs: int, log: Callable[[str], None]) -> dict:
    result: dict = {
        "database": url.rsplit("/", 1)[1],
        "runs": runs,
        "layouts": {name: {} for name in LAYOUTS},
    }
    load = {"before": load_average()}
    with psycopg.connect(url, autocommit=True) as conn:
        source = sql.Identifier(*SOURCE)
        years = [
            row[0]
            for row in conn.execute(
                sql.SQL("select distinct survey_year_be from {} order by 1").format(source)
            )
        ]
        provinces = [
            row[0]
            for row in conn.execute(
                sql.SQL("select distinct province_code from {} order by 1").format(source)
            )
        ]
        if len(years) < 2:
            raise SystemExit(f"{SOURCE[0]}.{SOURCE[1]} holds survey years {years}: the bench needs two")
        current, oldest = years[-1], years[0]
        # The resubmitted file: the largest province's current survey file (bench.national's choice).
        province, submission_id, file_rows = conn.execute(
            sql.SQL(
                "select province_code, submission_id, count(*) from {} where survey_year_be = %s "
                "group by 1, 2 order by 3 desc, 1 limit 1"
            ).format(source),
            (current,),
        ).fetchone()
        keys = [
            row[0]
            for row in conn.execute(
                sql.SQL(
                    "select household_year_key from {} tablesample system (1) repeatable (14) limit %s"
                ).format(source),
                (KEY_LOOKUPS,),
            )
        ]
        expected = checksum(conn, source)
        expected_after_drop = checksum(
            conn, source, sql.SQL("survey_year_be <> {}").format(sql.Literal(oldest))
        )
        result["fact"] = {
            "rows": expected[0],
            "survey_years": years,
            "provinces": len(provinces),
            "resubmitted": {"province_code": province, "submission_id": submission_id, "rows": file_rows},
        }
        conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(SCHEMA)))
        conn.execute(
            sql.SQL("create temp table resubmitted as select * from {} where submission_id = %s").format(
                source
            ),
            (submission_id,),
        )
        try:
            for layout in LAYOUTS:
                log(f"{layout}: building")
                result["layouts"][layout]["build"] = build(conn, layout, years, provinces)
                _check(conn, layout, expected, "after the build")
                log(f"  {result['layouts'][layout]['build']['build_s']:.1f} s")
            timings: dict[str, dict[str, list[float]]] = {name: {} for name in LAYOUTS}
            for attempt in range(runs):
                for layout in LAYOUTS:
                    timings[layout].setdefault("resubmission", []).append(
                        resubmit(conn, layout, submission_id)
                    )
                    for name, (statement, params) in queries(province, current, keys).items():
                        started = time.perf_counter()
                        conn.execute(statement.format(table=_table(layout)), params).fetchall()
                        timings[layout].setdefault(name, []).append(time.perf_counter() - started)
                log(f"run {attempt + 1} of {runs} done")
            for layout in LAYOUTS:
                _check(conn, layout, expected, "after the resubmissions")
                for name, seconds in timings[layout].items():
                    result["layouts"][layout][name] = {
                        "median_s": statistics.median(seconds),
                        "runs_s": seconds,
                    }
                result["layouts"][layout]["drop_year"] = {"seconds": drop_year(conn, layout, oldest)}
                _check(conn, layout, expected_after_drop, "after drop_year")
        finally:
            conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(SCHEMA)))
    load["after"] = load_average()
    result["load_average"] = load
    result["ratios"] = ratios(result["layouts"])
    return result


def _check(conn: psycopg.Connection, layout: str, expected: tuple, when: str) -> None:
    found = checksum(conn, _table(layout))
    if tuple(found) != tuple(expected):
        raise SystemExit(f"{layout} {when}: rows and key checksum {found}, expected {expected}")


OPERATIONS = ("build", "resubmission", "province_read", "national_aggregate", "key_lookup", "drop_year")


def seconds_of(layout: dict, operation: str) -> float:
    value = layout[operation]
    return value.get("build_s", value.get("median_s", value.get("seconds")))


def ratios(layouts: dict) -> dict:
    """Each partitioned layout's time over the plain table's, per operation (below 1: faster)."""
    return {
        name: {op: seconds_of(layouts[name], op) / seconds_of(layouts["plain"], op) for op in OPERATIONS}
        for name in LAYOUTS
        if name != "plain"
    }


def markdown(result: dict) -> str:
    fact, layouts = result["fact"], result["layouts"]
    lines = [
        f"# Partitioning the household fact ({result['finished'][:10]})",
        "",
        f"Commit {result['commit']['commit']}{' (with uncommitted changes)' if result['commit']['uncommitted'] else ''}; "
        f"`{result['command']}`. Machine: {result['machine']['nproc']} CPUs, PostgreSQL "
        f"{result['machine']['postgresql']['server_version']} (shared_buffers "
        f"{result['machine']['postgresql']['shared_buffers']}). Load average (1, 5, 15 min) at the start "
        f"{result['load_average']['before']}, at the end {result['load_average']['after']} (2 cores).",
        "",
        f"marts.fct_bmn_household of a national survey run: {fact['rows']:,} rows, survey years "
        f"{', '.join(map(str, fact['survey_years']))}, {fact['provinces']} provinces. Resubmitted: province "
        f"{fact['resubmitted']['province_code']}'s current file, {fact['resubmitted']['rows']:,} rows. "
        f"Medians of {result['runs']} runs (build and drop_year once). Ratio: the layout's time over plain's.",
        "",
        "| operation | "
        + " | ".join(LAYOUTS)
        + " | "
        + " | ".join(f"{n} ÷ plain" for n in LAYOUTS[1:])
        + " |",
        "|---|" + "---:|" * (2 * len(LAYOUTS) - 1),
    ]
    for op in OPERATIONS:
        cells = [f"{seconds_of(layouts[n], op):.3f} s" for n in LAYOUTS]
        cells += [f"{result['ratios'][n][op]:.2f}" for n in LAYOUTS[1:]]
        lines.append(f"| {op} | " + " | ".join(cells) + " |")
    lines += ["", "| build step | " + " | ".join(LAYOUTS) + " |", "|---|" + "---:|" * len(LAYOUTS)]
    for step in ("create_s", "rows_s", "indexes_s", "analyze_s"):
        lines.append(
            f"| {step[:-2]} | " + " | ".join(f"{layouts[n]['build'][step]:.1f} s" for n in LAYOUTS) + " |"
        )
    lines.append("| tables | " + " | ".join(str(layouts[n]["build"]["tables"]) for n in LAYOUTS) + " |")
    lines.append(
        "| size | " + " | ".join(f"{layouts[n]['build']['bytes'] / 2**30:.2f} GiB" for n in LAYOUTS) + " |"
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database", required=True, help="a database holding a built marts.fct_bmn_household"
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--server-url", default=SERVER_URL, help="PostgreSQL server (THANRAK_BENCH_PG_URL)")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {message}", file=sys.stderr, flush=True)

    facts = machine_facts(args.server_url)
    url = args.server_url.partition("?")[0].rsplit("/", 1)[0] + "/" + args.database
    result = run(url, args.runs, log)
    result["command"] = "python -m bench.partitioning " + " ".join(argv if argv is not None else sys.argv[1:])
    result["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    result["commit"] = code_state(CODE_FOLDERS)
    result["machine"] = facts
    args.results_dir.mkdir(parents=True, exist_ok=True)
    path = args.results_dir / f"partitioning-{dt.date.today():%Y-%m-%d}.json"
    path.write_text(json.dumps(result, indent=1, default=str, ensure_ascii=False) + "\n")
    (args.results_dir / path.with_suffix(".md").name).write_text(markdown(result))
    log(f"written {path} and .md")
    return path


if __name__ == "__main__":
    main()
