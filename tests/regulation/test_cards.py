"""Rule cards in Markdown: every text from the catalogue shown as written, whatever markup it holds."""

from __future__ import annotations

import re
from dataclasses import replace

from gdprlab.regulation.cards import card, code, escape
from gdprlab.regulation.catalogue import RULES, get_rule

# A source that cites the EDPB or the Article 29 Working Party, and paragraph numbers in it.
_EDPB_OR_WP = re.compile(r"\bEDPB\b|Working Party")
_PARAGRAPHS = re.compile(r"\bpara(?:s\.?|\.|graphs?)?\s*\d|§+\s*\d")
# Documents that number no paragraphs (a text of each was read: WP250, WP251 rev.01, Guidelines 2/2018,
# the WP29 paper on Art. 30(5)): a source citing one names its sections, chapters or footnotes, and says
# that the document numbers no paragraphs. The WP250 text read does not say which revision it is; its
# sections II.A.1-4 are those the table of contents of Guidelines 9/2022 v2.0, which updates it, gives.
_UNNUMBERED = re.compile(r"WP250|WP251|Guidelines 2/2018|Article 30\(5\)")
_SECTIONS = re.compile(r"\b(?:sections?|chapters?|footnotes?)\s+[IVX\d]")

# Rules with an EDPB or WP29 source that names no paragraphs yet: the paragraphs that support the rule
# could not be verified from a text of the document that was read, and a number is never written from
# memory. Remove a rule from here once its sources name their paragraphs; a rule that adds an EDPB or
# WP29 source must name the paragraphs.
_SOURCES_WITHOUT_PARAGRAPHS = {
    "electronic_marketing_without_consent": "WP29 Opinion 5/2004 (WP 90): no text of it read",
    "request_overdue": "Guidelines 01/2022, time limit: no text of it read",
    "extension_not_notified": "Guidelines 01/2022, time limit: no text of it read",
    "processor_without_contract": "Guidelines 07/2020 v2.1: no text of it read",
    "breach_notified_late": "Guidelines 9/2022 v2.0 cited by section (II.A, from its table of contents); "
                            "its paragraphs not verified (WP250 rev.01, which it updates, cited by section)",
    "breach_not_notified": "Guidelines 9/2022 and 01/2021: no faithful text read (WP250 rev.01 cited)",
    "subjects_not_informed": "Guidelines 9/2022: no faithful text read (WP250 rev.01 cited)",
    "breach_record_incomplete": "Guidelines 9/2022: no faithful text read (WP250 rev.01 cited)",
    "transfer_without_safeguard": "Recommendations 01/2020: no text of it read (2/2018 cited by section)",
}


def test_markup_in_catalogue_text_is_escaped():
    assert escape("a | b `c` *d* _e_ [f](g) <h> #i ~j~ \\k &l") == (
        "a \\| b \\`c\\` \\*d\\* \\_e\\_ \\[f\\](g) \\<h\\> \\#i \\~j\\~ \\\\k \\&l")
    assert escape("two\nlines,   spaced") == "two lines, spaced"


def test_a_code_span_holds_backticks():
    assert code("rule_id") == "`rule_id`"
    assert code("a`b") == "``a`b``"
    assert code("`a") == "`` `a ``"


def test_a_card_escapes_every_field_and_leaves_out_a_section_not_written_yet():
    rule = replace(get_rule("consent_without_proof"), title="Pipes | and `ticks`", definition="x | y " * 20,
                   not_a_violation="", sources=("Guidelines | 1 `a`",))
    text = card(rule)
    assert "## Pipes \\| and \\`ticks\\`" in text
    assert "x \\| y" in text and "Guidelines \\| 1 \\`a\\`" in text
    assert "Not a violation" not in text
    assert [line for line in text.splitlines() if "|" in line.replace("\\|", "")] == []


def test_every_edpb_or_wp29_source_names_its_paragraphs():
    cited = [(r.id, s) for r in RULES for s in r.sources if _EDPB_OR_WP.search(s)]
    lacking: dict[str, list[str]] = {}
    for rule_id, source in cited:
        if _UNNUMBERED.search(source):
            assert _SECTIONS.search(source) and "numbers no paragraphs" in source, (rule_id, source)
        elif not _PARAGRAPHS.search(source):
            lacking.setdefault(rule_id, []).append(source)
    assert {rule_id: sources for rule_id, sources in lacking.items()
            if rule_id not in _SOURCES_WITHOUT_PARAGRAPHS} == {}
    # an exception that is no longer needed is removed, so the list stays the list of what is open
    assert sorted(set(_SOURCES_WITHOUT_PARAGRAPHS) - set(lacking)) == []


def test_the_section_pattern():
    for cited in ("sections II.D and V.A", "section 1", "chapter IV.A", "footnote 1"):
        assert _SECTIONS.search(cited), cited
    for uncited in ("the sections below", "chapter and verse", "paras. 26-28"):
        assert not _SECTIONS.search(uncited), uncited


def test_the_paragraph_pattern():
    for cited in ("paras. 121-123", "para. 65", "paragraphs 27-30", "§65", "§§ 121-123"):
        assert _PARAGRAPHS.search(cited), cited
    for uncited in ("section 2.8", "chapter IV.A-E", "(on demonstrating consent)", "Art. 7(3)"):
        assert not _PARAGRAPHS.search(uncited), uncited
