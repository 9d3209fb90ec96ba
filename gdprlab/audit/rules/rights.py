"""Data subjects' rights: requests answered within the Art. 12(3) deadline, extensions notified in time,
erasures complete unless a recorded Art. 17(3) hold is in force, no processing after an erasure or during a
restriction beyond what Art. 17(3) and 18(2) allow (Art. 12(3), 17(1), 17(3)(b), (e), 18(2)); the Art. 14
information given in time for data obtained from a third party (Art. 14(3)(a)-(c)); no solely automated
decision with significant effect without an Art. 22(2) exception, its Art. 22(3) safeguards and, on
special-category data, an Art. 9(2)(a) or (g) condition (Art. 22(1)-(4))."""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

import ibis
import ibis.expr.types as ir
import pandas as pd

from gdprlab.audit.discovery.classify import classify_fields
from gdprlab.audit.evidence import Evidence
from gdprlab.audit.rules.base import (
    HOLD_COLUMNS,
    Tables,
    as_date,
    blank,
    blank_values,
    count_rows,
    filled,
    held,
    hold_until,
    is_in,
    is_true,
    key_in,
    month_deadline,
    public_holidays,
    reads,
    record_ids,
    rule,
)
from gdprlab.audit.rules.classification import UNKNOWN_CATEGORIES
from gdprlab.crm.conventions import column_map
from gdprlab.crm.schema import TABLES
from gdprlab.regulation.law import EXTENDED_RESPONSE_MONTHS, RESPONSE_MONTHS
from gdprlab.regulation.policy import Policy

_REQUEST_EVIDENCE = ("contact_id", "type", "received_on", "extension_notified_on", "responded_on", "status")


class Timing(NamedTuple):
    judged: ir.BooleanValue  # received_on known
    day: ir.DateValue  # reply day, or the as-of date while open
    d1: ir.DateValue  # one-month deadline
    d3: ir.DateValue  # three-month deadline
    timely_notice: ir.BooleanValue  # extension notified within the first month
    late_notice: ir.BooleanValue  # extension notified after it


def timing(t: Tables, policy: Policy, as_of: dt.date) -> Timing:
    """Per request: the day judged, both deadlines (rolled over weekends and the controller's public
    holidays) and when the extension was notified."""
    r = t["requests"]
    free = public_holidays(t, policy, "requests", "received_on")
    received = as_date(r["received_on"])
    d1 = month_deadline(received, RESPONSE_MONTHS, free)
    notice = as_date(r["extension_notified_on"])
    return Timing(judged=received.notnull(), day=as_date(r["responded_on"]).fill_null(ibis.date(as_of)),
                  d1=d1, d3=month_deadline(received, EXTENDED_RESPONSE_MONTHS, free),
                  timely_notice=(notice <= d1).fill_null(False), late_notice=(notice > d1).fill_null(False))


_judged = ("requests with a receipt date", count_rows("requests", lambda r: r["received_on"].notnull()))


@rule("request_overdue", population=_judged, evidence=_REQUEST_EVIDENCE)
def request_overdue(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Replies (or open requests at as-of) after the deadline: three months with an extension notified
    within the first month, else one month (an extension notified later does not extend it)."""
    r = t["requests"]
    x = timing(t, policy, as_of)
    return record_ids(r, "requests", x.judged & (x.day > ibis.ifelse(x.timely_notice, x.d3, x.d1)))


@rule("extension_not_notified", population=_judged, evidence=_REQUEST_EVIDENCE)
def extension_not_notified(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Extension notified after the one-month deadline, reply (or as-of) after one month but within three."""
    r = t["requests"]
    x = timing(t, policy, as_of)
    return record_ids(r, "requests", x.judged & x.late_notice & (x.day > x.d1) & (x.day <= x.d3))


def completed_erasures(r: ir.Table) -> ir.BooleanValue:
    return is_in(r["type"], ["erasure"]) & is_in(r["status"], ["completed"])


#: the contacts columns judged after an erasure: every personal column but the erasure's own record
ERASED_COLUMNS = tuple(TABLES["contacts"].erasable_names)
#: what the classifier reads a header the schema does not know as, when the column is not judged after an
#: erasure: nothing known; a communication preference, which may be kept to honour an objection to
#: marketing (Art. 21(3)); a country or a language, which the erasure's own record keeps (the schema's
#: country, locale, language). Technical ids and metadata have no category of personal data at all
KEPT_CATEGORIES = (*UNKNOWN_CATEGORIES, "communication_preference", "preference", "country")
#: the erasure's own record: what an erased contact keeps
_RECORD = frozenset(c for c in TABLES["contacts"].column_names if c not in ERASED_COLUMNS)


def erased_columns(t: Tables) -> list[str]:
    """The contacts columns an erasure must empty, of this run's contacts (once per run): ERASED_COLUMNS,
    and each column the schema does not know whose header the classifier (`gdprlab scan`) reads as
    personal data of the contact, such as a custom field's nationality or hobbies, but not one the reader
    would take for a column of the erasure's record (a second LastActivityDate) or of KEPT_CATEGORIES
    (the eraser of gdprlab.subjects empties every such column all the same)."""
    def build() -> list[str]:
        columns = t.columns("contacts")
        extra = [c for c in columns if c not in TABLES["contacts"].column_names
                 and column_map("contacts", [c]).get(c) not in _RECORD]
        read = classify_fields(pd.DataFrame({"name": extra}), "contacts") if extra else []
        personal = {f.column for f in read if f.record_category and f.category not in KEPT_CATEGORIES}
        return [c for c in ERASED_COLUMNS if c in columns] + [c for c in extra if c in personal]
    return t.shared("erased_columns", build)


_ART_17_3 = re.compile(r"17\s*\(\s*3\s*\)\s*\(\s*([a-eA-E])\s*\)")


class Remains(NamedTuple):
    """What is left of the contacts of completed erasure requests."""

    contacts: ir.Table  # contact_id, per judged column whether it is filled, and the hold, for rows with any
    notes: ir.Table  # contact_id of each of their activities with a note (not blank)


def erased_remains(t: Tables) -> Remains:
    """Remains of the erased contacts, in the contacts and activities present, holds or not (found once
    per run and kept where the backend can: they are few, and the rule and its evidence both read them)."""
    def erased() -> ir.Table:
        r = t["requests"]
        return r.filter(completed_erasures(r) & r["contact_id"].notnull()).select("contact_id").distinct()

    def rows() -> ir.Table:  # the columns judged only: the engine reads no other column of any contact
        c = t["contacts"]
        judged = [f for f in ("contact_id", *erased_columns(t), *HOLD_COLUMNS) if f in c.columns]
        return c.select(*judged).semi_join(erased(), "contact_id")

    # the few erased contacts are kept first, so that only their rows are tested column by column (the
    # engine would test every contact: it moves the test below the join)
    def contacts() -> ir.Table:
        c = t.shared("erased_contact_rows", rows)
        flags = {f: filled(c[f].cast("string")) for f in erased_columns(t)}
        hold = {f: c[f] for f in HOLD_COLUMNS if f in c.columns}
        kept = c.select("contact_id", **flags, **hold)
        any_filled = ibis.literal(False)
        for flag in flags:
            any_filled = any_filled | kept[flag]
        return kept.filter(any_filled)

    def notes() -> ir.Table:
        a = t["activities"]
        a = a.semi_join(erased(), "contact_id").select("contact_id", "note")
        return a.filter(filled(a["note"])).select("contact_id")

    return Remains(t.shared("erased_contacts", contacts) if "contacts" in t else None,
                   t.shared("erased_notes", notes) if "activities" in t else None)


def _hold_shown(ground: object, until: object) -> str | None:
    """The recorded hold, masked: its Art. 17(3) point and end, e.g. '17(3)(b) until 2026-01-31' (the rest
    of the ground's text is not shown), or None without one."""
    text = None if blank_values(pd.Series([ground])).iloc[0] else str(ground)
    until = None if until is None or pd.isna(until) else pd.Timestamp(until).date().isoformat()
    if text is None and until is None:
        return None
    point = _ART_17_3.search(text or "")
    shown = (f"17(3)({point.group(1).lower()})" if point else "a ground without an Art. 17(3) point"
             if text else "no legal ground")
    return f"{shown} until {until or 'no end date'}"


@reads()
def _remaining(t: Tables, rows: pd.DataFrame) -> dict[str, Evidence]:
    """Per request: the kinds of data left (column names, count of notes) and the hold recorded."""
    left = erased_remains(t)
    wanted = list(dict.fromkeys(rows["contact_id"].dropna().astype(str)))
    kept: dict[str, list[str]] = {}
    holds: dict[str, str | None] = {}
    if left.contacts is not None:
        found = t.fetch(left.contacts.filter(key_in(left.contacts["contact_id"], wanted)))
        for row in found.assign(contact_id=found["contact_id"].astype(str)).drop_duplicates(
                "contact_id").to_dict("records"):
            kept[row["contact_id"]] = [f for f in erased_columns(t) if row.get(f) is True]
            holds[row["contact_id"]] = _hold_shown(row.get("retention_ground"), row.get("retention_until"))
    if left.notes is not None:
        notes = left.notes.filter(key_in(left.notes["contact_id"], wanted))
        counts = t.fetch(notes.group_by("contact_id").aggregate(n=notes.count()))
        for contact, n in zip(counts["contact_id"].astype(str), counts["n"], strict=True):
            kept.setdefault(contact, []).append(f"{n} note{'s' if n != 1 else ''}")
    return {i: {"remaining": ", ".join(kept.get(str(contact), [])) or None, "hold": holds.get(str(contact))}
            for i, contact in zip(rows.index, rows["contact_id"], strict=True)}


def _no_holds(t: Tables) -> list[str]:
    """Without the hold columns in contacts, no remains can be shown to be kept lawfully."""
    if "contacts" not in t or set(HOLD_COLUMNS) <= set(t.columns("contacts")):
        return []
    return ["no retention_ground/retention_until in contacts: data kept under Art. 17(3) not recognised"]


@rule("erasure_incomplete",
      population=("completed erasure requests", count_rows("requests", completed_erasures)),
      evidence=("contact_id", "type", "status", "responded_on"), any_of=("contacts", "activities"),
      optional={"contacts": "remaining contact details not checked",
                "activities": "remaining notes not checked"},
      extra_evidence=_remaining, caveats=_no_holds)
def erasure_incomplete(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Completed erasures whose contact still has any personal column filled (all but the erasure's
    record: key, status, dates, locale, language, country; a column outside the schema when its header
    reads as personal data: erased_columns) or an activity with a note, unless the contact
    records a hold in force: a legal ground (retention_ground, e.g. '17(3)(b) tax law') and an end date
    (retention_until) on or after as-of. A hold covers everything the contact keeps; whether each kept
    column is needed for that ground is not judged. A hold without an end date or ended holds nothing."""
    r = t["requests"]
    left = erased_remains(t)
    remaining = ibis.literal(False)
    for part in (left.contacts, left.notes):
        if part is not None:
            remaining = remaining | r["contact_id"].isin(part["contact_id"]).fill_null(False)
    if "contacts" in t:  # a hold covers notes too, whether or not the contact row keeps anything
        c = t["contacts"]
        remaining = remaining & ~r["contact_id"].isin(c.filter(held(c, as_of))["contact_id"]).fill_null(False)
    return record_ids(r, "requests", completed_erasures(r) & remaining)


#: activity types the organisation performs with a contact's data; those the contact starts anew (a purchase,
#: a form submission) are new processing of their own, not judged here
PROCESSING = ("call", "email", "marketing_email", "meeting", "note")
#: a note filed on the record is storage, which Art. 18(2) allows during a restriction
STORAGE = ("note",)
#: a lawful_basis recording an Art. 18(2) ground (consent, legal claims, another's rights, public interest)
ART_18_2 = r"18\s*\(\s*2\s*\)"


def _completed(r: ir.Table, kind: str) -> ir.BooleanValue:
    return is_in(r["type"], [kind]) & is_in(r["status"], ["completed"]) & r["contact_id"].notnull()


def _after_erasure(t: Tables) -> ir.Table:
    """The judged activities on a day after their contact's first completed erasure, with whether an Art.
    17(3) hold covers them (not a marketing send, and a hold recorded until that day or later)."""
    r, a = t["requests"], t["activities"]
    done = r.filter(_completed(r, "erasure") & r["responded_on"].notnull())
    done = done.group_by(_cid=done["contact_id"]).aggregate(_erased=as_date(done["responded_on"]).min())
    judged = a.filter(is_in(a["type"], PROCESSING))
    rows = judged.inner_join(done, judged["contact_id"] == done["_cid"])
    rows = rows.filter(as_date(rows["occurred_at"]) > rows["_erased"])
    if "contacts" not in t:
        return rows.mutate(_covered=ibis.literal(False))
    c = t["contacts"]
    holds = c.filter(hold_until(c).notnull()).select(_hid=c["contact_id"], _until=hold_until(c))
    rows = rows.left_join(holds, rows["contact_id"] == holds["_hid"])
    covered = ~is_in(rows["type"], ["marketing_email"]) & (rows["_until"] >= as_date(rows["occurred_at"]))
    return rows.mutate(_covered=covered.fill_null(False))


def _during_restriction(t: Tables) -> ir.Table:
    """The judged activities on a day after a completed restriction of their contact was applied and before
    the day it was lifted (never, without lifted_on), with whether Art. 18(2) allows them (storage, or a
    ground recorded in lawful_basis)."""
    r, a = t["requests"], t["activities"]
    lifted = as_date(r["lifted_on"]) if "lifted_on" in r.columns else ibis.null().cast("date")
    applied = r.filter(_completed(r, "restriction") & r["responded_on"].notnull()).select(
        _cid=r["contact_id"], _from=as_date(r["responded_on"]), _until=lifted)
    judged = a.filter(is_in(a["type"], PROCESSING))
    rows = judged.inner_join(applied, judged["contact_id"] == applied["_cid"])
    day = as_date(rows["occurred_at"])
    rows = rows.filter((day > rows["_from"]) & (rows["_until"].isnull() | (day < rows["_until"])))
    ground = rows["lawful_basis"].cast("string").re_search(ART_18_2) if "lawful_basis" in rows.columns \
        else ibis.literal(False)
    return rows.mutate(_covered=is_in(rows["type"], STORAGE) | ground.fill_null(False))


def _judged_after_erasure_or_restriction(t: Tables) -> ir.Table:
    """(activity_id, _covered) of the activities judged by (a) and (b) below, found once per run (they are
    few: the rule and its population both read them)."""
    def build() -> ir.Table:
        erased, restricted = (rows.select("activity_id", "_covered")
                              for rows in (_after_erasure(t), _during_restriction(t)))
        return erased.union(restricted)
    return t.shared("after_erasure_or_restriction", build)


def _erased_or_restricted(t: Tables) -> ir.Scalar:
    return _judged_after_erasure_or_restriction(t).select("activity_id").distinct().count()


def _no_lifts(t: Tables) -> list[str]:
    """Without lifted_on, a restriction is taken as still in force; without holds, none is recognised."""
    out = []
    if "lifted_on" not in t.columns("requests"):
        out.append("no lifted_on in requests: restrictions taken as never lifted")
    if "contacts" in t and not set(HOLD_COLUMNS) <= set(t.columns("contacts")):
        out.append("no retention_ground/retention_until in contacts: Art. 17(3) holds not recognised")
    return out


@rule("processing_after_erasure_or_restriction",
      population=("activities after a completed erasure or during a restriction", _erased_or_restricted),
      evidence=("contact_id", "type", "occurred_at", "lawful_basis"), requires=("requests",),
      optional={"contacts": "Art. 17(3) holds not recognised"}, caveats=_no_lifts)
def processing_after_erasure_or_restriction(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Activities of the PROCESSING types (a) on a day after the contact's first completed erasure, unless a
    recorded Art. 17(3) hold runs to that day or later and the activity is no marketing send; (b) on a day
    after a completed restriction was applied (its reply) and before the day it was lifted, unless it is
    storage (a note filed) or its lawful_basis records an Art. 18(2) ground. Two joins of the activities
    with the few completed erasures and restrictions, kept for the run."""
    judged = _judged_after_erasure_or_restriction(t)
    return record_ids(judged, "activities", ~judged["_covered"])


#: contacts.obtained_from values naming a third party: Art. 14 applies (data_subject: Art. 13 does)
THIRD_PARTY_SOURCES = ("purchased_list", "partner_referral", "public_source", "enrichment")
FROM_THE_PERSON = "data_subject"
#: activity types in which the organisation communicates with the contact (Art. 14(3)(b)); a note is none
COMMUNICATIONS = ("call", "email", "marketing_email", "meeting")
NOTICE, EXEMPTION, DISCLOSED = "art14_notice_on", "art14_exemption", "first_disclosed_on"


def from_third_party(c: ir.Table) -> ir.BooleanValue:
    return is_in(c["obtained_from"], THIRD_PARTY_SOURCES)


def first_communications(t: Tables, contacts: ir.Table) -> ir.Table:
    """(_fid, _first): the day of the first communication activity of each of the `contacts` (their
    activities alone are grouped)."""
    a = t["activities"]
    sent = a.filter(is_in(a["type"], COMMUNICATIONS) & a["contact_id"].notnull() & a["occurred_at"].notnull())
    sent = sent.semi_join(contacts, sent["contact_id"] == contacts["contact_id"])
    return sent.group_by(_fid=sent["contact_id"]).aggregate(_first=as_date(sent["occurred_at"]).min())


def _unknown_sources(t: Tables) -> list[str]:
    """Contacts whose source is recorded in other words than the rule knows: not judged."""
    c = t["contacts"]
    if "obtained_from" not in c.columns:
        return []
    other = filled(c["obtained_from"].cast("string")) & ~is_in(c["obtained_from"],
                                                               [*THIRD_PARTY_SOURCES, FROM_THE_PERSON])
    n = int(t.fetch(c.filter(other).count()))
    return [f"{n} contact{'s' if n != 1 else ''} whose obtained_from is neither {FROM_THE_PERSON} nor a "
            f"known third-party source ({', '.join(THIRD_PARTY_SOURCES)}): not judged"] if n else []


@rule("third_party_data_without_notice",
      population=("contacts whose data was obtained from a third party",
                  count_rows("contacts", from_third_party)),
      evidence=("obtained_from", "created_at", NOTICE, EXEMPTION, DISCLOSED),
      optional={"activities": "first communications not checked (Art. 14(3)(b))"},
      optional_columns={NOTICE: f"no contacts.{NOTICE} column: no Art. 14 notice is recorded",
                        EXEMPTION: f"no contacts.{EXEMPTION} column: Art. 14(5) exemptions not recognised",
                        DISCLOSED: f"no contacts.{DISCLOSED} column: first disclosures not checked "
                                   "(Art. 14(3)(c))"},
      caveats=_unknown_sources)
def third_party_data_without_notice(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Contacts obtained from a third party, with no Art. 14(5) exemption recorded, whose notice was due by
    as-of and is missing, or was given after it was due. It is due at the latest when the month from
    obtaining (created_at's day; rolled over weekends and the controller's holidays) ends, and earlier on
    the day of the first communication (Art. 14(3)(b)) or of the first disclosure to a recipient
    (first_disclosed_on, Art. 14(3)(c)) within that month."""
    c = t["contacts"]
    today = ibis.date(as_of)
    free = public_holidays(t, policy, "contacts", "created_at")
    deadline = month_deadline(as_date(c["created_at"]), 1, free)
    notice = as_date(c[NOTICE]) if NOTICE in c.columns else ibis.null().cast("date")
    exempt = filled(c[EXEMPTION].cast("string")) if EXEMPTION in c.columns else ibis.literal(False)
    disclosed = as_date(c[DISCLOSED]) if DISCLOSED in c.columns else ibis.null().cast("date")
    # the contacts judged first: the others' activities are not grouped
    c = c.filter(from_third_party(c) & ~exempt).mutate(_deadline=deadline, _notice=notice,
                                                       _disclosed=disclosed)
    if "activities" in t:
        first = first_communications(t, c)
        c = c.left_join(first, c["contact_id"] == first["_fid"])
        first_day = c["_first"]
    else:
        first_day = ibis.null().cast("date")
    # the earlier events that bring the notice forward (Art. 14(3)(b), (c)), each a day or null
    events = [first_day, c["_disclosed"]]
    happened = ibis.literal(False)
    after = ibis.literal(False)
    for day in events:
        happened |= (day <= today).fill_null(False)
        after |= (c["_notice"] > day).fill_null(False)
    missing = c["_notice"].isnull() & ((c["_deadline"] < today).fill_null(False) | happened)
    late = (c["_notice"] > c["_deadline"]).fill_null(False) | after
    return record_ids(c, "contacts", missing | late)


def significant(d: ir.Table) -> ir.BooleanValue:
    return is_true(d["significant_effect"].cast("boolean"))


#: an exception of Art. 22(2)(a) (contract) or (c) (explicit consent), which needs the Art. 22(3) safeguards;
#: an Art. 9(2)(a) or (g) condition, the only ones Art. 22(4) admits (ASCII case-insensitive, RE2 and Java)
CONTRACT_OR_CONSENT = r"(?i)^ *(art(icle)?[ .]*)?22 *\( *2 *\) *\( *[ac] *\)"
CONSENT_OR_PUBLIC_INTEREST = r"(?i)^ *(art(icle)?[ .]*)?9 *\( *2 *\) *\( *[ag] *\)"
SAFEGUARDS, SPECIAL, CONDITION = "art22_safeguards", "special_categories", "art9_condition"


@rule("automated_decision_without_exception",
      population=("decisions with a legal or similarly significant effect",
                  count_rows("decisions", significant)),
      evidence=("contact_id", "kind", "made_at", "significant_effect", "human_review", "art22_exception",
                SAFEGUARDS, SPECIAL, CONDITION),
      optional_columns={SAFEGUARDS: f"no decisions.{SAFEGUARDS} column: Art. 22(3) safeguards not checked",
                        **dict.fromkeys((SPECIAL, CONDITION), f"no decisions.{SPECIAL} or {CONDITION} "
                                        "column: Art. 22(4) not checked")})
def automated_decision_without_exception(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Decisions recorded as having a legal or similarly significant effect, not reviewed by a person before
    they took effect (human_review false or missing), with no Art. 22(2) exception recorded (blank); or
    under an exception of 22(2)(a) or (c) without the Art. 22(3) safeguards recorded (art22_safeguards not
    true); or based on special-category data (special_categories true) without an Art. 9(2)(a) or (g)
    condition recorded (Art. 22(4))."""
    d = t["decisions"]
    solely = ~is_true(d["human_review"].cast("boolean"))
    exception = d["art22_exception"].cast("string")
    no_exception = blank(exception)
    unguarded = ibis.literal(False)
    if SAFEGUARDS in d.columns:
        unguarded = exception.re_search(CONTRACT_OR_CONSENT).fill_null(False) \
            & ~is_true(d[SAFEGUARDS].cast("boolean"))
    special = ibis.literal(False)
    if SPECIAL in d.columns and CONDITION in d.columns:
        special = is_true(d[SPECIAL].cast("boolean")) \
            & ~d[CONDITION].cast("string").re_search(CONSENT_OR_PUBLIC_INTEREST).fill_null(False)
    return record_ids(d, "decisions", significant(d) & solely & (no_exception | unguarded | special))
