"""report.pdf from report.html: the same page printed by headless Chromium (Playwright's `page.pdf`), with a
table of contents after the summary and "page N of M" in every page's footer (`gdprlab assess --pdf`).

The contents list every section heading (h2) of the report with the page it starts on, linked to it;
Chromium keeps the links in the PDF. Chromium's printing has no CSS `target-counter()`, so the numbers are
read back from a first print: each heading carries an anchor (`gl-section-N`) that Chromium writes as a
named destination, pypdf reads which page each destination is on, and the page is printed again with those
numbers, until a print agrees with the numbers it shows (two prints; a third at most when the numbers
change the length of the contents). The browser is Debian's Chromium (CHROMIUM, or the GDPRLAB_CHROMIUM
environment variable); Playwright's own browser builds are never downloaded. One browser prints every report
of a batch.
"""

from __future__ import annotations

import concurrent.futures
import html
import os
import re
import secrets
from collections.abc import Iterable, Sequence
from pathlib import Path

from gdprlab.crm.files import write_atomic

CHROMIUM = os.environ.get("GDPRLAB_CHROMIUM", "/usr/bin/chromium")
PDF_FILE = "report.pdf"
#: printed on every page's foot: Chromium fills the pageNumber and totalPages spans
FOOTER = ('<div style="font: 9px system-ui, sans-serif; width: 100%; text-align: center; color: #374151;">'
          'page <span class="pageNumber"></span> of <span class="totalPages"></span></div>')
#: A4 landscape at 80 %: some 1,300 CSS pixels across, the width the report is laid out for (1280 px), so
#: wide tables print whole
PDF_OPTIONS = {"format": "A4", "landscape": True, "scale": 0.8, "print_background": True,
               "display_header_footer": True,
               "header_template": "<div></div>", "footer_template": FOOTER,
               "margin": {"top": "14mm", "bottom": "16mm", "left": "10mm", "right": "10mm"}}
PRINT_STYLE = """<style>
@media print {
  nav.gl-contents { break-after: page; }
  .anchor-link { display: none; }
  .jp-OutputArea-output, .jp-RenderedHTMLCommon { overflow: visible !important; }
  h2 { break-after: avoid; }
  img { max-width: 100%; break-inside: avoid; }
}
nav.gl-contents { font: 14px/1.5 system-ui, sans-serif; margin: 1em 0; max-width: 60em; }
nav.gl-contents ul { list-style: none; padding-left: 1em; }
nav.gl-contents a { display: flex; gap: 0.5em; color: inherit; text-decoration: none; }
nav.gl-contents .gl-toc-title { flex: 1; border-bottom: 1px dotted #6b7280; }
nav.gl-contents .gl-toc-page { min-width: 3ch; text-align: right; font-variant-numeric: tabular-nums; }
</style>"""
_H2 = re.compile(r'(?P<open><h2 id="(?P<id>[^"]+)"[^>]*>)(?P<text>.*?)'
                 r'(?:<a class="anchor-link"[^>]*>.*?</a>)?</h2>', re.S)
_TAG = re.compile(r"<[^>]+>")
#: the anchor put at the start of the n-th section heading of the print copy: plain ASCII, so that the
#: named destination Chromium writes for it has exactly this name (it percent-encodes other ids)
ANCHOR = "gl-section-{}"
#: prints of one report at most before its contents' page numbers must agree with the print
MAX_PRINTS = 3


class PdfError(RuntimeError):
    """report.pdf could not be made (no Playwright or no Chromium): the message says what to install."""


def contents(page: str) -> list[tuple[str, str]]:
    """(id, text) of every section heading (h2) of a report page, in order, both unescaped."""
    return [(html.unescape(m["id"]), html.unescape(_TAG.sub("", m["text"])).strip())
            for m in _H2.finditer(page)]


def with_contents(page: str, pages: Sequence[int] | None = None) -> str:
    """The page to print: the report with a table of contents after the summary (or at the top of the body),
    each entry linked to its heading and showing `pages[n]`, the page its heading is on (left blank when
    None, for the first print), and an anchor `gl-section-N` at the start of each section heading."""
    headings = contents(page)
    if pages is not None and len(pages) != len(headings):
        raise ValueError(f"{len(pages)} page numbers for {len(headings)} section headings")
    items = "".join(
        f'<li><a href="#{ANCHOR.format(n)}"><span class="gl-toc-title">{html.escape(text)}</span>'
        f'<span class="gl-toc-page">{"" if pages is None else pages[n]}</span></a></li>'
        for n, (_ident, text) in enumerate(headings))
    nav = f'<nav class="gl-contents" aria-label="Contents"><h2>Contents</h2><ul>{items}</ul></nav>'
    numbered = iter(range(len(headings)))

    def anchored(m: re.Match) -> str:
        return f'{m["open"]}<a id="{ANCHOR.format(next(numbered))}"></a>{m[0][len(m["open"]):]}'

    page = _H2.sub(anchored, page)
    summary = page.find('class="gl-summary"')
    end = page.find("</section>", summary) if summary >= 0 else -1
    at = end + len("</section>") if end >= 0 else page.index(">", page.index("<body")) + 1
    page = page[:at] + nav + page[at:]
    return page.replace("</head>", PRINT_STYLE + "</head>", 1)


def heading_pages(pdf: Path, count: int) -> list[int]:
    """The page (1 = first) each of the `count` section headings is on in a print of `with_contents`, read
    from the named destinations Chromium wrote for their anchors."""
    try:
        from pypdf import PdfReader
    except ImportError:
        raise PdfError("--pdf needs pypdf (pip install pypdf) to number the table of contents") from None
    reader = PdfReader(pdf)
    destinations = reader.named_destinations
    missing = [n for n in range(count) if f"/{ANCHOR.format(n)}" not in destinations]
    if missing:
        raise PdfError(f"the print has no destination for {len(missing)} of {count} section headings")
    return [reader.get_destination_page_number(destinations[f"/{ANCHOR.format(n)}"]) + 1
            for n in range(count)]


def render_pdfs(reports: Iterable[Path], chromium: str = CHROMIUM) -> list[Path]:
    """report.pdf beside each report.html, owner-only, printed by one headless Chromium."""
    reports = list(reports)
    if not reports:
        return []
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise PdfError("--pdf needs Playwright (pip install playwright; no browser download)") from None
    if not (Path(chromium).is_file() and os.access(chromium, os.X_OK)):
        raise PdfError(f"--pdf needs Chromium at {chromium} (Debian: apt-get install chromium; or set "
                       "GDPRLAB_CHROMIUM)")
    # in a thread of its own: Playwright's sync API refuses to run where an asyncio loop runs (a notebook
    # executed in this process, pytest plugins)
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="gdprlab-pdf") as pool:
        return pool.submit(_print, sync_playwright, reports, chromium).result()


def _print(sync_playwright, reports: list[Path], chromium: str) -> list[Path]:
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            for report in reports:
                report = Path(report)
                run = secrets.token_hex(4)  # two prints of one folder at once never share a file
                printable = report.with_name(f".report-print-{run}.html")
                target, partial = report.with_name(PDF_FILE), report.with_name(f".{PDF_FILE}.{run}.tmp")
                text = report.read_text(encoding="utf-8")
                count = len(contents(text))
                try:
                    page = browser.new_page()
                    numbers = None if count else []  # no section: one print
                    for _ in range(MAX_PRINTS):
                        write_atomic(printable, with_contents(text, numbers), mode=0o600)
                        page.goto(printable.resolve().as_uri(), wait_until="load")
                        os.close(os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
                        page.pdf(path=str(partial), **PDF_OPTIONS)
                        printed = heading_pages(partial, count)
                        if printed == numbers:
                            break
                        numbers = printed
                    else:
                        raise PdfError(f"the contents' page numbers still moved after {MAX_PRINTS} prints")
                    page.close()
                    os.chmod(partial, 0o600)
                    written.append(partial.replace(target))
                finally:
                    printable.unlink(missing_ok=True)
                    partial.unlink(missing_ok=True)
        finally:
            browser.close()
    return written
