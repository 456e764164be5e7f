"""Versioned schema migrations: numbered SQL files in `migrations/`, each applied once, in order,
in its own transaction, under an advisory lock so two processes never migrate at once."""

from __future__ import annotations

import hashlib
from importlib.resources import files

import psycopg

from thanrak.warehouse.access import apply_credentials

_LOCK_ID = 0x7468616E  # "than": any constant shared by every Thanrak process
_BOOKKEEPING = """
create schema if not exists ops;
create table if not exists ops.schema_migration (
    version     text primary key,
    checksum    char(64) not null,
    applied_at  timestamptz not null default now()
)"""


def migration_files() -> list[tuple[str, str]]:
    """(version, sql) for every migration, sorted by version."""
    folder = files("thanrak.warehouse").joinpath("migrations")
    return sorted(
        (entry.name.removesuffix(".sql"), entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if entry.name.endswith(".sql")
    )


def migrate(conn: psycopg.Connection) -> list[str]:
    """Applies the migrations not yet applied; returns their versions. A migration whose file
    changed after it was applied is an error: add a new migration instead of editing one."""
    applied_now = []
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", (_LOCK_ID,))
        conn.execute(_BOOKKEEPING)
        applied = dict(conn.execute("select version, checksum from ops.schema_migration").fetchall())
        for version, sql in migration_files():
            checksum = hashlib.sha256(sql.encode()).hexdigest()
            if version in applied:
                if applied[version] != checksum:
                    raise RuntimeError(
                        f"migration {version} was edited after it was applied; write a new migration instead"
                    )
                continue
            with conn.transaction():
                conn.execute(sql)
                conn.execute(
                    "insert into ops.schema_migration (version, checksum) values (%s, %s)",
                    (version, checksum),
                )
            applied_now.append(version)
    # Logins for the roles of 0010_roles, when the environment gives their passwords.
    apply_credentials(conn)
    return applied_now
