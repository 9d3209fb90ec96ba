"""Benchmark: quality and speed of gdprlab.audit.discovery.textscan (personal data in free text).

Run:  .venv/bin/python benchmarks/text_quality.py [--notes 200000] [--quality-notes 40000]

Prints five parts:

1. Presidio's recognizer test vectors (../shared/realdata/presidio_recognizer_test_vectors.csv): per
   entity type that textscan covers, recall and precision of *exact* spans, and every miss. Vectors of
   the form "value, True/False" (Presidio's validator tests) count as a text whose whole value is the
   expected span. Precision of a type is measured on the rows of that type's own test file, as Presidio
   tests each recognizer alone. Expected spans are stripped of surrounding whitespace. "stdnum rejects"
   lists expected spans that the mandated validator
   (python-stdnum) itself rejects, i.e. label disagreements rather than scanner misses.
2. Phones: the vectors have no PHONE entity, so valid numbers of the eight CRM countries
   (gdprlab.generator.identifiers) are written in international and national format into sentences; numbers
   with a
   wrong length (invalid_phone_numbers) must not be found.
3. Generated notes (gdprlab.generator.notes.compose_notes; its spans are the ground truth). A predicted span
and a
   true span *match* when they have the same kind and overlap by at least one character (a category's
   true span is the whole revealing phrase, the prediction is a term inside it; for names both are
   reported, "overlap" and "exact"). Recall = true spans matched / true spans; precision = predicted
   spans matched / predicted spans. Names are measured twice: with the full lexicon (all Faker locales,
   including the eight the notes draw names from: partly circular) and held out (those eight locales'
   name lists removed from the lexicon).
4. English names (PERSON) in text the project did not write: the datablist people/customers records
   (names, job titles, companies, cities, countries) put into a fixed list of English CRM sentence
   templates, scored like part 3 (overlap), with every false positive and the precision target (0.9,
   issue 13); and the names found in Presidio's test texts, none of which carries a PERSON label.
5. Throughput on the activity notes of a generated dataset (gdprlab.generator), >= 200,000 notes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gdprlab.audit.discovery.name_lexicon import CRM_LOCALES, HELD_OUT  # noqa: E402
from gdprlab.audit.discovery.textscan import scan_texts  # noqa: E402
from gdprlab.generator import (  # noqa: E402
    GeneratorConfig,
    generate,
    identifiers,  # noqa: E402
    notes,
)
from gdprlab.generator.pools import build_pool  # noqa: E402

#: the public reference files, beside the project (or where GDPRLAB_REALDATA says, e.g. from a worktree)
REALDATA = Path(os.environ.get("GDPRLAB_REALDATA") or ROOT.parent / "shared" / "realdata")
VECTORS = REALDATA / "presidio_recognizer_test_vectors.csv"
PRESIDIO_NOTES_PER_S = 118
TARGET_NOTES_PER_S = 300 * PRESIDIO_NOTES_PER_S

#: Presidio entity -> (textscan kind, scheme that must appear in detail, or None)
ENTITY_MAP: dict[str, tuple[str, str | None]] = {
    "IBAN_CODE": ("iban", None),
    "EMAIL_ADDRESS": ("email", None),
    "CREDIT_CARD": ("card_number", None),
    "IP_ADDRESS": ("ip_address", None),
    "DE_TAX_ID": ("national_id", "DE idnr"),
    "DE_SOCIAL_SECURITY": ("national_id", "DE rvnr"),
    "ES_NIF": ("national_id", "ES dni"),
    "ES_NIE": ("national_id", "ES nie"),
    "FI_PERSONAL_IDENTITY_CODE": ("national_id", "FI hetu"),
    "IT_FISCAL_CODE": ("national_id", "IT codicefiscale"),
    "PL_PESEL": ("national_id", "PL pesel"),
    "SE_PERSONNUMMER": ("national_id", "SE personnummer"),
    "UK_NINO": ("national_id", "GB nino"),
    "UK_NHS": ("national_id", "GB nhs"),
}
#: the EU national identifier types the vectors cover (UK ones are reported but are not EU)
EU_NATIONAL = ("DE_TAX_ID", "DE_SOCIAL_SECURITY", "ES_NIF", "ES_NIE", "FI_PERSONAL_IDENTITY_CODE",
               "IT_FISCAL_CODE", "PL_PESEL", "SE_PERSONNUMMER")


def _stdnum_accepts(entity: str, value: str) -> bool | None:
    """What python-stdnum says about an expected value (None: no stdnum module for the type)."""
    from stdnum import iban
    from stdnum.es import dni, nie
    from stdnum.it import codicefiscale
    from stdnum.pl import pesel
    from stdnum.se import personnummer
    checks = {"IBAN_CODE": iban.is_valid, "ES_NIE": nie.is_valid, "IT_FISCAL_CODE": codicefiscale.is_valid,
              "PL_PESEL": pesel.is_valid, "SE_PERSONNUMMER": personnummer.is_valid,
              "ES_NIF": lambda v: dni.is_valid(v.replace("-", "").rjust(9, "0"))}
    check = checks.get(entity)
    return None if check is None else bool(check(value.replace(" ", "")))


def load_vectors(path: Path = VECTORS) -> pd.DataFrame:
    """One row per test text: entity, text, expected spans (list or None when only a count is given)."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw = raw[raw["entity"].isin(ENTITY_MAP)]
    rows = []
    for r in raw.itertuples(index=False):
        text = r.text_or_value
        expected = r.expected_count_or_valid
        if expected in ("True", "False"):  # a validator test: the whole value is or is not an id
            spans = [(0, len(text))] if expected == "True" else []
            rows.append((r.entity, text, len(spans), spans))
            continue
        count = int(expected)
        positions = json.loads(r.expected_positions) if r.expected_positions.strip() else []
        spans = [_strip(text, *p) for p in positions] if positions else None
        rows.append((r.entity, text, count, spans if count == 0 or spans else None))
    return pd.DataFrame(rows, columns=["entity", "text", "count", "spans"])


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """An expected span without surrounding whitespace (one UK_NINO label starts with a space)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _predicted(found: pd.DataFrame, kind: str, scheme: str | None) -> pd.DataFrame:
    sel = found[found["kind"] == kind]
    if scheme:
        sel = sel[np.array([scheme in d.split("; ") for d in sel["detail"]], dtype=bool)]
    return sel


def score_vectors(vectors: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Per entity: expected, found, true positives, recall, precision; and the list of misses."""
    found = scan_texts(vectors["text"])
    by_row = {r: g for r, g in found.groupby("row")}
    empty = found.iloc[:0]
    table, misses = [], []
    for entity, group in vectors.groupby("entity", sort=True):
        kind, scheme = ENTITY_MAP[entity]
        n_exp = n_pred = tp = disagree = 0
        for i, v in group.iterrows():
            pred = _predicted(by_row.get(i, empty), kind, scheme)
            spans = set(zip(pred["start"], pred["end"], strict=True))
            n_pred += len(spans)
            n_exp += v["count"]
            if v["spans"] is None:
                hit = min(len(spans), v["count"])
            else:
                hit = len(spans & set(v["spans"]))
                for s, e in set(v["spans"]) - spans:
                    accepted = _stdnum_accepts(entity, v["text"][s:e])
                    disagree += accepted is False
                    note = " (stdnum rejects it too)" if accepted is False else ""
                    misses.append(f"{entity}: missed {v['text'][s:e]!r} in {v['text']!r}{note}")
                for s, e in spans - set(v["spans"]):
                    misses.append(f"{entity}: extra {v['text'][s:e]!r} in {v['text']!r}")
            tp += hit
        table.append({"entity": entity, "expected": n_exp, "predicted": n_pred, "tp": tp,
                      "recall": tp / n_exp if n_exp else float("nan"),
                      "precision": tp / n_pred if n_pred else float("nan"),
                      "stdnum_rejects": disagree,
                      "recall_vs_stdnum": tp / (n_exp - disagree) if n_exp - disagree else float("nan")})
    return pd.DataFrame(table).set_index("entity"), misses


def phone_sentences(n_per_country: int = 200,
                    seed: int = 5) -> tuple[list[str], list[tuple[int, int] | None]]:
    """Sentences with a valid phone in international or national format, and with invalid numbers."""
    import phonenumbers
    rng = np.random.default_rng(seed)
    texts, spans = [], []
    frames = ("Tel. {} (mobil)", "Rufnummer: {}.", "appeler le {} demain", "chiamare al {}",
              "llamar al {} mañana", "bel {} terug", "numer {} po 16", "ring {} i morgon", "ligar para {}")
    for country in identifiers.COUNTRIES:
        for k, e164 in enumerate(identifiers.phone_numbers(country, n_per_country, rng)):
            num = phonenumbers.parse(e164, None)
            fmt = (phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.NATIONAL,
                   phonenumbers.PhoneNumberFormat.E164)[k % 3]
            written = phonenumbers.format_number(num, fmt)
            frame = frames[k % len(frames)]
            at = frame.index("{}")
            texts.append(frame.format(written))
            spans.append((at, at + len(written)))
        for k, bad in enumerate(identifiers.invalid_phone_numbers(country, n_per_country // 4, rng)):
            texts.append(frames[k % len(frames)].format(bad))
            spans.append(None)
    return texts, spans


def score_phones() -> dict[str, float]:
    texts, spans = phone_sentences()
    found = scan_texts(texts, kinds=["phone"])
    got = {(r, s, e) for r, s, e in zip(found["row"], found["start"], found["end"], strict=True)}
    valid = [(i, sp) for i, sp in enumerate(spans) if sp]
    tp = sum((i, *sp) in got for i, sp in valid)
    invalid_rows = {i for i, sp in enumerate(spans) if sp is None}
    fp_invalid = sum(r in invalid_rows for r, _, _ in got)
    return {"valid": len(valid), "found_exact": tp, "recall": tp / len(valid),
            "invalid": len(invalid_rows), "invalid_found": fp_invalid,
            "precision": tp / len(got) if got else float("nan")}


def labelled_notes(n: int, seed: int = 3, special_share: float = 0.3) -> tuple[np.ndarray, pd.DataFrame]:
    """``n`` notes with ground-truth spans; names from the eight CRM locales' Faker lists."""
    rng = np.random.default_rng(seed)
    pools = {loc: build_pool(loc, seed) for loc in CRM_LOCALES}
    loc_idx = rng.integers(len(CRM_LOCALES), size=n)
    languages = np.array([loc[:2] for loc in CRM_LOCALES], dtype=object)[loc_idx]
    nonneutral = np.array(notes.KINDS[1:], dtype=object)
    drawn = nonneutral[rng.integers(len(nonneutral), size=n)]
    kinds = np.where(rng.random(n) < special_share, drawn, "neutral")
    first, last, colleague = (np.empty(n, dtype=object) for _ in range(3))
    for j, loc in enumerate(CRM_LOCALES):
        p = pools[loc]
        m = loc_idx == j
        k = int(m.sum())
        female = rng.random(k) < 0.5
        first[m] = np.where(female, p.first_female[rng.integers(len(p.first_female), size=k)],
                            p.first_male[rng.integers(len(p.first_male), size=k)])
        last[m] = np.where(female, p.last_female[rng.integers(len(p.last_female), size=k)],
                           p.last_male[rng.integers(len(p.last_male), size=k)])
        cf = p.first_male[rng.integers(len(p.first_male), size=k)]
        colleague[m] = cf + " " + p.last_male[rng.integers(len(p.last_male), size=k)]
    return notes.compose_notes(languages, kinds, first, last, colleague, rng)


def _match(truth: pd.DataFrame, pred: pd.DataFrame, exact: bool) -> tuple[int, int, int, int]:
    """(true spans matched, true spans, predicted spans matched, predicted spans) for one kind."""
    t = truth.sort_values(["row", "start"])
    p = pred.sort_values(["row", "start"])
    t_hit = np.zeros(len(t), dtype=bool)
    p_hit = np.zeros(len(p), dtype=bool)
    t_groups = {r: g for r, g in t.groupby("row")}
    tpos = {idx: k for k, idx in enumerate(t.index)}
    for k, (r, s, e) in enumerate(zip(p["row"], p["start"], p["end"], strict=True)):
        g = t_groups.get(r)
        if g is None:
            continue
        same = (g["start"] == s) & (g["end"] == e) if exact else (g["start"] < e) & (s < g["end"])
        sel = g[same]
        if len(sel):
            p_hit[k] = True
            for idx in sel.index:
                t_hit[tpos[idx]] = True
    return int(t_hit.sum()), len(t), int(p_hit.sum()), len(p)


def score_notes(texts: np.ndarray, truth: pd.DataFrame,
                exclude: frozenset[str] = frozenset()) -> pd.DataFrame:
    found = scan_texts(pd.Series(texts, dtype=object), lexicon_exclude=exclude)
    rows = []
    for kind in notes.SPAN_KINDS:
        for exact in ((False, True) if kind == "person_name" else (False,)):
            t_hit, n_t, p_hit, n_p = _match(truth[truth["kind"] == kind], found[found["kind"] == kind], exact)
            rows.append({"kind": kind, "match": "exact" if exact else "overlap", "true": n_t,
                         "predicted": n_p,
                         "recall": t_hit / n_t if n_t else float("nan"),
                         "precision": p_hit / n_p if n_p else float("nan")})
    return pd.DataFrame(rows)


def name_errors(texts: np.ndarray, truth: pd.DataFrame, exclude: frozenset[str],
                limit: int = 15) -> list[str]:
    found = scan_texts(pd.Series(texts, dtype=object), kinds=["person_name"], lexicon_exclude=exclude)
    t = truth[truth["kind"] == "person_name"]
    tset = {(r, s, e) for r, s, e in zip(t["row"], t["start"], t["end"], strict=True)}
    fset = {(r, s, e) for r, s, e in zip(found["row"], found["start"], found["end"], strict=True)}
    out = []
    for r, s, e in sorted(fset - tset)[:limit]:
        out.append(f"predicted {texts[r][s:e]!r} in {texts[r][max(0, s - 30):e + 30]!r}")
    for r, s, e in sorted(tset - fset)[:limit]:
        out.append(f"true {texts[r][s:e]!r} in {texts[r][max(0, s - 30):e + 30]!r}")
    return out


PEOPLE = REALDATA / "datablist_people-100.csv"
CUSTOMERS = REALDATA / "datablist_customers-100.csv"
PERSON_PRECISION_TARGET = 0.9

#: English CRM-style sentences (written for this benchmark); {name}/{first}/{last} are the people, the
#: other fields are the datablist records' own job titles, companies, cities and countries: words this
#: project did not choose
PEOPLE_TEMPLATES = (
    "{name} called about the renewal, works as {job} now.",
    "{job}: {name} asked for the pricing sheet.",
    "Spoke with {first} today. {job} role, budget approved.",
    "Left a voicemail for {last}; follow up on Monday.",
    "New contact {name} ({job}) joined the trial.",
    "{first} says the invoice went to the wrong address.",
    "Meeting notes: {job} team wants a demo. Attendees: {name} and me.",
    "Can {first} confirm the date? My notes say she is the {job}.",
)
CUSTOMER_TEMPLATES = (
    "{name} from {company} signed the contract.",
    "{company} is moving its office to {city}, {country}; contact is {first}.",
    "Visited {company} in {city}. {name} will send the order.",
    "Thanks {first}! The quote for {company} is attached.",
    "Call {name} at the {city} office next week.",
    "{first} {last} ({company}, {country}) wants to unsubscribe.",
    "Lead from {country}: {company}, decision maker {name}.",
    "The {city} branch of {company} asked for a discount.",
)


def _fill(template: str, fields: dict[str, str]) -> tuple[str, list[tuple[int, int]]]:
    """The sentence and the spans of the person's name in it ({name}, {first}, {last}; adjacent
    {first} {last} make one span)."""
    import string
    text, spans = "", []
    for literal, field, _, _ in string.Formatter().parse(template):
        text += literal
        if field is None:
            continue
        value = fields[field]
        if field in ("name", "first", "last"):
            if spans and spans[-1][1] == len(text) - 1 and text.endswith(" ") and field == "last":
                spans[-1] = (spans[-1][0], len(text) + len(value))
            else:
                spans.append((len(text), len(text) + len(value)))
        text += value
    return text, spans


def datablist_sentences(people: Path = PEOPLE, customers: Path = CUSTOMERS) -> tuple[list[str], pd.DataFrame]:
    """Every template filled with every datablist record; truth: one person_name span per name."""
    texts, truth = [], []
    for path, templates, cols in ((people, PEOPLE_TEMPLATES, {"job": "Job Title"}),
                                  (customers, CUSTOMER_TEMPLATES,
                                   {"company": "Company", "city": "City", "country": "Country"})):
        records = pd.read_csv(path, dtype=str, keep_default_na=False)
        for r in records.to_dict("records"):
            fields = {"first": r["First Name"], "last": r["Last Name"],
                      "name": f"{r['First Name']} {r['Last Name']}"} | {k: r[c] for k, c in cols.items()}
            for template in templates:
                text, spans = _fill(template, fields)
                truth += [(len(texts), s, e) for s, e in spans]
                texts.append(text)
    frame = pd.DataFrame(truth, columns=["row", "start", "end"]).assign(kind="person_name")
    return texts, frame


def score_english_names(texts: list[str], truth: pd.DataFrame) -> tuple[dict[str, float], list[str]]:
    """Recall and precision of names (overlap, as part 3) and each false positive in context."""
    found = scan_texts(pd.Series(texts, dtype=object), kinds=["person_name"])
    t_hit, n_t, p_hit, n_p = _match(truth, found, exact=False)
    precision = p_hit / n_p if n_p else float("nan")
    _, _, exact_hit, _ = _match(truth, found, exact=True)
    t_groups = {r: g for r, g in truth.groupby("row")}
    false_pos = []
    for r, s, e in zip(found["row"], found["start"], found["end"], strict=True):
        g = t_groups.get(r)
        if g is None or not ((g["start"] < e) & (s < g["end"])).any():
            false_pos.append(f"{texts[r][s:e]!r} in {texts[r]!r}")
    return {"sentences": len(texts), "true": n_t, "predicted": n_p,
            "recall": t_hit / n_t if n_t else float("nan"),
            "precision": precision, "exact_precision": exact_hit / n_p if n_p else float("nan"),
            "target_precision": PERSON_PRECISION_TARGET,
            "target_met": bool(precision >= PERSON_PRECISION_TARGET)}, false_pos


def presidio_texts(path: Path = VECTORS) -> list[str]:
    """Presidio's test sentences and values, each once. None carries a PERSON label (the vectors have no
    PERSON entity), so a name found there is listed for reading: a common word taken for a name shows."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    return sorted(set(raw["text_or_value"]))


def throughput(n_notes: int) -> tuple[int, float]:
    contacts = max(1000, int(n_notes / 1.3))
    data = generate(GeneratorConfig(contacts=contacts, seed=2, as_of=dt.date(2026, 11, 1)))
    texts = data.tables["activities"]["note"].dropna().reset_index(drop=True)
    scan_texts(texts.iloc[:2000])  # warm the lexicon and compiled patterns
    t0 = time.perf_counter()
    scan_texts(texts)
    return len(texts), time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=200_000, help="notes for the throughput run")
    parser.add_argument("--quality-notes", type=int, default=40_000, help="labelled notes for names")
    args = parser.parse_args()
    pd.set_option("display.width", 200)

    print("== 1. Presidio recognizer test vectors (exact spans)")
    if VECTORS.exists():
        table, misses = score_vectors(load_vectors())
        print(table.to_string(float_format=lambda x: f"{x:.3f}"))
        print(f"misses and extras ({len(misses)}):")
        for m in misses:
            print("  ", m)
    else:
        print(f"   skipped: {VECTORS} not found")

    print("\n== 2. Phones of the eight CRM countries in international/national/E.164 format")
    print("  ", score_phones())

    print("\n== 3. Generated notes (compose_notes spans as ground truth)")
    texts, truth = labelled_notes(args.quality_notes)
    for label, exclude in (("full lexicon (all Faker locales)", frozenset()),
                           ("held out (lexicon without the 8 CRM locales)", HELD_OUT)):
        print(f"-- {label}")
        print(score_notes(texts, truth, exclude).to_string(index=False, float_format=lambda x: f"{x:.3f}"))
        for line in name_errors(texts, truth, exclude, limit=8):
            print("    ", line)

    print("\n== 4. English names in text the project did not write (overlap match, as part 3)")
    if PEOPLE.exists() and CUSTOMERS.exists():
        texts, truth = datablist_sentences()
        scores, false_pos = score_english_names(texts, truth)
        verdict = "met" if scores["target_met"] else "NOT met"
        print(f"-- datablist people/customers (names, job titles, companies, cities, countries) in "
              f"{len(PEOPLE_TEMPLATES) + len(CUSTOMER_TEMPLATES)} English CRM sentence templates")
        print("  ", json.dumps(scores))
        print(f"   precision target >= {PERSON_PRECISION_TARGET}: {verdict}; "
              f"false positives ({len(false_pos)}):")
        for line in false_pos:
            print("    ", line)
    else:
        print(f"   skipped: {PEOPLE} or {CUSTOMERS} not found")
    if VECTORS.exists():
        texts = presidio_texts()
        found = scan_texts(pd.Series(texts, dtype=object), kinds=["person_name"])
        print(f"-- Presidio's {len(texts)} test texts (no PERSON label): {len(found)} names found")
        for r, t in zip(found["row"], found["text"], strict=True):
            print("    ", f"{t!r} in {texts[r]!r}")

    print("\n== 5. Throughput")
    n, secs = throughput(args.notes)
    rate = n / secs
    verdict = "met" if rate >= TARGET_NOTES_PER_S else "NOT met"
    print(f"   {n:,} notes in {secs:.2f} s = {rate:,.0f} notes/s "
          f"({rate / PRESIDIO_NOTES_PER_S:.0f}x Presidio's {PRESIDIO_NOTES_PER_S}/s; "
          f"target {TARGET_NOTES_PER_S:,}: {verdict})")


if __name__ == "__main__":
    main()
