"""Training a whole organisation on JupyterHub: who may grade, who may read, and how a kernel submits.

On a shared hub the learner's kernel must not hold the database: whoever can run a cell could write a
passing attempt. So the store has one writer, the grading service (:mod:`gdprlab.training.service`, a
JupyterHub service), which

* is the only process given the database credentials (from its own environment: ``GDPRLAB_DB_URL``, and
  ``PGPASSWORD``/``PGPASSFILE`` for the password; never a notebook parameter, never the learners'
  environment: JupyterHub passes a single-user server only ``Spawner.environment`` and ``env_keep``);
* identifies the learner by the hub token sent with the submission (``Authorization: token …``) and
  stamps that hub user on the attempt, whatever the body says (:func:`attempt_from_submission`);
* re-grades the answers against the bank version it knows (:mod:`gdprlab.training.grading`, through
  :meth:`ProgressStore.record <gdprlab.training.store.progress.ProgressStore.record>`) and refuses a
  claimed score that does not follow from them or an unknown bank version, saying why (HTTP 422).

A kernel finds the service through ``GDPRLAB_GRADING_URL`` (set for every learner by the hub's
configuration, :func:`spawner_environment`) and authenticates with the ``JUPYTERHUB_API_TOKEN`` the hub
gives its server; :func:`client_from_env` then returns a :class:`GradingClient`, which the quiz uses in
place of a :class:`~gdprlab.training.store.progress.ProgressStore` (:func:`learner_store`). Without that
variable (one machine, one person) the quiz writes to the local store as before.

Roles (JupyterHub RBAC, :func:`roles`): every user may use the grading service (submit their own attempts,
read their own attempts, verify a certificate code); members of the group ``trainers`` may open the
trainer dashboard, a second service (:func:`services`) that reads the store with its own, read-only
credentials (``GDPRLAB_DASHBOARD_DB_URL``). Only the hub user name is kept (it must be a valid learner id,
:func:`gdprlab.training.learner.validate_learner_id`: a login, not an e-mail address).

Everything here is plain Python (the HTTP client is :mod:`urllib`); the server is
:mod:`gdprlab.training.service`, the configuration ``deploy/jupyterhub/jupyterhub_config.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gdprlab.training.grading import GradeError, grade
from gdprlab.training.learner import InvalidLearnerId, validate_learner_id
from gdprlab.training.quiz import Bank
from gdprlab.training.store.progress import ProgressStore, RecordResult
from gdprlab.training.store.records import Attempt

__all__ = [
    "DASHBOARD_SERVICE",
    "GRADING_SERVICE",
    "GRADING_URL_ENV",
    "GradingClient",
    "SubmissionError",
    "attempt_from_submission",
    "client_from_env",
    "learner_store",
    "roles",
    "services",
    "spawner_environment",
    "submission",
    "submit",
    "hub_token",
    "schema_url",
    "trial_hub",
]

#: the services' names (their URLs on the hub are /services/<name>/)
GRADING_SERVICE = "gdprlab-grading"
DASHBOARD_SERVICE = "gdprlab-dashboard"
#: where a learner's kernel sends its attempts (the grading service's URL, ending in /)
GRADING_URL_ENV = "GDPRLAB_GRADING_URL"
#: the hub token of the learner's server, set by JupyterHub
TOKEN_ENV = "JUPYTERHUB_API_TOKEN"
#: the environment variables that carry database credentials (given to the services only)
CREDENTIAL_ENV = ("GDPRLAB_DB_URL", "PGPASSWORD", "PGPASSFILE")
#: largest submission accepted, in bytes (a bank's answers are a few hundred)
MAX_BODY = 64 * 1024
#: seconds a kernel waits for the service
TIMEOUT = 20.0


class SubmissionError(ValueError):
    """A submission the service cannot take; ``status`` is the HTTP status, the message says why (it never
    repeats answers or personal data)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


# ------------------------------------------------------------------------------------------ the service
def attempt_from_submission(body: bytes | str | Mapping[str, Any], hub_user: str,
                            banks: Mapping[str, Bank]) -> Attempt:
    """The attempt a submission describes, as the hub user ``hub_user`` made it now.

    The body is JSON with ``lesson``, ``bank_version``, ``answers`` (question id -> option indices into the
    bank's options) and, optionally, the score the kernel computed (``score``, ``max_score``, ``passed``:
    when given they must follow from the answers, else the store refuses the attempt) and an
    ``attempt_id`` (a UUID: sending the same attempt again never stores it twice). Any ``learner`` or
    ``submitted_at`` in the body is ignored: the learner is the hub's, the time the service's (and the quiz is
    the lesson's, as the quiz widget records it).
    """
    try:
        learner = validate_learner_id(hub_user)
    except InvalidLearnerId as error:
        raise SubmissionError(f"your hub login cannot be used as a learner id: {error}", 403) from None
    data = body if isinstance(body, Mapping) else _json(body)
    fields = {name: data.get(name) for name in ("lesson", "bank_version")}
    for name, value in fields.items():
        if not isinstance(value, str) or not value.strip():
            raise SubmissionError(f"the submission has no {name} (text)")
    bank = banks.get(fields["bank_version"])
    claimed = [data.get(name) for name in ("score", "max_score", "passed")]
    if all(value is None for value in claimed):  # the service grades
        if bank is None or bank.lesson != fields["lesson"]:
            claimed = [0.0, 1.0, False]  # refused below, by the store's grader, with its message
        else:
            try:
                earned = grade(bank, learner, data.get("answers"))
            except GradeError as error:
                raise SubmissionError(f"Attempt refused, not recorded: {error}.", 422) from None
            claimed = [earned.score, earned.max_score, earned.passed]
    try:
        return Attempt(learner=learner, lesson=fields["lesson"], quiz=fields["lesson"],  # one quiz a lesson
                       bank_version=fields["bank_version"], answers=data.get("answers"), score=claimed[0],
                       max_score=claimed[1], passed=claimed[2],
                       **({"attempt_id": data["attempt_id"]} if data.get("attempt_id") else {}))
    except (TypeError, ValueError) as error:
        raise SubmissionError(f"the submission is not a valid attempt: {error}") from None


def _json(body: bytes | str) -> Mapping[str, Any]:
    if len(body) > MAX_BODY:
        raise SubmissionError(f"the submission is larger than {MAX_BODY // 1024} KiB", 413)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise SubmissionError("the submission is not JSON") from None
    if not isinstance(data, dict):
        raise SubmissionError("the submission must be a JSON object")
    return data


def submit(store: ProgressStore, body: bytes | str | Mapping[str, Any], hub_user: str,
           banks: Mapping[str, Bank]) -> tuple[int, dict[str, Any]]:
    """Take one submission of ``hub_user``: (HTTP status, JSON reply). 201 stored (200: sent before, not
    stored again), 202 kept in the service's outbox (database unavailable), 422 refused (does not re-grade),
    4xx for a malformed submission."""
    try:
        attempt = attempt_from_submission(body, hub_user, banks)
    except SubmissionError as error:
        return error.status, {"stored": False, "refused": error.status == 422, "message": str(error)}
    result = store.record(attempt)
    if result.refused:
        status = 422
    elif not result.stored:
        status = 202
    else:
        status = 200 if result.message.startswith("This attempt was already") else 201
    return status, submission(attempt, result)


def submission(attempt: Attempt, result: RecordResult) -> dict[str, Any]:
    """The service's reply: what was recorded and what the service made of it."""
    return {"stored": result.stored, "refused": result.refused, "message": result.message,
            "attempt": attempt.to_json_dict(), "pending": result.pending}


# ------------------------------------------------------------------------------------------ the kernel
@dataclass
class GradingClient:
    """What a learner's kernel records attempts with on a hub: the grading service, by HTTP.

    It offers what the quiz asks of a store (:meth:`record`, :meth:`attempts`, :meth:`pending`,
    :meth:`progress`), limited to the hub user's own attempts. ``url`` is the service's URL (ending in /),
    ``token`` the learner's hub token.
    """

    url: str
    token: str
    timeout: float = TIMEOUT

    def _request(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(urllib.parse.urljoin(self.url, path), data=data, method=method,
                                         headers={"Authorization": f"token {self.token}",
                                                  "Content-Type": "application/json",
                                                  "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - own URL
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            try:
                return error.code, json.loads(error.read() or b"null")
            except ValueError:
                return error.code, {"message": f"the grading service answered {error.code} {error.reason}"}

    def record(self, attempt: Attempt) -> RecordResult:
        """Send ``attempt`` (its answers, lesson, bank version and the score the kernel computed) to be
        re-graded and stored under the hub user; never raises for an unreachable service."""
        body = {k: v for k, v in attempt.to_json_dict().items() if k not in ("learner", "submitted_at")}
        try:
            status, reply = self._request("POST", "attempts", body)
        except (OSError, ValueError) as error:
            return RecordResult(False, f"Progress not saved: the grading service could not be reached "
                                f"({type(error).__name__}). Submit again in a moment; if it keeps failing, "
                                "tell your trainer.", attempt.attempt_id)
        reply = reply if isinstance(reply, dict) else {}
        message = str(reply.get("message") or f"the grading service answered {status}")
        return RecordResult(bool(reply.get("stored")), message, attempt.attempt_id,
                            int(reply.get("pending") or 0), refused=status == 422)

    def attempts(self, learner: str | None = None, lesson: str | None = None) -> list[Attempt]:
        """The hub user's recorded attempts (optionally of one lesson); ``learner`` is ignored (the
        service answers for the token's user only)."""
        path = "attempts" + (f"?{urllib.parse.urlencode({'lesson': lesson})}" if lesson else "")
        try:
            status, reply = self._request("GET", path)
        except ValueError as error:  # not JSON
            raise OSError(f"the grading service's answer is not JSON ({error})") from None
        if status != 200 or not isinstance(reply, dict):
            raise OSError(f"the grading service answered {status}: "
                          f"{(reply or {}).get('message', '') if isinstance(reply, dict) else ''}")
        return [Attempt.from_json_dict(item) for item in reply.get("attempts", [])]

    def pending(self) -> list[Attempt]:
        """Nothing waits in a kernel: the service keeps its own outbox."""
        return []

    progress = ProgressStore.progress  # the same table, from this client's attempts()


def client_from_env(env: Mapping[str, str] | None = None) -> GradingClient | None:
    """The grading service's client when ``GDPRLAB_GRADING_URL`` and a hub token are set, else None."""
    env = os.environ if env is None else env
    url, token = env.get(GRADING_URL_ENV, "").strip(), env.get(TOKEN_ENV, "").strip()
    if not url or not token:
        return None
    return GradingClient(url if url.endswith("/") else url + "/", token)


def learner_store() -> GradingClient | ProgressStore:
    """Where this kernel records attempts: the grading service on a hub, else the local store."""
    return client_from_env() or ProgressStore()


# ------------------------------------------------------------------------------------ the hub's configuration
def services(*, grading_port: int = 10101, dashboard_port: int = 10102, notebooks: str = "notebooks",
             env: Mapping[str, str] | None = None, python: str | None = None) -> list[dict[str, Any]]:
    """``c.JupyterHub.services``: the grading service, given the store's credentials from the hub's
    environment, and the trainer dashboard (Voilà on ``notebooks/training_dashboard.ipynb`` in a
    single-user server run as a service), given ``GDPRLAB_DASHBOARD_DB_URL`` (a read-only role; without
    it the store's URL, but none of the grader's passwords) and ``GDPRLAB_DASHBOARD_PGPASSFILE`` (its own
    pgpass file, never the grader's). A trainer can run code in the dashboard's server, so in production run
    it as a system user of its own (``GDPRLAB_DASHBOARD_USER``; the hub then runs as root), which cannot
    read the grader's files."""
    env = os.environ if env is None else env
    python = python or sys.executable
    grading_env = {k: env[k] for k in CREDENTIAL_ENV if env.get(k)}
    dashboard_env = {"GDPRLAB_DB_URL": env.get("GDPRLAB_DASHBOARD_DB_URL") or env.get("GDPRLAB_DB_URL", ""),
                     "PGPASSFILE": env.get("GDPRLAB_DASHBOARD_PGPASSFILE", "")}
    dashboard_user = {"user": env["GDPRLAB_DASHBOARD_USER"]} if env.get("GDPRLAB_DASHBOARD_USER") else {}
    return [
        {"name": GRADING_SERVICE, "url": f"http://127.0.0.1:{grading_port}",
         "command": [python, "-m", "gdprlab.training.service"], "environment": grading_env,
         "oauth_no_confirm": True, "display": False},
        {"name": DASHBOARD_SERVICE, "url": f"http://127.0.0.1:{dashboard_port}",
         "command": [python, "-m", "jupyterhub.singleuser", f"--ServerApp.root_dir={notebooks}",
                     "--ServerApp.default_url=/voila/render/training_dashboard.ipynb",
                     "--ServerApp.terminals_enabled=False", "--VoilaConfiguration.strip_sources=True",
                     "--VoilaConfiguration.show_tracebacks=False"],
         "environment": {k: v for k, v in dashboard_env.items() if v}, "oauth_no_confirm": True,
         **dashboard_user},
    ]


def roles() -> list[dict[str, Any]]:
    """``c.JupyterHub.load_roles``: every user may use the grading service; the group ``trainers`` may open
    the dashboard."""
    return [
        {"name": "user", "description": "a learner: their own server, and the grading service",
         "scopes": ["self", f"access:services!service={GRADING_SERVICE}"]},
        {"name": "trainer", "description": "opens the trainer dashboard (every learner's progress)",
         "groups": ["trainers"], "scopes": [f"access:services!service={DASHBOARD_SERVICE}"]},
    ]


#: the scopes of a learner's server token (JupyterHub's `server` role, plus submitting to the grader)
SERVER_TOKEN_SCOPES = ["users:activity!user", "access:servers!server",
                       f"access:services!service={GRADING_SERVICE}"]


def spawner_environment(grading_port: int = 10101) -> dict[str, str]:
    """``c.Spawner.environment``: where kernels submit (the service's own address; no credential)."""
    return {GRADING_URL_ENV: f"http://127.0.0.1:{grading_port}/services/{GRADING_SERVICE}/"}



# ------------------------------------------------------------------------------------ a hub on this machine
#: the trial configuration (in a checkout: deploy/jupyterhub/)
TRIAL_CONFIG = Path(__file__).resolve().parents[2] / "deploy" / "jupyterhub" / "trial_config.py"


def schema_url(url: str, schema: str) -> str:
    """A PostgreSQL URL whose connections use ``schema`` (their search_path), for a store or a hub database
    kept in a schema of a shared database (trials, tests, benchmarks)."""
    option = urllib.parse.quote(f"-csearch_path={schema}")
    return f"{url}{'&' if '?' in url else '?'}options={option}"


def _free_ports(count: int) -> list[int]:
    """`count` different ports free on 127.0.0.1: held open together while they are picked (one at a time,
    the system may give a port it has just handed out and taken back)."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]


def _answers(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own hub
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


@contextlib.contextmanager
def trial_hub(folder: str | os.PathLike[str], *, users: list[str], store_url: str,
              hub_db_url: str | None = None, trainers: list[str] = (), dashboard: bool = False,
              lessons: str | os.PathLike[str] | None = None,
              timeout: float = 60.0) -> Iterator[tuple[str, str]]:
    """JupyterHub with ``deploy/jupyterhub/trial_config.py`` (DummyAuthenticator for ``users``, the group
    ``trainers`` of ``trainers``; learners' servers on ``lessons``, default the checkout's) on free
    ports of 127.0.0.1, run in ``folder`` (its log in ``folder/jupyterhub.log``); yields (the hub's public
    URL, the grading service's direct URL) once the service answers, and stops the hub (and with it the
    services) afterwards. Needs JupyterHub and configurable-http-proxy; for trials, tests and benchmarks."""
    folder = Path(folder)
    public, grading, hub_port, proxy_api = _free_ports(4)
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_ENV and not k.startswith("JUPYTERHUB_")}
    env |= {"GDPRLAB_HUB_URL": f"http://127.0.0.1:{public}", "GDPRLAB_GRADING_PORT": str(grading),
            "GDPRLAB_TRIAL_USERS": ",".join(users), "GDPRLAB_TRAINERS": ",".join(trainers),
            "GDPRLAB_TRIAL_DASHBOARD": "1" if dashboard else "0",
            "GDPRLAB_DB_URL": store_url, "GDPRLAB_OUTBOX_DIR": str(folder / "outbox"),
            "JUPYTERHUB_DB_URL": hub_db_url or f"sqlite:///{folder / 'jupyterhub.sqlite'}",
            "GDPRLAB_TRIAL_HOMES": str(folder / "home"),
            "PYTHONPATH": os.pathsep.join(p for p in (str(Path(__file__).resolve().parents[2]),
                                                      os.environ.get("PYTHONPATH", "")) if p)}
    if lessons is not None:
        env["GDPRLAB_LESSONS"] = str(lessons)
    command = [sys.executable, "-m", "jupyterhub", "-f", str(TRIAL_CONFIG),
               f"--JupyterHub.hub_port={hub_port}",
               f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{proxy_api}",
               f"--JupyterHub.cookie_secret_file={folder / 'cookie_secret'}",
               f"--JupyterHub.pid_file={folder / 'jupyterhub.pid'}"]
    direct = f"http://127.0.0.1:{grading}/services/{GRADING_SERVICE}/"
    with open(folder / "jupyterhub.log", "wb") as log:
        process = subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            hub_url = f"http://127.0.0.1:{public}"
            while _answers(hub_url + f"/services/{GRADING_SERVICE}/attempts") != 403 \
                    or _answers(direct + "attempts") != 403:
                if process.poll() is not None or time.monotonic() > deadline:
                    tail = (folder / "jupyterhub.log").read_text("utf-8", "replace")[-2000:]
                    raise RuntimeError(f"JupyterHub did not start within {timeout:g} s (exit "
                                       f"{process.poll()}); its log ends:\n{tail}")
                time.sleep(0.2)
            yield hub_url, direct
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def hub_token(hub_url: str, user: str, password: str = "") -> str:
    """Log ``user`` in with a password authenticator (DummyAuthenticator, LDAP) and return a new hub API
    token of theirs (it holds the user's scopes)."""
    request = urllib.request.Request(f"{hub_url}/hub/api/users/{urllib.parse.quote(user)}/tokens",
                                     data=json.dumps({"auth": {"username": user, "password": password},
                                                      "note": "gdprlab"}).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - our own hub
        return json.loads(response.read())["token"]
