"""The answer to an access request (Art. 15) and a portability request (Art. 20), at once.

`answer_access(t, subject, policy, as_of)` builds, for one person (gdprlab.subjects.find):

* `access.html`, in plain language and in the person's language (the eight languages of the generator's
  locales; English otherwise): the categories of data held with their purposes, lawful bases and retention
  (from the record of processing, and the end date from the retention policy or a recorded Art. 17(3)
  hold), recipients and processors (the dataset's recipients table, with the ground of a transfer outside
  the EEA, Art. 15(1)(c), 15(2); see `recorded_recipients`), the source, their rights (Art. 15(1)(a)-(h)),
  the controller's name and contact, and a copy of the data (Art. 15(3));
* `portability.zip`: the data, as JSON and as one CSV per table (Art. 20(1)).

Other people's data inside notes (names of colleagues and of other customers, their e-mails, phones,
account numbers, and the record ids of other contacts and staff, looked up in the dataset) is replaced by
"[…]" and counted (Art. 15(4)); the person's own names and identifiers stay. Notes of other records that
mention the person are included only where the mention is certain (an identifier, or a name only one person
bears): a namesake's data is never in the answer. Every value from the
data is HTML-escaped; the files are written owner-only.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
import zipfile
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from string import Template

import pandas as pd
import yaml

from gdprlab.audit.discovery.textscan import scan_texts
from gdprlab.audit.rules.base import Tables, key_in
from gdprlab.crm.files import csv_text, write_atomic
from gdprlab.crm.protect import PREFIX
from gdprlab.crm.schema import TABLES
from gdprlab.regulation.policy import RECIPIENT_KINDS, Policy, Recipient
from gdprlab.regulation.transfers import transfer_lists
from gdprlab.subjects.find import Subject, digits, fold, records

LANGUAGES = ("de", "en", "es", "fr", "it", "nl", "pl", "pt", "sv")
#: what a note is searched for other people's data in (special-category terms about the person are theirs)
_THIRD_PARTY_KINDS = ("email", "phone", "iban", "national_id", "card_number", "ip_address", "person_name")
REDACTED = "[…]"
#: a word that may be a record id: 4 or more letters, digits, "-" or "_", one of them a digit
_ID_CANDIDATE = re.compile(r"(?<![\w-])(?=[\w-]*\d)[\w-]{4,}(?![\w-])")
#: the tables of people's records, whose ids written in a note point at another person
PEOPLE_KEYS = (("contacts", "contact_id"), ("staff", "staff_id"))
#: tables of the answer, in the order shown
ANSWER_TABLES = ("contacts", "accounts", "staff", "consents", "activities", "requests", "training")
@cache
def texts(language: str) -> dict[str, str]:
    """The answer's sentences in `language` (English for a language without a file)."""
    language = language if language in LANGUAGES else "en"
    return yaml.safe_load(files("gdprlab.subjects").joinpath(f"texts/{language}.yaml").read_text("utf-8"))


@dataclass(frozen=True)
class AccessAnswer:
    language: str
    html: str
    portability: bytes  # the zip file
    redacted: int  # passages of other people's data removed from notes (Art. 15(4))
    rows: dict[str, int]  # rows per table in the answer
    notes: tuple[str, ...] = ()  # for the person answering, not for the data subject


def language_of(subject: Subject) -> str:
    c = subject.rows.get("contacts")
    if c is not None and "language" in c.columns:
        for value in c["language"]:
            if isinstance(value, str) and value.strip().lower() in LANGUAGES:
                return value.strip().lower()
    return "en"


# ----------------------------------------------------------------------------------------------------------
# Art. 15(4): other people's data in notes
# ----------------------------------------------------------------------------------------------------------


def own_terms(subject: Subject) -> frozenset[str]:
    """The person's own words and identifiers as compared with what a note holds (folded)."""
    words = set()
    for name in subject.full_names():
        words |= set(fold(name).split())
    words |= {e.lower() for e in subject.emails()}
    words |= {digits(p)[-9:] for p in subject.phones()}
    return frozenset(words)


def _is_own(kind: str, text: str, own: frozenset[str]) -> bool:
    if kind == "person_name":
        return all(w in own for w in fold(text).split())
    if kind == "email":
        return text.lower() in own
    if kind == "phone":
        return digits(text)[-9:] in own
    return False


def other_records(t: Tables, subject: Subject, notes: list[str | None]) -> frozenset[str]:
    """The record ids of other people (contacts, staff) written in `notes`: the words that may be one,
    looked up in the engine (a CRM's ids have no shape gdprlab could know)."""
    mine = set(subject.contact_ids) | set(subject.staff_ids)
    words = {w for n in notes if isinstance(n, str) for w in _ID_CANDIDATE.findall(n)} - mine
    found: set[str] = set()
    for table, key in PEOPLE_KEYS:
        if words and table in t and key in t[table].columns:
            x = t[table]
            ids = t.fetch(x.filter(x[key].cast("string").isin(sorted(words))).select(key))[key]
            found |= set(ids.astype(str))
    return frozenset(found - mine)


def redact(notes: list[str | None], own: frozenset[str],
           record_ids: frozenset[str] = frozenset()) -> tuple[list[str | None], int]:
    """`notes` with every other person's name and identifier, and the `record_ids` of other people's
    records, replaced by REDACTED, and how many were."""
    if not any(isinstance(n, str) and n for n in notes):
        return notes, 0
    spans = scan_texts([n if isinstance(n, str) else "" for n in notes], kinds=_THIRD_PARTY_KINDS)
    out, count = list(notes), 0
    for row, part in spans.groupby("row"):
        text = out[row]
        for start, end, kind, found in sorted(
            zip(part["start"], part["end"], part["kind"], part["text"], strict=True), reverse=True
        ):
            if not _is_own(kind, found, own):
                text = text[:start] + REDACTED + text[end:]
                count += 1
        out[row] = text
    if record_ids:
        word = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, sorted(record_ids))) + r")(?![\w-])")
        for row, text in enumerate(out):
            if isinstance(text, str):
                out[row], n = word.subn(REDACTED, text)
                count += n
    return out, count


# ----------------------------------------------------------------------------------------------------------
# the answer
# ----------------------------------------------------------------------------------------------------------


def answer_access(
    t: Tables, subject: Subject, policy: Policy, as_of: dt.date, request_id: str | None = None
) -> AccessAnswer:
    """access.html and portability.zip for the one person `subject` found."""
    subject.one_person()
    request = subject.request(request_id, ("access", "portability")) if request_id else None
    language = language_of(subject)
    own = own_terms(subject)
    tables = {
        name: subject.rows[name].copy()
        for name in ANSWER_TABLES
        if name in subject.rows and not subject.rows[name].empty
    }
    redacted = 0
    mentions = _certain_mentions(t, subject)
    own_notes = "activities" in tables and "note" in tables["activities"].columns
    others = other_records(t, subject, (tables["activities"]["note"].tolist() if own_notes else [])
                           + mentions.get("note", pd.Series(dtype=object)).tolist())
    if own_notes:
        notes, redacted = redact(tables["activities"]["note"].tolist(), own, others)
        tables["activities"]["note"] = notes
    if not mentions.empty:
        notes, n = redact(mentions["note"].tolist(), own, others)
        mentions = mentions.assign(note=notes)
        redacted += n
        tables["mentions"] = mentions
    ropa = _ropa(t)
    received = request["received_on"] if request is not None else as_of
    recipients, note = recorded_recipients(t.fetch(t["recipients"]) if "recipients" in t else None, policy)
    page = _page(subject, tables, ropa, policy, recipients, as_of, language, redacted, request_id or "",
                 received)
    return AccessAnswer(
        language=language,
        html=page,
        portability=portability_zip(tables),
        redacted=redacted,
        rows={name: len(df) for name, df in tables.items()},
        notes=(note,) if note else (),
    )


def recorded_recipients(table: pd.DataFrame | None,
                        policy: Policy) -> tuple[tuple[Recipient, ...], str | None]:
    """The recipients and processors to name in an answer (Art. 15(1)(c), 15(2)) or to tell of a change
    (Art. 19), and a note for the person answering (None when there is nothing to say).

    The dataset's recipients table is the one record of them: the audit judges it (processor_without_contract,
    transfer_without_safeguard), so the answer names what the audit checked. The policy's `recipients` are
    read only for a dataset without that table (an export that lacks it), and the note says that no rule
    checked them; where both exist, the policy's are left out (never both: a recipient in both would be
    named twice). A transfer's ground is the recorded safeguard, or the Art. 49 derogation without one.
    """
    if table is None:
        note = ("the dataset has no recipients table: the recipients named are the policy's, which no rule "
                "checks (processor_without_contract, transfer_without_safeguard read the table)"
                if policy.recipients else None)
        return policy.recipients, note
    note = ("the policy's recipients are not used: the dataset's recipients table is the record of them"
            if policy.recipients else None)

    def text(row: dict, column: str) -> str | None:
        value = row.get(column)
        return value.strip() or None if isinstance(value, str) else None

    return tuple(
        Recipient(name=text(row, "name") or str(row.get("recipient_id") or "-"),
                  kind=kind if (kind := text(row, "kind")) in RECIPIENT_KINDS else "recipient",
                  purpose=text(row, "purpose") or "", country=text(row, "country"),
                  safeguard=text(row, "safeguard") or text(row, "derogation"))
        for row in table.to_dict("records")
    ), note


def _certain_mentions(t: Tables, subject: Subject) -> pd.DataFrame:
    """The other records' notes that certainly mention the person (an identifier, or a name one person
    bears), read from the engine."""
    m = subject.mentions
    if m.empty:
        return pd.DataFrame(columns=["activity_id", "contact_id", "occurred_at", "note"])
    ids = sorted(set(m.loc[m["confidence"] >= 1.0, "activity_id"].astype(str)))
    if not ids:
        return pd.DataFrame(columns=["activity_id", "contact_id", "occurred_at", "note"])
    a = t["activities"]
    cols = [c for c in ("activity_id", "occurred_at", "note") if c in a.columns]
    return t.fetch(a.filter(key_in(a["activity_id"], ids)).select(*cols))


def _ropa(t: Tables) -> pd.DataFrame:
    if "record_of_processing" not in t:
        return pd.DataFrame(columns=["field", "category", "purpose", "lawful_basis", "retention"])
    return t.fetch(t["record_of_processing"])


def portability_zip(tables: dict[str, pd.DataFrame]) -> bytes:
    """data.json (every table) and one CSV per table, in a zip (Art. 20(1))."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "data.json",
            json.dumps({name: records(df) for name, df in tables.items()}, indent=2, ensure_ascii=False),
        )
        for name, df in tables.items():
            z.writestr(
                f"{name}.csv",
                csv_text(df.columns, ([_cell(v) for v in row] for row in df.itertuples(index=False))),
            )
    return buf.getvalue()


def _cell(value: object) -> object:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else value


# ----------------------------------------------------------------------------------------------------------
# the page
# ----------------------------------------------------------------------------------------------------------


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _say(tx: dict[str, str], key: str, **values: object) -> str:
    """A sentence with values from the data filled in, escaped."""
    return _e(tx[key].format(**{k: str(v) for k, v in values.items()}))


def _basis(tx: dict[str, str], basis: object) -> str:
    point = re.fullmatch(r"\s*6\s*\(\s*1\s*\)\s*\(\s*([a-f])\s*\)\s*", str(basis or ""))
    return (
        tx[f"basis_6_1_{point.group(1)}"] + f" (Art. 6(1)({point.group(1)}))" if point else str(basis or "")
    )


def held_categories(subject: Subject, tables: dict[str, pd.DataFrame], ropa: pd.DataFrame) -> pd.DataFrame:
    """Per (table, column) holding a value of the person: its category, purpose, basis and retention text
    from the record of processing (the schema's where the record lacks it; empty where neither knows)."""
    declared = ropa.set_index("field").to_dict("index") if not ropa.empty else {}
    rows = []
    for name in ("contacts", "accounts", "staff", "activities"):
        df = tables.get(name)
        if df is None:
            continue
        schema = TABLES.get(name)
        for column in df.columns:
            values = df[column].dropna()
            values = values[values.astype(str).str.strip() != ""]
            entry = declared.get(f"{name}.{column}")
            category = (entry or {}).get("category") or (
                schema.column(column).category if schema and column in schema.column_names else None
            )
            if values.empty or (
                category is None and entry is None and (schema and column in schema.column_names)
            ):
                continue
            rows.append(
                {
                    "table": name,
                    "column": column,
                    "category": category or column,
                    "purpose": (entry or {}).get("purpose"),
                    "lawful_basis": (entry or {}).get("lawful_basis"),
                    "retention": (entry or {}).get("retention"),
                }
            )
    return pd.DataFrame(rows, columns=["table", "column", "category", "purpose", "lawful_basis", "retention"])


def _kept_until(subject: Subject, policy: Policy, as_of: dt.date, tx: dict[str, str]) -> list[str]:
    """Per contact record: until when it is kept (a hold in force, or the retention policy's period after
    the last activity)."""
    out = []
    c = subject.rows.get("contacts")
    for row in [] if c is None else c.to_dict("records"):
        until, ground = row.get("retention_until"), row.get("retention_ground")
        if (
            isinstance(ground, str)
            and ground.strip()
            and until is not None
            and not pd.isna(until)
            and pd.Timestamp(until).date() >= as_of
        ):
            out.append(_say(tx, "kept_hold", date=pd.Timestamp(until).date(), ground=ground))
            continue
        months = policy.retention_months.get(str(row.get("status")))
        last = row.get("last_activity_at")
        if months and last is not None and not pd.isna(last):
            out.append(
                _say(tx, "kept_until", date=(pd.Timestamp(last) + pd.DateOffset(months=months)).date())
            )
    return list(dict.fromkeys(out))


def _page(
    subject: Subject,
    tables: dict[str, pd.DataFrame],
    ropa: pd.DataFrame,
    policy: Policy,
    recipients: tuple[Recipient, ...],
    as_of: dt.date,
    language: str,
    redacted: int,
    request_id: str,
    received: object,
) -> str:
    tx = texts(language)
    controller = policy.controller_name or tx["unknown_controller"]
    day = pd.Timestamp(received).date() if received is not None and not pd.isna(received) else as_of
    body = [f"<p>{_say(tx, 'intro', received=day, request=request_id or '-', redacted=redacted)}</p>"]

    held = held_categories(subject, tables, ropa)
    body.append(f"<h2>{_e(tx['held'])}</h2>")
    body.append(
        f"<table><thead><tr><th scope='col'>{_e(tx['held_table'])}</th><th scope='col'>"
        f"{_e(tx['purpose'])}</th><th scope='col'>{_e(tx['basis'])}</th></tr></thead><tbody>"
    )
    for category, part in held.groupby("category", sort=True):
        label = tx.get(f"category_{category}", str(category).replace("_", " "))
        purposes = sorted({p for p in part["purpose"] if isinstance(p, str) and p}) or [tx["not_declared"]]
        bases = sorted({_basis(tx, b) for b in part["lawful_basis"] if isinstance(b, str) and b}) or ["-"]
        body.append(
            f"<tr><td>{_e(label)}</td><td>{_e('; '.join(purposes))}</td><td>{_e('; '.join(bases))}</td></tr>"
        )
    body.append("</tbody></table>")

    body.append(f"<h2>{_e(tx['retention'])}</h2>")
    kept = _kept_until(subject, policy, as_of, tx)
    retention_texts = sorted({r for r in held["retention"] if isinstance(r, str) and r})
    body.append(
        "<ul>"
        + "".join(f"<li>{k}</li>" for k in kept)
        + "".join(f"<li>{_e(r)}</li>" for r in retention_texts)
        + "</ul>"
    )

    body.append(f"<h2>{_e(tx['recipients'])}</h2>")
    if recipients:
        items = []
        for r in recipients:
            text = f"{_e(r.name)}: {_e(tx[r.kind])}" + (f" ({_e(r.purpose)})" if r.purpose else "")
            if r.country and r.country.upper() not in transfer_lists().eea:
                text += "; " + _say(tx, "transfer", country=r.country, safeguard=r.safeguard or "-")
            items.append(f"<li>{text}</li>")
        body.append("<ul>" + "".join(items) + "</ul>")
    else:
        body.append(f"<p>{_e(tx['no_recipients'])}</p>")

    body.append(f"<h2>{_e(tx['source'])}</h2>")
    consents = tables.get("consents")
    channels = (
        sorted({s for s in consents["source"] if isinstance(s, str)})
        if consents is not None and "source" in consents.columns
        else []
    )
    body.append(
        f"<p>{_say(tx, 'source_self', channels=', '.join(c.replace('_', ' ') for c in channels))}</p>"
        if channels
        else f"<p>{_e(tx['source_none'])}</p>"
    )

    body.append(f"<h2>{_e(tx['rights'])}</h2><ul>")
    for key in (
        "right_rectification",
        "right_erasure",
        "right_restriction",
        "right_portability",
        "right_objection",
        "right_withdraw",
        "complaint",
    ):
        body.append(f"<li>{_e(tx[key])}</li>")
    body.append("</ul>")
    body.append(f"<h2>{_e(tx['automated'])}</h2>")
    body.append(f"<p>{_e(policy.automated_decisions or tx['automated_none'])}</p>")

    body.append(f"<h2>{_e(tx['your_data'])}</h2>")
    for name, df in tables.items():
        body.append(_data_table(tx, name, df))
    footer = _say(tx, "contact", contact=policy.controller_contact) if policy.controller_contact else ""
    template = Template(files("gdprlab.subjects").joinpath("templates/access.html").read_text("utf-8"))
    return template.substitute(
        lang=_e(language), title=_say(tx, "title", controller=controller), body="\n".join(body), footer=footer
    )


def _data_table(tx: dict[str, str], name: str, df: pd.DataFrame) -> str:
    """One table of the person's data, every value escaped; encrypted values said to be so."""
    shown = df.dropna(axis=1, how="all")
    head = "".join(f"<th scope='col'>{_e(c)}</th>" for c in shown.columns)
    rows = []
    for row in shown.itertuples(index=False):
        cells = []
        for v in row:
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                cells.append("<td></td>")
            elif isinstance(v, str) and v.startswith(PREFIX):
                cells.append(f"<td>{_e(tx['encrypted'])}</td>")
            else:
                cells.append(f"<td>{_e(v)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    caption = _say(tx, "records", table=name, count=len(df))
    return (f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def write_access(answer: AccessAnswer, out: str | Path) -> list[Path]:
    """access.html and portability.zip in `out`, owner-only."""
    out = Path(out)
    page = write_atomic(out / "access.html", answer.html, mode=0o600)
    archive = write_atomic(out / "portability.zip", answer.portability, mode=0o600)
    return [page, archive]
