"""bench/partitioning.py (issue 14) on a small household fact in a real PostgreSQL: every layout
is built, resubmitted, queried and loses its previous year with its rows checked equal to the
fact's, and the result file holds every operation's time and ratio. Never asserts on time."""

from __future__ import annotations

import json

import psycopg
import pytest
from bench import partitioning
from psycopg import sql

from conftest import fresh_database

FACT = """
    create schema marts;
    create table marts.fct_bmn_household as
    select md5(n::text) as household_year_key,
           2567 + n % 2 as survey_year_be,
           (array['30', '40', '50'])[1 + n % 3]::char(2) as province_code,
           1 + n % 6 as submission_id,
           lpad((n % 20)::text, 8, '0') as village_key,
           n % 4 = 0 as is_below_threshold,
           n % 5 as indicators_failed,
           now() as built_at
    from generate_series(1, 1200) as n
"""


@pytest.fixture(scope="module")
def run(pg_server, tmp_path_factory):
    with fresh_database(pg_server) as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(FACT)
        folder = tmp_path_factory.mktemp("partitioning")
        database = url.rsplit("/", 1)[1]
        path = partitioning.main(
            ["--database", database, "--runs", "2", "--server-url", pg_server, "--results-dir", str(folder)]
        )
        with psycopg.connect(url) as conn:
            left = conn.execute(
                "select count(*) from pg_namespace where nspname = %s", (partitioning.SCHEMA,)
            ).fetchone()[0]
        yield {"result": json.loads(path.read_text()), "path": path, "schema_left": left}


def test_every_layout_and_operation_is_measured_and_compared_to_the_plain_table(run):
    result = run["result"]
    assert result["fact"]["rows"] == 1200 and result["fact"]["survey_years"] == [2567, 2568]
    assert result["fact"]["resubmitted"]["rows"] == 200
    for layout in partitioning.LAYOUTS:
        for operation in partitioning.OPERATIONS:
            assert partitioning.seconds_of(result["layouts"][layout], operation) > 0
    assert result["layouts"]["by_year_province"]["build"]["tables"] == 1 + 2 * (1 + 3)
    assert all(result["layouts"][layout]["build"]["bytes"] > 0 for layout in partitioning.LAYOUTS)
    assert set(result["ratios"]) == {"by_year", "by_year_province"}
    assert len(result["layouts"]["plain"]["resubmission"]["runs_s"]) == 2
    markdown = run["path"].with_suffix(".md").read_text()
    assert "| resubmission |" in markdown and "by_year_province ÷ plain" in markdown
    assert run["schema_left"] == 0  # the layouts are dropped


def test_a_layout_whose_rows_differ_from_the_facts_stops_the_bench(pg_server):
    with fresh_database(pg_server) as url, psycopg.connect(url, autocommit=True) as conn:
        conn.execute(FACT)
        conn.execute(f"create schema {partitioning.SCHEMA}")
        conn.execute(f"create table {partitioning.SCHEMA}.plain as select * from marts.fct_bmn_household")
        conn.execute(f"delete from {partitioning.SCHEMA}.plain where submission_id = 1")
        expected = partitioning.checksum(conn, sql.Identifier("marts", "fct_bmn_household"))
        with pytest.raises(SystemExit, match="plain after the build: rows and key checksum"):
            partitioning._check(conn, "plain", expected, "after the build")
