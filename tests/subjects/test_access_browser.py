"""access.html in a real browser: it loads nothing from the network and axe-core finds no serious or
critical accessibility violation. Skipped, saying why, without Playwright, Chromium or axe-core
(axe.min.js as shipped by the axe-playwright-python package)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from gdprlab.regulation.policy import Policy, Recipient
from gdprlab.subjects.access import answer_access, write_access
from gdprlab.subjects.find import Query, find_subject, open_dataset

CHROMIUM = os.environ.get("GDPRLAB_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.slow
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed (pip install playwright)"
)
if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
    pytest.skip(
        f"Chromium is not installed at {CHROMIUM} (Debian: apt-get install chromium)", allow_module_level=True
    )
_AXE = importlib.util.find_spec("axe_playwright_python")
AXE = Path(_AXE.origin).parent / "axe.min.js" if _AXE and _AXE.origin else None
if AXE is None or not AXE.is_file():
    pytest.skip("axe-core is not installed (pip install axe-playwright-python)", allow_module_level=True)


@pytest.fixture(scope="module")
def page_file(people, tmp_path_factory) -> Path:
    policy = Policy(
        controller_name="Example GmbH",
        controller_contact="privacy@example.com",
        recipients=(Recipient("MailCo", "processor", "newsletter", "US", "SCC"),),
    )
    with open_dataset(people) as (t, given):
        subject = find_subject(t, Query(email="krystyna.cis@wp.pl"))
        answer = answer_access(t, subject, policy, given.as_of)
    return write_access(answer, tmp_path_factory.mktemp("access"))[0]


def test_the_page_loads_nothing_and_has_no_serious_accessibility_violation(page_file: Path) -> None:
    url = page_file.as_uri()
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            # bypass the page's Content-Security-Policy for the injected axe-core only
            context = browser.new_context(bypass_csp=True)
            page = context.new_page()
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(url)
            assert requests == [url]  # the page itself, nothing else
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("async () => await axe.run(document)")
        finally:
            browser.close()
    serious = [(v["id"], v["help"]) for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == []
    assert result["passes"]
