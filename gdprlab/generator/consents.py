"""Consents per contact and purpose, provable and well-formed in clean data, with defects planted."""

from __future__ import annotations

import numpy as np
import pandas as pd

from gdprlab.generator.config import GeneratorConfig
from gdprlab.generator.labels import Labels, ids, pick, split
from gdprlab.generator.timeutil import between, to_day, to_second
from gdprlab.law import ART8_AGE, ART8_DEFAULT_AGE, age_on

PURPOSES = {"newsletter": 0.5, "event_invitations": 0.25, "product_offers": 0.3, "partner_offers": 0.1}
SOURCES = {"web_form": 0.5, "mobile_app": 0.15, "event": 0.15, "phone": 0.1, "paper_form": 0.1}
ONLINE = ("web_form", "mobile_app")
#: source -> the well-formed methods it uses
METHODS = {"web_form": ("double_opt_in", "unticked_checkbox"), "mobile_app": ("double_opt_in", "unticked_checkbox"),
           "event": ("signed", "unticked_checkbox"), "phone": ("verbal",), "paper_form": ("signed",)}
WITHDRAWN_SHARE = 0.15


def make_consents(cfg: GeneratorConfig, rng: np.random.Generator, contacts: pd.DataFrame,
                  labels: Labels) -> pd.DataFrame:
    end = to_second(np.datetime64(cfg.as_of))
    parts = []
    for purpose, share in PURPOSES.items():
        who = np.flatnonzero(rng.random(len(contacts)) < share)
        parts.append(pd.DataFrame({"row": who, "purpose": purpose}))
    df = pd.concat(parts, ignore_index=True).sort_values(["row", "purpose"], kind="stable").reset_index(drop=True)
    row = df["row"].to_numpy()
    n = len(df)
    df["contact_id"] = contacts["contact_id"].to_numpy()[row]
    df["given_at"] = between(rng, contacts["created_at"].to_numpy()[row], np.full(n, end - 1))
    withdrawn = rng.random(n) < WITHDRAWN_SHARE
    df["withdrawn_at"] = np.where(withdrawn, between(rng, df["given_at"].to_numpy() + 1, np.full(n, end - 1)),
                                  np.datetime64("NaT"))
    src_names = np.array(list(SOURCES), dtype=object)
    source = src_names[rng.choice(len(src_names), size=n, p=list(SOURCES.values()))]
    birth = contacts["birth_date"].to_numpy()[row]
    young = pd.notna(birth) & (age_on(np.where(pd.isna(birth), np.datetime64("1900-01-01"), birth), to_day(end)) < 18)
    source[young] = np.array(ONLINE, dtype=object)[rng.integers(2, size=int(young.sum()))]
    df["source"] = source
    df["wording_version"] = df["purpose"].str[:4].str.upper() + "-" + \
        df["given_at"].dt.year.astype(str) + "." + pd.Series(rng.integers(1, 3, size=n)).astype(str)
    df["method"] = [METHODS[s][i % len(METHODS[s])] for s, i in zip(source, rng.integers(2, size=n), strict=True)]
    child = _children(df, contacts, row, birth)
    df["parental_authorisation"] = child
    df.insert(0, "consent_id", ids("K", 1, n))
    _plant(cfg, rng, df, child, labels)
    return df[["consent_id", "contact_id", "purpose", "given_at", "withdrawn_at", "source", "wording_version",
               "method", "parental_authorisation"]]


def _children(df: pd.DataFrame, contacts: pd.DataFrame, row: np.ndarray, birth: np.ndarray) -> np.ndarray:
    """Online consents given by a contact younger than the Art. 8 age of their country."""
    country = contacts["country"].to_numpy()[row]
    limit = np.array([ART8_AGE.get(c, ART8_DEFAULT_AGE) for c in country])
    known = pd.notna(birth)
    age = age_on(np.where(known, birth, np.datetime64("1900-01-01")), to_day(df["given_at"].to_numpy()))
    return known & (age < limit) & df["source"].isin(ONLINE).to_numpy()


def _plant(cfg: GeneratorConfig, rng: np.random.Generator, df: pd.DataFrame, child: np.ndarray,
           labels: Labels) -> None:
    """Missing proof, children without authorisation, and pre-ticked or bundled consents (disjoint rows)."""
    n = len(df)
    kids = pick(rng, child, cfg.rate("child_consent_without_authorisation"), int(child.sum()))
    df.loc[kids, "parental_authorisation"] = False
    labels.add("child_consent_without_authorisation", "consents", df["consent_id"].to_numpy()[kids], int(child.sum()))
    free = ~child
    proof = pick(rng, free, cfg.rate("consent_without_proof"), n)
    no_source, no_version = split(rng, proof, 2)
    df.loc[no_source, "source"] = None
    df.loc[no_version, "wording_version"] = None
    labels.add("consent_without_proof", "consents", df["consent_id"].to_numpy()[proof], n)
    free[proof] = False
    form = pick(rng, free, cfg.rate("invalid_consent_form"), n)
    online = df["source"].isin(ONLINE).to_numpy()[form]
    df.loc[form, "method"] = np.where(online, "pre_ticked_box", "bundled_with_terms")
    labels.add("invalid_consent_form", "consents", df["consent_id"].to_numpy()[form], n)

