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


def test_a_new_var_folder_gets_a_copy_of_a_migrated_metadata_database(tmp_path, monkeypatch):
    from thanrak.orchestration.runner import _metadata_template, _migrated_metadata_database

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first, second = (airflow_environment(Settings.in_folder(tmp_path / v), URL) for v in ("one", "two"))
    for env in (first, second):
        Path(env["AIRFLOW_HOME"]).mkdir(parents=True)
    _migrated_metadata_database(first, Path(first["AIRFLOW_HOME"]) / "airflow.db", tmp_path / "one.log")
    template = _metadata_template(first)
    assert template.is_file() and _metadata_template(second) == template

    copied = Path(second["AIRFLOW_HOME"]) / "airflow.db"
    _migrated_metadata_database(second, copied, tmp_path / "two.log")
    assert not (tmp_path / "two.log").exists()  # no `airflow db migrate` ran for the second
    assert copied.read_bytes() == template.read_bytes()
    checked = subprocess.run(
        airflow_command(["db", "check-migrations", "--migration-wait-timeout", "1"]),
        env=second,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_other_airflow_settings_get_a_template_of_their_own(tmp_path):
    from thanrak.orchestration.runner import _metadata_template

    env = _environment(tmp_path)
    assert _metadata_template(env) != _metadata_template(
        {**env, "AIRFLOW__LOGGING__LOG_FILENAME_TEMPLATE": "{{ ti.task_id }}.log"}
    )
