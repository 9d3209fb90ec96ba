"""Accounts and contacts: realistic per-locale people, with contact-level violations planted.

Every locale's rows take names, address, phone, national id and IBAN of the same country. Contacts that
will have their erasure completed are chosen here, because erasure blanks the very fields other rules
look at; those contacts are kept out of the other contact-level planting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gdprlab.crm import protect
from gdprlab.crm.schema import TABLES
from gdprlab.generator import identifiers, sources
from gdprlab.generator.config import LOCALES, GeneratorConfig, Shard
from gdprlab.generator.frames import frame, take
from gdprlab.generator.labels import Labels, ids, pick, split
from gdprlab.generator.pools import EMAIL_DOMAINS, LocalePool, ascii_slug
from gdprlab.generator.timeutil import DAY, between, to_day, to_second
from gdprlab.regulation.law import add_months
from gdprlab.regulation.policy import Policy

INDUSTRIES = ("manufacturing", "retail", "logistics", "healthcare", "software", "finance", "energy",
              "hospitality", "education", "construction")
STATUS_WEIGHTS = {"lead": 0.45, "customer": 0.40, "former_customer": 0.15}
ACCESSIBILITY = {
    "de": ("Rollstuhlfahrer, barrierefreier Zugang nötig", "Gebärdensprachdolmetscher benötigt"),
    "fr": ("Fauteuil roulant, accès PMR nécessaire", "Interprète en langue des signes requis"),
    "it": ("Sedia a rotelle, serve accesso senza barriere", "Serve interprete LIS"),
    "es": ("Silla de ruedas, necesita acceso adaptado", "Necesita intérprete de lengua de signos"),
    "nl": ("Rolstoelgebruiker, drempelvrije toegang nodig", "Gebarentolk nodig"),
    "pl": ("Wózek inwalidzki, potrzebny dostęp bez barier", "Potrzebny tłumacz języka migowego"),
    "sv": ("Rullstolsburen, behöver tillgänglig entré", "Behöver teckenspråkstolk"),
    "pt": ("Cadeira de rodas, precisa de acesso adaptado", "Precisa de intérprete de língua gestual"),
}
ERASED_SHARE = 0.006  # contacts whose erasure request was completed
MINOR_SHARE = 0.04  # contacts aged 13-17 (online sign-ups)
ACCESSIBILITY_SHARE = 0.03
#: what a contact whose criminal-offence data is processed lawfully records as its Art. 10 authorisation
AUTHORISATION = "national law on security screening (official register extract)"
#: the columns an erasure empties, by their names here (birth_date is "birth" until _finish)
#: (the source of the data and the Art. 14 notice are made later, and never for erased contacts: sources.py)
_ERASABLE = [{"birth_date": "birth"}.get(col, col) for col in TABLES["contacts"].erasable_names
             if col not in sources.COLUMNS]
HOLD_SHARE = 0.3  # erased contacts (erasure complete) whose data a recorded Art. 17(3) hold keeps
#: holds: the legal ground recorded, the columns it keeps and for how many months after as-of it runs
HOLDS = (("17(3)(b) tax law: invoices", ("first_name", "last_name", "street", "postal_code", "city", "iban"),
          96),
         ("17(3)(e) legal claims",
          ("first_name", "last_name", "email", "phone", "street", "postal_code", "city"), 18))
#: a live contact kept past retention for legal claims (lawful), and for how many months after as-of
LIVE_HOLD = ("17(3)(e) legal claims", 18)
#: an unlawful remain: the name, e-mail and phone blanked, these identifiers left (no hold)
_LEFT_IDENTIFIERS = ("street", "postal_code", "city", "birth", "national_id", "iban")


@dataclass
class ContactPlan:
    """Per-contact decisions that later stages must honour."""
    erased: np.ndarray  # bool: erasure completed
    erasure_keeps_notes: np.ndarray  # bool: erasure incomplete, notes left behind
    erasure_incomplete: np.ndarray  # bool: either variant
    special_note: np.ndarray  # bool: plant a special-category note (no Art. 9(2) condition)
    health_note: np.ndarray  # bool: clean special-category note for a contact with a condition
    first_names: np.ndarray  # names before erasure, for the notes staff wrote earlier
    last_names: np.ndarray
    criminal_note: np.ndarray | None = None  # bool: plant an Art. 10 note (no authorisation); None: none
    note_category: np.ndarray | None = None  # the Art. 9(1) category of a note to write (None: none)
    ibans: np.ndarray | None = None  # the IBANs and national ids in plaintext (staff paste them into notes)
    national_ids: np.ndarray | None = None
    stale: np.ndarray | None = None  # bool: kept past retention (labelled); None: none


def account_keys(cfg: GeneratorConfig, rng: np.random.Generator) -> pd.DataFrame:
    """Each account's id, locale and country: all that contacts need of the accounts, drawn first."""
    n = max(5, cfg.contacts // 10)
    locale = np.array(cfg.locales, dtype=object)[rng.integers(len(cfg.locales), size=n)]
    country = np.array([LOCALES[loc][0] for loc in locale], dtype=object)
    return pd.DataFrame({"account_id": ids("A", 1, n, 6), "locale": locale, "country": country})


def make_accounts(cfg: GeneratorConfig, rng: np.random.Generator, pools: dict[str, LocalePool],
                  keys: pd.DataFrame) -> pd.DataFrame:
    """The accounts of `keys`, drawn from the same stream after them (so they can be made while the
    contacts are)."""
    n, locale = len(keys), keys["locale"].to_numpy()
    name = np.empty(n, dtype=object)
    vat = np.empty(n, dtype=object)
    for loc in cfg.locales:
        m = locale == loc
        name[m] = pools[loc].companies[rng.integers(len(pools[loc].companies), size=m.sum())]
        vat[m] = identifiers.vat_numbers(LOCALES[loc][0], int(m.sum()), rng)
    country = keys["country"].to_numpy()
    tld = pd.Series(country).str.lower().to_numpy()
    slug_codes, slugs = pd.factorize(name)
    slug = np.array([ascii_slug(u) for u in slugs], dtype=object)[slug_codes]
    end = to_second(np.datetime64(cfg.as_of))
    return pd.DataFrame({
        "account_id": keys["account_id"].to_numpy(), "name": name, "vat_number": vat, "country": country,
        "industry": np.array(INDUSTRIES, dtype=object)[rng.integers(len(INDUSTRIES), size=n)],
        "website": "www." + slug + "." + tld,
        "created_at": between(rng, np.full(n, end - 10 * 365 * DAY), np.full(n, end - 400 * DAY)),
    })


Columns = dict[str, np.ndarray | pa.Array]  # the encrypted fields end as Arrow arrays


def _people(cfg: GeneratorConfig, rng: np.random.Generator, pools: dict[str, LocalePool],
            accounts: pd.DataFrame, n: int, shard: Shard) -> Columns:
    """Clean contacts: names, contact details, identifiers and timestamps consistent per locale.

    Columns stay numpy arrays until the one DataFrame at the end (pandas string columns convert on access).
    """
    end = to_second(np.datetime64(cfg.as_of))
    loc_code = rng.integers(len(cfg.locales), size=n)
    female = rng.random(n) < 0.5
    minor = rng.random(n) < MINOR_SHARE
    age_days = np.where(minor, rng.integers(13 * 366, 18 * 365, size=n),
                        rng.integers(18 * 366, 80 * 365, size=n))
    created = between(rng, np.where(minor, end - 700 * DAY, end - 8 * 365 * DAY), np.full(n, end - DAY))
    status = rng.choice(len(STATUS_WEIGHTS), size=n, p=list(STATUS_WEIGHTS.values()))
    status[minor] = 0  # lead
    birth = _on_shard_days(to_day(end) - age_days.astype("timedelta64[D]"), minor, shard)
    cols: Columns = {"loc_code": loc_code, "female": female, "minor": minor, "created": created,
                     "birth": birth.astype("datetime64[s]"),
                     "status": np.array(list(STATUS_WEIGHTS), dtype=object)[status]}
    texts = ("first_name", "last_name", "street", "postal_code", "city", "phone", "email_domain",
             "account_id")
    cols.update({c: np.empty(n, dtype=object) for c in texts})
    account_ids, account_countries = accounts["account_id"].to_numpy(), accounts["country"].to_numpy()
    for i, loc in enumerate(cfg.locales):
        m = loc_code == i
        _fill_locale(cols, m, pools[loc], loc, account_ids[account_countries == LOCALES[loc][0]], rng)
    return cols


def _on_shard_days(birth: np.ndarray, minor: np.ndarray, shard: Shard) -> np.ndarray:
    """Move birth dates by less than `shard.count` days onto the shard's own days (day ≡ index mod count).

    Contacts of different shards then never share a birth date, so no shard repeats another's person.
    Adults move earlier and minors later, which keeps both inside their age ranges.
    """
    if shard.count == 1:
        return birth
    day = birth.astype(np.int64)
    shift = np.where(minor, (shard.index - day) % shard.count, -((day - shard.index) % shard.count))
    return birth + shift.astype("timedelta64[D]")


def _fill_locale(cols: Columns, m: np.ndarray, p: LocalePool, loc: str, local_accounts: np.ndarray,
                 rng: np.random.Generator) -> None:
    """Names, address, phone, e-mail domain and account of one locale's rows `m`."""
    k = int(m.sum())

    def draw(arr: np.ndarray) -> np.ndarray:
        return arr[rng.integers(len(arr), size=k)]

    f = cols["female"][m]
    cols["first_name"][m] = np.where(f, draw(p.first_female), draw(p.first_male))
    cols["last_name"][m] = np.where(f, draw(p.last_female), draw(p.last_male))
    addr = rng.integers(len(p.streets), size=k)
    cols["street"][m], cols["postal_code"][m] = p.streets[addr], p.postcodes[addr]
    cols["city"][m] = p.cities[addr]
    cols["phone"][m] = identifiers.phone_numbers(LOCALES[loc][0], k, rng)
    cols["email_domain"][m] = draw(np.array(EMAIL_DOMAINS[loc], dtype=object))
    if len(local_accounts):
        linked = rng.random(k) < 0.7
        chosen = local_accounts[rng.integers(len(local_accounts), size=k)]
        cols["account_id"][m] = np.where(linked, chosen, None)


def _codes_of(values: np.ndarray, transform: Callable[[str], str] | None = None) -> np.ndarray:
    """Integer codes of equal values (after `transform`, applied once per distinct value)."""
    codes, uniques = pd.factorize(values)
    if transform is None:
        return codes
    return pd.factorize(np.array([transform(u) for u in uniques], dtype=object))[0][codes]


def _unique_people(cols: Columns, rng: np.random.Generator, step: int = 1) -> None:
    """Re-draw birth dates until no two contacts share first name, last name and birth date.

    Dates move by whole multiples of `step` (the shard count), so they stay on the shard's days.
    """
    first = _codes_of(cols["first_name"], str.lower).astype(np.int64)
    last = _codes_of(cols["last_name"], str.lower).astype(np.int64)
    name = first * (last.max() + 1) + last
    while True:
        key = pd.Series(name * 1_000_000 + cols["birth"].astype("datetime64[D]").astype(np.int64))
        dup = key.duplicated().to_numpy()
        if not dup.any():
            return
        cols["birth"][dup] -= (rng.integers(1, 30, size=dup.sum()) * step).astype("timedelta64[D]")


def _namesakes(cols: Columns, rng: np.random.Generator, k: int) -> None:
    """Give k adult leads the names and birth date of another adult of their locale and gender who lives at
    another address and has another phone: two people, not a duplicate (inaccurate_data asks for one more
    identifier in common; leads carry no national id)."""
    adult = ~cols["minor"]
    lead = adult & (cols["status"] == "lead")
    group = cols["loc_code"].astype(np.int64) * 2 + cols["female"]
    taken = np.zeros(len(group), dtype=bool)
    for j in rng.permutation(np.flatnonzero(lead))[: 4 * k]:
        if k == 0:
            return
        same = np.flatnonzero(adult & ~taken & (group == group[j]))
        if len(same) < 2:
            continue
        i = same[rng.integers(len(same))]
        if i == j or taken[j] or any(cols[col][i] == cols[col][j] for col in ("street", "phone")):
            continue
        for col in ("first_name", "last_name", "birth"):
            cols[col][j] = cols[col][i]
        taken[[i, j]] = True
        k -= 1


def emails(first: np.ndarray, last: np.ndarray, domain: np.ndarray,
            shard: Shard | None = None) -> np.ndarray:
    """first.last@domain, with a number appended for namesakes so that every address is unique.

    Shards number their namesakes disjointly: the k-th namesake of shard i of S gets number k*S + i, and
    number g > 0 appends g + 1 (one shard: the second namesake gets 2, the third 3, ...). Joined by Arrow's
    string kernels: a quarter of a million Python string additions per column took most of the time.
    """
    first_slugs, f = _slug_codes(first)
    last_slugs, g = _slug_codes(last)
    dom_codes, domains = pd.factorize(domain)
    key = (f.astype(np.int64) * len(last_slugs) + g) * len(domains) + dom_codes
    nth = pd.Series(key).groupby(key).cumcount().to_numpy()
    if shard is not None:
        nth = nth * shard.count + shard.index
    number = pc.cast(pa.array(nth + 1, mask=nth == 0), pa.string())
    address = pc.binary_join_element_wise(
        pa.array(first_slugs, type=pa.string()).take(pa.array(f)), ".",
        pa.array(last_slugs, type=pa.string()).take(pa.array(g)), pc.fill_null(number, ""), "@",
        pa.array(np.asarray(domains, dtype=object), type=pa.string()).take(pa.array(dom_codes)), "")
    return address.to_numpy(zero_copy_only=False).astype(object)


def _slug_codes(names: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct ascii slugs of the names and each name's code into them (names repeat a lot)."""
    codes, uniques = pd.factorize(np.asarray(names, dtype=object))
    slug_codes, slugs = pd.factorize(np.array([ascii_slug(u) for u in uniques], dtype=object))
    return np.asarray(slugs, dtype=object), slug_codes[codes]


def _identifiers(cols: Columns, cfg: GeneratorConfig, rng: np.random.Generator) -> None:
    """National id for 30% and IBAN for 60% of customers, of the contact's own country."""
    n = len(cols["status"])
    customer = cols["status"] != "lead"
    has_nid = customer & (rng.random(n) < 0.3)
    has_iban = customer & (rng.random(n) < 0.6)
    nid = np.full(n, None, dtype=object)
    iban = np.full(n, None, dtype=object)
    for i, loc in enumerate(cfg.locales):
        country = LOCALES[loc][0]
        m = cols["loc_code"] == i
        mn, mi = m & has_nid, m & has_iban
        if mn.any():
            nid[mn] = identifiers.national_ids(country, cols["birth"][mn], cols["female"][mn], rng,
                                               cols["first_name"][mn], cols["last_name"][mn])
        if mi.any():
            iban[mi] = identifiers.ibans(country, int(mi.sum()), rng)
    cols["national_id"], cols["iban"] = nid, iban


def _retention_months(status: np.ndarray, policy: Policy) -> np.ndarray:
    names = np.array(list(STATUS_WEIGHTS), dtype=object)
    months = np.array([policy.retention_months[s] for s in names], dtype=np.int64)
    return months[pd.Index(names).get_indexer(status)]


def _last_activity(cols: Columns, cfg: GeneratorConfig, policy: Policy, rng: np.random.Generator) -> None:
    """Latest activity within the retention period of the contact's status (clean data keeps it)."""
    end = to_second(np.datetime64(cfg.as_of))
    n = len(cols["status"])
    months = _retention_months(cols["status"], policy)
    keep_from = to_second(add_months(np.full(n, cfg.as_of, dtype="datetime64[D]"), -months) + 2)
    cols["last_activity"] = between(rng, np.maximum(cols["created"], keep_from), np.full(n, end - 1))


def make_contacts(cfg: GeneratorConfig, policy: Policy, rng: np.random.Generator,
                  pools: dict[str, LocalePool], accounts: pd.DataFrame,
                  labels: Labels, shard: Shard) -> tuple[pd.DataFrame, ContactPlan]:
    """One shard's contacts (ids after the earlier shards') and the plan later stages follow."""
    n_erased = int(round(ERASED_SHARE * shard.size))
    population = shard.size - n_erased
    n_inaccurate = int(round(cfg.rate("inaccurate_data") * population))
    n_dup = n_inaccurate // 3
    c = _people(cfg, rng, pools, accounts, shard.size - n_dup, shard)
    _unique_people(c, rng, shard.count)
    # namesakes, holds and contract ends are drawn from a stream of their own: the rest stays as it was
    own_rng = np.random.default_rng([cfg.seed, shard.index, 1715])
    _namesakes(c, own_rng, n_dup)
    _identifiers(c, cfg, rng)
    _last_activity(c, cfg, policy, rng)
    n = len(c["status"])
    end = to_second(np.datetime64(cfg.as_of))
    acc = (~c["minor"]) & (rng.random(n) < ACCESSIBILITY_SHARE)
    choice = rng.integers(2, size=n)
    texts = np.array([ACCESSIBILITY[LOCALES[loc][1]] for loc in cfg.locales], dtype=object)  # locale x choice
    c["accessibility_needs"] = np.where(acc, texts[c["loc_code"], choice], None)
    c["art9_condition"] = np.where(acc, "9(2)(a)", None).astype(object)
    c["art9_categories"] = np.where(acc, "health", None).astype(object)
    health_note = acc & (rng.random(n) < 0.3)

    # contacts whose erasure is completed: last activity at least 40 days ago, chosen among adults
    can_erase = (c["last_activity"] < end - 40 * DAY) & ~c["minor"]
    erased = np.zeros(n, dtype=bool)
    k = min(n_erased, int(can_erase.sum()))
    erased[rng.choice(np.flatnonzero(can_erase), size=k, replace=False)] = True
    incomplete = np.zeros(n, dtype=bool)
    incomplete[pick(rng, erased, cfg.rate("erasure_incomplete"), int(erased.sum()))] = True
    keeps_fields, keeps_notes = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    keep_fields_rows, keep_notes_rows = split(rng, np.flatnonzero(incomplete), 2)
    keeps_notes[keep_notes_rows] = True
    # holds and the ways of leaving fields are drawn from a stream of their own: the rest stays as it was
    hold_rng = np.random.default_rng([cfg.seed, shard.index, 1703])
    keeps_ids, hold_ended = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    kinds = split(hold_rng, keep_fields_rows, 3)
    for flags, rows in zip((keeps_fields, keeps_ids, hold_ended), kinds, strict=True):
        flags[rows] = True
    lawful = np.zeros(n, dtype=bool)
    lawful[pick(hold_rng, erased & ~incomplete, HOLD_SHARE, int(erased.sum()))] = True
    live = ~erased
    c["contact_id"] = ids("C", shard.start + 1, n)
    c["gender"] = np.where(c["female"], "F", "M").astype(object)

    special_note = _plant_special(cfg, rng, c, acc, texts, live, population, labels)
    criminal_note = _plant_criminal(cfg, rng, c, live & ~special_note & ~health_note, population, labels)
    # conditions per category are drawn from a stream of their own: the rest stays as it was
    free = live & ~special_note & ~health_note & ~criminal_note
    note_category = _plant_categories(cfg, rng.spawn(1)[0], c, special_note, free, population)
    stale = _plant_stale(cfg, policy, rng, c, live, population, labels)
    _lawfully_old(cfg, policy, own_rng, c, live & ~stale, population)
    c["email"] = emails(c["first_name"], c["last_name"], c["email_domain"], shard)
    bad = pick(rng, live, (n_inaccurate - n_dup) / max(population, 1), population)
    bad_email, bad_phone = split(rng, bad, 2)
    c["email"][bad_email] = _break_emails(c["email"][bad_email], rng)
    for i, loc in enumerate(cfg.locales):
        rows = bad_phone[c["loc_code"][bad_phone] == i]
        c["phone"][rows] = identifiers.invalid_phone_numbers(LOCALES[loc][0], len(rows), rng)
    c = _append_duplicates(c, n_dup, live, cfg, rng, shard)
    _relationship(cfg, c, shard)
    more = np.zeros(n_dup, dtype=bool)
    erased, keeps_fields = np.concatenate([erased, more]), np.concatenate([keeps_fields, more])
    stale = np.concatenate([stale, more])
    labels.add("inaccurate_data", "contacts", np.concatenate([c["contact_id"][bad], c["contact_id"][n:]]), 0)
    labels.planted["inaccurate_data"]["population"] = population

    plain = {col: c[col].copy() for col in ("iban", "national_id")}
    _protect(cfg, rng, c, ~erased, population, labels)
    keep = _erase(cfg, hold_rng, c, erased, keeps_fields, *(np.concatenate([flags, more])
                                                       for flags in (keeps_ids, lawful, hold_ended)))
    plan = ContactPlan(erased=erased, erasure_keeps_notes=np.concatenate([keeps_notes, more]),
                       erasure_incomplete=np.concatenate([incomplete, more]),
                       special_note=np.concatenate([special_note, more]),
                       health_note=np.concatenate([health_note, more]),
                       criminal_note=np.concatenate([criminal_note, more]), stale=stale,
                       note_category=np.concatenate([note_category, np.full(n_dup, None)]),
                       ibans=plain["iban"], national_ids=plain["national_id"],
                       first_names=c["first_name"].copy(), last_names=c["last_name"].copy())
    for col in _ERASABLE:
        blank = erased & ~keep[col]
        if isinstance(c[col], pa.Array):
            c[col] = pc.if_else(blank, pa.scalar(None, c[col].type), c[col])
        elif c[col].dtype.kind == "M":
            c[col][blank] = np.datetime64("NaT")
        else:
            c[col][blank] = None
    c["status"][erased] = "erased"
    return _finish(c, cfg), plan


def _relationship(cfg: GeneratorConfig, c: Columns, shard: Shard) -> None:
    """When customers and former customers first bought (between their creation and their last activity),
    and the opt-out of e-mail marketing offered to everyone when their address was collected (Dir. 2002/58
    Art. 13(2)); drawn from a stream of their own, so the rest of the data stays as it was."""
    rng = np.random.default_rng([cfg.seed, shard.index, 1302])
    customer = np.isin(c["status"], ("customer", "former_customer"))
    since = to_day(between(rng, c["created"], c["last_activity"]))
    c["customer_since"] = np.where(customer, since, np.datetime64("NaT")).astype("datetime64[D]")
    c["opt_out_offered_at_collection"] = np.full(len(customer), True, dtype=object)


def _erase(cfg: GeneratorConfig, rng: np.random.Generator, c: Columns, erased: np.ndarray,
           keeps_fields: np.ndarray, keeps_ids: np.ndarray, lawful: np.ndarray,
           hold_ended: np.ndarray) -> dict[str, np.ndarray]:
    """Per erasable column, the erased contacts that keep it; the holds recorded (retention_ground and
    retention_until: in force for `lawful`, ended before as-of for `hold_ended`)."""
    keep = {col: keeps_fields.copy() for col in _ERASABLE}
    for col in _LEFT_IDENTIFIERS:
        keep[col] |= keeps_ids
    ground, until = c["retention_ground"], c["retention_until"]  # live contacts' holds are kept
    as_of = np.datetime64(cfg.as_of, "D")
    held = np.flatnonzero(lawful | hold_ended)
    which = rng.integers(len(HOLDS), size=len(held))
    for i, (name, columns, months) in enumerate(HOLDS):
        rows = held[which == i]
        ground[rows] = name
        ended = hold_ended[rows]
        until[rows] = np.where(ended, as_of - rng.integers(1, 400, size=len(rows)),
                               add_months(np.full(len(rows), as_of), months))
        for col in columns:
            keep[col][rows] = True
    c["retention_ground"], c["retention_until"] = ground, until
    return keep


def _plant_special(cfg: GeneratorConfig, rng: np.random.Generator, c: Columns, acc: np.ndarray,
                   texts: np.ndarray, live: np.ndarray, population: int, labels: Labels) -> np.ndarray:
    """Special-category data without an Art. 9(2) condition: as a field, or (returned) as a note to write."""
    special = pick(rng, live, cfg.rate("special_category_without_condition"), population)
    special_note = np.zeros(len(live), dtype=bool)
    c["art9_condition"][special[acc[special]]] = None
    as_field, as_note = split(rng, special[~acc[special]], 2)
    c["accessibility_needs"][as_field] = texts[c["loc_code"][as_field], 0]
    special_note[as_note] = True
    labels.add("special_category_without_condition", "contacts", c["contact_id"][special], population)
    return special_note


def _plant_criminal(cfg: GeneratorConfig, rng: np.random.Generator, c: Columns, eligible: np.ndarray,
                    population: int, labels: Labels) -> np.ndarray:
    """Criminal-offence data without an Art. 10 authorisation: (returned) the contacts to write such a note
    about. As many again get such a note with an authorisation recorded: lawful, not labelled."""
    rate = cfg.rate("criminal_data_without_authorisation")
    chosen = pick(rng, eligible, rate, population)
    criminal_note = np.zeros(len(eligible), dtype=bool)
    criminal_note[chosen] = True
    authorised = pick(rng, eligible & ~criminal_note, rate, population)
    c["art10_authorisation"] = np.full(len(eligible), None, dtype=object)
    c["art10_authorisation"][authorised] = AUTHORISATION
    criminal_note[authorised] = True
    labels.add("criminal_data_without_authorisation", "contacts", c["contact_id"][chosen], population)
    return criminal_note


#: the categories of the notes planted about contacts with a condition recorded for another category
_OTHER_CATEGORIES = ("political_opinion", "trade_union")


def _plant_categories(cfg: GeneratorConfig, rng: np.random.Generator, c: Columns, special_note: np.ndarray,
                      eligible: np.ndarray, population: int) -> np.ndarray:
    """Conditions per Art. 9(1) category: (returned) the category of a note to write about each contact, or
    None to leave it to chance.

    Half the special-category notes planted without a condition (already labelled) are about political
    opinion or trade-union membership while a condition is recorded for health only, which does not cover
    them. Lawful, not labelled: contacts with accessibility needs and a condition for health and one of
    those categories, and contacts without needs and a condition for that category alone, each with a note
    of that category (`eligible`: contacts free for it).
    """
    rate = cfg.rate("special_category_without_condition") / 2
    category = np.full(len(eligible), None, dtype=object)
    uncovered = split(rng, np.flatnonzero(special_note), 2)[0]
    recorded = pd.notna(c["art9_condition"])
    with_needs = pick(rng, eligible & recorded & pd.notna(c["accessibility_needs"]), rate, population)
    without = pick(rng, eligible & ~recorded & pd.isna(c["accessibility_needs"]), rate, population)
    for rows in (uncovered, with_needs, without):
        category[rows] = np.array(_OTHER_CATEGORIES, dtype=object)[rng.integers(2, size=len(rows))]
    c["art9_condition"][uncovered] = c["art9_condition"][without] = "9(2)(a)"
    c["art9_categories"][uncovered] = "health"
    c["art9_categories"][with_needs] = "health; " + category[with_needs]
    c["art9_categories"][without] = category[without]
    return category


def _plant_stale(cfg: GeneratorConfig, policy: Policy, rng: np.random.Generator, c: Columns, live: np.ndarray,
                 population: int, labels: Labels) -> np.ndarray:
    """Contacts kept past their retention period: last activity moved before the cutoff (returned)."""
    months = _retention_months(c["status"], policy)
    cutoff = to_second(add_months(np.full(len(live), cfg.as_of, dtype="datetime64[D]"), -months) - 2)
    old = c["created"] < cutoff
    stale = pick(rng, live & old, cfg.rate("retention_exceeded"), population)
    c["last_activity"][stale] = between(rng, c["created"][stale], cutoff[stale] - 1)
    labels.add("retention_exceeded", "contacts", c["contact_id"][stale], population)
    flags = np.zeros(len(live), dtype=bool)
    flags[stale] = True
    return flags


def _lawfully_old(cfg: GeneratorConfig, policy: Policy, rng: np.random.Generator, c: Columns,
                  eligible: np.ndarray, population: int) -> None:
    """Contacts whose last interaction is older than their retention period, kept lawfully (not labelled):
    under an Art. 17(3) hold in force, or former customers whose contract ended within the period.

    Every former customer records the end of its contract: before its last interaction, except here.
    """
    n = len(eligible)
    as_of = np.full(n, cfg.as_of, dtype="datetime64[D]")
    months = _retention_months(c["status"], policy)
    cutoff = to_second(add_months(as_of, -months) - 2)
    keep_from = add_months(as_of, -months) + 2
    former = c["status"] == "former_customer"
    ended = to_day(between(rng, c["created"], c["last_activity"]))
    c["contract_ended_on"] = np.where(former, ended, np.datetime64("NaT")).astype("datetime64[D]")
    c["retention_ground"] = np.full(n, None, dtype=object)
    c["retention_until"] = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    rate = cfg.rate("retention_exceeded")
    old = eligible & (c["created"] < cutoff)
    held = pick(rng, old, rate, population)
    late_end = pick(rng, old & former & ~np.isin(np.arange(n), held), rate, population)
    for rows in (held, late_end):
        c["last_activity"][rows] = between(rng, c["created"][rows], cutoff[rows] - 1)
    ground, months_after = LIVE_HOLD
    c["retention_ground"][held] = ground
    c["retention_until"][held] = add_months(as_of[held], months_after)
    end = as_of[late_end] - 1
    c["contract_ended_on"][late_end] = keep_from[late_end] + (
        rng.random(len(late_end)) * (end - keep_from[late_end]).astype(np.int64)).astype(np.int64)


def _protect(cfg: GeneratorConfig, rng: np.random.Generator, c: Columns, live: np.ndarray, population: int,
             labels: Labels) -> None:
    """Pseudonyms (some weak) and encrypted sensitive fields (some left in plaintext)."""
    total = len(live)
    key = protect.synthetic_key(cfg.seed)
    c["pseudonym"] = protect.random_pseudonyms(total, rng)
    weak = pick(rng, live, cfg.rate("weak_pseudonymisation"), population)
    algos = np.array(protect.WEAK_HASHES)[rng.integers(3, size=len(weak))]
    c["pseudonym"][weak] = [protect.weak_pseudonym(e, a)
                            for e, a in zip(c["email"][weak], algos, strict=True)]
    labels.add("weak_pseudonymisation", "contacts", c["contact_id"][weak], population)

    sensitive = ["national_id", "iban", "accessibility_needs"]
    plain = {col: c[col] for col in sensitive}
    tokens = {col: protect.encrypt_arrow(plain[col], key, rng) for col in sensitive}  # kept in Arrow
    has_sensitive = np.column_stack([pd.notna(plain[col]) for col in sensitive])
    eligible = live & has_sensitive.any(axis=1)
    leak = pick(rng, eligible, cfg.rate("plaintext_sensitive_field"), int(eligible.sum()))
    first_field = has_sensitive[leak].argmax(axis=1)
    for j, col in enumerate(sensitive):
        shown = np.zeros(total, dtype=bool)
        shown[leak[first_field == j]] = True
        plaintext = pa.array(plain[col], type=pa.large_string(), from_pandas=True)
        c[col] = pc.if_else(shown, plaintext, tokens[col])
    labels.add("plaintext_sensitive_field", "contacts", c["contact_id"][leak], int(eligible.sum()))


def _break_emails(emails: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Typical typing errors that make an address invalid: no @, two @, no top-level domain, a space."""
    out = []
    for e, how in zip(emails, rng.integers(4, size=len(emails)), strict=True):
        local, domain = e.split("@")
        out.append((local + domain, local + "@@" + domain, local + "@" + domain.split(".")[0],
                    local.replace(".", " ", 1) + "@" + domain)[how])
    return out


def _append_duplicates(c: Columns, k: int, live: np.ndarray, cfg: GeneratorConfig,
                       rng: np.random.Generator, shard: Shard) -> Columns:
    """Add k later-created leads repeating an existing person's name and birth date (a re-registration)."""
    if k == 0:
        return c
    end = to_second(np.datetime64(cfg.as_of))
    n = len(live)
    src = rng.choice(np.flatnonzero(live & ~c["minor"]), size=k, replace=False)
    dup = {col: v[src].copy() for col, v in c.items()}
    dup["created"] = between(rng, np.maximum(dup["created"], end - 300 * DAY) + DAY, np.full(k, end - 1))
    dup["last_activity"] = dup["created"].copy()
    dup["status"][:] = "lead"
    for col in ("national_id", "iban", "accessibility_needs", "art9_condition", "art9_categories",
                "art10_authorisation", "retention_ground", "retention_until", "contract_ended_on"):
        dup[col][:] = None
    other = np.array(["gmail.com", "outlook.com", "yahoo.com"], dtype=object)[rng.integers(3, size=k)]
    number = rng.integers(10, 99, size=k)
    dup["contact_id"] = ids("C", shard.start + n + 1, k)
    dup["email"] = _duplicate_emails(dup["email"], number, other, dup["contact_id"], shard)
    out = {col: np.concatenate([v, dup[col]]) for col, v in c.items()}
    if shard.count == 1:  # several shards' addresses cannot clash (see _duplicate_emails)
        clash = pd.Series(out["email"]).duplicated().to_numpy()
        out["email"][clash] = "x" + out["email"][clash]
    return out


def _duplicate_emails(emails: np.ndarray, number: np.ndarray, domain: np.ndarray, contact_id: np.ndarray,
                      shard: Shard) -> np.ndarray:
    """A re-registration's new address: 'anna.weber57@gmail.com' in one shard (clashes are fixed after).

    With several shards 'anna.weber.<contact number>@gmail.com': the contact number is unique across shards,
    and the second dot followed by digits never appears in an original address, so nothing can clash.
    """
    local = [e.split("@")[0] for e in emails]
    suffix = number.tolist() if shard.count == 1 else ["." + str(int(i[1:])) for i in contact_id]
    return np.array([f"{e}{x}@{o}" for e, x, o in zip(local, suffix, domain, strict=True)], dtype=object)


def _finish(c: Columns, cfg: GeneratorConfig) -> pd.DataFrame:
    """The contacts table; locale, language and country taken by Arrow from the locale codes."""
    c["birth_date"], c["created_at"], c["last_activity_at"] = c["birth"], c["created"], c["last_activity"]
    for col, of_locale in (("locale", lambda loc: loc), ("language", lambda loc: LOCALES[loc][1]),
                           ("country", lambda loc: LOCALES[loc][0])):
        c[col] = take(pa.array([of_locale(loc) for loc in cfg.locales], type=pa.string()), c["loc_code"])
    columns = {col: c[col] for col in TABLES["contacts"].column_names if col not in sources.COLUMNS}
    return frame(columns, objects=("opt_out_offered_at_collection",))
