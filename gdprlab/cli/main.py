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
from gdprlab.regulation.catalogue import RULES
from gdprlab.regulation.policy import PolicyError, load_policy

EXAMPLES = {
    "generate": "gdprlab generate datasets/demo --contacts 5000 --seed 7 --profile messy "
    "--rate retention_exceeded=0.1",
    "summary": "gdprlab summary datasets/sample",
    "rules": "gdprlab rules --concern permission",
    "lessons": "gdprlab lessons --port 8866 --no-browser",
    "progress": "gdprlab progress summary --by department --fail-under 90",
    "assess": 'gdprlab assess exports/sales exports/hr -j 2 -p organisation "Example GmbH"',
    "scan": "gdprlab scan datasets/sample/contacts.csv --format json --ropa output/ropa_draft.csv",
    "check": "gdprlab check datasets/sample --format json --out output/findings.json --fail-on high",
    "evaluate": "gdprlab evaluate datasets/sample",
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
    from gdprlab.crm.summary import summarise

    print(summarise(Path(args.dataset)))
    return 0


def _assess(args: argparse.Namespace):
    """Load the dataset (or export) and run every check, with its own as-of date and policy by default."""
    from gdprlab.audit.engine import run_checks
    from gdprlab.crm.exports import load
    from gdprlab.crm.io import resolve_inputs

    given = resolve_inputs(args.dataset, args.as_of, args.policy, args.mapping)
    tables, report = load(args.dataset, given.mapping)
    for name in report.ignored:
        print(f"note: {name} matches no table and was not read", file=sys.stderr)
    if getattr(args, "training_store", None):
        tables["training"] = _training_from_store(args.training_store, given.policy, given.as_of)
        print("note: training records read from the progress store, not the dataset", file=sys.stderr)
    return run_checks(tables, given.policy, given.as_of, evidence=args.evidence, dataset=str(args.dataset))


def _training_from_store(url: str, policy, as_of: dt.date):
    """The dataset's training table rebuilt from real quiz completions (roster + attempts in the store)."""
    from dataclasses import replace

    from gdprlab.training.status import default_requirements, training_table_from_store
    from gdprlab.training.store.progress import ProgressStore
    from gdprlab.training.store.roster import RosterStore

    requirements = replace(default_requirements(), refresh_months=policy.training_refresh_months)
    with RosterStore(url) as rosters:
        roster = rosters.frame()
    with ProgressStore(url) as store:
        attempts = store.attempts_frame()
    return training_table_from_store(roster, attempts, requirements, policy.training_course, as_of)


def _write_out(text: str, out: str | None) -> None:
    """Print, or write atomically to a file (a half-written report is never left behind)."""
    if out is None:
        print(text)
        return
    from gdprlab.crm.files import write_atomic

    print(f"wrote {write_atomic(out, text if text.endswith(chr(10)) else text + chr(10))}", file=sys.stderr)


def cmd_scan(args: argparse.Namespace) -> int:
    from gdprlab.audit.discovery.scan import format_table, scan_path

    result = scan_path(args.path, sample_size=args.sample)
    text = (
        json.dumps(result.to_dict(), indent=2, default=str) if args.format == "json" else format_table(result)
    )
    _write_out(text, args.out)
    if args.ropa:
        from gdprlab.audit.discovery.classify import ropa_draft

        _write_out(ropa_draft(result.columns).to_csv(index=False, lineterminator="\n"), args.ropa)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from gdprlab.audit.report import fail_on, render

    assessment = _assess(args)
    _write_out(render(assessment, args.format), args.out)
    if args.fail_on and fail_on(assessment, args.fail_on):
        print(f"failing: a rule of severity {args.fail_on} or higher was violated", file=sys.stderr)
        return 1
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    import pandas as pd

    from gdprlab.audit.evaluate import evaluate, format_evaluation

    truth_file = Path(args.dataset) / "ground_truth.csv"
    if not truth_file.is_file():
        raise FileNotFoundError(
            f"{truth_file}: no ground truth; evaluate needs a dataset made by gdprlab generate"
        )
    frame = evaluate(_assess(args), pd.read_csv(truth_file, dtype=str))
    print(format_evaluation(frame))
    return 0


def cmd_assess(args: argparse.Namespace) -> int:
    """Run a batch, print its summary; 0 when every run succeeded, 1 if any failed."""
    from gdprlab.runner.batch import build_parameters, run_batch

    parameters = build_parameters(args.params, args.parameter)
    result = run_batch([Path(d) for d in args.datasets], notebook=args.notebook, out=Path(args.out),
                       jobs=args.jobs, parameters=parameters, kernel=args.kernel,
                       progress=not args.quiet and sys.stderr.isatty())
    print(result.summary())
    return result.exit_code


def _assess_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("datasets", nargs="+", metavar="DATASET",
                        help="dataset folders or export files, one run each")
    parser.add_argument("--notebook", default="crm_assessment",
                        help="notebook name in notebooks/ or a path to an .ipynb (default crm_assessment)")
    parser.add_argument("--out", default="output", help="folder for the run folders and the index "
                        "(default output/, git-ignored)")
    parser.add_argument("--jobs", "-j", type=int, default=1, help="runs at once (default 1)")
    parser.add_argument("--params", metavar="FILE.yaml", help="notebook parameters from a YAML mapping")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="a notebook parameter (repeatable; parsed like papermill -p: int, float, "
                        "True/False/None, else string); overrides --params")
    parser.add_argument("--kernel", action="store_true",
                        help="run each notebook in its own Jupyter kernel (isolated, about a second slower) "
                        "instead of in gdprlab's worker processes")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def cmd_lessons(args: argparse.Namespace) -> int:
    from gdprlab.training.serve import run_from_args

    return run_from_args(args)


def cmd_progress(args: argparse.Namespace) -> int:
    from gdprlab.cli.training import run_from_args

    return run_from_args(args)


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

    sc = add("scan", cmd_scan, "Find where personal data lives: classify every column, scan free text.")
    sc.add_argument("path", metavar="PATH", help="a table file (CSV, Parquet, Excel) or a folder of them")
    sc.add_argument("--format", choices=("table", "json"), default="table")
    sc.add_argument("--out", help="write to this file instead of standard output")
    sc.add_argument("--ropa", metavar="FILE", help="also write a record-of-processing draft (CSV) to FILE")
    sc.add_argument("--sample", type=int, default=10_000, help="rows sampled per table (deterministic)")

    for name, func, help_ in (
        ("check", cmd_check, "Check a dataset or CRM export against every rule."),
        (
            "evaluate",
            cmd_evaluate,
            "Compare the checks' findings with a generated "
            "dataset's ground truth: precision and recall per rule.",
        ),
    ):
        c = add(name, func, help_)
        c.add_argument("dataset", metavar="DATASET", help="dataset folder, or a CRM export file or folder")
        c.add_argument("--as-of", type=_date, help="reference date (default: the dataset's, else today)")
        c.add_argument("--policy", help="organisation policy YAML (default: the dataset's policy.yaml)")
        c.add_argument("--mapping", help="YAML mapping of export files and columns to gdprlab's tables")
        c.add_argument("--evidence", type=int, default=5, help="masked evidence records per finding")
        c.add_argument(
            "--training-store",
            metavar="URL",
            help="read staff training from the lessons' progress store (database URL) instead of the "
            "dataset's training table",
        )
        if name == "check":
            c.add_argument("--format", choices=("table", "json", "csv"), default="table")
            c.add_argument("--out", help="write to this file instead of standard output")
            c.add_argument(
                "--fail-on",
                choices=("low", "medium", "high", "critical"),
                help="exit 1 when a rule of this severity or higher is violated",
            )

    _assess_arguments(
        add(
            "assess",
            cmd_assess,
            "Run an assessment notebook on one or many datasets: executed "
            "notebook, HTML report without code, findings, an index and a comparison with the last run.",
        )
    )

    from gdprlab.training.serve import HELP as LESSONS_HELP
    from gdprlab.training.serve import add_arguments as add_lessons_arguments

    add_lessons_arguments(add("lessons", cmd_lessons, LESSONS_HELP))

    from gdprlab.cli.training import add_arguments as add_progress_arguments

    add_progress_arguments(
        add(
            "progress",
            cmd_progress,
            "Trainers: roster, completion, overdue refreshers, "
            "exports (HR CSV, xAPI, certificates) and verification of the history.",
        )
    )

    r = add("rules", cmd_rules, "List the rule catalogue with articles and severities.")
    r.add_argument("--concern", choices=sorted({x.concern for x in RULES}), help="only one concern")
    r.add_argument("--format", choices=("table", "json"), default="table")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ConfigError, PolicyError, FileNotFoundError, ValueError, OSError) as exc:
        print(f"gdprlab {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
