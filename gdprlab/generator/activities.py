"""Activities: calls, meetings, e-mails and notes written by staff, and marketing sends.

Clean marketing goes only to contacts with a consent for the purpose that is neither withdrawn nor
overridden by an objection at send time, or to existing customers under legitimate interests (6(1)(f)).
Planting then moves sends to purposes never consented to, withdraws consents just before the last send,
or files an objection just before it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdprlab import notes
from gdprlab.generator.config import GeneratorConfig
from gdprlab.generator.consents import PURPOSES
from gdprlab.generator.contacts import ContactPlan
from gdprlab.generator.labels import Labels, ids, pick
from gdprlab.generator.requests import answer
from gdprlab.generator.timeutil import DAY, between, to_day, to_second

BASE_TYPES = {"call": 0.35, "meeting": 0.15, "email": 0.25, "note": 0.25}
WITH_NOTE = ("call", "meeting", "note")
SENDS_PER_CONSENT = 1.2
LI_SHARE = 0.3


def _marketing_stop(contacts: pd.DataFrame, requests: pd.DataFrame) -> np.ndarray:
    """Last second a contact may receive marketing: before any objection's day, and by its last activity."""
    objection = requests[requests["type"] == "objection"].groupby("contact_id")["received_on"].min()
    first_obj = contacts["contact_id"].map(objection).to_numpy().astype("datetime64[D]")
    stop = contacts["last_activity_at"].to_numpy().astype("datetime64[s]")
    has = ~np.isnat(first_obj)
    stop[has] = np.minimum(stop[has], to_second(first_obj[has]) - 1)
    return stop


def _sends(rng: np.random.Generator, contacts: pd.DataFrame, consents: pd.DataFrame,
           stop: np.ndarray) -> pd.DataFrame:
    row = contacts.reset_index().set_index("contact_id")["index"]
    c_row = consents["contact_id"].map(row).to_numpy()
    upper = stop[c_row]
    withdrawn = consents["withdrawn_at"].to_numpy()
    upper = np.where(np.isnat(withdrawn), upper, np.minimum(upper, withdrawn - np.timedelta64(1, "s")))
    lower = consents["given_at"].to_numpy() + np.timedelta64(1, "s")
    count = rng.poisson(SENDS_PER_CONSENT, size=len(consents)) * (upper >= lower)
    rep = np.repeat(np.arange(len(consents)), count)
    consented = pd.DataFrame({"row": c_row[rep], "purpose": consents["purpose"].to_numpy()[rep],
                              "lawful_basis": "6(1)(a)", "occurred_at": between(rng, lower[rep], upper[rep])})
    has_offer_consent = set(consents.loc[consents["purpose"] == "product_offers", "contact_id"])
    li = (contacts["status"] == "customer").to_numpy() & ~contacts["contact_id"].isin(has_offer_consent).to_numpy()
    li &= rng.random(len(contacts)) < LI_SHARE
    li &= stop >= contacts["created_at"].to_numpy()
    li_rep = np.repeat(np.flatnonzero(li), 1 + rng.poisson(0.5, size=int(li.sum())))
    legit = pd.DataFrame({"row": li_rep, "purpose": "product_offers", "lawful_basis": "6(1)(f)",
                          "occurred_at": between(rng, contacts["created_at"].to_numpy()[li_rep], stop[li_rep])})
    out = pd.concat([consented, legit], ignore_index=True)
    out["type"] = "marketing_email"
    return out


def _base(rng: np.random.Generator, contacts: pd.DataFrame, plan: ContactPlan) -> pd.DataFrame:
    """One or more staff activities per contact, the latest exactly at last_activity_at."""
    n = len(contacts)
    count = 1 + rng.poisson(1.0, size=n)
    row = np.repeat(np.arange(n), count)
    first = np.r_[True, row[1:] != row[:-1]]
    created = contacts["created_at"].to_numpy()[row]
    last = contacts["last_activity_at"].to_numpy()[row]
    when = np.where(first, last, between(rng, created, last))
    names = np.array(list(BASE_TYPES), dtype=object)
    kind = names[rng.choice(len(names), size=len(row), p=list(BASE_TYPES.values()))]
    forced = (plan.special_note | plan.health_note | plan.erasure_keeps_notes)[row] & first
    kind[forced] = "note"
    return pd.DataFrame({"row": row, "type": kind, "occurred_at": when, "forced_note": forced,
                         "purpose": None, "lawful_basis": None})


def make_activities(cfg: GeneratorConfig, rng: np.random.Generator, contacts: pd.DataFrame, plan: ContactPlan,
                    consents: pd.DataFrame, requests: pd.DataFrame, staff: pd.DataFrame,
                    labels: Labels) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Activities with notes and planted marketing violations; returns them and the objection requests added."""
    stop = _marketing_stop(contacts, requests)
    df = pd.concat([_base(rng, contacts, plan), _sends(rng, contacts, consents, stop)], ignore_index=True)
    df["forced_note"] = df["forced_note"].fillna(False).astype(bool)
    df = df.sort_values(["row", "occurred_at", "type"], kind="stable").reset_index(drop=True)
    df["contact_id"] = contacts["contact_id"].to_numpy()[df["row"].to_numpy()]
    df["activity_id"] = ids("E", 1, len(df), 8)
    added = _plant_marketing(cfg, rng, df, consents, contacts, labels)
    _staff_and_notes(rng, df, contacts, plan, staff)
    cols = ["activity_id", "contact_id", "staff_id", "type", "purpose", "lawful_basis", "occurred_at", "note"]
    return df[cols], added


def _plant_marketing(cfg: GeneratorConfig, rng: np.random.Generator, df: pd.DataFrame, consents: pd.DataFrame,
                     contacts: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    send = (df["type"] == "marketing_email").to_numpy()
    population = int(send.sum())
    purposes = np.array(list(PURPOSES), dtype=object)
    consent_row = pd.Index(contacts["contact_id"]).get_indexer(consents["contact_id"])
    consent_purpose = pd.Index(purposes).get_indexer(consents["purpose"])
    has = np.zeros((len(contacts), len(purposes)), dtype=bool)
    has[consent_row, consent_purpose] = True
    row = df["row"].to_numpy()
    by_consent = send & (df["lawful_basis"] == "6(1)(a)").to_numpy()
    no_basis = pick(rng, by_consent & ~has[row].all(axis=1), cfg.rate("marketing_without_basis"), population)
    score = rng.random((len(no_basis), len(purposes))) - has[row[no_basis]]
    df.loc[no_basis, "purpose"] = purposes[score.argmax(axis=1)]
    labels.add("marketing_without_basis", "activities", df["activity_id"].to_numpy()[no_basis], population)

    free = by_consent.copy()
    free[no_basis] = False
    k = int(round(cfg.rate("processing_after_withdrawal") * population))
    consent_at = {(r, p): i for i, (r, p) in enumerate(zip(consent_row, consent_purpose, strict=True))}
    a = _withdraw_before_last(rng, df, consents, consent_at, purposes, free, send, (k + 1) // 2)
    taken = np.zeros(len(df), dtype=bool)
    taken[no_basis] = True
    taken[a] = True
    b, added = _object_before_last(cfg, rng, df, contacts, send, taken, k - len(a))
    labels.add("processing_after_withdrawal", "activities", df["activity_id"].to_numpy()[np.r_[a, b]], population)
    return added


def _last_and_previous(key: np.ndarray, idx: np.ndarray, when: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows `idx` (already in time order within each key): is each the last of its key, and the time
    of the row before it with the same key (NaT for the first)."""
    order = idx[np.argsort(key[idx], kind="stable")]
    k = key[order]
    last = np.r_[k[1:] != k[:-1], True]
    prev = np.r_[np.datetime64("NaT", "s"), when[order][:-1]].astype("datetime64[s]")
    prev[np.r_[True, k[1:] != k[:-1]]] = np.datetime64("NaT")
    is_last = np.zeros(len(key), dtype=bool)
    is_last[order[last]] = True
    before = np.full(len(key), np.datetime64("NaT"), dtype="datetime64[s]")
    before[order] = prev
    return is_last, before


def _withdraw_before_last(rng: np.random.Generator, df: pd.DataFrame, consents: pd.DataFrame, consent_at: dict,
                          purposes: np.ndarray, free: np.ndarray, send: np.ndarray, k: int) -> np.ndarray:
    """Move the consent's withdrawal to just before the last send of its purpose (after the one before)."""
    pcode = pd.Index(purposes).get_indexer(df["purpose"].fillna(""))
    row = df["row"].to_numpy()
    when = df["occurred_at"].to_numpy().astype("datetime64[s]")
    is_last, prev = _last_and_previous(row.astype(np.int64) * 8 + pcode, np.flatnonzero(send), when)
    eligible = free & is_last
    chosen = pick(rng, eligible, 1.0, min(k, int(eligible.sum())))
    rows = np.array([consent_at[(r, p)] for r, p in zip(row[chosen], pcode[chosen], strict=True)], dtype=np.int64)
    given = consents["given_at"].to_numpy().astype("datetime64[s]")[rows]
    lo = np.where(np.isnat(prev[chosen]), given, np.maximum(given, prev[chosen])) + np.timedelta64(1, "s")
    withdrawn = consents["withdrawn_at"].to_numpy().astype("datetime64[s]")
    withdrawn[rows] = between(rng, lo, when[chosen])
    consents["withdrawn_at"] = withdrawn
    return chosen


def _object_before_last(cfg: GeneratorConfig, rng: np.random.Generator, df: pd.DataFrame, contacts: pd.DataFrame,
                        send: np.ndarray, taken: np.ndarray, k: int) -> tuple[np.ndarray, pd.DataFrame]:
    """File an objection on a day after the contact's previous send and on or before its last send."""
    row = df["row"].to_numpy()
    when = df["occurred_at"].to_numpy().astype("datetime64[s]")
    is_last, prev = _last_and_previous(row.astype(np.int64), np.flatnonzero(send), when)
    created = contacts["created_at"].to_numpy().astype("datetime64[s]")[row]
    prev = np.where(np.isnat(prev), created, prev)
    room = to_day(when) > to_day(prev)
    used = np.zeros(len(contacts), dtype=bool)
    used[row[taken]] = True
    eligible = is_last & room & ~taken & ~used[row]
    chosen = pick(rng, eligible, 1.0, min(k, int(eligible.sum())))
    day_lo = to_day(prev[chosen]) + 1
    span = (to_day(when[chosen]) - day_lo).astype(np.int64) + 1
    received = day_lo + (rng.random(len(chosen)) * span).astype(np.int64)
    reply, notice = answer(rng, received, np.datetime64(cfg.as_of), np.zeros(len(chosen), dtype=bool))
    added = pd.DataFrame({"contact_id": df["contact_id"].to_numpy()[chosen], "type": "objection",
                          "received_on": received, "extension_notified_on": notice, "responded_on": reply,
                          "erased_contact": False})
    return chosen, added


def _staff_and_notes(rng: np.random.Generator, df: pd.DataFrame, contacts: pd.DataFrame, plan: ContactPlan,
                     staff: pd.DataFrame) -> None:
    """Who logged each staff activity, and what they wrote (in the contact's language)."""
    users = staff[staff["crm_access"] != "none"]
    staff_row = rng.integers(len(users), size=len(df))
    human = (df["type"] != "marketing_email").to_numpy()
    df["staff_id"] = np.where(human, users["staff_id"].to_numpy()[staff_row], None)
    row = df["row"].to_numpy()
    has_note = np.isin(df["type"].to_numpy(), WITH_NOTE) & ((rng.random(len(df)) < 0.9) | df["forced_note"].to_numpy())
    kinds = np.full(len(df), "neutral", dtype=object)
    forced = df["forced_note"].to_numpy()
    special = forced & plan.special_note[row]
    kinds[special] = np.array(notes.SPECIAL_CATEGORIES, dtype=object)[rng.integers(len(notes.SPECIAL_CATEGORIES),
                                                                                  size=int(special.sum()))]
    kinds[forced & plan.health_note[row]] = "health"
    idx = np.flatnonzero(has_note)
    colleague = users["name"].to_numpy()[rng.integers(len(users), size=len(idx))]
    text, _spans = notes.compose_notes(contacts["language"].to_numpy()[row[idx]], kinds[idx],
                                       plan.first_names[row[idx]], plan.last_names[row[idx]], colleague, rng)
    note = np.full(len(df), None, dtype=object)
    note[idx] = text
    wiped = plan.erased[row] & ~plan.erasure_keeps_notes[row]
    note[wiped] = None
    df["note"] = note
