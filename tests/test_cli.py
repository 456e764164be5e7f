"""The `thanrak` command: every sub-command and argument explains itself, usage errors are in
Thai and English with their own exit code, and `thanrak dbt-docs` writes the dbt docs site from
the configured warehouse with no dbt variables exported by hand."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from thanrak import cli
from thanrak.settings import Settings
from thanrak.transform.dbt_build import run_dbt


def _sub_parsers() -> dict[str, argparse.ArgumentParser]:
    parser = cli._parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(commands.choices)


def test_every_command_has_a_help_a_description_and_a_help_for_every_argument():
    parsers = _sub_parsers()
    assert set(parsers) == {command.name for command in cli.COMMANDS}
    for command in cli.COMMANDS:
        assert command.help and command.description, command.name
        assert parsers[command.name].description == command.description
    unexplained = [
        f"{name} {action.dest}"
        for name, sub in parsers.items()
        for action in sub._actions
        if not action.help or action.help == argparse.SUPPRESS
    ]
    assert unexplained == []


@pytest.mark.parametrize(
    "argv",
    [
        ["no-such-command"],
        ["generate", "--night", "22/11/2569"],
        ["check", "file.csv", "--dataset", "otop"],
        ["demo", "--months", "0"],
    ],
)
def test_a_usage_error_is_said_in_thai_and_english_and_exits_3(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == cli.USAGE_ERROR == 3
    err = capsys.readouterr().err
    assert "ใช้คำสั่งไม่ถูกต้อง / usage error" in err and "Traceback" not in err


def _embedded_catalog(page: str) -> dict:
    """The catalog dbt inlines in the static page (what it read of the warehouse's tables)."""
    start = page.index('catalog:{"metadata"') + len("catalog:")
    return json.JSONDecoder().raw_decode(page, start)[0]


def test_dbt_docs_writes_one_offline_page_from_the_configured_warehouse(warehouse, tmp_path):
    var = tmp_path / "var"
    run_dbt(warehouse, ["build", "--select", "+dim_area"], Settings.in_folder(var))  # one mart built
    env = {k: v for k, v in os.environ.items() if not k.startswith("THANRAK_")}  # no THANRAK_DBT_*
    env |= {"THANRAK_WAREHOUSE_URL": warehouse, "THANRAK_VAR_DIR": str(var)}

    done = subprocess.run(
        [str(Path(sys.executable).parent / "thanrak"), "dbt-docs"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    page = Path(done.stdout.splitlines()[-1])
    assert page == var / "dbt-docs" / "index.html" and page.is_file()
    text = page.read_text()
    assert "fct_scorecard" in text  # a mart documented from the project, built or not
    dim_area = _embedded_catalog(text)["nodes"]["model.thanrak.dim_area"]  # and one as built
    assert dim_area["metadata"]["schema"] == "marts" and "tambon_code" in dim_area["columns"]
    assert "of them with their columns as built in the warehouse" in done.stdout
