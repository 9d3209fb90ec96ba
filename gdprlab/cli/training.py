"""Staff and trainers' commands: `gdprlab lessons` opens the lessons (gdprlab.training.serve), and
`gdprlab progress` is the trainer's view of the store learners write to.

progress: import (roster), summary (overall and per department), overdue, export (HR CSV, xAPI,
certificates), verify (hash chains, heads, re-grading), verify-certificate (a certificate's code), outbox
(attempts waiting for a database), erase (one learner's records, Art. 17) and purge (records past the
retention period, Art. 5(1)(e)).
`--fail-under PERCENT` makes summary and overdue exit 1 for reminder jobs (also when there is no data).
Commands that read never create a database: a missing store is an error (exit 2), as is any database that
cannot be used (one line, no traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from gdprlab.cli.command import Command, date
from gdprlab.crm.files import write_atomic
from gdprlab.training import serve

#: the heads checkpoint written beside every export (gdprlab.training.store.checkpoint.EXPORT_NAME)
EXPORT_NAME = "chain-heads.json"


def learner_id(text: str) -> str:
    """An argparse type: a learner id as the lessons accept it (gdprlab.training.learner.validate_learner_id:
    no e-mail address, no space, at most 64 characters); the error says what is wrong, never the id."""
    from gdprlab.training.learner import InvalidLearnerId, validate_learner_id

    try:
        return validate_learner_id(text)
    except InvalidLearnerId as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


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
    page = sub.add_parser("dashboard", parents=[common],
                          help="open the training dashboard as a web page (Voilà, no code): completion per "
                          "lesson and department, who is overdue or never started, scores and the trend")
    serve.add_server_arguments(page, page="dashboard")
    imp = sub.add_parser("import", parents=[common], help="import or update the staff roster from CSV")
    imp.add_argument("csv", metavar="STAFF.csv")
    imp.add_argument("--replace", action="store_true",
                     help="remove stored staff missing from STAFF.csv (without it, such an import is refused "
                     "and lists them)")
    summ = sub.add_parser("summary", parents=[dated], help="completion overall and per department or lesson")
    summ.add_argument("--by", choices=("department", "lesson"), default="department")
    sub.add_parser("overdue", parents=[dated], help="required lessons that are due: expired passes "
                   "(refresher due, or content updated since the pass), lessons failed only, lessons never "
                   "started")
    exp = sub.add_parser("export", parents=[dated], help="HR CSV, xAPI statements or certificates",
                         description=EXPORT_HELP)
    exp.add_argument("--out", metavar="FILE", help="HR CSV file (staff id, learner id, department, role, "
                     "lesson, status, dates, score; no names or e-mail addresses)")
    exp.add_argument("--xapi", metavar="FILE", help="xAPI statements JSON file (actor: an account named by "
                     "the learner id; no names or e-mail addresses)")
    exp.add_argument("--certificates", metavar="DIR", help="one HTML certificate per member of staff who "
                     "passed every lesson required of them, current on --as-of, with an expiry and a "
                     "verification code (gdprlab progress verify-certificate); each NAMES its person "
                     "(owner-only files: hand each to its person only)")
    ver = sub.add_parser("verify", parents=[common], help=VERIFY_HELP, description=VERIFY_HELP)
    ver.add_argument("--checkpoint", metavar="FILE",
                     help=f"also compare with this heads checkpoint (e.g. the {EXPORT_NAME} of an export)")
    cert = sub.add_parser("verify-certificate", parents=[common], help=CERTIFICATE_HELP,
                          description=CERTIFICATE_HELP)
    cert.add_argument("code", metavar="CODE",
                      help="the certificate's verification code (XXXX-XXXX-XXXX-XXXX)")
    cert.add_argument("--as-of", type=date, help="reference date YYYY-MM-DD (default today)")
    era = sub.add_parser("erase", parents=[common], help=ERASE_HELP, description=ERASE_HELP)
    era.add_argument("--learner", required=True, metavar="ID", type=learner_id,
                     help="the learner id whose records are erased (a login or staff number)")
    pur = sub.add_parser("purge", parents=[common], help=PURGE_HELP, description=PURGE_HELP)
    pur.add_argument("--as-of", type=date, help="reference date YYYY-MM-DD (default today)")
    pur.add_argument("--requirements", help="YAML with retention_months (default 36)")
    box = sub.add_parser("outbox", parents=[common], help="list the attempts waiting in the local outbox for "
                         "a database, and send them with --flush")
    box.add_argument("--flush", action="store_true", help="send what waits (to --db only, when given)")
    box.add_argument("--outbox-dir", metavar="DIR",
                     help="folder of outbox.jsonl (default: GDPRLAB_OUTBOX_DIR or the data folder)")


def _requirements(args: argparse.Namespace):
    from gdprlab.training.status import load_requirements

    return load_requirements(args.requirements) if args.requirements else None


def _status(args: argparse.Namespace):
    """The status report, after a warning on stderr when stored records do not re-grade (they are counted
    as stored: records of bank versions from before the changelog would otherwise all vanish)."""
    from gdprlab.training.status import load_status
    from gdprlab.training.store.progress import ProgressStore

    report = load_status(args.db, _requirements(args), args.as_of)
    if len(report.attempts):
        with ProgressStore(args.db, create=False) as store:
            graded, forged = store.grade_problems()
        if forged:
            print(f"warning: {len(forged)} of {graded} stored record(s) do not re-grade from their answers "
                  "and are counted as stored here (certificates leave them out); see gdprlab progress verify",
                  file=sys.stderr)
    return report


def _write(path: str, text: str) -> None:
    _print_wrote(write_atomic(path, text))


def _import(args: argparse.Namespace) -> int:
    from gdprlab.training.store.roster import RosterStore

    with RosterStore(args.db) as store:
        report = store.import_csv(args.csv, replace=args.replace)
    print("roster: " + ", ".join(f"{k} {v}" for k, v in report.counts().items()))
    return 0


def _summary(args: argparse.Namespace) -> int:
    from gdprlab.training.status import completion, completion_percent, fail_under_exit_code

    report = _status(args)
    percent = completion_percent(report.status)
    print("completion of required lessons: " + (f"{percent:.1f} %" if percent is not None else
                                                 "no data (nobody on the roster has a required lesson)"))
    print(completion(report.status, by=args.by).to_string(index=False))
    if report.unknown_learners:
        print(f"\nlearners with attempts but not on the roster: {', '.join(report.unknown_learners)}")
    return fail_under_exit_code(report.status, args.fail_under)


def _overdue(args: argparse.Namespace) -> int:
    import pandas as pd

    from gdprlab.training.status import DUE_STATUSES, fail_under_exit_code, overdue

    report = _status(args)
    late = overdue(report.status)
    shown = late[["staff_id", "department", "lesson", "status", "reason", "last_pass", "due_date"]]
    with pd.option_context("display.max_colwidth", 90, "display.width", 250):
        print(shown.to_string(index=False) if len(late) else
              "nothing is due: every required lesson is passed and current")
    counts = late["status"].value_counts()
    if len(late):
        print("\n" + ", ".join(f"{counts.get(s, 0)} {s.replace('_', ' ')}" for s in DUE_STATUSES)
              + f" (of {int(report.status['required'].sum())} required lessons)")
    return fail_under_exit_code(report.status, args.fail_under)


def _export(args: argparse.Namespace) -> int:
    from gdprlab.training.status import hr_csv

    if not (args.out or args.xapi or args.certificates):
        raise ValueError("export needs --out FILE, --xapi FILE or --certificates DIR")
    report = _status(args)
    _checkpoint_exports(args)
    if args.out:
        _write(args.out, hr_csv(report.status))
    if args.xapi:
        from gdprlab.training.xapi import to_statements

        _write(args.xapi, json.dumps(to_statements(report.attempts), indent=2))
    if args.certificates:
        _certificates(args, report)
    return 0


def _certificates(args: argparse.Namespace, report) -> None:
    """Issue a certificate to everyone who completed every lesson required of them (and only to them)."""
    import datetime as dt

    from gdprlab.training.certificates import issue_certificates, write_certificates
    from gdprlab.training.quiz import load_banks
    from gdprlab.training.status import default_requirements
    from gdprlab.training.store.progress import ProgressStore

    as_of = args.as_of or dt.datetime.now(dt.UTC).date()
    with ProgressStore(args.db) as store:  # the database exists (its status was just read)
        issued, missing = issue_certificates(store, report.roster, _requirements(args) or
                                             default_requirements(), as_of)
    titles = {lesson: bank.title for lesson, bank in load_banks().items()}
    for path in write_certificates(args.certificates, issued, titles=titles):
        print(f"wrote {path}")
    print(f"{len(issued)} certificate(s) issued as of {as_of}" + (
        f"; {len(missing)} member(s) of staff without one: not every required lesson is passed and current"
        if missing else ""))


def _checkpoint_exports(args: argparse.Namespace) -> None:
    """Every export carries the chain heads: chain-heads.json beside its files, and the local checkpoint
    (which moves on only when the history is intact, so that an export never hides a deletion)."""
    from gdprlab.training.store.checkpoint import write_checkpoint
    from gdprlab.training.store.progress import ProgressStore

    with ProgressStore(args.db, create=False) as store:
        problems = _checked(store, None)
        heads = store.chain_heads()
    if problems:
        print(f"warning: {len(problems)} problem(s) in the history (see gdprlab progress verify); the "
              "exported heads show the history as it is now", file=sys.stderr)
    folders = [Path(p).parent for p in (args.out, args.xapi) if p]
    folders += [Path(args.certificates)] if args.certificates else []
    for folder in dict.fromkeys(folders):
        _print_wrote(write_checkpoint(folder / EXPORT_NAME, store.key, heads))


def _checked(store, checkpoint: str | None) -> list:
    """The store's chain problems, compared with the local checkpoint and `checkpoint` (a file); the local
    checkpoint moves on to the current heads when there is none."""
    from gdprlab.training.store.checkpoint import local_checkpoint, read_checkpoint, write_checkpoint

    checkpoints = {}
    local = local_checkpoint(store.key)
    for path in (local, Path(checkpoint) if checkpoint else None):
        heads = read_checkpoint(path, store.key) if path else None
        if path and heads is None and path != local:
            raise ValueError(f"{path}: no such checkpoint file")
        if heads is not None:
            checkpoints[f"the checkpoint {path}"] = heads
    problems = store.verify_chain(checkpoints=checkpoints)
    if not problems:
        write_checkpoint(local, store.key, store.chain_heads())
    return problems


def _print_wrote(path: Path) -> None:
    print(f"wrote {path}")


EXPORT_HELP = (
    "Export the training status. The HR CSV (--out) and the xAPI statements (--xapi) identify people by "
    "staff id and learner id only: no name or e-mail address. Certificates (--certificates) are the one "
    "exception, on purpose: a certificate is issued to a person, so it shows their name from the roster "
    "(never their e-mail address, which is not stored); they are written only to the folder asked for, "
    "owner-only. Every export writes the chain heads (chain-heads.json) beside its files."
)

VERIFY_HELP = (
    "check that no learner's history was edited or deleted: every hash chain, and each learner's head kept "
    "in the attempt_heads table, the local checkpoint and --checkpoint FILE. Detected: edited, inserted, "
    "reordered or deleted records, a learner's latest records or the learner deleted, the attempts table "
    "emptied or dropped. Not detected: a rewrite by someone who also recomputes every later hash and the "
    "heads table, for records newer than the last checkpoint file (see gdprlab.training.store.checkpoint). "
    "Every record is also re-graded from its answers against the bank version it names: a record whose "
    "score does not follow from them, or whose bank version this gdprlab does not know, is reported "
    "(not_regraded)"
)


def _verify(args: argparse.Namespace) -> int:
    from gdprlab.training.store.progress import ProgressStore

    with ProgressStore(args.db, create=False) as store:
        problems = _checked(store, args.checkpoint)
        graded, forged = store.grade_problems()
        erased = store.tombstones()
    for p in [*problems, *forged]:
        where = f"record {p.row_id}: " if p.row_id is not None else ""
        print(f"{p.learner}: {where}{p.kind}: {p.detail}")
    print("history intact" if not problems else f"{len(problems)} problem(s) found")
    if forged:
        print(f"{len(forged)} of {graded} record(s) do not re-grade from their answers (not_regraded): their "
              "scores are not to be believed")
    elif graded:
        print(f"{graded} record(s) re-graded from their answers: every score follows from them")
    if erased:
        print(f"{erased} erased record(s): tombstones whose links were checked, their content is gone")
    return 1 if problems or forged else 0


CERTIFICATE_HELP = (
    "check a certificate's verification code against the store: valid (its records are there, unchanged, "
    "re-grade as passes, and it has not expired), expired, forged (no such code, or its records were "
    "changed or removed) or erased (its records were erased); exit 0 only when valid. Compare the learner "
    "id, course and dates shown with the certificate"
)


def _verify_certificate(args: argparse.Namespace) -> int:
    import datetime as dt

    from gdprlab.training.certificates import verify_code
    from gdprlab.training.store.progress import ProgressStore

    with ProgressStore(args.db, create=False) as store:
        verdict = verify_code(store, args.code, args.as_of or dt.datetime.now(dt.UTC).date())
    print(f"{verdict.state}: {verdict.message}")
    return 0 if verdict.valid else 1


ERASE_HELP = (
    "erase every record of one learner (Art. 17): each becomes a tombstone that keeps its hash, so the "
    "history stays verifiable, under a random label instead of the learner id; the learner's roster row and "
    "attempts waiting in the outbox are removed too. Exported files and checkpoints already handed out are "
    "not reached: erase the person there as well"
)
PURGE_HELP = (
    "erase the records older than the retention period (retention_months of --requirements, default 36 "
    "calendar months before --as-of; Art. 5(1)(e)), as tombstones that keep the history verifiable"
)


def _after_erasure(store, erased) -> int:
    """Report an erasure; move the local checkpoint on (it named the erased ids) if the history is intact."""
    problems = _checked(store, None)
    print(f"{erased.records} record(s) erased" + (f", {erased.learners} learner id(s) removed with them"
                                                  if erased.learners else "")
          + (f", {erased.outbox} waiting attempt(s) dropped from the outbox" if erased.outbox else "")
          + "; the hash chains stay verifiable (gdprlab progress verify)")
    if problems:
        print(f"warning: {len(problems)} problem(s) in the history (see gdprlab progress verify); the local "
              "checkpoint was left as it was")
    return 0


def _erase(args: argparse.Namespace) -> int:
    from gdprlab.training.store.progress import ProgressStore

    with ProgressStore(args.db, create=False) as store:
        erased = store.erase_learner(args.learner)
        if not (erased.records or erased.outbox):
            print("no stored records of that learner id (its roster row, if any, was removed)")
            return 0
        return _after_erasure(store, erased)


def _purge(args: argparse.Namespace) -> int:
    import datetime as dt

    from gdprlab.regulation.law import add_months
    from gdprlab.training.status import load_requirements
    from gdprlab.training.store.progress import ProgressStore

    keep = load_requirements(args.requirements).retention_months
    as_of = args.as_of or dt.date.today()
    cutoff = add_months([as_of], -keep)[0].astype(dt.date)
    with ProgressStore(args.db, create=False) as store:
        erased = store.purge(dt.datetime.combine(cutoff, dt.time(), dt.UTC))
        print(f"retention {keep} months: records submitted before {cutoff} are erased")
        return _after_erasure(store, erased)


def _outbox(args: argparse.Namespace) -> int:
    import os

    from gdprlab.training.store.outbox import OUTBOX_DIR_ENV, split_target, waiting
    from gdprlab.training.store.progress import ProgressStore
    from gdprlab.training.store.schema import default_data_dir, target_key

    folder = Path(args.outbox_dir or os.environ.get(OUTBOX_DIR_ENV) or default_data_dir()).expanduser()
    rows = waiting(folder)
    if args.db:
        wanted = target_key(args.db)
        rows = [r for r in rows if r.target and target_key(*split_target(r.target)) == wanted]
    if not rows:
        print(f"nothing waits in {folder / 'outbox.jsonl'}")
        return 0
    for row in rows:
        what = row.target or "(unreadable)"
        print(f"{what}: {row.attempts} attempt(s) waiting" + (f" since {row.oldest}" if row.oldest else "")
              + (f"; last reason: {row.reason}" if row.reason else ""))
    if not args.flush:
        print("send them with: gdprlab progress outbox --flush")
        return 0
    left = 0
    for row in rows:
        if not row.target:
            left += row.attempts
            continue
        url, schema = split_target(row.target)
        with ProgressStore(args.db or url, schema=schema, outbox_dir=folder) as store:
            result = store.flush_outbox()
        print(f"{row.target}: {result.message}")
        left += result.remaining
    return 1 if left else 0


def _dashboard(args: argparse.Namespace) -> int:
    """The dashboard page; a store named by --db is reached first (read-only), so that a wrong URL, a missing
    file or an unreachable server is one message here rather than an error on the page."""
    from gdprlab.training.store.progress import ProgressStore

    if args.db:
        with ProgressStore(args.db, create=False) as store:
            store.prepare()
            with store.engine.connect():
                pass
    return serve.run_dashboard(args)


ACTIONS = {"dashboard": _dashboard, "import": _import, "summary": _summary, "overdue": _overdue,
           "export": _export, "verify": _verify, "verify-certificate": _verify_certificate, "outbox": _outbox,
           "erase": _erase, "purge": _purge}


def cmd_progress(args: argparse.Namespace) -> int:
    from gdprlab.training.store.schema import store_errors

    with store_errors(args.db):
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
