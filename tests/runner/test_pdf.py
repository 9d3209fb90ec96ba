"""report.pdf's table of contents and page numbers (gdprlab.runner.pdf). The printing tests need Debian's
Chromium and Playwright and skip, saying which is missing; the assessed sample's PDF is checked in
tests/browser/test_report_page.py."""

from __future__ import annotations

import concurrent.futures
import os
from pathlib import Path

import pytest
from helpers import pdf_contents_check, pdf_pages_text

from gdprlab.runner import pdf

PAGE = ('<html><head><title>r</title></head><body>'
        '<section class="gl-summary"><h1>Summary</h1></section>'
        '<h2 id="1.-Scope">1. Scope &amp; data<a class="anchor-link" href="#1.-Scope">¶</a></h2><p>x</p>'
        '<h2 id="2.-&lt;b&gt;">2. &lt;b&gt;<a class="anchor-link" href="#2.-&lt;b&gt;">¶</a></h2>'
        '</body></html>')


def test_the_contents_list_every_section_heading_after_the_summary() -> None:
    assert pdf.contents(PAGE) == [("1.-Scope", "1. Scope & data"), ("2.-<b>", "2. <b>")]
    page = pdf.with_contents(PAGE)
    nav = page[page.index("<nav"):page.index("</nav>")]
    assert page.index("</section>") < page.index("<nav") < page.index('<h2 id="1.-Scope"')
    assert ('<a href="#gl-section-0"><span class="gl-toc-title">1. Scope &amp; data</span>'
            '<span class="gl-toc-page"></span></a>') in nav  # first print: no page numbers yet
    assert "&lt;b&gt;" in nav and "<b>" not in nav  # heading text stays escaped
    assert page.index("@media print") < page.index("</head>")


def test_each_heading_gets_an_anchor_and_its_page_number() -> None:
    page = pdf.with_contents(PAGE, [3, 17])
    assert '<h2 id="1.-Scope"><a id="gl-section-0"></a>1. Scope &amp; data' in page
    assert '<h2 id="2.-&lt;b&gt;"><a id="gl-section-1"></a>2. &lt;b&gt;' in page
    assert ('href="#gl-section-1"><span class="gl-toc-title">2. &lt;b&gt;</span>'
            '<span class="gl-toc-page">17</span>') in page
    with pytest.raises(ValueError, match="1 page numbers for 2 section headings"):
        pdf.with_contents(PAGE, [3])


def test_every_page_is_numbered() -> None:
    assert pdf.PDF_OPTIONS["display_header_footer"]
    assert 'class="pageNumber"' in pdf.FOOTER and 'class="totalPages"' in pdf.FOOTER


def _printing_or_skip() -> None:
    pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install playwright)")
    if not (Path(pdf.CHROMIUM).is_file() and os.access(pdf.CHROMIUM, os.X_OK)):
        pytest.skip(f"Chromium is not installed at {pdf.CHROMIUM} (Debian: apt-get install chromium)")


@pytest.mark.slow
def test_the_printed_contents_show_the_page_each_heading_is_on(tmp_path) -> None:
    """Sections of uneven length, and so many that the contents take more than one page: the numbers the
    contents show are the pages where the headings are, read from the PDF's text."""
    _printing_or_skip()
    headings = [f"{n}. Section {chr(64 + n % 26 + 1)} &amp; more" for n in range(1, 41)]
    body = "".join(f'<h2 id="{n}.-s">{text}<a class="anchor-link" href="#{n}.-s">¶</a></h2>'
                   + "<p>filler line</p>" * (n % 7 * 9) for n, text in enumerate(headings, 1))
    report = tmp_path / "report.html"
    report.write_text('<html><head><title>r</title></head><body><section class="gl-summary"><h1>Summary</h1>'
                      f"</section>{body}</body></html>", encoding="utf-8")
    (written,) = pdf.render_pdfs([report])
    pages = pdf_pages_text(written)
    shown, found = pdf_contents_check(pages, [text.replace("&amp;", "&") for text in headings])
    assert None not in found and len(set(found)) > 10  # every heading printed, over many pages
    assert shown == found
    assert pages[0].count("Section") < len(headings)  # the contents run over more than one page
    for number, text in enumerate(pages, 1):
        assert f"page {number} of {len(pages)}" in text


@pytest.mark.slow
def test_two_prints_of_one_report_at_once_each_finish_and_leave_no_file_behind(tmp_path) -> None:
    """Two batch runs writing into one output folder print its report at the same time: each has its own
    page to print and its own partial PDF, and the one PDF left is whole."""
    _printing_or_skip()
    report = tmp_path / "report.html"
    report.write_text('<html><head><title>r</title></head><body><section class="gl-summary"><h1>Summary</h1>'
                      '</section><h2 id="a">A</h2><p>text</p></body></html>', encoding="utf-8")
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        written = [f.result() for f in [pool.submit(pdf.render_pdfs, [report]) for _ in range(2)]]
    assert written == [[tmp_path / pdf.PDF_FILE]] * 2
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["report.html", pdf.PDF_FILE])
    pages = pdf_pages_text(tmp_path / pdf.PDF_FILE)
    assert [f"page {n} of {len(pages)}" in text for n, text in enumerate(pages, 1)] == [True] * len(pages)


def test_without_chromium_the_error_says_what_to_install(tmp_path) -> None:
    pytest.importorskip("playwright.sync_api")
    with pytest.raises(pdf.PdfError, match="needs Chromium at /no/chromium"):
        pdf.render_pdfs([tmp_path / "report.html"], chromium="/no/chromium")
