"""report.pdf from report.html: the same page printed by headless Chromium (Playwright's `page.pdf`), with a
table of contents after the summary and page numbers in the footer (`gdprlab assess --pdf`).

The contents list every section heading (h2) of the report, linked to it; Chromium keeps the links in the
PDF. The browser is Debian's Chromium (CHROMIUM, or the GDPRLAB_CHROMIUM environment variable);
Playwright's own browser builds are never downloaded. One browser prints every report of a batch.
"""

from __future__ import annotations

import concurrent.futures
import html
import os
import re
from collections.abc import Iterable
from pathlib import Path

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
nav.gl-contents { font: 14px/1.5 system-ui, sans-serif; margin: 1em 0; }
nav.gl-contents ul { list-style: none; padding-left: 1em; }
</style>"""
_H2 = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)(?:<a class="anchor-link"[^>]*>.*?</a>)?</h2>', re.S)
_TAG = re.compile(r"<[^>]+>")


class PdfError(RuntimeError):
    """report.pdf could not be made (no Playwright or no Chromium): the message says what to install."""


def contents(page: str) -> list[tuple[str, str]]:
    """(id, text) of every section heading (h2) of a report page, in order."""
    return [(ident, html.unescape(_TAG.sub("", text)).strip()) for ident, text in _H2.findall(page)]


def with_contents(page: str) -> str:
    """The report page with a linked table of contents after the summary (or at the top of the body)."""
    items = "".join(f'<li><a href="#{html.escape(ident, quote=True)}">{html.escape(text)}</a></li>'
                    for ident, text in contents(page))
    nav = f'<nav class="gl-contents" aria-label="Contents"><h2>Contents</h2><ul>{items}</ul></nav>'
    summary = page.find('class="gl-summary"')
    end = page.find("</section>", summary) if summary >= 0 else -1
    at = end + len("</section>") if end >= 0 else page.index(">", page.index("<body")) + 1
    page = page[:at] + nav + page[at:]
    return page.replace("</head>", PRINT_STYLE + "</head>", 1)


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
                printable = report.with_name(".report-print.html")
                target, partial = report.with_name(PDF_FILE), report.with_name(f".{PDF_FILE}.tmp")
                fd = os.open(printable, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(with_contents(report.read_text(encoding="utf-8")))
                try:
                    page = browser.new_page()
                    page.goto(printable.resolve().as_uri(), wait_until="load")
                    os.close(os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
                    page.pdf(path=str(partial), **PDF_OPTIONS)
                    page.close()
                    os.chmod(partial, 0o600)
                    written.append(partial.replace(target))
                finally:
                    printable.unlink(missing_ok=True)
                    partial.unlink(missing_ok=True)
        finally:
            browser.close()
    return written
