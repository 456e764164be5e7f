"""With no THANRAK_WAREHOUSE_URL, Thanrak starts a PostgreSQL of its own and stops it after."""

import dataclasses
import shutil

import psycopg
import pytest

from thanrak.settings import PROJECT_ROOT, Settings
from thanrak.warehouse.connection import connection_parts, warehouse_url
from thanrak.warehouse.migrate import migrate


def test_embedded_postgres_starts_migrates_and_stops(tmp_path):
    # Inside the project: pytest's own temporary folders are private to the user running the
    # tests, and the embedded server may run as an OS user of its own when started as root.
    pg_dir = PROJECT_ROOT / "var" / "test-embedded" / tmp_path.name
    shutil.rmtree(pg_dir, ignore_errors=True)
    settings = dataclasses.replace(Settings.in_folder(tmp_path), embedded_pg_dir=pg_dir)
    with warehouse_url(settings) as url, psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("show server_version").fetchone()[0]
        assert migrate(conn)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=2)
    shutil.rmtree(pg_dir)


def test_a_configured_url_is_used_as_it_is(tmp_path):
    settings = Settings.in_folder(tmp_path, "postgresql://u:p@db:6543/w")
    with warehouse_url(settings) as url:
        assert url == "postgresql://u:p@db:6543/w"
    assert connection_parts(url) == {
        "host": "db",
        "port": "6543",
        "user": "u",
        "password": "p",
        "dbname": "w",
    }


def test_socket_urls_give_the_socket_folder_as_host():
    parts = connection_parts("postgresql://postgres:@/postgres?host=/srv/pg")
    assert (parts["host"], parts["user"], parts["dbname"]) == ("/srv/pg", "postgres", "postgres")
