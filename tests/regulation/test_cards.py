"""Rule cards in Markdown: every text from the catalogue shown as written, whatever markup it holds."""

from __future__ import annotations

from dataclasses import replace

from gdprlab.regulation.cards import card, code, escape
from gdprlab.regulation.catalogue import get_rule


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
