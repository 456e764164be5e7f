"""How the runner starts Airflow: its processes keep the bytecode they compile in a cache folder
(outside the source trees), and end as soon as Airflow's command is done, with Airflow's exit
code and all of its output."""

from __future__ import annotations

import subprocess
from pathlib import Path

from thanrak.orchestration.runner import airflow_command, airflow_environment, bytecode_cache_dir
from thanrak.settings import Settings

URL = "postgresql://x@localhost/x"


def _environment(tmp_path: Path) -> dict[str, str]:
    return airflow_environment(Settings.in_folder(tmp_path / "var"), URL)


def test_airflow_writes_its_bytecode_to_a_cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.delenv("PYTHONPYCACHEPREFIX", raising=False)
    monkeypatch.setenv("THANRAK_PYCACHE_DIR", str(tmp_path / "pycache"))
    env = _environment(tmp_path)
    assert env["PYTHONPYCACHEPREFIX"] == str(tmp_path / "pycache")
    assert "PYTHONDONTWRITEBYTECODE" not in env


def test_the_cache_folder_is_the_users_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("PYTHONPYCACHEPREFIX", raising=False)
    monkeypatch.delenv("THANRAK_PYCACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert bytecode_cache_dir() == tmp_path / "cache" / "thanrak" / "pycache"


def test_a_cache_of_the_callers_own_or_none_is_left_as_it_is(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("PYTHONPYCACHEPREFIX", str(tmp_path / "mine"))
    env = _environment(tmp_path)
    assert env["PYTHONPYCACHEPREFIX"] == str(tmp_path / "mine") and env["PYTHONDONTWRITEBYTECODE"] == "1"

    monkeypatch.delenv("PYTHONPYCACHEPREFIX")
    monkeypatch.setenv("THANRAK_PYCACHE_DIR", "")  # no cache of ours
    env = _environment(tmp_path)
    assert "PYTHONPYCACHEPREFIX" not in env and env["PYTHONDONTWRITEBYTECODE"] == "1"


def test_an_airflow_command_runs_and_fills_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("THANRAK_PYCACHE_DIR", str(tmp_path / "pycache"))
    monkeypatch.delenv("PYTHONPYCACHEPREFIX", raising=False)
    done = subprocess.run(
        airflow_command(["version"]), env=_environment(tmp_path), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().split(".")[0] == "3"  # Airflow 3.x, printed and flushed before the exit
    assert any((tmp_path / "pycache").rglob("airflow/__main__*.pyc"))


def test_airflows_exit_code_and_message_are_kept(tmp_path):
    done = subprocess.run(
        airflow_command(["no-such-command"]),
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2  # argparse's, as from the `airflow` script
    assert "invalid choice" in done.stderr
