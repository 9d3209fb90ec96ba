"""Permission: marketing needs a lawful basis and honours withdrawals and objections; consent is provable,
given by an affirmative act, and authorised by a parent for a child online (Art. 6, 7, 8, 21(3))."""

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
    is_in,
    is_true,
    key_in,
    per_value,
    record_ids,
    rule,
)
from gdprlab.regulation.law import ART8_AGE, ART8_DEFAULT_AGE
from gdprlab.regulation.policy import Policy

ONLINE_SOURCES = ("web_form", "mobile_app")
INVALID_METHODS = ("pre_ticked_box", "bundled_with_terms")
_LONG_AGO = dt.datetime(1900, 1, 1)  # a consent without given_at stands for "given, time unknown"
_SEND = ("activity_id", "contact_id", "purpose", "lawful_basis", "occurred_at")


def marketing_sends(t: Tables) -> ir.Table:
    """The marketing e-mails (their own columns, the send time as `at`), once per run."""
    def build() -> ir.Table:
        a = t["activities"]
        sends = a.filter(is_in(a["type"], ["marketing_email"])).select(*_SEND)
        return sends.mutate(at=sends["occurred_at"])
    return t.shared("sends", build)


def _with_consents(t: Tables) -> ir.Table:
    """Each send with what the consents for its contact and purpose say at the send time (once per run):
    `given` and `withdrawn`, the latest at or before the send, and `undated`, some consent has no given_at."""
    def build() -> ir.Table:
        sends, k = marketing_sends(t), t["consents"]
        k = k.select(k_contact=k["contact_id"], k_purpose=k["purpose"], k_given=k["given_at"],
                     k_withdrawn=k["withdrawn_at"], k_row=ibis.literal(True))
        joined = sends.left_join(k, [sends["contact_id"] == k["k_contact"],
                                     sends["purpose"] == k["k_purpose"]])
        return joined.group_by([*_SEND, "at"]).aggregate(
            given=joined["k_given"].max(where=joined["k_given"] <= joined["at"]),
            withdrawn=joined["k_withdrawn"].max(where=joined["k_withdrawn"] <= joined["at"]),
            undated=(joined["k_row"].fill_null(False) & joined["k_given"].isnull()).any(),
        )
    return t.shared("sends_with_consents", build)


_SEND_EVIDENCE = ("contact_id", "purpose", "lawful_basis", "occurred_at")


@rule("marketing_without_basis", population=("marketing sends", lambda t: marketing_sends(t).count()),
      evidence=_SEND_EVIDENCE, requires=("consents",))
def marketing_without_basis(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Consent-based (or basis-less) sends with no consent for the purpose given at or before the send.

    A consent without a recorded given_at still counts as given (as if long ago): its missing proof is
    consent_without_proof's finding, not this rule's.
    """
    s = _with_consents(t)
    by_consent = blank(s["lawful_basis"]) | is_in(s["lawful_basis"], ["6(1)(a)"])
    undated = s["undated"].fill_null(False) & (s["at"] >= _LONG_AGO).fill_null(False)
    consented = s["given"].notnull() | undated
    return record_ids(s, "activities", by_consent & ~consented)


@rule("processing_after_withdrawal", population=("marketing sends", lambda t: marketing_sends(t).count()),
      evidence=_SEND_EVIDENCE, any_of=("consents", "requests"),
      optional={"consents": "withdrawals of consent not checked", "requests": "objections not checked"})
def processing_after_withdrawal(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Sends at or after a withdrawal with no consent given since, or on or after an objection's day."""
    s = _with_consents(t) if "consents" in t else marketing_sends(t)
    late = ibis.literal(False)
    if "consents" in t:
        late = s["withdrawn"].notnull() & (s["given"].isnull() | (s["given"] <= s["withdrawn"]))
    if "requests" in t:
        r = t["requests"]
        objections = r.filter(is_in(r["type"], ["objection"]) & r["contact_id"].notnull())
        first = objections.group_by(o_contact=objections["contact_id"]).aggregate(
            objected=objections["received_on"].cast("timestamp").min())
        s = s.left_join(first, s["contact_id"] == first["o_contact"])
        late = late | (s["at"] >= s["objected"]).fill_null(False)
    return record_ids(s, "activities", late)


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


def _method_extra(t: Tables, rows: pd.DataFrame) -> dict[str, Evidence]:
    return {i: {"why": "pre-ticked box" if method == INVALID_METHODS[0] else "bundled with terms"}
            for i, method in zip(rows.index, rows["method"], strict=True)}


@rule("invalid_consent_form", population=("consents", count_rows("consents")),
      evidence=("contact_id", "purpose", "method", "source"), extra_evidence=_method_extra)
def invalid_consent_form(t: Tables, policy: Policy, as_of: dt.date) -> ir.Table:
    """Consents by pre-ticked box or bundled with terms."""
    k = t["consents"]
    return record_ids(k, "consents", is_in(k["method"], INVALID_METHODS))
