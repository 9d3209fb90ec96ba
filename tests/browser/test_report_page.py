"""report.html of the committed sample, opened by a real (headless) browser at 1280×800, as a manager would.

The summary, the overall score and the five actions that matter most are on the first screen, without
scrolling; the page and the batch index make no network request; the index fits 1280 px; axe-core
(the copy the axe-playwright-python package ships; nothing is downloaded) finds no serious or critical
accessibility violation on either. report.pdf (--pdf) has every page, "page N of M" on each, and a linked
table of contents whose numbers are the pages the sections start on (read from the PDF's text).
The first screen is saved as tests/browser/out/report_first_screen.png, and as
docs/report_first_screen.png (the README's picture) when GDPRLAB_UPDATE_SCREENSHOTS=1.

Debian's Chromium, driven by Playwright's Python API (Playwright's own browser builds are never used or
downloaded). Skipped, with the reason, when Playwright, axe-playwright-python or Chromium is missing.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from helpers import pdf_contents_check, pdf_pages_text

from gdprlab.runner.batch import run_batch
from gdprlab.runner.pdf import contents

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "out"
README_PICTURE = ROOT / "docs" / "report_first_screen.png"
CHROMIUM = os.environ.get("GDPRLAB_TEST_CHROMIUM", "/usr/bin/chromium")
VIEWPORT = {"width": 1280, "height": 800}

pytestmark = pytest.mark.slow

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed (pip install playwright; no browser download)"
)
axe = pytest.importorskip("axe_playwright_python", reason="axe-playwright-python (axe-core) is not installed")
if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
    pytest.skip(
        f"Chromium is not installed at {CHROMIUM} (Debian: apt-get install chromium)", allow_module_level=True
    )
AXE_JS = Path(axe.__file__).with_name("axe.min.js")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The sample assessed as `gdprlab assess --pdf` does."""
    out = tmp_path_factory.mktemp("assess")
    result = run_batch([ROOT / "datasets" / "sample"], out=out, progress=False, pdf=True,
                       parameters={"organisation": "Example GmbH", "reviewer": "A. Auditor"})
    (run,) = result.runs
    assert run.ok, run.error
    return result


@pytest.fixture(scope="module")
def report(batch) -> Path:
    return batch.runs[0].report


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield browser
        browser.close()


def _open(browser, path: Path):
    """The file in a new page at 1280×800, with every request other than the file itself recorded."""
    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.requests = []
    page.on("request", lambda request: page.requests.append(request.url))
    page.goto(path.as_uri(), wait_until="load")
    return page


@pytest.fixture(scope="module")
def page(browser, report: Path):
    return _open(browser, report)


def _serious(page) -> list:
    """axe-core's serious and critical violations on the page."""
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))  # by the browser: no <script>, CSP holds
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], len(v["nodes"]), v["nodes"][0]["target"]) for v in results["violations"]
            if v["impact"] in ("serious", "critical")]


def _visible_without_scrolling(page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"]


def test_summary_score_and_five_actions_are_on_the_first_screen(page) -> None:
    assert page.evaluate("window.scrollY") == 0
    for selector in ("section.gl-summary h1", "section.gl-summary .gl-score", "section.gl-summary .gl-heat"):
        assert _visible_without_scrolling(page, selector), selector
    rows = page.locator("section.gl-summary table.gl-actions tbody tr")
    assert rows.count() == 5
    assert _visible_without_scrolling(page, "section.gl-summary table.gl-actions")
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
    OUT.mkdir(exist_ok=True)
    picture = OUT / "report_first_screen.png"
    page.screenshot(path=str(picture))
    if os.environ.get("GDPRLAB_UPDATE_SCREENSHOTS") == "1":
        README_PICTURE.parent.mkdir(exist_ok=True)
        shutil.copyfile(picture, README_PICTURE)


def test_the_page_makes_no_network_request(page, report: Path) -> None:
    assert page.requests == [report.as_uri()]


def test_axe_core_finds_no_serious_or_critical_violation(page) -> None:
    assert _serious(page) == []


def test_the_index_fits_1280_pixels_makes_no_request_and_passes_axe_core(browser, batch) -> None:
    index = _open(browser, batch.index_html)
    assert index.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
    assert index.requests == [batch.index_html.as_uri()]
    assert index.locator("svg[role=img] title").count() == 1
    assert _serious(index) == []


def test_pdf_has_contents_and_pages(batch) -> None:
    pdf = batch.runs[0].pdf
    data = pdf.read_bytes()
    assert pdf.name == "report.pdf" and data.startswith(b"%PDF") and (pdf.stat().st_mode & 0o077) == 0
    assert len(re.findall(rb"/Type\s*/Page\b", data)) > 5  # the whole report, page by page
    assert b"/Dest" in data or b"/URI" in data  # the contents link to their sections
    assert not list(pdf.parent.glob(".report*"))  # no print copy left behind


def test_pdf_contents_give_the_page_of_each_section_and_every_page_its_number(batch) -> None:
    pages = pdf_pages_text(batch.runs[0].pdf)
    headings = [text for _ident, text in contents(batch.runs[0].report.read_text(encoding="utf-8"))]
    assert len(headings) >= 5
    shown, found = pdf_contents_check(pages, headings)
    assert None not in found, [h for h, n in zip(headings, found, strict=True) if n is None]
    assert shown == found
    assert found == sorted(found) and found[-1] > found[0]  # sections in order, over several pages
    for number, text in enumerate(pages, 1):
        assert f"page {number} of {len(pages)}" in text
