"""Activities: calls, meetings, e-mails and notes written by staff, and marketing sends.

Clean marketing goes only to contacts with a consent for the purpose that is neither withdrawn nor
overridden by an objection at send time, or to existing customers under legitimate interests (6(1)(f)).
Planting then moves sends to purposes never consented to, withdraws consents just before the last send,
or files an objection just before it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gdprlab.generator import notes
from gdprlab.generator.config import GeneratorConfig
from gdprlab.generator.consents import PURPOSES, ConsentKeys
from gdprlab.generator.contacts import ContactPlan
from gdprlab.generator.frames import arrow_text, frame, take
from gdprlab.generator.labels import Labels, format_ids, id_array, pick
from gdprlab.generator.requests import answer
from gdprlab.generator.timeutil import between, to_day, to_second

BASE_TYPES = {"call": 0.35, "meeting": 0.15, "email": 0.25, "note": 0.25}
WITH_NOTE = ("call", "meeting", "note")
SENDS_PER_CONSENT = 1.2
LI_SHARE = 0.3


def _marketing_stop(contacts: pd.DataFrame, requests: pd.DataFrame) -> np.ndarray:
    """Last second a contact may receive marketing: before any objection's day, and by its last activity."""
    objection = requests[requests["type"] == "objection"].groupby("contact_id")["received_on"].min()
    row = pc.index_in(pa.array(objection.index.to_numpy(), type=pa.string()),
                      value_set=arrow_text(contacts["contact_id"])).to_numpy(zero_copy_only=False)
    known = ~pd.isna(row)
    row = row[known].astype(np.int64)
    first_day = objection.to_numpy()[known].astype("datetime64[D]")
    stop = contacts["last_activity_at"].to_numpy().astype("datetime64[s]")
    stop[row] = np.minimum(stop[row], to_second(first_day) - 1)
    return stop


TYPES = ("call", "email", "marketing_email", "meeting", "note")  # sorted, so codes order like the names
MARKETING = TYPES.index("marketing_email")
BASES = np.array([None, "6(1)(a)", "6(1)(f)"], dtype=object)  # lawful basis codes: none, consent, LI
OFFERS = list(PURPOSES).index("product_offers")


def _sends(rng: np.random.Generator, contacts: pd.DataFrame, consents: pd.DataFrame, keys: ConsentKeys,
           stop: np.ndarray) -> dict[str, np.ndarray]:
    """Marketing e-mails under consent (inside its validity) and to customers under legitimate interests."""
    upper = stop[keys.row]
    withdrawn = consents["withdrawn_at"].to_numpy()
    upper = np.where(np.isnat(withdrawn), upper, np.minimum(upper, withdrawn - np.timedelta64(1, "s")))
    lower = consents["given_at"].to_numpy() + np.timedelta64(1, "s")
    count = rng.poisson(SENDS_PER_CONSENT, size=len(keys.row)) * (upper >= lower)
    rep = np.repeat(np.arange(len(keys.row)), count)
    consented_at = between(rng, lower[rep], upper[rep])
    has_offer_consent = np.zeros(len(contacts), dtype=bool)
    has_offer_consent[keys.row[keys.purpose == OFFERS]] = True
    created = contacts["created_at"].to_numpy()
    li = (contacts["status"] == "customer").to_numpy() & ~has_offer_consent
    li &= rng.random(len(contacts)) < LI_SHARE
    li &= stop >= created
    li_rep = np.repeat(np.flatnonzero(li), 1 + rng.poisson(0.5, size=int(li.sum())))
    k = len(rep) + len(li_rep)
    return {"row": np.concatenate([keys.row[rep], li_rep]), "type": np.full(k, MARKETING),
            "occurred_at": np.concatenate([consented_at, between(rng, created[li_rep], stop[li_rep])]),
            "forced_note": np.zeros(k, dtype=bool),
            "purpose": np.concatenate([keys.purpose[rep], np.full(len(li_rep), OFFERS)]),
            "basis": np.repeat(np.array([1, 2]), [len(rep), len(li_rep)])}


def _criminal(plan: ContactPlan) -> np.ndarray:
    """The contacts to write an Art. 10 note about (none when the plan says nothing of them)."""
    return plan.criminal_note if plan.criminal_note is not None else np.zeros(len(plan.erased), dtype=bool)


def _base(rng: np.random.Generator, contacts: pd.DataFrame, plan: ContactPlan) -> dict[str, np.ndarray]:
    """One or more staff activities per contact, the latest exactly at last_activity_at and, but for the
    notes that must be written, an interaction (a call: a note filed by staff is none)."""
    n = len(contacts)
    count = 1 + rng.poisson(1.0, size=n)
    row = np.repeat(np.arange(n), count)
    first = np.r_[True, row[1:] != row[:-1]]
    created = contacts["created_at"].to_numpy()[row]
    last = contacts["last_activity_at"].to_numpy()[row]
    when = np.where(first, last, between(rng, created, last))
    codes = np.array([TYPES.index(t) for t in BASE_TYPES])
    kind = codes[rng.choice(len(codes), size=len(row), p=list(BASE_TYPES.values()))]
    forced = (plan.special_note | plan.health_note | plan.erasure_keeps_notes | _criminal(plan))[row] & first
    kind[first & (kind == TYPES.index("note"))] = TYPES.index("call")  # the latest is an interaction ...
    kind[forced] = TYPES.index("note")  # ... but a note that must be written (gdprlab.generator.lifecycle)
    return {"row": row, "type": kind, "occurred_at": when, "forced_note": forced,
            "purpose": np.full(len(row), -1), "basis": np.zeros(len(row), dtype=np.int64)}


def make_activities(cfg: GeneratorConfig, rng: np.random.Generator, contacts: pd.DataFrame, plan: ContactPlan,
                    consents: pd.DataFrame, keys: ConsentKeys, requests: pd.DataFrame, staff: pd.DataFrame,
                    labels: Labels) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Activities with notes and planted marketing violations; returns them and the objection requests added.

    Columns are kept as numpy arrays (types, purposes and bases as small integer codes) until the one
    DataFrame at the end: pandas string columns cost a conversion on every access.
    """
    stop = _marketing_stop(contacts, requests)
    base, sends = _base(rng, contacts, plan), _sends(rng, contacts, consents, keys, stop)
    act = {c: np.concatenate([base[c], sends[c]]) for c in base}
    order = _chronological(act["row"], act["occurred_at"], act["type"])
    act = {c: v[order] for c, v in act.items()}
    added = _plant_marketing(cfg, rng, act, consents, keys, contacts, labels)
    staff_id, note = _staff_and_notes(rng, act, contacts, plan, staff)
    purposes = pa.array([*PURPOSES, None], type=pa.string())  # the last is no purpose (code -1)
    return frame({
        "activity_id": id_array("E", np.arange(1, len(order) + 1), 8),
        "contact_id": take(arrow_text(contacts["contact_id"]), act["row"]), "staff_id": staff_id,
        "type": take(pa.array(TYPES), act["type"]),
        "purpose": take(purposes, np.where(act["purpose"] < 0, len(PURPOSES), act["purpose"])),
        "lawful_basis": take(pa.array(BASES), act["basis"]), "occurred_at": act["occurred_at"], "note": note,
    }), added


def _chronological(row: np.ndarray, when: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """The order by contact row, then time, then type (a stable sort, as np.lexsort gives).

    The three fit one int64 key for any realistic dataset, and sorting one key is ten times faster.
    """
    sec = when.astype("datetime64[s]").astype(np.int64)
    span = int(sec.max() - sec.min()) if len(sec) else 0
    if len(row) and (row.max() >= 2**29 or span >= 2**31 or kind.max() >= 8 or kind.min() < 0):
        return np.lexsort((kind, when, row))
    key = (row.astype(np.int64) << 34) | ((sec - (sec.min() if len(sec) else 0)) << 3) | kind
    return np.argsort(key, kind="stable")


def _activity_ids(rows: np.ndarray) -> np.ndarray:
    """The ids of activities by their (final) row numbers."""
    return format_ids("E", rows + 1, 8)


def _plant_marketing(cfg: GeneratorConfig, rng: np.random.Generator, act: dict[str, np.ndarray],
                     consents: pd.DataFrame, keys: ConsentKeys, contacts: pd.DataFrame,
                     labels: Labels) -> pd.DataFrame:
    send = act["type"] == MARKETING
    population = int(send.sum())
    n_purposes = len(PURPOSES)
    has = np.zeros((len(contacts), n_purposes), dtype=bool)
    has[keys.row, keys.purpose] = True
    row = act["row"]
    by_consent = send & (act["basis"] == 1)
    no_basis = pick(rng, by_consent & ~has[row].all(axis=1), cfg.rate("marketing_without_basis"), population)
    score = rng.random((len(no_basis), n_purposes)) - has[row[no_basis]]
    act["purpose"][no_basis] = score.argmax(axis=1)
    labels.add("marketing_without_basis", "activities", _activity_ids(no_basis), population)

    free = by_consent.copy()
    free[no_basis] = False
    k = int(round(cfg.rate("processing_after_withdrawal") * population))
    a = _withdraw_before_last(rng, act, consents, keys, free, send, (k + 1) // 2)
    taken = np.zeros(len(row), dtype=bool)
    taken[no_basis] = True
    taken[a] = True
    b, added = _object_before_last(cfg, rng, act, contacts, send, taken, k - len(a))
    labels.add("processing_after_withdrawal", "activities", _activity_ids(np.r_[a, b]), population)
    return added


def _last_and_previous(key: np.ndarray, idx: np.ndarray, when: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows `idx` (already in time order within each key): is each the last of its key, and the time
    of the row before it with the same key (NaT for the first)."""
    is_last = np.zeros(len(key), dtype=bool)
    before = np.full(len(key), np.datetime64("NaT"), dtype="datetime64[s]")
    if len(idx) == 0:
        return is_last, before
    order = idx[np.argsort(key[idx], kind="stable")]
    k = key[order]
    last = np.r_[k[1:] != k[:-1], True]
    prev = np.r_[np.datetime64("NaT", "s"), when[order][:-1]].astype("datetime64[s]")
    prev[np.r_[True, k[1:] != k[:-1]]] = np.datetime64("NaT")
    is_last[order[last]] = True
    before[order] = prev
    return is_last, before


def _withdraw_before_last(rng: np.random.Generator, act: dict[str, np.ndarray], consents: pd.DataFrame,
                          keys: ConsentKeys, free: np.ndarray, send: np.ndarray, k: int) -> np.ndarray:
    """Move the consent's withdrawal to just before the last send of its purpose (after the one before)."""
    pcode = act["purpose"]
    row = act["row"]
    when = act["occurred_at"].astype("datetime64[s]")
    is_last, prev = _last_and_previous(row.astype(np.int64) * 8 + pcode, np.flatnonzero(send), when)
    eligible = free & is_last
    chosen = pick(rng, eligible, 1.0, min(k, int(eligible.sum())))
    consent_key = keys.row.astype(np.int64) * 8 + keys.purpose
    by_key = np.argsort(consent_key, kind="stable")
    rows = by_key[np.searchsorted(consent_key[by_key], row[chosen].astype(np.int64) * 8 + pcode[chosen])]
    given = consents["given_at"].to_numpy().astype("datetime64[s]")[rows]
    lo = np.where(np.isnat(prev[chosen]), given, np.maximum(given, prev[chosen])) + np.timedelta64(1, "s")
    withdrawn = consents["withdrawn_at"].to_numpy().astype("datetime64[s]")
    withdrawn[rows] = between(rng, lo, when[chosen])
    consents["withdrawn_at"] = withdrawn
    return chosen


def _object_before_last(cfg: GeneratorConfig, rng: np.random.Generator, act: dict[str, np.ndarray],
                        contacts: pd.DataFrame, send: np.ndarray, taken: np.ndarray,
                        k: int) -> tuple[np.ndarray, pd.DataFrame]:
    """File an objection on a day after the contact's previous send and on or before its last send."""
    row = act["row"]
    when = act["occurred_at"].astype("datetime64[s]")
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
    added = pd.DataFrame({"contact_id": contacts["contact_id"].to_numpy()[row[chosen]], "type": "objection",
                          "received_on": received, "extension_notified_on": notice, "responded_on": reply,
                          "erased_contact": False})
    return chosen, added


def _staff_and_notes(rng: np.random.Generator, act: dict[str, np.ndarray], contacts: pd.DataFrame,
                     plan: ContactPlan, staff: pd.DataFrame) -> tuple[pa.Array, pa.Array]:
    """Who logged each staff activity, and what they wrote (in the contact's language), as Arrow arrays."""
    users = staff[staff["crm_access"] != "none"]
    n = len(act["row"])
    staff_row = rng.integers(len(users), size=n)
    human = act["type"] != MARKETING
    staff_id = take(arrow_text(users["staff_id"]), staff_row, missing=~human)
    row = act["row"]
    forced = act["forced_note"]
    with_note = np.isin(act["type"], [TYPES.index(t) for t in WITH_NOTE])
    has_note = with_note & ((rng.random(n) < 0.9) | forced)
    special = forced & plan.special_note[row]
    categories = np.array(notes.SPECIAL_CATEGORIES, dtype=object)
    special_kinds = categories[rng.integers(len(categories), size=int(special.sum()))]
    idx = np.flatnonzero(has_note)
    kinds = np.full(len(idx), "neutral", dtype=object)  # of the rows with a note
    kinds[special[idx]] = special_kinds  # forced notes are always written
    kinds[(forced & plan.health_note[row])[idx]] = "health"
    kinds[(forced & _criminal(plan)[row])[idx]] = "criminal"
    colleague = take(arrow_text(users["name"]), rng.integers(len(users), size=len(idx)))
    text = notes.compose_notes_arrow(contacts["language"].to_numpy()[row[idx]], kinds,
                                     take(arrow_text(plan.first_names), row[idx]),
                                     take(arrow_text(plan.last_names), row[idx]), colleague, rng)
    position = np.full(n, -1)
    position[idx] = np.arange(len(idx))
    position[plan.erased[row] & ~plan.erasure_keeps_notes[row]] = -1  # erased with the contact
    return staff_id, take(text, position, missing=position < 0)
