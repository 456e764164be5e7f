"""Where Thanrak keeps things. Every path and address comes from the environment, with a default
under the project folder so that a fresh clone works with no configuration at all."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def _path(variable: str, default: Path) -> Path:
    value = os.environ.get(variable)
    return Path(value).resolve() if value else default


def _project_root() -> Path:
    """THANRAK_PROJECT_DIR, else the checkout this package sits in: the nearest folder above it
    that holds the dbt project (a source checkout, or the image's /opt/thanrak)."""
    configured = os.environ.get("THANRAK_PROJECT_DIR")
    if configured:
        return Path(configured).resolve()
    here = Path(__file__).resolve()
    for folder in here.parents:
        if (folder / "dbt_project" / "dbt_project.yml").is_file():
            return folder
    raise RuntimeError(f"no Thanrak project above {here}: set THANRAK_PROJECT_DIR")


PROJECT_ROOT = _project_root()
# The submission contract's declarations and the expectation suites published from them: plain
# files at the project root, where a newcomer finds a dataset's columns and rules.
CONTRACTS_DIR = _path("THANRAK_CONTRACTS_DIR", PROJECT_ROOT / "contracts")
EXPECTATIONS_DIR = _path("THANRAK_EXPECTATIONS_DIR", PROJECT_ROOT / "expectations")


@dataclass(frozen=True)
class Settings:
    """One night's working settings, read from the environment when created."""

    var_dir: Path
    landing_dir: Path
    reports_dir: Path
    embedded_pg_dir: Path
    dbt_project_dir: Path
    warehouse_url: str | None
    # Last, with a default, so positional constructions written before it still work.
    landing_url: str | None = None

    @property
    def dbt_target_dir(self) -> Path:
        """Where dbt writes its manifest, run results and docs (run_dbt's --target-path)."""
        return self.var_dir / "dbt" / "target"

    @classmethod
    def from_env(cls) -> Settings:
        var_dir = _path("THANRAK_VAR_DIR", PROJECT_ROOT / "var")
        return cls(
            var_dir=var_dir,
            landing_dir=_path("THANRAK_LANDING_DIR", var_dir / "landing"),
            reports_dir=_path("THANRAK_REPORTS_DIR", var_dir / "reports"),
            embedded_pg_dir=_path("THANRAK_EMBEDDED_PG_DIR", var_dir / "pg"),
            dbt_project_dir=_path("THANRAK_DBT_PROJECT_DIR", PROJECT_ROOT / "dbt_project"),
            warehouse_url=os.environ.get("THANRAK_WAREHOUSE_URL") or None,
            landing_url=os.environ.get("THANRAK_LANDING_URL") or None,
        )

    @classmethod
    def in_folder(cls, var_dir: Path, warehouse_url: str | None = None) -> Settings:
        """Every folder under `var_dir`, nothing read from the environment (tests, tools)."""
        return cls(
            var_dir=var_dir,
            landing_dir=var_dir / "landing",
            reports_dir=var_dir / "reports",
            embedded_pg_dir=var_dir / "pg",
            dbt_project_dir=PROJECT_ROOT / "dbt_project",
            warehouse_url=warehouse_url,
        )
