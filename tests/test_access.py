"""Access (docs/access.md): the roles of migration 0010_roles and the row-level security dbt puts
on the marts, proved by connecting as each role to a warehouse with a night built into it."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import re
import secrets
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from conftest import fresh_database
from thanrak import cli
from thanrak.demo.generator import generate_night
from thanrak.pipeline import Stages
from thanrak.settings import PROJECT_ROOT, Settings
from thanrak.transform.dbt_build import build_marts
from thanrak.warehouse.access import apply_credentials, grant_province_login
from thanrak.warehouse.migrate import migrate

NIGHT = dt.date(2026, 11, 22)
PROVINCES = ["40", "30", "50"]
A, B = "40", "30"
SEEDS = {p.stem for p in (PROJECT_ROOT / "dbt_project" / "seeds").glob("*.csv")}
CLOSED_SCHEMAS = ["raw", "quarantine", "ops", "dq", "ref", "staging", "intermediate", "access"]


@pytest.fixture(scope="module")
def built(warehouse, tmp_path_factory) -> str:
    """The warehouse with a small night of three provinces loaded and the marts built."""
    settings = Settings.in_folder(tmp_path_factory.mktemp("var"))
    generate_night(settings.landing_dir, NIGHT, provinces=PROVINCES, scale=0.05, file_defects=0)
    stages = Stages(warehouse, settings)
    for submission in stages.discover("test", NIGHT):
        stages.load("test", NIGHT, stages.validate("test", NIGHT, stages.extract("test", NIGHT, submission)))
    build_marts(warehouse, settings)
    return warehouse


@pytest.fixture(scope="module")
def logins(built):
    """make(*roles) creates a LOGIN role with a random name and password, member of the given
    roles; every one is dropped at the end."""
    made: list[str] = []

    def make(*roles: str) -> dict[str, str]:
        name, password = f"thanrak_test_login_{uuid.uuid4().hex[:8]}", secrets.token_urlsafe(16)
        with psycopg.connect(built, autocommit=True) as admin:
            admin.execute(
                sql.SQL("create role {} login password {}").format(
                    sql.Identifier(name), sql.Literal(password)
                )
            )
            made.append(name)
            for role in roles:
                admin.execute(sql.SQL("grant {} to {}").format(sql.Identifier(role), sql.Identifier(name)))
        return {"user": name, "password": password}

    yield make
    with psycopg.connect(built, autocommit=True) as admin:
        for name in made:
            admin.execute(sql.SQL("drop owned by {}").format(sql.Identifier(name)))
            admin.execute(sql.SQL("drop role {}").format(sql.Identifier(name)))


def relations(url: str, schemas: tuple[str, ...]) -> dict[str, bool]:
    """'schema.name' -> has a province_code column, for every table and view of the schemas."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """select t.table_schema || '.' || t.table_name,
                      exists (select from information_schema.columns c
                              where c.table_schema = t.table_schema and c.table_name = t.table_name
                                and c.column_name = 'province_code')
               from information_schema.tables t where t.table_schema = any(%s)""",
            (list(schemas),),
        ).fetchall()
    return dict(rows)


def by_province(conn: psycopg.Connection, relation: str) -> dict[str, int]:
    query = f"select province_code::text, count(*) from {relation} group by 1"
    return dict(conn.execute(query).fetchall())


def denied(conn: psycopg.Connection, statement: str) -> bool:
    try:
        with conn.transaction():
            conn.execute(statement)
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


def test_migration_makes_the_roles_nologin_and_one_reader_per_cdd_province(built):
    with psycopg.connect(built) as conn:
        roles = dict(
            conn.execute(
                "select rolname, rolcanlogin from pg_roles where rolname = any(%s) or rolname like 'thanrak\\_province\\_reader\\_%%'",
                (["thanrak_loader", "thanrak_transformer", "bi_reader", "thanrak_province_reader"],),
            ).fetchall()
        )
        network = {c for (c,) in conn.execute("select province_code from ref.province where in_cdd_network")}
        members = {
            r
            for (r,) in conn.execute(
                """select m.rolname from pg_auth_members a join pg_roles g on g.oid = a.roleid
                   join pg_roles m on m.oid = a.member where g.rolname = 'thanrak_province_reader'"""
            )
        }
    province_roles = {f"thanrak_province_reader_{code}" for code in network}
    assert len(network) == 76
    assert {"thanrak_loader", "thanrak_transformer", "bi_reader", "thanrak_province_reader"} <= set(roles)
    assert province_roles <= set(roles) and province_roles <= members
    # NOLOGIN unless THANRAK_*_PASSWORD was given (the environment of this test run gives none).
    assert not any(roles[r] for r in province_roles | {"thanrak_province_reader"})


def test_migrate_again_and_on_other_databases_of_the_same_server_while_roles_exist(built, pg_server):
    with psycopg.connect(built, autocommit=True) as conn:
        assert migrate(conn) == []

    def migrate_new_database() -> list[str]:
        with fresh_database(pg_server) as url, psycopg.connect(url, autocommit=True) as conn:
            return migrate(conn)

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: migrate_new_database(), range(2)))
    assert all("0010_roles" in applied for applied in results)


def test_bi_reader_reads_every_mart_and_bi_view_and_nothing_else(built, logins):
    login = logins("bi_reader")
    readable = relations(built, ("marts", "bi"))
    closed = relations(built, tuple(CLOSED_SCHEMAS))
    assert "marts.fct_activities" in readable and "raw.activities" in closed
    with psycopg.connect(built) as admin:
        expected = {r: admin.execute(f"select count(*) from {r}").fetchone()[0] for r in readable}
    with psycopg.connect(built, **login) as conn:
        seen = {r: conn.execute(f"select count(*) from {r}").fetchone()[0] for r in readable}
        assert seen == expected  # every row, every province
        not_denied = [r for r in closed if not denied(conn, f"select 1 from {r} limit 1")]
        assert not_denied == []
        assert denied(conn, "insert into marts.fct_activities select * from marts.fct_activities limit 0")
        assert denied(conn, "delete from marts.dim_area")
        assert denied(conn, "create table marts.bi_reader_was_here (x int)")
        assert denied(conn, "select * from access.reader_provinces()")


def test_a_provincial_reader_sees_only_its_provinces_rows(built, logins):
    login = logins(f"thanrak_province_reader_{A}")
    # Every model of marts, and every bi view (security_invoker: the reader's RLS applies through it).
    marts = {r: has for r, has in relations(built, ("marts", "bi")).items() if r.split(".")[1] not in SEEDS}
    filtered = sorted(r for r, has in marts.items() if has)
    assert {"marts.fct_activities", "marts.fct_dq_deliveries", "marts.fct_dq_rule_results"} <= set(filtered)
    with psycopg.connect(built) as admin:
        everything = {r: by_province(admin, r) for r in filtered}
        national = {
            r: admin.execute(f"select count(*) from {r}").fetchone()[0] for r, has in marts.items() if not has
        }
    assert everything["marts.fct_activities"].get(B), "the night must have rows of another province"
    with psycopg.connect(built, **login) as conn:
        seen = {r: by_province(conn, r) for r in filtered}
        seen_national = {r: conn.execute(f"select count(*) from {r}").fetchone()[0] for r in national}
        assert denied(conn, "select 1 from raw.activities limit 1")
        assert conn.execute(
            "select count(*) from marts.fct_activities where province_code <> %s", (A,)
        ).fetchone() == (0,)
    for relation in filtered:
        expected = {A: everything[relation][A]} if A in everything[relation] else {}
        assert seen[relation] == expected, relation
    assert seen["marts.fct_activities"][A] > 0 and seen["marts.fct_dq_deliveries"][A] > 0
    assert seen_national == national  # tables without province_code are not filtered


def test_a_login_for_two_provinces_sees_both_and_the_group_alone_sees_none(built, logins):
    both = logins(f"thanrak_province_reader_{A}", f"thanrak_province_reader_{B}")
    group_only = logins("thanrak_province_reader")
    with psycopg.connect(built) as admin:
        expected = by_province(admin, "marts.fct_activities")
    with psycopg.connect(built, **both) as conn:
        assert by_province(conn, "marts.fct_activities") == {A: expected[A], B: expected[B]}
    with psycopg.connect(built, **group_only) as conn:
        assert by_province(conn, "marts.fct_activities") == {}


def test_the_policy_finds_the_readers_provinces_once_per_query(built, logins):
    login = logins(f"thanrak_province_reader_{A}")
    with psycopg.connect(built, **login) as conn:
        plan = "\n".join(
            line
            for (line,) in conn.execute(
                "explain (analyze, costs off) select count(*) from marts.fct_activities"
            )
        )
    assert "InitPlan 1" in plan and "= ANY ($0)" in plan, plan
    assert "pg_has_role" not in plan.split("InitPlan 1")[0], plan


def test_loader_writes_raw_and_reads_ref_but_not_marts(built, logins):
    login = logins("thanrak_loader")
    with psycopg.connect(built) as admin:
        columns = [
            c
            for (c,) in admin.execute(
                "select column_name from information_schema.columns "
                "where table_schema = 'raw' and table_name = 'activities' order by ordinal_position"
            )
        ]
    values = ", ".join("source_row + 1000000" if c == "source_row" else c for c in columns)
    with psycopg.connect(built, **login) as conn:
        with conn.transaction(force_rollback=True):
            inserted = conn.execute(
                f"insert into raw.activities select {values} from raw.activities limit 5"
            ).rowcount
        assert inserted == 5
        assert conn.execute("select count(*) from ref.province").fetchone()[0] == 77
        assert denied(conn, "select 1 from marts.fct_activities limit 1")
        assert denied(conn, "update ops.schema_migration set applied_at = now()")
        assert denied(conn, "create table marts.loader_was_here (x int)")


def test_transformer_reads_raw_and_creates_in_marts(built, logins):
    login = logins("thanrak_transformer")
    with psycopg.connect(built) as admin:
        raw_rows = admin.execute("select count(*) from raw.activities").fetchone()[0]
    with psycopg.connect(built, **login) as conn:
        assert conn.execute("select count(*) from raw.activities").fetchone()[0] == raw_rows
        assert conn.execute("select count(*) from quarantine.row").fetchone()[0] >= 0
        with conn.transaction(force_rollback=True):
            conn.execute("create table marts.transformer_test as select 1 as x")
            conn.execute("create view bi.transformer_test as select x from marts.transformer_test")
        assert denied(conn, "insert into raw.activities select * from raw.activities limit 0")


def test_credentials_come_from_the_environment(built):
    role, variable = f"thanrak_test_cred_{uuid.uuid4().hex[:8]}", "THANRAK_TEST_ROLE_PASSWORD"
    with psycopg.connect(built, autocommit=True) as conn:
        conn.execute(sql.SQL("create role {} nologin").format(sql.Identifier(role)))
        try:
            assert apply_credentials(conn, {}, {role: variable}) == []
            assert apply_credentials(conn, {variable: "s3cret-from-env"}, {role: variable}) == [role]
            can_login, verifier = conn.execute(
                "select rolcanlogin, rolpassword from pg_authid where rolname = %s", (role,)
            ).fetchone()
        finally:
            conn.execute(sql.SQL("drop role {}").format(sql.Identifier(role)))
    assert can_login and verifier.startswith("SCRAM-SHA-256$")  # hashed before it was sent


def test_grant_province_login_by_function_and_command(built, monkeypatch, capsys):
    name = f"test_office_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(built, autocommit=True) as conn:
            with pytest.raises(ValueError, match="not the code of a province"):
                grant_province_login(conn, "10", name, "pw")  # Bangkok is outside the CDD network
            with pytest.raises(ValueError, match="own roles"):
                grant_province_login(conn, A, "bi_reader", "pw")
        monkeypatch.setenv("THANRAK_WAREHOUSE_URL", built)
        monkeypatch.setenv("THANRAK_PROVINCE_LOGIN_PASSWORD", "office-password")
        assert cli.main(["grant-province-login", A, name]) == 0
        assert f"thanrak_province_reader_{A}" in capsys.readouterr().out
        with psycopg.connect(built) as admin:
            expected = by_province(admin, "marts.fct_activities")[A]
        with psycopg.connect(built, user=name, password="office-password") as conn:
            assert by_province(conn, "marts.fct_activities") == {A: expected}
    finally:
        with psycopg.connect(built, autocommit=True) as conn:
            conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(name)))


def test_no_password_in_the_repository():
    text = (PROJECT_ROOT / "plugins" / "thanrak" / "warehouse" / "migrations" / "0010_roles.sql").read_text()
    assert not re.search(r"password\s*'", text, re.IGNORECASE)
    example = Path(PROJECT_ROOT / ".env.example").read_text().splitlines()
    assert {
        "THANRAK_BI_READER_PASSWORD=",
        "THANRAK_LOADER_PASSWORD=",
        "THANRAK_TRANSFORMER_PASSWORD=",
    } <= set(example)
