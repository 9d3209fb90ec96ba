"""The note files (gdprlab/generator/note_templates/<language>.txt): complete, and read strictly."""

from __future__ import annotations

import re
from importlib.resources import files

import pytest

from gdprlab.generator.notes import (
    KINDS,
    NAME_PLACEHOLDERS,
    NOTE_LANGUAGES,
    TEMPLATES,
    VALUE_PLACEHOLDERS,
    VALUES,
    parse_note_file,
)

FOLDER = files("gdprlab.generator").joinpath("note_templates")


def minimal_file(**sections: list[str]) -> str:
    """A valid note file with one entry a section, or the given entries."""
    entries = {kind: ["[[{first_name} reveals it]]."] for kind in KINDS[1:]}
    entries.update({"neutral": ["Called {first_name}."]}, **{name: ["x"] for name in VALUE_PLACEHOLDERS})
    entries.update(sections)
    return "".join(f"[{name}]\n" + "".join(f"- {e}\n" for e in es) for name, es in entries.items())


def line_of(text: str, marker: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if marker in line)


def test_there_is_one_file_per_language_and_nothing_else():
    """One per CRM language and English (the lessons' notes, in the learner's language or English)."""
    assert sorted(f.name for f in FOLDER.iterdir()) == sorted(f"{lang}.txt" for lang in NOTE_LANGUAGES)


@pytest.mark.parametrize("language", NOTE_LANGUAGES)
def test_every_file_has_templates_of_every_kind_and_values_for_every_placeholder(language):
    note_file = parse_note_file(FOLDER.joinpath(f"{language}.txt").read_text("utf-8"), f"{language}.txt")
    assert list(note_file.templates) == list(KINDS) and all(note_file.templates.values())
    assert list(note_file.values) == list(VALUE_PLACEHOLDERS) and all(note_file.values.values())
    assert (note_file.templates, note_file.values) == (TEMPLATES[language], VALUES[language])


@pytest.mark.parametrize("language", NOTE_LANGUAGES)
def test_every_placeholder_a_template_uses_is_known(language):
    used = {name for kind in KINDS for t in TEMPLATES[language][kind] for name in re.findall(r"\{(\w+)\}", t)}
    assert used <= {*NAME_PLACEHOLDERS, *VALUE_PLACEHOLDERS}


def test_an_indented_line_continues_the_entry_above_and_comments_are_skipped():
    text = minimal_file(neutral=["Called {first_name}\n    about the offer.", "Sent it.\n# a comment"])
    assert parse_note_file(text, "t.txt").templates["neutral"] == ("Called {first_name} about the offer.",
                                                                  "Sent it.")


@pytest.mark.parametrize(
    "entry, values",
    [
        ("8 .. 11", ("8", "9", "10", "11")),
        ("400 € .. 1.050 €, step 325", ("400 €", "725 €", "1.050 €")),
        ("€ 900 .. € 1.100, step 100", ("€ 900", "€ 1.000", "€ 1.100")),
        ("1 600 zł .. 2 000 zł, step 200", ("1 600 zł", "1 800 zł", "2 000 zł")),
        ("9998 .. 10000", ("9998", "9999", "10000")),
        ("SmartOffice Pro", ("SmartOffice Pro",)),
    ],
)
def test_a_range_entry_stands_for_every_number_written_like_its_ends(entry, values):
    assert parse_note_file(minimal_file(amount=[entry]), "t.txt").values["amount"] == values


def test_the_shipped_amounts_are_formatted_the_local_way():
    assert VALUES["de"]["amount"][:2] == ("400 €", "450 €") and VALUES["de"]["amount"][-1] == "24.950 €"
    assert "€ 1.000" in VALUES["nl"]["amount"] and "1 000 €" in VALUES["fr"]["amount"]
    assert VALUES["pl"]["amount"][0] == "1 600 zł" and VALUES["sv"]["amount"][-1] == "249 500 kr"


@pytest.mark.parametrize(
    "text, marker, message",
    [
        ("stray text\n" + minimal_file(), "stray text", "expected a \\[section\\]"),
        ("- an entry before any section\n" + minimal_file(), "an entry before", "expected a \\[section\\]"),
        (minimal_file() + "[colour]\n- blue\n", "[colour]", "unknown section \\[colour\\]"),
        (minimal_file(neutral=["Called {first_name} about {colour}."]), "{colour}", "unknown placeholder"),
        (minimal_file(health=["[[{first_name} is ill."]), "is ill", "exactly one non-empty"),
        (minimal_file(health=["{first_name}]] is ill."]), "is ill", "unbalanced"),
        (minimal_file(neutral=["[[Called]] {first_name}."]), "[[Called]]", "must not mark"),
        (minimal_file(amount=["400 € .. 1.000 kr"]), "1.000 kr", "does not read back"),
        (minimal_file(amount=["400 € .. 1000 €, step 250"]), "step 250", "does not read back"),
        (minimal_file(amount=["400 .. 1.000 € und 5"]), "und 5", "exactly one number"),
    ],
)
def test_a_malformed_file_is_rejected_naming_the_file_and_the_line(text, marker, message):
    with pytest.raises(ValueError, match=f"^broken\\.txt:{line_of(text, marker)}: .*{message}"):
        parse_note_file(text, "broken.txt")


def test_a_repeated_section_is_rejected_at_its_second_header():
    text = minimal_file() + "[neutral]\n- Called again.\n"
    with pytest.raises(ValueError, match=f"^broken\\.txt:{line_of(text, 'again') - 1}: repeated section"):
        parse_note_file(text, "broken.txt")


def test_a_missing_or_empty_section_is_rejected_naming_the_file():
    text = minimal_file(religion=[]).replace("[ticket]\n- x\n", "")
    with pytest.raises(ValueError, match=r"^broken\.txt: no entries for \[religion\], \[ticket\]$"):
        parse_note_file(text, "broken.txt")
