"""Find one person in a dataset: every row of theirs in every table, and the notes of other records that
mention them.

The person is named by what the request gives: an e-mail address, a phone number, a name (with a date of
birth to tell namesakes apart), a record id (contact or staff) or a national id. The engine (DuckDB over
the dataset files, or any backend the tables are on) filters each table for the person's keys and fetches
those rows only; the notes of everybody else are searched there too, and only the matching notes fetched.

Who is the same person:

* contacts matched by the given identifier, and the contacts with the same name and date of birth as one of
  them (a re-registration under another address: the generator, like a CRM's duplicate check, never gives
  two people the same name and date of birth);
* a name alone matches every contact of that name; contacts of different dates of birth are different
  people, and then the answer is ambiguous (`Subject.people` > 1): access and erasure refuse it and ask for
  the date of birth or the record id;
* staff records with one of the person's e-mail addresses or the staff id given (a member of staff who is
  also a customer, often registered with the work address); a staff record of the same name only is listed
  as possible (`possible_staff`), never taken into an answer;
* accounts the person's contacts belong to whose company name contains the person's full name: a sole
  trader, whose trading name is their personal data (Art. 4(1));
* consents, activities and requests of the person's contacts, training records of their staff records.

Mentions in other records' notes are found by e-mail address, phone number (digits, however written),
record id and full name. A name is as good as its uniqueness: the stated confidence of a name mention is
1 / the number of people (contacts of different name-and-birth-date, and staff) who bear that name.

Nothing here prints: `summary_lines` gives the masked view for a terminal, `extract` the full rows for a
file that `write_extract` writes owner-only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from gdprlab.audit.engine import open_tables
from gdprlab.audit.mask import mask_date_of_birth, mask_email, mask_name, mask_national_id, mask_phone
from gdprlab.audit.rules.base import Tables, key_in
from gdprlab.crm.backends import connect
from gdprlab.crm.files import write_atomic
from gdprlab.crm.io import DatasetInputs, resolve_inputs

#: tables whose rows belong to a contact through contact_id
CONTACT_TABLES = ("consents", "activities", "requests")
_SEPARATORS = r"[\s\-./()]*"


class SubjectError(ValueError):
    """A request that cannot be answered as asked; the message never quotes the person's data."""


@dataclass(frozen=True)
class Query:
    """What the request identifies the person by (at least one of them)."""

    email: str | None = None
    phone: str | None = None
    name: str | None = None
    birth_date: dt.date | None = None
    id: str | None = None
    national_id: str | None = None

    def __post_init__(self) -> None:
        if not any((self.email, self.phone, self.name, self.id, self.national_id)):
            raise SubjectError("name the person: --email, --phone, --name, --id or --national-id")

    def described(self) -> str:
        """The query, masked."""
        parts = [
            ("e-mail", mask_email(self.email)),
            ("phone", mask_phone(self.phone)),
            ("name", mask_name(self.name)),
            ("born", mask_date_of_birth(self.birth_date)),
            ("id", self.id),
            ("national id", mask_national_id(self.national_id)),
        ]
        return ", ".join(f"{label} {value}" for label, value in parts if value)


@dataclass
class Subject:
    """One person's rows (table -> DataFrame), the notes of others that mention them, and how each was
    found."""

    query: Query
    rows: dict[str, pd.DataFrame]
    mentions: (
        pd.DataFrame
    )  # activity_id, contact_id (whose record), matched (email/phone/id/name), confidence
    people: int  # distinct people the query matched (above 1: namesakes, an ambiguous request)
    found_by: dict[str, str] = field(default_factory=dict)  # record id -> how it was linked to the person
    possible_staff: list[str] = field(default_factory=list)  # staff ids of the same name only
    notes: list[str] = field(default_factory=list)  # what could not be searched

    @property
    def contact_ids(self) -> list[str]:
        return _ids(self.rows.get("contacts"), "contact_id")

    @property
    def staff_ids(self) -> list[str]:
        return _ids(self.rows.get("staff"), "staff_id")

    @property
    def found(self) -> bool:
        return bool(self.contact_ids or self.staff_ids)

    def full_names(self) -> list[str]:
        names = []
        c = self.rows.get("contacts")
        if c is not None:
            names += [
                f"{f} {la}"
                for f, la in zip(c["first_name"], c["last_name"], strict=True)
                if isinstance(f, str) and isinstance(la, str)
            ]
        s = self.rows.get("staff")
        if s is not None:
            names += [n for n in s["name"] if isinstance(n, str)]
        return list(dict.fromkeys(n.strip() for n in names if n.strip()))

    def emails(self) -> list[str]:
        return _values(self.rows, ("contacts", "email"), ("staff", "email"))

    def phones(self) -> list[str]:
        return _values(self.rows, ("contacts", "phone"))

    def request(self, request_id: str, types: tuple[str, ...]) -> dict:
        """The person's request `request_id`, checked to be theirs and of one of `types`."""
        r = self.rows.get("requests")
        match = r[r["request_id"].astype(str) == str(request_id)] if r is not None else pd.DataFrame()
        if match.empty:
            raise SubjectError(f"request {request_id} is not one of this person's requests")
        row = match.iloc[0].to_dict()
        if row.get("type") not in types:
            raise SubjectError(f"request {request_id} is of type {row.get('type')}, not {' or '.join(types)}")
        return row

    def one_person(self) -> None:
        """Raise unless the query found exactly one person (what an answer or an erasure needs)."""
        if not self.found:
            raise SubjectError(f"no record matches ({self.query.described()})")
        if self.people > 1:
            raise SubjectError(
                f"{self.people} different people match ({self.query.described()}); add "
                "--birth-date or name one record with --id"
            )


def _ids(df: pd.DataFrame | None, key: str) -> list[str]:
    return [] if df is None or df.empty else list(dict.fromkeys(df[key].astype(str)))


def _values(rows: dict[str, pd.DataFrame], *where: tuple[str, str]) -> list[str]:
    out = []
    for table, column in where:
        df = rows.get(table)
        if df is not None and column in df.columns:
            out += [v.strip() for v in df[column] if isinstance(v, str) and v.strip()]
    return list(dict.fromkeys(out))


# ----------------------------------------------------------------------------------------------------------
# opening a dataset
# ----------------------------------------------------------------------------------------------------------


@contextmanager
def open_dataset(
    dataset: str | Path,
    engine: str = "duckdb",
    *,
    as_of: dt.date | None = None,
    policy: str | None = None,
    mapping: str | None = None,
) -> Iterator[tuple[Tables, DatasetInputs]]:
    """The dataset's tables on the engine, as `gdprlab check` opens them: a generated dataset's files read
    by the engine itself, any other export through gdprlab's export reader; and its as-of date and policy."""
    from gdprlab.crm.exports import load_export
    from gdprlab.crm.staging import stage_dataset

    given = resolve_inputs(dataset, as_of, policy, mapping)
    backend = connect(engine)
    try:
        folder = Path(dataset)
        if folder.is_dir() and (folder / "manifest.json").is_file() and given.mapping is None:
            tables: Any = stage_dataset(folder, backend)
        else:
            tables, _ = load_export(dataset, given.mapping)
        t, _ = open_tables(tables, backend)
        yield searchable(t), given
    finally:
        backend.disconnect()


#: the tables a find reads, kept in the engine once read
SEARCHED = ("contacts", "consents", "activities", "requests", "accounts", "staff", "training")


def searchable(t: Tables) -> Tables:
    """`t` with the tables a find reads kept in the engine (read from the files once: every later find
    filters them where they are), and the search tables (`_keys`, `_notes`) made on the first find."""
    return Tables(
        {name: t.materialise(t[name], f"subject_{name}") if name in SEARCHED else t[name] for name in t},
        t.backend,
    )


def _column(table: ir.Table, name: str) -> ir.StringValue:
    return table[name].cast("string") if name in table.columns else ibis.null("string")


def _keys(t: Tables) -> ir.Table:
    """Each contact's keys as compared: e-mail in lower case, phone digits, folded name, date of birth."""

    def build() -> ir.Table:
        c = t["contacts"]
        return c.select(
            contact_id=c["contact_id"].cast("string"),
            email=_text_lower(_column(c, "email")),
            phone=_column(c, "phone").re_replace(_NOT_DIGITS, "").re_replace(r"^00", ""),
            name=_fold_expr(_column(c, "first_name")).concat(" ", _fold_expr(_column(c, "last_name"))),
            birth_date=c["birth_date"].cast("date") if "birth_date" in c.columns else ibis.null("date"),
        )

    return t.shared("subject_keys", build)


def _notes(t: Tables) -> ir.Table:
    """The notes (not blank) with their text in lower case and their digits alone, searched for mentions."""

    def build() -> ir.Table:
        a = t["activities"]
        note = a["note"].cast("string")
        return a.filter(note.notnull() & (note.strip().length() > 0)).select(
            activity_id=a["activity_id"].cast("string"),
            contact_id=a["contact_id"].cast("string"),
            note=note,
            lower=note.lower(),
            digits=note.re_replace(_NOT_DIGITS, ""),
        )

    return t.shared("subject_notes", build)


def _contacts_where(
    t: Tables, keys: ir.BooleanValue | None, extra: ir.BooleanValue | None = None, exclude: list[str] = ()
) -> pd.DataFrame:
    """The contacts rows whose keys (`_keys`) match `keys` and whose own columns `extra`."""
    c = t["contacts"]
    where = ibis.literal(True) if extra is None else extra.fill_null(False)
    if keys is not None:  # the few ids first, then their rows by key: the engine reads only those rows
        k = _keys(t)
        ids = t.fetch(k.filter(keys.fill_null(False)).select("contact_id"))["contact_id"]
        where = where & key_in(c["contact_id"], sorted(set(map(str, ids))))
    if exclude:
        where = where & ~key_in(c["contact_id"], exclude)
    return t.fetch(c.filter(where))


# ----------------------------------------------------------------------------------------------------------
# matching
# ----------------------------------------------------------------------------------------------------------


def _strip_accent(ch: str) -> str:
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return base if len(base) == 1 else ch


#: lower-case Latin letters with accents (U+00E0-U+017F) and the letter without them: the same table in
#: Python (fold) and in the engine (_fold_expr), so a name compares alike on both sides
_ACCENTED = "".join(ch for ch in map(chr, range(0xE0, 0x180)) if ch.islower() and _strip_accent(ch) != ch)
_PLAIN = "".join(_strip_accent(ch) for ch in _ACCENTED)


def fold(text: str) -> str:
    """A name as compared: lower case, single spaces, Latin letters without accents."""
    return " ".join(str(text).split()).lower().translate(str.maketrans(_ACCENTED, _PLAIN))


def digits(phone: str) -> str:
    """A phone number's digits, international prefix 00 written as the country code."""
    out = re.sub(r"\D", "", str(phone))
    return out[2:] if out.startswith("00") else out


def _phone_match(stored: ir.StringValue, number: str) -> ir.BooleanValue:
    """The stored digits are `number`'s, or end with a national number's (leading 0) after its 0."""
    if number.startswith("0") and len(number) >= 7:
        return stored.endswith(number[1:])
    return stored == number


def _text_lower(column: ir.Value) -> ir.StringValue:
    return column.cast("string").strip().lower()


def _fold_expr(column: ir.Value) -> ir.StringValue:
    """fold() in the engine (spaces inside a name are not collapsed: stored names have single ones).

    translate() costs per character times the characters mapped: only text beyond ASCII is given to it."""
    lowered = column.cast("string").strip().lower()
    return ibis.ifelse(lowered.re_search(_BEYOND_ASCII), lowered.translate(_ACCENTED, _PLAIN), lowered)


#: a run of characters other than digits (removed as one: far fewer replacements than one per character)
_NOT_DIGITS = r"[^0-9]+"
_BEYOND_ASCII = r"[^\x00-\x7f]"


def _person_key(first: object, last: object, birth: object) -> tuple[str, str]:
    day = "" if birth is None or pd.isna(birth) else str(pd.Timestamp(birth).date())
    return fold(f"{first or ''} {last or ''}"), day


def find_subject(t: Tables, query: Query, *, mentions: bool = True) -> Subject:
    """Every row of the person in `t`, and (with `mentions`) the notes of other records naming them."""
    found_by: dict[str, str] = {}
    notes: list[str] = []
    seeds = _seed_contacts(t, query, found_by, notes)
    staff = _staff(t, query, seeds, found_by)
    if not staff.empty and "contacts" in t:  # a member of staff asked: their contacts by the work address
        seeds = _contacts_of_staff(t, staff, seeds, found_by)
    contacts = _with_same_person(t, seeds, found_by)
    people = len(
        {
            _person_key(f, la, b)
            for f, la, b in zip(
                contacts["first_name"], contacts["last_name"], contacts["birth_date"], strict=True
            )
        }
    )
    if contacts.empty and not staff.empty:
        people = 1
    rows: dict[str, pd.DataFrame] = {}
    if "contacts" in t:
        rows["contacts"] = contacts
    ids = _ids(contacts, "contact_id")
    for name in CONTACT_TABLES:
        if name in t and "contact_id" in t[name].columns:
            rows[name] = (
                t.fetch(t[name].filter(key_in(t[name]["contact_id"], ids))) if ids else _empty(t, name)
            )
    if "accounts" in t:
        rows["accounts"] = _sole_traders(t, contacts, found_by)
    if "staff" in t:
        rows["staff"] = staff
    if "training" in t and "staff_id" in t["training"].columns:
        sid = _ids(staff, "staff_id")
        rows["training"] = (
            t.fetch(t["training"].filter(key_in(t["training"]["staff_id"], sid)))
            if sid
            else _empty(t, "training")
        )
    subject = Subject(
        query,
        rows,
        pd.DataFrame(columns=["activity_id", "contact_id", "matched", "confidence"]),
        people,
        found_by,
        notes=notes,
    )
    subject.possible_staff = _namesake_staff(t, subject)
    if mentions and subject.found and "activities" in t:
        subject.mentions = find_mentions(t, subject)
    return subject


def _empty(t: Tables, name: str) -> pd.DataFrame:
    return t.fetch(t[name].limit(0))


def _seed_contacts(t: Tables, q: Query, found_by: dict[str, str], notes: list[str]) -> pd.DataFrame:
    """Contacts matched by the query's identifiers."""
    if "contacts" not in t:
        return pd.DataFrame(columns=["contact_id", "first_name", "last_name", "birth_date"])
    c, k = t["contacts"], _keys(t)
    tests: list[tuple[str, ir.BooleanValue]] = []
    if q.email:
        tests.append(("e-mail", k["email"] == q.email.strip().lower()))
    if q.phone:
        tests.append(("phone", _phone_match(k["phone"], digits(q.phone))))
    if q.id:
        tests.append(("record id", k["contact_id"] == q.id.strip()))
    if q.name:
        named = k["name"] == fold(q.name)
        if q.birth_date is not None:
            named = named & (k["birth_date"] == ibis.date(q.birth_date))
        tests.append(("name" + (" and date of birth" if q.birth_date else ""), named))
    national = None
    if q.national_id and "national_id" in c.columns:
        wanted = re.sub(r"[\s\-./]", "", q.national_id).upper()
        national = c["national_id"].cast("string").re_replace(r"[\s\-./]", "").upper() == wanted
        tokens = t.fetch(c.filter(c["national_id"].cast("string").startswith("enc:")).count())
        if tokens:
            notes.append(
                f"{tokens} encrypted national id(s) could not be compared (decrypt them where the "
                "key is kept, or search by another identifier)"
            )
    if not tests and national is None:
        return t.fetch(c.limit(0))
    where = None
    for _, test in tests:  # every identifier given must match
        where = test.fill_null(False) if where is None else where & test.fill_null(False)
    df = _contacts_where(t, where, national)
    basis = " and ".join([label for label, _ in tests] + (["national id"] if national is not None else []))
    for cid in df["contact_id"].astype(str):
        found_by[cid] = basis
    return df


def _with_same_person(t: Tables, seeds: pd.DataFrame, found_by: dict[str, str]) -> pd.DataFrame:
    """The seeds and the contacts of the same name and date of birth as one of them."""
    keys = [
        (f, la, b)
        for f, la, b in zip(seeds["first_name"], seeds["last_name"], seeds["birth_date"], strict=True)
        if isinstance(f, str) and isinstance(la, str) and b is not None and not pd.isna(b)
    ]
    if not keys:
        return seeds
    k = _keys(t)
    where = ibis.literal(False)
    for first, last, birth in dict.fromkeys(keys):
        where = where | (
            (k["name"] == fold(f"{first} {last}"))
            & (k["birth_date"] == ibis.date(pd.Timestamp(birth).date()))
        )
    more = _contacts_where(t, where, exclude=_ids(seeds, "contact_id"))
    for cid in more["contact_id"].astype(str):
        found_by[cid] = "same name and date of birth"
    return pd.concat([seeds, more], ignore_index=True) if not more.empty else seeds


def _staff(t: Tables, q: Query, seeds: pd.DataFrame, found_by: dict[str, str]) -> pd.DataFrame:
    """Staff records with one of the person's e-mail addresses, or the staff id asked for."""
    if "staff" not in t:
        return pd.DataFrame(columns=["staff_id", "name", "email"])
    s = t["staff"]
    addresses = {a.lower() for a in _values({"contacts": seeds}, ("contacts", "email"))}
    if q.email:
        addresses.add(q.email.strip().lower())
    where = ibis.literal(False)
    if addresses and "email" in s.columns:
        where = where | _text_lower(s["email"]).isin(sorted(addresses))
    if q.id:
        where = where | (s["staff_id"].cast("string") == q.id.strip())
    df = t.fetch(s.filter(where.fill_null(False)))
    for sid in df["staff_id"].astype(str):
        found_by[sid] = "record id" if q.id and sid == q.id.strip() else "e-mail"
    return df


def _contacts_of_staff(
    t: Tables, staff: pd.DataFrame, seeds: pd.DataFrame, found_by: dict[str, str]
) -> pd.DataFrame:
    addresses = sorted({a.lower() for a in _values({"staff": staff}, ("staff", "email"))})
    if not addresses:
        return seeds
    more = _contacts_where(t, _keys(t)["email"].isin(addresses), exclude=_ids(seeds, "contact_id"))
    for cid in more["contact_id"].astype(str):
        found_by[cid] = "e-mail of the staff record"
    return pd.concat([seeds, more], ignore_index=True) if not more.empty else seeds


def _namesake_staff(t: Tables, subject: Subject) -> list[str]:
    if "staff" not in t or "name" not in t["staff"].columns:
        return []
    names = [fold(n) for n in subject.full_names()]
    if not names:
        return []
    s = t["staff"]
    df = t.fetch(s.filter(_fold_expr(s["name"]).isin(names)).select("staff_id"))
    return [i for i in df["staff_id"].astype(str) if i not in subject.staff_ids]


def _sole_traders(t: Tables, contacts: pd.DataFrame, found_by: dict[str, str]) -> pd.DataFrame:
    """The accounts of the person's contacts whose company name contains the person's full name."""
    a = t["accounts"]
    linked = [x for x in contacts.get("account_id", pd.Series(dtype=object)).dropna().astype(str)]
    if not linked:
        return _empty(t, "accounts")
    df = t.fetch(a.filter(key_in(a["account_id"], linked)))
    names = [
        fold(f"{f} {la}")
        for f, la in zip(contacts["first_name"], contacts["last_name"], strict=True)
        if isinstance(f, str) and isinstance(la, str)
    ]
    own = df["name"].map(lambda n: isinstance(n, str) and any(x in fold(n) for x in names))
    for aid in df.loc[own, "account_id"].astype(str):
        found_by[aid] = "company name is the person's name (sole trader)"
    return df[own].reset_index(drop=True)


# ----------------------------------------------------------------------------------------------------------
# mentions in other records' notes
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    kind: str  # email, phone, id, name
    text: str  # what the note is searched for (lower case; digits for a phone)

    def pattern(self) -> str:
        """A regular expression (RE2 and Python alike) matching the term in a note, case-insensitive."""
        if self.kind == "phone":
            national = self.text[-9:]
            return "(?i)" + _SEPARATORS.join(re.escape(d) for d in national)
        body = re.escape(self.text).replace(r"\ ", r"\s+")
        return rf"(?i)(^|[^\w]){body}($|[^\w])"


def search_terms(subject: Subject) -> list[Term]:
    """What the person is recognised by in free text: e-mails, phones (9 last digits), record ids, names."""
    terms = [Term("email", e.lower()) for e in subject.emails()]
    terms += [Term("phone", digits(p)) for p in subject.phones() if len(digits(p)) >= 9]
    terms += [Term("id", i.lower()) for i in subject.contact_ids + subject.staff_ids]
    terms += [Term("name", n.lower()) for n in subject.full_names() if len(n.split()) >= 2]
    return list(dict.fromkeys(terms))


def find_mentions(t: Tables, subject: Subject) -> pd.DataFrame:
    """Notes of other contacts' activities that mention the person, one row per note and kind of match, with
    the confidence of the match (1 for an identifier; for a name, 1 / the people who bear it)."""
    terms = search_terms(subject)
    if not terms or "note" not in t["activities"].columns:
        return pd.DataFrame(columns=["activity_id", "contact_id", "matched", "confidence"])
    n = _notes(t)
    any_term = ibis.literal(False)
    for term in terms:  # a substring test finds the candidates; the pattern (below) decides
        any_term = any_term | (
            n["digits"].contains(term.text[-9:]) if term.kind == "phone" else n["lower"].contains(term.text)
        )
    others = ~key_in(n["contact_id"], subject.contact_ids) if subject.contact_ids else ibis.literal(True)
    hits = t.fetch(
        n.filter(others.fill_null(True) & any_term.fill_null(False)).select(
            "activity_id", "contact_id", "note"
        )
    )
    bearers = _name_bearers(t, subject) if any(x.kind == "name" for x in terms) else {}
    rows = []
    for aid, cid, text in zip(hits["activity_id"], hits["contact_id"], hits["note"], strict=True):
        for kind in ("email", "phone", "id", "name"):
            matched = [x for x in terms if x.kind == kind and re.search(x.pattern(), text)]
            if matched:
                confidence = (
                    1.0 if kind != "name" else max(1 / max(bearers.get(x.text, 1), 1) for x in matched)
                )
                rows.append(
                    {
                        "activity_id": aid,
                        "contact_id": cid,
                        "matched": kind,
                        "confidence": round(confidence, 3),
                    }
                )
    return pd.DataFrame(rows, columns=["activity_id", "contact_id", "matched", "confidence"])


def _name_bearers(t: Tables, subject: Subject) -> dict[str, int]:
    """Per full name of the person (lower case): how many people bear it (contacts of distinct date of
    birth, and staff records not linked to the person, who may or may not be the same)."""
    names = {n.lower(): fold(n) for n in subject.full_names()}
    out = {}
    for lower, folded in names.items():
        people = 0
        if "contacts" in t:
            k = _keys(t)
            named = k.filter(k["name"] == folded)
            people += int(
                t.fetch(
                    named.select(day=named["birth_date"].cast("string").fill_null("?")).distinct().count()
                )
            )
        if "staff" in t:
            s = t["staff"]
            others = s.filter((_fold_expr(s["name"]) == folded) & ~key_in(s["staff_id"], subject.staff_ids))
            people += int(t.fetch(others.count()))
        out[lower] = max(people, 1)
    return out


# ----------------------------------------------------------------------------------------------------------
# output
# ----------------------------------------------------------------------------------------------------------


def summary_lines(subject: Subject) -> list[str]:
    """What a terminal shows: counts, record ids and how each was found, personal values masked."""
    lines = [f"searched for: {subject.query.described()}"]
    if not subject.found:
        return lines + ["no record found"] + [f"note: {n}" for n in subject.notes]
    if subject.people > 1:
        lines.append(f"AMBIGUOUS: {subject.people} different people match; add --birth-date or use --id")
    for name, df in subject.rows.items():
        if df is None or df.empty:
            continue
        key = df.columns[0]
        lines.append(f"{name}: {len(df)} row(s)")
        if name in ("contacts", "staff", "accounts"):
            for row in df.to_dict("records"):
                lines.append(
                    f"  {row[key]}  {_masked_row(name, row)}  ({subject.found_by.get(str(row[key]), '')})"
                )
    if not subject.mentions.empty:
        m = subject.mentions
        lines.append(f"mentions in other records' notes: {m['activity_id'].nunique()} note(s)")
        for kind, part in m.groupby("matched", sort=True):
            conf = f", confidence {part['confidence'].min():.2f}" if kind == "name" else ""
            lines.append(
                f"  by {kind}: {len(part)} ({', '.join(part['activity_id'].astype(str)[:10])}"
                f"{' …' if len(part) > 10 else ''}){conf}"
            )
    if subject.possible_staff:
        lines.append(
            f"staff of the same name, not linked by an identifier (check by hand): "
            f"{', '.join(subject.possible_staff)}"
        )
    lines += [f"note: {n}" for n in subject.notes]
    return lines


def _masked_row(table: str, row: dict) -> str:
    if table == "contacts":
        return " ".join(
            str(x)
            for x in (
                mask_name(f"{row.get('first_name') or ''} {row.get('last_name') or ''}".strip() or None),
                mask_email(row.get("email")),
                mask_date_of_birth(row.get("birth_date")),
                row.get("status"),
            )
            if x
        )
    if table == "staff":
        return " ".join(
            str(x) for x in (mask_name(row.get("name")), mask_email(row.get("email")), row.get("role")) if x
        )
    return str(mask_name(row.get("name")) or "")


def extract(subject: Subject) -> dict[str, Any]:
    """Everything found, unmasked: for the file, never for a terminal."""
    return {
        "query": subject.query.described(),
        "people": subject.people,
        "found_by": subject.found_by,
        "tables": {name: records(df) for name, df in subject.rows.items() if df is not None},
        "mentions": records(subject.mentions),
        "possible_staff": subject.possible_staff,
        "notes": subject.notes,
    }


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts: dates ISO 8601, missing values null."""
    out = []
    for row in df.to_dict("records"):
        out.append({k: _json_value(v) for k, v in row.items()})
    return out


def _json_value(value: Any) -> Any:
    if value is None or (not isinstance(value, (list, dict, str)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return pd.Timestamp(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def write_extract(subject: Subject, path: str | Path) -> Path:
    """The full extract as JSON, owner-only (0600)."""
    return write_atomic(path, json.dumps(extract(subject), indent=2, ensure_ascii=False) + "\n", mode=0o600)


def rows_of(subject: Subject, tables: Iterable[str]) -> dict[str, pd.DataFrame]:
    return {name: subject.rows[name] for name in tables if name in subject.rows}
