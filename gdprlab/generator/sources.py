"""Where contacts' data came from, and the Art. 14 information given to those obtained from a third party.

Made once all contacts and activities exist (the first communication bounds the notice, Art. 14(3)(b)),
from a random stream of its own, so the rest of the data stays as it was. Erased contacts keep none of it.
Planted violations: a contact obtained from a list broker, partner or public source, with no Art. 14(5)
exemption, whose month (Reg. 1182/71, as gdprlab.regulation.law counts it) ended before as-of or who was
contacted or whose data was first disclosed to a recipient by as-of, and who got no notice, or got it after
that month, the first communication or the first disclosure (Art. 14(3)(a)-(c)).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdprlab.crm.schema import TABLES
from gdprlab.generator.config import GeneratorConfig
from gdprlab.generator.labels import Labels, pick, split
from gdprlab.regulation.law import month_deadline
from gdprlab.regulation.policy import Policy

#: the contacts columns made here (not by the shards)
COLUMNS = ("obtained_from", "art14_notice_on", "first_disclosed_on", "art14_exemption")
THIRD_PARTIES = ("purchased_list", "partner_referral", "public_source", "enrichment")
THIRD_PARTY_SHARE = 0.12  # live contacts obtained from a third party
UNKNOWN_SHARE = 0.05  # live contacts whose source is not recorded
EXEMPT_SHARE = 0.05  # of those from a third party: an Art. 14(5) exemption recorded
EXEMPTION = "14(5)(a) already informed by the partner's notice naming the organisation"
DISCLOSED_SHARE = 0.3  # of those from a third party: passed on to a recipient (a partner), the day recorded
#: activity types that are a communication to the contact (as the rule reads them)
COMMUNICATIONS = ("call", "email", "marketing_email", "meeting")
_NAT = np.datetime64("NaT", "D")


def first_communication(contacts: pd.DataFrame, activities: pd.DataFrame) -> np.ndarray:
    """Per contact (in order), the day of the first communication activity; NaT for none."""
    sent = activities[activities["type"].isin(COMMUNICATIONS) & activities["occurred_at"].notna()]
    first = pd.to_datetime(sent["occurred_at"]).groupby(sent["contact_id"].to_numpy()).min()
    days = first.reindex(contacts["contact_id"].to_numpy()).to_numpy(dtype="datetime64[D]")
    return days


def add_sources(cfg: GeneratorConfig, policy: Policy, contacts: pd.DataFrame, activities: pd.DataFrame,
                labels: Labels) -> pd.DataFrame:
    """contacts with obtained_from, art14_notice_on and art14_exemption, in the schema's column order."""
    rng = np.random.default_rng([cfg.seed, 1403])
    n = len(contacts)
    as_of = np.datetime64(cfg.as_of, "D")
    created = pd.to_datetime(contacts["created_at"]).to_numpy(dtype="datetime64[D]")
    live = (contacts["status"] != "erased").to_numpy() & ~np.isnat(created)
    u = rng.random(n)
    third = live & (u < THIRD_PARTY_SHARE)
    unknown = live & (u >= 1 - UNKNOWN_SHARE)
    source = np.where(third, np.array(THIRD_PARTIES, dtype=object)[rng.integers(len(THIRD_PARTIES), size=n)],
                      np.where(live & ~unknown, "data_subject", None)).astype(object)
    exempt = third & (rng.random(n) < EXEMPT_SHARE)
    deadline = np.full(n, _NAT)
    deadline[third] = month_deadline(created[third], 1, policy.controller_country,
                                     policy.controller_subdivision)
    first = first_communication(contacts, activities)
    contacted = ~np.isnat(first) & (first <= as_of)
    # a first disclosure to a recipient (Art. 14(3)(c)): a day from the creation to as-of
    shared = third & (rng.random(n) < DISCLOSED_SHARE)
    until = np.maximum((as_of - created).astype("timedelta64[D]").astype(np.int64), 0)
    disclosed = np.where(shared, created + (rng.random(n) * (until + 1)).astype(np.int64).astype(
        "timedelta64[D]"), _NAT)
    contacted |= ~np.isnat(disclosed)
    # the day the notice is due: the month's end, or the first communication or disclosure if earlier
    limit = np.fmin(np.fmin(deadline, first), disclosed)
    # a lawful notice: on a day from the creation to the limit (and not after as-of)
    latest = np.minimum(limit, as_of)
    span = np.maximum((latest - created).astype("timedelta64[D]").astype(np.int64), 0)
    on_time = np.minimum(created + (rng.random(n) * (span + 1)).astype(np.int64).astype("timedelta64[D]"),
                         latest)
    due = third & ~exempt & ((deadline < as_of) | contacted)  # a notice is owed by now
    pending = third & ~exempt & ~due  # within the month, not yet contacted: a notice may still come
    notice = np.where(third & ~exempt & ~(pending & (rng.random(n) < 0.5)), on_time, _NAT)
    planted = pick(rng, due, cfg.rate("third_party_data_without_notice"), int(third.sum()))
    missing, late = split(rng, planted, 2)
    notice[missing] = _NAT
    later = limit[late] + (1 + rng.integers(0, 20, size=len(late))).astype("timedelta64[D]")
    notice[late] = np.where(later <= as_of, later, _NAT)
    labels.add("third_party_data_without_notice", "contacts", contacts["contact_id"].to_numpy()[planted],
               int(third.sum()))
    out = contacts.assign(obtained_from=pd.Series(source, index=contacts.index, dtype=object),
                          art14_notice_on=notice, first_disclosed_on=disclosed,
                          art14_exemption=pd.Series(np.where(exempt, EXEMPTION, None), index=contacts.index,
                                                    dtype=object))
    schema = [c for c in TABLES["contacts"].column_names if c in out.columns]
    return out[schema + [c for c in out.columns if c not in schema]]
