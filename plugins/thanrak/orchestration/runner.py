"""Runs Thanrak's DAGs through Airflow itself (`airflow dags test`) with a project-local
AIRFLOW_HOME and a SQLite metadata database: no Airflow server is needed. `thanrak run-night`
(and the demo after generating its files) is `run_night`.

While Airflow runs, this process reads its output: all of it goes to a log file of the run's own
(var/logs/airflow-<night>-<UTC time>.log, kept), each task's part also to the file the Airflow UI
reads for that task (under var/airflow/logs/), and the tasks' announcements
(thanrak.orchestration.airflow_process) with the night's run log in the warehouse make the
progress lines `thanrak run-night` and `thanrak demo` print (NightWatch)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import re
import selectors
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import psycopg

from thanrak.nights import night_cutoff
from thanrak.orchestration.airflow_process import task_event
from thanrak.orchestration.cosmos import DBT_GROUP_ID
from thanrak.settings import PROJECT_ROOT, Settings
from thanrak.warehouse.connection import connect, warehouse_url
from thanrak.warehouse.run_log import NightProgress, latest_run_id, night_progress

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
        # INFO: the run's log shows each task start and end, what Cosmos and the tasks log.
        "AIRFLOW__LOGGING__LOGGING_LEVEL": os.environ.get("AIRFLOW__LOGGING__LOGGING_LEVEL", "INFO"),
        "DO_NOT_TRACK": "1",
        # dbt's output goes to files (the run's log, the task's): no colour codes in them.
        "DBT_USE_COLORS": os.environ.get("DBT_USE_COLORS", "false"),
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


def progress_interval() -> float:
    """The least time between two progress lines of one stage (THANRAK_PROGRESS_SECONDS, 10 s)."""
    return float(os.environ.get("THANRAK_PROGRESS_SECONDS") or 10)


# dbt's line for a node it finished: `12:01:02  12 of 87 OK created sql table model ...`.
_DBT_NODE_DONE = re.compile(rb"\b(\d+) of (\d+) (?:OK|PASS|WARN|ERROR|FAIL|SKIP|NO-OP)\b")
# The tasks that run dbt itself: the one-task build, or the WATCHER producer (its sensors follow).
_DBT_BUILD_TASKS = (DBT_GROUP_ID, f"{DBT_GROUP_ID}.dbt_producer_watcher")


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number:,} {one if number == 1 else (many or one + 's')}"


class NightWatch:
    """What `thanrak run-night` and `thanrak demo` print while Airflow runs a night: a line when
    a task ends, with its time and what it did (the files discover found, the nodes dbt built);
    ingest's files and rows and dbt's nodes summed up as they go, at most one line per stage in
    `interval` seconds and only when something changed; a task still running after twice the
    interval, once; a task that did not succeed, with the path of its log. Read from the
    tasks' announcements in Airflow's output and from the night's run log in the warehouse
    (ops.run_log, rows since the watch began). It never fails the run: a warehouse it cannot
    read (not migrated yet, gone) only leaves the counts out."""

    def __init__(
        self,
        url: str,
        night: dt.date,
        say: Callable[[str], None] = print,
        *,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.url, self.night, self.say, self.clock = url, night, say, clock
        self.interval = progress_interval() if interval is None else interval
        self.began = clock()
        self.since = dt.datetime.now(dt.UTC)
        self._conn: psycopg.Connection | None = None
        self._running: dict[tuple[str, int], _Running] = {}
        self._last: dict[str, tuple[float, object]] = {}  # stage: when it was printed, what
        self._pending: dict[str, tuple[object, str]] = {}  # stage: a line held back by the interval
        self._started = False  # the first task has started
        self._provinces_done = 0
        self._dbt_nodes: tuple[int, int] = (0, 0)
        self._dbt_tasks_done = 0

    def line(self, text: str) -> None:
        self.say(f"  [{self.clock() - self.began:4.0f} s] {text}")

    def _stage_line(self, stage: str, what: object, text: str, *, now: bool = False) -> None:
        """`text` when `what` changed since the stage's last line, and either `now` or the
        interval has passed since then; else it is held back for the next chance."""
        when, before = self._last.get(stage, (None, None))
        if what == before:
            self._pending.pop(stage, None)
        elif now or when is None or self.clock() - when >= self.interval:
            self._pending.pop(stage, None)
            self._last[stage] = (self.clock(), what)
            self.line(text)
        else:
            self._pending[stage] = (what, text)

    def _flush(self, *, now: bool = True, keep: str | None = None) -> None:
        """The lines held back (those whose interval has passed, unless `now`), but stage
        `keep`'s."""
        for stage, (what, text) in list(self._pending.items()):
            if stage != keep:
                self._stage_line(stage, what, text, now=now)

    def _progress(self) -> NightProgress | None:
        try:
            if self._conn is None or self._conn.closed:
                self._conn = connect(self.url, autocommit=True, connect_timeout=5)
            return night_progress(self._conn, self.night, self.since)
        except psycopg.Error:  # no ops.run_log before prepare_warehouse, or the warehouse went away
            self.close()
            return None

    def _ingest(self) -> None:
        progress = self._progress()
        if progress is None or (progress.files_done == 0 and not self._provinces_done):
            return
        waiting = progress.files_waiting
        text = f"ingest: {progress.files_done:,}" + (f"/{waiting:,}" if waiting is not None else "")
        text += " files" + (
            f" ({_count(self._provinces_done, 'province')} done)" if self._provinces_done else ""
        )
        text += (
            f", {progress.rows_loaded:,} rows loaded, {progress.rows_quarantined:,} quarantined, "
            f"{_count(progress.files_rejected, 'file')} rejected"
        )
        what = (progress.files_done, self._provinces_done)
        self._stage_line("ingest", what, text, now=progress.files_done == waiting)

    def task(self, event: dict) -> None:
        """An announcement of a task starting or ending (airflow_process.task_event)."""
        task_id, index = event["task_id"], event.get("map_index", -1)
        stage = task_id.split(".")[0]
        name = task_id + (f"[{index}]" if index >= 0 else "")
        if event["event"] == "started":
            if not self._started:
                self._started = True
                self.line(f"Airflow started the run (its start-up: {self.clock() - self.began:.1f} s)")
            self._flush(keep=stage)
            # Said to be running after twice the interval: not ingest's (counted) nor a sensor's.
            quiet = stage == "ingest" or (stage == DBT_GROUP_ID and task_id not in _DBT_BUILD_TASKS)
            self._running[(task_id, index)] = _Running(name, self.clock(), event.get("log"), quiet)
            if task_id in _DBT_BUILD_TASKS:
                self.line(f"{DBT_GROUP_ID}: dbt build started")
            return
        running = self._running.pop((task_id, index), None) or _Running(name, self.clock(), None)
        seconds, state = self.clock() - running.began, event.get("state") or "no state"
        if state not in ("success", "skipped"):
            log = f", its log: {running.log}" if running.log else ""
            self.line(f"{name}: {state} after {seconds:.1f} s{log}")
        if stage == "ingest":
            self._provinces_done += 1
            self._ingest()
        elif task_id in _DBT_BUILD_TASKS:
            self._pending.pop("dbt nodes", None)  # the line below says it
            progress = self._progress()
            failed = ", ".join(progress.dbt_failed) if progress else ""
            if state == "success":
                nodes = f": {_count(progress.dbt_nodes, 'node')}" if progress and progress.dbt_nodes else ""
                self.line(f"{DBT_GROUP_ID}: dbt build finished in {seconds:.1f} s{nodes}")
            if failed:
                self.line(f"{DBT_GROUP_ID}: dbt nodes that failed: {failed}")
        elif stage == DBT_GROUP_ID:  # a WATCHER sensor: reads its node's result
            self._dbt_tasks_done += 1
            done = self._dbt_tasks_done
            self._stage_line(stage, done, f"{DBT_GROUP_ID}: {_count(done, 'dbt task')} done")
        elif state in ("success", "skipped"):
            extra = ""
            if task_id == "discover_submissions":
                progress = self._progress()
                if progress and progress.files_waiting is not None:
                    extra = f": {_count(progress.files_waiting, 'file')} waiting"
            self.line(f"{name}: {state} in {seconds:.1f} s{extra}")

    def output(self, line: bytes) -> None:
        """A line of Airflow's output that is not an announcement: dbt's count of the nodes it
        finished, while a dbt build runs."""
        if not any(task in _DBT_BUILD_TASKS for task, _ in self._running):
            return
        found = _DBT_NODE_DONE.search(line)
        if found:
            self._dbt_nodes = done, total = (max(int(found[1]), self._dbt_nodes[0]), int(found[2]))
            for running in self._running.values():  # its node count says it is running
                running.said = True
            self._stage_line("dbt nodes", self._dbt_nodes, f"{DBT_GROUP_ID}: dbt {done}/{total} nodes done")

    def tick(self) -> None:
        """Every second or so while Airflow runs: ingest's counts, the lines held back whose
        interval has passed, a task running long."""
        last_ingest_line = self._last.get("ingest", (None, None))[0]
        if any(task == "ingest" for task, _ in self._running) and (
            last_ingest_line is None or self.clock() - last_ingest_line >= self.interval
        ):
            self._ingest()
        self._flush(now=False)
        for running in self._running.values():
            if not running.quiet and not running.said and self.clock() - running.began >= 2 * self.interval:
                running.said = True
                self.line(f"{running.name}: running for {self.clock() - running.began:.0f} s")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = None

    def finish(self) -> None:
        """After Airflow's process ended: the lines still held back."""
        self._flush()
        self.close()


@dataclass
class _Running:
    name: str
    began: float
    log: str | None
    quiet: bool = True  # no "running for" line of its own
    said: bool = False


class _AirflowOutput:
    """Airflow's output as it comes, line by line: all of it to the run's log, each task's lines
    also to that task's log file (where the UI reads it), and to the watch."""

    def __init__(self, log: BinaryIO, watch: NightWatch | None):
        self.log, self.watch = log, watch
        self._task_log: BinaryIO | None = None
        self._rest = b""

    def feed(self, chunk: bytes) -> None:
        *lines, self._rest = (self._rest + chunk).split(b"\n")
        for line in lines:
            self._line(line + b"\n")
        self.log.flush()
        if self._task_log:
            self._task_log.flush()

    def _line(self, line: bytes) -> None:
        self.log.write(line)
        event = task_event(line)
        if event is None:
            if self._task_log:
                self._task_log.write(line)
            if self.watch:
                self.watch.output(line)
            return
        self._close_task_log()
        if event["event"] == "started" and event.get("log"):
            path = Path(event["log"])
            path.parent.mkdir(parents=True, exist_ok=True)
            self._task_log = path.open("ab")
        if self.watch:
            self.watch.task(event)

    def _close_task_log(self) -> None:
        if self._task_log:
            self._task_log.close()
        self._task_log = None

    def close(self) -> None:
        if self._rest:
            self._line(self._rest + b"\n")
            self._rest = b""
        self.log.flush()
        self._close_task_log()


def _follow(process: subprocess.Popen, output: _AirflowOutput, watch: NightWatch | None) -> None:
    """Reads the process's output until it closes it, ticking the watch every second or so."""
    fd = process.stdout.fileno()
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        next_tick = time.monotonic() + 1
        while True:
            timeout = max(0.0, next_tick - time.monotonic()) if watch else None
            if selector.select(timeout):
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    return
                output.feed(chunk)
            if watch and time.monotonic() >= next_tick:
                watch.tick()
                next_tick = time.monotonic() + 1


def _airflow(args: list[str], env: dict[str, str], log: Path, watch: NightWatch | None = None) -> None:
    with (
        log.open("ab") as out,
        subprocess.Popen(
            airflow_command(args), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        ) as process,
    ):
        output = _AirflowOutput(out, watch)
        try:
            _follow(process, output, watch)
            code = process.wait()
        except BaseException:  # interrupted or terminated: do not leave Airflow running alone
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:  # `airflow dags test` may finish its task first
                process.kill()
                process.wait()
            raise
        finally:
            output.close()
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


def airflow_log_path(settings: Settings, night: dt.date) -> Path:
    """A new, empty file for one run's Airflow log, kept: var/logs/airflow-<night>-<UTC time>.log
    (a suffix when two runs start in the same second)."""
    folder = settings.var_dir / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"airflow-{night.isoformat()}-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}"
    for attempt in range(1, 1000):
        path = folder / (f"{stem}.log" if attempt == 1 else f"{stem}-{attempt}.log")
        try:
            path.touch(exist_ok=False)
            return path
        except FileExistsError:
            continue
    raise RuntimeError(f"no new log file for {stem} in {folder}")


def run_nightly_dag(
    settings: Settings, warehouse_url: str, night: dt.date, *, say: Callable[[str], None] | None = None
) -> Path:
    """Runs `thanrak_nightly` for `night` through Airflow; returns the path of the run's Airflow
    log. With `say`, the path first and then the run's progress (NightWatch) go to it."""
    env = airflow_environment(settings, warehouse_url)
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    log = airflow_log_path(settings, night)
    if say:
        say(f"  Airflow log of this run (level {env['AIRFLOW__LOGGING__LOGGING_LEVEL']}, kept): {log}")
    if not (home / "airflow.db").exists():
        _migrated_metadata_database(env, home / "airflow.db", log)
    _write_dbt_manifest(settings, env, log)
    logical_date = night_cutoff(night).astimezone(dt.UTC).isoformat()
    watch = NightWatch(warehouse_url, night, say) if say else None
    if say:
        say("  Progress / ความคืบหน้า:")
    try:
        _airflow(["dags", "test", "thanrak_nightly", logical_date], env, log, watch)
    finally:
        if watch:
            watch.finish()
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
    airflow_log = run_nightly_dag(settings, url, night, say=lambda text: print(text, flush=True))
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
    print(f"Five-gear scorecard page / ผลตัวชี้วัด 5 ฟันเฟือง: {report_dir / 'scorecard.html'}")
    print(f"Summary: {report_dir / 'night-report.md'} and night-report.json")
    print(f"Rejected rows per province, to send back: {report_dir / 'quarantine'}/")
    print(f"Airflow log: {airflow_log}")
    for label, path in more_paths:
        print(f"{label}: {path}")
    return 0
