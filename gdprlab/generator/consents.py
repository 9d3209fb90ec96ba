"""Consents per contact and purpose, provable and well-formed in clean data, with defects planted."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gdprlab.generator.config import GeneratorConfig
from gdprlab.generator.frames import arrow_text, frame, take
from gdprlab.generator.labels import Labels, format_ids, id_array, pick, split
from gdprlab.generator.timeutil import between, to_day, to_second
from gdprlab.regulation.law import ART8_AGE, ART8_DEFAULT_AGE, age_on

PURPOSES = {"newsletter": 0.5, "event_invitations": 0.25, "product_offers": 0.3, "partner_offers": 0.1}
SOURCES = {"web_form": 0.5, "mobile_app": 0.15, "event": 0.15, "phone": 0.1, "paper_form": 0.1}
ONLINE = ("web_form", "mobile_app")
#: source -> the well-formed methods it uses
METHODS = {"web_form": ("double_opt_in", "unticked_checkbox"),
           "mobile_app": ("double_opt_in", "unticked_checkbox"), "event": ("signed", "unticked_checkbox"),
           "phone": ("verbal",), "paper_form": ("signed",)}
WITHDRAWN_SHARE = 0.15
ID_WIDTH = 7


@dataclass
class ConsentKeys:
    """Contact row and PURPOSES index of each consent, so later stages need no string lookups."""
    row: np.ndarray
    purpose: np.ndarray


def make_consents(cfg: GeneratorConfig, rng: np.random.Generator, contacts: pd.DataFrame,
                  labels: Labels) -> tuple[pd.DataFrame, ConsentKeys]:
    end = to_second(np.datetime64(cfg.as_of))
    purposes = np.array(list(PURPOSES), dtype=object)
    who = [np.flatnonzero(rng.random(len(contacts)) < share) for share in PURPOSES.values()]
    row = np.concatenate(who)
    pcode = np.repeat(np.arange(len(purposes)), [len(w) for w in who])
    rank = np.argsort(np.argsort(purposes))  # purpose code -> its place in name order
    order = np.argsort(row.astype(np.int64) * len(purposes) + rank[pcode], kind="stable")  # by row, then name
    row, pcode = row[order], pcode[order]
    n = len(row)
    given = between(rng, contacts["created_at"].to_numpy()[row], np.full(n, end - 1))
    withdrawn = rng.random(n) < WITHDRAWN_SHARE
    withdrawn_at = np.where(withdrawn, between(rng, given + 1, np.full(n, end - 1)), np.datetime64("NaT"))
    src_names = np.array(list(SOURCES), dtype=object)
    source = rng.choice(len(src_names), size=n, p=list(SOURCES.values()))
    birth = contacts["birth_date"].to_numpy()[row]
    known = pd.notna(birth)
    young = known & (age_on(np.where(known, birth, np.datetime64("1900-01-01")), to_day(end)) < 18)
    online = np.array([src_names.tolist().index(s) for s in ONLINE])
    source[young] = online[rng.integers(2, size=int(young.sum()))]
    version = _wording_versions(pcode, given, rng.integers(1, 3, size=n))
    methods = np.array([[m[0], m[-1]] for m in METHODS.values()], dtype=object)  # by source, then draw
    method = methods[source, rng.integers(2, size=n)]
    child = _children(contacts, row, birth, given, np.isin(source, online))
    cols = {"consent_id": id_array("K", np.arange(1, n + 1), ID_WIDTH),
            "contact_id": take(arrow_text(contacts["contact_id"]), row),
            "purpose": purposes[pcode], "given_at": given, "withdrawn_at": withdrawn_at,
            "source": src_names[source], "wording_version": version, "method": method,
            "parental_authorisation": child.copy()}
    _plant(cfg, rng, cols, child, np.isin(source, online), labels)
    return frame(cols), ConsentKeys(row, pcode)


def _wording_versions(pcode: np.ndarray, given: np.ndarray, variant: np.ndarray) -> np.ndarray:
    """'NEWS-2024.1': purpose, year given and variant, formatted once per distinct combination."""
    year = given.astype("datetime64[Y]").astype(np.int64) + 1970
    uniq, inverse = np.unique((pcode * 10000 + year) * 10 + variant, return_inverse=True)
    prefix = [p[:4].upper() for p in PURPOSES]
    text = np.array([f"{prefix[u // 100000]}-{u // 10 % 10000}.{u % 10}" for u in uniq.tolist()],
                    dtype=object)
    return text[inverse.ravel()]


def _children(contacts: pd.DataFrame, row: np.ndarray, birth: np.ndarray, given: np.ndarray,
              online: np.ndarray) -> np.ndarray:
    """Online consents given by a contact younger than the Art. 8 age of their country."""
    codes, countries = pd.factorize(contacts["country"].to_numpy())
    limits = np.array([ART8_AGE.get(c, ART8_DEFAULT_AGE) for c in countries], dtype=np.int64)
    limit = limits[codes[row]]
    known = pd.notna(birth)
    age = age_on(np.where(known, birth, np.datetime64("1900-01-01")), to_day(given))
    return known & (age < limit) & online


def _plant(cfg: GeneratorConfig, rng: np.random.Generator, cols: dict[str, np.ndarray], child: np.ndarray,
           online: np.ndarray, labels: Labels) -> None:
    """Missing proof, children without authorisation, and pre-ticked or bundled consents (disjoint rows)."""
    n = len(child)
    def consent_id(rows: np.ndarray) -> np.ndarray:
        return format_ids("K", rows + 1, ID_WIDTH)

    kids = pick(rng, child, cfg.rate("child_consent_without_authorisation"), int(child.sum()))
    cols["parental_authorisation"][kids] = False
    labels.add("child_consent_without_authorisation", "consents", consent_id(kids), int(child.sum()))
    free = ~child
    proof = pick(rng, free, cfg.rate("consent_without_proof"), n)
    no_source, no_version = split(rng, proof, 2)
    cols["source"][no_source] = None
    cols["wording_version"][no_version] = None
    labels.add("consent_without_proof", "consents", consent_id(proof), n)
    free[proof] = False
    form = pick(rng, free, cfg.rate("invalid_consent_form"), n)
    cols["method"][form] = np.where(online[form], "pre_ticked_box", "bundled_with_terms")
    labels.add("invalid_consent_form", "consents", consent_id(form), n)
