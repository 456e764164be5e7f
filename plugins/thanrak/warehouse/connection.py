"""The PostgreSQL warehouse: one URL reaches it (THANRAK_WAREHOUSE_URL).

When no URL is configured, `warehouse_url()` starts an embedded PostgreSQL (the `pgserver`
wheel) in a project-local folder, so the demo runs on a machine with no PostgreSQL at all.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import psycopg

from thanrak.settings import Settings


@contextlib.contextmanager
def warehouse_url(settings: Settings | None = None) -> Iterator[str]:
    """Yields a URL of a running warehouse: the configured one, or an embedded server that is
    started for the duration of the `with` block and stopped cleanly afterwards."""
    settings = settings or Settings.from_env()
    if settings.warehouse_url:
        yield settings.warehouse_url
        return
    with embedded_postgres(settings.embedded_pg_dir) as url:
        yield url


@contextlib.contextmanager
def embedded_postgres(data_dir: Path) -> Iterator[str]:
    """Starts PostgreSQL from the `pgserver` wheel in `data_dir` (unix socket only) and stops it
    when the block ends. pgserver refuses nothing as root: it runs the server as an OS user of
    its own, so the folder must be writable by that user."""
    # pgserver asks platformdirs for a runtime folder, which warns harmlessly on servers.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    import pgserver  # imported here: only the embedded path needs it

    # its exit hook logs after the test runner or CLI has closed its streams
    logging.getLogger("pgserver").setLevel(logging.WARNING)

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


def connect(url: str, **kwargs) -> psycopg.Connection:
    """Opens a psycopg connection from a SQLAlchemy-style or libpq URL."""
    return psycopg.connect(libpq_url(url), **kwargs)


def libpq_url(url: str) -> str:
    """Drops a SQLAlchemy driver suffix (postgresql+psycopg://) so libpq accepts the URL."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme.split('+')[0]}{sep}{rest}"


def sqlalchemy_url(url: str) -> str:
    """The same URL with the psycopg 3 driver named, for SQLAlchemy and Great Expectations."""
    return "postgresql+psycopg://" + libpq_url(url).partition("://")[2]


def connection_parts(url: str) -> dict[str, str]:
    """Splits a URL into host, port, user, password and database, as dbt's profile wants them.
    A unix-socket URL (`?host=/dir`) gives the socket folder as the host."""
    parsed = urlparse(libpq_url(url))
    query = parse_qs(parsed.query)
    host = query.get("host", [parsed.hostname or "127.0.0.1"])[0]
    return {
        "host": host,
        "port": str(parsed.port or query.get("port", ["5432"])[0]),
        "user": unquote(parsed.username or query.get("user", ["postgres"])[0]),
        "password": unquote(parsed.password or ""),
        "dbname": (parsed.path.lstrip("/") or "postgres"),
    }


def analyze_schema(url: str, schema: str) -> int:
    """Refreshes the planner statistics of every table in `schema`; returns how many."""
    with connect(url, autocommit=True) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "select tablename from pg_tables where schemaname = %s order by tablename", (schema,)
            )
        ]
        for name in tables:
            conn.execute(f'analyze "{schema}"."{name}"')
    return len(tables)
