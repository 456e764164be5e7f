"""What each loaded file measures, computed from its rows in raw.* and its manifest row, into
dq.file_metric: rows received, days after the due time (the slot's first file only), each main
amount's total (the contract's observe.sums), each optional column's share of empty values, and
each code column's share of every code. One statement per dataset and kind for all the files
that have no measures yet, so the first night after this was deployed measures the whole
history it judges against.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from thanrak.contract.declarations import DATASETS, Contract, load_contract


def measure_files(conn: psycopg.Connection) -> int:
    """Measures every loaded file that has no measures yet; returns how many files it measured."""
    pending = conn.execute(
        """select submission_id from ops.submission s
           where status = 'loaded'
             and not exists (select from dq.file_metric m where m.submission_id = s.submission_id)"""
    ).fetchall()
    ids = [row[0] for row in pending]
    if not ids:
        return 0
    with conn.transaction():
        conn.execute(_MANIFEST_MEASURES, (ids,))
        for dataset in DATASETS:
            for statement in _row_measures(load_contract(dataset)):
                conn.execute(statement, (ids,))
    return len(ids)


# rows received, and days_late for the first file of a slot: its delivery after the due time,
# the end of the contract's due day of the month after the period, Bangkok time (as the
# completeness mart judges it; negative when early).
_MANIFEST_MEASURES = """
insert into dq.file_metric (submission_id, metric, value)
select s.submission_id, m.metric, m.value
from ops.submission s
join (select dataset, due_day from (values {due_days}) d (dataset, due_day)) d using (dataset)
cross join lateral (values
    ('rows', s.rows_received::float8),
    ('days_late', case when s.revision = 1 then extract(epoch from s.delivered_at - (
        (to_date(s.period || '-01', 'YYYY-MM-DD') + interval '1 month' + d.due_day * interval '1 day')
        ::timestamp at time zone 'Asia/Bangkok')) / 86400 end)
) m (metric, value)
where s.submission_id = any(%s) and m.value is not null
""".format(due_days=", ".join(f"('{d}', {load_contract(d).due_day})" for d in DATASETS))


def _row_measures(contract: Contract) -> list[sql.Composed]:
    """The statements measuring one dataset's files from their loaded rows."""
    table = sql.Identifier("raw", contract.dataset)
    statements = []
    totals = [
        (f"sum:{name}", sql.SQL("sum({})::float8").format(sql.Identifier(name)))
        for name in contract.observed_sums
    ]
    empty = [
        (f"null_share:{c.name}", sql.SQL("avg(({} is null)::int)::float8").format(sql.Identifier(c.name)))
        for c in contract.columns
        if not c.required
    ]
    measures = totals + empty
    if measures:
        statements.append(
            sql.SQL(
                """insert into dq.file_metric (submission_id, metric, value)
                   select r.submission_id, m.metric, m.value
                   from (select submission_id, {columns} from {table} where submission_id = any(%s)
                         group by submission_id) r
                   cross join lateral (values {values}) m (metric, value)
                   where m.value is not null"""
            ).format(
                columns=sql.SQL(", ").join(
                    sql.SQL("{} as {}").format(expression, sql.Identifier(metric))
                    for metric, expression in measures
                ),
                table=table,
                values=sql.SQL(", ").join(
                    sql.SQL("({}, r.{})").format(sql.Literal(metric), sql.Identifier(metric))
                    for metric, _ in measures
                ),
            )
        )
    for column in (c for c in contract.columns if c.type == "code"):
        statements.append(
            sql.SQL(
                """insert into dq.file_metric (submission_id, metric, value)
                   select submission_id, {prefix} || {column},
                          count(*)::float8 / sum(count(*)) over (partition by submission_id)
                   from {table} where submission_id = any(%s) and {column} is not null
                   group by submission_id, {column}"""
            ).format(
                prefix=sql.Literal(f"code_share:{column.name}:"),
                column=sql.Identifier(column.name),
                table=table,
            )
        )
    return statements
