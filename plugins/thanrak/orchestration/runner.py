"""Runs Thanrak's DAGs through Airflow itself (`airflow dags test`) with a project-local
AIRFLOW_HOME and a SQLite metadata database: no Airflow server is needed. `thanrak run-night`
(and the demo after generating its files) is `run_night`."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from thanrak.nights import night_cutoff
from thanrak.settings import PROJECT_ROOT, Settings
from thanrak.warehouse.connection import connect, warehouse_url
from thanrak.warehouse.run_log import latest_run_id

logger = logging.getLogger(__name__)

# `airflow dags test` runs one task at a time in one process: the WATCHER sensors' scheduling
# costs more than per-model status is worth there (docs/ARCHITECTURE.md, "dbt in Airflow").
# A scheduler's deployment keeps cosmos.DEFAULT_DBT_MODE; THANRAK_DBT_MODE overrides both.
DAGS_TEST_DBT_MODE = "single"


def bytecode_cache_dir() -> Path | None:
    """Where the Airflow processes keep the bytecode of the modules they import: THANRAK_PYCACHE_DIR
    (empty: no cache of ours), else thanrak/pycache in the user's cache folder. None when
    PYTHONPYCACHEPREFIX is already set: the caller's own cache is used as it is."""
    if os.environ.get("PYTHONPYCACHEPREFIX"):
        return None
    configured = os.environ.get("THANRAK_PYCACHE_DIR")
    if configured is not None:
        return Path(configured) if configured.strip() else None
    return user_cache_dir() / "pycache"


def user_cache_dir() -> Path:
    """thanrak/ in the user's cache folder (XDG_CACHE_HOME, else ~/.cache): what any var folder
    may reuse (bytecode, an empty migrated Airflow metadata database)."""
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "thanrak"


def _bytecode_environment(env: dict[str, str]) -> dict[str, str]:
    """A venv installed without bytecode (uv's default) on a machine with PYTHONDONTWRITEBYTECODE=1
    makes every `airflow` process compile the ~5,000 modules it imports (Airflow, dbt, GX, pandas)
    from source: about 10 s a run here. The processes write their bytecode to a cache folder
    instead (PYTHONPYCACHEPREFIX), outside the source trees, which stay clean; Python checks each
    cached file against its source, so a cache outlives upgrades and var folders."""
    cache = bytecode_cache_dir()
    if cache is None:
        return env
    env = {key: value for key, value in env.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": str(cache)}


def airflow_environment(settings: Settings, warehouse_url: str) -> dict[str, str]:
    home = settings.var_dir / "airflow"
    return {
        **_bytecode_environment(dict(os.environ)),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PROJECT_ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        # The dbt producer is not retried (thanrak.orchestration.dag_support): no need for Cosmos to copy
        # the XComs it pushes into an Airflow Variable as well, rewritten at every push.
        "AIRFLOW__COSMOS__ENABLE_WATCHER_RELIABLE_RETRY": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": os.environ.get("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING"),
        "DO_NOT_TRACK": "1",
        "THANRAK_WAREHOUSE_URL": warehouse_url,
        "THANRAK_VAR_DIR": str(settings.var_dir),
        "THANRAK_LANDING_DIR": str(settings.landing_dir),
        "THANRAK_LANDING_URL": settings.landing_url or "",
        "THANRAK_REPORTS_DIR": str(settings.reports_dir),
        "THANRAK_DBT_PROJECT_DIR": str(settings.dbt_project_dir),
        "THANRAK_DBT_MODE": os.environ.get("THANRAK_DBT_MODE", DAGS_TEST_DBT_MODE),
    }


def airflow_command(args: list[str]) -> list[str]:
    """`airflow ARGS` in this interpreter, through thanrak.orchestration.airflow_process: Airflow's
    own command, with a process that ends as soon as the command is done (no teardown of its
    heap: about 4 s after a `dags test`). `-P`: the working folder is not put on sys.path, as it
    is not for the `airflow` script."""
    return [sys.executable, "-P", "-m", "thanrak.orchestration.airflow_process", *args]


def _airflow(args: list[str], env: dict[str, str], log: Path) -> None:
    with (
        log.open("a") as out,
        subprocess.Popen(airflow_command(args), env=env, stdout=out, stderr=out) as process,
    ):
        try:
            code = process.wait()
        except BaseException:  # interrupted or terminated: do not leave Airflow running alone
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:  # `airflow dags test` may finish its task first
                process.kill()
                process.wait()
            raise
    if code != 0:
        raise RuntimeError(f"`airflow {' '.join(args)}` failed (exit {code}); see {log}")


def _write_dbt_manifest(settings: Settings, env: dict[str, str], airflow_log: Path) -> None:
    """The DAG renders one task per dbt node from the manifest: written (`dbt parse`, a few
    seconds) when the dbt project changed since the last one. If dbt cannot parse the project,
    the night still runs; the DAG then builds the marts in one task, which shows dbt's error."""
    from thanrak.orchestration.cosmos import write_manifest

    if env["THANRAK_DBT_MODE"].strip().lower() == "single":
        return
    try:
        write_manifest(settings)
    except RuntimeError as error:
        logger.warning("%s", error)
        with airflow_log.open("a") as out:
            out.write(f"thanrak: no current dbt manifest, dbt runs as one task: {error}\n")


def _metadata_template(env: dict[str, str]) -> Path:
    """Where an empty metadata database migrated by this Airflow, with these Airflow settings,
    is kept: named by a hash of Airflow's version and the AIRFLOW__* settings (but the database
    address, which names the var folder)."""
    from importlib.metadata import version

    settings = sorted(
        (key, value)
        for key, value in env.items()
        if key.startswith("AIRFLOW__") and key != "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"
    )
    digest = hashlib.sha256(repr((version("apache-airflow"), settings)).encode()).hexdigest()[:16]
    return user_cache_dir() / f"airflow-metadata-{digest}.db"


def _migrated_metadata_database(env: dict[str, str], database: Path, log: Path) -> None:
    """A new var folder's SQLite metadata database. `airflow db migrate` of an empty database
    always gives the same tables and rows (the log templates, the default pool, alembic's
    version: no path, no DAG), so its result is kept in the user's cache and copied into the
    next new var folder (milliseconds, against 2-14 s for the migration here)."""
    template = _metadata_template(env)
    if template.is_file():
        shutil.copyfile(template, database)
        return
    _airflow(["db", "migrate"], env, log)
    try:
        template.parent.mkdir(parents=True, exist_ok=True)
        partial = template.with_name(f"{template.name}.{os.getpid()}.tmp")
        shutil.copyfile(database, partial)
        os.replace(partial, template)  # whole or not at all, for a run beside this one
    except OSError as error:  # a read-only cache: the next new var folder migrates again
        logger.info("no Airflow metadata template kept in %s: %s", template.parent, error)


def run_nightly_dag(settings: Settings, warehouse_url: str, night: dt.date) -> Path:
    """Runs `thanrak_nightly` for `night` through Airflow; returns the path of Airflow's log."""
    env = airflow_environment(settings, warehouse_url)
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    log = home / f"dags-test-{night.isoformat()}.log"
    log.write_text("")
    if not (home / "airflow.db").exists():
        _migrated_metadata_database(env, home / "airflow.db", log)
    _write_dbt_manifest(settings, env, log)
    logical_date = night_cutoff(night).astimezone(dt.UTC).isoformat()
    _airflow(["dags", "test", "thanrak_nightly", logical_date], env, log)
    return log


def describe_warehouse(settings: Settings) -> str:
    if settings.warehouse_url:
        return "external warehouse (THANRAK_WAREHOUSE_URL)"
    return f"embedded PostgreSQL in {settings.embedded_pg_dir}"


def describe_landing(settings: Settings) -> str:
    return settings.landing_url or str(settings.landing_dir)


def run_night(settings: Settings, night: dt.date) -> int:
    """`thanrak run-night`: the night's files in the landing zone, as they are, through the real
    thanrak_nightly DAG; then the night's summary and scorecard."""
    with warehouse_url(settings) as url:
        print(
            f"Thanrak run-night: night {night}, {describe_warehouse(settings)}, landing {describe_landing(settings)}"
        )
        return process_night(settings, url, night)


def process_night(
    settings: Settings,
    url: str,
    night: dt.date,
    *,
    timings: dict[str, float] | None = None,
    more_paths: tuple[tuple[str, Path], ...] = (),
) -> int:
    """Runs thanrak_nightly for `night` and prints what a data engineer checks the morning after:
    the summary, the five-gear scorecard, the wall-clock and where the reports and logs are."""
    from thanrak.report.scorecard import national_scorecard, render_scorecard
    from thanrak.report.summary import night_summary, render_markdown

    timings = dict(timings or {})
    started = time.monotonic()
    airflow_log = run_nightly_dag(settings, url, night)
    timings["airflow dags test thanrak_nightly"] = time.monotonic() - started
    with connect(url) as conn:
        summary = night_summary(conn, night, latest_run_id(conn, night))
        scorecard = national_scorecard(conn, night)
    print()
    print(render_markdown(summary))
    print(render_scorecard(scorecard))
    print()
    print("Wall-clock / เวลาที่ใช้:")
    for step, seconds in timings.items():
        print(f"  {step}: {seconds:.1f} s")
    print()
    report_dir = settings.reports_dir / night.isoformat()
    print(f"Planners' report (open in a browser): {report_dir / 'report.html'}")
    print(f"Summary: {report_dir / 'night-report.md'} and night-report.json")
    print(f"Rejected rows per province, to send back: {report_dir / 'quarantine'}/")
    print(f"Airflow log: {airflow_log}")
    for label, path in more_paths:
        print(f"{label}: {path}")
    return 0
