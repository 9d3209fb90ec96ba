"""Minimisation: every field has a purpose, contacts are not kept past retention, details are accurate
(Art. 5(1)(b)-(e))."""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import pandas as pd

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
    is_in,
    names,
    per_value,
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


@rule("retention_exceeded", population=("contacts not erased", _not_erased),
      evidence=("first_name", "last_name", "status", "last_activity_at"))
def retention_exceeded(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Contacts not erased whose last activity plus their status's retention months is before as-of."""
    c = t["contacts"]
    months = per_value(c["status"], policy.retention_months)
    end = add_months(as_date(c["last_activity_at"]), months)
    return record_ids(c, "contacts", live(c) & (end < ibis.date(as_of)))


def valid_email_address(email: ir.StringValue) -> ir.BooleanValue:
    return email.re_search(EMAIL_PATTERN).fill_null(False)


def _country(c: ir.Table) -> ir.StringValue:
    return c["country"].cast("string") if "country" in c.columns else ibis.null().cast("string")


def assessable_phone(c: ir.Table) -> ir.BooleanValue:
    """A filled phone number that can be judged: in international form, or with a country the phonenumbers
    library knows (gdprlab.audit.validate.phone_assessable, in the engine)."""
    return filled(c["phone"]) & (c["phone"].re_search(INTERNATIONAL_FORM).fill_null(False)
                                 | is_in(_country(c), sorted(PHONE_REGIONS)))


def invalid_phones(t: Tables) -> ir.Table:
    """(phone, country) of the contacts' assessable phone numbers the phonenumbers library rejects, once per
    run.

    The library runs in Python (gdprlab.audit.validate.valid_phone, vectorised), on the distinct filled
    numbers streamed from the engine in batches; only the rejected ones go back as a small table. Numbers
    in national form without a known country are not assessable and never sent (see _unassessed_phones).
    """
    def build() -> ir.Table:
        c = t["contacts"]
        pairs = c.filter(assessable_phone(c)).select(phone=c["phone"], country=_country(c)).distinct()
        bad = []
        for batch in t.batches(pairs, PHONE_BATCH):
            df = batch.to_pandas()
            bad.append(df[~valid_phone(df["phone"], df["country"])])
        bad = pd.concat(bad, ignore_index=True) if bad else pd.DataFrame({"phone": [], "country": []})
        return ibis.memtable(bad.astype(object), schema={"phone": "string", "country": "string"})
    return t.shared("invalid_phones", build)


def with_later_duplicates(t: Tables, c: ir.Table) -> ir.Table:
    """`c` with a column `_later`: created after another contact with the same first name, last name
    (casefolded) and birth date.

    A contact without a creation time is neither the earliest nor a later one. The earliest creation time of
    each (names, birth date) that more than one contact has is found by grouping, then joined back (engines
    group faster than they sort rows into windows).
    """
    key = {"_k_first": casefold(t, c["first_name"]), "_k_last": casefold(t, c["last_name"]),
           "_k_birth": c["birth_date"]}
    keyed = c.mutate(**key)
    complete = keyed.filter(keyed["_k_first"].notnull() & keyed["_k_last"].notnull()
                            & keyed["_k_birth"].notnull())
    earliest = complete.group_by(list(key)).aggregate(_earliest=complete["created_at"].min(),
                                                      _n=complete.count())
    earliest = earliest.filter(earliest["_n"] > 1).drop("_n")  # the few keys shared: a small join
    earliest = earliest.rename({f"_e{name}": name for name in key})
    joined = keyed.left_join(earliest, [keyed[name] == earliest[f"_e{name}"] for name in key])
    later = (joined["created_at"] > joined["_earliest"]).fill_null(False)
    return joined.mutate(_later=later).drop(*key, *(f"_e{name}" for name in key), "_earliest")


def _why_inaccurate(t: Tables, rows: pd.DataFrame) -> dict[str, Evidence]:
    rows = rows.reindex(columns=["email", "phone", "country", *DUPLICATE_KEY])
    email_ok = valid_email(rows["email"]).to_numpy(dtype=bool) | blank_values(rows["email"]).to_numpy()
    phone_ok = (valid_phone(rows["phone"], rows["country"]) | blank_values(rows["phone"]).to_numpy()
                | ~phone_assessable(rows["phone"], rows["country"]))
    twins = _earlier_twins(t, rows) if set(DUPLICATE_KEY) <= set(t.columns("contacts")) else {}
    out = {}
    for n, i in enumerate(rows.index):
        why = [w for w, bad in (("invalid email", not email_ok[n]), ("invalid phone", not phone_ok[n]),
                                ("duplicate of " + ", ".join(twins.get(i, [])), bool(twins.get(i))))
               if bad]
        out[i] = {"why": "; ".join(why) or None}
    return out


def _earlier_twins(t: Tables, rows: pd.DataFrame) -> dict[str, list[str]]:
    """Per sampled contact, up to three earlier contacts with its names (any case) and birth date."""
    c = t["contacts"]
    births = list(rows["birth_date"].dropna().unique())
    same = None
    if births:
        same = t.fetch(c.filter(c["birth_date"].isin(births)).select("contact_id", *DUPLICATE_KEY))
    out = {}
    for i in rows.index:
        if same is None or pd.isna(rows.at[i, "birth_date"]):
            out[i] = []
            continue
        first, last = str(rows.at[i, "first_name"]).casefold(), str(rows.at[i, "last_name"]).casefold()
        twins = same[(same["birth_date"] == rows.at[i, "birth_date"])
                     & (same["first_name"].astype(str).str.casefold() == first)
                     & (same["last_name"].astype(str).str.casefold() == last)
                     & (same["created_at"] < rows.at[i, "created_at"])]
        out[i] = [str(x) for x in twins["contact_id"].head(3)]
    return out


def _unassessed_phones(t: Tables) -> list[str]:
    """'N phone numbers not assessable: national form without a known country' (when N > 0)."""
    c = t["contacts"]
    if "phone" not in c.columns:
        return []
    n = int(t.fetch(c.filter(live(c) & filled(c["phone"]) & ~assessable_phone(c)).count()))
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
    duplicates = set(DUPLICATE_KEY) <= set(c.columns)
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
