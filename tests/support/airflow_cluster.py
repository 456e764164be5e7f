"""Airflow's distributed deployment (docker-compose.yml) started natively, without Docker: the
api-server, scheduler, dag-processor, triggerer and a Celery worker as processes of this machine,
with Redis as the Celery broker and PostgreSQL as Airflow's metadata database.

Used by tests/test_celery_distributed.py. Every process runs in a process group of its own and
`stop()` ends exactly those groups; a unique Celery queue keeps a concurrent cluster on the same
Redis from taking this one's tasks."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from thanrak.orchestration.runner import airflow_environment
from thanrak.settings import PROJECT_ROOT, Settings

# The order they start in; the api-server first: workers run tasks through its execution API.
COMPONENTS = {
    "api-server": ["api-server", "--host", "127.0.0.1", "--port", "{api_port}", "--workers", "1"],
    "scheduler": ["scheduler"],
    "dag-processor": ["dag-processor"],
    "triggerer": ["triggerer", "--skip-serve-logs"],
    "celery-worker": [
        "celery",
        "worker",
        "--queues",
        "{queue}",
        "--concurrency",
        "{concurrency}",
        "--celery-hostname",
        "{queue}@%h",
        "--skip-serve-logs",
        "--without-mingle",
        "--without-gossip",
    ],
}
FINISHED = {"success", "failed"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _psycopg_url(sqlalchemy_url: str) -> str:
    return "postgresql://" + sqlalchemy_url.split("://", 1)[1]


@dataclass
class AirflowCluster:
    """One Airflow deployment in `home`. `metadata_url` is a libpq URL of an existing, empty
    database; `broker_url` a Redis database; `queue` the Celery queue its tasks go to."""

    home: Path
    settings: Settings
    warehouse_url: str
    metadata_url: str
    broker_url: str
    queue: str = field(default_factory=lambda: f"thanrak_{secrets.token_hex(5)}")
    dags_folder: Path = PROJECT_ROOT / "dags"
    concurrency: int = 2
    api_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        after_scheme = self.metadata_url.split("://", 1)[1]
        return {
            **airflow_environment(self.settings, self.warehouse_url),
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags_folder),
            "THANRAK_DBT_PROJECT_DIR": str(self.settings.dbt_project_dir),
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://{after_scheme}",
            "AIRFLOW__CELERY__BROKER_URL": self.broker_url,
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql://{after_scheme}",
            # No broadcast (pidbox) traffic shared with other workers on the same Redis.
            "AIRFLOW__CELERY__WORKER_ENABLE_REMOTE_CONTROL": "False",
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": self.queue,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.api_port}/execution/",
            # One secret for the scheduler (which signs the tasks' tokens) and the api-server.
            "AIRFLOW__API_AUTH__JWT_SECRET": self._secret("jwt"),
            "AIRFLOW__API__SECRET_KEY": self._secret("api"),
            "AIRFLOW__CORE__FERNET_KEY": "",
            "AIRFLOW__CORE__PARALLELISM": str(self.concurrency * 2),
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            # Only the runs triggered here: no scheduled run of the nightly DAG next to them.
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        }

    def _secret(self, name: str) -> str:
        path = self.home / f".{name}-secret"
        if not path.exists():
            self.home.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(32))
        return path.read_text()

    def log_path(self, name: str) -> Path:
        return self.home / f"{name}.log"

    def airflow(self, *args: str, timeout: float = 300) -> str:
        """An `airflow` command against this deployment; its standard output."""
        airflow = Path(sys.executable).with_name("airflow")
        result = subprocess.run(
            [str(airflow), *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if result.returncode != 0:
            raise RuntimeError(f"`airflow {' '.join(args)}` failed: {result.stderr[-4000:]}")
        return result.stdout

    def start(self) -> None:
        """Migrates the metadata database, then starts every component in its process group."""
        self.home.mkdir(parents=True, exist_ok=True)
        self.airflow("db", "migrate", timeout=600)
        airflow = Path(sys.executable).with_name("airflow")
        values = {"api_port": str(self.api_port), "queue": self.queue, "concurrency": str(self.concurrency)}
        for name, args in COMPONENTS.items():
            with self.log_path(name).open("ab") as log:
                self.processes[name] = subprocess.Popen(
                    [str(airflow), *(a.format(**values) for a in args)],
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # a process group of its own, ended as a whole
                )
            if name == "api-server":
                self._wait_for_api_server()

    def _wait_for_api_server(self, timeout: float = 180) -> None:
        import urllib.request

        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.api_port}/api/v2/monitor/health"
        while time.monotonic() < deadline:
            self.check_running()
            with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
            time.sleep(1)
        raise TimeoutError(f"the api-server did not answer on {url}; see {self.log_path('api-server')}")

    def check_running(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"airflow {name} exited ({process.returncode}):\n{self.tail(name)}")

    def tail(self, name: str, lines: int = 40) -> str:
        path = self.log_path(name)
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def stop(self, grace: float = 30) -> None:
        """SIGTERM to each started process group, SIGKILL to what is left after `grace` seconds."""
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for process in self.processes.values():
            # the group's children may outlive its leader: end the group whatever the leader did
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    # the metadata database ----------------------------------------------------------------------

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with psycopg.connect(_psycopg_url(self.env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])) as conn:
            return conn.execute(sql, params).fetchall()

    def wait_for_dag(self, dag_id: str, timeout: float = 300) -> None:
        """Until the dag-processor has parsed and serialized `dag_id`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_running()
            if self.query("select 1 from serialized_dag where dag_id = %s", (dag_id,)):
                return
            time.sleep(2)
        errors = self.query("select stacktrace from import_error")
        raise TimeoutError(f"{dag_id} was not parsed in {timeout} s; import errors: {errors}")

    def trigger(self, dag_id: str, logical_date: str, conf: dict | None = None) -> str:
        run_id = f"celery_test__{secrets.token_hex(4)}"
        self.airflow("dags", "unpause", dag_id)
        args = ["dags", "trigger", dag_id, "--run-id", run_id, "--logical-date", logical_date]
        self.airflow(*args, *(["--conf", json.dumps(conf)] if conf else []))
        return run_id

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float) -> str:
        """The run's final state (success or failed); TimeoutError when it has none by then."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_running()
            rows = self.query("select state from dag_run where dag_id = %s and run_id = %s", (dag_id, run_id))
            if rows and rows[0][0] in FINISHED:
                return rows[0][0]
            time.sleep(5)
        raise TimeoutError(f"{dag_id} {run_id} did not finish in {timeout} s")

    def task_states(self, dag_id: str, run_id: str) -> list[tuple]:
        return self.query(
            """select task_id, map_index, state, queue, hostname, operator from task_instance
               where dag_id = %s and run_id = %s order by task_id, map_index""",
            (dag_id, run_id),
        )


@contextlib.contextmanager
def running_cluster(cluster: AirflowCluster) -> Iterator[AirflowCluster]:
    """Starts the cluster; stops the processes it started however the block ends."""
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
