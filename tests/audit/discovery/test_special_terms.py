"""The special-category terms (gdprlab/audit/discovery/special_terms.yaml): every category in every language,
each term literal text; they find what the note templates reveal, and not people's names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from faker import Faker

from gdprlab.audit.discovery.special_terms import TERMS, reveals_special_category
from gdprlab.generator import notes
from gdprlab.generator.config import LOCALES
from gdprlab.generator.notes import LANGUAGES, SPECIAL_CATEGORIES


def test_the_categories_are_the_generators_special_categories_in_its_order():
    assert tuple(TERMS) == SPECIAL_CATEGORIES


@pytest.mark.parametrize("category", SPECIAL_CATEGORIES)
def test_every_category_has_terms_in_every_language(category):
    assert tuple(TERMS[category]) == LANGUAGES
    assert all(TERMS[category].values())


@pytest.mark.parametrize("category", SPECIAL_CATEGORIES)
def test_terms_are_lower_case_literal_text_with_a_star_only_at_a_stems_end(category):
    for language, terms in TERMS[category].items():
        assert len(set(terms)) == len(terms), language
        for term in terms:
            assert term == term.lower().strip() and "*" not in term[:-1] and "  " not in term, term


def _template_notes(language: str, kind: str) -> pd.Series:
    """Every template of a (language, kind), filled in with plain names, 50 draws of the other values."""
    n = 50 * len(notes.TEMPLATES[language][kind])
    text, _ = notes.compose_notes(np.full(n, language), np.full(n, kind), np.full(n, "Anna"),
                                  np.full(n, "Meier"), np.full(n, "Jan Kowalski"), np.random.default_rng(0))
    return pd.Series(text)


@pytest.mark.parametrize("language", notes.LANGUAGES)
def test_lexicon_finds_every_special_category_template(language):
    for kind in notes.SPECIAL_CATEGORIES:
        text = _template_notes(language, kind)
        assert reveals_special_category(text).all(), text[~reveals_special_category(text)].iloc[0]


@pytest.mark.parametrize("language", notes.LANGUAGES)
def test_lexicon_ignores_neutral_and_criminal_record_templates(language):
    for kind in ("neutral", "criminal"):  # criminal records are Art. 10 data, not Art. 9
        text = _template_notes(language, kind)
        assert not reveals_special_category(text).any(), text[reveals_special_category(text)].iloc[0]


def test_notes_held_by_arrow_in_chunks_are_judged_as_one_column():
    texts = ["Hat Diabetes.", None, "Rückruf am Montag.", "Ist im Betriebsrat.", "", "diabetisch"] * 3
    chunks = [pa.array(texts[i:i + 4], type=pa.large_string()) for i in range(0, len(texts), 4)]
    column = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(chunks)))
    assert pa.array(column, from_pandas=True).num_chunks == 5
    assert reveals_special_category(column).tolist() == [True, False, False, True, False, True] * 3


def test_lexicon_ignores_the_names_faker_gives_contacts():
    names = set()
    for locale in LOCALES:
        person = next(p for p in Faker(locale).get_providers() if p.__provider__ == "faker.providers.person")
        for attr in dir(person):
            value = getattr(person, attr) if "name" in attr and "language" not in attr else None
            if isinstance(value, dict | tuple | list):
                names.update(map(str, value))
    names = pd.Series(sorted(names))
    assert len(names) > 5000
    assert names[reveals_special_category(names)].tolist() == []  # e.g. 'Gay' (fr), 'Kurda' (pl)
