"""The DPO's command for one data subject's request: `gdprlab subject find | access | erase | rectify`
(gdprlab.subjects). The terminal shows masked values only; what holds the person's data goes into files
written owner-only."""

from __future__ import annotations

import argparse
import sys

from gdprlab.cli.command import Command, date


def _person(p: argparse.ArgumentParser) -> None:
    p.add_argument("dataset", metavar="DATASET", help="dataset folder, or a CRM export file or folder")
    who = p.add_argument_group("the person (at least one; all given must match)")
    who.add_argument("--email", help="e-mail address")
    who.add_argument("--phone", help="phone number, international or national form")
    who.add_argument("--name", help="full name, as 'First Last'")
    who.add_argument("--birth-date", type=date, help="date of birth, to tell namesakes apart (with --name)")
    who.add_argument("--id", help="contact or staff record id")
    who.add_argument("--national-id", help="national identification number")
    p.add_argument("--as-of", type=date, help="reference date (default: the dataset's, else today)")
    p.add_argument("--policy", help="organisation policy YAML (default: the dataset's policy.yaml)")
    p.add_argument("--engine", default="duckdb", help="duckdb (default), spark or an Ibis connection URL")


def _arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    find = sub.add_parser("find", help="every record of the person and the notes that mention them (masked)")
    _person(find)
    find.add_argument(
        "--extract", metavar="FILE", help="write the full, unmasked extract to FILE (JSON, owner-only)"
    )
    access = sub.add_parser("access", help="answer an access and portability request (Art. 15, 20)")
    _person(access)
    access.add_argument("--request", help="the request being answered (its id)")
    access.add_argument(
        "--out", required=True, metavar="DIR", help="folder for access.html and portability.zip"
    )
    erase = sub.add_parser(
        "erase", help="erase the person (Art. 17): plan, copy of the dataset, audit record"
    )
    _person(erase)
    erase.add_argument("--request", required=True, help="the erasure request (its id)")
    erase.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="folder for erasure_plan.csv, audit.json and the erased copy (DIR/dataset)",
    )
    _writing(erase)
    erase.add_argument("--plan-only", action="store_true", help="write the plan, change nothing")
    rectify = sub.add_parser(
        "rectify", help="correct the person's data (Art. 16), recipients to tell (Art. 19)"
    )
    _person(rectify)
    rectify.add_argument(
        "--set",
        nargs=2,
        action="append",
        required=True,
        metavar=("COLUMN", "VALUE"),
        help="a corrected contacts column (repeatable)",
    )
    rectify.add_argument("--request", help="the rectification request (its id)")
    rectify.add_argument("--out", required=True, metavar="DIR", help="folder for the record and the copy")
    _writing(rectify)


def _writing(p: argparse.ArgumentParser) -> None:
    p.add_argument("--in-place", action="store_true", help="change DATASET itself (needs --backup)")
    p.add_argument(
        "--backup", metavar="DIR", help="with --in-place: a full copy of DATASET is made here first"
    )
    p.add_argument("--operator", help="who carries it out, for the audit record (default: the login name)")


def _query(args: argparse.Namespace):
    from gdprlab.subjects.find import Query

    return Query(
        email=args.email,
        phone=args.phone,
        name=args.name,
        birth_date=args.birth_date,
        id=args.id,
        national_id=args.national_id,
    )


def cmd_subject(args: argparse.Namespace) -> int:
    from gdprlab.subjects.find import find_subject, open_dataset, summary_lines, write_extract

    query = _query(args)
    with open_dataset(args.dataset, args.engine, as_of=args.as_of, policy=args.policy) as (t, given):
        subject = find_subject(t, query)
        if args.action == "find":
            print("\n".join(summary_lines(subject)))
            if args.extract:
                print(f"wrote {write_extract(subject, args.extract)} (unmasked, owner-only)", file=sys.stderr)
            return 0 if subject.found else 1
        if args.action == "access":
            from gdprlab.subjects.access import answer_access, write_access

            answer = answer_access(t, subject, given.policy, given.as_of, args.request)
            for path in write_access(answer, args.out):
                print(f"wrote {path}", file=sys.stderr)
            print(
                f"access answer in {answer.language}: "
                + ", ".join(f"{n} {name}" for name, n in answer.rows.items())
                + f"; {answer.redacted} passage(s) of other people's data redacted (Art. 15(4))"
            )
            if given.policy.controller_name is None:
                print(
                    "note: the policy names no controller_name; set it (and controller_contact) in the "
                    "policy YAML",
                    file=sys.stderr,
                )
            for note in answer.notes:
                print(f"note: {note}", file=sys.stderr)
            return 0
        return _change(args, subject, given)


def _change(args: argparse.Namespace, subject, given) -> int:
    from gdprlab.crm.files import csv_text, write_atomic
    from gdprlab.subjects.erase import apply_plan, erasure_plan, rectify

    if args.in_place and not args.backup:
        raise ValueError("--in-place needs --backup DIR (a full copy is made there first)")
    if args.action == "rectify":
        outcome = rectify(
            args.dataset,
            subject,
            dict(args.set),
            args.out,
            request_id=args.request,
            as_of=given.as_of,
            policy=given.policy,
            in_place=args.in_place,
            backup=args.backup,
            operator=args.operator,
        )
        recipients = outcome.audit["notify_recipients (Art. 19)"]
        print(
            f"rectified {', '.join(sorted(dict(args.set)))} on {len(subject.contact_ids)} record(s); "
            f"written to {outcome.folder}"
        )
        print(
            "recipients to tell (Art. 19): " + (", ".join(r["name"] for r in recipients) or "none recorded")
        )
        if "recipients_note" in outcome.audit:
            print(f"note: {outcome.audit['recipients_note']}", file=sys.stderr)
        return 0
    plan = erasure_plan(subject, args.request, given.as_of)
    counts = plan.groupby(["table", "action"]).size()
    print("erasure plan: " + "; ".join(f"{table} {action} {n}" for (table, action), n in counts.items()))
    if args.plan_only:
        path = write_atomic(
            f"{args.out}/erasure_plan.csv", csv_text(plan.columns, plan.itertuples(index=False)), mode=0o600
        )
        print(f"wrote {path}", file=sys.stderr)
        return 0
    outcome = apply_plan(
        args.dataset,
        subject,
        plan,
        args.out,
        as_of=given.as_of,
        policy=given.policy,
        in_place=args.in_place,
        backup=args.backup,
        operator=args.operator,
    )
    print(
        f"erased into {outcome.folder}; request {args.request} completed; audit record {args.out}/audit.json"
    )
    if "recipients_note" in outcome.audit:
        print(f"note: {outcome.audit['recipients_note']}", file=sys.stderr)
    return 0


SUBJECT = Command(
    name="subject",
    help="One data subject's request: find the person (masked), answer access and portability, erase or "
    "rectify with an audit record.",
    example="gdprlab subject access datasets/sample --id C0001851 --request R000004 --out output/answer",
    arguments=_arguments,
    run=cmd_subject,
)
