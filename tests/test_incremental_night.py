"""Incremental nights: after one province resubmits two files (activities and its household
survey), the night's dbt build selects only those datasets, what reads them and the delivery and
data-quality marts; the survey's aggregates recount that province only; and every marts.* and
bi.* relation then equals a `dbt build --full-refresh` of the same state. A night without files
builds only the marts the submission manifest and validation results feed. Through the night's
build and a full one, every relation keeps its OID (the project's materializations,
macros/materializations/keep_dependents.sql) and a reader of the bi views never fails."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import threading

import psycopg
import pytest

from support.measures import MEASURES_OF
from support.nights import ingest_night
from thanrak.demo.generator import generate_night
from thanrak.nights import BANGKOK_TZ
from thanrak.pipeline import Stages
from thanrak.settings import Settings
from thanrak.transform.dbt_build import run_dbt

# Four provinces, so that one resubmitting is a quarter of them: few enough for the survey
# aggregates to plan for a few provinces' rows (macros/province_increments.sql).
PROVINCES = ["40", "57", "58", "91"]
RESUBMITTING = "40"
FIRST_NIGHT = dt.date(2026, 10, 3)
RESUBMISSION_NIGHT = dt.date(2026, 10, 4)
EMPTY_NIGHT = dt.date(2026, 10, 5)
FACT_OF = {
    "activities": "fct_activities",
    "otop_sales": "fct_otop_sales",
    "knn_plot_progress": "fct_plot_progress",
    "budget_disbursement": "fct_budget_disbursement",
    "bmn_households": "fct_bmn_household",
    "smart_tambon": "fct_smart_tambon_levels",
    "pracharath_meetings": "fct_pracharath_meetings",
    "pracharath_projects": "fct_pracharath_projects",
    "knn_activities": "fct_knn_activities",
    "otop_ratings": "fct_otop_rating",
}


# A row as text, but for when it was built (the facts' built_at differs after a full refresh).
ROW = "(to_jsonb(t) - 'built_at')::text"


def snapshot(url: str) -> dict[str, tuple[int, str]]:
    """Row count and a digest of the ordered rows of every relation in marts and bi."""
    with psycopg.connect(url) as conn:
        relations = conn.execute(
            """select table_schema || '.' || table_name from information_schema.tables
               where table_schema in ('marts', 'bi') order by 1"""
        ).fetchall()
        return {
            name: conn.execute(
                f"select count(*), md5(coalesce(string_agg({ROW}, '|' order by {ROW}), '')) from {name} t"
            ).fetchone()
            for (name,) in relations
        }


def relation_oids(url: str) -> dict[str, int]:
    """The OID of every table and view dbt builds (staging, intermediate, marts, bi)."""
    with psycopg.connect(url) as conn:
        return dict(
            conn.execute(
                """select n.nspname || '.' || c.relname, c.oid::int from pg_class c
                   join pg_namespace n on n.oid = c.relnamespace
                   where n.nspname in ('staging', 'intermediate', 'marts', 'bi') and c.relkind in ('r', 'v')"""
            ).fetchall()
        )


def access_and_labels(url: str) -> dict[str, tuple]:
    """Per relation of marts and bi: its grants, options (security_invoker), row-level security
    and policies, comments, and its indexes' definitions without their names (dbt's index names
    hold a timestamp)."""
    with psycopg.connect(url) as conn:
        return {
            name: rest
            for name, *rest in conn.execute(
                """select n.nspname || '.' || c.relname,
                          (select array_agg(a::text order by a::text) from unnest(c.relacl) a),
                          c.reloptions, c.relrowsecurity,
                          (select array_agg(p.polname || ' ' || pg_get_expr(p.polqual, p.polrelid)
                                            order by p.polname) from pg_policy p where p.polrelid = c.oid),
                          obj_description(c.oid, 'pg_class'),
                          (select array_agg(col_description(c.oid, a.attnum) order by a.attnum)
                           from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped),
                          (select array_agg(d.definition order by d.definition)
                           from (select regexp_replace(i.indexdef, 'INDEX \\S+ ON', 'INDEX ON') as definition
                                 from pg_indexes i where i.schemaname = n.nspname and i.tablename = c.relname) d)
                   from pg_class c join pg_namespace n on n.oid = c.relnamespace
                   where n.nspname in ('marts', 'bi') and c.relkind in ('r', 'v')"""
            ).fetchall()
        }


class BiReader(threading.Thread):
    """Queries every bi view, one after the other, until stopped; keeps every error. What a
    dashboard does while the night's build runs."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.stop, self.queries, self.errors = url, threading.Event(), 0, []

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            views = [
                v for (v,) in conn.execute("select 'bi.' || viewname from pg_views where schemaname = 'bi'")
            ]
            while not self.stop.is_set():
                for view in views:
                    try:
                        conn.execute(f"select * from {view} limit 1").fetchall()
                        self.queries += 1
                    except psycopg.Error as error:
                        self.errors.append(f"{view}: {str(error).splitlines()[0]}")

    def __enter__(self) -> BiReader:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.join()


# Tables rebuilt one province at a time (dbt_project/macros/province_increments.sql).
REBUILT_BY_PROVINCE = [
    "marts.fct_bmn_village_item_counts",
    "marts.fct_bmn_amphoe_summary",
    "marts.fct_bmn_province_items",
    "marts.fct_poverty_transitions",
    "intermediate.int_bmn_households_by_quarter",
]


def row_versions(url: str) -> dict[tuple[str, str], set[str]]:
    """(table, province) -> the transaction ids that wrote its rows (xmin): rows left alone by a
    build keep theirs."""
    with psycopg.connect(url) as conn:
        return {
            (table, province): set(xmins)
            for table in REBUILT_BY_PROVINCE
            for province, xmins in conn.execute(
                f"select province_code, array_agg(distinct xmin::text) from {table} group by province_code"
            ).fetchall()
        }


def last_build(settings: Settings) -> list[str]:
    """The unique ids of the nodes the last dbt build ran (model.thanrak.<name>, test..., ...)."""
    results = json.loads((settings.dbt_target_dir / "run_results.json").read_text())
    return [r["unique_id"] for r in results["results"]]


def built_kinds(settings: Settings) -> set[str]:
    """The kinds of node (model, test, unit_test, ...) the last dbt build ran."""
    return {uid.split(".")[0] for uid in last_build(settings)}


def built_models(settings: Settings) -> set[str]:
    """The names of the models the last dbt build ran."""
    return {uid.split(".")[2] for uid in last_build(settings) if uid.startswith("model.")}


@pytest.fixture(scope="module")
def nights(warehouse, tmp_path_factory):
    settings = Settings.in_folder(tmp_path_factory.mktemp("var"), warehouse)
    stages = Stages(warehouse, settings)
    generated = generate_night(
        settings.landing_dir, FIRST_NIGHT, provinces=PROVINCES, scale=0.05, file_defects=0, xlsx_share=0
    )
    ingest_night(stages, FIRST_NIGHT)
    first = stages.build_marts("night-1", FIRST_NIGHT)
    kinds = [built_kinds(settings)]
    after_first = snapshot(warehouse)
    oids = {"night-1": relation_oids(warehouse)}

    versions_after_first = row_versions(warehouse)

    # Province 40 resubmits its activities and survey files, one row shorter, the next night.
    stamp = dt.datetime.combine(RESUBMISSION_NIGHT, dt.time(18, 30), BANGKOK_TZ).timestamp()
    for dataset in ("activities", "bmn_households"):
        original = settings.landing_dir / next(
            k for k in generated.files if k.startswith(f"{RESUBMITTING}/{dataset}/")
        )
        resubmitted = original.with_name(f"{original.stem}_แก้ไข{original.suffix}")
        resubmitted.write_bytes(b"".join(original.read_bytes().splitlines(keepends=True)[:-1]))
        os.utime(resubmitted, (stamp, stamp))
    ingest_night(stages, RESUBMISSION_NIGHT)
    dbt_log = settings.var_dir / "dbt" / "logs" / "dbt.log"
    logged_before = dbt_log.stat().st_size
    with BiReader(warehouse) as night_reader, pytest.MonkeyPatch.context() as env:
        env.setenv("DBT_LOG_FILE_MAX_BYTES", "0")  # the night's log in one file: not rolled over
        second = stages.build_marts("night-2", RESUBMISSION_NIGHT)
    with dbt_log.open("rb") as log:
        log.seek(logged_before)
        second_dbt_log = log.read().decode()
    kinds.append(built_kinds(settings))
    second_models = built_models(settings)
    incremental = snapshot(warehouse)
    oids["night-2"] = relation_oids(warehouse)
    versions_incremental = row_versions(warehouse)
    data_docs = stages.build_data_docs("night-2", RESUBMISSION_NIGHT)

    # A full build (every node, as `--full-build` runs it): tables and views replaced in place.
    with BiReader(warehouse) as full_build_reader:
        outcome = run_dbt(warehouse, ["build"], settings)
    assert outcome.success, outcome.failures
    full_build = snapshot(warehouse)
    oids["full build"] = relation_oids(warehouse)
    in_place = access_and_labels(warehouse)

    # dbt's own materializations: a full refresh rebuilds every table (drop cascade and all).
    outcome = run_dbt(warehouse, ["build", "--full-refresh"], settings)
    assert outcome.success, outcome.failures
    full_refresh = snapshot(warehouse)
    rebuilt = access_and_labels(warehouse)

    ingest_night(stages, EMPTY_NIGHT)
    third = stages.build_marts("night-3", EMPTY_NIGHT)
    third_models = built_models(settings)
    with psycopg.connect(warehouse) as conn:
        logged = dict(
            conn.execute("select run_id, detail from ops.run_log where stage = 'build_marts'").fetchall()
        )
    return {
        "results": [first, second, third],
        "logged": logged,
        "after_first": after_first,
        "incremental": incremental,
        "versions": (versions_after_first, versions_incremental),
        "full_refresh": full_refresh,
        "full_build": full_build,
        "oids": oids,
        "readers": {"night-2": night_reader, "full build": full_build_reader},
        "access_and_labels": (in_place, rebuilt),
        "data_docs": data_docs,
        "second_models": second_models,
        "second_dbt_log": second_dbt_log,
        "third_models": third_models,
        "kinds": kinds,
        "settings": settings,
        "url": warehouse,
    }


def test_the_first_build_of_a_project_is_full(nights):
    assert nights["results"][0]["selection"] == "full"
    assert (
        nights["logged"]["night-1"]["selection_reason"] == "no successful build of this dbt project recorded"
    )


def test_a_resubmission_night_selects_only_its_datasets(nights):
    assert nights["results"][1]["selection"] == ["activities", "bmn_households"]
    assert nights["results"][1]["nodes"] < nights["results"][0]["nodes"]


def test_unit_tests_run_in_a_full_build_only(nights):
    """A unit test's result depends on the project's code alone: the first (full) build of the
    project ran them, a night's selection of the same project does not run them again."""
    first, second = nights["kinds"]
    assert {"model", "test", "unit_test"} <= first
    assert {"model", "test"} <= second and "unit_test" not in second


def test_marts_built_incrementally_equal_a_full_refresh(nights):
    assert nights["incremental"] == nights["full_refresh"]


def test_every_relation_keeps_its_oid_through_a_night_and_a_full_build(nights):
    """The views over the marts and over other views are never dropped: the tables' rows and the
    views' queries are replaced in place (macros/materializations/keep_dependents.sql)."""
    oids = nights["oids"]
    assert any(name.startswith("bi.") for name in oids["night-1"])
    assert oids["night-2"] == oids["night-1"]
    assert oids["full build"] == oids["night-1"]


def test_readers_of_the_bi_views_never_fail_during_a_build(nights):
    for build, reader in nights["readers"].items():
        assert reader.queries > 0, build
        assert reader.errors == [], build


def test_tables_replaced_in_place_equal_a_full_refresh(nights):
    """The rows of a full build in place are a full refresh's (dbt's own materializations), and
    so are the grants, security_invoker, row-level security, comments and indexes."""
    assert nights["full_build"] == nights["full_refresh"]
    in_place, rebuilt = nights["access_and_labels"]
    assert in_place == rebuilt


def test_the_resubmission_changed_the_marts_it_should(nights):
    """Guards the test above: the resubmitted datasets' facts, the survey's aggregates and the
    delivery marts changed, the other datasets' facts did not (they were not rebuilt, and need
    not be)."""
    before, after = nights["after_first"], nights["incremental"]
    changed = {name for name in after if before.get(name) != after[name]}
    assert {
        "marts.fct_activities",
        "marts.fct_bmn_household",
        "marts.fct_bmn_village_summary",
        "marts.fct_bmn_amphoe_summary",
        "marts.fct_dq_deliveries",
        "marts.dim_submission",
    } <= changed
    resubmitted = {"fct_activities", "fct_bmn_household"}
    assert not {f"marts.{fact}" for fact in set(FACT_OF.values()) - resubmitted} & changed


def test_a_resubmission_night_recomputes_only_its_datasets_scorecard_measures(nights):
    """Activities and the survey got files: their measures were rebuilt, and the scorecard with
    them; the OTOP, plot and budget measures were not (their tables are the first night's)."""
    built = nights["second_models"]
    assert {MEASURES_OF["activities"], MEASURES_OF["bmn_households"]} <= built
    assert {"int_scorecard_measures_by_quarter", "fct_scorecard"} <= built
    assert not {MEASURES_OF[d] for d in ("otop_sales", "knn_plot_progress", "budget_disbursement")} & built


def test_the_survey_aggregates_recount_only_the_resubmitting_province(nights):
    """The other provinces sent nothing new: their rows of every table rebuilt by province are
    the very rows the first night wrote; province 40's were all written again."""
    before, after = nights["versions"]
    assert with_rows(after) == set(REBUILT_BY_PROVINCE) - {"marts.fct_poverty_transitions"}
    for table in with_rows(after):
        for province in set(PROVINCES) - {RESUBMITTING}:
            assert after[table, province] == before[table, province], (table, province)
        assert not after[table, RESUBMITTING] & before[table, RESUBMITTING], table


def with_rows(versions: dict[tuple[str, str], set[str]]) -> set[str]:
    """The tables rebuilt by province that hold rows. One survey year: no household is followed
    to a next year, so no transitions (test_marts.py has them)."""
    return {table for table, _ in versions}


# dbt's log file holds each statement it sent, after a line "On model.thanrak.<model>: ".
FEW_PROVINCES_PLAN = re.compile(
    r"On model\.thanrak\.(\w+): [^\n]*\n\s*set local enable_seqscan = off; set local jit = off"
)


def test_one_province_of_four_resubmitting_is_planned_for_a_few_provinces_rows(nights):
    """plan_for_few_provinces(): a quarter of the provinces outdated (one of the four), each survey
    aggregate that recounts it plans its transaction for a few provinces' rows (the result equals
    a full refresh: test_marts_built_incrementally_equal_a_full_refresh). The transitions, with no
    rows, recount all four provinces and are planned as usual."""
    planned = set(FEW_PROVINCES_PLAN.findall(nights["second_dbt_log"]))
    assert planned == {table.split(".")[1] for table in with_rows(nights["versions"][1])}


def test_a_night_without_files_builds_only_what_the_manifest_and_validations_feed(nights):
    third = nights["results"][2]
    assert third["selection"] == []
    built = nights["third_models"]
    assert {"fct_dq_completeness", "fct_dq_deliveries", "fct_dq_rule_results", "fct_scorecard"} <= built
    assert {"int_scorecard_delivery_measures", "int_scorecard_measures_by_quarter"} <= built
    assert not set(FACT_OF.values()) & built
    assert not set(MEASURES_OF.values()) & built  # the facts' measures are read, not recomputed


def test_data_docs_cover_only_the_datasets_with_files_that_night(nights):
    assert nights["data_docs"]["validations"] == 2  # the night's two files


def test_a_full_build_is_one_flag_away(nights, monkeypatch):
    from thanrak.transform.dbt_build import night_selection

    with psycopg.connect(nights["url"]) as conn:
        assert night_selection(conn, EMPTY_NIGHT, nights["settings"], full=True).full
        monkeypatch.setenv("THANRAK_DBT_FULL", "1")
        assert night_selection(conn, EMPTY_NIGHT, nights["settings"]).select() == []
