"""Transform: dbt builds the star schema in the warehouse (models and their tests)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

from thanrak.settings import Settings


@dataclass
class DbtOutcome:
    success: bool
    nodes: list[dict]  # one per model or test: name, kind, status, seconds

    @property
    def failures(self) -> list[dict]:
        # An exposure (a BI dashboard) has nothing to run: dbt reports it as "no-op".
        return [n for n in self.nodes if n["status"] not in ("success", "pass", "skipped", "no-op")]


def dbt_environment(url: str) -> dict[str, str]:
    """The variables dbt's profiles.yml reads, from one warehouse URL."""
    from thanrak.warehouse.connection import connection_parts  # psycopg: not while a DAG file is parsed

    parts = connection_parts(url)
    return {
        "THANRAK_DBT_HOST": parts["host"],
        "THANRAK_DBT_PORT": parts["port"],
        "THANRAK_DBT_USER": parts["user"],
        "THANRAK_DBT_PASSWORD": parts["password"],
        "THANRAK_DBT_DBNAME": parts["dbname"],
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }


def run_dbt(url: str, command: list[str], settings: Settings | None = None) -> DbtOutcome:
    """Runs a dbt command in this process (`build`, `run`, `test`, `docs generate` ...)."""
    from dbt.cli.main import dbtRunner  # heavy import, only when transforming

    settings = settings or Settings.from_env()
    os.environ.update(dbt_environment(url))
    target = settings.var_dir / "dbt" / "target"
    result = dbtRunner().invoke(
        [
            *command,
            "--project-dir",
            str(settings.dbt_project_dir),
            "--profiles-dir",
            str(settings.dbt_project_dir),
            "--target-path",
            str(target),
            "--log-path",
            str(settings.var_dir / "dbt" / "logs"),
        ]  # fmt: skip
    )
    nodes = [
        {
            "name": r.node.name,
            "kind": r.node.resource_type,
            "status": str(r.status),
            "seconds": round(r.execution_time, 3),
        }
        for r in (getattr(result.result, "results", None) or [])
    ]
    if result.exception is not None:
        raise RuntimeError(f"dbt {' '.join(command)} could not run: {result.exception}")
    return DbtOutcome(bool(result.success), nodes)


def build_marts(url: str, settings: Settings | None = None) -> DbtOutcome:
    """`dbt build`: every model and its tests. Raises when a model or a test fails."""
    outcome = run_dbt(url, ["build"], settings)
    if not outcome.success:
        failed = ", ".join(f"{n['name']} ({n['status']})" for n in outcome.failures)
        raise RuntimeError(f"dbt build failed: {failed}")
    return outcome


# Folders of the dbt project that dbt writes itself: not part of what the manifest describes.
_GENERATED = {"target", "logs", "dbt_packages"}


def manifest_path(settings: Settings | None = None) -> Path:
    """Where the dbt manifest the DAG is rendered from lives: with the dbt project it describes
    (`target/` is dbt's own output folder, ignored by git)."""
    settings = settings or Settings.from_env()
    return settings.dbt_project_dir / "target" / "manifest.json"


def project_fingerprint(project_dir: Path) -> str:
    """A hash of every source file of the dbt project and of dbt's version: the manifest is
    current when it was written for this fingerprint."""
    digest = hashlib.sha256(f"dbt-core {version('dbt-core')}\n".encode())
    for path in sorted(project_dir.rglob("*")):
        relative = path.relative_to(project_dir)
        if path.is_file() and relative.parts[0] not in _GENERATED:
            digest.update(f"{relative.as_posix()}\n".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def manifest_is_current(settings: Settings | None = None) -> bool:
    settings = settings or Settings.from_env()
    stamp = manifest_path(settings).with_suffix(".sha256")
    return (
        manifest_path(settings).is_file()
        and stamp.is_file()
        and stamp.read_text().strip() == project_fingerprint(settings.dbt_project_dir)
    )


def write_manifest(settings: Settings | None = None, *, force: bool = False) -> Path:
    """`dbt parse` of the project into target/manifest.json, outside any DAG parse, so that the
    DAG renders one Airflow task per dbt node from a file. Skipped when the manifest is current.
    dbt parse reads profiles.yml but connects to nothing: placeholders stand in for the warehouse
    when no THANRAK_DBT_* variables are set."""
    settings = settings or Settings.from_env()
    path = manifest_path(settings)
    if not force and manifest_is_current(settings):
        return path
    fingerprint = project_fingerprint(settings.dbt_project_dir)
    env = {**dbt_environment("postgresql://dbt-parse@localhost/dbt_parse"), **os.environ}
    project = str(settings.dbt_project_dir)
    dbt = Path(sys.executable).with_name("dbt")
    path.parent.mkdir(parents=True, exist_ok=True)
    # Parsed into a folder of its own, then moved: a DAG being parsed meanwhile sees the old
    # manifest or the new one, never half of one.
    with tempfile.TemporaryDirectory(prefix=".parse-", dir=path.parent) as folder:
        command = [str(dbt), "parse", "--project-dir", project, "--profiles-dir", project,
                   "--target-path", folder, "--log-path", str(settings.var_dir / "dbt" / "logs")]  # fmt: skip
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(
                f"dbt parse failed (exit {result.returncode}):\n{result.stdout}{result.stderr}"
            )
        os.replace(Path(folder) / "manifest.json", path)
    path.with_suffix(".sha256").write_text(fingerprint + "\n")
    return path
