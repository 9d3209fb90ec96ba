"""The `gdprlab` command: its parser and `main`.

Each user's subcommands live in a module of their own and are declared there as a Command: cli/data.py
(generate, summary), cli/audit.py (scan, check, evaluate, assess, rules), cli/subject.py (subject: one
person's request) and cli/training.py (lessons, progress). Every subcommand's help ends with an example.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence

import gdprlab
from gdprlab.cli import audit, data, subject, training
from gdprlab.crm.shown import SafeStream

#: every subcommand, in the order `gdprlab --help` lists them
COMMANDS = (data.GENERATE, data.SUMMARY, audit.SCAN, audit.CHECK, audit.EVALUATE, audit.ASSESS,
            subject.SUBJECT, training.LESSONS, training.PROGRESS, audit.RULES)
EXAMPLES = {c.name: c.example for c in COMMANDS}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gdprlab", description="GDPR compliance assessment and staff training for CRM data."
    )
    parser.add_argument("--version", action="version", version=f"gdprlab {gdprlab.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        p = sub.add_parser(
            command.name,
            help=command.help,
            description=command.help,
            epilog=f"example:\n  {command.example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command.arguments(p)
        p.set_defaults(func=command.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; its exit code, or 2 with one line on standard error for a bad input (the
    library's errors about files, datasets, policies, parameters and options are ValueErrors or OSErrors).
    Everything it prints passes through gdprlab.crm.shown.printable."""
    args = build_parser().parse_args(argv)
    # text from data (headers, roster fields, learner ids) reaches the terminal without escape sequences
    with (contextlib.redirect_stdout(SafeStream(sys.stdout)),
          contextlib.redirect_stderr(SafeStream(sys.stderr, keep="\n\t\r"))):
        try:
            return args.func(args)
        except (ValueError, OSError) as exc:
            print(f"gdprlab {args.command}: error: {exc}", file=sys.stderr)
            return 2


if __name__ == "__main__":
    sys.exit(main())
