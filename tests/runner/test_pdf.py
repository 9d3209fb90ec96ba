"""report.pdf's table of contents and page numbers (gdprlab.runner.pdf); the printing itself is tested in
tests/browser/test_report_page.py, where Chromium is."""

from __future__ import annotations

from gdprlab.runner import pdf

PAGE = ('<html><head><title>r</title></head><body>'
        '<section class="gl-summary"><h1>Summary</h1></section>'
        '<h2 id="1.-Scope">1. Scope &amp; data<a class="anchor-link" href="#1.-Scope">¶</a></h2><p>x</p>'
        '<h2 id="2.-&lt;b&gt;">2. &lt;b&gt;<a class="anchor-link" href="#2.-&lt;b&gt;">¶</a></h2>'
        '</body></html>')


def test_the_contents_list_every_section_heading_after_the_summary() -> None:
    assert pdf.contents(PAGE) == [("1.-Scope", "1. Scope & data"), ("2.-&lt;b&gt;", "2. <b>")]
    page = pdf.with_contents(PAGE)
    nav = page[page.index("<nav"):page.index("</nav>")]
    assert page.index("</section>") < page.index("<nav") < page.index('<h2 id="1.-Scope"')
    assert '<a href="#1.-Scope">1. Scope &amp; data</a>' in nav
    assert "&lt;b&gt;" in nav and "<b>" not in nav  # heading text stays escaped
    assert page.index("@media print") < page.index("</head>")


def test_every_page_is_numbered() -> None:
    assert pdf.PDF_OPTIONS["display_header_footer"]
    assert 'class="pageNumber"' in pdf.FOOTER and 'class="totalPages"' in pdf.FOOTER


def test_without_chromium_the_error_says_what_to_install(tmp_path) -> None:
    import pytest

    pytest.importorskip("playwright.sync_api")
    with pytest.raises(pdf.PdfError, match="needs Chromium at /no/chromium"):
        pdf.render_pdfs([tmp_path / "report.html"], chromium="/no/chromium")
