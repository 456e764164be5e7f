"""The `bi` schema (docs/bi.md) and the dashboard queries of docs/bi-queries.sql, run as a login
that is a member of bi_reader on a warehouse with two nights built into it: a small night of
three provinces, then a previous survey year of one province's households (so that poverty
transitions and a second scorecard quarter exist)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import secrets
import uuid
from decimal import Decimal

import psycopg
import pytest
import yaml
from psycopg import sql

from thanrak.contract.declarations import load_contract
from thanrak.demo.generator import generate_night
from thanrak.extract.frame import FileRejected, extract
from thanrak.load.files import LoadResult
from thanrak.load.pseudonyms import Pseudonymiser
from thanrak.nights import BANGKOK_TZ
from thanrak.pipeline import Stages
from thanrak.settings import PROJECT_ROOT, Settings
from thanrak.transform.dbt_build import build_marts

QUERY_FILE = PROJECT_ROOT / "docs" / "bi-queries.sql"
BI_MODELS = PROJECT_ROOT / "dbt_project" / "models" / "bi"
NIGHT = dt.date(2026, 11, 22)
NEXT_NIGHT = NIGHT + dt.timedelta(days=1)
PROVINCES = ["30", "40", "50"]
THAI = re.compile("[\u0e00-\u0e7f]")


def bi_queries() -> dict[str, tuple[str, str]]:
    """name -> (the description lines, the SQL), in the file's order, split at `-- name:`."""
    parts = re.split(r"^-- name: *(\S+) *\n", QUERY_FILE.read_text(encoding="utf-8"), flags=re.M)
    queries = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        lines = body.strip().splitlines()
        comment = "\n".join(line for line in lines if line.startswith("--"))
        query = "\n".join(line for line in lines if not line.startswith("--"))
        queries[name] = (comment, query.strip().rstrip(";"))
    return queries


QUERIES = bi_queries()


def previous_survey_year(url: str, settings: Settings, night: dt.date) -> str:
    """Delivers, for the province with the most surveyed households, the same households one
    survey year earlier (period 2025-11): half of them poorer then, half richer. Returns the
    province."""
    contract = load_contract("bmn_households")
    names = contract.column_names
    with psycopg.connect(url) as conn:
        [province] = conn.execute(
            "select province_code from marts.fct_bmn_household group by 1 order by count(*) desc limit 1"
        ).fetchone()
        rows = conn.execute(
            sql.SQL("select {} from raw.bmn_households r join ops.submission s using (submission_id) "
                    "where s.province_code = %s and s.status = 'loaded' order by source_row").format(
                sql.SQL(", ").join(sql.Identifier(n) for n in names)
            ),
            (province,),
        ).fetchall()  # fmt: skip
    # The warehouse holds keyed pseudonyms: the office sends the household hashes it sent before.
    pseudonymiser = Pseudonymiser.from_settings(settings)
    sent_before = {}
    for path in (settings.landing_dir / province / "bmn_households").rglob("*.*"):
        try:
            frame = extract(path.read_bytes(), path.name, contract).frame
        except FileRejected:
            continue
        sent_before |= {pseudonymiser.one(h): h for h in frame["household_hash"].dropna()}
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    out.writerow([c.th for c in contract.columns])
    for index, values in enumerate(rows):
        row = dict(zip(names, values, strict=True))
        row["household_hash"] = sent_before[row["household_hash"]]
        factor = Decimal("0.4") if index % 2 else Decimal("1.3")
        row["survey_year"] = row["survey_year"] - 1
        row["income_per_person_baht"] = (row["income_per_person_baht"] * factor).quantize(Decimal("0.01"))
        row["household_income_baht"] = None  # optional; else it must equal income per person x members
        cells = []
        for column in contract.columns:
            value = row[column.name]
            if column.type == "flag" and value is not None:
                value = "ผ่าน" if value else "ไม่ผ่าน"
            cells.append("" if value is None else str(value))
        out.writerow(cells)
    path = (
        settings.landing_dir / province / "bmn_households" / "2025-11" / f"bmn_households_{province}_2568.csv"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    stamp = dt.datetime.combine(night, dt.time(18, 30), BANGKOK_TZ).timestamp()
    os.utime(path, (stamp, stamp))
    return province


def run_night(stages: Stages, night: dt.date) -> list[LoadResult]:
    return [
        stages.load("test", night, stages.validate("test", night, stages.extract("test", night, s))).loaded
        for s in stages.discover("test", night)
    ]


@pytest.fixture(scope="module")
def built(warehouse, tmp_path_factory) -> str:
    settings = Settings.in_folder(tmp_path_factory.mktemp("var"), warehouse)
    generate_night(settings.landing_dir, NIGHT, provinces=PROVINCES, scale=0.05, file_defects=1)
    stages = Stages(warehouse, settings)
    run_night(stages, NIGHT)
    build_marts(warehouse, settings)
    previous_survey_year(warehouse, settings, NEXT_NIGHT)
    loaded = run_night(stages, NEXT_NIGHT)
    assert [r.status for r in loaded] == ["loaded"], loaded
    build_marts(warehouse, settings)
    return warehouse


@pytest.fixture(scope="module")
def login(built):
    """connect(*roles): a connection as a new LOGIN role that is a member of the given roles;
    the roles are dropped at the end."""
    made: list[str] = []
    connections: list[psycopg.Connection] = []

    def connect(*roles: str) -> psycopg.Connection:
        name, password = f"thanrak_test_bi_{uuid.uuid4().hex[:8]}", secrets.token_urlsafe(16)
        with psycopg.connect(built, autocommit=True) as admin:
            admin.execute(
                sql.SQL("create role {} login password {} in role {}").format(
                    sql.Identifier(name),
                    sql.Literal(password),
                    sql.SQL(", ").join(map(sql.Identifier, roles)),
                )
            )
        made.append(name)
        conn = psycopg.connect(built, user=name, password=password, autocommit=True)
        connections.append(conn)
        return conn

    yield connect
    for conn in connections:
        conn.close()
    with psycopg.connect(built, autocommit=True) as admin:
        for name in made:
            admin.execute(sql.SQL("drop owned by {}").format(sql.Identifier(name)))
            admin.execute(sql.SQL("drop role {}").format(sql.Identifier(name)))


@pytest.fixture(scope="module")
def bi_reader(login) -> psycopg.Connection:
    return login("bi_reader")


def bi_views(url: str) -> dict[str, list[str]]:
    """view -> its columns in order, for every relation of schema bi."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """select table_name, column_name from information_schema.columns
               where table_schema = 'bi' order by table_name, ordinal_position"""
        ).fetchall()
    views: dict[str, list[str]] = {}
    for view, column in rows:
        views.setdefault(view, []).append(column)
    return views


def run(conn: psycopg.Connection, name: str) -> list[tuple]:
    return conn.execute(QUERIES[name][1]).fetchall()


def test_the_query_file_has_at_least_eight_named_and_described_queries():
    assert len(QUERIES) >= 8
    assert len(set(QUERIES)) == len(QUERIES)
    for name, (comment, query) in QUERIES.items():
        assert re.fullmatch(r"[a-z0-9-]+", name), name
        assert THAI.search(comment) and re.search("[A-Za-z]{4}", comment), (
            f"{name}: describe it in Thai and English"
        )
        assert query.lower().lstrip().startswith(("select", "with")), name
        assert ";" not in query, f"{name}: one statement per query"


@pytest.mark.parametrize("name", list(QUERIES))
def test_each_dashboard_query_runs_as_bi_reader_and_returns_rows(bi_reader, name):
    assert run(bi_reader, name), f"{name} returned no rows"


def test_every_bi_model_is_a_view_in_schema_bi_that_bi_reader_reads(built, bi_reader):
    models = {path.stem for path in BI_MODELS.glob("*.sql")}
    views = bi_views(built)
    assert set(views) == models
    with psycopg.connect(built) as conn:
        options = dict(
            conn.execute(
                "select relname, relkind::text || coalesce(array_to_string(reloptions, ','), '') "
                "from pg_class where relnamespace = 'bi'::regnamespace and relkind in ('r', 'v', 'm')"
            ).fetchall()
        )
    assert options == dict.fromkeys(models, "vsecurity_invoker=true")
    for view in sorted(models):
        bi_reader.execute(sql.SQL("select * from bi.{} limit 5").format(sql.Identifier(view))).fetchall()


def test_every_bi_view_and_column_is_documented_in_english_and_thai(built):
    documented = {
        m["name"]: m
        for path in sorted(BI_MODELS.glob("*.yml"))  # one YAML per view, beside its SQL
        for m in yaml.safe_load(path.read_text()).get("models") or []
    }
    views = bi_views(built)
    assert set(documented) == set(views)
    for view, columns in views.items():
        model = documented[view]
        assert model["config"]["contract"]["enforced"] is True, view
        assert model["description"] and THAI.search(model["config"]["meta"]["label_th"]), view
        assert [c["name"] for c in model["columns"]] == columns, view
        for column in model["columns"]:
            assert column.get("data_type"), f"{view}.{column['name']}"
            # English in `description`, Thai (and the labels) in config.meta: macros/labels.sql
            meta = column["config"]["meta"]
            assert column["description"] and meta["label_en"], f"{view}.{column['name']}"
            assert THAI.search(meta["label_th"]), f"{view}.{column['name']}"


def relations_and_columns(url: str) -> dict[tuple[str, str, str | None], str | None]:
    """(schema, relation, column) -> its comment, for every table and view of marts and bi and
    each of their columns; the relation's own comment under column None."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """with relations as (
                   select c.oid, n.nspname, c.relname from pg_class c
                   join pg_namespace n on n.oid = c.relnamespace
                   where n.nspname in ('marts', 'bi') and c.relkind in ('r', 'p', 'v', 'm')
               )
               select nspname, relname, null, obj_description(oid, 'pg_class') from relations
               union all
               select nspname, relname, attname::text, col_description(oid, attnum)
               from relations join pg_attribute on attrelid = oid and attnum > 0 and not attisdropped"""
        ).fetchall()
    return {(schema, relation, column): comment for schema, relation, column, comment in rows}


def label_views(conn: psycopg.Connection) -> dict[tuple[str, str, str | None], tuple[str, ...]]:
    """(schema, relation, column) -> (label_th, label_en, description_th, description_en), from
    bi.table_labels (column None) and bi.column_labels."""
    texts = "label_th, label_en, description_th, description_en"
    tables = conn.execute(f"select schema_name, table_name, null, {texts} from bi.table_labels")
    columns = conn.execute(f"select schema_name, table_name, column_name, {texts} from bi.column_labels")
    return {(s, t, c): tuple(rest) for s, t, c, *rest in [*tables, *columns]}


def one_string(label_th: str, label_en: str, description_th: str, description_en: str) -> str:
    """A comment as macros/labels.sql writes it: Thai, then English, each "label: description"
    (the description alone where it starts with the label)."""
    halves = [
        description if description.lower().startswith(label.lower()) else f"{label}: {description}"
        for label, description in ((label_th, description_th), (label_en, description_en))
    ]
    return " / ".join(halves)


def test_every_table_view_and_column_of_marts_and_bi_carries_its_labels_as_a_comment(built):
    """persist_docs (dbt_project.yml, macros/labels.sql) after two builds, the second of them
    incremental: every relation of marts and bi (seeds too) and every column has a comment, Thai
    first, made of the same texts as the label views."""
    comments = relations_and_columns(built)
    with psycopg.connect(built) as conn:
        labels = label_views(conn)
    assert ("marts", "fct_bmn_household", "income_per_person_baht") in comments
    assert [key for key, comment in comments.items() if not (comment or "").strip()] == []
    assert {key: comment for key, comment in comments.items() if comment != one_string(*labels[key])} == {}
    assert (
        comments[("marts", "fct_otop_sales", "revenue_baht")]
        == "ยอดจำหน่าย (บาท) / Revenue (baht): Sales in baht"
    )


def test_the_label_views_name_every_column_of_marts_and_bi_in_thai_and_english(built, bi_reader, login):
    """bi.column_labels and bi.table_labels, read as bi_reader (and as a provincial reader: they
    hold no province's rows): a Thai and an English label and description for every table, view
    and column of marts and bi, and nothing else."""
    labels = label_views(bi_reader)
    assert set(labels) == set(relations_and_columns(built))
    latin = re.compile("[A-Za-z]")
    for key, (label_th, label_en, description_th, description_en) in labels.items():
        assert THAI.search(label_th) and THAI.search(description_th), key
        assert latin.search(label_en) and not THAI.search(label_en), key
        assert latin.search(description_en), key
    assert labels[("bi", "scorecard", "attainment")][:2] == ("ผลสัมฤทธิ์เทียบเป้าหมาย", "Attainment")
    assert label_views(login(f"thanrak_province_reader_{PROVINCES[0]}")) == labels


def test_exposures_depend_only_on_bi_views():
    exposures = yaml.safe_load((BI_MODELS / "_exposures.yml").read_text())["exposures"]
    models = {path.stem for path in BI_MODELS.glob("*.sql")}
    assert len(exposures) >= 3
    for exposure in exposures:
        assert exposure["type"] == "dashboard" and exposure["owner"]["name"]
        refs = {re.fullmatch(r"ref\('(\w+)'\)", d).group(1) for d in exposure["depends_on"]}
        assert refs <= models, exposure["name"]


def test_otop_sales_by_channel_add_up_to_the_fact_table(built, bi_reader):
    by_channel = run(bi_reader, "otop-sales-by-channel")
    with psycopg.connect(built) as conn:
        expected = dict(
            conn.execute(
                """select d.fiscal_year_be, sum(f.revenue_baht) from marts.fct_otop_sales f
                   join marts.dim_date d on d.date_key = f.date_key group by 1"""
            ).fetchall()
        )
        [(total,)] = conn.execute("select sum(revenue_baht) from marts.fct_otop_sales").fetchall()
    totals: dict[int, Decimal] = {}
    for fiscal_year, *_, revenue, _units, _share in by_channel:
        totals[fiscal_year] = totals.get(fiscal_year, Decimal(0)) + revenue
    assert totals == expected
    assert sum(totals.values()) == total > 0
    assert {row[1] for row in by_channel} <= {"shop", "fair", "online", "otop_city", "export"}


# The aggregate marts the bi views read (docs/bi.md, "Aggregate marts"): aggregate -> its fact, the
# column both are split by (aggregate's, fact's), and each measure: summed over the aggregate's
# rows, and computed from the fact's rows.
ADDING_UP = {
    "fct_otop_sales_monthly": ("fct_otop_sales", ("date_key", "date_key"), {
        "revenue_baht": "sum(revenue_baht)",
        "units_sold": "sum(units_sold)",
        "sales_rows": "count(*)",
    }),
    "fct_plot_progress_monthly": ("fct_plot_progress", ("date_key", "date_key"), {
        "plots_reporting": "count(*)",
        "plots_with_progress": "count(progress_pct)",
        "progress_pct_sum": "sum(progress_pct)",
        "plots_complete": "count(*) filter (where progress_pct >= 100)",
        "workers_hired": "sum(workers_hired)",
        "wages_baht": "sum(wages_baht)",
        "spend_baht": "sum(spend_baht)",
        "produce_value_baht": "sum(produce_value_baht)",
    }),
    "fct_budget_disbursement_monthly": ("fct_budget_disbursement", ("date_key", "date_key"), {
        "allocated_baht": "sum(allocated_baht)",
        "committed_baht": "sum(committed_baht)",
        "disbursed_baht": "sum(disbursed_baht)",
        "returned_baht": "sum(returned_baht)",
    }),
    "fct_poverty_transitions_by_amphoe": ("fct_poverty_transitions", ("transition", "transition"), {
        "households": "count(*)",
    }),
    "fct_activities_monthly": ("fct_activities", ("date_key", "date_trunc('month', date_key)::date"), {
        "activities": "count(*)",
        "participants": "sum(participants)",
        "households_reached": "sum(households_reached)",
        "budget_baht": "sum(budget_baht)",
        "disbursed_baht": "sum(disbursed_baht)",
    }),
    "fct_activities_yearly": ("fct_activities_monthly", ("fiscal_year_be", "fiscal_year_be"), {
        "activities": "sum(activities)",
        "participants": "sum(participants)",
        "households_reached": "sum(households_reached)",
        "budget_baht": "sum(budget_baht)",
        "disbursed_baht": "sum(disbursed_baht)",
    }),
    "fct_dq_rules_nightly": ("fct_dq_rule_results", ("delivery_night", "delivery_night"), {
        "files_checked": "count(*)",
        "files_failing": "count(*) filter (where failed)",
        "failed_rows": "sum(failed_rows)",
        "rows_evaluated": "sum(rows_evaluated)",
    }),
}  # fmt: skip


@pytest.mark.parametrize("aggregate", list(ADDING_UP))
def test_each_aggregate_mart_adds_up_to_its_fact(built, aggregate):
    fact, (split, fact_split), measures = ADDING_UP[aggregate]
    with psycopg.connect(built) as conn:
        in_aggregate = conn.execute(
            f"select province_code, {split}, {', '.join(f'sum({m})' for m in measures)} "
            f"from marts.{aggregate} group by 1, 2 order by 1, 2"
        ).fetchall()
        in_fact = conn.execute(
            f"select province_code, {fact_split}, {', '.join(measures.values())} "
            f"from marts.{fact} group by 1, 2 order by 1, 2"
        ).fetchall()
    assert in_aggregate and in_aggregate == in_fact


def test_activities_by_gear_from_the_yearly_view_equals_counting_the_activities(bi_reader):
    """The activities-by-gear query reads bi.activities_yearly; counted from bi.activities, one
    row per activity, it gives the same rows."""
    from_activities = bi_reader.execute(
        """select gear_code, gear_name_th, programme_th, programme_en, count(*), sum(participants),
                  sum(households_reached), sum(budget_baht), sum(disbursed_baht)
           from bi.activities
           where fiscal_year_be = (select max(fiscal_year_be) from bi.activities)
           group by gear_code, gear_name_th, programme_code, programme_th, programme_en"""
    ).fetchall()
    rows = run(bi_reader, "activities-by-gear")
    assert rows and sorted(rows) == sorted(from_activities)
    assert "bi.activities_yearly" in QUERIES["activities-by-gear"][1]


def test_households_below_threshold_add_up_to_the_household_fact(built, bi_reader):
    rows = run(bi_reader, "households-below-threshold")
    with psycopg.connect(built) as conn:
        [(year, households, below)] = conn.execute(
            """select survey_year_be, count(*), count(*) filter (where is_below_threshold)
               from marts.fct_bmn_household
               where survey_year_be = (select max(survey_year_be) from marts.fct_bmn_household)
               group by 1"""
        ).fetchall()
    assert {r[3] for r in rows} == {year}
    assert sum(r[4] for r in rows) == households
    assert sum(r[5] for r in rows) == below


def test_poverty_transitions_count_every_household_followed(built, bi_reader):
    rows = run(bi_reader, "poverty-transitions")
    with psycopg.connect(built) as conn:
        followed = dict(
            conn.execute("select transition, count(*) from marts.fct_poverty_transitions group by 1")
        )
    assert {(r[2], r[3]) for r in rows} == {(2568, 2569)}
    by_label = {r[5]: r[6] for r in rows}
    assert sum(by_label.values()) == sum(followed.values()) > 0
    assert by_label["Lifted above the threshold"] == followed.get("lifted_above", 0)


@pytest.mark.parametrize("table", ["fct_bmn_village_item_counts", "fct_poverty_transitions"])
def test_a_survey_aggregate_row_counted_twice_is_refused(built, table):
    """The unique index on the aggregate's grain (test_marts.py) refuses a row written twice."""
    with psycopg.connect(built) as conn:
        assert conn.execute(f"select count(*) from marts.{table}").fetchone()[0] > 0
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(f"insert into marts.{table} select * from marts.{table} limit 1")


def test_disbursement_rate_matches_the_fact_table(built, bi_reader):
    rows = run(bi_reader, "disbursement-rate")
    with psycopg.connect(built) as conn:
        [(allocated, disbursed)] = conn.execute(
            """select sum(allocated_baht), sum(disbursed_baht) from marts.fct_budget_disbursement f
               join marts.dim_date d on d.date_key = f.date_key
               where d.fiscal_year_be = (select max(fiscal_year_be) from marts.dim_date
                                         where date_key in (select date_key from marts.fct_budget_disbursement))"""
        ).fetchall()
    assert sum(r[4] for r in rows) == allocated
    assert sum(r[5] for r in rows) == disbursed
    assert all(r[6] is None or Decimal(0) <= r[6] for r in rows)


def test_the_scorecard_has_the_latest_quarter_for_every_cdd_province(bi_reader):
    rows = run(bi_reader, "scorecard-latest-quarter")
    assert len({r[0] for r in rows}) == 76
    quarters = bi_reader.execute("select count(distinct fiscal_quarter_label) from bi.gear_trends").fetchone()
    assert quarters == (2,)  # the survey year before brings an earlier quarter


def test_a_provincial_reader_sees_only_its_province_through_the_bi_views(login):
    province = PROVINCES[0]
    conn = login(f"thanrak_province_reader_{province}")
    for view in (
        "otop_sales_monthly",
        "plot_progress_monthly",
        "budget_disbursement",
        "households_below_threshold",
        "activities",
        "activities_monthly",
        "activities_yearly",
        "scorecard",
        "deliveries",
    ):
        seen = {
            p
            for (p,) in conn.execute(
                sql.SQL("select distinct province_code from bi.{}").format(sql.Identifier(view))
            )
        }
        assert seen == {province}, view


def test_an_amphoe_code_is_the_start_of_its_tambon_codes(built):
    """bi.households_below_threshold takes the amphoe from the tambon code, without a join."""
    with psycopg.connect(built) as conn:
        [(mismatches,)] = conn.execute(
            "select count(*) from marts.dim_area where amphoe_code <> left(area_key, 4)"
        ).fetchall()
    assert mismatches == 0
