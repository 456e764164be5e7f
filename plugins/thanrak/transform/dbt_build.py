"""Transform: dbt builds the star schema in the warehouse (models and their tests)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
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
    target = settings.dbt_target_dir
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


# What changes every night whatever was delivered: the submission manifest and the validation
# results, so the delivery, completeness and rule-result marts and what reads them (the
# scorecard's on-time indicator); and thanrak.observe's file measures and anomalies (source:dq+:
# fct_dq_slot_metrics, fct_dq_anomalies, bi.dq_anomalies). The rows of a dataset in force change
# only with its own files: int_<dataset>_in_force reads int_submissions_in_force, but only that
# dataset's submissions.
EVERY_NIGHT = (
    "source:dq+",
    "stg_ops__submissions",
    "int_submissions_in_force",
    "dim_submission+",
    "fct_dq_completeness+",
    "fct_dq_deliveries+",
)

# Folders of the dbt project that dbt writes itself: not part of the project's source.
_GENERATED = {"target", "logs", "dbt_packages"}


def project_fingerprint(project_dir: Path) -> str:
    """A hash of every source file of the dbt project and of dbt's version: a build (or a
    manifest) made for another fingerprint was made from other models, seeds or macros."""
    digest = hashlib.sha256(f"dbt-core {version('dbt-core')}\n".encode())
    for path in sorted(project_dir.rglob("*")):
        relative = path.relative_to(project_dir)
        if path.is_file() and relative.parts[0] not in _GENERATED:
            digest.update(f"{relative.as_posix()}\n".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def full_build_requested() -> bool:
    """THANRAK_DBT_FULL=1: build every node tonight, whatever the night's files."""
    return os.environ.get("THANRAK_DBT_FULL", "").strip().lower() in ("1", "true", "yes")


@dataclass(frozen=True)
class Selection:
    """What a night's `dbt build` builds: every node (`datasets` None), or the raw datasets that
    got files since the last build, their descendants and what every night changes."""

    datasets: tuple[str, ...] | None
    reason: str
    fingerprint: str

    @property
    def full(self) -> bool:
        return self.datasets is None

    def select(self) -> list[str]:
        """dbt's --select values; empty for a full build."""
        if self.datasets is None:
            return []
        return [*(f"source:raw.{d}+" for d in self.datasets), *EVERY_NIGHT]

    def dbt_args(self) -> list[str]:
        """A full build runs everything. A night's selection leaves out the unit tests: their
        result depends on the project's code alone, not on the night's data, and a selection
        is only made when a full build of this very project (same fingerprint, unit tests
        included) succeeded before (night_selection). About 2 s of a resubmission night's 9."""
        if self.datasets is None:
            return []
        return ["--select", *self.select(), *self.exclusions()]

    def exclusions(self) -> list[str]:
        """dbt flags that leave the unit tests out of a selection (dbt_args); none for a full build."""
        return [] if self.datasets is None else ["--exclude-resource-type", "unit_test"]

    def to_detail(self) -> dict:
        """For ops.run_log: the next night reads from here what the last good build was made of."""
        return {
            "selection": "full" if self.full else list(self.datasets),
            "selection_reason": self.reason,
            "fingerprint": self.fingerprint,
        }


def night_selection(
    conn, night: dt.date, settings: Settings | None = None, *, full: bool = False
) -> Selection:
    """The selection for `night`. Full when asked, when no successful build of this dbt project is
    recorded (a first night, new models or seeds), or when reference data was reloaded since.
    Otherwise the datasets of this night's files and of every file closed since the last
    successful build began (a night whose build failed is caught up), any status: a rejected file
    changes the completeness and data-quality marts."""
    settings = settings or Settings.from_env()
    fingerprint = project_fingerprint(settings.dbt_project_dir)
    if full or full_build_requested():
        return Selection(None, "full build asked for", fingerprint)
    last = conn.execute(
        """select max(started_at) from ops.run_log
           where stage = 'build_marts' and detail ->> 'fingerprint' = %s
             and (detail ->> 'success')::boolean""",
        (fingerprint,),
    ).fetchone()[0]
    if last is None:
        return Selection(None, "no successful build of this dbt project recorded", fingerprint)
    if conn.execute("select exists (select from ref.load_state where loaded_at >= %s)", (last,)).fetchone()[
        0
    ]:
        return Selection(None, "reference data reloaded since the last build", fingerprint)
    datasets = conn.execute(
        """select distinct dataset from ops.submission
           where night = %s or processed_at >= %s order by dataset""",
        (night, last),
    ).fetchall()
    return Selection(
        tuple(d for (d,) in datasets), "files of the night and since the last build", fingerprint
    )


def build_marts(url: str, settings: Settings | None = None, selection: Selection | None = None) -> DbtOutcome:
    """`dbt build` of `selection` (default every node) and the tests of what it builds. Raises
    when a model or a test fails."""
    outcome = run_dbt(url, ["build", *(selection.dbt_args() if selection else [])], settings)
    if not outcome.success:
        failed = ", ".join(f"{n['name']} ({n['status']})" for n in outcome.failures)
        raise RuntimeError(f"dbt build failed: {failed}")
    return outcome
