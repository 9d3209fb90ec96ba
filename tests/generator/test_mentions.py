"""Contacts mentioned in other contacts' notes (gdprlab.generator.mentions): planted as the ground truth says,
deterministic, in the note's language, and changing no other label."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from gdprlab.audit.discovery.special_terms import reveals_special_category
from gdprlab.audit.rules.encryption import pasted_identifiers
from gdprlab.crm.exports import MENTIONS_TRUTH
from gdprlab.generator import GeneratorConfig, generate
from gdprlab.generator.mentions import COLUMNS, KINDS, MENTION_SHARE, sentences
from gdprlab.generator.notes import LANGUAGES


@pytest.fixture(scope="module")
def planted(typical):
    c = typical.tables["contacts"].set_index("contact_id", drop=False)
    a = typical.tables["activities"].set_index("activity_id", drop=False)
    m = typical.mentions
    return c, a, m


def test_the_share_of_contacts_is_mentioned_by_every_kind(typical, planted):
    _, _, m = planted
    assert list(m.columns) == list(COLUMNS)
    assert len(m) > 0.9 * MENTION_SHARE * len(typical.tables["contacts"])
    assert set(m["kind"]) == set(KINDS)
    assert m["activity_id"].is_unique and m["contact_id"].is_unique
    assert m["activity_id"].is_monotonic_increasing


def test_each_note_holds_the_mention_its_ground_truth_names(planted):
    c, a, m = planted
    for activity, contact, kind in m.itertuples(index=False):
        note, who = a.loc[activity, "note"], c.loc[contact]
        if kind == "email":
            assert who["email"] in note
        elif kind == "phone":
            assert re.sub(r"\D", "", who["phone"]) in re.sub(r"\D", "", note)
            assert "+" + who["phone"].lstrip("+")[:2] in note  # international form, country code first
        elif kind == "id":
            assert re.search(rf"\b{contact}\b", note)
        else:
            assert f"{who['first_name']} {who['last_name']}" in note


def test_the_mentioned_and_the_note_are_of_different_people_neither_erased(planted):
    c, a, m = planted
    host = c.loc[a.loc[m["activity_id"], "contact_id"]].reset_index(drop=True)
    who = c.loc[m["contact_id"]].reset_index(drop=True)
    same = ((host["first_name"] == who["first_name"]) & (host["last_name"] == who["last_name"])
            & (host["birth_date"] == who["birth_date"]))
    assert not same.any()
    assert (host["status"] != "erased").all() and (who["status"] != "erased").all()


def test_the_sentence_is_in_the_notes_language(planted):
    c, a, m = planted
    for activity in m["activity_id"]:
        note = a.loc[activity, "note"]
        language = c.loc[a.loc[activity, "contact_id"], "language"]
        assert any(note.endswith(s.split("{who}")[-1]) and s.split("{who}")[0] in note
                   for s in sentences()[language]), (language, note)


def test_every_language_has_sentences_that_reveal_nothing_special():
    assert set(sentences()) == set(LANGUAGES)
    for language, options in sentences().items():
        assert len(options) >= 2 and all(s.count("{who}") == 1 for s in options), language
        filled = pd.Series([s.format(who="x") for s in options])
        assert not reveals_special_category(filled).any(), language


def test_no_mention_is_read_as_a_bank_card_or_national_id(typical, planted):
    """identifier_in_free_text's scanner finds nothing in a note with a mention but what was pasted into it
    (and labelled) before."""
    _, a, m = planted
    gt = typical.ground_truth
    pasted = set(gt.loc[gt["rule_id"] == "identifier_in_free_text", "record_id"])
    notes = a.loc[[i for i in m["activity_id"] if i not in pasted], "note"].reset_index(drop=True)
    assert len(notes) > 10 and pasted_identifiers(notes).empty


def test_mentions_are_deterministic_and_leave_every_other_table_as_it_was(typical):
    again = generate(typical.config)
    pd.testing.assert_frame_equal(again.mentions, typical.mentions)
    pd.testing.assert_frame_equal(again.ground_truth, typical.ground_truth)
    for name in typical.tables:
        pd.testing.assert_frame_equal(again.tables[name], typical.tables[name], check_exact=True)


def test_the_ground_truth_file_is_written_beside_the_tables(typical_dir):
    written = pd.read_csv(typical_dir / f"{MENTIONS_TRUTH}.csv", dtype=str)
    assert list(written.columns) == list(COLUMNS) and len(written) > 0
    activities = pd.read_csv(typical_dir / "activities.csv", dtype=str)
    assert set(written["activity_id"]) <= set(activities["activity_id"])


def test_a_tiny_dataset_gets_no_mention_and_still_an_empty_ground_truth():
    ds = generate(GeneratorConfig(contacts=20, seed=1))
    assert list(ds.mentions.columns) == list(COLUMNS) and ds.mentions.empty
