"""The `gdprlab` command: one entry point, one small function per subcommand."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import gdprlab
from gdprlab.generator.config import LOCALES, PROFILES, ConfigError, GeneratorConfig, parse_rate
from gdprlab.policy import PolicyError, load_policy
from gdprlab.rules import RULES

EXAMPLES = {
    "generate": "gdprlab generate datasets/demo --contacts 5000 --seed 7 --profile messy "
    "--rate retention_exceeded=0.1",
    "summary": "gdprlab summary datasets/sample",
    "rules": "gdprlab rules --concern permission",
}


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in the form YYYY-MM-DD") from None


def _locales(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def cmd_generate(args: argparse.Namespace) -> int:
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


def cmd_summary(args: argparse.Namespace) -> int:
    from gdprlab.summary import summarise

    print(summarise(Path(args.dataset)))
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    rules = [r for r in RULES if args.concern in (None, r.concern)]
    if args.format == "json":
        print(json.dumps([r.__dict__ for r in rules], indent=2))
        return 0
    for r in rules:
        print(f"{r.id:<38} {r.concern:<15} {r.severity:<9} Art. {', '.join(r.articles)}\n    {r.title}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gdprlab", description="GDPR compliance assessment and staff training for CRM data."
    )
    parser.add_argument("--version", action="version", version=f"gdprlab {gdprlab.__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int], help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name,
            help=help_,
            description=help_,
            epilog=f"example:\n  {EXAMPLES[name]}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(func=func)
        return p

    g = add("generate", cmd_generate, "Generate a synthetic CRM dataset with planted, labelled violations.")
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
        "--as-of", type=_date, default=dt.date.today(), help="reference date YYYY-MM-DD (default today)"
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

    s = add("summary", cmd_summary, "Summarise a dataset: tables, rows and labelled violations.")
    s.add_argument("dataset", metavar="DATASET", help="dataset folder")

    r = add("rules", cmd_rules, "List the rule catalogue with articles and severities.")
    r.add_argument("--concern", choices=sorted({x.concern for x in RULES}), help="only one concern")
    r.add_argument("--format", choices=("table", "json"), default="table")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ConfigError, PolicyError, FileNotFoundError, ValueError) as exc:
        print(f"gdprlab {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
