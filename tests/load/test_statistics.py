"""The loader refreshes planner statistics of the tables it loads (the test server runs without
autovacuum: load.statistics)."""

import time

import psycopg

from conftest import fresh_database
from thanrak.load.statistics import refresh_statistics


def _wait_for_counted_changes(conn: psycopg.Connection, table: str, rows: int) -> None:
    """PostgreSQL publishes a session's table counters shortly after its transaction, not at once."""
    for _ in range(100):
        changed = conn.execute(
            "select n_mod_since_analyze from pg_stat_user_tables where relid = %s::regclass", (table,)
        ).fetchone()[0]
        if changed >= rows:
            return
        time.sleep(0.1)
        conn.execute("select pg_stat_clear_snapshot()")
    raise AssertionError(f"{table}: {changed} changes counted, {rows} made")


def test_tables_never_analysed_or_grown_beyond_their_size_are_analysed(pg_server):
    with fresh_database(pg_server) as url, psycopg.connect(url, autocommit=True) as conn:
        conn.execute("create schema raw; create schema elsewhere")
        conn.execute("create table raw.big (n int); create table raw.quiet (n int)")
        conn.execute("create table elsewhere.big (n int)")
        for table in ("raw.big", "elsewhere.big"):
            conn.execute(f"insert into {table} select generate_series(1, 1000)")
        conn.execute("insert into raw.quiet values (1)")  # 50 rows or fewer: never due
        conn.execute("select pg_stat_force_next_flush()")
        for table in ("raw.big", "elsewhere.big", "raw.quiet"):
            _wait_for_counted_changes(conn, table, 1 if table == "raw.quiet" else 1000)

        assert refresh_statistics(conn, ("raw",)) == ["raw.big"]
        estimated = conn.execute("select reltuples from pg_class where oid = 'raw.big'::regclass").fetchone()[
            0
        ]
        assert estimated == 1000
        never = conn.execute(
            "select reltuples from pg_class where oid = 'elsewhere.big'::regclass"
        ).fetchone()[0]
        assert never == -1  # another schema: not the loader's
        conn.execute("select pg_stat_clear_snapshot()")
        assert refresh_statistics(conn, ("raw",)) == []  # analysed: nothing due until it changes again

        # grown by half: the planner scales the row count to the table's size, nothing is due
        conn.execute("insert into raw.big select generate_series(1, 500)")
        conn.execute("select pg_stat_force_next_flush()")
        _wait_for_counted_changes(conn, "raw.big", 500)
        assert refresh_statistics(conn, ("raw",)) == []
        # grown by more than its size since the last ANALYZE: due again
        conn.execute("insert into raw.big select generate_series(1, 600)")
        conn.execute("select pg_stat_force_next_flush()")
        _wait_for_counted_changes(conn, "raw.big", 1100)
        assert refresh_statistics(conn, ("raw",)) == ["raw.big"]
