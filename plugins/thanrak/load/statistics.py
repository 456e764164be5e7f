"""Planner statistics of the tables the load writes, refreshed by the loader itself.

A server may run without autovacuum: the CI and test servers here do (`autovacuum = off`), and a
national survey year (14 M rows) reached dbt never analysed. dbt's incremental models were then
planned for a one-row ops.submission and a one-page raw table, and one province's resubmission
took 17 min instead of seconds. So after each province's batch the loader analyses the tables of
raw, quarantine, dq and ops that need it.

Which need it: autovacuum's rule (50 rows + a share of the table changed since the last ANALYZE)
with a share of 1 instead of its 0.1. The planner scales a table's row count to the table's size
on disk at planning time, so once a table has been analysed its estimates follow its growth; what
ages is the columns' distributions, and a night's files change those little. The fatal case is a
table never analysed, or one that has grown many times over since. With autovacuum's 0.1, a
survey year's first night analysed raw.bmn_households 21 times (0.4 s each at 1 % of national
scale): 10.6 s of the two workers' time in a 19 s night. Where autovacuum runs, it keeps its own
finer rule as well.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

LOADED_SCHEMAS = ("raw", "quarantine", "dq", "ops")

# autovacuum_analyze_threshold's default, and a table's worth of changes (autovacuum: 0.1)
_THRESHOLD_ROWS = 50
_SCALE_FACTOR = 1.0

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
    """ANALYZE of every table of `schemas` changed by more than 50 rows and its own size since its
    last ANALYZE (or never analysed); the tables analysed.
    Two batches ending together may both analyse a table: harmless (the second waits for the
    first, then samples again). `conn` must be in autocommit (ANALYZE in the caller's
    transaction would hold its lock to the end)."""
    due = conn.execute(
        _DUE, {"schemas": list(schemas), "threshold": _THRESHOLD_ROWS, "scale": _SCALE_FACTOR}
    ).fetchall()
    for schema, table in due:
        conn.execute(sql.SQL("analyze {}").format(sql.Identifier(schema, table)))
    return [f"{schema}.{table}" for schema, table in due]
