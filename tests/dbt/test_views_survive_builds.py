"""The project's `view` and `table` materializations (dbt_project/macros/materializations/
keep_dependents.sql), on a small dbt project of their own with real dbt and PostgreSQL: a
rebuilt model keeps its relation (its OID) and so the views that read it, whenever its columns
allow; when they do not (a view's column changes, a table's columns change, --full-refresh of a
table) dbt's own materialization runs and the dependents are rebuilt in the same build; and a
reader querying during a build never finds a relation missing. Without the file, the same build
drops the dependents (the guard at the end). The thanrak project itself: tests/test_incremental_night.py."""

from __future__ import annotations

import dataclasses
import json
import shutil
import threading
from pathlib import Path

import psycopg
import pytest

from thanrak.settings import PROJECT_ROOT, Settings
from thanrak.transform.dbt_build import run_dbt

MATERIALIZATIONS = PROJECT_ROOT / "dbt_project" / "macros" / "materializations" / "keep_dependents.sql"

PROFILES = """\
small:
  target: warehouse
  outputs:
    warehouse:
      type: postgres
      host: "{{ env_var('THANRAK_DBT_HOST') }}"
      port: "{{ env_var('THANRAK_DBT_PORT') | int }}"
      user: "{{ env_var('THANRAK_DBT_USER') }}"
      password: "{{ env_var('THANRAK_DBT_PASSWORD', '') }}"
      dbname: "{{ env_var('THANRAK_DBT_DBNAME') }}"
      schema: small
      threads: 2
"""

PROJECT = """\
name: small
version: "1.0.0"
config-version: 2
profile: small
models:
  small:
    +materialized: view
"""

# Each model's SQL takes its shape from vars, so one project covers every case.
MODELS = {
    # a table with an index, read by a view (and, through it, by another view)
    "numbers.sql": """\
{{ config(materialized='table', indexes=[{'columns': ['id'], 'unique': true}]) }}
select g as id,
       {{ 'g::bigint' if var('numbers_retyped', false) else "'n' || g" }} as label
from generate_series(1, {{ var('rows', 10) }}) as g
{%- if var('slow', false) %}
where pg_sleep(0.02) is not null
{%- endif %}
""",
    "numbers_named.sql": """\
select id, {{ 'label::varchar(20)' if var('view_retyped', false) else 'label' }} as label
{%- if var('view_extended', false) %}, id * 2 as doubled{% endif %}
from {{ ref('numbers') }}
""",
    "numbers_reader.sql": "select id, label from {{ ref('numbers_named') }}\n",
    # a table whose enforced contract types its columns (varchar(4), numeric(12, 2), not null)
    "coded.sql": "select code::text as code, 1.5 * {{ var('rows', 10) }} as amount from (values ('ab'), ('cd')) as v (code)\n",
    "coded.yml": """\
version: 2
models:
  - name: coded
    config:
      materialized: table
      contract: {enforced: true}
    columns:
      - {name: code, data_type: varchar(4), constraints: [{type: not_null}]}
      - {name: amount, data_type: "numeric(12, 2)"}
""",
    "coded_reader.sql": "select code, amount from {{ ref('coded') }}\n",
}


def write_project(folder: Path, *, with_materializations: bool = True) -> Path:
    (folder / "models").mkdir(parents=True)
    (folder / "dbt_project.yml").write_text(PROJECT)
    (folder / "profiles.yml").write_text(PROFILES)
    for name, text in MODELS.items():
        (folder / "models" / name).write_text(text)
    if with_materializations:
        # a copy: dbt does not follow a symbolic link to a macro folder
        (folder / "macros" / "materializations").mkdir(parents=True)
        shutil.copy(MATERIALIZATIONS, folder / "macros" / "materializations")
    return folder


def relations(url: str) -> dict[str, tuple[int, str]]:
    """name -> (OID, kind) of the small schema's tables and views."""
    with psycopg.connect(url) as conn:
        return {
            name: (oid, kind)
            for name, oid, kind in conn.execute(
                """select relname::text, oid::int, relkind::text from pg_class
                   where relnamespace = 'small'::regnamespace and relkind in ('r', 'v')"""
            ).fetchall()
        }


def query(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


class Reader(threading.Thread):
    """Counts the rows of a view again and again until stopped, keeping every error."""

    def __init__(self, url: str, view: str) -> None:
        super().__init__(daemon=True)
        self.url, self.view = url, view
        self.stop, self.counts, self.errors = threading.Event(), [], []

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop.is_set():
                try:
                    self.counts.append(conn.execute(f"select count(*) from {self.view}").fetchone()[0])
                except psycopg.Error as error:
                    self.errors.append(str(error).splitlines()[0])

    def __enter__(self) -> Reader:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.join()


@pytest.fixture(scope="module")
def small(empty_warehouse, tmp_path_factory):
    folder = write_project(tmp_path_factory.mktemp("small") / "project")
    settings = dataclasses.replace(
        Settings.in_folder(tmp_path_factory.mktemp("var"), empty_warehouse), dbt_project_dir=folder
    )

    def build(*flags: str, **variables) -> None:
        vars_flag = ["--vars", json.dumps(variables)] if variables else []
        outcome = run_dbt(empty_warehouse, ["run", *flags, *vars_flag], settings)
        assert outcome.success, outcome.failures

    build()
    return {"url": empty_warehouse, "build": build, "first": relations(empty_warehouse)}


def test_a_second_build_keeps_every_relation_and_replaces_the_rows(small):
    url = small["url"]
    small["build"](rows=20)
    assert relations(url) == small["first"]
    assert query(url, "select count(*), max(id) from small.numbers_reader") == [(20, 20)]
    assert query(url, "select amount from small.coded") == [(30,), (30,)]
    # the configured index, once; no probe, temporary or backup relation left behind
    assert query(
        url, "select indexdef ~ 'UNIQUE INDEX .* \\(id\\)$' from pg_indexes where tablename = 'numbers'"
    ) == [(True,)]
    assert not query(url, "select relname from pg_class where relname ~ '__dbt_(probe|tmp|backup)'")


def test_a_contracted_table_keeps_its_contract_types(small):
    assert query(
        small["url"],
        """select attname::text, format_type(atttypid, atttypmod), attnotnull from pg_attribute
           where attrelid = 'small.coded'::regclass and attnum > 0 order by attnum""",
    ) == [("code", "character varying(4)", True), ("amount", "numeric(12,2)", False)]


def test_a_view_gaining_a_column_at_the_end_is_replaced_in_place(small):
    url = small["url"]
    before = relations(url)
    small["build"](view_extended=True)
    assert relations(url) == before
    assert query(url, "select doubled from small.numbers_named where id = 3") == [(6,)]


def test_a_view_whose_column_changes_type_is_rebuilt_with_its_dependents(small):
    """create or replace view cannot change a column's type: dbt's own materialization runs,
    drops the view and its dependent, and the build makes the dependent again."""
    url = small["url"]
    before = relations(url)
    small["build"](view_retyped=True)
    after = relations(url)
    assert after["numbers_named"] != before["numbers_named"]
    assert after["numbers_reader"] != before["numbers_reader"]
    assert after["numbers"] == before["numbers"]
    assert query(url, "select count(*) from small.numbers_reader") == [(10,)]


def test_a_table_whose_columns_change_is_rebuilt_with_its_dependents(small):
    url = small["url"]
    before = relations(url)
    small["build"](numbers_retyped=True)
    after = relations(url)
    assert {name for name in after if after[name] != before[name]} == {
        "numbers",
        "numbers_named",
        "numbers_reader",
    }
    assert query(url, "select pg_typeof(label)::text from small.numbers_reader limit 1") == [("bigint",)]


def test_a_full_refresh_rebuilds_the_tables(small):
    url = small["url"]
    small["build"]()
    before = relations(url)
    small["build"]("--full-refresh")
    after = relations(url)
    assert after["numbers"] != before["numbers"] and after["coded"] != before["coded"]
    assert query(url, "select count(*) from small.numbers_reader") == [(10,)]


def test_a_reader_never_misses_a_relation_during_a_build(small):
    """The table's rows are replaced while a reader counts them through two views: it waits for
    the commit, never fails and never sees the table empty."""
    url = small["url"]
    small["build"](rows=50)
    before = relations(url)
    with Reader(url, "small.numbers_reader") as reader:
        small["build"](rows=60, slow=True)
    assert relations(url) == before
    assert reader.counts and not reader.errors
    assert set(reader.counts) <= {50, 60} and reader.counts[-1] == 60


def test_without_the_project_materializations_a_build_drops_the_dependents(empty_warehouse, tmp_path):
    """Guards the tests above: dbt's own materializations give every relation a new OID on a
    second build, and a reader of a view sees it missing."""
    folder = write_project(tmp_path / "project", with_materializations=False)
    settings = dataclasses.replace(
        Settings.in_folder(tmp_path / "var", empty_warehouse), dbt_project_dir=folder
    )
    with psycopg.connect(empty_warehouse, autocommit=True) as conn:
        conn.execute("drop schema if exists small cascade")
    assert run_dbt(empty_warehouse, ["run"], settings).success
    before = relations(empty_warehouse)
    with Reader(empty_warehouse, "small.numbers_reader") as reader:
        assert run_dbt(empty_warehouse, ["run", "--vars", "{slow: true}"], settings).success
    after = relations(empty_warehouse)
    assert all(after[name] != before[name] for name in before)
    assert any("does not exist" in error for error in reader.errors)
