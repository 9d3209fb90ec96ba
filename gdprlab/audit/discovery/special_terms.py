"""Words that make a free-text note reveal Art. 9(1) special-category data, or Art. 10 criminal-offence
data, in the eight CRM languages.

Staff write such details into notes ("has diabetes", "is on strike with the union"), and a note that
reveals them is special-category data even though no field says so. The lexicon was drawn from the
revealing phrases of gdprlab.generator.notes' templates and widened with common synonyms; each term was
checked against the neutral (and Art. 10 criminal-record) templates, which must not match.

A term is matched case-insensitively at the start of a word (after the start of the note, a space or a
punctuation mark). A term ending in "*" is a stem and may be followed by more letters ("diabet*" finds
"Diabetes", "diabète", "diabete"); any other term must end at a word end, so short party and union
acronyms do not match inside other words. Terms are literal text, kept as data in special_terms.yaml
(Art. 9) and criminal_terms.yaml (Art. 10).
Matching runs on pyarrow (RE2): one linear-time automaton for all terms, millions of notes in seconds.
"""

from __future__ import annotations

from importlib.resources import files

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gdprlab.crm.arrowtext import bools
from gdprlab.crm.conventions import read_yaml, word_lists

_TERMS_FILE = files("gdprlab.audit.discovery").joinpath("special_terms.yaml")
_CRIMINAL_FILE = files("gdprlab.audit.discovery").joinpath("criminal_terms.yaml")

#: category -> language -> terms, from special_terms.yaml next to this module
TERMS: dict[str, dict[str, tuple[str, ...]]] = word_lists(read_yaml(_TERMS_FILE.read_text(encoding="utf-8")),
                                                          str(_TERMS_FILE))
#: language -> Art. 10 terms, from criminal_terms.yaml next to this module
CRIMINAL_TERMS: dict[str, tuple[str, ...]] = word_lists(
    read_yaml(_CRIMINAL_FILE.read_text(encoding="utf-8")), str(_CRIMINAL_FILE))["criminal"]

#: what may stand before or after a word: whitespace, ASCII and typographic punctuation. (A class of
#: all Unicode letters, [^\p{L}], would be exact too but makes RE2's automaton 100 times slower.)
_SEP = r"[\s!-/:-@\[-`{-~\x{a0}\x{202f}„“”«»‚‘’–—…¿¡]"
_RE2_SPECIAL = set(r".^$*+?()[]{}|\-")


def _literal(text: str) -> str:
    return "".join("\\" + ch if ch in _RE2_SPECIAL else ch for ch in text)


def term_pattern(term: str) -> str:
    """RE2 pattern of one term: a stem ('*') or a whole word or phrase."""
    if term.endswith("*"):
        return _literal(term[:-1])
    return _literal(term) + f"(?:$|{_SEP})"


def all_terms(by_category: dict[str, dict[str, tuple[str, ...]]] = TERMS) -> list[str]:
    """Every distinct term, longest first (for readable patterns; RE2 matches any alternative)."""
    terms = {t for by_lang in by_category.values() for ts in by_lang.values() for t in ts}
    return sorted(terms, key=lambda t: (-len(t), t))


def any_term(terms: list[str]) -> str:
    """One RE2 pattern matching any of the terms at a word start."""
    return f"(?:^|{_SEP})(?:" + "|".join(term_pattern(t) for t in terms) + ")"


#: one RE2 pattern matching any Art. 9 term at a word start
PATTERN = any_term(all_terms())
#: the same for the Art. 10 terms
CRIMINAL_PATTERN = any_term(all_terms({"criminal": CRIMINAL_TERMS}))
#: per Art. 9(1) category, one RE2 pattern matching any of its terms at a word start
CATEGORY_PATTERNS: dict[str, str] = {category: any_term(all_terms({category: by_lang}))
                                     for category, by_lang in TERMS.items()}


def reveals_special_category(notes: pd.Series | np.ndarray, pattern: str = PATTERN) -> np.ndarray:
    """True for each note containing a special-category term; missing notes are False."""
    values = notes if isinstance(notes, pd.Series) else pd.Series(notes, dtype=object)
    text = pa.array(values, type=pa.string(), from_pandas=True)
    if isinstance(text, pa.ChunkedArray):  # Arrow compiles the pattern for each chunk: give it one
        text = text.combine_chunks()
    return bools(pc.match_substring_regex(text, pattern, ignore_case=True))


def reveals_criminal_offence(notes: pd.Series | np.ndarray) -> np.ndarray:
    """True for each note containing an Art. 10 (criminal convictions and offences) term."""
    return reveals_special_category(notes, CRIMINAL_PATTERN)


def revealed_categories(notes: pd.Series | np.ndarray) -> np.ndarray:
    """For each note, the Art. 9(1) categories it reveals (CATEGORY_PATTERNS), in TERMS' order and joined
    by ';' ('' for none or a missing note)."""
    found = {c: reveals_special_category(notes, pattern) for c, pattern in CATEGORY_PATTERNS.items()}
    return np.array([";".join(c for c, hits in found.items() if hits[i]) for i in range(len(notes))],
                    dtype=object)
