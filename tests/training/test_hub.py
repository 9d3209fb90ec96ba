"""The organisation's hub, for real: JupyterHub on 127.0.0.1 with deploy/jupyterhub/ (DummyAuthenticator),
configurable-http-proxy and PostgreSQL for the hub's database and the training store. Learners log in, submit
through the grading service (by the proxy, and by its own address as a kernel does), and the store holds
each attempt under the hub user who sent it; what a learner cannot do (submit as someone else, claim a score,
use an unknown bank) is refused with a message. Skipped, saying why, without JupyterHub, the proxy or
PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
import sqlalchemy as sa
from helpers import PG_URL

from gdprlab.training import hub
from gdprlab.training.certificates import passed_records, store_records, verification_hash
from gdprlab.training.grading import answers_with
from gdprlab.training.quiz import bank_version, load_banks
from gdprlab.training.store.progress import ProgressStore
from gdprlab.training.store.records import Attempt

LESSON = "02_permission"
BANK = load_banks()[LESSON]
VERSION = bank_version(BANK)
USERS = ["alice", "bob", "carol"]  # carol is a trainer


@pytest.fixture(scope="module")
def schemas(pg_engine):
    names = [f"gdprlab_hub_{uuid.uuid4().hex[:10]}" for _ in ("store", "hub")]
    with pg_engine.begin() as conn:
        for name in names:
            conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    yield names
    with pg_engine.begin() as conn:
        for name in names:
            conn.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))


#: a lesson as a learner's kernel runs it on the hub: the quiz answered right and submitted, as by a click
KERNEL_CELL = f"""
import os
from gdprlab.training.quiz_widget import build_quiz
quiz = build_quiz({LESSON!r})
for i, drawn in enumerate(quiz.attempt.questions):
    shown = [j for j, option in enumerate(drawn.options) if option.correct]
    quiz.set_answer(i, shown if drawn.question.type == "multiple" else shown[0])
quiz.on_submit()
print("KERNEL", type(quiz.store).__name__, quiz.learner, "GDPRLAB_DB_URL" in os.environ, quiz.record_message)
"""


def test_the_trial_hub_gets_a_different_free_port_for_each_of_its_servers():
    """Picked one at a time, a port just handed out and closed could be handed out again: the grading
    service then found its port taken by the proxy's API and the hub never served it."""
    import socket

    ports = hub._free_ports(16)
    assert len(set(ports)) == 16
    for port in ports:
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))


@pytest.fixture(scope="module")
def lessons(tmp_path_factory):
    import nbformat

    folder = tmp_path_factory.mktemp("lessons")
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(KERNEL_CELL)]),
                   folder / "submit.ipynb")
    return folder


@pytest.fixture(scope="module")
def running(schemas, lessons, tmp_path_factory):
    pytest.importorskip("jupyterhub", reason="jupyterhub is not installed (pip install jupyterhub): hub "
                        "tests skipped")
    if shutil.which("configurable-http-proxy") is None:
        pytest.skip("configurable-http-proxy is not installed (npm install -g configurable-http-proxy; "
                    ".ci/run does it): hub tests skipped")
    store_schema, hub_schema = schemas
    with hub.trial_hub(tmp_path_factory.mktemp("hub"), users=USERS, trainers=["carol"], dashboard=True,
                       lessons=lessons,
                       store_url=hub.schema_url(PG_URL, store_schema),
                       hub_db_url=hub.schema_url(PG_URL, hub_schema)) as urls:
        yield urls


@pytest.fixture(scope="module")
def tokens(running):
    return {user: hub.hub_token(running[0], user) for user in USERS}


@pytest.fixture
def store(schemas):
    with ProgressStore(PG_URL, schema=schemas[0]) as s:
        yield s


def call(url: str, token: str | None = None, body: dict | None = None) -> tuple[int, dict | str]:
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"token {token}"} if token else {})
    data = None if body is None else json.dumps(body).encode()
    method = "GET" if body is None else "POST"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def submission(user: str, number: int = 1, right: int = 99, **extra) -> dict:
    answers = answers_with(BANK, user, number, right)
    return {"lesson": LESSON, "bank_version": VERSION, "answers": answers} | extra


def grading(running) -> str:
    return f"{running[0]}/services/{hub.GRADING_SERVICE}/"


def test_each_learner_s_attempt_is_stored_under_their_hub_user(running, tokens, store):
    for user in ("alice", "bob"):
        status, reply = call(grading(running) + "attempts", tokens[user], submission(user))
        assert status == 201, reply
        assert reply["stored"] and reply["attempt"]["learner"] == user and reply["attempt"]["passed"]
    stored = {(a.learner, a.lesson, a.passed) for a in store.attempts()}
    assert {("alice", LESSON, True), ("bob", LESSON, True)} <= stored
    assert not store.verify_chain()


def test_a_learner_cannot_submit_as_another(running, tokens, store):
    before = len(store.attempts(learner="bob"))
    # the body names bob: ignored, the attempt is alice's (her token), graded on her own draw
    body = submission("alice", 2, learner="bob")
    status, reply = call(grading(running) + "attempts", tokens["alice"], body)
    assert status == 201 and reply["attempt"]["learner"] == "alice"
    # bob's answers (his draw) sent with alice's token are not one of alice's draws
    status, reply = call(grading(running) + "attempts", tokens["alice"], submission("bob", 2))
    assert status == 422 and "not one of the learner's draws" in reply["message"]
    assert len(store.attempts(learner="bob")) == before
    # and without a token, or with a made-up one, nothing is taken
    for token in (None, "not-a-token"):
        status, reply = call(grading(running) + "attempts", token, submission("bob", 2))
        assert status == 403 and "hub token" in reply["message"]
    assert len(store.attempts(learner="bob")) == before


def test_a_quiz_in_a_learner_s_kernel_submits_through_the_service(running, tokens, store):
    """alice's own server (spawned by the hub), the lesson rendered by Voila: the quiz's store is the grading
    service, the kernel has no database URL, and the attempt lands in the store under alice."""
    user_api = f"{running[0]}/hub/api/users/alice/server"
    status, reply = call(user_api, tokens["alice"], {})
    assert status in (201, 202), reply
    deadline = time.monotonic() + 40
    while call(f"{running[0]}/user/alice/api/status", tokens["alice"])[0] != 200:
        assert time.monotonic() < deadline, "alice's server did not start"
        time.sleep(0.3)
    before = len(store.attempts(learner="alice"))
    status, page = call(f"{running[0]}/user/alice/voila/render/submit.ipynb", tokens["alice"])
    assert status == 200
    assert "KERNEL GradingClient alice False Attempt recorded." in page, page[-3000:]
    assert len(store.attempts(learner="alice")) == before + 1
    assert store.attempts(learner="alice")[-1].passed


def test_a_forged_score_or_an_unknown_bank_is_refused_with_a_message(running, tokens, store):
    before = len(store.attempts())
    forged = submission("alice", 3, right=0, score=8, max_score=8, passed=True)
    status, reply = call(grading(running) + "attempts", tokens["alice"], forged)
    assert status == 422 and reply["refused"] and not reply["stored"]
    assert "does not follow from its answers" in reply["message"]
    unknown = submission("alice", 3) | {"bank_version": "x"}
    status, reply = call(grading(running) + "attempts", tokens["alice"], unknown)
    assert status == 422 and "is not one this gdprlab knows" in reply["message"]
    status, reply = call(grading(running) + "attempts", tokens["alice"], {"lesson": LESSON})
    assert status == 400 and "bank_version" in reply["message"]
    assert len(store.attempts()) == before


def test_a_kernel_submits_through_the_service_with_its_hub_token(running, tokens, store):
    """What the quiz does on the hub: GDPRLAB_GRADING_URL and JUPYTERHUB_API_TOKEN set, no database URL."""
    client = hub.client_from_env({hub.GRADING_URL_ENV: running[1], hub.TOKEN_ENV: tokens["bob"]})
    answers = answers_with(BANK, "bob", 3, 1)
    attempt = Attempt(learner="bob", lesson=LESSON, quiz=LESSON, bank_version=VERSION, answers=answers,
                      score=1, max_score=len(answers), passed=False)
    result = client.record(attempt)
    assert result.stored and not result.refused, result.message
    assert client.record(attempt).message.startswith("This attempt was already recorded")  # a retry
    mine = client.attempts(lesson=LESSON)
    assert {a.learner for a in mine} == {"bob"} and attempt.attempt_id in {a.attempt_id for a in mine}
    assert [a.attempt_id for a in store.attempts()].count(attempt.attempt_id) == 1
    assert client.progress("bob").loc[0, "attempts"] == len(mine)
    forged = Attempt(learner="bob", lesson=LESSON, quiz=LESSON, bank_version=VERSION, answers=answers,
                     score=len(answers), max_score=len(answers), passed=True)
    assert client.record(forged).refused


def test_only_trainers_may_open_the_dashboard(running, tokens):
    def scopes(user):
        return set(call(f"{running[0]}/hub/api/user", tokens[user])[1]["scopes"])

    dashboard = f"access:services!service={hub.DASHBOARD_SERVICE}"
    assert dashboard in scopes("carol")
    assert dashboard not in scopes("alice")
    assert f"access:services!service={hub.GRADING_SERVICE}" in scopes("alice")
    page = f"{running[0]}/services/{hub.DASHBOARD_SERVICE}/voila/render/training_dashboard.ipynb"
    assert call(page, tokens["alice"])[0] == 403
    status, text = call(page, tokens["carol"])
    assert status == 200 and "alice" in text  # the dashboard, from the store the service wrote


def test_the_certificate_page_checks_a_code_and_escapes_it(running, tokens):
    status, page = call(grading(running) + "certificate?code=" + urllib.parse.quote("<b>ABCD</b>"),
                        tokens["alice"])
    assert status == 200 and "&lt;b&gt;ABCD&lt;/b&gt;" in page and "<b>ABCD" not in page
    assert '<html lang="en">' in page and '<label for="code">' in page
    assert "http" not in page.split("</head>")[0]  # nothing loaded from elsewhere
    status, page = call(grading(running) + "certificate?code=ABCD-EFGH-JKMN-PQRS", tokens["alice"])
    assert "Not valid" in page and "no certificate with this code" in page


def test_the_certificate_page_says_valid_for_a_kept_certificate(running, tokens, store):
    """A certificate kept in the store (as `progress export --certificates` keeps it) over alice's passes;
    its course title, from the data, is escaped on the page."""
    assert call(grading(running) + "attempts", tokens["alice"], submission("alice", 9))[0] == 201
    records = passed_records(store_records(store), "alice")
    today = dt.datetime.now(dt.UTC).date()
    expires = today + dt.timedelta(days=365)
    code = store.issue_certificate("alice", "GDPR <b>basics</b>", today, today, expires,
                                   list(records["attempt_id"]), verification_hash(records))
    status, page = call(grading(running) + "certificate?code=" + code.lower(), tokens["bob"])
    assert status == 200 and "<h2>Valid</h2>" in page and "learner alice" in page
    assert "GDPR &lt;b&gt;basics&lt;/b&gt;" in page and "<b>basics" not in page
    # not logged in: sent to the hub's login (OAuth), nothing verified
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.build_opener(NoRedirect).open(grading(running) + "certificate?code=ABCD")
    assert caught.value.code == 302 and "/hub/api/oauth2/authorize" in caught.value.headers["Location"]


# ------------------------------------------------------------------------------------------ without a hub
def test_the_body_cannot_choose_the_learner_nor_the_time():
    answers = answers_with(BANK, "alice", 1, 99)
    attempt = hub.attempt_from_submission(json.dumps({"lesson": LESSON, "bank_version": VERSION,
                                                      "answers": answers, "learner": "bob",
                                                      "submitted_at": "2020-01-01T00:00:00Z"}),
                                          "alice", {VERSION: BANK})
    assert attempt.learner == "alice" and attempt.submitted_at.year > 2020 and attempt.passed
    assert attempt.score == attempt.max_score == len(answers)  # graded by the service when not claimed


@pytest.mark.parametrize(("body", "user", "status", "said"), [
    ("{not json", "alice", 400, "not JSON"),
    ("[1]", "alice", 400, "JSON object"),
    ("x" * (hub.MAX_BODY + 1), "alice", 413, "larger than"),
    ('{"lesson": "02_permission", "bank_version": "v"}', "alice.smith@example.org", 403, "e-mail address"),
])
def test_a_malformed_submission_gets_one_message(body, user, status, said):
    with pytest.raises(hub.SubmissionError) as caught:
        hub.attempt_from_submission(body, user, {VERSION: BANK})
    assert caught.value.status == status and said in str(caught.value)
    assert "example.org" not in str(caught.value)


def test_kernels_use_the_service_on_a_hub_and_hold_no_database_credential(monkeypatch, tmp_path):
    monkeypatch.setenv("GDPRLAB_DB_URL", f"sqlite:///{tmp_path / 'p.sqlite'}")
    monkeypatch.delenv(hub.GRADING_URL_ENV, raising=False)
    assert isinstance(hub.learner_store(), ProgressStore)  # one machine: the local store
    monkeypatch.setenv(hub.GRADING_URL_ENV, "http://127.0.0.1:9/services/gdprlab-grading")
    monkeypatch.setenv(hub.TOKEN_ENV, "t0ken")
    client = hub.learner_store()
    assert isinstance(client, hub.GradingClient) and client.url.endswith("/")
    answers = answers_with(BANK, "alice", 1, 99)
    result = client.record(Attempt(learner="alice", lesson=LESSON, quiz=LESSON, bank_version=VERSION,
                                   answers=answers, score=len(answers), max_score=len(answers), passed=True))
    assert not result.stored and "could not be reached" in result.message
    env = {"GDPRLAB_DB_URL": "postgresql+psycopg://grader@db/gdprlab", "PGPASSWORD": "secret",
           "PGPASSFILE": "/etc/gdprlab/grader.pgpass", "GDPRLAB_DASHBOARD_DB_URL": "postgresql+psycopg://reader@db/x",
           "GDPRLAB_DASHBOARD_PGPASSFILE": "/etc/gdprlab/reader.pgpass", "GDPRLAB_DASHBOARD_USER": "gdprdash"}
    grading, dashboard = hub.services(env=env)
    assert grading["environment"] == {k: env[k] for k in ("GDPRLAB_DB_URL", "PGPASSWORD", "PGPASSFILE")}
    assert dashboard["environment"] == {"GDPRLAB_DB_URL": env["GDPRLAB_DASHBOARD_DB_URL"],
                                        "PGPASSFILE": "/etc/gdprlab/reader.pgpass"}
    assert dashboard["user"] == "gdprdash" and "user" not in grading
    assert not set(hub.spawner_environment()) & {"GDPRLAB_DB_URL", "PGPASSWORD", "PGPASSFILE"}
