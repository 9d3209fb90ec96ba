"""The lessons' colours meet WCAG 2.1 AA (4.5 : 1 for text, 3 : 1 for control borders) and the text size is
at least 14 px; the contrast arithmetic matches WCAG's published examples."""

from __future__ import annotations

import re

import pytest

from gdprlab.training import theme
from gdprlab.training.exercises import widget as exercise_widget
from gdprlab.training.quiz_widget import STYLE


def test_contrast_ratio_matches_known_values():
    assert theme.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert theme.contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert theme.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the AA grey
    assert theme.contrast_ratio("#ffffff", "#767676") == theme.contrast_ratio("#767676", "#ffffff")
    with pytest.raises(ValueError):
        theme.contrast_ratio("#fff", "#000000")


@pytest.mark.parametrize("name", list(theme.PALETTE))
def test_every_text_colour_has_aa_contrast(name):
    assert theme.contrast_ratio(*theme.PALETTE[name]) >= theme.MIN_TEXT_CONTRAST


@pytest.mark.parametrize("name", list(theme.BORDER_PAIRS))
def test_every_state_border_has_aa_contrast(name):
    assert theme.contrast_ratio(*theme.BORDER_PAIRS[name]) >= theme.MIN_UI_CONTRAST


def test_the_stylesheet_sets_no_text_below_14_px_and_uses_only_checked_colours():
    sizes = [int(px) for px in re.findall(r"font-size:\s*(\d+)px", STYLE)]
    assert sizes and min(sizes) >= 14
    checked = {c.lower() for pair in [*theme.PALETTE.values(), *theme.BORDER_PAIRS.values()] for c in pair}
    used = {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", STYLE)}
    assert used - checked <= {"#8a8a8a"}  # table rules: decoration, not text


def test_exercise_verdict_colours_have_aa_contrast():
    for colour in exercise_widget.VERDICT_COLOURS.values():
        assert theme.contrast_ratio(colour, "#ffffff") >= theme.MIN_TEXT_CONTRAST
