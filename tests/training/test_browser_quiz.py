"""The lessons in a real (headless) browser: the quiz, the course, keyboard use and accessibility.

`gdprlab lessons` (the command built by :func:`gdprlab.training.serve.build_command`) serves lessons/
with Voilà on a free localhost port; the server's environment names the learner (``JUPYTERHUB_USER``)
and a temporary SQLite progress database (``GDPRLAB_DB_URL``), as JupyterHub and a deployment would.
Debian's Chromium, driven by Playwright's Python API (Playwright's own browser builds are never used
or downloaded), then

* takes lesson 05's quiz: no code is shown, each option is a control named by its full text, the
  attempt lands in the database with the score and verdict :func:`gdprlab.training.quiz.score` gives;
* walks the course as a keyboard-only learner: lesson 00 shows the nine lessons with status and minutes
  and resumes at lesson 05; the quiz refuses an empty submission, fails, draws a new set in place
  ("Try again", no reload), passes (answers chosen with the keyboard, two by clicking their text: Tab
  stops once per question's radio group, Space and the arrow keys choose),
  lesson 00 left open in another tab shows the pass by itself, and "Next lesson" opens lesson 06;
* runs axe-core (the copy axe-playwright-python ships; nothing is downloaded) on every lesson page, at
  1100 and 390 px: no serious or critical violation, no text under 14 px, nothing cut off on a phone;
* opens lesson 01 in JupyterLab (`gdprlab lessons --lab`), runs and saves it: the file stays as committed.

Skipped, with the reason, when Playwright, Voilà or Chromium is missing. Screenshots of each step go to
tests/browser/out/ (git-ignored); GDPRLAB_UPDATE_SCREENSHOTS=1 also rewrites the README's picture,
docs/lesson_quiz_feedback.png.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest
from helpers import graded_attempt

from gdprlab.training import quiz, theme
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
PROBE_PATH = "/voila/static/extension.js"  # answered (403) in both modes, with no kernel started
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
    """Until the server at ``url`` answers, whatever its status (a 403 is an answer)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"Voilà exited with status {process.returncode} before serving:\n{_log_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
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


def start_server(tmp_path: Path, learner: str, *, cull_idle: float | None = None, folder: Path = LESSONS,
                 command: Callable[[int], list[str]] | None = None,
                 **extra_env: str) -> tuple[Server, Callable[[], None]]:
    """Serve lessons/ (or ``folder``) as `gdprlab lessons` does, for ``learner`` (or run ``command(port)``,
    in tmp_path); returns the server and its stopper."""
    db_file = tmp_path / "progress.sqlite"
    db_url = f"sqlite:///{db_file}"
    env = {
        **os.environ,
        "GDPRLAB_DB_URL": db_url,
        "JUPYTERHUB_USER": learner,
        "GDPRLAB_OUTBOX_DIR": str(tmp_path / "outbox"),
        "GDPRLAB_LEARNER_FILE": str(tmp_path / "learner"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "PYTHONUNBUFFERED": "1",
        **extra_env,
    }
    port = free_port()
    args = argparse.Namespace(dir=folder, lab=False, port=port, no_browser=True, cull_idle=cull_idle)
    # port_retries=0: fail rather than silently serve on another port if the free port was taken.
    command = (build_command(args, python=sys.executable) + ["--Voila.port_retries=0"] if command is None
               else command(port))
    log = tmp_path / "voila.log"
    with open(log, "wb") as log_handle:
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=log_handle,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    url = f"http://localhost:{port}"
    try:
        # not "/": where Voilà serves one notebook (the dashboard), every request of it runs the notebook
        _wait_until_up(url + PROBE_PATH, process, log, SERVER_START_TIMEOUT)
    except BaseException:
        _stop(process)
        raise
    return Server(url=url, db_url=db_url, db_file=db_file, process=process, log=log), lambda: _stop(process)


@pytest.fixture
def lessons_server(tmp_path: Path) -> Iterator[Server]:
    server, stop = start_server(tmp_path, LEARNER)
    try:
        yield server
    finally:
        stop()


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


@contextlib.contextmanager
def _chromium() -> Iterator[Any]:
    """The machine's Chromium, headless, driven by Playwright; closed on the way out."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True,
                                             timeout=60_000)
        try:
            yield browser
        finally:
            browser.close()


def test_learner_takes_the_quiz_in_a_browser_and_the_attempt_is_stored(lessons_server: Server) -> None:
    expect = sync_api.expect
    attempt = _expected_attempt()
    answers = _answers_to_give(attempt)
    expected = quiz.score(attempt, answers)
    OUT.mkdir(parents=True, exist_ok=True)

    with _chromium() as browser:
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

        quiz_box = page.locator(".gdprlab-quiz")
        expect(quiz_box).to_contain_text(f"Learner {LEARNER}, attempt 1")
        controls = quiz_box.locator(".gdprlab-question")
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
                # the control's accessible name is the option's letter and full text
                label = f"{chr(ord('A') + position)}. {drawn.options[position].text}"
                expect(controls.nth(index).get_by_role(role, name=label, exact=True)).to_have_count(1)
                choices.nth(position).click()
                expect(choices.nth(position)).to_be_checked()

        submit.click()
        verdict = "Passed" if expected.passed else "Not passed yet"
        headline = f"{verdict}: {expected.points:g} of {expected.max_points:g} points"
        expect(quiz_box).to_contain_text(headline, timeout=30_000)
        expect(quiz_box).to_contain_text("Progress: Attempt recorded.", timeout=30_000)
        expect(submit).to_be_hidden()
        # Voilà scrolls inside the page, so make the window tall enough to hold the whole quiz.
        height = int(quiz_box.bounding_box()["height"]) + 200
        page.set_viewport_size({"width": 1280, "height": min(max(height, 1000), 8000)})
        quiz_box.screenshot(path=str(OUT / "lesson05_quiz_submitted.png"))
        full = page.evaluate(
            "() => Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))"
        )
        page.set_viewport_size({"width": 1280, "height": min(int(full) + 50, 16000)})
        page.screenshot(path=str(OUT / "lesson05_full_page.png"))

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


# ------------------------------------------------------------------------------ the course, by keyboard
WALKER = "keyboard-learner"
CONCERN = "05_rights"
DONE_BEFORE = ("01_classification", "02_permission", "03_minimisation", "04_encryption")
#: where the walkthrough's screenshots go (README shows one of them)
SHOTS = OUT / "walkthrough"
#: the README's picture of the quiz, rewritten from the walkthrough when GDPRLAB_UPDATE_SCREENSHOTS=1
README_PICTURE = ROOT / "docs" / "lesson_quiz_feedback.png"


def _serious(page) -> list:
    """axe-core's serious and critical violations on the page (the axe.min.js that
    axe-playwright-python ships; nothing is downloaded)."""
    axe = pytest.importorskip("axe_playwright_python", reason="axe-playwright-python is not installed")
    page.evaluate((Path(axe.__file__).with_name("axe.min.js")).read_text(encoding="utf-8"))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], len(v["nodes"]), v["nodes"][0]["target"], v["help"])
            for v in results["violations"] if v["impact"] in ("serious", "critical")]


def _tab_to(page, target, *, limit: int = 2000, back: bool = False) -> int:
    """Press Tab (Shift+Tab with ``back``) until ``target`` has the keyboard focus; the presses needed.
    Fails when it cannot be reached: what a keyboard-only learner cannot reach is not operable."""
    handle = target.element_handle()
    for presses in range(1, limit + 1):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if page.evaluate("element => element === document.activeElement", handle):
            return presses
    pytest.fail(f"{target} is not reachable with the keyboard in {limit} presses")


def _text_sizes(page, selector: str) -> list[float]:
    """Computed font sizes (px) of every text-bearing element under ``selector``."""
    return page.evaluate(
        """selector => [...document.querySelectorAll(selector + ' *')]
            .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
            .filter(e => e.offsetParent !== null)
            .map(e => parseFloat(getComputedStyle(e).fontSize))""", selector)


def _shot(page, name: str) -> None:
    full = page.evaluate("() => Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))")
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(int(full) + 50, 12000)})
    page.screenshot(path=str(SHOTS / name))
    page.set_viewport_size(size)


def _two_questions(page, first, second, path: Path) -> None:
    """A picture of two consecutive questions with their feedback (Voilà scrolls inside the page, so the
    window is made tall enough for both and the first is scrolled to its top)."""
    size = page.viewport_size
    need = int(first.bounding_box()["height"] + second.bounding_box()["height"]) + 100
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], need)})
    first.evaluate("element => element.scrollIntoView({block: 'start'})")
    top, bottom = first.bounding_box(), second.bounding_box()
    page.screenshot(path=str(path), clip={
        "x": max(0, top["x"] - 8), "y": max(0, top["y"] - 8),
        "width": max(top["width"], bottom["width"]) + 16,
        "height": bottom["y"] + bottom["height"] - top["y"] + 16})
    page.set_viewport_size(size)


def _answer(page, question, drawn: quiz.DrawnQuestion, positions: list[int], *, by_click: bool) -> None:
    """Choose the options at ``positions`` (as shown): by clicking their text, or with the keyboard as in
    any radio group (Tab to the group, Space on its first option or the arrow keys to another) or list of
    check boxes (Tab to each, Space)."""
    role = "checkbox" if drawn.question.type == "multiple" else "radio"
    for position in positions:
        label = f"{chr(ord('A') + position)}. {drawn.options[position].text}"
        control = question.get_by_role(role, name=label, exact=True)  # what a screen reader announces
        if by_click:
            question.get_by_text(label, exact=True).click()  # the text, not the small circle or box
        elif role == "radio":
            _tab_to(page, question.get_by_role("radio").first)  # the group's one Tab stop
            for key in ["Space"] if position == 0 else ["ArrowDown"] * position:
                page.keyboard.press(key)
        else:
            _tab_to(page, control)
            page.keyboard.press("Space")
        sync_api.expect(control).to_be_checked()


def _tab_stops(page, start, end) -> list[int]:
    """The question (0, 1, …) of each Tab stop from ``start`` (clicked, not focusable) to ``end``."""
    start.click()
    handle, stops = end.element_handle(), []
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("element => element === document.activeElement", handle):
            return stops
        stops.append(page.evaluate("""() => [...document.querySelectorAll('.gdprlab-question')]
            .indexOf(document.activeElement.closest('.gdprlab-question'))"""))
    pytest.fail(f"{end} is not reachable with the keyboard from {start}")


def _positions(drawn: quiz.DrawnQuestion, right: bool) -> list[int]:
    chosen = [i for i, option in enumerate(drawn.options) if option.correct == right]
    return chosen if drawn.question.type == "multiple" and right else chosen[:1]


def test_a_keyboard_learner_resumes_the_course_fails_retries_in_place_passes_and_moves_on(
        tmp_path: Path) -> None:
    """Lesson 00 shows the path and resumes at lesson 05; the quiz refuses an empty submission, fails,
    draws a new set in place, passes, and "Next lesson" opens lesson 06; lesson 00, left open in another
    tab, shows the pass by itself. Every step is done with the keyboard (two answers by clicking their
    text); screenshots of each step go to tests/browser/out/walkthrough/."""
    expect = sync_api.expect
    SHOTS.mkdir(parents=True, exist_ok=True)
    with progress_store.ProgressStore(f"sqlite:///{tmp_path / 'progress.sqlite'}",
                                      outbox_dir=tmp_path / "outbox") as store:
        for lesson in DONE_BEFORE:
            store.record(graded_attempt(WALKER, lesson))
    server, stop = start_server(tmp_path, WALKER, GDPRLAB_COURSE_POLL="1")
    bank = quiz.load_banks()[CONCERN]
    first, second = quiz.draw(bank, WALKER, 1), quiz.draw(bank, WALKER, 2)
    try:
        with _chromium() as browser:
            context = browser.new_context(viewport={"width": 1100, "height": 900})
            context.set_default_timeout(PAGE_TIMEOUT_MS)
            course_page, page = context.new_page(), context.new_page()

            # -- lesson 00: the path, the status of each lesson, where to continue
            course_page.goto(f"{server.url}/voila/render/00_start_here.ipynb", timeout=PAGE_TIMEOUT_MS)
            path = course_page.locator("table.gdprlab-path")
            expect(path).to_be_visible(timeout=PAGE_TIMEOUT_MS)
            expect(path.locator("tbody tr")).to_have_count(9)
            for lesson in DONE_BEFORE:
                expect(path.locator("tr", has_text=f"{lesson[:2]}")).to_contain_text("Passed")
            expect(path.locator("tr", has_text="05")).to_contain_text("Not started")
            expect(path).to_contain_text(" min")
            assert _serious(course_page) == []
            assert min(_text_sizes(course_page, ".gdprlab-ui")) >= 14
            _shot(course_page, "01_course_path.png")

            page.goto(f"{server.url}/voila/render/00_start_here.ipynb", timeout=PAGE_TIMEOUT_MS)
            resume = page.get_by_role("link", name="Continue with lesson 05")
            expect(resume).to_be_visible(timeout=PAGE_TIMEOUT_MS)
            _tab_to(page, resume)
            page.keyboard.press("Enter")
            page.wait_for_url(f"**/{CONCERN}.ipynb", timeout=PAGE_TIMEOUT_MS)

            # -- lesson 05: the quiz
            submit = page.get_by_role("button", name="Submit answers")
            expect(submit).to_be_visible(timeout=PAGE_TIMEOUT_MS)
            page.evaluate("() => { window.stillThisPage = true; }")  # gone if the page reloads
            quiz_box = page.locator(".gdprlab-quiz")
            expect(quiz_box).to_contain_text(f"Learner {WALKER}, attempt 1")
            assert _serious(page) == []
            assert min(_text_sizes(page, ".gdprlab-ui")) >= 14
            _shot(page, "02_lesson05_quiz.png")

            # each question is one group named by its text: one Tab stop per radio group (one per check
            # box of a tick-all question), every question in order, then Submit
            questions = quiz_box.locator(".gdprlab-question")
            groups = quiz_box.locator("[role=radiogroup], [role=group]")
            expect(groups).to_have_count(len(first.questions))
            for index, drawn in enumerate(first.questions):
                expect(questions.nth(index).get_by_role(
                    "group" if drawn.question.type == "multiple" else "radiogroup",
                    name=f"Question {index + 1} of {len(first.questions)}")).not_to_have_count(0)
            assert _tab_stops(page, quiz_box.locator("h3").first, submit) == [
                index for index, drawn in enumerate(first.questions)
                for _ in (drawn.options if drawn.question.type == "multiple" else [0])]

            _tab_to(page, submit)
            page.keyboard.press("Enter")  # nothing answered: refused, nothing revealed
            alert = quiz_box.get_by_role("alert")
            expect(alert).to_contain_text("Not submitted yet")
            expect(alert).to_contain_text(", ".join(str(n) for n in range(1, len(first.questions) + 1)))
            expect(quiz_box).not_to_contain_text("Correct answer")
            _shot(page, "03_unanswered_refused.png")

            for index, drawn in enumerate(first.questions):  # every answer wrong
                _answer(page, questions.nth(index), drawn, _positions(drawn, right=False),
                        by_click=index == 0)
            _tab_to(page, submit, back=True)
            page.keyboard.press("Enter")
            expect(quiz_box).to_contain_text("Not passed yet: 0 of", timeout=30_000)
            expect(quiz_box).to_contain_text("Progress: Attempt recorded.")
            expect(questions.first).to_contain_text("Question 1: not correct.")
            expect(questions.first).to_contain_text("You chose")
            expect(quiz_box).not_to_contain_text("Correct answer")  # not before a pass
            _shot(page, "04_failed.png")

            again = quiz_box.get_by_role("button", name="Try again")
            expect(again).to_be_visible()
            _tab_to(page, again)
            page.keyboard.press("Enter")
            expect(quiz_box).to_contain_text(f"Learner {WALKER}, attempt 2", timeout=30_000)
            assert page.evaluate("() => window.stillThisPage === true")  # in place, no reload
            expect(questions.first).to_contain_text(second.questions[0].question.question)
            expect(questions.first).not_to_contain_text("not correct")

            wrong_one = len(second.questions) - 1  # 7 of 8 right: a pass, and one answer to reveal
            for index, drawn in enumerate(second.questions):
                _answer(page, questions.nth(index), drawn, _positions(drawn, right=index != wrong_one),
                        by_click=index == 1)
            _tab_to(page, submit, back=True)
            page.keyboard.press("Enter")
            result = quiz.score(second, {d.id: _positions(d, right=i != wrong_one)
                                         for i, d in enumerate(second.questions)})
            assert result.passed
            expect(quiz_box).to_contain_text(f"Passed: {result.points:g} of {result.max_points:g} points",
                                             timeout=30_000)
            expect(questions.nth(wrong_one)).to_contain_text("Correct answer")  # after a pass
            expect(quiz_box.get_by_role("button", name="Try again")).to_be_hidden()
            assert _serious(page) == []
            _shot(page, "05_passed.png")
            pair = SHOTS / "passed_questions.png"  # the README's picture: one wrong, one right
            _two_questions(page, questions.nth(wrong_one - 1), questions.nth(wrong_one), pair)
            if os.environ.get("GDPRLAB_UPDATE_SCREENSHOTS") == "1":
                shutil.copyfile(pair, README_PICTURE)

            # -- lesson 00 in the other tab has noticed, without a reload
            expect(course_page.get_by_role("link", name="Continue with lesson 06")).to_be_visible(
                timeout=30_000)
            expect(course_page.locator("table.gdprlab-path tr", has_text="05")).to_contain_text("Passed")
            _shot(course_page, "06_course_updated.png")

            # -- on to the next lesson
            following = quiz_box.get_by_role("link", name="Next lesson: 06")
            _tab_to(page, following)
            page.keyboard.press("Enter")
            page.wait_for_url("**/06_people.ipynb", timeout=PAGE_TIMEOUT_MS)
            expect(page.get_by_role("heading", name="Lesson 06").first).to_be_visible(
                timeout=PAGE_TIMEOUT_MS)
            expect(page.get_by_role("button", name="Submit answers")).to_be_visible(
                timeout=PAGE_TIMEOUT_MS)
            _shot(page, "07_next_lesson.png")
    finally:
        stop()

    with progress_store.ProgressStore(server.db_url, outbox_dir=tmp_path / "outbox") as store:
        done = [(a.lesson, a.passed) for a in store.attempts(learner=WALKER, lesson=CONCERN)]
    assert done == [(CONCERN, False), (CONCERN, True)]


PHONE = {"width": 390, "height": 844}


def _cut_off(page) -> list[str]:
    """Visible text elements reaching past the right edge of the window, other than those inside a box
    that scrolls sideways (what a learner on a phone could not read)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
            .filter(e => e.offsetParent !== null && !e.closest('.gdprlab-scroll'))
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .map(e => e.tagName + ': ' + e.textContent.trim().slice(0, 40)).slice(0, 10)""")


def _lesson_ready(page, stem: str):
    """The last thing a lesson page renders: the quiz's Submit button, or lesson 00's course path."""
    if stem == "00_start_here":
        return page.locator("table.gdprlab-path")
    return page.get_by_role("button", name="Submit answers")


def test_every_lesson_page_passes_axe_core_with_text_of_14_px_or_more(lessons_server: Server) -> None:
    """WCAG 2.1 AA on every lesson as Voilà serves it: axe-core finds no serious or critical violation,
    Tab reaches every link, button, input and scrolling box (exercises, language list, learner id, quiz), and
    no visible text is smaller than 14 px (lesson widgets: 16 px)."""
    stems = sorted(p.stem for p in LESSONS.glob("*.ipynb"))
    assert len(stems) == 9
    found: dict[str, list] = {}
    small: dict[str, list] = {}
    cut: dict[str, list] = {}
    with _chromium() as browser:
        page = browser.new_page(viewport={"width": 1100, "height": 900})
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        for stem in stems:
            page.goto(f"{lessons_server.url}/voila/render/{stem}.ipynb", timeout=PAGE_TIMEOUT_MS)
            sync_api.expect(_lesson_ready(page, stem)).to_be_visible(timeout=PAGE_TIMEOUT_MS)
            found[stem] = _serious(page)
            found[stem] += [f"not reached with Tab: {e}" for e in _reachable_by_tab(page)]
            small[stem] = sorted({size for size in _text_sizes(page, "body") if size < 14})
            assert min(_text_sizes(page, ".gdprlab-ui")) >= theme.FONT_SIZE_PX
            page.set_viewport_size(PHONE)  # a phone: nothing cut off, wide tables scroll in their box
            page.wait_for_timeout(300)
            cut[stem] = _cut_off(page)
            found[stem] += [f"at {PHONE['width']} px: {v}" for v in _serious(page)]
            page.set_viewport_size({"width": 1100, "height": 900})
    clean = {stem: [] for stem in stems}
    assert (found, small, cut) == (clean, clean, clean)


def _kernels(pid: int) -> list[int]:
    """The server's kernel processes (its children running ipykernel); a child that has exited since it
    was listed (a kernel being culled) is not one."""
    return [child for child in _children(pid) if b"ipykernel" in _command_line(child)]


def _command_line(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # gone
        return b""


def test_the_kernel_of_a_closed_page_is_shut_down(tmp_path: Path) -> None:
    """`gdprlab lessons` has Voilà cull the kernels of closed pages (here after 3 s idle instead of 10 min):
    an open page keeps its kernel, a closed one loses it, so kernels do not pile up over a morning."""
    server, stop = start_server(tmp_path, LEARNER, cull_idle=0.05)
    try:
        with _chromium() as browser:
            page = browser.new_page()
            page.goto(f"{server.url}/voila/render/00_start_here.ipynb", timeout=PAGE_TIMEOUT_MS)
            sync_api.expect(_lesson_ready(page, "00_start_here")).to_be_visible(timeout=PAGE_TIMEOUT_MS)
            time.sleep(8)  # idle for longer than the timeout, but still connected
            assert len(_kernels(server.process.pid)) == 1
            page.close()
            deadline = time.monotonic() + 60
            while _kernels(server.process.pid) and time.monotonic() < deadline:
                time.sleep(0.5)
            assert _kernels(server.process.pid) == []
    finally:
        stop()


def test_a_lesson_opened_run_and_saved_in_jupyterlab_is_left_unchanged(tmp_path: Path) -> None:
    """`gdprlab lessons --lab`: JupyterLab opens lesson 01, its kernel runs every cell (the exercise widgets
    show), the lesson is saved, and the file is byte for byte the committed one (runner/hygiene.py)."""
    pytest.importorskip("jupyterlab", reason="JupyterLab is not installed")
    folder = tmp_path / "lessons"
    folder.mkdir()
    lesson = folder / "01_classification.ipynb"
    lesson.write_bytes((LESSONS / lesson.name).read_bytes())
    port = free_port()
    command = build_command(argparse.Namespace(dir=folder, lab=True, port=port, no_browser=True)) + [
        "--IdentityProvider.token=", "--LabApp.expose_app_in_browser=True", "--ServerApp.port_retries=0",
        "--allow-root"]
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_CONFIG_DIR": str(tmp_path), "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path),
           "GDPRLAB_DB_URL": f"sqlite:///{tmp_path / 'progress.sqlite'}", "JUPYTERHUB_USER": LEARNER,
           "GDPRLAB_OUTBOX_DIR": str(tmp_path / "outbox")}
    log = tmp_path / "lab.log"
    with open(log, "wb") as log_handle:
        process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=log_handle,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    kernel = "window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel"
    try:
        _wait_until_up(f"http://localhost:{port}/lab", process, log, SERVER_START_TIMEOUT)
        with _chromium() as browser:
            page = browser.new_page()
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            page.goto(f"http://localhost:{port}/lab/tree/{lesson.name}?reset", timeout=PAGE_TIMEOUT_MS)
            page.wait_for_function(f"() => window.jupyterapp && {kernel}?.status === 'idle'")
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            sync_api.expect(page.locator(".gdprlab-exercise, .gdprlab-quiz").first).to_be_visible()
            page.wait_for_function(f"() => {kernel}.status === 'idle'")
            model = "window.jupyterapp.shell.currentWidget.context.model"
            # the kernel has set its language_info, Python version included
            assert page.evaluate(f"() => {model}.getMetadata('language_info').version")
            page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
            page.wait_for_function(f"() => !{model}.dirty")
    finally:
        _stop(process)
    assert "Pre-save hook" not in log.read_text(encoding="utf-8", errors="replace")
    assert lesson.read_bytes() == (LESSONS / lesson.name).read_bytes()


def _reachable_by_tab(page) -> list[str]:
    """The visible elements the keyboard should reach (links, buttons, inputs, boxes with tabindex 0) that
    pressing Tab through the whole page never focuses; a radio group is reached at one of its buttons (the
    arrow keys go on from there)."""
    page.evaluate("""() => { window.gdprlabFocused = new Set();
        document.addEventListener('focusin', event => window.gdprlabFocused.add(event.target)); }""")
    page.locator("body").click(position={"x": 1, "y": 1})
    wanted = page.evaluate("""() => [...document.querySelectorAll(
        'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])')]
        .filter(e => e.offsetParent !== null && !e.disabled).length""")
    for _ in range(wanted + 20):
        page.keyboard.press("Tab")
    return page.evaluate("""() => [...document.querySelectorAll(
        'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])')]
        .filter(e => e.offsetParent !== null && !e.disabled && !window.gdprlabFocused.has(e))
        .filter(e => !(e.type === 'radio' && e.name && [...window.gdprlabFocused].some(
            f => f.type === 'radio' && f.name === e.name)))
        .map(e => e.tagName + ' ' + (e.getAttribute('aria-label') || e.textContent.trim().slice(0, 40)))""")


def test_the_trainer_dashboard_passes_axe_core_and_is_used_by_keyboard(tmp_path: Path) -> None:
    """notebooks/training_dashboard.ipynb as `gdprlab progress dashboard` serves it (its demo store, the
    notebook of the current folder): no serious or critical axe-core violation at 1100 and 390 px, no text
    under 14 px, every figure with its alt text, nothing cut off on a phone, and every table's box (the page's
    only interactive elements) reached with Tab."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    notebook = nbformat.read(ROOT / "notebooks" / "training_dashboard.ipynb", as_version=4)
    parameters = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    parameters.source += f'\ndemo = True\nas_of = "2026-11-30"\noutput_dir = {str(tmp_path / "out")!r}\n'
    nbformat.write(notebook, folder / "training_dashboard.ipynb")
    server, stop = start_server(tmp_path, LEARNER, command=lambda port: [
        sys.executable, "-m", "gdprlab", "progress", "dashboard", f"--port={port}", "--no-browser", "--",
        "--Voila.port_retries=0"])
    try:
        with _chromium() as browser:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            page.goto(f"{server.url}/", timeout=PAGE_TIMEOUT_MS)
            sync_api.expect(page.get_by_text("training_status.csv").last).to_be_visible()
            images = page.locator("img")  # the page is rendered as the cells run: its figures come last
            try:
                sync_api.expect(images).to_have_count(4, timeout=PAGE_TIMEOUT_MS)
            except AssertionError as error:  # what the page and Voilà said (made-up staff only)
                pytest.fail(f"{error}\npage:\n{page.inner_text('body')[-3000:]}\nlog:\n{_log_tail(server.log)}")
            OUT.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(OUT / "dashboard.png"), full_page=True)
            alts = [images.nth(i).get_attribute("alt") for i in range(4)]
            assert all(alt and ("%" in alt or "attempts" in alt) for alt in alts), alts
            tables = page.get_by_role("region").locator("table")
            sync_api.expect(tables).to_have_count(5)
            assert _serious(page) == []
            assert min(_text_sizes(page, "body")) >= 14
            assert _reachable_by_tab(page) == []
            page.set_viewport_size(PHONE)
            page.wait_for_timeout(300)
            assert _cut_off(page) == []
            assert _serious(page) == []
    finally:
        stop()
