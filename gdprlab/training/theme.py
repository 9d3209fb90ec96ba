"""The lessons' colours and text sizes, chosen for WCAG 2.1 AA, and the contrast arithmetic that checks them.

WCAG 2.1 AA asks for a contrast of at least 4.5 : 1 between normal text and its background (success
criterion 1.4.3) and 3 : 1 for the borders that show a control's state (1.4.11). :data:`PALETTE` holds every
text/background pair the quiz, the course panel and the exercises use; tests/training/test_theme.py checks
each with :func:`contrast_ratio`. The stylesheet that applies them is in
:mod:`gdprlab.training.quiz_widget` (a UI module); this one holds values only.
"""

from __future__ import annotations

__all__ = ["BORDER_PAIRS", "FONT_SIZE_PX", "MIN_TEXT_CONTRAST", "PALETTE", "contrast_ratio",
           "relative_luminance"]

#: body text size of the lessons' widgets (WCAG has no size rule; 14 px is the floor this project sets)
FONT_SIZE_PX = 16
MIN_TEXT_CONTRAST = 4.5
MIN_UI_CONTRAST = 3.0

#: name -> (text colour, background colour)
PALETTE: dict[str, tuple[str, str]] = {
    "text": ("#1a1a1a", "#ffffff"),
    "muted": ("#4a4a4a", "#ffffff"),
    "right": ("#1b5e20", "#e8f5e9"),  # a correct answer, a passed lesson
    "wrong": ("#a50e0e", "#fdecea"),  # a wrong answer, a blocked submission
    "pending": ("#6a3d00", "#fff4e0"),  # started but not passed, refresher due
    "selected": ("#0b3d78", "#e6effa"),  # a chosen option
    "button": ("#ffffff", "#0b4f9c"),  # primary buttons and links as buttons
    "link": ("#0b4f9c", "#ffffff"),
}

#: control borders and focus rings against the page (3 : 1 needed): (border colour, background)
BORDER_PAIRS: dict[str, tuple[str, str]] = {
    "option": ("#5f6b7a", "#ffffff"),
    "focus": ("#0b4f9c", "#ffffff"),
    "right": ("#1b5e20", "#ffffff"),
    "wrong": ("#a50e0e", "#ffffff"),
}


def relative_luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of a ``#rrggbb`` colour."""
    value = colour.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"expected #rrggbb, got {colour!r}")
    channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG contrast ratio (1 to 21) of two ``#rrggbb`` colours."""
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
