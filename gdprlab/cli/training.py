"""Staff and trainers' commands: `gdprlab lessons` opens the lessons (gdprlab.training.serve), and
`gdprlab progress` is the trainer's view of the store learners write to.

progress: import (roster), summary (overall and per department), overdue, export (HR CSV, xAPI,
certificates) and verify (hash chains). `--fail-under PERCENT` makes summary and overdue exit 1 for
reminder jobs.
"""

from __future__ import annotations

import argparse
import json

from gdprlab.cli.command import Command, date
from gdprlab.crm.files import write_atomic
from gdprlab.training import serve


def _progress_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="progress_command", required=True, metavar="ACTION")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="database URL (default: GDPRLAB_DB_URL or the local SQLite file)")
    dated = argparse.ArgumentParser(add_help=False, parents=[common])
    dated.add_argument("--as-of", type=date, help="reference date YYYY-MM-DD (default today)")
    dated.add_argument("--requirements", help="YAML of required lessons per role and the refresher interval")
    dated.add_argument(
        "--fail-under",
        type=float,
        metavar="PERCENT",
        help="exit 1 when completion of required lessons is below PERCENT",
    )
    imp = sub.add_parser("import", parents=[common], help="import or update the staff roster from CSV")
    imp.add_argument("csv", metavar="STAFF.csv")
    summ = sub.add_parser("summary", parents=[dated], help="completion overall and per department or lesson")
    summ.add_argument("--by", choices=("department", "lesson"), default="department")
    sub.add_parser("overdue", parents=[dated], help="who is overdue for a refresher or never started")
    exp = sub.add_parser("export", parents=[dated], help="HR CSV, xAPI statements or certificates")
    exp.add_argument("--out", help="HR CSV file")
    exp.add_argument("--xapi", help="xAPI statements JSON file")
    exp.add_argument("--certificates", metavar="DIR", help="one HTML completion certificate per learner")
    sub.add_parser("verify", parents=[common], help="check that no learner's history was edited")


def _status(args: argparse.Namespace):
    from gdprlab.training.status import load_requirements, load_status

    return load_status(
        args.db, load_requirements(args.requirements) if args.requirements else None, args.as_of
    )


def _write(path: str, text: str) -> None:
    print(f"wrote {write_atomic(path, text)}")


def _import(args: argparse.Namespace) -> int:
    from gdprlab.training.store.roster import RosterStore

    with RosterStore(args.db) as store:
        report = store.import_csv(args.csv)
    print("roster: " + ", ".join(f"{k} {v}" for k, v in report.counts().items()))
    return 0


def _summary(args: argparse.Namespace) -> int:
    from gdprlab.training.status import completion, completion_percent, fail_under_exit_code

    report = _status(args)
    print(f"completion of required lessons: {completion_percent(report.status):.1f} %")
    print(completion(report.status, by=args.by).to_string(index=False))
    if report.unknown_learners:
        print(f"\nlearners with attempts but not on the roster: {', '.join(report.unknown_learners)}")
    return fail_under_exit_code(report.status, args.fail_under)


def _overdue(args: argparse.Namespace) -> int:
    from gdprlab.training.status import fail_under_exit_code, overdue

    report = _status(args)
    late = overdue(report.status)
    print(late.to_string(index=False) if len(late) else "nobody is overdue")
    return fail_under_exit_code(report.status, args.fail_under)


def _export(args: argparse.Namespace) -> int:
    from gdprlab.training.status import hr_csv

    if not (args.out or args.xapi or args.certificates):
        raise ValueError("export needs --out FILE, --xapi FILE or --certificates DIR")
    report = _status(args)
    if args.out:
        _write(args.out, hr_csv(report.status))
    if args.xapi:
        from gdprlab.training.xapi import to_statements

        _write(args.xapi, json.dumps(to_statements(report.attempts), indent=2))
    if args.certificates:
        _certificates(args, report)
    return 0


def _certificates(args: argparse.Namespace, report) -> None:
    from gdprlab.training.certificates import store_records, write_certificates
    from gdprlab.training.store.progress import ProgressStore

    with ProgressStore(args.db) as store:
        records = store_records(store)
    names = (
        dict(zip(report.roster["learner_id"], report.roster["name"], strict=True))
        if len(report.roster)
        else {}
    )
    for path in write_certificates(args.certificates, records, names):
        print(f"wrote {path}")


def _verify(args: argparse.Namespace) -> int:
    from gdprlab.training.store.progress import ProgressStore

    with ProgressStore(args.db) as store:
        problems = store.verify_chain()
    for p in problems:
        print(f"{p.learner}: record {p.row_id}: {p.kind}: {p.detail}")
    print("history intact" if not problems else f"{len(problems)} problem(s) found")
    return 1 if problems else 0


ACTIONS = {"import": _import, "summary": _summary, "overdue": _overdue, "export": _export, "verify": _verify}


def cmd_progress(args: argparse.Namespace) -> int:
    return ACTIONS[args.progress_command](args)


LESSONS = Command(name="lessons", help=serve.HELP, example=serve.EXAMPLE, arguments=serve.add_arguments,
                  run=serve.run_from_args)
PROGRESS = Command(
    name="progress",
    help="Trainers: roster, completion, overdue refreshers, exports (HR CSV, xAPI, certificates) and "
    "verification of the history.",
    example="gdprlab progress summary --by department --fail-under 90",
    arguments=_progress_arguments,
    run=cmd_progress,
)
