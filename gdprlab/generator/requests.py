"""Data-subject requests: answered on time in clean data; late replies and late extension notices planted.

Deadlines are computed with gdprlab.regulation.law (calendar months, rolled over weekends and the public
holidays of the policy's controller_country), the same functions the checks use, so a planted late reply is
late by the Regulation's count and a clean one is not. On-time replies are drawn from the deadlines
without holidays, which holidays only make later.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdprlab.generator.config import GeneratorConfig
from gdprlab.generator.contacts import ContactPlan
from gdprlab.generator.labels import Labels, ids, pick
from gdprlab.generator.timeutil import to_day
from gdprlab.regulation.law import EXTENDED_RESPONSE_MONTHS, RESPONSE_MONTHS, month_deadline
from gdprlab.regulation.policy import Policy

TYPES = {
    "access": 0.38,
    "rectification": 0.17,
    "erasure": 0.12,
    "restriction": 0.05,
    "portability": 0.10,
    "objection": 0.18,
}
REQUEST_SHARE = 0.03
EXTENSION_SHARE = 0.1


def _days(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    lo = np.asarray(lo, dtype="datetime64[D]")
    span = np.maximum((np.asarray(hi, dtype="datetime64[D]") - lo).astype(np.int64), 0)
    return lo + (rng.random(len(lo)) * (span + 1)).astype(np.int64).astype("timedelta64[D]")


def answer(
    rng: np.random.Generator, received: np.ndarray, as_of: np.datetime64, extended: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """On-time reply dates (and extension notices) for requests; replies after the as-of date stay open."""
    d1 = month_deadline(received, RESPONSE_MONTHS)
    d3 = month_deadline(received, EXTENDED_RESPONSE_MONTHS)
    notice = np.where(extended, _days(rng, received + 1, d1), np.datetime64("NaT"))
    reply = np.where(extended, _days(rng, d1 + 1, d3), _days(rng, received, np.minimum(received + 25, d1)))
    notice = np.where(notice > as_of, np.datetime64("NaT"), notice).astype("datetime64[D]")
    reply = np.where(reply > as_of, np.datetime64("NaT"), reply).astype("datetime64[D]")
    return reply, notice


def make_requests(
    cfg: GeneratorConfig, rng: np.random.Generator, contacts: pd.DataFrame, plan: ContactPlan
) -> pd.DataFrame:
    """General requests of living contacts, plus the completed erasure request of every erased contact."""
    as_of = np.datetime64(cfg.as_of)
    live = np.flatnonzero(~plan.erased)
    n = max(5, int(round(REQUEST_SHARE * len(contacts))))
    who = np.sort(rng.choice(live, size=min(n, len(live)), replace=False))
    kinds = np.array(list(TYPES), dtype=object)[rng.choice(len(TYPES), size=len(who), p=list(TYPES.values()))]
    received = _days(rng, to_day(contacts["created_at"].to_numpy()[who]), np.full(len(who), as_of))
    erased = np.flatnonzero(plan.erased)
    erased_received = to_day(contacts["last_activity_at"].to_numpy()[erased]) + rng.integers(
        1, 10, len(erased)
    )
    df = pd.DataFrame(
        {
            "contact_id": np.concatenate(
                [contacts["contact_id"].to_numpy()[who], contacts["contact_id"].to_numpy()[erased]]
            ),
            "type": np.concatenate([kinds, np.full(len(erased), "erasure", dtype=object)]),
            "received_on": np.concatenate([received, erased_received]).astype("datetime64[D]"),
        }
    )
    extended = (rng.random(len(df)) < EXTENSION_SHARE) & (df["type"] != "erasure").to_numpy()
    extended[len(who) :] = False
    reply, notice = answer(rng, df["received_on"].to_numpy(), as_of, extended)
    df["extension_notified_on"], df["responded_on"] = notice, reply
    df["erased_contact"] = np.r_[np.zeros(len(who), bool), np.ones(len(erased), bool)]
    return df


def finish_requests(
    cfg: GeneratorConfig,
    policy: Policy,
    rng: np.random.Generator,
    df: pd.DataFrame,
    plan: ContactPlan,
    contacts: pd.DataFrame,
    labels: Labels,
) -> pd.DataFrame:
    """Number the requests, plant late replies and late extension notices, set statuses, label.

    A late extension notice does not extend the deadline: those requests, replied to (or still open) after
    one month, are overdue too.
    """
    as_of = np.datetime64(cfg.as_of)
    df = df.sort_values(["received_on", "contact_id"], kind="stable").reset_index(drop=True)
    df.insert(0, "request_id", ids("R", 1, len(df), 6))
    received = df["received_on"].to_numpy()
    place = policy.controller_country, policy.controller_subdivision
    d1 = month_deadline(received, RESPONSE_MONTHS, *place)
    d3 = month_deadline(received, EXTENDED_RESPONSE_MONTHS, *place)
    can_be_late = pd.isna(df["extension_notified_on"]).to_numpy() & (d1 < as_of - 1)
    erased = df["erased_contact"].to_numpy()

    late = pick(rng, can_be_late, cfg.rate("request_overdue"), len(df))
    reply = d1[late] + rng.integers(1, 31, size=len(late)).astype("timedelta64[D]")
    reply = np.where(erased[late], np.minimum(reply, as_of), reply)
    df.loc[late, "responded_on"] = np.where(reply > as_of, np.datetime64("NaT"), reply).astype(
        "datetime64[D]"
    )
    labels.add("request_overdue", "requests", df["request_id"].to_numpy()[late], len(df))

    rest = can_be_late.copy()
    rest[late] = False
    ext = pick(rng, rest, cfg.rate("extension_not_notified"), len(df))
    notice = np.minimum(d1[ext] + rng.integers(1, 11, size=len(ext)).astype("timedelta64[D]"), as_of)
    reply = _days(rng, notice, d3[ext])
    reply = np.where(erased[ext], np.minimum(reply, as_of), reply)
    df.loc[ext, "extension_notified_on"] = notice
    df.loc[ext, "responded_on"] = np.where(reply > as_of, np.datetime64("NaT"), reply).astype("datetime64[D]")
    labels.add("extension_not_notified", "requests", df["request_id"].to_numpy()[ext], len(df))
    labels.add("request_overdue", "requests", df["request_id"].to_numpy()[ext], 0)  # replied after d1

    answered = pd.notna(df["responded_on"]).to_numpy()
    refused = answered & ~erased & (df["type"] == "erasure").to_numpy()
    df["status"] = np.where(answered, np.where(refused, "refused", "completed"), "open")
    incomplete_contacts = set(contacts["contact_id"].to_numpy()[plan.erasure_incomplete])
    bad = erased & df["contact_id"].isin(incomplete_contacts).to_numpy()
    labels.add("erasure_incomplete", "requests", df["request_id"].to_numpy()[bad], int(erased.sum()))
    return df.drop(columns="erased_contact")
