"""report.html of the committed sample, opened by a real (headless) browser at 1280×800, as a manager would.

The summary, the overall score and the five actions that matter most are on the first screen, without
scrolling; the page makes no network request; axe-core (the copy the axe-playwright-python package ships;
nothing is downloaded) finds no serious or critical accessibility violation. The first screen is saved as
tests/browser/out/report_first_screen.png, and as docs/report_first_screen.png (the README's picture) when
GDPRLAB_UPDATE_SCREENSHOTS=1.

Debian's Chromium, driven by Playwright's Python API (Playwright's own browser builds are never used or
downloaded). Skipped, with the reason, when Playwright, axe-playwright-python or Chromium is missing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from gdprlab.runner.batch import run_batch

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
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("assess")
    result = run_batch([ROOT / "datasets" / "sample"], out=out, progress=False,
                       parameters={"organisation": "Example GmbH", "reviewer": "A. Auditor"})
    (run,) = result.runs
    assert run.ok, run.error
    return run.report


@pytest.fixture(scope="module")
def page(report: Path):
    """The report in Chromium at 1280×800, with every request other than the file itself recorded."""
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.requests = []
        page.on("request", lambda request: page.requests.append(request.url))
        page.goto(report.as_uri(), wait_until="load")
        yield page
        browser.close()


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
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))  # by the browser: no <script>, CSP holds
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [(v["id"], v["impact"], len(v["nodes"]), v["nodes"][0]["target"]) for v in results["violations"]
           if v["impact"] in ("serious", "critical")]
    assert not bad
