"""Thanrak's five-gear dashboard in Apache Superset: bundle it, set Superset up, serve it.

Run it with the Python of Superset's own environment (`make superset` makes .venv-superset):

    .venv-superset/bin/python bi/superset/manage.py up --port 8088

Subcommands:

- ``bundle OUT.zip``: the dashboard as Superset's import ZIP, from the YAML in
  bi/superset/dashboard/, with the warehouse connection filled in from the environment but its
  password masked (Superset's *Import dashboard* asks for it).
- ``setup``: Superset's metadata database migrated (``superset db upgrade``), its roles and
  permissions (``superset init``), its admin, and the bundle imported with the password from
  the environment, replacing every part of an earlier import.
- ``serve [--port N]``: Superset under gunicorn on 127.0.0.1.
- ``up [--port N]``: setup, then serve (``make superset-dashboard``).
- ``sync-datasets``: rewrite the datasets' descriptions, columns and types from
  dbt_project/models/bi/<view>.yml (tests/test_superset_dashboard.py fails when they drift).

Environment (no secret has a default; none is written to the repository):

| variable | meaning |
|---|---|
| ``THANRAK_WAREHOUSE_URL`` | the warehouse; its host, port and database are used, as ``bi_reader`` |
| ``THANRAK_BI_READER_PASSWORD`` | bi_reader's password (``thanrak migrate`` gives it LOGIN) |
| ``THANRAK_SUPERSET_WAREHOUSE_URI`` | instead of the two above: the whole SQLAlchemy URI |
| ``SUPERSET_ADMIN_USER`` / ``SUPERSET_ADMIN_PASSWORD`` | Superset's admin (default user ``admin``) |
| ``SUPERSET_SECRET_KEY`` | Superset's session and encryption key; unset, one is made once and kept in ``var/superset/secret_key`` |
| ``SUPERSET_HOME`` | Superset's folder (default ``var/superset``): its SQLite metadata, the key |
| ``SUPERSET_METADATA_URL`` | Superset's metadata database instead of SQLite (never the warehouse) |

Only the standard library and PyYAML are imported at the top, so that the project's tests can
import this module from the project's own environment.
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import sys
import time
import zipfile
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import yaml

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parents[1]
BUNDLE_DIR = HERE / "dashboard"
CONFIG_FILE = HERE / "superset_config.py"
DBT_BI_MODELS = PROJECT_ROOT / "dbt_project" / "models" / "bi"
BUNDLE_ROOT = "thanrak_five_gear"  # Superset strips the first folder of every path in the ZIP
DASHBOARD_SLUG = "thanrak-five-gear"
DATASET_HEADER = (
    "# A Superset dataset over a view of the warehouse's bi schema. Its description and its physical\n"
    "# columns (names, Thai / English labels, types, descriptions) come from\n"
    "# dbt_project/models/bi/{view}.yml: after changing that file run\n"
    "# `.venv/bin/python bi/superset/manage.py sync-datasets`. Metrics and calculated columns (those\n"
    "# with an expression) are edited here.\n"
)


class SetupError(SystemExit):
    """A problem the user can fix; the message says how."""

    def __init__(self, message: str) -> None:
        super().__init__(f"manage.py: {message}")


# -- the bundle ----------------------------------------------------------------------------------


def warehouse_uri(environ: Mapping[str, str] | None = None) -> str:
    """The SQLAlchemy URI Superset connects to the warehouse with, as bi_reader."""
    environ = os.environ if environ is None else environ
    if uri := environ.get("THANRAK_SUPERSET_WAREHOUSE_URI"):
        return uri
    url, password = environ.get("THANRAK_WAREHOUSE_URL"), environ.get("THANRAK_BI_READER_PASSWORD")
    if not url or not password:
        raise SetupError(
            "set THANRAK_WAREHOUSE_URL (the warehouse) and THANRAK_BI_READER_PASSWORD (bi_reader's "
            "password; `THANRAK_BI_READER_PASSWORD=... thanrak migrate` gives bi_reader a login), or "
            "THANRAK_SUPERSET_WAREHOUSE_URI (the whole postgresql+psycopg2:// URI)"
        )
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    netloc = f"bi_reader:{quote(password, safe='')}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(("postgresql+psycopg2", netloc, parts.path, parts.query, ""))


PASSWORD_MASK = "XXXXXXXXXX"  # how Superset writes a password in an export


def split_password(uri: str) -> tuple[str, str | None]:
    """(the URI with its password masked as Superset's exports have it, the password)."""
    parts = urlsplit(uri)
    if parts.password is None:
        return uri, None
    user_and_password, _, host = parts.netloc.rpartition("@")
    user = user_and_password.partition(":")[0]
    masked = parts._replace(netloc=f"{user}:{PASSWORD_MASK}@{host}")
    return urlunsplit(masked), unquote(parts.password)


def bundle_files(masked_uri: str) -> dict[str, str]:
    """Path inside the bundle -> YAML text, the database's URI replaced by `masked_uri` (its
    password masked, as in Superset's own exports: the import takes the password separately)."""
    files = {}
    for path in sorted(BUNDLE_DIR.rglob("*.yaml")):
        relative = path.relative_to(BUNDLE_DIR).as_posix()
        text = path.read_text(encoding="utf-8")
        if relative.startswith("databases/"):
            database = yaml.safe_load(text)
            database["sqlalchemy_uri"] = masked_uri
            text = yaml.safe_dump(database, sort_keys=False, allow_unicode=True)
        files[relative] = text
    return files


def bundle_zip(masked_uri: str) -> bytes:
    """Superset's import ZIP: every file under one top folder, which Superset strips."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for relative, text in bundle_files(masked_uri).items():
            bundle.writestr(f"{BUNDLE_ROOT}/{relative}", text)
    return buffer.getvalue()


# -- the datasets and dbt ------------------------------------------------------------------------


def dbt_bi_models() -> dict[str, dict]:
    """View name -> its dbt model entry (description, columns) from dbt_project/models/bi/*.yml."""
    models = {}
    for path in sorted(DBT_BI_MODELS.glob("*.yml")):
        for model in yaml.safe_load(path.read_text(encoding="utf-8")).get("models") or []:
            models[model["name"]] = model
    return models


def dataset_paths() -> list[Path]:
    return sorted((BUNDLE_DIR / "datasets").rglob("*.yaml"))


def dbt_texts(doc: dict) -> dict[str, str]:
    """The four texts of a dbt model or column: label_th, label_en and description_th from its
    config.meta (description_th defaulting to the Thai label), description_en from its
    description; as dbt_project/macros/labels.sql's thanrak_labels() reads them."""
    meta = {**(doc.get("meta") or {}), **((doc.get("config") or {}).get("meta") or {})}
    label_th = (meta.get("label_th") or "").strip()
    return {
        "label_th": label_th,
        "label_en": (meta.get("label_en") or "").strip(),
        "description_th": (meta.get("description_th") or label_th).strip(),
        "description_en": (doc.get("description") or "").strip(),
    }


def dbt_comment(doc: dict) -> str:
    """The description Thai first, then English, each half "label: description": the comment
    dbt writes on the relation or column (thanrak_comment() in dbt_project/macros/labels.sql), so
    that Superset shows what PostgreSQL and the other tools show."""
    texts = dbt_texts(doc)
    halves = []
    for language in ("th", "en"):
        label, description = texts[f"label_{language}"], texts[f"description_{language}"]
        if description and not description.lower().startswith(label.lower()):
            halves.append(f"{label}: {description}" if label else description)
        elif description or label:
            halves.append(description or label)
    return " / ".join(halves)


def dbt_label(doc: dict) -> str | None:
    """Thai label / English label, for a column's name in Superset (verbose_name)."""
    texts = dbt_texts(doc)
    return " / ".join(t for t in (texts["label_th"], texts["label_en"]) if t) or None


def synced_dataset(dataset: dict, model: dict) -> dict:
    """`dataset` with dbt's description, and its physical columns in dbt's order with dbt's
    labels, types and descriptions; metrics and calculated columns kept as they are."""
    own = {c["column_name"]: c for c in dataset.get("columns") or []}
    columns = []
    for column in model["columns"]:
        data_type = column["data_type"].upper()
        entry = {"column_name": column["name"]}
        if label := dbt_label(column):
            entry["verbose_name"] = label
        entry["type"] = data_type
        entry["is_dttm"] = data_type.startswith(("DATE", "TIMESTAMP"))
        entry["description"] = dbt_comment(column)
        columns.append(entry)
    calculated = [c for c in own.values() if c.get("expression")]
    synced = {key: value for key, value in dataset.items() if key not in ("description", "columns")}
    synced = {"table_name": dataset["table_name"], "description": dbt_comment(model), **synced}
    synced["columns"] = columns + calculated
    return synced


def dataset_yaml(dataset: dict) -> str:
    body = yaml.safe_dump(dataset, sort_keys=False, allow_unicode=True, width=1000)
    return DATASET_HEADER.format(view=dataset["table_name"]) + body


def sync_datasets() -> list[Path]:
    """Rewrites every dataset file from dbt; returns those that changed."""
    models = dbt_bi_models()
    changed = []
    for path in dataset_paths():
        dataset = yaml.safe_load(path.read_text(encoding="utf-8"))
        if dataset.get("schema") != "bi" or dataset["table_name"] not in models:
            raise SetupError(f"{path}: not a view of schema bi that dbt_project/models/bi declares")
        text = dataset_yaml(synced_dataset(dataset, models[dataset["table_name"]]))
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


# -- Superset ------------------------------------------------------------------------------------


def superset_home(environ: Mapping[str, str] | None = None) -> Path:
    environ = os.environ if environ is None else environ
    var = Path(environ.get("THANRAK_VAR_DIR") or PROJECT_ROOT / "var")
    return Path(environ.get("SUPERSET_HOME") or var / "superset")


def superset_environment() -> dict[str, str]:
    """The environment Superset's commands run in: our config, its folder, its secret key."""
    env = dict(os.environ)
    home = superset_home(env)
    home.mkdir(parents=True, exist_ok=True)
    env["SUPERSET_HOME"] = str(home)
    env["SUPERSET_CONFIG_PATH"] = str(CONFIG_FILE)
    if not env.get("SUPERSET_SECRET_KEY"):
        key_file = home / "secret_key"
        if not key_file.exists():
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(48))
        env["SUPERSET_SECRET_KEY"] = key_file.read_text().strip()
    return env


def _tool(name: str) -> str:
    path = Path(sys.executable).parent / name
    if not path.exists():
        raise SetupError(f"{path} is missing: run manage.py with .venv-superset/bin/python (make superset)")
    return str(path)


def check_warehouse(uri: str) -> None:
    """Connects as Superset will and reads the scorecard view, so that a missing login or grant is
    explained now rather than as a broken chart."""
    import psycopg2  # only in .venv-superset

    dsn = uri.replace("postgresql+psycopg2://", "postgresql://", 1)
    try:
        with psycopg2.connect(dsn, connect_timeout=10) as conn, conn.cursor() as cursor:
            cursor.execute("select current_user, count(*) from bi.scorecard")
            user, rows = cursor.fetchone()
    except psycopg2.Error as error:
        raise SetupError(
            f"cannot read bi.scorecard through the dashboard's connection: {str(error).strip()}. "
            "Check that bi_reader has a login (`THANRAK_BI_READER_PASSWORD=... thanrak migrate`) and "
            "that dbt has built the bi views (a night, or `make demo`)."
        ) from None
    print(f"superset: warehouse connection as {user}: bi.scorecard has {rows} rows", flush=True)


def setup() -> None:
    """Superset's own commands (`superset db upgrade`, `superset init`) and the import run in this
    one process on one app: each separate `superset` command spends 10-15 s importing Superset and
    building its app before doing anything. Safe to run again: it changes only what differs."""
    env = superset_environment()
    uri = warehouse_uri(env)
    username, password = env.get("SUPERSET_ADMIN_USER") or "admin", env.get("SUPERSET_ADMIN_PASSWORD")
    if not password:
        raise SetupError("set SUPERSET_ADMIN_PASSWORD: the password of Superset's admin user")
    check_warehouse(uri)
    os.environ.update(env)  # before Superset is imported: it reads its config at import

    from flask.cli import ScriptInfo
    from superset.app import create_app
    from superset.cli.main import superset as superset_cli

    app = create_app()
    script_info = ScriptInfo(create_app=lambda: app)

    def command(what: str, *args: str) -> None:
        print(f"superset: {what}: superset {' '.join(args[:2])}", flush=True)
        started = time.monotonic()
        try:
            superset_cli.main(list(args), obj=script_info, standalone_mode=False)
        except SystemExit as exit_:
            if exit_.code:
                raise SetupError(f"{what} failed (exit code {exit_.code}), see the log above") from None
        print(f"superset: ... {time.monotonic() - started:.1f} s", flush=True)

    command("migrating its metadata database", "db", "upgrade")
    command("syncing roles and permissions", "init")
    with app.app_context():
        manager = app.appbuilder.sm
        if not manager.find_user(username=username):
            role = manager.find_role(manager.auth_role_admin)
            if not manager.add_user(username, "Thanrak", "Admin", f"{username}@localhost", role, password):
                raise SetupError(f"could not create Superset's admin user {username!r}")
            print(f"superset: admin user {username!r} created", flush=True)
    import_bundle(app, username, uri)
    print(f"superset: dashboard /superset/dashboard/{DASHBOARD_SLUG}/", flush=True)


def import_bundle(app, username: str, uri: str) -> None:
    """The bundle imported as Superset's assets import does (`POST /api/v1/assets/import/`): every
    database, dataset, chart and dashboard of it overwritten. `superset import-dashboards` would
    create the charts, datasets and connection once and then keep them as they were, so an edited
    chart or a new password would never arrive. The password is handed over beside the bundle,
    never written into it."""
    from superset.commands.importers.v1.assets import ImportAssetsCommand
    from superset.commands.importers.v1.utils import get_contents_from_bundle
    from superset.utils.core import override_user

    masked_uri, password = split_password(uri)
    print("superset: importing the dashboard, its charts, datasets and connection", flush=True)
    started = time.monotonic()
    with app.app_context():
        with zipfile.ZipFile(io.BytesIO(bundle_zip(masked_uri))) as bundle:
            contents = get_contents_from_bundle(bundle)  # Superset's own checks of an uploaded ZIP
        # The bundle is a dashboard export (what Superset's "Import dashboard" takes); the assets
        # import wants the same files declared as assets.
        metadata = yaml.safe_load(contents["metadata.yaml"])
        contents["metadata.yaml"] = yaml.safe_dump({**metadata, "type": "assets"})
        passwords = {name: password for name in contents if name.startswith("databases/") and password}
        with override_user(app.appbuilder.sm.find_user(username=username)):
            try:
                ImportAssetsCommand(contents, passwords=passwords).run()
            except Exception as error:  # Superset wraps the cause: name it
                cause = error.__cause__ or error
                messages = getattr(cause, "normalized_messages", lambda: f"{type(cause).__name__}: {cause}")()
                raise SetupError(f"importing the dashboard failed: {messages}") from error
    print(f"superset: ... {time.monotonic() - started:.1f} s", flush=True)


def serve(port: int, workers: int) -> None:
    """gunicorn in this process's place (signals reach it directly)."""
    env = superset_environment()
    gunicorn = _tool("gunicorn")
    print(f"superset: http://127.0.0.1:{port}/superset/dashboard/{DASHBOARD_SLUG}/", flush=True)
    args = [gunicorn, "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "gthread"]
    args += ["--threads", "8", "--timeout", "120", "--limit-request-line", "0", "--access-logfile", "-"]
    os.execve(gunicorn, [*args, "superset.app:create_app()"], env)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    bundle = commands.add_parser("bundle", help="write the import ZIP (its password masked)")
    bundle.add_argument("out", type=Path)
    commands.add_parser("setup", help="migrate, create the admin, import the dashboard")
    for name in ("serve", "up"):
        command = commands.add_parser(name, help="serve Superset on 127.0.0.1" + (" after setup" * (name == "up")))
        command.add_argument("--port", type=int, default=8088)
        command.add_argument("--workers", type=int, default=1)
    commands.add_parser("sync-datasets", help="datasets' descriptions and columns from dbt")
    args = parser.parse_args(argv)
    if args.command == "bundle":
        args.out.write_bytes(bundle_zip(split_password(warehouse_uri())[0]))
    elif args.command == "setup":
        setup()
    elif args.command == "up":
        setup()
        serve(args.port, args.workers)
    elif args.command == "serve":
        serve(args.port, args.workers)
    elif args.command == "sync-datasets":
        for path in sync_datasets():
            print(f"rewrote {path.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
