"""The command line: one entry point, every subcommand documented with an example."""

from __future__ import annotations

import subprocess
import sys

import pytest

import gdprlab
from gdprlab.cli import audit, data, subject, training
from gdprlab.cli.command import Command
from gdprlab.cli.main import COMMANDS, EXAMPLES, build_parser, main


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert gdprlab.__version__ in capsys.readouterr().out


@pytest.mark.parametrize("command", sorted(EXAMPLES))
def test_every_subcommand_has_help_with_an_example(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    assert "example:" in out and EXAMPLES[command] in out


def test_every_subcommand_has_an_example():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert set(sub.choices) == set(EXAMPLES)


def test_python_dash_m_runs_the_same_command():
    out = subprocess.run(
        [sys.executable, "-m", "gdprlab", "--version"], capture_output=True, text=True, check=True
    )
    assert gdprlab.__version__ in out.stdout


def test_every_command_a_module_declares_is_on_the_command_line():
    modules = (data, audit, subject, training)
    declared = {v.name for m in modules for v in vars(m).values() if isinstance(v, Command)}
    assert declared == set(EXAMPLES) and len(COMMANDS) == len(EXAMPLES)


def test_help_lists_the_subcommands_in_a_fixed_order(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    order = ["generate", "summary", "scan", "check", "evaluate", "assess", "subject", "lessons", "progress",
             "rules"]
    assert sorted(order, key=lambda name: out.index(f"\n    {name} ")) == order
