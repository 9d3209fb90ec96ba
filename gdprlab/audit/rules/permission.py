"""Permission: marketing needs a lawful basis that can cover it, e-mail marketing needs consent or the soft
opt-in (Dir. 2002/58 Art. 13, GDPR Art. 95), and both honour withdrawals and objections; consent is provable,
given by an affirmative act, and authorised by a parent for a child online (Art. 6, 7, 8, 21).

Which rule reports a marketing e-mail: under 6(1)(b) or 6(1)(c), or under consent (or no basis) with no
consent given by then, marketing_without_basis; under any other basis (e.g. 6(1)(f)) with no consent and
outside the soft opt-in, electronic_marketing_without_consent (never both); at or after a withdrawal or
objection, processing_after_withdrawal, whatever its basis (so a send under 6(1)(b) or 6(1)(c), or one
without consent after an objection, can be the finding of one of the other two as well).
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import pandas as pd

from gdprlab.audit.evidence import Evidence, show
from gdprlab.audit.mask import mask_date_of_birth
from gdprlab.audit.rules.base import (
    DoesNotApply,
    Tables,
    age_on,
    as_date,
    blank,
    count_rows,
    hashed,
    is_in,
    is_true,
    key_in,
    per_value,
    reads,
    record_ids,
    rule,
)
from gdprlab.regulation.law import ART8_AGE, ART8_DEFAULT_AGE
from gdprlab.regulation.policy import Policy

ONLINE_SOURCES = ("web_form", "mobile_app")
INVALID_METHODS = ("pre_ticked_box", "bundled_with_terms")
_LONG_AGO = dt.datetime(1900, 1, 1)  # a consent without given_at stands for "given, time unknown"
#: the rules that judge the sends with their consents (_with_consents)
_SENDS_JUDGED = ("marketing_without_basis", "electronic_marketing_without_consent",
                 "processing_after_withdrawal")
_SEND = ("activity_id", "contact_id", "purpose", "lawful_basis")
#: what an e-mail records of the soft opt-in (Dir. 2002/58 Art. 13(2)): optional columns of activities
_MESSAGE = ("unsubscribe_link", "own_similar_product")
CONSENT = "6(1)(a)"
#: contract and legal obligation: bases that cannot cover marketing (EDPB Guidelines 2/2019)
NOT_FOR_MARKETING = ("6(1)(b)", "6(1)(c)")
#: statuses taken as a customer relationship where no customer_since is recorded
CUSTOMERS = ("customer", "former_customer")
PARTNER_PURPOSES = ("partner_offers",)  # other organisations' products: never the soft opt-in's own products


def marketing_sends(t: Tables) -> ir.Table:
    """The marketing e-mails (the columns the rules read, the send time as `at`): an expression, once per
    run (a filter of the activities, cheaper to run again than to keep)."""
    def build() -> ir.Table:
        a = t["activities"]
        columns = [*_SEND, *(c for c in _MESSAGE if c in a.columns)]
        return a.filter(is_in(a["type"], ["marketing_email"])).select(*columns, at=a["occurred_at"])
    return t.shared("sends", build, keep=False)


def _with_consents(t: Tables) -> ir.Table:
    """Each send with what the consents for its contact and purpose say at the send time (once per run):
    `given` and `withdrawn`, the latest at or before the send, and `undated`, some consent has no given_at.

    A send whose contact and purpose have one consent at most is joined to it and judged on its own row; the
    sends of the few pairs with several consents are joined to all of them and grouped back into one row
    each. Grouping every send (millions of rows, all their columns) took more memory than the rest of the
    run; an identical send recorded twice keeps its two rows, judged alike."""
    def build() -> ir.Table:
        sends, k = marketing_sends(t), t["consents"]
        k = k.select(k_contact=k["contact_id"], k_purpose=k["purpose"], k_given=k["given_at"],
                     k_withdrawn=k["withdrawn_at"], k_row=ibis.literal(True))
        several = _several_consents(t)
        sends = sends.mutate(_pair=_pair(t, sends))
        one = sends.anti_join(several, "_pair").drop("_pair")
        one = one.left_join(k, [one["contact_id"] == k["k_contact"], one["purpose"] == k["k_purpose"]])
        never = ibis.null().cast(one["at"].type())
        one = one.select(*(c for c in sends.columns if c != "_pair"),
                         given=ibis.ifelse(one["k_given"] <= one["at"], one["k_given"], never),
                         withdrawn=ibis.ifelse(one["k_withdrawn"] <= one["at"], one["k_withdrawn"], never),
                         undated=one["k_row"].fill_null(False) & one["k_given"].isnull())
        many = sends.semi_join(several, "_pair").drop("_pair")
        joined = many.left_join(k, [many["contact_id"] == k["k_contact"], many["purpose"] == k["k_purpose"]])
        many = joined.group_by(many.columns).aggregate(
            given=joined["k_given"].max(where=joined["k_given"] <= joined["at"]),
            withdrawn=joined["k_withdrawn"].max(where=joined["k_withdrawn"] <= joined["at"]),
            undated=(joined["k_row"].fill_null(False) & joined["k_given"].isnull()).any(),
        )
        return one.union(many.select(*one.columns), distinct=False)
    return t.shared("sends_with_consents", build, users=_SENDS_JUDGED)


def _pair(t: Tables, rows: ir.Table) -> ir.IntegerValue:
    """A hash of a row's contact_id and purpose (rows may share one without sharing both)."""
    return hashed(t, rows, ["contact_id", "purpose"])


def _several_consents(t: Tables) -> ir.Table:
    """The hashes (_pair) that more than one consent has: every (contact_id, purpose) with several consents,
    and perhaps a few pairs with one whose hash another pair shares (judged by grouping, as if they had
    several: the verdict is the same). Kept while the sends are judged; usually few rows."""
    def build() -> ir.Table:
        k = t["consents"]
        k = k.filter(k["contact_id"].notnull() & k["purpose"].notnull())
        k = k.select(_pair=_pair(t, k))
        counted = k.group_by("_pair").aggregate(_n=k.count())
        return counted.filter(counted["_n"] > 1).select("_pair")
    return t.shared("several_consents", build, users=_SENDS_JUDGED)


def _consented(s: ir.Table) -> ir.BooleanValue:
    """A consent for the send's purpose was given at or before it (one without given_at counts as given)."""
    undated = s["undated"].fill_null(False) & (s["at"] >= _LONG_AGO).fill_null(False)
    return s["given"].notnull() | undated


def _by_consent(s: ir.Table) -> ir.BooleanValue:
    """The send names consent as its basis, or no basis at all."""
    return blank(s["lawful_basis"]) | is_in(s["lawful_basis"], [CONSENT])


_SEND_EVIDENCE = ("contact_id", "purpose", "lawful_basis", "occurred_at")


@rule("marketing_without_basis", population=("marketing sends", lambda t: marketing_sends(t).count()),
      evidence=_SEND_EVIDENCE, requires=("consents",))
def marketing_without_basis(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Sends under contract or legal obligation (bases that cannot cover marketing, consent or not), and
    consent-based (or basis-less) sends with no consent for the purpose given at or before the send.

    A consent without a recorded given_at still counts as given (as if long ago): its missing proof is
    consent_without_proof's finding, not this rule's. Sends under any other basis are
    electronic_marketing_without_consent's to judge.
    """
    s = _with_consents(t)
    cannot = is_in(s["lawful_basis"], NOT_FOR_MARKETING)
    return record_ids(s, "activities", cannot | (_by_consent(s) & ~_consented(s)))


def _customers(t: Tables, sends: ir.Table) -> ir.Table:
    """Per contact id of the `sends`: `since`, when it became a customer (the earliest its records say;
    without customer_since, long ago for a customer or former customer by status), and `offered`, whether a
    record says the opt-out was offered at collection (true where no column records it). Records of one id
    that disagree are read in the contact's favour: the soft opt-in holds if any of them gives it."""
    c = t["contacts"]
    c = c.semi_join(sends, c["contact_id"] == sends["contact_id"])  # grouped: those contacts only
    if "customer_since" in c.columns:
        since = c["customer_since"].cast("date")
    else:
        since = ibis.ifelse(is_in(c["status"], CUSTOMERS), ibis.literal(_LONG_AGO.date()), ibis.null("date"))
    offered = (is_true(c["opt_out_offered_at_collection"].cast("boolean"))
               if "opt_out_offered_at_collection" in c.columns else ibis.literal(True))
    c = c.select(c_contact=c["contact_id"], c_since=since, c_offered=offered)
    return c.group_by("c_contact").aggregate(since=c["c_since"].min(), offered=c["c_offered"].any())


def _soft_opt_in(t: Tables, s: ir.Table) -> ir.Table:
    """The sends with `soft`: the soft opt-in of Dir. 2002/58 Art. 13(2) holds for them (a customer by the
    send's day, the organisation's own similar products, the opt-out offered at collection and in the
    message); a condition whose column the export lacks is taken as met."""
    c = _customers(t, s)
    s = s.left_join(c, s["contact_id"] == c["c_contact"])
    soft = (as_date(s["at"]) >= s["since"]) & is_true(s["offered"]) & ~is_in(s["purpose"], PARTNER_PURPOSES)
    for column in _MESSAGE:
        if column in s.columns:
            soft = soft & is_true(s[column].cast("boolean"))
    return s.mutate(soft=soft.fill_null(False))


def _contact_caveats(t: Tables) -> list[str]:
    """What the soft opt-in could not be judged on, for the contacts columns an export lacks."""
    columns = t.columns("contacts")
    out = []
    if "customer_since" not in columns:
        out.append("no contacts.customer_since column: a contact whose status is customer or former_customer "
                   "is taken as a customer at every send")
    if "opt_out_offered_at_collection" not in columns:
        out.append("no contacts.opt_out_offered_at_collection column: the opt-out at collection not checked")
    return out


@rule("electronic_marketing_without_consent",
      population=("marketing sends", lambda t: marketing_sends(t).count()),
      evidence=_SEND_EVIDENCE, requires=("consents", "contacts"),
      optional_columns={"unsubscribe_link": "no activities.unsubscribe_link column: the opt-out in each "
                                            "message not checked",
                        "own_similar_product": "no activities.own_similar_product column: whether an e-mail "
                                               "promotes the organisation's own similar products not checked "
                                               "(only partner_offers e-mails are taken as not)"},
      caveats=_contact_caveats)
def electronic_marketing_without_consent(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Sends under a basis other than consent, contract or legal obligation (e.g. 6(1)(f); the others are
    marketing_without_basis's) with no consent for the purpose given at or before the send, to which the
    soft opt-in does not apply."""
    s = _with_consents(t)
    other = ~(_by_consent(s) | is_in(s["lawful_basis"], NOT_FOR_MARKETING))
    s = _soft_opt_in(t, s.filter(other & ~_consented(s)))  # the sends only the soft opt-in can excuse
    return record_ids(s, "activities", ~s["soft"])


@rule("processing_after_withdrawal", population=("marketing sends", lambda t: marketing_sends(t).count()),
      evidence=_SEND_EVIDENCE, any_of=("consents", "requests"),
      optional={"consents": "withdrawals of consent, and consents given again after an objection, not "
                            "checked",
                "requests": "objections not checked"})
def processing_after_withdrawal(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Sends at or after a withdrawal with no consent given since, or on or after the day of the latest
    objection before them with no consent for the purpose given since that day."""
    s = _with_consents(t) if "consents" in t else marketing_sends(t)
    found = []
    if "consents" in t:
        withdrawn = s["withdrawn"].notnull() & (s["given"].isnull() | (s["given"] <= s["withdrawn"]))
        found.append(record_ids(s, "activities", withdrawn))
    if "requests" in t:
        s = _objected(t, s)
        fresh = (s["given"] >= s["objected"]).fill_null(False) if "consents" in t else ibis.literal(False)
        found.append(record_ids(s, "activities", ~fresh))
    return found[0] if len(found) == 1 else found[0].union(found[1], distinct=True)


def _objected(t: Tables, s: ir.Table) -> ir.Table:
    """The sends made on or after the day of an objection of their contact, with the day of the latest such
    objection (`objected`). Only what the verdict reads is kept of a send (its id, contact, time and consent
    given): the few sends of contacts who objected are grouped, not every send with all its columns."""
    r = t["requests"]
    objections = r.filter(is_in(r["type"], ["objection"]) & r["contact_id"].notnull())
    o = objections.select(o_contact=objections["contact_id"],
                          o_at=objections["received_on"].cast("timestamp"))
    s = s.select(*(c for c in ("activity_id", "contact_id", "at", "given") if c in s.columns))
    joined = s.inner_join(o, s["contact_id"] == o["o_contact"])
    joined = joined.filter(joined["o_at"] <= joined["at"])
    return joined.group_by(s.columns).aggregate(objected=joined["o_at"].max())


@rule("consent_without_proof", population=("consents", count_rows("consents")),
      evidence=("contact_id", "purpose", "given_at", "source", "wording_version"))
def consent_without_proof(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Consents lacking given_at, source or wording_version."""
    k = t["consents"]
    unproven = k["given_at"].isnull() | blank(k["source"]) | blank(k["wording_version"])
    return record_ids(k, "consents", unproven)


def art8_age(country: ir.StringValue) -> ir.IntegerValue:
    """The Art. 8 age of digital consent of the contact's country (16 where unknown)."""
    return per_value(country.upper(), ART8_AGE).fill_null(ART8_DEFAULT_AGE)


@reads()
def _child_extra(t: Tables, rows: pd.DataFrame) -> dict[str, Evidence]:
    c = t["contacts"]
    wanted = list(dict.fromkeys(rows["contact_id"].dropna().astype(str)))
    found = t.fetch(c.filter(key_in(c["contact_id"], wanted)).select("contact_id", "birth_date",
                                                                                  "country"))
    found = found.assign(contact_id=found["contact_id"].astype(str)).drop_duplicates("contact_id")
    found = found.set_index("contact_id")
    out = {}
    for i, contact in zip(rows.index, rows["contact_id"], strict=True):
        if pd.notna(contact) and str(contact) in found.index:
            out[i] = {"birth_date": mask_date_of_birth(found.at[str(contact), "birth_date"]),
                      "country": show(found.at[str(contact), "country"], "contacts", "country")}
        else:
            out[i] = {"birth_date": None, "country": None}
    return out


@rule("child_consent_without_authorisation",
      population=("consents captured online",
                  count_rows("consents", lambda k: is_in(k["source"], ONLINE_SOURCES))),
      evidence=("contact_id", "given_at", "source", "parental_authorisation"), requires=("contacts",),
      extra_evidence=_child_extra)
def child_consent_without_authorisation(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Online consents of contacts under their country's Art. 8 age, without parental authorisation: none
    recorded (an empty value shows none either).

    A contact id recorded more than once is a child only if every record of it makes them one: records
    that disagree are not enough to call the consent unlawful. Art. 8(1) governs information society
    services offered directly to a child: an organisation whose policy says it offers none is outside it.
    """
    if not policy.offers_services_to_children:
        raise DoesNotApply("does not apply: the policy says the organisation offers no information society "
                           "services directly to children (offers_services_to_children: false; Art. 8(1))")
    k, c = t["consents"], t["contacts"]
    k = k.filter(is_in(k["source"], ONLINE_SOURCES) & ~is_true(k["parental_authorisation"])
                 & k["given_at"].notnull())
    c = c.select(c_contact=c["contact_id"], birth=as_date(c["birth_date"]), age=art8_age(c["country"]))
    joined = k.inner_join(c, k["contact_id"] == c["c_contact"])
    under = (age_on(joined["birth"], as_date(joined["given_at"])) < joined["age"]).fill_null(False)
    verdicts = joined.group_by(["consent_id", "contact_id", "given_at"]).aggregate(child=under.all())
    return record_ids(verdicts, "consents", verdicts["child"])


@reads()
def _method_extra(t: Tables, rows: pd.DataFrame) -> dict[str, Evidence]:
    return {i: {"why": "pre-ticked box" if method == INVALID_METHODS[0] else "bundled with terms"}
            for i, method in zip(rows.index, rows["method"], strict=True)}


@rule("invalid_consent_form", population=("consents", count_rows("consents")),
      evidence=("contact_id", "purpose", "method", "source"), extra_evidence=_method_extra)
def invalid_consent_form(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Consents by pre-ticked box or bundled with terms."""
    k = t["consents"]
    return record_ids(k, "consents", is_in(k["method"], INVALID_METHODS))
