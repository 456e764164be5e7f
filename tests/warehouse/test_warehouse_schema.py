import psycopg
import pytest
import yaml

from thanrak.contract.declarations import DATASETS, load_contract
from thanrak.settings import PROJECT_ROOT
from thanrak.warehouse.migrate import migrate
from thanrak.warehouse.reference import load_reference


def test_migrations_create_every_layer_and_apply_once(empty_warehouse):
    with psycopg.connect(empty_warehouse, autocommit=True) as conn:
        first = migrate(conn)
        again = migrate(conn)
        schemas = {s for (s,) in conn.execute("select schema_name from information_schema.schemata")}
    assert first and first == sorted(first)
    assert again == []
    assert {"raw", "quarantine", "ops", "dq", "ref", "staging", "intermediate", "marts", "bi"} <= schemas


def test_an_edited_migration_is_refused(warehouse):
    with psycopg.connect(warehouse, autocommit=True) as conn:
        conn.execute(
            "update ops.schema_migration set checksum = repeat('0', 64) where version = '0001_schemas'"
        )
        with pytest.raises(RuntimeError, match="edited after it was applied"):
            migrate(conn)


def test_area_reference_counts(warehouse):
    with psycopg.connect(warehouse) as conn:
        provinces, amphoes, tambons = conn.execute(
            """select count(distinct p.province_code), count(distinct a.amphoe_code), count(t.tambon_code)
               from ref.province p join ref.amphoe a using (province_code)
               join ref.tambon t using (amphoe_code) where p.in_cdd_network"""
        ).fetchone()
        bangkok = conn.execute(
            "select name_en, in_cdd_network from ref.province where province_code = '10'"
        ).fetchone()
        abolished = conn.execute("select count(*) from ref.abolished_area").fetchone()[0]
    assert (provinces, amphoes) == (76, 878)
    # DOPA counts 7,255 tambons; geothai lists 7,256 (a long-standing discrepancy, see docs).
    assert tambons in (7255, 7256)
    assert bangkok == ("Bangkok", False)
    assert abolished > 1000


def test_reference_load_is_skipped_when_versions_are_unchanged(warehouse):
    with psycopg.connect(warehouse, autocommit=True) as conn:
        assert load_reference(conn) == {}


def test_calendar_in_the_warehouse_has_thai_fiscal_years(warehouse):
    with psycopg.connect(warehouse) as conn:
        rows = conn.execute(
            """select date_day::text, year_be, fiscal_year_be, fiscal_quarter, month_name_th
               from ref.calendar where date_day in ('2021-09-30', '2021-10-01') order by date_day"""
        ).fetchall()
    assert rows == [("2021-09-30", 2564, 2564, 4, "กันยายน"), ("2021-10-01", 2564, 2565, 1, "ตุลาคม")]


@pytest.mark.parametrize("dataset", DATASETS)
def test_raw_table_columns_follow_the_contract(warehouse, dataset):
    contract = load_contract(dataset)
    with psycopg.connect(warehouse) as conn:
        columns = conn.execute(
            """select attname, format_type(atttypid, atttypmod), attnotnull from pg_attribute
               where attrelid = %s::regclass and attnum > 0 and not attisdropped order by attnum""",
            (f"raw.{dataset}",),
        ).fetchall()
    expected = [
        ("submission_id", "bigint", True),
        ("source_row", "integer", True),
        ("loaded_at", "timestamp with time zone", True),
    ] + [(c.name, _as_format_type(c.postgres_type), c.required) for c in contract.columns]
    assert columns == expected


def _as_format_type(declared: str) -> str:
    """How PostgreSQL's format_type() spells a type declared in the contract."""
    return (
        declared.replace("varchar(", "character varying(").replace("char(", "character(").replace(", ", ",")
    )


def test_raw_tables_have_the_primary_key_dbt_relies_on(warehouse):
    """dbt's raw sources declare their primary key, and the staging and in-force models take it
    as their grain instead of testing it (tests/dbt/test_project_layout.py): the database must
    really enforce it."""
    sources = yaml.safe_load((PROJECT_ROOT / "dbt_project/models/staging/__sources.yml").read_text())
    raw = next(source for source in sources["sources"] if source["name"] == "raw")
    declared = raw["config"]["meta"]["primary_key"]
    with psycopg.connect(warehouse) as conn:
        keys = dict(
            conn.execute(
                """select c.conrelid::regclass::text,
                          array_agg(a.attname::text order by array_position(c.conkey, a.attnum))
                   from pg_constraint c
                   join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
                   where c.contype = 'p' and c.connamespace = 'raw'::regnamespace
                   group by 1"""
            ).fetchall()
        )
    assert {table["name"]: keys.get(f"raw.{table['name']}") for table in raw["tables"]} == {
        table["name"]: declared for table in raw["tables"]
    }
