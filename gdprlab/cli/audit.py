"""The auditor's commands: `gdprlab scan` (where personal data lives), `check` (findings against every
rule), `evaluate` (the checks against a generated dataset's ground truth), `assess` (the assessment
notebook over many datasets) and `rules` (the catalogue)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from gdprlab.audit.scoring import MIN_COVERAGE
from gdprlab.cli.command import Command, at_least, date
from gdprlab.crm.files import csv_text, write_atomic
from gdprlab.regulation import catalogue


def _write_out(text: str, out: str | None) -> None:
    """Print, or write atomically to a file (a half-written report is never left behind)."""
    if out is None:
        print(text)
        return
    path = write_atomic(out, text if text.endswith("\n") else text + "\n")
    print(f"wrote {path}", file=sys.stderr)


# ----------------------------------------------------------------------------------------------------------
# scan
# ----------------------------------------------------------------------------------------------------------

def _scan_arguments(sc: argparse.ArgumentParser) -> None:
    sc.add_argument("path", metavar="PATH", help="a table file (CSV, Parquet, Excel) or a folder of them")
    sc.add_argument("--format", choices=("table", "json"), default="table")
    sc.add_argument("--out", help="write to this file instead of standard output")
    sc.add_argument("--ropa", metavar="FILE", help="also write a record-of-processing draft (CSV) to FILE")
    sc.add_argument("--sample", type=at_least(1), default=10_000,
                    help="rows sampled per table (deterministic)")
    sc.add_argument("--keep-going", action="store_true",
                    help="exit 0 (not 2) when some files could not be read; they are listed")


def cmd_scan(args: argparse.Namespace) -> int:
    from gdprlab.audit.discovery.scan import format_table, scan_path

    result = scan_path(args.path, sample_size=args.sample)
    for line in result.files.notes(read=False):  # the output lists the files read
        print(line, file=sys.stderr)
    text = (
        json.dumps(result.to_dict(), indent=2, default=str) if args.format == "json" else format_table(result)
    )
    _write_out(text, args.out)
    if args.ropa:
        from gdprlab.audit.discovery.classify import ropa_draft

        draft = ropa_draft(result.columns)
        _write_out(csv_text(draft.columns, draft.itertuples(index=False)), args.ropa)
    if result.files.failed and not args.keep_going:
        return 2
    return 0


# ----------------------------------------------------------------------------------------------------------
# check, evaluate
# ----------------------------------------------------------------------------------------------------------

def _dataset_arguments(c: argparse.ArgumentParser) -> None:
    c.add_argument("dataset", metavar="DATASET", help="dataset folder, or a CRM export file or folder")
    c.add_argument("--as-of", type=date, help="reference date (default: the dataset's, else today)")
    c.add_argument("--policy", help="organisation policy YAML (default: the dataset's policy.yaml)")
    c.add_argument("--mapping", help="YAML mapping of export files and columns to gdprlab's tables")
    c.add_argument("--evidence", type=at_least(0), default=5, help="masked evidence records per finding")
    c.add_argument("--date-order", choices=("dmy", "mdy"),
                   help="how to read slashed dates that read both ways (no day above 12): dmy (day first) or "
                   "mdy (month first); columns whose values show their order are read as they show")
    c.add_argument("--timezone", default="UTC", metavar="ZONE",
                   help="time zone of times written without an offset, e.g. Europe/Berlin (default UTC)")
    c.add_argument("--keep-going", action="store_true",
                   help="exit 0 (not 2) when some files of an export could not be read; they are listed")
    c.add_argument(
        "--training-store",
        metavar="URL",
        help="read staff training from the lessons' progress store (database URL) instead of the "
        "dataset's training table",
    )


def _engine_arguments(c: argparse.ArgumentParser) -> None:
    engine = c.add_argument_group("where the checks run")
    engine.add_argument("--engine", default="duckdb", metavar="ENGINE",
                        help="duckdb (embedded, in memory; the default), duckdb://FILE.duckdb (kept in a "
                        "file), spark (PySpark local mode, needs Java 17) or an Ibis connection URL such as "
                        "snowflake://user@account/db/schema; credentials belong in the URL's environment or "
                        "the driver's configuration, never on a shared command line")
    engine.add_argument("--fivetran", choices=("salesforce", "hubspot"),
                        help="DATASET is the database/schema where the Fivetran connector writes its tables")
    engine.add_argument("--memory-limit", metavar="SIZE", help="DuckDB's memory limit, e.g. 4GB; beyond it, "
                        "DuckDB spills to --spill-dir")
    engine.add_argument("--spill-dir", metavar="DIR", help="folder DuckDB spills to, created owner-only when "
                        "missing (default: a new owner-only folder, removed afterwards)")
    engine.add_argument("--findings-table", metavar="NAME",
                        help="keep the violating record ids in this table of the engine (run_id, rule_id, "
                        "record_id) instead of the output, which then carries counts, rates and evidence")


def _check_arguments(c: argparse.ArgumentParser) -> None:
    _dataset_arguments(c)
    _engine_arguments(c)
    c.add_argument("--format", choices=("table", "json", "csv"), default="table")
    c.add_argument("--out", help="write to this file instead of standard output")
    c.add_argument(
        "--fail-on",
        choices=catalogue.SEVERITIES,
        help="exit 1 when a rule of this severity or higher is violated, or when less than --min-coverage "
        "of the catalogue was assessed",
    )
    c.add_argument("--min-coverage", type=_share, default=MIN_COVERAGE, metavar="SHARE",
                   help="with --fail-on, the share (0-1) of the catalogue's weight that must be assessed "
                   f"(default {MIN_COVERAGE})")


def _share(text: str) -> float:
    """An argparse type: a number from 0 to 1."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a share from 0 to 1")
    return value


def _assess(args: argparse.Namespace):
    """Read the dataset (or export) where the engine runs and check every rule, with the dataset's own
    as-of date and policy by default; the assessment and the export's LoadReport (None for a dataset the
    engine read itself)."""
    from gdprlab.audit.engine import run_checks
    from gdprlab.crm.backends import connect
    from gdprlab.crm.io import resolve_inputs

    engine = getattr(args, "engine", "duckdb")
    given = resolve_inputs(args.dataset, args.as_of, args.policy, args.mapping,
                           in_engine=bool(getattr(args, "fivetran", None)))
    findings_table = getattr(args, "findings_table", None)
    if findings_table and engine == "duckdb":
        raise ValueError("--findings-table needs a database that outlives the run: pass --engine "
                         "duckdb://findings.duckdb (or a warehouse URL)")
    backend = connect(engine, memory_limit=getattr(args, "memory_limit", None),
                      temp_directory=getattr(args, "spill_dir", None))
    try:
        tables, report = _tables(args, given, backend)
        if args.training_store:
            tables["training"] = _training_from_store(args.training_store, given.policy, given.as_of)
            print("note: training records read from the progress store, not the dataset", file=sys.stderr)
        return run_checks(tables, given.policy, given.as_of, evidence=args.evidence,
                          dataset=str(args.dataset), backend=backend, findings_table=findings_table), report
    finally:
        backend.disconnect()


def _tables(args: argparse.Namespace, given, backend) -> tuple[dict, object]:
    """The dataset's tables on the backend: a Fivetran schema or a generated dataset's files read by the
    engine itself; any other export read by gdprlab's export reader and handed to the engine (with its
    LoadReport, whose notes go to standard error)."""
    from gdprlab.crm.exports import load_export
    from gdprlab.crm.staging import stage_dataset, stage_fivetran

    if getattr(args, "fivetran", None):
        return stage_fivetran(backend, args.fivetran, database=args.dataset), None
    folder = Path(args.dataset)
    if folder.is_dir() and (folder / "manifest.json").is_file() and given.mapping is None:
        return stage_dataset(folder, backend), None
    tables, report = load_export(args.dataset, given.mapping, date_order=args.date_order,
                                 timezone=args.timezone)
    for line in report.notes():
        print(line, file=sys.stderr)
    return tables, report


def _unread(report, args: argparse.Namespace) -> int | None:
    """2 when files of the export could not be read (listed again after the output), unless --keep-going."""
    if report is None or not report.failed:
        return None
    print(f"{len(report.failed)} file(s) could not be read and were left out: "
          f"{', '.join(f for f, _ in report.failed)}", file=sys.stderr)
    return None if args.keep_going else 2


def _training_from_store(url: str, policy, as_of):
    """The dataset's training table rebuilt from real quiz completions (roster + attempts in the store)."""
    from dataclasses import replace

    from gdprlab.training.status import default_requirements, training_table_from_store
    from gdprlab.training.store.progress import ProgressStore
    from gdprlab.training.store.roster import RosterStore
    from gdprlab.training.store.schema import StoreError, shown_url, store_errors

    requirements = replace(default_requirements(), refresh_months=policy.training_refresh_months)
    with store_errors(url):  # read only: a mistyped URL is an error, never a new, empty store
        with RosterStore(url, create=False) as rosters:
            roster = rosters.frame()
        with ProgressStore(url, create=False) as store:
            attempts = store.attempts_frame()
    if roster.empty:
        raise StoreError(f"--training-store {shown_url(url)}: the roster is empty, so every CRM user would "
                         "count as untrained; import it with gdprlab progress import STAFF.csv")
    return training_table_from_store(roster, attempts, requirements, policy.training_course, as_of)


def cmd_check(args: argparse.Namespace) -> int:
    from gdprlab.audit.report import fail_on, render, under_covered, with_files

    assessment, report = _assess(args)
    text = render(assessment, args.format)
    if args.format == "json" and report is not None:
        text = with_files(text, report)
    _write_out(text, args.out)
    unread = _unread(report, args)
    if unread is not None:
        return unread
    if args.fail_on and fail_on(assessment, args.fail_on):
        print(f"failing: a rule of severity {args.fail_on} or higher was violated", file=sys.stderr)
        return 1
    short = under_covered(assessment, args.min_coverage) if args.fail_on else None
    if short:
        print(f"failing: {short} (--min-coverage)", file=sys.stderr)
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
    assessment, report = _assess(args)
    frame = evaluate(assessment, pd.read_csv(truth_file, dtype=str))
    print(format_evaluation(frame))
    return _unread(report, args) or 0


# ----------------------------------------------------------------------------------------------------------
# assess
# ----------------------------------------------------------------------------------------------------------

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
    parser.add_argument("--date-order", choices=("dmy", "mdy"),
                        help="as for check: how to read slashed dates that read both ways (passed to the "
                        "notebook as its date_order parameter)")
    parser.add_argument("--timezone", metavar="ZONE",
                        help="as for check: time zone of times written without an offset (default UTC; "
                        "the notebook's timezone parameter)")
    parser.add_argument("--keep-going", action="store_true",
                        help="exit 0 (not 2) when some files of an export could not be read; the summary "
                        "lists them")
    parser.add_argument("--pdf", action="store_true",
                        help="also print each report to report.pdf, with contents and page numbers (headless "
                        "Chromium through Playwright; GDPRLAB_CHROMIUM names the browser, default "
                        "/usr/bin/chromium)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def cmd_assess(args: argparse.Namespace) -> int:
    """Run a batch (gdprlab.runner.batch), print its summary; 0 when every run succeeded, 1 if any failed,
    2 when files of an export could not be read (unless --keep-going)."""
    from gdprlab.runner.batch import build_parameters, run_batch

    parameters = build_parameters(args.params, args.parameter)
    for name in ("date_order", "timezone"):  # given only when asked for: other notebooks may not take them
        if getattr(args, name) is not None:
            parameters[name] = getattr(args, name)
    result = run_batch([Path(d) for d in args.datasets], notebook=args.notebook, out=Path(args.out),
                       jobs=args.jobs, parameters=parameters, kernel=args.kernel, pdf=args.pdf,
                       progress=not args.quiet and sys.stderr.isatty())
    print(result.summary())
    if result.unread and not args.keep_going:
        print(f"failing: files of {', '.join(r.name for r in result.unread)} could not be read "
              "(--keep-going to accept)", file=sys.stderr)
        return 2
    return result.exit_code


# ----------------------------------------------------------------------------------------------------------
# rules
# ----------------------------------------------------------------------------------------------------------

def _rules_arguments(r: argparse.ArgumentParser) -> None:
    r.add_argument("rule_ids", nargs="*", metavar="RULE", help="only these rules (default: every rule)")
    r.add_argument("--concern", choices=catalogue.CONCERNS, help="only one concern")
    r.add_argument("--format", choices=("text", "markdown", "json"), default="text",
                   help="text (one rule in two lines), markdown (a card per rule: articles with their "
                   "titles, definition, what is not a violation, remediation, sources; as docs/rules.md) or "
                   "json")


def cmd_rules(args: argparse.Namespace) -> int:
    from gdprlab.regulation import cards

    unknown = [i for i in args.rule_ids if i not in catalogue.RULES_BY_ID]
    if unknown:
        raise ValueError(f"unknown rule {', '.join(map(repr, unknown))}; known rules: "
                         f"{', '.join(catalogue.RULES_BY_ID)}")
    rules = [r for r in catalogue.RULES
             if args.concern in (None, r.concern) and (not args.rule_ids or r.id in args.rule_ids)]
    if args.format == "json":
        print(json.dumps([r.__dict__ for r in rules], indent=2, ensure_ascii=False))
    else:
        print(cards.markdown(rules) if args.format == "markdown" else cards.text(rules), end="")
        if args.format == "text":
            print()
    return 0


SCAN = Command(
    name="scan",
    help="Find where personal data lives: classify every column, scan free text.",
    example="gdprlab scan datasets/sample/contacts.csv --format json --ropa output/ropa_draft.csv",
    arguments=_scan_arguments,
    run=cmd_scan,
)
CHECK = Command(
    name="check",
    help="Check a dataset or CRM export against every rule.",
    example="gdprlab check datasets/sample --format json --out output/findings.json --fail-on high",
    arguments=_check_arguments,
    run=cmd_check,
)
EVALUATE = Command(
    name="evaluate",
    help="Compare the checks' findings with a generated dataset's ground truth: precision and recall per "
    "rule.",
    example="gdprlab evaluate datasets/sample",
    arguments=_dataset_arguments,
    run=cmd_evaluate,
)
ASSESS = Command(
    name="assess",
    help="Run an assessment notebook on one or many datasets: executed notebook, HTML report without code, "
    "findings, an index and a comparison with the last run.",
    example='gdprlab assess exports/sales exports/hr -j 2 -p organisation "Example GmbH"',
    arguments=_assess_arguments,
    run=cmd_assess,
)
RULES = Command(
    name="rules",
    help="List the rule catalogue with articles and severities, or print its rule cards.",
    example="gdprlab rules --concern permission --format markdown",
    arguments=_rules_arguments,
    run=cmd_rules,
)
