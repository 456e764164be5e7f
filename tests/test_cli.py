"""The `thanrak` command: every sub-command and argument explains itself, usage errors are in
Thai and English with their own exit code."""

from __future__ import annotations

import argparse

import pytest

from thanrak import cli


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
