"""Accounts and contacts: realistic per-locale people, with contact-level violations planted.

Every locale's rows take names, address, phone, national id and IBAN of the same country. Contacts that
will have their erasure completed are chosen here, because erasure blanks the very fields other rules
look at; those contacts are kept out of the other contact-level planting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gdprlab import identifiers, protect
from gdprlab.generator.config import LOCALES, GeneratorConfig
from gdprlab.generator.labels import Labels, ids, pick, split
from gdprlab.generator.pools import EMAIL_DOMAINS, LocalePool, ascii_slug
from gdprlab.generator.timeutil import DAY, between, to_day, to_second
from gdprlab.law import add_months
from gdprlab.policy import Policy
from gdprlab.schema import TABLES

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
_PERSONAL = ["gender", "first_name", "last_name", "email", "phone", "street", "postal_code", "city",
             "national_id", "iban", "pseudonym", "accessibility_needs"]


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


def make_accounts(cfg: GeneratorConfig, rng: np.random.Generator, pools: dict[str, LocalePool]) -> pd.DataFrame:
    n = max(5, cfg.contacts // 10)
    locale = np.array(cfg.locales, dtype=object)[rng.integers(len(cfg.locales), size=n)]
    name = np.empty(n, dtype=object)
    vat = np.empty(n, dtype=object)
    for loc in cfg.locales:
        m = locale == loc
        name[m] = pools[loc].companies[rng.integers(len(pools[loc].companies), size=m.sum())]
        vat[m] = identifiers.vat_numbers(LOCALES[loc][0], int(m.sum()), rng)
    country = np.array([LOCALES[loc][0] for loc in locale], dtype=object)
    tld = pd.Series(country).str.lower().to_numpy()
    slug = pd.Series(name).map(ascii_slug).to_numpy()
    end = to_second(np.datetime64(cfg.as_of))
    return pd.DataFrame({
        "account_id": ids("A", 1, n, 6), "name": name, "vat_number": vat, "country": country,
        "industry": np.array(INDUSTRIES, dtype=object)[rng.integers(len(INDUSTRIES), size=n)],
        "website": "www." + slug + "." + tld,
        "created_at": between(rng, np.full(n, end - 10 * 365 * DAY), np.full(n, end - 400 * DAY)),
    })


def _people(cfg: GeneratorConfig, rng: np.random.Generator, pools: dict[str, LocalePool],
            accounts: pd.DataFrame, n: int) -> pd.DataFrame:
    """Clean contacts: names, contact details, identifiers and timestamps consistent per locale."""
    end = to_second(np.datetime64(cfg.as_of))
    locale = np.array(cfg.locales, dtype=object)[rng.integers(len(cfg.locales), size=n)]
    female = rng.random(n) < 0.5
    minor = rng.random(n) < MINOR_SHARE
    age_days = np.where(minor, rng.integers(13 * 366, 18 * 365, size=n), rng.integers(18 * 366, 80 * 365, size=n))
    birth = to_day(end) - age_days.astype("timedelta64[D]")
    created = between(rng, np.where(minor, end - 700 * DAY, end - 8 * 365 * DAY), np.full(n, end - DAY))
    status_names = np.array(list(STATUS_WEIGHTS), dtype=object)
    status = status_names[rng.choice(len(status_names), size=n, p=list(STATUS_WEIGHTS.values()))]
    status[minor] = "lead"
    df = pd.DataFrame({"locale": locale, "female": female, "minor": minor, "birth": birth,
                       "created": created, "status": status})
    cols = {c: np.empty(n, dtype=object) for c in
            ("first_name", "last_name", "street", "postal_code", "city", "phone", "email_domain", "account_id")}
    for loc in cfg.locales:
        m = locale == loc
        k = int(m.sum())
        p = pools[loc]
        pick_ = lambda arr: arr[rng.integers(len(arr), size=k)]  # noqa: E731
        f = female[m]
        cols["first_name"][m] = np.where(f, pick_(p.first_female), pick_(p.first_male))
        cols["last_name"][m] = np.where(f, pick_(p.last_female), pick_(p.last_male))
        addr = rng.integers(len(p.streets), size=k)
        cols["street"][m], cols["postal_code"][m], cols["city"][m] = p.streets[addr], p.postcodes[addr], p.cities[addr]
        cols["phone"][m] = identifiers.phone_numbers(LOCALES[loc][0], k, rng)
        cols["email_domain"][m] = pick_(np.array(EMAIL_DOMAINS[loc], dtype=object))
        local_accounts = accounts["account_id"].to_numpy()[accounts["country"].to_numpy() == LOCALES[loc][0]]
        if len(local_accounts):
            linked = rng.random(k) < 0.7
            cols["account_id"][m] = np.where(linked, local_accounts[rng.integers(len(local_accounts), size=k)], None)
    for c, v in cols.items():
        df[c] = v
    return df


def _unique_people(df: pd.DataFrame, rng: np.random.Generator) -> None:
    """Re-draw birth dates until no two contacts share first name, last name and birth date."""
    while True:
        key = df["first_name"].str.lower() + "|" + df["last_name"].str.lower() + "|" + df["birth"].astype(str)
        dup = key.duplicated().to_numpy()
        if not dup.any():
            return
        df.loc[dup, "birth"] = df.loc[dup, "birth"].to_numpy() - rng.integers(1, 30, size=dup.sum()).astype("timedelta64[D]")


def _slugs(names: pd.Series) -> pd.Series:
    """ascii_slug of each name, computed once per distinct name (names repeat a lot)."""
    uniq = pd.unique(names)
    return names.map(dict(zip(uniq, map(ascii_slug, uniq), strict=True)))


def _emails(first: pd.Series, last: pd.Series, domain: pd.Series) -> pd.Series:
    """first.last@domain, with a number appended for namesakes so that every address is unique."""
    local = _slugs(first) + "." + _slugs(last)
    base = local + "@" + domain
    nth = base.groupby(base).cumcount()
    return local.where(nth == 0, local + (nth + 1).astype(str)) + "@" + domain


def _identifiers(df: pd.DataFrame, cfg: GeneratorConfig, rng: np.random.Generator) -> None:
    """National id for 30% and IBAN for 60% of customers, of the contact's own country."""
    n = len(df)
    customer = df["status"].isin(["customer", "former_customer"]).to_numpy()
    has_nid = customer & (rng.random(n) < 0.3)
    has_iban = customer & (rng.random(n) < 0.6)
    nid = np.full(n, None, dtype=object)
    iban = np.full(n, None, dtype=object)
    for loc in cfg.locales:
        country = LOCALES[loc][0]
        m = (df["locale"] == loc).to_numpy()
        mn, mi = m & has_nid, m & has_iban
        if mn.any():
            nid[mn] = identifiers.national_ids(country, df["birth"].to_numpy()[mn], df["female"].to_numpy()[mn], rng,
                                               df["first_name"].to_numpy()[mn], df["last_name"].to_numpy()[mn])
        if mi.any():
            iban[mi] = identifiers.ibans(country, int(mi.sum()), rng)
    df["national_id"], df["iban"] = nid, iban


def _last_activity(df: pd.DataFrame, cfg: GeneratorConfig, policy: Policy, rng: np.random.Generator) -> None:
    """Latest activity within the retention period of the contact's status (clean data keeps it)."""
    end = to_second(np.datetime64(cfg.as_of))
    months = df["status"].map(policy.retention_months).to_numpy().astype(int)
    keep_from = to_second(add_months(np.full(len(df), cfg.as_of, dtype="datetime64[D]"), -months) + 2)
    df["last_activity"] = between(rng, np.maximum(df["created"].to_numpy(), keep_from), np.full(len(df), end - 1))


def make_contacts(cfg: GeneratorConfig, policy: Policy, rng: np.random.Generator,
                  pools: dict[str, LocalePool], accounts: pd.DataFrame, labels: Labels) -> tuple[pd.DataFrame, ContactPlan]:
    n_erased = int(round(ERASED_SHARE * cfg.contacts))
    population = cfg.contacts - n_erased
    n_inaccurate = int(round(cfg.rate("inaccurate_data") * population))
    n_dup = n_inaccurate // 3
    df = _people(cfg, rng, pools, accounts, cfg.contacts - n_dup)
    _unique_people(df, rng)
    _identifiers(df, cfg, rng)
    _last_activity(df, cfg, policy, rng)
    n = len(df)
    end = to_second(np.datetime64(cfg.as_of))
    lang = df["locale"].map(lambda loc: LOCALES[loc][1]).to_numpy()
    df["language"] = lang
    df["country"] = df["locale"].map(lambda loc: LOCALES[loc][0]).to_numpy()
    acc = (~df["minor"].to_numpy()) & (rng.random(n) < ACCESSIBILITY_SHARE)
    choice = rng.integers(2, size=n)
    df["accessibility_needs"] = [ACCESSIBILITY[lang[i]][choice[i]] if acc[i] else None for i in range(n)]
    df["art9_condition"] = np.where(acc, "9(2)(a)", None)
    health_note = acc & (rng.random(n) < 0.3)

    # contacts whose erasure is completed: last activity at least 40 days ago, chosen among adults
    can_erase = (df["last_activity"].to_numpy() < end - 40 * DAY) & ~df["minor"].to_numpy()
    erased = np.zeros(n, dtype=bool)
    erased[rng.choice(np.flatnonzero(can_erase), size=min(n_erased, int(can_erase.sum())), replace=False)] = True
    incomplete = np.zeros(n, dtype=bool)
    incomplete[pick(rng, erased, cfg.rate("erasure_incomplete"), int(erased.sum()))] = True
    keeps_fields, keeps_notes = (np.zeros(n, dtype=bool) for _ in range(2))
    for part, target in zip(split(rng, np.flatnonzero(incomplete), 2), (keeps_fields, keeps_notes), strict=True):
        target[part] = True
    live = ~erased
    df["contact_id"] = ids("C", 1, n)
    df["gender"] = np.where(df["female"], "F", "M")

    special = pick(rng, live, cfg.rate("special_category_without_condition"), population)
    special_note = np.zeros(n, dtype=bool)
    with_condition = special[acc[special]]
    without = special[~acc[special]]
    df.loc[with_condition, "art9_condition"] = None
    as_field, as_note = split(rng, without, 2)
    df.loc[as_field, "accessibility_needs"] = [ACCESSIBILITY[lang[i]][0] for i in as_field]
    special_note[as_note] = True
    labels.add("special_category_without_condition", "contacts", df["contact_id"].to_numpy()[special], population)

    months = df["status"].map(policy.retention_months).to_numpy().astype(int)
    cutoff = to_second(add_months(np.full(n, cfg.as_of, dtype="datetime64[D]"), -months) - 2)
    old = df["created"].to_numpy() < cutoff
    stale = pick(rng, live & old, cfg.rate("retention_exceeded"), population)
    cutoff = cutoff[stale]
    df.loc[stale, "last_activity"] = between(rng, df["created"].to_numpy()[stale], cutoff - 1)
    labels.add("retention_exceeded", "contacts", df["contact_id"].to_numpy()[stale], population)

    df["email"] = _emails(df["first_name"], df["last_name"], df["email_domain"])
    bad = pick(rng, live, (n_inaccurate - n_dup) / max(population, 1), population)
    bad_email, bad_phone = split(rng, bad, 2)
    df.loc[bad_email, "email"] = _break_emails(df["email"].to_numpy()[bad_email], rng)
    for loc in cfg.locales:
        rows = bad_phone[(df["locale"].to_numpy()[bad_phone] == loc)]
        df.loc[rows, "phone"] = identifiers.invalid_phone_numbers(LOCALES[loc][0], len(rows), rng)
    df = _append_duplicates(df, n_dup, live, cfg, rng)
    erased = np.concatenate([erased, np.zeros(n_dup, dtype=bool)])
    keeps_fields = np.concatenate([keeps_fields, np.zeros(n_dup, dtype=bool)])
    labels.add("inaccurate_data", "contacts",
               np.concatenate([df["contact_id"].to_numpy()[bad], df["contact_id"].to_numpy()[n:]]), 0)
    labels.planted["inaccurate_data"]["population"] = population

    total = len(df)
    live = ~erased
    key = protect.synthetic_key(cfg.seed)
    df["pseudonym"] = protect.random_pseudonyms(total, rng)
    weak = pick(rng, live, cfg.rate("weak_pseudonymisation"), population)
    algos = np.array(protect.WEAK_HASHES)[rng.integers(3, size=len(weak))]
    df.loc[weak, "pseudonym"] = [protect.weak_pseudonym(e, a) for e, a in zip(df["email"].to_numpy()[weak], algos, strict=True)]
    labels.add("weak_pseudonymisation", "contacts", df["contact_id"].to_numpy()[weak], population)

    sensitive = ["national_id", "iban", "accessibility_needs"]
    plain = {c: df[c].to_numpy().copy() for c in sensitive}
    for c in sensitive:
        df[c] = protect.encrypt(plain[c], key, rng)
    has_sensitive = np.column_stack([pd.notna(plain[c]) for c in sensitive])
    eligible = live & has_sensitive.any(axis=1)
    leak = pick(rng, eligible, cfg.rate("plaintext_sensitive_field"), int(eligible.sum()))
    first_field = has_sensitive[leak].argmax(axis=1)
    for j, c in enumerate(sensitive):
        rows = leak[first_field == j]
        df.loc[rows, c] = plain[c][rows]
    labels.add("plaintext_sensitive_field", "contacts", df["contact_id"].to_numpy()[leak], int(eligible.sum()))

    first_names, last_names = df["first_name"].to_numpy().copy(), df["last_name"].to_numpy().copy()
    blank = erased & ~keeps_fields
    df.loc[blank, _PERSONAL] = None
    df.loc[blank, "birth"] = np.datetime64("NaT")
    df.loc[erased, "status"] = "erased"
    plan = ContactPlan(erased=erased, erasure_keeps_notes=np.concatenate([keeps_notes, np.zeros(n_dup, dtype=bool)]),
                       erasure_incomplete=np.concatenate([incomplete, np.zeros(n_dup, dtype=bool)]),
                       special_note=np.concatenate([special_note, np.zeros(n_dup, dtype=bool)]),
                       health_note=np.concatenate([health_note, np.zeros(n_dup, dtype=bool)]),
                       first_names=first_names, last_names=last_names)
    return _finish(df), plan


def _break_emails(emails: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Typical typing errors that make an address invalid: no @, two @, no top-level domain, a space."""
    out = []
    for e, how in zip(emails, rng.integers(4, size=len(emails)), strict=True):
        local, domain = e.split("@")
        out.append((local + domain, local + "@@" + domain, local + "@" + domain.rsplit(".", 1)[0],
                    local.replace(".", " ", 1) + "@" + domain)[how])
    return out


def _append_duplicates(df: pd.DataFrame, k: int, live: np.ndarray, cfg: GeneratorConfig,
                       rng: np.random.Generator) -> pd.DataFrame:
    """Add k later-created leads repeating an existing person's name and birth date (a re-registration)."""
    if k == 0:
        return df
    end = to_second(np.datetime64(cfg.as_of))
    src = rng.choice(np.flatnonzero(live & ~df["minor"].to_numpy()), size=k, replace=False)
    dup = df.iloc[src].copy()
    dup["created"] = between(rng, np.maximum(dup["created"].to_numpy(), end - 300 * DAY) + DAY, np.full(k, end - 1))
    dup["last_activity"] = dup["created"].to_numpy()
    dup["status"] = "lead"
    dup[["national_id", "iban", "accessibility_needs", "art9_condition"]] = None
    other = np.array(["gmail.com", "outlook.com", "yahoo.com"], dtype=object)[rng.integers(3, size=k)]
    dup["email"] = dup["email"].str.split("@").str[0] + rng.integers(10, 99, size=k).astype(str) + "@" + other
    dup["contact_id"] = ids("C", len(df) + 1, k)
    out = pd.concat([df, dup], ignore_index=True)
    clash = out["email"].duplicated().to_numpy()
    out.loc[clash, "email"] = "x" + out.loc[clash, "email"]
    return out


def _finish(df: pd.DataFrame) -> pd.DataFrame:
    df = df.rename(columns={"birth": "birth_date", "created": "created_at", "last_activity": "last_activity_at"})
    return df[TABLES["contacts"].column_names]
