import psycopg
import pytest

from thanrak.contract.declarations import DATASETS, load_contract
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
