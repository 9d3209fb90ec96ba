"""Erase (Art. 17) or rectify (Art. 16) one person's data, with a plan before and an audit record after.

`erasure_plan(subject, request_id, as_of)` lists every row and field of the person (gdprlab.subjects.find)
and what becomes of it:

* **anonymise** the contact's columns (all but the erasure's own record: key, status, dates, locale,
  language, country, holds; columns the schema does not know are emptied too), the notes of their
  activities, the name, VAT number and website of a sole trader's account, and each certain mention of them
  (an identifier, or a name one person bears) in other records' notes;
* **keep**, with the legal ground and the end date, everything of a contact whose recorded hold is in force
  (retention_ground and retention_until, Art. 17(3)(b) or (e): the rule `erasure_incomplete` accepts it);
  consents and requests, which hold no personal data once the contact is anonymised and are the record
  that consent was given (Art. 7(1)) and that the request was answered (Art. 5(2), 12);
* **review** what this request does not decide: the staff record of a person who is also staff (still
  needed for the employment contract, Art. 17(1)(a) does not apply) and name mentions that another person
  may bear.

`apply_plan` writes the result into a copy of the dataset folder (owner-only), or into the folder itself
when `in_place` with a backup copy made first; marks the request completed; and returns the audit record:
who, when, which request, per table how many rows and fields were changed, SHA-256 of every file before
and after and one SHA-256 over all removed values together, never a value. `rectify` corrects columns the
same way (Art. 16) and lists the recipients to tell (Art. 19).

Files are rewritten by DuckDB from the files themselves (CSV as text, so untouched cells keep their
spelling; Parquet with its types), filtered on the person's keys: see benchmarks/subject_speed.py.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pandas as pd

from gdprlab.crm.files import csv_text, private_files, write_atomic
from gdprlab.crm.io import read_table, table_file
from gdprlab.crm.schema import TABLES
from gdprlab.regulation.policy import Policy
from gdprlab.subjects.access import REDACTED, recorded_recipients
from gdprlab.subjects.find import Subject, SubjectError, Term, search_terms

ACCOUNT_COLUMNS = ("name", "vat_number", "website")
_HOLD_GROUND = "retention_ground"


@dataclass(frozen=True)
class PlanItem:
    table: str
    record_id: str
    action: str  # anonymise, keep or review
    fields: str  # the columns concerned, comma-separated ("*" for the whole row)
    ground: str = ""  # for what is kept: the legal ground
    until: str = ""  # and until when (ISO date), where it ends
    reason: str = ""


def _hold(row: dict, as_of: dt.date) -> tuple[str, dt.date] | None:
    ground, until = row.get(_HOLD_GROUND), row.get("retention_until")
    if not isinstance(ground, str) or not ground.strip() or until is None or pd.isna(until):
        return None
    end = pd.Timestamp(until).date()
    return (ground.strip(), end) if end >= as_of else None


#: what an erased contact keeps: its key and the schema's erasure record (status, dates, locale, holds)
KEPT_COLUMNS = frozenset(["contact_id"] + [c.name for c in TABLES["contacts"].columns if c.erasure_record])


def cleared_columns(columns) -> list[str]:
    """The contacts columns an erasure empties: every one but KEPT_COLUMNS, columns the schema does not
    know included (an export's extra column, such as a spouse's name, is personal data until shown not)."""
    return [c for c in columns if c not in KEPT_COLUMNS]


def _filled(row: dict, columns) -> list[str]:
    return [
        c
        for c in columns
        if c in row
        and row[c] is not None
        and not (not isinstance(row[c], str) and pd.isna(row[c]))
        and str(row[c]).strip() != ""
    ]


def erasure_plan(subject: Subject, request_id: str, as_of: dt.date) -> pd.DataFrame:
    """What erasing the one person `subject` does to each of their rows (see the module docstring)."""
    subject.one_person()
    request = subject.request(request_id, ("erasure",))
    items: list[PlanItem] = []
    holds = {}
    contacts = subject.rows.get("contacts", pd.DataFrame())
    for row in contacts.to_dict("records"):
        cid = str(row["contact_id"])
        hold = _hold(row, as_of)
        if hold:
            holds[cid] = hold
            items.append(
                PlanItem(
                    "contacts",
                    cid,
                    "keep",
                    "*",
                    hold[0],
                    hold[1].isoformat(),
                    "a recorded hold in force (Art. 17(3)); process only for that ground",
                )
            )
            continue
        fields = _filled(row, cleared_columns(row))
        items.append(
            PlanItem(
                "contacts",
                cid,
                "anonymise",
                ",".join(fields + ["status"]),
                reason="personal columns emptied; status erased; the erasure's record kept",
            )
        )
    held_ids = set(holds)
    activities = subject.rows.get("activities", pd.DataFrame())
    for row in activities.to_dict("records"):
        if not _filled(row, ("note",)):
            continue
        cid, aid = str(row["contact_id"]), str(row["activity_id"])
        if cid in held_ids:
            ground, until = holds[cid]
            items.append(
                PlanItem(
                    "activities",
                    aid,
                    "keep",
                    "note",
                    ground,
                    until.isoformat(),
                    "the contact's hold covers its notes",
                )
            )
        else:
            items.append(PlanItem("activities", aid, "anonymise", "note", reason="note emptied"))
    for name, reason in (
        (
            "consents",
            "no personal data once the contact is anonymised; the record that "
            "consent was given and withdrawn (Art. 7(1))",
        ),
        (
            "requests",
            "no personal data once the contact is anonymised; the record that the "
            "request was answered (Art. 5(2), 12)",
        ),
    ):
        for rid in subject.rows.get(name, pd.DataFrame(columns=[TABLES[name].key]))[TABLES[name].key]:
            items.append(PlanItem(name, str(rid), "keep", "*", "Art. 5(2)", "", reason))
    for row in subject.rows.get("accounts", pd.DataFrame()).to_dict("records"):
        aid = str(row["account_id"])
        if held_ids:
            ground, until = next(iter(holds.values()))
            items.append(
                PlanItem(
                    "accounts",
                    aid,
                    "keep",
                    "*",
                    ground,
                    until.isoformat(),
                    "a sole trader's account: the contact's hold covers it",
                )
            )
        else:
            items.append(
                PlanItem(
                    "accounts",
                    aid,
                    "anonymise",
                    ",".join(_filled(row, ACCOUNT_COLUMNS)),
                    reason="a sole trader's account: the trading name is the person's name",
                )
            )
    for sid in subject.staff_ids:
        items.append(
            PlanItem(
                "staff",
                sid,
                "review",
                "*",
                "Art. 6(1)(b)",
                "",
                "the person is also staff: still needed for the employment contract "
                "(Art. 17(1)(a) does not apply); not decided by this request",
            )
        )
    for row in (
        subject.mentions.drop_duplicates("activity_id").to_dict("records")
        if not subject.mentions.empty
        else []
    ):
        aid = str(row["activity_id"])
        certain = subject.mentions.loc[
            subject.mentions["activity_id"] == row["activity_id"], "confidence"
        ].max()
        if str(row["contact_id"]) in held_ids:
            continue
        if certain >= 1.0:
            items.append(
                PlanItem(
                    "activities",
                    aid,
                    "anonymise",
                    "note",
                    reason="another record's note: the mention of the person replaced",
                )
            )
        else:
            items.append(
                PlanItem(
                    "activities",
                    aid,
                    "review",
                    "note",
                    reason=f"a name mention another person may bear (confidence {certain:.2f})",
                )
            )
    plan = pd.DataFrame([asdict(i) for i in items], columns=list(PlanItem.__dataclass_fields__))
    plan.attrs["request"] = request
    return plan


# ----------------------------------------------------------------------------------------------------------
# applying a plan to the files
# ----------------------------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _quote(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _source(path: Path) -> str:
    if path.suffix == ".csv":
        options = "all_varchar=true, header=true, delim=',', quote='\"', escape='\"'"
        return f"read_csv({_quote(str(path))}, {options})"
    return f"read_parquet({_quote(str(path))})"


def _rewrite(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    target: Path,
    key: str,
    changes: dict[str, dict[str, str]],
    removed: list[str],
) -> int:
    """Write `path`'s table to `target` with `changes` (column -> {record id -> SQL value}) applied, adding
    the removed values (as text, for the digest) to `removed`; the number of rows changed."""
    types = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {_source(path)}").fetchall()}
    columns = list(types)
    ids = sorted({i for per in changes.values() for i in per})
    if not ids:
        return 0
    id_list = ", ".join(_quote(i) for i in ids)
    old = (
        con.execute(
            f"SELECT {_ident(key)}, {', '.join(_ident(c) for c in changes if c in columns)} "
            f"FROM {_source(path)} WHERE CAST({_ident(key)} AS VARCHAR) IN ({id_list}) "
            f"ORDER BY 1"
        ).fetchall()
        if any(c in columns for c in changes)
        else []
    )
    names = [c for c in changes if c in columns]
    for row in old:
        for column, value in zip(names, row[1:], strict=True):
            if str(row[0]) in changes[column] and value is not None:
                removed.append(f"{path.stem}|{row[0]}|{column}|{value}")
    select = []
    for column in columns:
        per = changes.get(column)
        if not per:
            select.append(_ident(column))
            continue
        # each new value in the file's own type (a Parquet date may be a timestamp)
        cases = " ".join(f"WHEN {_quote(i)} THEN CAST({sql} AS {types[column]})" for i, sql in per.items())
        keyed = f"CAST({_ident(key)} AS VARCHAR)"
        select.append(f"CASE {keyed} {cases} ELSE {_ident(column)} END AS {_ident(column)}")
    options = (
        "(FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"')"
        if path.suffix == ".csv"
        else "(FORMAT parquet)"
    )
    # written into a folder of its own (0700: the file DuckDB makes is not readable by others before the
    # chmod), then renamed over the target
    with tempfile.TemporaryDirectory(prefix=f".{target.name}.", dir=target.parent) as work:
        tmp = Path(work) / target.name
        con.execute(f"COPY (SELECT {', '.join(select)} FROM {_source(path)}) TO {_quote(str(tmp))} {options}")
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    return len(old)


def _apply(source: Path, target: Path, changes: dict[str, dict[str, dict[str, str]]]
           ) -> tuple[dict[str, dict], dict[str, dict], list[str]]:
    """Each table's file of `source` with its `changes` written into `target`: per table the rows and
    fields changed, SHA-256 of the file before and after, and the removed values (for one digest)."""
    removed: list[str] = []
    counts, hashes = {}, {}
    con = duckdb.connect()
    try:
        for name, per_column in changes.items():
            path = table_file(source, name)
            if path is None or not any(per_column.values()):
                continue
            before = _sha256(path)
            rows = _rewrite(con, path, target / path.name, TABLES[name].key, per_column, removed)
            counts[name] = {"rows": rows, "fields": sum(len(v) for v in per_column.values())}
            hashes[name] = {"before": before, "after": _sha256(target / path.name)}
    finally:
        con.close()
    return counts, hashes, removed


def _completed(request: dict, as_of: dt.date) -> dict[str, dict[str, str]]:
    """The changes that mark `request` completed on `as_of` (a reply date already recorded stays)."""
    rid = str(request["request_id"])
    return {"status": {rid: "'completed'"},
            "responded_on": {rid: f"COALESCE(CAST(responded_on AS VARCHAR), {_quote(as_of.isoformat())})"}}


def _mention_sql(terms: list[Term]) -> str:
    """SQL replacing every certain mention of the person in `note` by REDACTED."""
    sql = _ident("note")
    for term in terms:
        pattern = term.pattern()
        replacement = REDACTED if term.kind == "phone" else f"\\1{REDACTED}\\2"
        sql = f"regexp_replace({sql}, {_quote(pattern)}, {_quote(replacement)}, 'g')"
    return sql


@dataclass(frozen=True)
class Outcome:
    folder: Path  # the dataset written
    audit: dict
    plan: pd.DataFrame


def apply_plan(
    dataset: str | Path,
    subject: Subject,
    plan: pd.DataFrame,
    out: str | Path,
    *,
    as_of: dt.date,
    policy: Policy,
    in_place: bool = False,
    backup: str | Path | None = None,
    operator: str | None = None,
) -> Outcome:
    """Apply an erasure plan to a copy of the dataset folder in out/dataset (or in place, after a backup),
    mark the request completed, and write out/erasure_plan.csv and out/audit.json (owner-only)."""
    source = Path(dataset)
    if not (source.is_dir() and (source / "manifest.json").is_file()):
        raise SubjectError(
            "erasure is applied to dataset folders (tables as CSV or Parquet files); for a "
            "warehouse, apply erasure_plan.csv there"
        )
    out = Path(out)
    request = plan.attrs["request"]
    changes: dict[str, dict[str, dict[str, str]]] = {}
    anonymise = plan[plan["action"] == "anonymise"]
    contact_ids = anonymise.loc[anonymise["table"] == "contacts", "record_id"].tolist()
    for column in cleared_columns(subject.rows.get("contacts", pd.DataFrame()).columns):
        changes.setdefault("contacts", {})[column] = {i: "NULL" for i in contact_ids}
    changes.setdefault("contacts", {})["status"] = {i: "'erased'" for i in contact_ids}
    notes = anonymise[anonymise["table"] == "activities"]
    activity_rows = subject.rows.get("activities", pd.DataFrame(columns=["activity_id"]))
    own_notes = set(activity_rows["activity_id"].astype(str))
    mention_sql = _mention_sql(
        [x for x in search_terms(subject) if x.kind != "name" or _certain_name(subject)]
    )
    changes["activities"] = {
        "note": {i: ("NULL" if i in own_notes else mention_sql) for i in notes["record_id"]}
    }
    accounts = anonymise[anonymise["table"] == "accounts"]["record_id"].tolist()
    changes["accounts"] = {c: {i: "NULL" for i in accounts} for c in ACCOUNT_COLUMNS}
    changes["requests"] = _completed(request, as_of)
    rewritten = {table_file(source, n) for n, per in changes.items() if any(per.values())}
    target = _target(source, out, in_place, backup, skip={p.name for p in rewritten if p})
    counts, hashes, removed = _apply(source, target, changes)
    removed_values = [x for x in removed if not x.startswith("requests|")]
    audit = {
        "action": "erasure (Art. 17)",
        "who": operator or getpass.getuser(),
        "when": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "request": request["request_id"],
        "as_of": as_of.isoformat(),
        "dataset": str(source),
        "written_to": str(target),
        "plan": {action: int(n) for action, n in plan["action"].value_counts().sort_index().items()},
        "changed": counts,
        "files_sha256": hashes,
        "removed_values": len(removed_values),
        "removed_sha256": hashlib.sha256("\n".join(sorted(removed_values)).encode()).hexdigest(),
        "kept": plan.loc[plan["action"] == "keep", ["table", "record_id", "ground", "until"]].to_dict(
            "records"
        ),
        **_recipients_to_tell(source, policy, lambda r: r.name),
    }
    _write_records(out, plan, audit)
    return Outcome(target, audit, plan)


def _recipients_to_tell(source: Path, policy: Policy, show) -> dict[str, object]:
    """The audit record's recipients to tell (Art. 19), from the dataset's recipients table (the policy's
    only without one), and the note of `recorded_recipients` if any."""
    path = table_file(source, "recipients")
    recipients, note = recorded_recipients(read_table(path, TABLES["recipients"]) if path else None, policy)
    return {"notify_recipients (Art. 19)": [show(r) for r in recipients]} | ({"recipients_note": note}
                                                                                if note else {})


def _certain_name(subject: Subject) -> bool:
    m = subject.mentions
    return m.empty or bool((m.loc[m["matched"] == "name", "confidence"] >= 1.0).all())


def _target(source: Path, out: Path, in_place: bool, backup: str | Path | None,
            skip: set[str] = frozenset()) -> Path:
    """Where the result is written: out/dataset, an owner-only copy of the source (but for the files named
    in `skip`, which are written there anew); or the source itself after a full copy into `backup`."""
    if in_place:
        if backup is None:
            raise SubjectError("--in-place needs --backup DIR: a full copy is made there first")
        backup = Path(backup)
        if backup.exists():
            raise SubjectError(f"{backup}: exists already; name a new folder for the backup")
        shutil.copytree(source, backup)
        private_files(backup)
        return source
    target = out / "dataset"
    if target.exists():
        raise SubjectError(f"{target}: exists already; pass a new --out folder")
    target.mkdir(parents=True, mode=0o700)
    out.chmod(0o700)
    for path in source.iterdir():
        if path.is_file() and path.name not in skip:
            shutil.copyfile(path, target / path.name)
            os.chmod(target / path.name, 0o600)
    return target


def _write_records(out: Path, plan: pd.DataFrame, audit: dict) -> None:
    write_atomic(
        out / "erasure_plan.csv" if audit["action"].startswith("erasure") else out / "rectification.csv",
        csv_text(plan.columns, plan.itertuples(index=False)),
        mode=0o600,
    )
    write_atomic(
        out / "audit.json", json.dumps(audit, indent=2, ensure_ascii=False, default=str) + "\n", mode=0o600
    )


# ----------------------------------------------------------------------------------------------------------
# rectification
# ----------------------------------------------------------------------------------------------------------


def rectify(
    dataset: str | Path,
    subject: Subject,
    corrections: dict[str, str],
    out: str | Path,
    *,
    request_id: str | None,
    as_of: dt.date,
    policy: Policy,
    in_place: bool = False,
    backup: str | Path | None = None,
    operator: str | None = None,
) -> Outcome:
    """Set `corrections` (contacts column -> corrected value) on every contact record of the one person,
    mark the rectification request completed (if given), and record it with the recipients to tell
    (Art. 19): counts and hashes, never the old or the new values."""
    subject.one_person()
    allowed = [c for c in TABLES["contacts"].erasable_names]
    wrong = sorted(set(corrections) - set(allowed))
    if wrong:
        raise SubjectError(f"cannot rectify {', '.join(wrong)}: choose among {', '.join(allowed)}")
    if not subject.contact_ids:
        raise SubjectError("the person has no contact record to rectify")
    request = subject.request(request_id, ("rectification",)) if request_id else None
    source = Path(dataset)
    if not (source.is_dir() and (source / "manifest.json").is_file()):
        raise SubjectError("rectification is applied to dataset folders (tables as CSV or Parquet files)")
    out = Path(out)
    target = _target(source, out, in_place, backup)
    plan = pd.DataFrame(
        [
            asdict(
                PlanItem(
                    "contacts",
                    cid,
                    "rectify",
                    ",".join(sorted(corrections)),
                    reason="corrected at the person's request (Art. 16)",
                )
            )
            for cid in subject.contact_ids
        ],
        columns=list(PlanItem.__dataclass_fields__),
    )
    changes = {"contacts": {c: {i: _quote(v) for i in subject.contact_ids} for c, v in corrections.items()}}
    if request is not None:
        changes["requests"] = _completed(request, as_of)
    counts, hashes, removed = _apply(source, target, changes)
    audit = {
        "action": "rectification (Art. 16)",
        "who": operator or getpass.getuser(),
        "when": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "request": request["request_id"] if request else None,
        "dataset": str(source),
        "written_to": str(target),
        "changed": {"contacts": {"rows": counts.get("contacts", {}).get("rows", 0),
                                 "fields": sorted(corrections)}},
        "files_sha256": hashes,
        "old_values_sha256": hashlib.sha256(
            "\n".join(sorted(x for x in removed if x.startswith("contacts|"))).encode()
        ).hexdigest(),
        **_recipients_to_tell(source, policy, lambda r: {"name": r.name, "kind": r.kind}),
    }
    _write_records(out, plan, audit)
    return Outcome(target, audit, plan)
