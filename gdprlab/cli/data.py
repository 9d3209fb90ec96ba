"""`gdprlab generate` and `gdprlab summary`: synthetic CRM datasets with planted, labelled violations, for
trying the checks before real exports are at hand and for the lessons' exercises."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from gdprlab.cli.command import Command, date
from gdprlab.generator.config import LOCALES, PROFILES, GeneratorConfig, parse_rate
from gdprlab.regulation.policy import load_policy


def _locales(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _generate_arguments(g: argparse.ArgumentParser) -> None:
    g.add_argument("out_dir", metavar="OUT_DIR", help="folder to create (must be empty unless --force)")
    g.add_argument("--contacts", type=int, default=2000, help="number of contacts (default 2000)")
    g.add_argument("--seed", type=int, default=0, help="random seed; same seed and options, same files")
    g.add_argument(
        "--locales",
        type=_locales,
        default=tuple(LOCALES),
        help=f"comma-separated locales (default all: {','.join(LOCALES)})",
    )
    g.add_argument(
        "--as-of", type=date, default=dt.date.today(), help="reference date YYYY-MM-DD (default today)"
    )
    g.add_argument("--format", choices=("csv", "parquet"), default="csv", help="table file format")
    g.add_argument("--profile", choices=tuple(PROFILES), default="typical", help="violation profile")
    g.add_argument(
        "--rate",
        action="append",
        default=[],
        metavar="RULE=RATE",
        help="override one rule's violation rate (0-1); repeatable",
    )
    g.add_argument("--policy", help="organisation policy YAML (default: gdprlab's defaults)")
    g.add_argument("--force", action="store_true", help="replace a non-empty OUT_DIR")
    g.add_argument("--quiet", action="store_true", help="no progress bar")


def cmd_generate(args: argparse.Namespace) -> int:
    from gdprlab.crm.files import exclusive
    from gdprlab.generator import generate, write_dataset
    from gdprlab.generator.config import check_output_dir

    rates = dict(parse_rate(r) for r in args.rate)
    cfg = GeneratorConfig(
        contacts=args.contacts,
        seed=args.seed,
        locales=args.locales,
        as_of=args.as_of,
        format=args.format,
        profile=args.profile,
        rates=rates,
    )
    check_output_dir(Path(args.out_dir), args.force)
    with exclusive(Path(args.out_dir)):  # one generate per folder: a second one fails at once
        check_output_dir(Path(args.out_dir), args.force)  # another may have finished meanwhile
        ds = generate(cfg, load_policy(args.policy), progress=not args.quiet and sys.stderr.isatty())
        out = write_dataset(ds, args.out_dir, force=args.force)
    short = {r: v for r, v in ds.planted.items() if v["planted"] < round(cfg.rate(r) * v["population"])}
    for rule, v in short.items():
        print(
            f"warning: {rule}: only {v['planted']} of {v['population']} eligible records could be made to "
            f"violate it (asked rate {cfg.rate(rule)})",
            file=sys.stderr,
        )
    print(
        f"wrote {sum(len(t) for t in ds.tables.values()):,} rows in {len(ds.tables)} tables and "
        f"{len(ds.ground_truth):,} labelled violations to {out}"
    )
    return 0


def _summary_arguments(s: argparse.ArgumentParser) -> None:
    s.add_argument("dataset", metavar="DATASET", help="dataset folder, or a CRM export file or folder")


def cmd_summary(args: argparse.Namespace) -> int:
    from gdprlab.crm.summary import summarise

    print(summarise(Path(args.dataset)))
    return 0


GENERATE = Command(
    name="generate",
    help="Generate a synthetic CRM dataset with planted, labelled violations.",
    example="gdprlab generate datasets/demo --contacts 5000 --seed 7 --profile messy "
    "--rate retention_exceeded=0.1",
    arguments=_generate_arguments,
    run=cmd_generate,
)
SUMMARY = Command(
    name="summary",
    help="Summarise a dataset: tables, rows and labelled violations.",
    example="gdprlab summary datasets/sample",
    arguments=_summary_arguments,
    run=cmd_summary,
)
