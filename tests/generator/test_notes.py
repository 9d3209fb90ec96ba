"""Specification of :func:`gdprlab.generator.notes.compose_notes`, the vectorised CRM note generator."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from gdprlab.generator.notes import (
    KINDS,
    LANGUAGES,
    NOTE_LANGUAGES,
    SPAN_KINDS,
    SPECIAL_CATEGORIES,
    TEMPLATES,
    compose_notes,
    compose_notes_arrow,
)

# Distinctive names (diacritics, varying lengths) that occur in no template text, so every
# occurrence in a note must come from a placeholder.
FIRST_NAMES = np.array(["Zbigniew", "Åsa", "Maëlle", "Jo", "Radosław", "Inês"], dtype=object)
LAST_NAMES = np.array(["Qwertyczak", "Ødegård", "Nguyễn", "Oyelaran-Smith", "Xu", "Brzęczyszczykiewicz"],
                      dtype=object)
COLLEAGUES = np.array(["Yannick Vauquelin", "Wiebke Quast", "Ülkü Szőke"], dtype=object)
ROWS_PER_PAIR = 40


def make_inputs(languages, kinds, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = len(languages)
    return {
        "languages": np.asarray(languages, dtype=object),
        "kinds": np.asarray(kinds, dtype=object),
        "first_names": FIRST_NAMES[rng.integers(0, len(FIRST_NAMES), n)],
        "last_names": LAST_NAMES[rng.integers(0, len(LAST_NAMES), n)],
        "colleagues": COLLEAGUES[rng.integers(0, len(COLLEAGUES), n)],
    }


@pytest.fixture(scope="module")
def grid():
    """ROWS_PER_PAIR rows for every language x kind, composed once."""
    pairs = [(lang, kind) for lang in LANGUAGES for kind in KINDS for _ in range(ROWS_PER_PAIR)]
    inputs = make_inputs([p[0] for p in pairs], [p[1] for p in pairs])
    notes, spans = compose_notes(**inputs, rng=np.random.default_rng(42))
    return inputs, notes, spans


# --- public constants and template inventory -------------------------------------------------

def test_public_constants():
    assert LANGUAGES == ("de", "fr", "it", "es", "nl", "pl", "sv", "pt")
    assert (*LANGUAGES, "en") == NOTE_LANGUAGES  # English last: the others' templates keep their numbers
    assert SPECIAL_CATEGORIES == ("health", "religion", "ethnic_origin", "political_opinion", "trade_union",
                                  "sex_life", "genetic", "biometric")
    assert KINDS[0] == "neutral" and KINDS[1:-1] == SPECIAL_CATEGORIES and KINDS[-1] == "criminal"
    assert SPAN_KINDS[0] == "person_name" and SPAN_KINDS[1:] == KINDS[1:]


@pytest.mark.parametrize("language", NOTE_LANGUAGES)
def test_every_language_has_enough_templates_of_every_kind(language):
    templates = TEMPLATES[language]
    assert set(templates) == set(KINDS)
    assert len(templates["neutral"]) >= 25
    assert all(len(templates[category]) >= 4 for category in SPECIAL_CATEGORIES)
    assert len(templates["criminal"]) >= 3


@pytest.mark.parametrize("language", NOTE_LANGUAGES)
def test_neutral_templates_mention_contacts_and_colleagues(language):
    neutral = TEMPLATES[language]["neutral"]
    placeholders = ("{first_name}", "{last_name}", "{full_name}", "{colleague}", "{product}", "{weekday}")
    for placeholder in placeholders:
        assert any(placeholder in t for t in neutral), placeholder
    assert not any("[[" in t for t in neutral)


@pytest.mark.parametrize("language", NOTE_LANGUAGES)
def test_revealing_templates_mark_exactly_one_phrase(language):
    for kind in (*SPECIAL_CATEGORIES, "criminal"):
        for template in TEMPLATES[language][kind]:
            assert template.count("[[") == 1 and template.count("]]") == 1, template
            assert template.index("[[") < template.index("]]"), template


# --- notes -----------------------------------------------------------------------------------

def test_one_note_per_row_for_every_language_and_kind(grid):
    inputs, notes, _ = grid
    assert isinstance(notes, np.ndarray) and notes.shape == inputs["languages"].shape
    assert all(isinstance(note, str) and len(note) > 20 for note in notes)
    frame = pd.DataFrame({"language": inputs["languages"], "kind": inputs["kinds"], "note": notes})
    variety = frame.groupby(["language", "kind"])["note"].nunique()
    assert len(variety) == len(LANGUAGES) * len(KINDS)
    assert (variety > 1).all()


def test_notes_contain_no_template_syntax(grid):
    _, notes, _ = grid
    for note in notes:
        assert not any(token in note for token in ("{", "}", "[[", "]]")), note


def test_notes_are_in_the_rows_language(grid):
    inputs, notes, _ = grid
    marker = {"de": " und ", "fr": " le ", "it": " il ", "es": " el ", "nl": " de ", "pl": "ą", "sv": " och ",
              "pt": " o "}
    frame = pd.DataFrame({"language": inputs["languages"], "note": notes})
    for language, group in frame.groupby("language"):
        share = group["note"].str.contains(marker[language], regex=False).mean()
        assert share > 0.2, (language, share)


# --- spans -----------------------------------------------------------------------------------

def test_spans_frame_layout(grid):
    _, _, spans = grid
    assert list(spans.columns) == ["row", "kind", "start", "end", "text"]
    assert set(spans["kind"].astype(str)) <= set(SPAN_KINDS)
    for column in ("row", "start", "end"):
        assert pd.api.types.is_integer_dtype(spans[column])


def test_spans_are_exact_and_in_bounds(grid):
    _, notes, spans = grid
    for row, start, end, text in spans[["row", "start", "end", "text"]].itertuples(index=False):
        note = notes[row]
        assert 0 <= start < end <= len(note)
        assert note[start:end] == text


def test_spans_are_ordered_by_row_then_start(grid):
    _, _, spans = grid
    key = spans["row"].to_numpy() * 10_000 + spans["start"].to_numpy()
    assert (np.diff(key) >= 0).all()


def test_person_name_spans_are_the_rows_names(grid):
    inputs, _, spans = grid
    names = spans[spans["kind"] == "person_name"]
    seen = set()
    for row, text in names[["row", "text"]].itertuples(index=False):
        first, last = inputs["first_names"][row], inputs["last_names"][row]
        colleague = inputs["colleagues"][row]
        forms = {first: "first", last: "last", f"{first} {last}": "full", colleague: "colleague"}
        assert text in forms
        seen.add(forms[text])
    assert seen == {"first", "last", "full", "colleague"}


def test_every_name_placed_in_a_note_is_inside_a_person_name_span(grid):
    inputs, notes, spans = grid
    name_spans = spans[spans["kind"] == "person_name"].groupby("row")[["start", "end"]]
    covered = {row: list(group.itertuples(index=False, name=None)) for row, group in name_spans}
    for row, note in enumerate(notes):
        names = (inputs["first_names"][row], inputs["last_names"][row], inputs["colleagues"][row])
        for name in names:
            at = note.find(name)
            while at >= 0:
                assert any(s <= at and at + len(name) <= e for s, e in covered.get(row, [])), (name, note)
                at = note.find(name, at + 1)


def test_revealing_notes_carry_one_span_of_their_kind_and_neutral_notes_none(grid):
    inputs, _, spans = grid
    revealing = spans[spans["kind"] != "person_name"]
    per_row = revealing.groupby("row")["kind"].agg(list).reindex(range(len(inputs["kinds"])))
    for kind, found in zip(inputs["kinds"], per_row, strict=True):
        if kind == "neutral":
            assert not isinstance(found, list)
        else:
            assert found == [kind]


def test_revealing_span_is_a_phrase_not_a_single_word(grid):
    _, _, spans = grid
    revealing = spans[spans["kind"] != "person_name"]
    assert (revealing["text"].str.split().str.len() >= 3).all()


def test_revealing_span_may_enclose_the_contacts_name(grid):
    _, _, spans = grid
    revealing = spans[spans["kind"] != "person_name"]
    names = spans[spans["kind"] == "person_name"]
    merged = revealing.merge(names, on="row", suffixes=("", "_name"))
    inside = (merged["start"] <= merged["start_name"]) & (merged["end_name"] <= merged["end"])
    assert inside.any()


def test_empty_names_produce_no_empty_spans():
    inputs = make_inputs(["de", "pl", "fr"] * 50, ["neutral", "health", "criminal"] * 50)
    inputs["first_names"] = np.full(150, "", dtype=object)
    notes, spans = compose_notes(**inputs, rng=np.random.default_rng(1))
    assert (spans["end"] > spans["start"]).all()
    for row, start, end, text in spans[["row", "start", "end", "text"]].itertuples(index=False):
        assert notes[row][start:end] == text


# --- determinism, input forms, speed ---------------------------------------------------------

def test_same_rng_state_gives_the_same_output():
    inputs = make_inputs(np.resize(LANGUAGES, 2_000), np.resize(KINDS, 2_000))
    notes_a, spans_a = compose_notes(**inputs, rng=np.random.default_rng(7))
    notes_b, spans_b = compose_notes(**inputs, rng=np.random.default_rng(7))
    notes_c, _ = compose_notes(**inputs, rng=np.random.default_rng(8))
    assert (notes_a == notes_b).all()
    pd.testing.assert_frame_equal(spans_a, spans_b)
    assert (notes_a != notes_c).any()


def test_spans_can_be_skipped_without_changing_the_notes():
    inputs = make_inputs(np.resize(LANGUAGES, 2_000), np.resize(KINDS, 2_000))
    notes, _ = compose_notes(**inputs, rng=np.random.default_rng(7))
    bare, spans = compose_notes(**inputs, rng=np.random.default_rng(7), spans=False)
    assert spans is None and (bare == notes).all()


def test_arrow_notes_are_the_same_notes():
    inputs = make_inputs(np.resize(LANGUAGES, 3_000), np.resize(KINDS, 3_000))
    notes, _ = compose_notes(**inputs, rng=np.random.default_rng(9))
    arrow = compose_notes_arrow(**inputs, rng=np.random.default_rng(9))
    assert arrow.to_pylist() == notes.tolist()
    as_arrow = {k: pa.array(v) if k != "languages" and k != "kinds" else v for k, v in inputs.items()}
    assert compose_notes_arrow(**as_arrow, rng=np.random.default_rng(9)).equals(arrow)
    empty = np.array([], dtype=object)
    assert len(compose_notes_arrow(empty, empty, empty, empty, empty, np.random.default_rng(0))) == 0


def test_accepts_lists_and_fixed_width_unicode_arrays():
    notes, spans = compose_notes(["sv", "pt"], np.array(["neutral", "genetic"]), ["Åsa", "Inês"],
                                 np.array(["Lindqvist", "Gonçalves"]), ["Yannick Vauquelin"] * 2,
                                 np.random.default_rng(0))
    assert len(notes) == 2
    assert (spans.loc[spans["row"] == 1, "kind"] == "genetic").sum() == 1


def test_empty_input_gives_empty_output():
    empty = np.array([], dtype=object)
    notes, spans = compose_notes(empty, empty, empty, empty, empty, np.random.default_rng(0))
    assert len(notes) == 0
    assert list(spans.columns) == ["row", "kind", "start", "end", "text"] and len(spans) == 0


def test_one_hundred_thousand_rows_compose_in_a_few_seconds():
    n = 100_000
    rng = np.random.default_rng(3)
    # mostly neutral notes, as in a real CRM
    kinds = np.where(rng.random(n) < 0.9, "neutral", np.array(KINDS)[rng.integers(1, len(KINDS), n)])
    inputs = make_inputs(np.array(LANGUAGES)[rng.integers(0, len(LANGUAGES), n)], kinds)
    started = time.perf_counter()
    notes, spans = compose_notes(**inputs, rng=np.random.default_rng(0))
    elapsed = time.perf_counter() - started
    assert len(notes) == n and len(spans) > n
    assert elapsed < 5.0, f"took {elapsed:.2f}s"


# --- errors ----------------------------------------------------------------------------------

def test_unknown_language_is_named_with_the_valid_ones():
    inputs = make_inputs(["de", "en", "ru"], ["neutral"] * 3)
    with pytest.raises(ValueError, match="'ru'") as info:
        compose_notes(**inputs, rng=np.random.default_rng(0))
    assert all(language in str(info.value) for language in NOTE_LANGUAGES)


def test_unknown_kind_is_named_with_the_valid_ones():
    inputs = make_inputs(["de"] * 2, ["neutral", "sexual_orientation"])
    with pytest.raises(ValueError, match="'sexual_orientation'") as info:
        compose_notes(**inputs, rng=np.random.default_rng(0))
    assert all(kind in str(info.value) for kind in KINDS)


def test_missing_language_is_rejected():
    inputs = make_inputs(["de", None], ["neutral"] * 2)
    with pytest.raises(ValueError, match="unknown language"):
        compose_notes(**inputs, rng=np.random.default_rng(0))


def test_arrays_of_different_lengths_are_rejected():
    inputs = make_inputs(["de"] * 3, ["neutral"] * 3)
    inputs["colleagues"] = inputs["colleagues"][:2]
    with pytest.raises(ValueError, match="same length"):
        compose_notes(**inputs, rng=np.random.default_rng(0))
