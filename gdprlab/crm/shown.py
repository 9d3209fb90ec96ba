"""Text from data, made safe where it is shown: a terminal (`printable`) or Markdown (`md`).

A CSV header, a roster field or a learner id may hold ANSI escape sequences (``\\x1b[2J`` clears the
screen, ``\\x1b]8;;…`` writes a link) or other control characters that a terminal obeys. `printable`
removes whole escape sequences (CSI, OSC and other ESC sequences) and then every remaining control or
format character except a line break and a tab. `SafeStream` applies it to everything written to a
stream: the `gdprlab` command writes its standard output and error through one.

`CONTENT_SECURITY_POLICY` is what every HTML page gdprlab writes (report, index, certificates) allows itself
in its Content-Security-Policy meta tag: no script at all, styles and images only from the page itself.

`md` makes text from the data (a file name, a learner id, the organisation) safe inside a Markdown output of
a notebook: HTML-escaped, Markdown's punctuation backslashed, so it shows as written, never as markup.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import TextIO

#: ESC [ … final byte (CSI), ESC ] … BEL or ESC \ (OSC, also P/X/^/_ strings), ESC and one character;
#: and the 8-bit C1 forms of CSI and OSC
#: the pages gdprlab writes carry no script; a script that data slipped into one must not run
CONTENT_SECURITY_POLICY = ("default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; "
                           "img-src data:; font-src data:; base-uri 'none'; form-action 'none'")
CSP_META = f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'

_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]"
                     r"|(?:\x1b[\]PX^_]|[\x9d\x90\x98\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
                     r"|\x1b[@-Z\\-_ -/]?[0-~]?")
_REFUSED = ("Cc", "Cf", "Cs", "Co", "Zl", "Zp")


def printable(text: object, keep: str = "\n\t") -> str:
    """`text` without terminal escape sequences and control characters, except those in `keep` (line
    breaks and tabs)."""
    text = _ESCAPE.sub("", str(text))
    if text.isprintable():
        return text
    return "".join(ch for ch in text if ch in keep or unicodedata.category(ch) not in _REFUSED)


class SafeStream:
    """A text stream that writes `printable` text to the stream it wraps; `keep` as for `printable` (a
    progress bar on standard error needs its carriage returns)."""

    def __init__(self, stream: TextIO, keep: str = "\n\t") -> None:
        self.stream = stream
        self.keep = keep

    def write(self, text: str) -> int:
        self.stream.write(printable(text, self.keep))
        return len(text)

    def __getattr__(self, name: str):  # flush, isatty, encoding … of the wrapped stream
        return getattr(self.stream, name)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md(value: object) -> str:
    """`value` as literal text inside Markdown: HTML-escaped, Markdown punctuation backslashed, no control
    characters."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(printable(value, keep=""), quote=False))
