"""The special-category terms (gdprlab/audit/discovery/special_terms.yaml): every category in every language,
each term literal text. What they find in notes is specified in tests/audit/rules/test_legacy.py."""

from __future__ import annotations

import pytest

from gdprlab.audit.discovery.special_terms import TERMS
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

