"""The life of a contact after its data was made: interactions that keep it, restrictions lifted, and
processing after an erasure or during a restriction planted.

Run once the requests are answered (their reply days are final), on a random stream of its own, so that
the data drawn before stays as it was. Activities are only added, in their place by contact and time (the
others' ids move on, their labels with them):

* a contact whose latest activity is a note that had to be written (special-category, criminal-offence or
  remaining notes) gets an e-mail at that moment, so that its last interaction is its last activity;
* a completed restriction is lifted on the day of the contact's first activity after it was applied;
* contacts kept past retention (labelled retention_exceeded) get a marketing send in the last months: a
  send is no interaction and does not keep them;
* contacts with a completed erasure, or a restriction in force, get a marketing send (a call, for an erased
  contact without a hold whom the soft opt-in does not reach) after it (labelled
  processing_after_erasure_or_restriction; a hold kept after an erasure is no licence to market), and half
  of the others what is lawful: correspondence while a hold is in force, an e-mail recording an Art. 18(2)
  ground while a restriction is (or was) in force.

Marketing sends planted here rely on legitimate interests (6(1)(f)) for product offers and go to contacts
who neither objected nor withdrew a consent for product offers, so that no permission rule judges them:
they are customers since before the send, were offered the opt-out at collection and in the message, and
the offers are of the organisation's own products (the ePrivacy soft opt-in, Dir. 2002/58 Art. 13(2)).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdprlab.crm.schema import TABLES
from gdprlab.generator.activities import TYPES
from gdprlab.generator.config import GeneratorConfig, Shard
from gdprlab.generator.contacts import ContactPlan
from gdprlab.generator.labels import Labels, format_ids, parse_ids, pick
from gdprlab.generator.timeutil import DAY, between, to_day, to_second

RULE = "processing_after_erasure_or_restriction"
INTERACTIONS = ("call", "meeting", "email")  # the generated types a contact takes part in
ART_18_2_GROUND = "18(2) legal claims"
RECENT_DAYS = 90  # a stale contact's marketing send falls in the last RECENT_DAYS days


def live_the_lifecycle(cfg: GeneratorConfig, shard: Shard, contacts: pd.DataFrame, plan: ContactPlan,
                       consents: pd.DataFrame, activities: pd.DataFrame, requests: pd.DataFrame,
                       staff: pd.DataFrame, labels: Labels) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The activities with those added, and the requests with lifted_on (contacts' last_activity_at too)."""
    rng = np.random.default_rng([cfg.seed, shard.index, 1805])
    end = to_second(np.datetime64(cfg.as_of))
    row_of = pd.Index(contacts["contact_id"].to_numpy())
    added: list[dict[str, np.ndarray]] = []
    users = staff.loc[staff["crm_access"] != "none", "staff_id"].to_numpy()

    def add(rows: np.ndarray, kind: str, when: np.ndarray, basis: str | None = None) -> np.ndarray:
        """Activities of contacts `rows`; returns their ids."""
        first = len(activities) + sum(len(a["row"]) for a in added) + 1
        marketing = kind == "marketing_email"
        added.append({"row": rows, "type": np.full(len(rows), kind, dtype=object), "occurred_at": when,
                      "staff_id": np.full(len(rows), None, dtype=object) if marketing
                      else users[rng.integers(len(users), size=len(rows))],
                      "purpose": np.full(len(rows), "product_offers" if marketing else None, dtype=object),
                      "lawful_basis": np.full(len(rows), "6(1)(f)" if marketing else basis, dtype=object)})
        return format_ids("E", np.arange(first, first + len(rows)), 8)

    last_activity = contacts["last_activity_at"].to_numpy().astype("datetime64[s]")
    act_row = row_of.get_indexer(activities["contact_id"].to_numpy())
    act_when = activities["occurred_at"].to_numpy().astype("datetime64[s]")
    erased = plan.erased

    # the latest activity an interaction (notes that had to be written come last)
    talk = np.isin(activities["type"].to_numpy(), INTERACTIONS)
    last_talk = np.full(len(contacts), np.datetime64("NaT"), dtype="datetime64[s]")
    np.fmax.at(last_talk, act_row[talk], act_when[talk])
    silent = ~erased & ~(last_talk >= last_activity)
    add(np.flatnonzero(silent), "email", last_activity[silent])

    # restrictions lifted on the day of the contact's first activity after they were applied
    restriction = ((requests["type"] == "restriction") & (requests["status"] == "completed")).to_numpy()
    applied = requests["responded_on"].to_numpy().astype("datetime64[D]")
    lifted = np.full(len(requests), np.datetime64("NaT"), dtype="datetime64[D]")
    req_row = row_of.get_indexer(requests["contact_id"].to_numpy())
    granted = pd.DataFrame({"i": np.flatnonzero(restriction), "row": req_row[restriction],
                            "applied": applied[restriction]})
    acts = pd.DataFrame({"row": act_row, "day": to_day(act_when)})
    later = granted.merge(acts[np.isin(act_row, granted["row"].to_numpy())], on="row")
    first_later = later[later["day"] > later["applied"]].groupby("i")["day"].min()
    lifted[first_later.index.to_numpy()] = first_later.to_numpy()
    since = np.full(len(contacts), np.datetime64("NaT"), dtype="datetime64[D]")  # restricted now, since
    now = restriction & np.isnat(lifted)
    since[req_row[now]] = applied[now]
    any_restriction = np.zeros(len(contacts), dtype=bool)
    any_restriction[req_row[restriction]] = True
    # a restriction of each contact and the days it was in force: (applied, lifted or as-of)
    r_from = np.full(len(contacts), np.datetime64("NaT"), dtype="datetime64[D]")
    r_to = np.full(len(contacts), np.datetime64("NaT"), dtype="datetime64[D]")
    r_from[req_row[restriction]] = applied[restriction]
    r_to[req_row[restriction]] = np.where(np.isnat(lifted), np.datetime64(cfg.as_of), lifted)[restriction]

    # who may be sent product offers without another rule judging the send
    objection = requests.loc[requests["type"] == "objection", "contact_id"].to_numpy()
    withdrawn = ((consents["purpose"] == "product_offers").to_numpy()
                 & pd.notna(consents["withdrawn_at"]).to_numpy())
    barred = row_of.get_indexer(np.concatenate([objection, consents.loc[withdrawn, "contact_id"].to_numpy()]))
    sendable = np.ones(len(contacts), dtype=bool)
    sendable[barred[barred >= 0]] = False
    # the soft opt-in: a customer, offered the opt-out at collection; sends fall on or after customer_since
    customer_since = _column(contacts, "customer_since").astype("datetime64[D]")
    offered = _column(contacts, "opt_out_offered_at_collection", object) == True  # noqa: E712 - None is no
    sendable &= ~np.isnat(customer_since) & offered
    first_send = to_second(customer_since)

    # stale contacts marketed in the last months
    stale = plan.stale if plan.stale is not None else np.zeros(len(contacts), dtype=bool)
    marketed = pick(rng, stale & sendable & ~any_restriction, 0.5, int(stale.sum()))
    add(marketed, "marketing_email", between(
        rng, np.maximum(np.full(len(marketed), end - RECENT_DAYS * DAY), first_send[marketed]),
        np.full(len(marketed), end - 1)))

    # processing after a completed erasure or during a restriction in force
    erasure = ((requests["type"] == "erasure") & (requests["status"] == "completed")).to_numpy()
    done = np.full(len(contacts), np.datetime64("NaT"), dtype="datetime64[D]")
    np.fmin.at(done, req_row[erasure], applied[erasure])
    population = int((~np.isnat(done) | any_restriction).sum())
    stop = np.where(~np.isnat(done), done, since)  # the day after which nothing may be done
    room = ~np.isnat(stop) & (stop + 1 < np.datetime64(cfg.as_of))
    sendable &= ~(customer_since >= np.datetime64(cfg.as_of))  # a customer before as-of
    # a marketing send to those the soft opt-in reaches, else a call to an erased contact without any hold
    # (a call is no marketing, and an erased contact is not judged by retention)
    unheld = erased & pd.isna(contacts["retention_ground"]).to_numpy()
    unlawful = pick(rng, room & (sendable | unheld), cfg.rate(RULE), population)
    after = to_second(stop + 1)
    sent = unlawful[sendable[unlawful]]
    called = unlawful[~sendable[unlawful]]
    ids = np.concatenate([
        add(sent, "marketing_email", between(rng, np.maximum(after[sent], first_send[sent]),
                                             np.full(len(sent), end - 1))),
        add(called, "call", between(rng, after[called], np.full(len(called), end - 1)))])
    labels.add(RULE, "activities", ids, population)

    until = pd.to_datetime(contacts["retention_until"]).to_numpy().astype("datetime64[D]")
    held = erased & pd.notna(contacts["retention_ground"]).to_numpy() & (until >= np.datetime64(cfg.as_of))
    free = room & ~np.isin(np.arange(len(contacts)), unlawful)
    claims = pick(rng, free & held, 0.5, int((free & held).sum()))
    add(claims, "email", between(rng, after[claims], np.full(len(claims), end - 1)))
    open_days = ~np.isnat(r_from) & (r_from + 1 < r_to)
    grounded = pick(rng, open_days & ~erased & ~stale, 0.5, int((open_days & ~erased & ~stale).sum()))
    add(grounded, "email", between(rng, to_second(r_from[grounded] + 1), to_second(r_to[grounded]) - 1),
        ART_18_2_GROUND)

    activities = _with(activities, contacts, added, labels)
    for a in added:
        np.fmax.at(last_activity, a["row"], a["occurred_at"].astype("datetime64[s]"))
    contacts["last_activity_at"] = last_activity
    requests = requests.assign(lifted_on=lifted)[TABLES["requests"].column_names]
    return activities, requests


def _column(contacts: pd.DataFrame, name: str, dtype: object = "datetime64[s]") -> np.ndarray:
    """A contacts column as numpy (missing values where the contacts have no such column)."""
    if name in contacts.columns:
        values = contacts[name]
        return (pd.to_datetime(values) if dtype is not object else values).to_numpy(dtype=dtype)
    return np.full(len(contacts), np.datetime64("NaT") if dtype is not object else None, dtype=dtype)


def _with(activities: pd.DataFrame, contacts: pd.DataFrame, added: list[dict[str, np.ndarray]],
          labels: Labels) -> pd.DataFrame:
    """The activities with the added ones, in the order of all (contact, time, type), numbered anew; the
    labels of activities follow their records."""
    rows = np.concatenate([a["row"] for a in added]).astype(np.int64)
    if not len(rows):
        return activities
    new = pd.DataFrame({
        "contact_id": contacts["contact_id"].to_numpy()[rows],
        **{col: np.concatenate([a[col] for a in added])
           for col in ("staff_id", "type", "purpose", "lawful_basis")},
        "occurred_at": np.concatenate([a["occurred_at"] for a in added]).astype(
            activities["occurred_at"].dtype),
        "note": np.full(len(rows), None, dtype=object)})
    marketing = new["type"].to_numpy() == "marketing_email"  # the soft opt-in's marks (see the docstring)
    for col in ("unsubscribe_link", "own_similar_product"):
        if col in activities.columns:
            new[col] = np.where(marketing, True, None)
    both = pd.concat([activities, new.assign(activity_id=None)[activities.columns]], ignore_index=True)
    row = pd.Index(contacts["contact_id"].to_numpy()).get_indexer(both["contact_id"].to_numpy())
    kind = pd.Index(TYPES).get_indexer(both["type"].to_numpy())
    when = both["occurred_at"].to_numpy().astype("datetime64[s]").astype(np.int64)
    order = np.lexsort((kind, when, row))  # the generator's order (activities._chronological): stable
    number = np.empty(len(order), dtype=np.int64)
    number[order] = np.arange(1, len(order) + 1)
    for part in labels.rows:
        if len(part) and part["table"].iloc[0] == "activities":
            part["record_id"] = format_ids("E", number[parse_ids(part["record_id"].to_numpy()) - 1], 8)
    both = both.iloc[order].reset_index(drop=True)
    both["activity_id"] = format_ids("E", np.arange(1, len(both) + 1), 8)
    return both
