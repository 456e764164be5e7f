"""Logins for the warehouse's roles (made by migration 0010_roles, see docs/access.md).

Passwords come from the environment or from the administrator, never from the repository. They
are sent to the server already hashed (SCRAM-SHA-256, computed by libpq), so they appear in no
server log.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

import psycopg
from psycopg import sql

# Role -> the environment variable whose password, when set, makes it a login.
CREDENTIAL_ENV = {
    "bi_reader": "THANRAK_BI_READER_PASSWORD",
    "thanrak_loader": "THANRAK_LOADER_PASSWORD",
    "thanrak_transformer": "THANRAK_TRANSFORMER_PASSWORD",
}
PROVINCE_LOGIN_PASSWORD_ENV = "THANRAK_PROVINCE_LOGIN_PASSWORD"
_OWN_ROLES = re.compile(r"^(bi_reader|thanrak_.*|pg_.*|postgres)$")


def _set_password(conn: psycopg.Connection, role: str, password: str) -> None:
    verifier = conn.pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256")
    conn.execute(
        sql.SQL("alter role {} with login password {}").format(
            sql.Identifier(role), sql.Literal(verifier.decode())
        )
    )


def apply_credentials(
    conn: psycopg.Connection,
    environ: Mapping[str, str] | None = None,
    roles: Mapping[str, str] = CREDENTIAL_ENV,
) -> list[str]:
    """Gives LOGIN and a password to each role whose variable is set; returns those roles.
    A role whose variable is unset is left as it is (NOLOGIN unless an administrator changed it)."""
    environ = os.environ if environ is None else environ
    done = []
    for role, variable in roles.items():
        password = environ.get(variable)
        if not password:
            continue
        for attempt in range(3):
            try:
                with conn.transaction():
                    _set_password(conn, role, password)
                break
            except psycopg.errors.InternalError:
                # "tuple concurrently updated": another database's migrate set it at the same moment
                if attempt == 2:
                    raise
        done.append(role)
    return done


def province_reader_role(conn: psycopg.Connection, province_code: str) -> str:
    """The reader role of a CDD province ("40" -> thanrak_province_reader_40)."""
    row = conn.execute(
        "select role_name from access.province_reader_role where province_code = %s and role_name = %s",
        (province_code, f"thanrak_province_reader_{province_code}"),
    ).fetchone()
    if row is None:
        raise ValueError(f"'{province_code}' is not the code of a province in the CDD network")
    return row[0]


def grant_province_login(conn: psycopg.Connection, province_code: str, login: str, password: str) -> str:
    """Creates (or updates the password of) a LOGIN role that reads the marts rows of one
    province; a login granted several provinces sees all of them. Returns the reader role."""
    if _OWN_ROLES.match(login):
        raise ValueError(f"'{login}' is one of the warehouse's own roles: choose another login name")
    if not password:
        raise ValueError("an empty password is not accepted")
    with conn.transaction():
        role = province_reader_role(conn, province_code)
        existing = conn.execute(
            "select rolsuper or rolcreaterole or rolbypassrls from pg_roles where rolname = %s", (login,)
        ).fetchone()
        if existing is None:
            conn.execute(sql.SQL("create role {} login").format(sql.Identifier(login)))
        elif existing[0]:
            raise ValueError(f"'{login}' is an administrative role: it would see every row")
        _set_password(conn, login, password)
        conn.execute(sql.SQL("grant {} to {}").format(sql.Identifier(role), sql.Identifier(login)))
    return role
