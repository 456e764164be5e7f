"""The dlt comparison of `make bench`: its own small environment, and the run of load.py in it.

dlt is not one of Thanrak's dependencies (it would weigh on every install and may clash with
Airflow's pins), so the bench makes `var/bench-dlt-venv` with uv from bench/dlt/requirements.lock
(dlt with its postgres extra, pyarrow; Python 3.11), once per version of the lock, and runs
bench/dlt/load.py there as a subprocess. Regenerate the lock with

    uv pip compile --python-version 3.11 bench/dlt/requirements.in -o bench/dlt/requirements.lock
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.data import DATASET, BenchData
from thanrak.contract.declarations import load_contract
from thanrak.settings import PROJECT_ROOT

HERE = Path(__file__).parent
LOCK = HERE / "requirements.lock"
SCRIPT = HERE / "load.py"
VENV = PROJECT_ROOT / "var" / "bench-dlt-venv"
DATASET_NAME = "bench_dlt"  # the schema dlt loads into
INSTALL_TIMEOUT_S = 900
_DLT_CONFIG_PREFIXES = (
    "DATA_WRITER__",
    "DESTINATION__",
    "EXTRACT__",
    "LOAD__",
    "NORMALIZE__",
    "RUNTIME__",
    "SCHEMA__",
)


class DltUnavailable(RuntimeError):
    """The dlt environment could not be made (no uv, no network, no Python 3.11...)."""


def venv_python(venv: Path = VENV) -> Path:
    """The dlt environment's interpreter, made (or remade, when the lock changed) if needed."""
    python = venv / "bin" / "python"
    stamp = venv / f".installed-{hashlib.sha1(LOCK.read_bytes()).hexdigest()[:12]}"
    if stamp.exists() and python.exists():
        return python
    uv = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    if uv is None:
        raise DltUnavailable("uv is not installed: the dlt environment could not be made")
    commands = {
        "uv venv": [uv, "venv", "--quiet", "--allow-existing", "--python", "3.11", str(venv)],
        "uv pip sync": [uv, "pip", "sync", "--quiet", "--python", str(python), str(LOCK)],
    }
    for step, command in commands.items():
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise DltUnavailable(f"`{step}` of the dlt environment took over {INSTALL_TIMEOUT_S} s") from None
        if done.returncode != 0:
            tail = " ".join(line.strip() for line in done.stderr.strip().splitlines()[-3:])
            raise DltUnavailable(f"the dlt environment could not be made (`{step}` failed): {tail}")
    for old in venv.glob(".installed-*"):
        old.unlink()
    stamp.touch()
    return python


def load_spec(url: str, data: BenchData, pipelines_dir: Path) -> dict:
    """What load.py reads on standard input: the clean files and the contract's columns."""
    contract = load_contract(DATASET)
    return {
        "url": url,
        "table": DATASET,
        "dataset": DATASET_NAME,
        "columns": [[c.name, c.postgres_type] for c in contract.columns],
        "files": [str(f.clean_path) for f in data.files],
        "pipelines_dir": str(pipelines_dir),
        "loader_file_format": "csv",
    }


def run_dlt(url: str, data: BenchData, python: Path | None = None, *, compression: bool = True) -> dict:
    """Loads `data`'s clean files into the (empty) database at `url` with dlt, in the dlt
    environment; returns load.py's JSON. Raises unless the destination table holds every row.

    dlt's defaults, except with `compression=False`: dlt gzips the files it writes between its
    steps by default, which on these rows is most of its normalise step; its documented switch
    `DATA_WRITER__DISABLE_COMPRESSION` turns that off (a diagnostic run of the suite)."""
    python = python or venv_python()
    with tempfile.TemporaryDirectory(prefix="thanrak-bench-dlt-") as work:
        env = {
            # dlt reads its configuration from SECTION__KEY variables: none of the caller's.
            **{k: v for k, v in os.environ.items() if not k.startswith(_DLT_CONFIG_PREFIXES)},
            "RUNTIME__DLTHUB_TELEMETRY": "false",  # no network calls from the measured run
            "DATA_WRITER__DISABLE_COMPRESSION": "false" if compression else "true",
            "DLT_DATA_DIR": work,
            "DLT_PROJECT_DIR": work,  # no .dlt/config.toml of the caller's folder
        }
        done = subprocess.run(
            [str(python), str(SCRIPT)],
            input=json.dumps(load_spec(url, data, Path(work) / "pipelines")),
            capture_output=True,
            text=True,
            cwd=work,
            env=env,
        )
    if done.returncode != 0:
        raise RuntimeError(f"dlt's load failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    result = {**json.loads(done.stdout.strip().splitlines()[-1]), "compression": compression}
    if result["rows"] != data.rows:
        raise RuntimeError(f"dlt loaded {result['rows']} rows into {result['table']}, expected {data.rows}")
    return result
