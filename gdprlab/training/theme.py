"""The lessons' colours and text sizes, chosen for WCAG 2.1 AA, and the contrast arithmetic that checks them.

WCAG 2.1 AA asks for a contrast of at least 4.5 : 1 between normal text and its background (success
criterion 1.4.3) and 3 : 1 for the borders that show a control's state (1.4.11). :data:`PALETTE` holds every
text/background pair the quiz, the course panel and the exercises use; tests/training/test_theme.py checks
each with :func:`contrast_ratio`. The stylesheet that applies them is in
:mod:`gdprlab.training.quiz_widget` (a UI module); this one holds values, and the one piece of markup the
lessons and the dashboard share: :func:`scroll_box`, a table's box that scrolls sideways.
"""

from __future__ import annotations

import html

__all__ = ["BORDER_PAIRS", "FONT_SIZE_PX", "MIN_TEXT_CONTRAST", "PAGE_CSS", "PALETTE", "contrast_ratio",
           "relative_luminance", "scroll_box"]

#: body text size of the lessons' widgets (WCAG has no size rule; 14 px is the floor this project sets)
FONT_SIZE_PX = 16
MIN_TEXT_CONTRAST = 4.5
MIN_UI_CONTRAST = 3.0

#: On a Voilà page (``body.jp-Notebook``; JupyterLab's own look is left alone): the text of notebook outputs
#: (tables, printed text, code) lifted from 12-13 px to 14 px, and their cells, lines and long words (paths,
#: URLs) wrapped on a narrow screen instead of needing a sideways scroll. The lessons' widgets and the
#: dashboard add it to their page.
PAGE_CSS = """
body.jp-Notebook .jp-RenderedHTMLCommon table, body.jp-Notebook .jp-RenderedHTMLCommon th,
body.jp-Notebook .jp-RenderedHTMLCommon td, body.jp-Notebook .jp-RenderedText pre,
body.jp-Notebook .jp-RenderedHTMLCommon pre, body.jp-Notebook .jp-RenderedHTMLCommon code {
  font-size: 14px; }
body.jp-Notebook .jp-RenderedHTMLCommon th, body.jp-Notebook .jp-RenderedHTMLCommon td {
  white-space: normal; overflow-wrap: anywhere; }
body.jp-Notebook .jp-RenderedText pre { white-space: pre-wrap; overflow-wrap: anywhere; }
body.jp-Notebook .jp-RenderedHTMLCommon :not(pre) > code { white-space: normal; overflow-wrap: anywhere; }
body.jp-Notebook .jp-RenderedMarkdown { overflow-wrap: break-word; }
"""

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


def scroll_box(content: str, label: str) -> str:
    """``content`` (HTML) in a box of its own that scrolls sideways when it is wider than the page (a table
    on a phone), reachable with Tab and named ``label`` so that a keyboard user can scroll it too (WCAG 2.1.1;
    axe-core's scrollable-region-focusable)."""
    return (f"<div class='gdprlab-scroll' role='region' tabindex='0' aria-label='{html.escape(label)}' "
            f"style='overflow-x: auto; max-width: 100%'>{content}</div>")
