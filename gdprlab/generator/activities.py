"""Activities: calls, meetings, e-mails and notes written by staff, and marketing sends.

Clean marketing goes only to contacts with a consent for the purpose that is neither withdrawn nor
overridden by an objection at send time, or to existing customers under legitimate interests (6(1)(f))
within the soft opt-in (Dir. 2002/58 Art. 13(2): the organisation's own products, an unsubscribe link in
every message, the opt-out offered at collection). Some contacts who objected opt in again to one purpose
later, and are sent that purpose's marketing after it: lawful. Planting then moves sends to purposes never
consented to (some naming contract or legal obligation instead, which cannot cover marketing), sends e-mails
under 6(1)(f) to contacts who are not customers, drops the unsubscribe link or the opt-out at collection,
withdraws consents just before the last send, or files an objection just before it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gdprlab.generator import notes, pasted
from gdprlab.generator.config import GeneratorConfig
from gdprlab.generator.consents import PURPOSES, ConsentKeys
from gdprlab.generator.contacts import ContactPlan
from gdprlab.generator.frames import arrow_text, frame, take
from gdprlab.generator.labels import Labels, choose, format_ids, id_array, pick
from gdprlab.generator.requests import answer
from gdprlab.generator.timeutil import DAY, between, to_day, to_second

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
#: lawful basis codes: none, consent, legitimate interests, and contract and legal obligation (planted only)
BASES = np.array([None, "6(1)(a)", "6(1)(f)", "6(1)(b)", "6(1)(c)"], dtype=object)
CONSENT, LI, CONTRACT = 1, 2, 3
OFFERS = list(PURPOSES).index("product_offers")
PARTNER = list(PURPOSES).index("partner_offers")  # other organisations' products: never the soft opt-in's
FRESH_SHARE = 0.5  # adult contacts who objected and later opt in again to one purpose
ADULT = np.timedelta64(17 * 366, "D")  # older than every Art. 8 age when created, so never a child's consent


def _objection_days(contacts: pd.DataFrame, requests: pd.DataFrame, first: bool = True) -> np.ndarray:
    """Per contact row, the day of its first (or last) objection; NaT for none."""
    objections = requests[requests["type"] == "objection"].groupby("contact_id")["received_on"]
    day = objections.min() if first else objections.max()
    out = np.full(len(contacts), np.datetime64("NaT"), dtype="datetime64[D]")
    rows = pd.Index(contacts["contact_id"]).get_indexer(day.index)
    out[rows[rows >= 0]] = day.to_numpy()[rows >= 0].astype("datetime64[D]")
    return out


def _fresh_opt_ins(rng: np.random.Generator, contacts: pd.DataFrame, consents: pd.DataFrame,
                   keys: ConsentKeys, requests: pd.DataFrame) -> np.ndarray:
    """Move one consent of some adult contacts who objected to a day after the objection (not withdrawn):
    a fresh, specific opt-in that makes that purpose's marketing lawful again. Returns the consents moved."""
    objected = to_second(_objection_days(contacts, requests))[keys.row]
    last = contacts["last_activity_at"].to_numpy().astype("datetime64[s]")[keys.row]
    age = contacts["created_at"].to_numpy() - contacts["birth_date"].to_numpy()
    adult = (~pd.isna(age)) & (age >= ADULT)
    lo = objected + DAY
    eligible = ~np.isnat(objected) & (lo < last - DAY) & adult[keys.row]
    idx = np.flatnonzero(eligible)
    one = np.zeros(len(eligible), dtype=bool)
    one[idx[np.unique(keys.row[idx], return_index=True)[1]]] = True  # the first eligible consent of each
    fresh = choose(rng, one, int(round(FRESH_SHARE * one.sum())))
    given = consents["given_at"].to_numpy().astype("datetime64[s]")
    given[fresh] = between(rng, lo[fresh], last[fresh] - DAY)
    withdrawn = consents["withdrawn_at"].to_numpy().astype("datetime64[s]")
    withdrawn[fresh] = np.datetime64("NaT")
    consents["given_at"], consents["withdrawn_at"] = given, withdrawn
    moved = np.zeros(len(eligible), dtype=bool)
    moved[fresh] = True
    return moved


def _sends(rng: np.random.Generator, contacts: pd.DataFrame, consents: pd.DataFrame, keys: ConsentKeys,
           stop: np.ndarray, fresh: np.ndarray) -> dict[str, np.ndarray]:
    """Marketing e-mails under consent (inside its validity; a fresh opt-in's after the objection, up to the
    last activity) and to customers, since they became customers, under legitimate interests."""
    last = contacts["last_activity_at"].to_numpy().astype("datetime64[s]")
    upper = np.where(fresh, last[keys.row], stop[keys.row])
    withdrawn = consents["withdrawn_at"].to_numpy()
    upper = np.where(np.isnat(withdrawn), upper, np.minimum(upper, withdrawn - np.timedelta64(1, "s")))
    lower = consents["given_at"].to_numpy() + np.timedelta64(1, "s")
    count = (rng.poisson(SENDS_PER_CONSENT, size=len(keys.row)) + fresh) * (upper >= lower)  # a fresh one: 1+
    rep = np.repeat(np.arange(len(keys.row)), count)
    consented_at = between(rng, lower[rep], upper[rep])
    has_offer_consent = np.zeros(len(contacts), dtype=bool)
    has_offer_consent[keys.row[keys.purpose == OFFERS]] = True
    created = contacts["created_at"].to_numpy().astype("datetime64[s]")
    since = contacts["customer_since"].to_numpy().astype("datetime64[s]")
    customer_from = np.where(np.isnat(since), created, np.maximum(created, since))
    li = (contacts["status"] == "customer").to_numpy() & ~has_offer_consent
    li &= rng.random(len(contacts)) < LI_SHARE
    li &= stop >= customer_from
    li_rep = np.repeat(np.flatnonzero(li), 1 + rng.poisson(0.5, size=int(li.sum())))
    k = len(rep) + len(li_rep)
    li_at = between(rng, customer_from[li_rep], stop[li_rep])
    return {"row": np.concatenate([keys.row[rep], li_rep]), "type": np.full(k, MARKETING),
            "occurred_at": np.concatenate([consented_at, li_at]),
            "forced_note": np.zeros(k, dtype=bool),
            "purpose": np.concatenate([keys.purpose[rep], np.full(len(li_rep), OFFERS)]),
            "basis": np.repeat(np.array([CONSENT, LI]), [len(rep), len(li_rep)])}


def _criminal(plan: ContactPlan) -> np.ndarray:
    """The contacts to write an Art. 10 note about (none when the plan says nothing of them)."""
    return plan.criminal_note if plan.criminal_note is not None else np.zeros(len(plan.erased), dtype=bool)


def _category(plan: ContactPlan) -> np.ndarray:
    """The Art. 9(1) category of a note to write about each contact, or None (all None when the plan says
    nothing of them)."""
    return plan.note_category if plan.note_category is not None else np.full(len(plan.erased), None)


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
    own = rng.spawn(1)[0]  # the opt-ins and the soft opt-in's plants: a stream of their own
    fresh = _fresh_opt_ins(own, contacts, consents, keys, requests)
    paste_rng = rng.spawn(1)[0]  # identifiers pasted into notes: a stream of their own
    stop = _marketing_stop(contacts, requests)
    base, sends = _base(rng, contacts, plan), _sends(rng, contacts, consents, keys, stop, fresh)
    act = {c: np.concatenate([base[c], sends[c]]) for c in base}
    order = _chronological(act["row"], act["occurred_at"], act["type"])
    act = {c: v[order] for c, v in act.items()}
    marketing = act["type"] == MARKETING
    act["unsubscribe"] = marketing.copy()
    added = _plant_marketing(cfg, rng, own, act, consents, keys, contacts, requests, labels)
    staff_id, note, neutral = _staff_and_notes(rng, act, contacts, plan, staff)
    if plan.ibans is not None:  # identifiers pasted into notes, from a stream of their own
        note, pasted_rows = pasted.paste(paste_rng, cfg.rate("identifier_in_free_text"), note, neutral,
                                         act["row"], contacts, plan.ibans, plan.national_ids)
        labels.add("identifier_in_free_text", "activities", _activity_ids(pasted_rows),
                   int(pd.notna(note.to_numpy(zero_copy_only=False)).sum()))
    purposes = pa.array([*PURPOSES, None], type=pa.string())  # the last is no purpose (code -1)
    return frame({
        "activity_id": id_array("E", np.arange(1, len(order) + 1), 8),
        "contact_id": take(arrow_text(contacts["contact_id"]), act["row"]), "staff_id": staff_id,
        "type": take(pa.array(TYPES), act["type"]),
        "purpose": take(purposes, np.where(act["purpose"] < 0, len(PURPOSES), act["purpose"])),
        "lawful_basis": take(pa.array(BASES), act["basis"]), "occurred_at": act["occurred_at"],
        "unsubscribe_link": np.where(marketing, act["unsubscribe"], None),
        "own_similar_product": np.where(marketing, act["purpose"] != PARTNER, None), "note": note,
    }, objects=("unsubscribe_link", "own_similar_product")), added


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


def _plant_marketing(cfg: GeneratorConfig, rng: np.random.Generator, own: np.random.Generator,
                     act: dict[str, np.ndarray], consents: pd.DataFrame, keys: ConsentKeys,
                     contacts: pd.DataFrame, requests: pd.DataFrame, labels: Labels) -> pd.DataFrame:
    send = act["type"] == MARKETING
    population = int(send.sum())
    n_purposes = len(PURPOSES)
    has = np.zeros((len(contacts), n_purposes), dtype=bool)
    has[keys.row, keys.purpose] = True
    row = act["row"]
    objected = to_second(_objection_days(contacts, requests))[row]
    quiet = np.isnat(objected) | (act["occurred_at"] < objected)  # before any objection: late by no rule
    by_consent = send & (act["basis"] == CONSENT)
    eligible = by_consent & ~has[row].all(axis=1) & quiet
    no_basis = pick(rng, eligible, cfg.rate("marketing_without_basis"), population)
    consented = act["purpose"][no_basis].copy()
    score = rng.random((len(no_basis), n_purposes)) - has[row[no_basis]]
    act["purpose"][no_basis] = score.argmax(axis=1)
    # a third keep their purpose, and its consent, but name contract or legal obligation as their basis
    which = own.permutation(len(no_basis))[: len(no_basis) // 3]
    act["purpose"][no_basis[which]] = consented[which]
    act["basis"][no_basis[which]] = CONTRACT + own.integers(2, size=len(which))
    labels.add("marketing_without_basis", "activities", _activity_ids(no_basis), population)

    taken = np.zeros(len(row), dtype=bool)
    taken[no_basis] = True
    unsolicited = _plant_unsolicited(cfg, own, act, has, contacts, eligible & ~taken, send & ~taken,
                                     population)
    labels.add("electronic_marketing_without_consent", "activities", _activity_ids(unsolicited), population)
    taken[unsolicited] = True

    free = by_consent & ~taken
    k = int(round(cfg.rate("processing_after_withdrawal") * population))
    a = _withdraw_before_last(rng, act, consents, keys, free, send, (k + 1) // 2)
    taken[a] = True
    # not before a fresh opt-in's sends: the opt-in, after it, would make them lawful again
    b, added = _object_before_last(cfg, rng, act, consents, keys, contacts, send, taken | ~quiet, k - len(a))
    labels.add("processing_after_withdrawal", "activities", _activity_ids(np.r_[a, b]), population)
    return added


def _plant_unsolicited(cfg: GeneratorConfig, rng: np.random.Generator, act: dict[str, np.ndarray],
                       has: np.ndarray, contacts: pd.DataFrame, by_consent: np.ndarray, free: np.ndarray,
                       population: int) -> np.ndarray:
    """Marketing e-mails without consent outside the soft opt-in (Dir. 2002/58 Art. 13): a soft opt-in
    e-mail whose contact was offered no opt-out at collection (a contact with that one such e-mail), one
    without an unsubscribe link, and a consent-based send moved to a purpose never consented to under
    6(1)(f), to a contact who was no customer then. Returns their rows."""
    row = act["row"]
    k = int(round(cfg.rate("electronic_marketing_without_consent") * population))
    soft = free & (act["basis"] == LI)
    alone = soft & (np.bincount(row[soft], minlength=len(contacts))[row] == 1)
    no_opt_out = choose(rng, alone, k // 3)
    offered = contacts["opt_out_offered_at_collection"].to_numpy(copy=True)
    offered[row[no_opt_out]] = False
    contacts["opt_out_offered_at_collection"] = pd.Series(offered, index=contacts.index, dtype=object)
    soft[no_opt_out] = False
    no_link = choose(rng, soft, k // 3)
    act["unsubscribe"][no_link] = False
    since = contacts["customer_since"].to_numpy().astype("datetime64[D]")[row]
    lead = np.isnat(since) | (to_day(act["occurred_at"]) < since)
    kept = (contacts["status"] != "erased").to_numpy()[row]
    strangers = choose(rng, by_consent & lead & kept, k - len(no_opt_out) - len(no_link))
    score = rng.random((len(strangers), has.shape[1])) - has[row[strangers]]
    act["purpose"][strangers] = score.argmax(axis=1)
    act["basis"][strangers] = LI
    return np.sort(np.r_[no_opt_out, no_link, strangers])


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
    rows, _ = _consent_of(keys, row[chosen], pcode[chosen])
    given = consents["given_at"].to_numpy().astype("datetime64[s]")[rows]
    lo = np.where(np.isnat(prev[chosen]), given, np.maximum(given, prev[chosen])) + np.timedelta64(1, "s")
    withdrawn = consents["withdrawn_at"].to_numpy().astype("datetime64[s]")
    withdrawn[rows] = between(rng, lo, when[chosen])
    consents["withdrawn_at"] = withdrawn
    return chosen


def _consent_of(keys: ConsentKeys, row: np.ndarray, pcode: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For contact rows and purpose codes: the index of their consent (any where there is none), and
    whether there is one."""
    consent_key = keys.row.astype(np.int64) * 8 + keys.purpose
    by_key = np.argsort(consent_key, kind="stable")
    key = row.astype(np.int64) * 8 + pcode
    if len(by_key) == 0:
        return np.zeros(len(key), dtype=np.int64), np.zeros(len(key), dtype=bool)
    at = np.minimum(np.searchsorted(consent_key[by_key], key), len(by_key) - 1)
    return by_key[at], (consent_key[by_key][at] == key) & (pcode >= 0)


def _object_before_last(cfg: GeneratorConfig, rng: np.random.Generator, act: dict[str, np.ndarray],
                        consents: pd.DataFrame, keys: ConsentKeys, contacts: pd.DataFrame, send: np.ndarray,
                        taken: np.ndarray, k: int) -> tuple[np.ndarray, pd.DataFrame]:
    """File an objection on a day after the contact's previous send, and after the consent of its last send
    was given (a consent given after the objection would make the send lawful), and on or before that
    send."""
    row = act["row"]
    when = act["occurred_at"].astype("datetime64[s]")
    is_last, prev = _last_and_previous(row.astype(np.int64), np.flatnonzero(send), when)
    created = contacts["created_at"].to_numpy().astype("datetime64[s]")[row]
    prev = np.where(np.isnat(prev), created, prev)
    rows, consented = _consent_of(keys, row, act["purpose"])
    given = consents["given_at"].to_numpy().astype("datetime64[s]")[rows]
    prev = np.where(consented & (given <= when), np.maximum(prev, given), prev)
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
                     plan: ContactPlan, staff: pd.DataFrame) -> tuple[pa.Array, pa.Array, np.ndarray]:
    """Who logged each staff activity, and what they wrote (in the contact's language), as Arrow arrays; and
    which activities have a neutral note, kept, about a contact not erased."""
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
    # a contact with a category to reveal: its forced note, else its first note if it has one (none is
    # forced for it: the rows with a note, and so every later draw, stay as they were)
    category = _category(plan)[row[idx]]
    chosen = np.flatnonzero(pd.notna(category))
    chosen = chosen[np.lexsort((chosen, ~forced[idx][chosen]))]
    chosen = chosen[np.unique(row[idx][chosen], return_index=True)[1]]
    kinds[chosen] = category[chosen]
    colleague = take(arrow_text(users["name"]), rng.integers(len(users), size=len(idx)))
    text = notes.compose_notes_arrow(contacts["language"].to_numpy()[row[idx]], kinds,
                                     take(arrow_text(plan.first_names), row[idx]),
                                     take(arrow_text(plan.last_names), row[idx]), colleague, rng)
    position = np.full(n, -1)
    position[idx] = np.arange(len(idx))
    position[plan.erased[row] & ~plan.erasure_keeps_notes[row]] = -1  # erased with the contact
    neutral = np.zeros(n, dtype=bool)
    neutral[idx] = kinds == "neutral"
    return staff_id, take(text, position, missing=position < 0), neutral & (position >= 0) & ~plan.erased[row]
