"""Encryption: sensitive fields encrypted at rest and not copied into free text, pseudonyms that cannot be
reversed by hashing known values, special-category access limited to roles that need it (Art. 4(5), 25(2),
32)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from gdprlab.audit.discovery.textscan import scan_texts
from gdprlab.audit.evidence import Evidence
from gdprlab.audit.mask import mask_found
from gdprlab.audit.rules.base import (
    WHITESPACE,
    Later,
    Tables,
    char_class,
    count_rows,
    filled,
    is_in,
    key_in,
    key_of,
    lower,
    lowers_like_python,
    names,
    reads,
    record_ids,
    ropa_contacts,
    rule,
    sha1_hex,
)
from gdprlab.audit.rules.notes import IDENTIFIER_SHAPE, candidate_notes
from gdprlab.crm.protect import PREFIX, TOKEN_LENGTH, WEAK_HASHES, weak_pseudonym
from gdprlab.regulation.policy import Policy

_SPACE = char_class(WHITESPACE)
#: leading or trailing whitespace as Python's str.strip removes it (RE2 and Java read the pattern alike)
_ENDS = rf"\A{_SPACE}+|{_SPACE}+\z"


def strip(value: ir.StringValue) -> ir.StringValue:
    """str.strip(): whitespace (Python's notion) removed from both ends.

    Only a text that starts or ends with whitespace is rewritten (one search of its first and of its last
    character in WHITESPACE, as blank() does): nearly none does, and the regular expression costs per
    character (0.41-0.44 s against 0.53-0.61 s for two columns of 1M generated contacts, on DuckDB).
    """
    space = ibis.literal(WHITESPACE)
    padded = space.contains(value.substr(0, 1)) | space.contains(value.right(1))
    return ibis.ifelse(padded, value.re_replace(_ENDS, ""), value)


def columns_to_encrypt(t: Tables) -> list[str]:
    """Contact columns the record of processing marks as requiring encryption, present in the table."""
    ropa = ropa_contacts(t)
    wanted = ropa.loc[(ropa["requires_encryption"] == True).fillna(False), "column_name"]  # noqa: E712
    return [c for c in dict.fromkeys(wanted.dropna()) if c in t.columns("contacts")]


def is_token(value: ir.StringValue) -> ir.BooleanValue:
    """gdprlab.crm.protect.is_token: the token prefix and a token's length in characters."""
    return value.startswith(PREFIX) & (value.length() == TOKEN_LENGTH)


def _with_value_to_encrypt(t: Tables) -> ir.Scalar | int:
    c, cols = t["contacts"], columns_to_encrypt(t)
    if not cols:
        return 0
    held = ibis.literal(False)
    for col in cols:
        held = held | c[col].notnull()
    return c.filter(held).count()


@rule("plaintext_sensitive_field",
      population=("contacts with a value in a column to encrypt", _with_value_to_encrypt),
      evidence=("national_id", "iban", "accessibility_needs"), requires=("record_of_processing",))
def plaintext_sensitive_field(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Contacts with a non-empty, non-token value in a column the record of processing says to encrypt."""
    c = t["contacts"]
    plain = ibis.literal(False)
    for col in columns_to_encrypt(t):
        text = c[col].cast("string")
        plain = plain | (filled(text) & ~is_token(text).fill_null(False))
    return record_ids(c, "contacts", plain)


#: the identifiers the text scanner validates that a note must not hold (gdprlab.audit.discovery.textscan)
PASTED_KINDS = ("iban", "national_id", "card_number")
#: candidate notes validated in Python at a time (bounds the memory of a large table)
NOTE_BATCH = 50_000
#: candidate notes read at most before they are checked, in the background (about 15 MB of generated notes
#: for 100k; 5M generated contacts have 86k candidates)
NOTES_KEPT = 500_000


def pasted_identifiers(notes: pd.Series) -> pd.DataFrame:
    """The identifiers of PASTED_KINDS written in ASCII characters that the text scanner validates in each
    note (its columns row, kind, text: the scanner's)."""
    found = scan_texts(notes, kinds=PASTED_KINDS)
    return found[found["text"].map(str.isascii).astype(bool)]


@reads()
def _pasted_extra(t: Tables, rows: pd.DataFrame) -> dict[str, Evidence]:
    """The kinds of identifier a note holds and each one masked (an IBAN's country and last 4 characters, a
    national id's last 2, a card's last 4 digits): never the note or the number. The notes are read from
    the candidate notes of the run, which hold those of the activities found (and are few)."""
    notes = candidate_notes(t)
    key = key_of("activities")
    got = t.fetch(notes.filter(key_in(notes[key], list(rows.index))).select(key, "note"))
    got = got.assign(**{key: got[key].astype(str)}).drop_duplicates(key).set_index(key)["note"]
    found = pasted_identifiers(pd.Series(list(got.reindex(rows.index)), dtype=object))
    out: dict[str, Evidence] = {}
    for row, record_id in enumerate(rows.index):
        mine = found[found["row"] == row]
        kinds = mine["kind"].astype(str).tolist()
        out[record_id] = {"note_holds": ", ".join(dict.fromkeys(kinds)) or None,
                          "masked": "; ".join(map(mask_found, kinds, mine["text"])) or None}
    return out


@rule("identifier_in_free_text",
      population=("activities with a note", count_rows("activities", lambda a: filled(a["note"]))),
      evidence=("contact_id", "type", "occurred_at"), extra_evidence=_pasted_extra)
def identifier_in_free_text(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table | Later:
    """Activities whose note holds a valid IBAN, national identification number or payment card number.

    The engine picks the notes of an identifier's shape (IDENTIFIER_SHAPE), among the candidate notes of
    the run (gdprlab.audit.rules.notes), which are streamed with their activity's key in batches to the
    scanner; it checks each candidate's checksum, once per distinct text, and the keys of the notes
    holding a valid one are the result, a small table. When the candidates fit in NOTES_KEPT, they are all
    read first and checked in the background while the engine runs the next rules (Tables.later): the
    scanner is Python, which the engine's queries let run (a thread beside the engine's two threads).
    """
    a = candidate_notes(t)
    note, key = a["note"], a[key_of("activities")]
    candidates = a.filter(note.re_search(IDENTIFIER_SHAPE).fill_null(False) & key.notnull())
    batches = t.batches(candidates.select(record_id=key.cast("string"), note=note), NOTE_BATCH)
    read: list[pa.RecordBatch] = []
    for batch in batches:
        read.append(batch)
        if sum(map(len, read)) > NOTES_KEPT:  # too many to keep: checked as they come
            return names(found for part in itertools.chain(read, batches) for found in _holding(part))
    return t.later(lambda: names(found for part in read for found in _holding(part)))


def _holding(batch: pa.RecordBatch) -> list[str]:
    """The record ids of a batch of (record_id, note) whose note holds a pasted identifier."""
    rows = batch.to_pandas()
    codes, texts = pd.factorize(rows["note"])
    found = pasted_identifiers(pd.Series(texts, dtype=object))["row"].unique()
    return rows["record_id"][pd.Series(codes).isin(found).to_numpy()].tolist()


def _digest_of(normalised: ir.StringValue, width: ir.IntegerValue) -> ir.StringValue:
    """The unsalted digest of the normalised e-mail whose hex has `width` characters (MD5 32, SHA-1 40,
    SHA-256 64): one digest per row, of the algorithm a pseudonym of that width could be."""
    return ibis.cases((width == 32, normalised.hexdigest("md5")), (width == 40, sha1_hex(normalised)),
                      (width == 64, normalised.hexdigest("sha256")), else_=None)


def weak_algorithm(email: Any, pseudonym: Any) -> str | None:
    """The weak hash (gdprlab.crm.protect.WEAK_HASHES) whose digest of the e-mail the pseudonym is, if any."""
    if pd.isna(email) or pd.isna(pseudonym):
        return None
    wanted = str(pseudonym).strip().lower()
    return next((a for a in WEAK_HASHES if weak_pseudonym(str(email), a) == wanted), None)


@reads()
def _weak_extra(t: Tables, rows: pd.DataFrame) -> dict[str, Evidence]:
    found = map(weak_algorithm, rows["email"], rows["pseudonym"])
    return {i: {"pseudonym_is": f"{a}(email)" if a else None} for i, a in zip(rows.index, found, strict=True)}


@rule("weak_pseudonymisation",
      population=("contacts with a pseudonym and an e-mail",
                  count_rows("contacts", lambda c: c["pseudonym"].notnull() & c["email"].notnull())),
      evidence=("email", "pseudonym"), extra_evidence=_weak_extra)
def weak_pseudonymisation(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Contacts whose pseudonym is the unsalted MD5, SHA-1 or SHA-256 hex digest of their e-mail
    (gdprlab.crm.protect.weak_pseudonym: the address trimmed and lower-cased), compared with the
    pseudonym trimmed and lower-cased.

    The few addresses that SQL cannot lower-case as Python does (lowers_like_python) are judged in Python.
    A pseudonym can only equal a digest as hex digits, which every engine lower-cases alike and leaves as
    long as they are: the digest's width is read from the trimmed pseudonym, not from it lower-cased (an
    expression the engine computed once for each of the three widths). A capital sigma and a missing
    value, which trimming keeps, are looked for in the columns as they are.
    """
    c = t["contacts"]
    email, stripped = strip(c["email"].cast("string")), strip(c["pseudonym"].cast("string"))
    in_sql = lowers_like_python(c["email"].cast("string"))
    digest = _digest_of(lower(t, email), stripped.length())
    found = record_ids(c, "contacts", in_sql & (stripped.lower() == digest))
    rest = c.filter(~in_sql & c["pseudonym"].notnull())
    rest = t.fetch(rest.select(key_of("contacts"), "email", "pseudonym"))
    rows = zip(rest.iloc[:, 0], rest["email"], rest["pseudonym"], strict=True)
    return found.union(names(str(i) for i, e, p in rows if weak_algorithm(e, p)), distinct=True)


@rule("excessive_access",
      population=("staff with full CRM access",
                  count_rows("staff", lambda s: is_in(s["crm_access"], ["full"]))),
      evidence=("name", "role", "crm_access"))
def excessive_access(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Staff with full CRM access whose role is not among the policy's special-category roles."""
    s = t["staff"]
    allowed = is_in(s["role"], policy.special_category_roles)
    return record_ids(s, "staff", is_in(s["crm_access"], ["full"]) & ~allowed)
