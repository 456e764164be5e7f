"""Shared fixtures. Tests run against a real PostgreSQL: the server at THANRAK_TEST_PG_URL
(default: the local one on 127.0.0.1:5432), or an embedded one when none answers. Each test
module that needs a warehouse gets a database of its own, dropped afterwards."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from thanrak.settings import PROJECT_ROOT, Settings

# One pseudonym key for every test and the processes they start (Airflow, `thanrak run-night`), so
# that two warehouses built from the same files hold the same pseudonyms.
os.environ.setdefault("THANRAK_PSEUDONYM_KEYS", "thanrak-tests-pseudonym-key")

SERVER_URL = os.environ.get("THANRAK_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _with_database(url: str, database: str) -> str:
    base, _, query = url.partition("?")
    base = base.rsplit("/", 1)[0] + "/" + database
    return f"{base}?{query}" if query else base


@pytest.fixture(scope="session")
def pg_server() -> str:
    """URL of a PostgreSQL server's maintenance database, for creating test databases."""
    try:
        with psycopg.connect(SERVER_URL, connect_timeout=3):
            pass
        yield SERVER_URL
    except psycopg.OperationalError:
        from thanrak.warehouse.connection import embedded_postgres

        with embedded_postgres(PROJECT_ROOT / "var" / "test-pg") as url:
            yield url


@contextlib.contextmanager
def fresh_database(pg_server: str):
    name = f"thanrak_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server, autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    try:
        yield _with_database(pg_server, name)
    finally:
        with psycopg.connect(pg_server, autocommit=True) as admin:
            admin.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture(scope="module")
def empty_warehouse(pg_server):
    """A new, empty database (no migrations)."""
    with fresh_database(pg_server) as url:
        yield url


@pytest.fixture(scope="module")
def warehouse(pg_server):
    """A new database with every migration applied and reference data loaded."""
    from thanrak.warehouse.migrate import migrate
    from thanrak.warehouse.reference import load_reference

    with fresh_database(pg_server) as url:
        with psycopg.connect(url, autocommit=True) as conn:
            migrate(conn)
            load_reference(conn)
        yield url


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings whose every folder lies in the test's own temporary folder."""
    return Settings.in_folder(tmp_path / "var")


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A real S3 API (moto's server) on a free local port of 127.0.0.1, for the whole module."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
