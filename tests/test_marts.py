"""The star schema as dbt builds it: incremental facts equal a full refresh, the marts reconcile
with the accepted rows of the files in force, the scorecard covers every province and gear, and
the dbt docs are complete and work offline.

Two nights of one month for a few provinces: the second night resubmits every slot of the first
(new revisions with other row counts, so keys vanish and appear) and adds a province."""

from __future__ import annotations

import datetime as dt
import json
import re
import time

import psycopg
import pytest

from support.nights import ingest_night
from thanrak.demo.generator import generate_night
from thanrak.pipeline import Stages
from thanrak.report.scorecard import national_scorecard, render_scorecard
from thanrak.transform.dbt_build import build_marts, run_dbt

FIRST_NIGHT = dt.date(2026, 10, 3)
SECOND_NIGHT = dt.date(2026, 10, 17)  # same month: the same slots, new revisions
PROVINCES = ["40", "57", "90"]
INCREMENTAL_FACTS = {
    "fct_activities": "activity_key",
    "fct_otop_sales": "otop_sale_key",
    "fct_plot_progress": "plot_progress_key",
    "fct_budget_disbursement": "disbursement_key",
    "fct_bmn_household": "household_year_key",
}
# fact -> raw table, and the measures a planner adds up (baht, households, participants)
RECONCILED = {
    "fct_activities": ("activities", ["participants", "households_reached", "budget_baht", "disbursed_baht"]),
    "fct_otop_sales": ("otop_sales", ["revenue_baht", "units_sold"]),
    "fct_plot_progress": (
        "knn_plot_progress",
        ["workers_hired", "wages_baht", "spend_baht", "produce_value_baht"],
    ),
    "fct_budget_disbursement": (
        "budget_disbursement",
        ["allocated_baht", "committed_baht", "disbursed_baht", "returned_baht"],
    ),
    "fct_bmn_household": ("bmn_households", ["members", "income_per_person_baht", "savings_baht"]),
}


def snapshot(url: str) -> dict[str, tuple[int, str]]:
    """Row count and a digest of every row of each incremental fact, in key order, but for when
    each row was built (built_at: a full refresh builds every row again)."""
    with psycopg.connect(url) as conn:
        return {
            fact: conn.execute(
                f"select count(*), md5(coalesce(string_agg((to_jsonb(t) - 'built_at')::text, '|' order by {key}), ''))"
                f" from marts.{fact} t"
            ).fetchone()
            for fact, key in INCREMENTAL_FACTS.items()
        }


@pytest.fixture(scope="module")
def built(warehouse, tmp_path_factory):
    settings_dir = tmp_path_factory.mktemp("marts")
    from thanrak.settings import Settings

    settings = Settings.in_folder(settings_dir / "var")
    stages = Stages(warehouse, settings)
    stages.prepare_warehouse()
    generate_night(settings.landing_dir, FIRST_NIGHT, provinces=PROVINCES[:2], scale=0.05, file_defects=1)
    ingest_night(stages, FIRST_NIGHT)
    build_marts(warehouse, settings)
    after_first = snapshot(warehouse)

    generate_night(
        settings.landing_dir, SECOND_NIGHT, provinces=PROVINCES, scale=0.05, file_defects=1, seed=7
    )
    ingest_night(stages, SECOND_NIGHT)
    build_marts(warehouse, settings)  # incremental: merges the new revisions
    incremental = snapshot(warehouse)
    outcome = run_dbt(warehouse, ["build", "--full-refresh"], settings)
    assert outcome.success, outcome.failures
    full_refresh = snapshot(warehouse)
    return {
        "url": warehouse,
        "settings": settings,
        "after_first": after_first,
        "incremental": incremental,
        "full_refresh": full_refresh,
    }


def test_incremental_facts_equal_a_full_refresh(built):
    assert built["incremental"] == built["full_refresh"]


def test_the_second_night_really_replaced_rows_incrementally(built):
    """Guards the test above: the second night changed every fact, and some slot lost rows
    (its new revision is shorter), so the incremental path had rows to drop."""
    changed = [f for f in INCREMENTAL_FACTS if built["after_first"][f] != built["incremental"][f]]
    assert changed == list(INCREMENTAL_FACTS)
    with psycopg.connect(built["url"]) as conn:
        shorter = conn.execute(
            """select count(*) from ops.submission later join ops.submission earlier
                 using (province_code, dataset, period)
               where later.revision = earlier.revision + 1 and later.status = 'loaded'
                 and earlier.status = 'loaded' and later.rows_loaded < earlier.rows_loaded"""
        ).fetchone()[0]
    assert shorter > 0


def _failing_tests(built: dict, model: str) -> list[str]:
    outcome = run_dbt(built["url"], ["test", "--select", model], built["settings"])
    return sorted(node["name"] for node in outcome.failures)


def test_the_facts_tests_read_the_rows_of_their_newest_build(built):
    """dbt_project.yml's `where: __newest_build__` (macros/incremental_facts.sql): a bad row of a
    fact's newest build fails its tests; the same row built by an earlier build is not read again
    (it was tested then), so a night that appends one file tests that file's rows."""
    with psycopg.connect(built["url"], autocommit=True) as conn:
        key, date_key, built_at = conn.execute(
            "select otop_sale_key, date_key, built_at from marts.fct_otop_sales order by otop_sale_key limit 1"
        ).fetchone()
        try:
            conn.execute(
                "update marts.fct_otop_sales set date_key = date '1900-01-01' where otop_sale_key = %s",
                (key,),
            )
            of_the_newest_build = _failing_tests(built, "fct_otop_sales")
            conn.execute(
                "update marts.fct_otop_sales set built_at = built_at - interval '1 day' where otop_sale_key = %s",
                (key,),
            )
            of_an_earlier_build = _failing_tests(built, "fct_otop_sales")
        finally:
            conn.execute(
                "update marts.fct_otop_sales set date_key = %s, built_at = %s where otop_sale_key = %s",
                (date_key, built_at, key),
            )
    assert of_the_newest_build == ["relationships_fct_otop_sales_date_key__date_key__ref_dim_date_"]
    assert of_an_earlier_build == []


def _plot_progress_first_file(conn: psycopg.Connection) -> tuple[int, int, int]:
    """fct_plot_progress's rows, the submission id of its first file and that file's rows."""
    return conn.execute(
        """select (select count(*) from marts.fct_plot_progress), submission_id, count(*)
           from marts.fct_plot_progress group by submission_id order by submission_id limit 1"""
    ).fetchone()


def _estimated_rows(plan: dict, table: str) -> list[float]:
    """The planner's row estimates of every scan of `table` in an EXPLAIN (FORMAT JSON) plan."""
    found = [plan["Plan Rows"]] if plan.get("Relation Name") == table else []
    for child in plan.get("Plans", []):
        found += _estimated_rows(child, table)
    return found


def test_the_facts_tests_plan_their_newest_build_from_statistics_taken_before_it(built):
    """The newest build's rows are found by its built_at as a literal (`_newest_build()`), so the
    planner estimates them from built_at's statistics even when these predate that build (an
    incremental build that changed little is not analysed): few rows, a probe of the built_at
    index. Through a subquery it estimated the whole table (rows / built_at's one distinct value):
    6.3 s a test on the household fact the night after a national survey year."""
    url = built["url"]
    with psycopg.connect(url, autocommit=True) as conn:
        built_at = conn.execute("select plot_progress_key, built_at from marts.fct_plot_progress").fetchall()
        rows, one_file, file_rows = _plot_progress_first_file(conn)
        try:
            conn.execute("update marts.fct_plot_progress set built_at = timestamptz '2026-12-01 01:00+07'")
            conn.execute("analyze marts.fct_plot_progress")
            conn.execute(
                """update marts.fct_plot_progress set built_at = timestamptz '2026-12-02 01:00+07'
                   where submission_id = %s""",
                (one_file,),
            )
            outcome = run_dbt(url, ["compile", "--select", "fct_plot_progress"], built["settings"])
            assert outcome.success, outcome.failures
            compiled = sorted(
                (built["settings"].dbt_target_dir / "compiled").rglob("fct_plot_progress.yml/*.sql")
            )
            assert compiled
            estimates = {}
            for test in compiled:
                sql = test.read_text()
                assert conn.execute(f"select count(*) from ({sql}) as failing").fetchone() == (0,)
                (plan,) = conn.execute(f"explain (format json) {sql}").fetchone()[0]
                estimates[test.stem] = _estimated_rows(plan["Plan"], "fct_plot_progress")
        finally:
            with conn.cursor() as cursor:
                cursor.executemany(
                    "update marts.fct_plot_progress set built_at = %s where plot_progress_key = %s",
                    [(at, key) for key, at in built_at],
                )
            conn.execute("analyze marts.fct_plot_progress")
    assert file_rows < rows
    assert all(estimates.values()), estimates  # every test reads the fact
    assert all(estimate <= file_rows for scans in estimates.values() for estimate in scans), (estimates, rows)


KEY_INDEX = """select indexname, indexdef from pg_indexes
               where schemaname = 'marts' and tablename = 'fct_otop_sales' and indexdef like '%(otop_sale_key)'"""


def test_a_fact_key_is_held_unique_by_an_index_also_on_a_table_built_without_it(built):
    """No test reads a whole fact for its key: its unique index refuses a duplicate. A table built
    before the index was configured gets it on the next run (create_missing_indexes)."""
    with psycopg.connect(built["url"], autocommit=True) as conn:
        [(index, _)] = conn.execute(KEY_INDEX).fetchall()
        conn.execute(f'drop index marts."{index}"')
    outcome = run_dbt(built["url"], ["run", "--select", "fct_otop_sales"], built["settings"])
    assert outcome.success, outcome.failures
    with psycopg.connect(built["url"]) as conn:
        [(_, definition)] = conn.execute(KEY_INDEX).fetchall()
        assert definition.startswith("CREATE UNIQUE INDEX")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("insert into marts.fct_otop_sales select * from marts.fct_otop_sales limit 1")


def test_an_index_dbt_made_for_a_config_that_no_longer_names_it_is_dropped(built):
    """drop_unconfigured_indexes(): when a fact's config stops naming an index (the household
    fact's key index now leads with province_code), a table built before would go on paying for
    the old one on every insert. An index of dbt's naming (32 hex digits) that no configured index
    defines goes on the next run; one a person created under a name of their own stays."""
    old = "0123456789abcdef0123456789abcdef"
    with psycopg.connect(built["url"], autocommit=True) as conn:
        conn.execute(f'create index "{old}" on marts.fct_otop_sales (revision)')
        conn.execute("create index by_hand_revision on marts.fct_otop_sales (revision)")
    try:
        outcome = run_dbt(built["url"], ["run", "--select", "fct_otop_sales"], built["settings"])
        assert outcome.success, outcome.failures
        with psycopg.connect(built["url"]) as conn:
            held = {
                name
                for (name,) in conn.execute(
                    "select indexname from pg_indexes where schemaname = 'marts' and tablename = 'fct_otop_sales'"
                )
            }
        assert "by_hand_revision" in held and old not in held
        assert len(held) == 4  # the key, submission_id, built_at and the one by hand
    finally:
        with psycopg.connect(built["url"], autocommit=True) as conn:
            conn.execute("drop index if exists marts.by_hand_revision")


def test_the_household_key_is_unique_within_a_province_by_an_index_led_by_it(built):
    """The household fact's key index is (province_code, household_year_key), unique: a
    resubmitted province's households go into its own stretch of the index."""
    with psycopg.connect(built["url"]) as conn:
        definitions = [
            d
            for (d,) in conn.execute(
                "select indexdef from pg_indexes where schemaname = 'marts' and tablename = 'fct_bmn_household'"
            )
        ]
        assert [d for d in definitions if "UNIQUE" in d] == [
            d for d in definitions if d.endswith("(province_code, household_year_key)")
        ]
        assert len(definitions) == 3, definitions  # the key, submission_id, built_at
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("insert into marts.fct_bmn_household select * from marts.fct_bmn_household limit 1")


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("fct_poverty_transitions", "(province_code, transition_key)"),
        ("fct_bmn_village_item_counts", "(province_code, village_key, survey_year_be, indicator_set)"),
    ],
)
def test_a_survey_aggregate_keeps_its_grain_by_a_unique_index_made_again_if_missing(built, table, key):
    """The survey's aggregates rebuilt by province keep their grain by a unique index, not a
    test of the whole table; a warehouse built before the index gets it on its next build."""
    query = f"select indexname, indexdef from pg_indexes where schemaname = 'marts' and tablename = '{table}'"
    with psycopg.connect(built["url"], autocommit=True) as conn:
        [name] = [n for n, d in conn.execute(query) if "UNIQUE" in d and d.endswith(key)]
        conn.execute(f'drop index marts."{name}"')
    outcome = run_dbt(built["url"], ["run", "--select", table], built["settings"])
    assert outcome.success, outcome.failures
    with psycopg.connect(built["url"]) as conn:
        assert [n for n, d in conn.execute(query) if "UNIQUE" in d and d.endswith(key)]


FACT_INDEXES = (
    "select indexrelid from pg_index where indrelid = 'marts.fct_plot_progress'::regclass order by 1"
)


def _plot_progress_run(built: dict, before_run: str) -> list[int]:
    """fct_plot_progress's index oids after `before_run` and an incremental run; the table must
    then hold again what the full refresh built."""
    with psycopg.connect(built["url"], autocommit=True) as conn:
        conn.execute(before_run)
    outcome = run_dbt(built["url"], ["run", "--select", "fct_plot_progress"], built["settings"])
    assert outcome.success, outcome.failures
    assert snapshot(built["url"])["fct_plot_progress"] == built["full_refresh"]["fct_plot_progress"]
    with psycopg.connect(built["url"]) as conn:
        return [oid for (oid,) in conn.execute(FACT_INDEXES)]


def test_a_large_increment_builds_the_indexes_after_the_rows_and_a_small_one_keeps_them(built):
    """drop_indexes_before_large_increment(): a fact's new files bringing at least as many rows as
    it holds (here: all of them, into an emptied table) are appended without indexes, which are
    then built again (new ones, unique key included); one file's rows are appended into the
    indexes the table has."""
    with psycopg.connect(built["url"]) as conn:
        before = [oid for (oid,) in conn.execute(FACT_INDEXES)]
        one_file = conn.execute("select min(submission_id) from marts.fct_plot_progress").fetchone()[0]
    after_large = _plot_progress_run(built, "truncate marts.fct_plot_progress")
    assert len(after_large) == len(before) == 3 and not set(after_large) & set(before)
    after_small = _plot_progress_run(
        built, f"delete from marts.fct_plot_progress where submission_id = {one_file}"
    )
    assert after_small == after_large
    with psycopg.connect(built["url"]) as conn, pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute("insert into marts.fct_plot_progress select * from marts.fct_plot_progress limit 1")


PLOT_PROGRESS_STATISTICS = """select analyze_count, n_live_tup, (select reltuples from pg_class where oid = relid)
                              from pg_stat_user_tables where relid = 'marts.fct_plot_progress'::regclass"""


def _plot_progress_statistics(url: str, live_rows: int) -> tuple[int, float]:
    """How often fct_plot_progress was analysed and the row count its last ANALYZE saw, once the
    server has published `live_rows` live rows of it (a session's counters arrive after it ends)."""
    for _ in range(100):
        with psycopg.connect(url) as conn:
            analyses, live, estimated = conn.execute(PLOT_PROGRESS_STATISTICS).fetchone()
        if live == live_rows:
            return analyses, estimated
        time.sleep(0.1)
    raise AssertionError(f"fct_plot_progress: {live} live rows published, {live_rows} held")


def _set_analyze_threshold(url: str, rows: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"alter table marts.fct_plot_progress set (autovacuum_analyze_threshold = {rows})")


def test_an_incremental_build_analyses_its_table_when_it_changed_enough_by_autovacuums_rule(built):
    """analyze_after_build(): a build that changes more than the table's threshold (autovacuum's
    rule: 50 rows, here the table's own 0, + 10 %) analyses it; the next build, changing nothing,
    does not (though the changes of the analysing transaction are published as changes since its
    ANALYZE); neither does a build whose changes a higher threshold calls small; a table whose row
    count moved that far from its last ANALYZE's is analysed by a build that changes nothing."""
    url = built["url"]
    with psycopg.connect(url) as conn:
        rows, one_file, file_rows = _plot_progress_first_file(conn)
    assert 0.1 * rows < file_rows < rows
    delete_file = f"delete from marts.fct_plot_progress where submission_id = {one_file}"
    start, _ = _plot_progress_statistics(url, rows)
    _set_analyze_threshold(url, 0)
    try:
        _plot_progress_run(built, delete_file)  # the file's rows appended again
        analysed_once, estimated = _plot_progress_statistics(url, rows)
        assert (analysed_once, estimated) == (start + 1, rows)
        _plot_progress_run(built, "select 1")  # nothing new
        assert _plot_progress_statistics(url, rows)[0] == analysed_once

        _set_analyze_threshold(url, rows)
        _plot_progress_run(built, delete_file)
        assert _plot_progress_statistics(url, rows)[0] == analysed_once

        # the file's rows taken out, analysed without them and put back, all outside dbt
        _set_analyze_threshold(url, 0)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                f"create table file_rows as select * from marts.fct_plot_progress where submission_id = {one_file}"
            )
            conn.execute(delete_file)
        _plot_progress_statistics(url, rows - file_rows)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("analyze marts.fct_plot_progress")
            conn.execute("insert into marts.fct_plot_progress select * from file_rows")
            conn.execute("drop table file_rows")
        assert _plot_progress_statistics(url, rows) == (analysed_once + 1, rows - file_rows)
        _plot_progress_run(built, "select 1")
        assert _plot_progress_statistics(url, rows) == (analysed_once + 2, rows)
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("alter table marts.fct_plot_progress reset (autovacuum_analyze_threshold)")


IN_FORCE = """
    select distinct on (province_code, dataset, period) submission_id, province_code, period, rows_loaded
    from ops.submission where status = 'loaded' and dataset = %s
    order by province_code, dataset, period, revision desc
"""


@pytest.mark.parametrize("fact", RECONCILED)
def test_mart_totals_equal_the_accepted_rows_of_the_files_in_force(built, fact):
    """Computed from raw and the manifest directly, not through dbt's staging models."""
    raw_table, measures = RECONCILED[fact]
    sums = ", ".join(f"coalesce(sum({m}), 0)" for m in measures)
    with psycopg.connect(built["url"]) as conn:
        from_raw = conn.execute(
            f"""with in_force as ({IN_FORCE})
                select in_force.province_code, in_force.period, count(*), {sums}
                from raw.{raw_table} r join in_force using (submission_id)
                group by 1, 2 order by 1, 2""",
            (raw_table,),
        ).fetchall()
        in_marts = conn.execute(
            f"select province_code, period, count(*), {sums} from marts.{fact} group by 1, 2 order by 1, 2"
        ).fetchall()
        manifest_rows = conn.execute(
            f"select coalesce(sum(rows_loaded), 0) from ({IN_FORCE}) f", (raw_table,)
        ).fetchone()[0]
    assert from_raw and in_marts == from_raw
    assert sum(r[2] for r in in_marts) == manifest_rows


def test_scorecard_has_every_province_and_gear_and_reconciles_otop_sales(built):
    with psycopg.connect(built["url"]) as conn:
        grid = conn.execute(
            """select count(distinct province_code), count(distinct gear_code),
                      count(distinct (province_code, gear_code))
               from marts.fct_scorecard where fiscal_year_be = 2570 and fiscal_quarter = 1"""
        ).fetchone()
        with_data = {
            r[0]
            for r in conn.execute(
                """select distinct province_code from marts.fct_scorecard
                   where has_data and fiscal_year_be = 2570 and indicator_code <> 'G5-ON-TIME'"""
            )
        }
        # October's files are due on 10 November: on 17 October a province that sent nothing is
        # not late yet, so it has no on-time value and no rank (not 0 % and a shared first place).
        on_time_elsewhere = conn.execute(
            """select distinct indicator_value, national_rank, has_data from marts.fct_scorecard
               where indicator_code = 'G5-ON-TIME' and province_code <> all(%s)""",
            (PROVINCES,),
        ).fetchall()
        scorecard_sales = dict(
            conn.execute(
                """select province_code, numerator from marts.fct_scorecard
                   where indicator_code = 'G3-OTOP-SALES' and has_data"""
            ).fetchall()
        )
        raw_sales = dict(
            conn.execute(
                f"""with in_force as ({IN_FORCE})
                    select in_force.province_code, sum(revenue_baht)
                    from raw.otop_sales r join in_force using (submission_id)
                    where r.sale_month between '2026-10-01' and '2026-12-31' group by 1""",
                ("otop_sales",),
            ).fetchall()
        )
    assert grid == (76, 5, 76 * 5)
    assert with_data == set(PROVINCES)
    assert on_time_elsewhere == [(None, None, False)]
    assert scorecard_sales == raw_sales


def test_the_demo_prints_the_national_scorecard_of_the_nights_quarter(built):
    with psycopg.connect(built["url"]) as conn:
        scorecard = national_scorecard(conn, SECOND_NIGHT)
        otop_total = conn.execute(
            "select sum(revenue_baht) from marts.fct_otop_sales where date_key >= '2026-10-01'"
        ).fetchone()[0]
        (indicators,) = conn.execute("select count(*) from marts.indicator_definitions").fetchone()
    by_code = {i["code"]: i for i in scorecard["indicators"]}
    text = render_scorecard(scorecard)
    assert (scorecard["quarter"], scorecard["provinces"], scorecard["gears"]) == ("2570-Q1", 76, 5)
    assert len(by_code) == indicators > 10 and by_code["G3-OTOP-SALES"]["value"] == otop_total
    assert len(re.findall(r"^\| [1-5] ", text, flags=re.M)) == indicators  # a row per indicator
    assert "การตลาด / Marketing" in text and "ยอดจำหน่าย OTOP สะสมตั้งแต่ต้นปีงบประมาณ (บาท)" in text
    assert "คน-ครั้ง (person-times)" in text and "ครัวเรือน-ครั้ง (household-times)" in text
    assert (
        by_code["G5-DISBURSEMENT"]["target_period"] == "quarterly"
        and by_code["G5-DISBURSEMENT"]["target"] == 30
    )


def test_every_mart_and_bi_model_has_an_enforced_contract(built):
    """(Their Thai and English labels and descriptions: tests/dbt/test_project_layout.py.)"""
    run_dbt(built["url"], ["parse"], built["settings"])
    manifest = json.loads((built["settings"].dbt_target_dir / "manifest.json").read_text())
    not_enforced = [
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["schema"] in ("marts", "bi")
        and node["config"]["contract"]["enforced"] is not True
    ]
    assert not_enforced == []


PLOT_PROGRESS_COMMENTS = """
    select coalesce(a.attname::text, ''), d.description, d.xmin::text from pg_description d
    left join pg_attribute a on a.attrelid = d.objoid and a.attnum = d.objsubid
    where d.classoid = 'pg_class'::regclass and d.objoid = 'marts.fct_plot_progress'::regclass
"""


def test_an_incremental_run_writes_again_only_the_comments_that_changed(built):
    """persist_docs on a fact (macros/labels.sql): its table outlives the run, so its comments are
    read (one catalog query) and only a comment that differs from its YAML is written again; the
    others keep their catalog row (same xmin), so a night writes none."""
    with psycopg.connect(built["url"], autocommit=True) as conn:
        before = {column: (text, xmin) for column, text, xmin in conn.execute(PLOT_PROGRESS_COMMENTS)}
        conn.execute("comment on column marts.fct_plot_progress.wages_baht is 'edited by hand'")
    outcome = run_dbt(built["url"], ["run", "--select", "fct_plot_progress"], built["settings"])
    assert outcome.success, outcome.failures
    with psycopg.connect(built["url"]) as conn:
        after = {column: (text, xmin) for column, text, xmin in conn.execute(PLOT_PROGRESS_COMMENTS)}
    assert len(before) == 16 and "" in before  # the table's comment and its 15 columns'
    assert {c: text for c, (text, _) in after.items()} == {c: text for c, (text, _) in before.items()}
    assert [c for c in after if after[c][1] != before[c][1]] == ["wages_baht"]


def test_dbt_docs_generate_a_site_that_needs_no_network(built):
    outcome = run_dbt(built["url"], ["docs", "generate", "--static"], built["settings"])
    target = built["settings"].dbt_target_dir
    catalog = json.loads((target / "catalog.json").read_text())
    page = (target / "static_index.html").read_text()
    external = re.findall(r"""(?:src|href)=["']https?://(?!\[::1\]|localhost|127\.0\.0\.1)[^"']+""", page)
    documented = {n.split(".")[-1] for n in catalog["nodes"]}
    assert outcome.success
    assert external == []
    assert {"fct_scorecard", "fct_bmn_household", "dim_area", "dim_indicator"} <= documented
