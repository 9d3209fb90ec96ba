"""Minimisation: every field has a purpose, contacts are not kept past retention, details are accurate
(Art. 5(1)(b)-(e))."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import re
from collections.abc import Iterable

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from gdprlab.audit.evidence import Evidence
from gdprlab.audit.rules.base import (
    WHITESPACE,
    Tables,
    add_months,
    as_date,
    blank_values,
    casefold,
    char_class,
    filled,
    hashed,
    held,
    is_in,
    key_in,
    names,
    per_value,
    reads,
    record_ids,
    ropa_contacts,
    rule,
)
from gdprlab.audit.validate import (
    INTERNATIONAL_FORM,
    PHONE_REGIONS,
    phone_assessable,
    valid_email,
    valid_phone,
)
from gdprlab.regulation.policy import Policy

DUPLICATE_KEY = ("first_name", "last_name", "birth_date", "created_at")
_PART = char_class("@." + WHITESPACE, negated=True)  # a character of an address part: not @, . or space
#: a syntactically plausible address, as gdprlab.audit.validate.valid_email judges it, in a pattern RE2 and
#: Java read alike: one @, a local part of non-space characters without '..', a domain of dot-separated
#: labels ending in a 2+ letter ASCII top-level domain
EMAIL_PATTERN = rf"\A(?:\.|(?:\.?{_PART})+\.?)@(?:{_PART}+\.)+[A-Za-z]{{2,}}\z"
#: rows of contact phone numbers judged in Python at a time (bounds the memory of a large table)
PHONE_BATCH = 500_000


def _listed_contact_columns(t: Tables) -> int:
    return len(set(ropa_contacts(t)["column_name"].dropna()) & set(t.columns("contacts")))


@rule("field_without_purpose",
      population=("contact columns in the record of processing", _listed_contact_columns),
      requires=("record_of_processing",))
def field_without_purpose(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Contact columns listed in the record of processing with an empty purpose."""
    ropa = ropa_contacts(t)
    listed = ropa.loc[blank_values(ropa["purpose"]), "column_name"].dropna()
    return names(c for c in listed if c in t.columns("contacts"))


def live(c: ir.Table) -> ir.BooleanValue:
    """Not erased; every contact when the export has no status."""
    return ~is_in(c["status"], ["erased"]) if "status" in c.columns else ibis.literal(True)


def _not_erased(t: Tables) -> ir.Scalar:
    c = t["contacts"]
    return c.filter(live(c)).count()


#: activity types the contact takes part in or starts; marketing sends and notes filed by staff are not
INTERACTIONS = ("call", "meeting", "email", "purchase", "form_submission")


def last_interactions(t: Tables, contacts: list[str] | None = None) -> ir.Table:
    """Per contact (contact_id), the moment of its latest interaction (_last): one group-by; of the
    `contacts` ids only, when given (the engine does not push a filter of the contacts through it)."""
    a = t["activities"]
    rows = a.filter(is_in(a["type"], INTERACTIONS) & a["contact_id"].notnull())
    if contacts is not None:
        rows = rows.filter(key_in(rows["contact_id"], contacts))
    return rows.group_by(_cid=rows["contact_id"]).aggregate(_last=rows["occurred_at"].max())


def retention_start(t: Tables, c: ir.Table, contacts: list[str] | None = None) -> ir.Table:
    """`c` with `_since`, the day its retention period runs from: the later of its last interaction (its
    creation without one, last_activity_at without either) and the end of its contract (contract_ended_on,
    where recorded). Without the activities table, last_activity_at (its creation without one). `contacts`:
    the ids `c` is restricted to, if it is (their activities alone are then read)."""
    order = ["last_activity_at", "created_at"]
    if "activities" in t:
        last = last_interactions(t, contacts)
        c = c.left_join(last, c["contact_id"] == last["_cid"]).drop("_cid")
        order = ["_last", "created_at", "last_activity_at"]
    days = [as_date(c[name]) for name in order if name in c.columns]
    if "last_activity_at" not in c.columns and "activities" not in t:
        raise KeyError("last_activity_at")
    since = ibis.coalesce(*days) if len(days) > 1 else days[0]
    if "contract_ended_on" in c.columns:
        end = as_date(c["contract_ended_on"])
        since = ibis.coalesce(ibis.ifelse(end > since, end, since), since, end)
    return c.mutate(_since=since)


@reads()
def _counted_from(t: Tables, rows: pd.DataFrame) -> dict[str, Evidence]:
    """Per contact shown, the day its retention ran from and what that day is."""
    c = t["contacts"]
    wanted = [str(i) for i in rows.index]
    shown = retention_start(t, c.filter(key_in(c["contact_id"], wanted)), wanted)
    kinds = {"_last": "last interaction", "contract_ended_on": "end of contract", "created_at": "creation",
             "last_activity_at": "last activity"}
    got = t.fetch(shown.select("contact_id", "_since", *(k for k in kinds if k in shown.columns)))
    out: dict[str, Evidence] = {}
    for row in got.assign(contact_id=got["contact_id"].astype(str)).to_dict("records"):
        since = row["_since"]
        if since is None or pd.isna(since):
            continue
        day = pd.Timestamp(since).date()
        what = next((name for k, name in kinds.items() if row.get(k) is not None and not pd.isna(row[k])
                     and pd.Timestamp(row[k]).date() == day), None)
        out[row["contact_id"]] = f"{day.isoformat()} ({what})" if what else day.isoformat()
    return {i: {"counted_from": out.get(str(i))} for i in rows.index}


@rule("retention_exceeded", population=("contacts not erased", _not_erased),
      evidence=("first_name", "last_name", "status", "last_activity_at"),
      optional={"activities": "counted from last_activity_at (any activity, marketing sends included)"},
      optional_columns={"contract_ended_on": "end of contract not recorded",
                        "retention_ground": "Art. 17(3) holds not recognised"},
      extra_evidence=_counted_from)
def retention_exceeded(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Contacts not erased whose status's retention months, counted from the later of their last
    interaction and the end of their contract, ended before as-of, unless an Art. 17(3) hold is in force.

    The last interaction is the latest activity of a type in INTERACTIONS (one group-by of the activities,
    joined to the contacts): a marketing send or a note filed by staff does not keep a contact.
    """
    c = retention_start(t, t["contacts"])
    months = per_value(c["status"], policy.retention_months)
    end = add_months(c["_since"], months)
    return record_ids(c, "contacts", live(c) & (end < ibis.date(as_of)) & ~held(c, as_of))


def valid_email_address(email: ir.StringValue) -> ir.BooleanValue:
    return email.re_search(EMAIL_PATTERN).fill_null(False)


def _country(c: ir.Table) -> ir.StringValue:
    return c["country"].cast("string") if "country" in c.columns else ibis.null().cast("string")


#: the regions phonenumbers knows, one text: ";AC;AD;…;ZW;"
_REGIONS = ";" + ";".join(sorted(PHONE_REGIONS)) + ";"


def _known_region(c: ir.Table) -> ir.BooleanValue:
    """Whether the contact's country is a region phonenumbers knows, as is_in() would say it: one search in
    _REGIONS of the country between semicolons, for a country without one (so never a list or a piece of
    codes). Inside the OR of assessable_phone, DuckDB compares the country with each of the 245 regions in
    turn; this search took a third of that time over 1M contacts."""
    country = _country(c)
    return (~country.contains(";") & ibis.literal(_REGIONS).contains(";" + country + ";")).fill_null(False)


def _international(c: ir.Table) -> ir.BooleanValue:
    return c["phone"].re_search(INTERNATIONAL_FORM).fill_null(False)


def assessable_phone(c: ir.Table) -> ir.BooleanValue:
    """A filled phone number that can be judged: in international form, or with a country the phonenumbers
    library knows (gdprlab.audit.validate.phone_assessable, in the engine). The country is looked up first:
    the regular expression then runs on the few numbers without a known one."""
    return filled(c["phone"]) & (_known_region(c) | _international(c))


def invalid_phones(t: Tables) -> ir.Table:
    """(phone, country) of the contacts' assessable phone numbers the phonenumbers library rejects, once per
    run, each pair once.

    The library runs in Python (gdprlab.audit.validate.valid_phone, vectorised), on the filled numbers
    streamed from the engine in batches, judged in threads (Tables.map_batches); only the rejected ones go
    back as a small table. The numbers are not made distinct by the engine first: they nearly all are (at
    5M generated contacts, grouping them cost more than judging the few repeated ones twice), and
    valid_phone judges a repeated number in national form once. Numbers in national form without a known
    country are not assessable and never sent (see _unassessed_phones).
    """
    def build() -> ir.Table:
        c = t["contacts"]
        pairs = c.filter(assessable_phone(c)).select(phone=c["phone"], country=_country(c))
        bad = [found for found in t.map_batches(pairs, PHONE_BATCH, _rejected) if len(found)]
        bad = (pd.concat(bad, ignore_index=True).drop_duplicates(ignore_index=True) if bad
               else pd.DataFrame({"phone": [], "country": []}))
        return ibis.memtable(bad.astype(object), schema={"phone": "string", "country": "string"})
    return t.shared("invalid_phones", build, users=("inaccurate_data",))


def _rejected(batch: pa.RecordBatch) -> pd.DataFrame:
    """The (phone, country) pairs of a batch that the phone library rejects, each once."""
    df = batch.to_pandas()
    return df[~valid_phone(df["phone"], df["country"])].drop_duplicates()


#: what two contacts with the same names and birth date must also share to be one person: one of these
#: identifiers, every column of it filled and equal (SAME_PERSON_FORM says how they are compared)
SAME_PERSON = {"e-mail": ("email",), "phone": ("phone",), "national id": ("national_id",),
               "address": ("street", "postal_code")}
_NOT_DIALLED = char_class("0123456789+", negated=True)  # a phone is compared by its digits and '+'


def _same_person_form(t: Tables, column: str, value: ir.StringValue) -> ir.StringValue:
    """An identifier as compared: a phone's digits and '+', a national id as it is, the rest casefolded;
    missing when blank."""
    value = value.cast("string")
    if column == "phone":
        value = value.re_replace(_NOT_DIALLED, "")
    elif column != "national_id":
        value = casefold(t, value)
    return ibis.ifelse(filled(value), value, ibis.null().cast("string"))


def _same_person_form_py(column: str, value: object) -> str | None:
    """_same_person_form for a value read into Python."""
    if value is None or pd.isna(value):
        return None
    text = str(value)
    text = (re.sub(r"[^0-9+]", "", text) if column == "phone" else text if column == "national_id"
            else text.casefold())
    return text if text.strip() else None


def _identifiers(columns: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The identifiers of SAME_PERSON whose columns are all there."""
    return {name: cols for name, cols in SAME_PERSON.items() if set(cols) <= set(columns)}


def with_later_duplicates(t: Tables, c: ir.Table) -> ir.Table:
    """`c` with a column `_later`: created after another contact with the same first name, last name
    (casefolded) and birth date that also has one identifier of SAME_PERSON in common."""
    later = later_duplicates(t)
    if later is None:
        return c.mutate(_later=ibis.literal(False))
    return c.mutate(_later=c["contact_id"].isin(later["_later_id"]).fill_null(False))


#: the casefolded names and the birth date that two contacts must share to be one person (namesakes())
_KEY = ("_k_first", "_k_last", "_k_birth")


def namesakes(t: Tables) -> ir.Table:
    """The contacts that share their first name, last name (casefolded: _k_first, _k_last) and birth date
    (_k_birth) with another, with their creation time and the columns of SAME_PERSON's identifiers, once
    per run: few, and kept to the end of the run (the duplicates' evidence names the earlier twins among
    them without reading every contact again).

    A contact without a name, a birth date or a creation time is none. The (names, birth date) that more
    than one contact has are found by one group-by over a hash of them (engines group the many contacts
    faster than they sort them into windows): a superset, which the windows of later_duplicates narrow by
    the key itself, so a shared hash never makes a duplicate. The names are casefolded once, not once per
    identifier.
    """
    def build() -> ir.Table:
        c = t["contacts"]
        key = dict(zip(_KEY, (casefold(t, c["first_name"]), casefold(t, c["last_name"]), c["birth_date"]),
                       strict=True))
        columns = sorted({col for cols in _identifiers(c.columns).values() for col in cols})
        # a casefolded text is missing only where the text is: the filter reads the raw columns
        complete = c.filter(c["first_name"].notnull() & c["last_name"].notnull() & c["birth_date"].notnull()
                            & c["created_at"].notnull()).select("contact_id", "created_at", *columns, **key)
        complete = complete.mutate(_k_hash=hashed(t, complete, list(key)))
        shared = complete.group_by("_k_hash").aggregate(_n=complete.count())
        shared = shared.filter(shared["_n"] > 1).drop("_n")  # the few (names, birth date) shared
        return complete.semi_join(shared, "_k_hash").drop("_k_hash")
    return t.shared("namesakes", build)


def later_duplicates(t: Tables) -> ir.Table | None:
    """The ids (_later_id) of the contacts that are later duplicates, once per run; None when the contacts
    have no identifier to compare.

    Among the namesakes (few), one pass finds the later ones: created after the earliest contact of the
    same names, birth date and identifier, for any identifier (a window each).
    """
    c = t["contacts"]
    identifiers = _identifiers(c.columns)
    if not identifiers:
        return None

    def build() -> ir.Table:
        columns = sorted({col for cols in identifiers.values() for col in cols})
        kept = namesakes(t)
        rows = kept.mutate(**{f"_i_{col}": _same_person_form(t, col, kept[col]) for col in columns})
        later = []
        for cols in identifiers.values():
            ident = [f"_i_{col}" for col in cols]
            earliest = rows["created_at"].min().over(group_by=[*_KEY, *ident])
            compared = functools.reduce(operator.and_, (rows[name].notnull() for name in ident))
            later.append((compared & (rows["created_at"] > earliest)).fill_null(False))
        # a column, then the filter: Ibis's Spark SQL for a filter on windows names a column out of scope
        marked = rows.mutate(_later=functools.reduce(operator.or_, later))
        hits = marked.filter(marked["_later"])
        return hits.select(_later_id=hits["contact_id"])
    return t.shared("later_duplicates", build, users=("inaccurate_data",))


#: what the evidence of inaccurate_data reads of a contact: its e-mail, phone and country, and what its
#: earlier twins would share with it
_WHY_READS = tuple(dict.fromkeys(["email", "phone", "country", *DUPLICATE_KEY,
                                  *sorted({col for cols in SAME_PERSON.values() for col in cols})]))


@reads(*_WHY_READS)
def _why_inaccurate(t: Tables, rows: pd.DataFrame) -> dict[str, Evidence]:
    rows = rows.reindex(columns=list(_WHY_READS))
    email_ok = valid_email(rows["email"]).to_numpy(dtype=bool) | blank_values(rows["email"]).to_numpy()
    phone_ok = (valid_phone(rows["phone"], rows["country"]) | blank_values(rows["phone"]).to_numpy()
                | ~phone_assessable(rows["phone"], rows["country"]))
    twins = _earlier_twins(t, rows) if _duplicates_judged(t.columns("contacts")) else {}
    out = {}
    for n, i in enumerate(rows.index):
        why = [w for w, bad in (("invalid email", not email_ok[n]), ("invalid phone", not phone_ok[n]),
                                ("duplicate of " + ", ".join(twins.get(i, [])), bool(twins.get(i))))
               if bad]
        out[i] = {"why": "; ".join(why) or None}
    return out


def _duplicates_judged(columns: Iterable[str]) -> bool:
    return set(DUPLICATE_KEY) <= set(columns) and bool(_identifiers(columns))


def _earlier_twins(t: Tables, rows: pd.DataFrame) -> dict[str, list[str]]:
    """Per sampled contact, up to three earlier contacts with its names (any case) and birth date and an
    identifier of SAME_PERSON in common, each named with it ('C12 (phone)'): looked for among the namesakes
    of the run, where both are when they share names and a birth date."""
    identifiers = _identifiers(t.columns("contacts"))
    columns = sorted({col for cols in identifiers.values() for col in cols})
    births = list(rows["birth_date"].dropna().unique())
    if not births:
        return {i: [] for i in rows.index}
    kept = namesakes(t)
    same = t.fetch(kept.filter(kept["_k_birth"].isin(births)))
    # the kept table's moments and the rows' may come typed apart (Spark: naive and UTC): as naive UTC
    same = same.assign(created_at=_naive_utc(same["created_at"]), _k_birth=_naive_utc(same["_k_birth"]))
    same = same.sort_values(["created_at", "contact_id"])
    out = {}
    for i in rows.index:
        if rows.loc[i, list(DUPLICATE_KEY)].isna().any():  # not among the namesakes: no twin
            out[i] = []
            continue
        first, last = str(rows.at[i, "first_name"]).casefold(), str(rows.at[i, "last_name"]).casefold()
        birth, created = _naive_utc(rows.loc[[i], ["birth_date", "created_at"]].iloc[0])
        twins = same[(same["_k_birth"] == birth) & (same["_k_first"] == first) & (same["_k_last"] == last)
                     & (same["created_at"] < created)]
        own = {col: _same_person_form_py(col, rows.at[i, col]) for col in columns}
        found = []
        for twin in twins.to_dict("records"):
            shared = [name for name, cols in identifiers.items()
                      if all(own.get(col) is not None and own.get(col) == _same_person_form_py(col, twin[col])
                             for col in cols)]
            if shared:
                found.append(f"{twin['contact_id']} ({', '.join(shared)})")
        out[i] = found[:3]
    return out


def _naive_utc(values: pd.Series) -> pd.Series:
    """Dates or moments as naive UTC timestamps (those with a time zone converted)."""
    return pd.to_datetime(values, utc=True).dt.tz_localize(None)


def _unassessed_phones(t: Tables) -> list[str]:
    """'N phone numbers not assessable: national form without a known country' (when N > 0)."""
    c = t["contacts"]
    if "phone" not in c.columns:
        return []
    # not assessable_phone, written as its parts negated in the same order, so that the region is asked first
    n = int(t.fetch(c.filter(live(c) & filled(c["phone"]) & ~_known_region(c) & ~_international(c)).count()))
    if not n:
        return []
    return [f"{n:,} phone number{'s' if n > 1 else ''} not assessable: national form without a known "
            "country (neither valid nor inaccurate)"]


@rule("inaccurate_data", population=("contacts not erased", _not_erased),
      evidence=("first_name", "last_name", "birth_date", "email", "phone", "country", "created_at"),
      optional_columns={"email": "e-mail addresses not checked", "phone": "phone numbers not checked",
                        "country": "phones judged in international form only: no country",
                        "status": "erased contacts not told apart",
                        **{col: "duplicates not checked" for col in DUPLICATE_KEY}},
      extra_evidence=_why_inaccurate, caveats=_unassessed_phones)
def inaccurate_data(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Contacts not erased with an invalid e-mail or phone (for their country), or a later duplicate.

    An empty e-mail or phone is absent, not inaccurate. A phone number is judged with the contact's
    country, or without one when it is in international form ('+49 …'); in national form without a known
    country it is not assessable, counted in a caveat, never inaccurate. An export may lack columns: each
    test runs when its columns are there (no status: no contact counts as erased); with none of them, the
    rule is not assessed for want of the e-mail column.
    """
    c = t["contacts"]
    duplicates = _duplicates_judged(c.columns)
    if not duplicates and not {"email", "phone"} & set(c.columns):
        raise KeyError("email")
    bad = ibis.literal(False)
    if "email" in c.columns:
        bad = bad | (filled(c["email"]) & ~valid_email_address(c["email"]))
    if "phone" in c.columns:
        wrong = invalid_phones(t)
        keyed = c.mutate(_country=_country(c).fill_null(""))
        wrong = wrong.mutate(w_phone=wrong["phone"], w_country=wrong["country"].fill_null("")).select(
            "w_phone", "w_country", w_bad=ibis.literal(True))
        c = keyed.left_join(wrong, [keyed["phone"] == wrong["w_phone"],
                                    keyed["_country"] == wrong["w_country"]])
        bad = bad | c["w_bad"].fill_null(False)
    if duplicates:
        c = with_later_duplicates(t, c)
        bad = bad | c["_later"]
    return record_ids(c, "contacts", live(c) & bad)
