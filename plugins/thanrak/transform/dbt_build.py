"""Transform: dbt builds the star schema in the warehouse (models and their tests)."""

from __future__ import annotations

import os
from dataclasses import dataclass

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
