"""The notes the note-reading rules judge, found in one scan: the prefilter lets through every note one of
them finds something in, and few others."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from helpers import table
from rule_cases import AS_OF, POLICY

from gdprlab.audit.engine import open_tables, run_checks
from gdprlab.audit.rules import notes
from gdprlab.audit.rules.encryption import pasted_identifiers
from gdprlab.audit.rules.notes import IDENTIFIER_SHAPE, candidate_notes
from gdprlab.generator import identifiers

REALDATA = Path(__file__).resolve().parents[4] / "shared" / "realdata"
NOTE_RULES = ("special_category_without_condition", "criminal_data_without_authorisation",
              "identifier_in_free_text")


def _notes(*notes: str | None) -> pd.DataFrame:
    """One activity a note: the i-th (from 1) is E<i>, about contact C<i>."""
    return table("activities", *({"activity_id": f"E{i}", "contact_id": f"C{i}", "note": note}
                                 for i, note in enumerate(notes, start=1)), type="note")


NOTES = _notes("Kundin erwähnt ihre Chemotherapie, Termin verschieben.",  # health (Art. 9)
               "Ist wegen Betrugs vorbestraft, laut Presse.",  # criminal conviction (Art. 10)
               "Lastschrift auf IBAN:DE89370400440532013000 umstellen.",  # an IBAN after a colon
               "Demo van Voorraad360 voor 60 gebruikers ingepland.",  # a product name, not an IBAN
               "Angebot für SmartOffice Pro geschickt.",
               None, "   ",
               # words whose letters have a codice fiscale's shape in any case: the shapes keep their case
               "Cesare ha mostrato interesse, come da sua richiesta.")


def test_candidate_notes_are_those_a_note_rule_can_find_something_in():
    t, _ = open_tables({"activities": NOTES})
    kept = t.fetch(candidate_notes(t))
    assert sorted(kept["activity_id"]) == ["E1", "E2", "E3"]
    assert list(kept.columns) == ["activity_id", "contact_id", "note"]


def test_the_note_rules_find_the_same_with_the_prefilter_as_on_every_note(monkeypatch):
    contacts = table("contacts", *({"contact_id": f"C{i}"} for i in range(1, 9)))

    def found() -> dict[str, list[str]]:
        tables = {"contacts": contacts, "activities": NOTES}
        results = run_checks(tables, POLICY, AS_OF, rules=list(NOTE_RULES))
        return {r: list(results.result(r).record_ids) for r in NOTE_RULES}

    prefiltered = found()
    monkeypatch.setattr(notes, "_ANY", "^")  # every note (missing ones aside) a candidate
    assert prefiltered == found() == {
        "special_category_without_condition": ["C1"], "criminal_data_without_authorisation": ["C2"],
        "identifier_in_free_text": ["E3"]}


def test_a_word_running_into_digits_is_not_an_iban_shape():
    for text in ("Voorraad360 voor 60 gebruikers", "Magazzino360 va in crash continuamente"):
        assert not pd.Series([text]).str.contains(IDENTIFIER_SHAPE).any(), text
    for text in ("DE89370400440532013000", "IBAN:DE89 3704 0044 0532 0130 00", "(GB29NWBK60161331926819)"):
        assert pd.Series([text]).str.contains(IDENTIFIER_SHAPE).all(), text


def test_the_prefilter_passes_on_every_note_the_scanner_finds_an_identifier_in():
    """IDENTIFIER_SHAPE, the engine's prefilter, is a superset of what the scanner validates: every valid
    identifier the generator makes, written as staff write them, has its shape."""
    rng = np.random.default_rng(0)
    births = np.array(["1980-05-01", "1975-12-31", "2001-02-28"], dtype="datetime64[s]")
    people = (np.array([True, False, True]), rng, np.array(["Anna", "Marco", "Eva"], dtype=object),
              np.array(["Rossi", "Weber", "Ek"], dtype=object))
    values, ibans = [*identifiers.card_numbers(50, rng)], []
    for country in ("DE", "FR", "IT", "ES", "NL", "PL", "SE", "PT"):
        ibans += [*identifiers.ibans(country, 20, rng)]
        values += [*identifiers.national_ids(country, births, *people)]
    values += ibans + [" ".join(v[i:i + 4] for i in range(0, len(v), 4)) for v in ibans]  # in blocks too
    notes = pd.Series([f"Notiz: {v}." for v in values])
    assert pasted_identifiers(notes)["row"].nunique() == len(values)
    assert notes.str.contains(IDENTIFIER_SHAPE).all()
    assert _all_candidates(notes)


@pytest.mark.parametrize("note", ["Rückruf unter +49 151 12345678 erbeten", "call 0151 12345678",
                                  "+44 20 7946 0958", "Tel. 030 1234567", "+33 6 12 34 56 78",
                                  "06 12 34 56 78", "(0)30-1234567", "+4915112345678", "0049 151 12345678"])
def test_a_note_holding_only_a_phone_number_is_not_sent_to_the_scanner(note):
    """A phone number is no national id or card number in any stretch of its groups (one starting with '+'
    never is): the prefilter does not pass it, and the scanner would have found nothing in it."""
    assert not pd.Series([note]).str.contains(IDENTIFIER_SHAPE).any()
    assert pasted_identifiers(pd.Series([note])).empty


def test_groups_of_a_phone_number_shaped_as_an_id_are_still_sent_to_the_scanner():
    for note in ("+48 512 345 678", "NIF 512 345 678", "BSN 1234.56.782", "kaart 4111-1111-1111-1111"):
        assert pd.Series([note]).str.contains(IDENTIFIER_SHAPE).all(), note


def test_of_real_phone_numbers_the_written_shapes_pass_fewer_than_any_9_digits_and_every_id_found():
    """Phone numbers as CRM exports (datablist's) and Presidio's phone tests write them: the written shapes
    pass fewer to the scanner than the first pass's 9 digits do, and every one it finds an identifier in."""
    if not REALDATA.exists():
        pytest.skip(f"{REALDATA} not found (../shared/realdata is absent outside the team's machines)")
    vectors = pd.read_csv(REALDATA / "presidio_recognizer_test_vectors.csv", dtype=str)
    exports = [pd.read_csv(REALDATA / f"datablist_{name}-100.csv", dtype=str)
               for name in ("people", "customers")]
    phones = pd.concat([e.filter(like="Phone").stack() for e in exports]
                       + [vectors.loc[vectors["test_file"] == "test_phone_recognizer.py", "text_or_value"]])
    notes = ("Rückruf: " + phones.dropna()).reset_index(drop=True)
    shaped, loose = notes.str.contains(IDENTIFIER_SHAPE), notes.str.contains(r"[0-9](?:[ .+-]?[0-9]){8}")
    assert (shaped <= loose).all() and shaped.sum() < 0.8 * loose.sum()
    assert shaped[pasted_identifiers(notes)["row"].unique()].all()


@pytest.mark.parametrize(("name", "column"), [("presidio_recognizer_test_vectors.csv", "text_or_value"),
                                              ("iban_test_vectors_by_country.csv", "iban"),
                                              ("python_stdnum_test_numbers_eu.csv", "number")])
def test_the_prefilter_lets_through_every_published_test_vector_the_scanner_validates(name, column):
    path = REALDATA / name
    if not path.exists():
        pytest.skip(f"{path} not found (../shared/realdata is absent outside the team's machines)")
    texts = pd.read_csv(path, dtype=str)[column].dropna().reset_index(drop=True)
    held = texts.iloc[pasted_identifiers(texts)["row"].unique()]
    assert len(held) and held.str.contains(IDENTIFIER_SHAPE).all()
    assert _all_candidates(held)


def _all_candidates(texts: pd.Series) -> bool:
    """Whether the first pass over every note (notes._ANY, RE2 syntax: as DuckDB reads it) keeps each text."""
    kept = duckdb.execute("SELECT bool_and(regexp_matches(t, ?)) FROM unnest(?) AS u(t)",
                          [notes._ANY, texts.tolist()]).fetchall()
    return kept == [(True,)]
