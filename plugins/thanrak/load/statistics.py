"""Planner statistics of the tables the load writes, refreshed by the loader itself.

PostgreSQL's autovacuum analyses a table once more than 50 + 10 % of its rows changed since the
last ANALYZE, but a server may run without it: the CI and test servers here do
(`autovacuum = off`), and a national survey year (14 M rows) reached dbt never analysed. dbt's
incremental models were then planned for a one-row ops.submission and a one-page raw table, and
one province's resubmission took 17 min instead of seconds. So after each province's batch the
loader applies autovacuum's own rule to the tables of raw, quarantine, dq and ops: a catalog
query when nothing changed enough, an ANALYZE (a sample of 30,000 rows, about a second for the
household survey) where it did.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

LOADED_SCHEMAS = ("raw", "quarantine", "dq", "ops")

# autovacuum's defaults: autovacuum_analyze_threshold and autovacuum_analyze_scale_factor
_THRESHOLD_ROWS = 50
_SCALE_FACTOR = 0.1

_DUE = """
    select stats.schemaname, stats.relname
    from pg_stat_user_tables as stats
    join pg_class as class on class.oid = stats.relid
    where stats.schemaname = any(%(schemas)s)
      and stats.n_mod_since_analyze > %(threshold)s + %(scale)s * greatest(class.reltuples, 0)
      -- ANALYZE needs the table's owner: another role's tables are left to autovacuum
      and pg_has_role(current_user, class.relowner, 'USAGE')
    order by stats.schemaname, stats.relname
"""


def refresh_statistics(conn: psycopg.Connection, schemas: tuple[str, ...] = LOADED_SCHEMAS) -> list[str]:
    """ANALYZE of every table of `schemas` that autovacuum would analyse now; the tables analysed.
    Two batches ending together may both analyse a table: harmless (the second waits for the
    first, then samples again). `conn` must be in autocommit (ANALYZE in the caller's
    transaction would hold its lock to the end)."""
    due = conn.execute(
        _DUE, {"schemas": list(schemas), "threshold": _THRESHOLD_ROWS, "scale": _SCALE_FACTOR}
    ).fetchall()
    for schema, table in due:
        conn.execute(sql.SQL("analyze {}").format(sql.Identifier(schema, table)))
    return [f"{schema}.{table}" for schema, table in due]
