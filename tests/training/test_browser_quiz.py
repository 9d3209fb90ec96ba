"""A learner takes lesson 05's quiz in a real (headless) browser, and the attempt lands in the database.

`gdprlab lessons` (the command built by :func:`gdprlab.training.serve.build_command`) serves lessons/
with Voilà on a free localhost port; the server's environment names the learner (``JUPYTERHUB_USER``)
and a temporary SQLite progress database (``GDPRLAB_DB_URL``), as JupyterHub and a deployment would.
Debian's Chromium, driven by Playwright's Python API (Playwright's own browser builds are never used
or downloaded), opens the lesson page, checks that no code is shown, answers every question of the
quiz by clicking radio buttons and check boxes, submits, reads the score, and the test then finds the
attempt in the database with the same score and verdict as :func:`gdprlab.training.quiz.score` gives.

Skipped, with the reason, when Playwright, Voilà or Chromium is missing.  Screenshots of the lesson
page and of the answered quiz go to tests/browser/out/ (git-ignored).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gdprlab.training import quiz
from gdprlab.training.serve import build_command
from gdprlab.training.store import progress as progress_store

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ROOT / "lessons"
LESSON = "05_rights"
LEARNER = "browser-test"
OUT = Path(__file__).resolve().parents[1] / "browser" / "out"
CHROMIUM = os.environ.get("GDPRLAB_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 90  # seconds for Voilà to answer HTTP
PAGE_TIMEOUT_MS = 90_000  # the lesson page runs every cell of the notebook before it shows

pytestmark = pytest.mark.slow

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed (pip install playwright; no browser download)"
)
pytest.importorskip("voila", reason="Voilà is not installed (pip install voila)")
if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
    pytest.skip(
        f"Chromium is not installed at {CHROMIUM} (Debian: apt-get install chromium)", allow_module_level=True
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    db_url: str
    db_file: Path
    process: subprocess.Popen
    log: Path


def _log_tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Voilà exited with status {process.returncode} before serving:\n{_log_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    pytest.fail(f"Voilà did not answer at {url} within {timeout} s:\n{_log_tail(log)}")


def _children(pid: int) -> list[int]:
    """Direct children of ``pid`` (Linux /proc; empty elsewhere): Voilà's kernels run in their own
    sessions, so signalling the server's process group does not reach them."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields and int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _stop(process: subprocess.Popen) -> None:
    """Stop the server (SIGTERM lets it shut its kernels down), then kill whatever is left of it."""
    kernels = _children(process.pid)
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        if process.poll() is not None:
            break
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=wait)
    for pid in kernels:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def lessons_server(tmp_path: Path) -> Iterator[Server]:
    db_file = tmp_path / "progress.sqlite"
    db_url = f"sqlite:///{db_file}"
    env = {
        **os.environ,
        "GDPRLAB_DB_URL": db_url,
        "JUPYTERHUB_USER": LEARNER,
        "GDPRLAB_OUTBOX_DIR": str(tmp_path / "outbox"),
        "GDPRLAB_LEARNER_FILE": str(tmp_path / "learner"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "PYTHONUNBUFFERED": "1",
    }
    port = free_port()
    args = argparse.Namespace(dir=LESSONS, lab=False, port=port, no_browser=True)
    # port_retries=0: fail rather than silently serve on another port if the free port was taken.
    command = build_command(args, python=sys.executable) + ["--Voila.port_retries=0"]
    log = tmp_path / "voila.log"
    with open(log, "wb") as log_handle:
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=log_handle,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        url = f"http://localhost:{port}"
        _wait_until_up(url + "/", process, log, SERVER_START_TIMEOUT)
        yield Server(url=url, db_url=db_url, db_file=db_file, process=process, log=log)
    finally:
        _stop(process)


def _expected_attempt() -> quiz.Attempt:
    """The attempt the server draws: first attempt of LEARNER (the database starts empty)."""
    return quiz.draw(quiz.load_banks()[LESSON], LEARNER, 1)


def _answers_to_give(attempt: quiz.Attempt) -> dict[str, list[int]]:
    """Shown-option indices to click: every question right except the last, which gets a wrong answer,
    so that the score is neither zero nor full and the stored answers are worth comparing."""
    answers: dict[str, list[int]] = {}
    for number, drawn in enumerate(attempt.questions):
        right = [i for i, option in enumerate(drawn.options) if option.correct]
        if number == len(attempt.questions) - 1:
            wrong = [i for i, option in enumerate(drawn.options) if not option.correct]
            right = wrong[:1]
        answers[drawn.id] = right
    return answers


def test_learner_takes_the_quiz_in_a_browser_and_the_attempt_is_stored(lessons_server: Server) -> None:
    expect = sync_api.expect
    attempt = _expected_attempt()
    answers = _answers_to_give(attempt)
    expected = quiz.score(attempt, answers)
    OUT.mkdir(parents=True, exist_ok=True)

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
                                             timeout=60_000)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            page.goto(f"{lessons_server.url}/voila/render/{LESSON}.ipynb", timeout=PAGE_TIMEOUT_MS)

            submit = page.get_by_role("button", name="Submit answers")
            expect(submit).to_be_visible(timeout=PAGE_TIMEOUT_MS)
            expect(page.get_by_role("heading", name="Lesson 05")).to_be_visible()
            # Code-free: the sources of the code cells never reach the page.
            assert "show_quiz" not in page.content()
            code = page.locator(".jp-CodeCell .jp-InputArea, .jp-CodeMirrorEditor, .cm-editor, pre.highlight")
            assert code.count() == 0

            quiz_box = page.locator(".widget-vbox").filter(has=submit).last
            expect(quiz_box).to_contain_text(f"Learner {LEARNER}, attempt 1")
            controls = quiz_box.locator(":scope > .widget-radio, :scope > .widget-box")
            expect(controls).to_have_count(len(attempt.questions))
            page.screenshot(path=str(OUT / "lesson05_top.png"))

            # The page shows the drawn attempt: its questions and their options, in the drawn order.
            text = quiz_box.inner_text()
            cursor = 0
            for drawn in attempt.questions:
                for needle in (drawn.question.question, *(o.text for o in drawn.options)):
                    found = text.find(needle, cursor)
                    assert found >= 0, f"{needle!r} is not shown (in this order) in the quiz"
                    cursor = found + len(needle)

            for index, drawn in enumerate(attempt.questions):
                role = "checkbox" if drawn.question.type == "multiple" else "radio"
                choices = controls.nth(index).get_by_role(role)
                expect(choices).to_have_count(len(drawn.options))
                for position in answers[drawn.id]:  # positions as shown = the drawn order
                    choices.nth(position).click()
                    expect(choices.nth(position)).to_be_checked()

            submit.click()
            verdict = "Passed" if expected.passed else "Not passed yet"
            headline = f"{verdict}: {expected.points:g} of {expected.max_points:g} points"
            expect(quiz_box).to_contain_text(headline, timeout=30_000)
            expect(quiz_box).to_contain_text("Progress: Attempt recorded.", timeout=30_000)
            expect(submit).to_be_disabled()
            # Voilà scrolls inside the page, so make the window tall enough to hold the whole quiz.
            height = int(quiz_box.bounding_box()["height"]) + 200
            page.set_viewport_size({"width": 1280, "height": min(max(height, 1000), 8000)})
            quiz_box.screenshot(path=str(OUT / "lesson05_quiz_submitted.png"))
            full = page.evaluate(
                "() => Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))"
            )
            page.set_viewport_size({"width": 1280, "height": min(int(full) + 50, 16000)})
            page.screenshot(path=str(OUT / "lesson05_full_page.png"))
        finally:
            browser.close()

    with sqlite3.connect(lessons_server.db_file) as db:
        rows = db.execute(
            "SELECT learner, lesson, quiz, score, max_score, passed, bank_version FROM attempts"
        ).fetchall()
    assert rows == [(LEARNER, LESSON, LESSON, pytest.approx(expected.points),
                     pytest.approx(expected.max_points), int(expected.passed), attempt.bank_version)]

    outbox = lessons_server.db_file.parent / "outbox"
    with progress_store.ProgressStore(lessons_server.db_url, outbox_dir=outbox) as store:
        (stored,) = store.attempts(learner=LEARNER, lesson=LESSON)
        assert stored.answers == {d.id: sorted(d.to_original(answers[d.id])) for d in attempt.questions}
        assert stored.passed == (stored.score >= attempt.pass_mark * stored.max_score - 1e-9)
        assert store.verify_chain(LEARNER) == []
        assert store.pending() == []
