"""Which Cosmos mode a run gets: `airflow dags test` from thanrak run-night and the demo builds
the marts in one task (measured faster there, docs/ARCHITECTURE.md), a scheduler's DAG parse
keeps WATCHER, and THANRAK_DBT_MODE overrides both."""

from __future__ import annotations

import pytest

from thanrak.orchestration.cosmos import DEFAULT_DBT_MODE, dbt_mode
from thanrak.orchestration.runner import airflow_environment
from thanrak.settings import Settings


def test_dags_test_from_the_runner_builds_the_marts_in_one_task(tmp_path, monkeypatch):
    monkeypatch.delenv("THANRAK_DBT_MODE", raising=False)
    env = airflow_environment(Settings.in_folder(tmp_path / "var"), "postgresql://x@localhost/x")
    assert env["THANRAK_DBT_MODE"] == "single"


def test_an_explicit_mode_reaches_dags_test(tmp_path, monkeypatch):
    monkeypatch.setenv("THANRAK_DBT_MODE", "watcher")
    env = airflow_environment(Settings.in_folder(tmp_path / "var"), "postgresql://x@localhost/x")
    assert env["THANRAK_DBT_MODE"] == "watcher"


def test_a_scheduler_renders_the_watcher_group_by_default(monkeypatch):
    monkeypatch.delenv("THANRAK_DBT_MODE", raising=False)
    assert dbt_mode() == DEFAULT_DBT_MODE == "watcher"


def test_an_unknown_mode_is_refused(monkeypatch):
    monkeypatch.setenv("THANRAK_DBT_MODE", "fast")
    with pytest.raises(ValueError, match="THANRAK_DBT_MODE must be one of"):
        dbt_mode()
