"""The grading service: a JupyterHub service, the one writer of the training store on a hub.

Run by the hub (``deploy/jupyterhub/jupyterhub_config.py``, :func:`gdprlab.training.hub.services`) as
``python -m gdprlab.training.service``; what it decides is :mod:`gdprlab.training.hub`, this module only
serves it over HTTP (tornado, as JupyterHub itself). Its routes, under ``JUPYTERHUB_SERVICE_PREFIX``
(``/services/gdprlab-grading/``):

``POST attempts``
    a quiz submission, authenticated by the learner's hub token in the ``Authorization`` header only
    (a browser cookie is not enough, so another site cannot submit in a learner's name); re-graded,
    stamped with the hub user and appended to the store (:func:`gdprlab.training.hub.submit`).
``GET attempts[?lesson=…]``
    the token's user's own attempts (the quiz counts attempts and shows progress from them).
``GET certificate[?code=…]``
    a page to check a certificate's verification code against the store
    (:func:`gdprlab.training.certificates.verify_code`), for any hub user (hub login by OAuth, or a token);
    every value from the store is escaped, the page has no script and loads nothing from elsewhere.

The database URL comes from the service's environment (``GDPRLAB_DB_URL``; the password from
``PGPASSWORD`` or a pgpass file), which only the hub's configuration sets. Store calls run in a thread pool
(the store is synchronous SQLAlchemy), so many learners submit at once. The access log names method, route,
status and time only: no user, no query string (a certificate code), no body.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import json
import logging
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlparse

from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler, HubOAuthenticated, UserNotAllowed
from tornado import httpserver, ioloop, web

from gdprlab.training import hub
from gdprlab.training.certificates import verify_code
from gdprlab.training.store.progress import ProgressStore
from gdprlab.training.versions import known_banks

__all__ = ["main", "make_app"]

log = logging.getLogger("gdprlab.service")

#: store calls at once (each holds one database connection while it runs)
WORKERS = 8
#: the page's Content-Security-Policy: nothing loaded from anywhere, no script, the form posts here only
CSP = ("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")


class _Base(HubOAuthenticated, web.RequestHandler):
    def initialize(self, store: ProgressStore, pool: ThreadPoolExecutor, banks: dict) -> None:
        self.store, self.pool, self.banks = store, pool, banks

    async def run(self, function, *args) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.pool, function, *args)

    async def hub_user(self, *, token_only: bool) -> dict | None:
        """The hub's model of the requesting user when allowed here, else None."""
        if token_only:
            token = self.hub_auth.get_token(self, in_cookie=False)
            model = await self.hub_auth.user_for_token(token, sync=False) if token else None
        else:
            model = await self.hub_auth.get_user(self, sync=False)
        if not model or model.get("kind", "user") != "user":
            return None
        try:
            return self.check_hub_user(model)
        except UserNotAllowed:
            return None

    def reply(self, status: int, payload: dict) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(payload))


class AttemptsHandler(_Base):
    """Submissions (POST) and the user's own attempts (GET); token authentication only."""

    async def prepare(self) -> None:
        self.current_user = await self.hub_user(token_only=True)
        if self.current_user is None:
            self.reply(403, {"stored": False, "refused": False, "message": "Not recorded: send your hub "
                             "token (Authorization: token …) with access to the grading service."})

    def check_xsrf_cookie(self) -> None:  # token-authenticated only: no cookie is ever trusted here
        return None

    async def post(self) -> None:
        status, payload = await self.run(hub.submit, self.store, self.request.body, self.current_user["name"],
                                         self.banks)
        self.reply(status, payload)

    async def get(self) -> None:
        lesson = self.get_argument("lesson", None)
        mine = await self.run(lambda: self.store.attempts(learner=self.current_user["name"], lesson=lesson))
        self.reply(200, {"attempts": [a.to_json_dict() for a in mine]})


class CertificateHandler(_Base):
    """The verification page: a form for the code and, when one is given, what the store says."""

    async def prepare(self) -> None:
        self.current_user = await self.hub_user(token_only=False)

    @web.authenticated
    async def get(self) -> None:
        code = self.get_argument("code", "").strip()[:64]
        verdict = None
        if code:
            today = dt.datetime.now(dt.UTC).date()
            verdict = await self.run(verify_code, self.store, code, today)
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("Cache-Control", "no-store")
        self.set_header("Referrer-Policy", "no-referrer")
        self.finish(page(code, verdict))


def page(code: str, verdict: Any) -> str:
    """The verification page (escaped; no script, no external asset; colours meet WCAG AA)."""
    esc = html.escape
    result = ""
    if verdict is not None:
        word = {"valid": "Valid", "expired": "Expired", "erased": "No longer verifiable"}.get(verdict.state,
                                                                                               "Not valid")
        result = (f'<section class="{esc(verdict.state)}" role="status" aria-live="polite">'
                  f"<h2>{esc(word)}</h2><p>{esc(verdict.message)}.</p></section>")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Verify a gdprlab certificate</title>
<style>
body {{ font-family: sans-serif; max-width: 42em; margin: 2em auto; padding: 0 1em; color: #1a1a1a;
background: #fff; line-height: 1.5; }}
label {{ display: block; font-weight: bold; }}
input {{ font: inherit; font-family: monospace; padding: .3em; }}
button {{ font: inherit; padding: .3em 1em; background: #0b4f8a; color: #fff; border: 0; }}
:focus {{ outline: 3px solid #b35900; outline-offset: 2px; }}
section {{ border-left: .4em solid #555; padding: .2em 1em; margin-top: 1.5em; }}
.valid {{ border-color: #1b6e20; }} .expired, .erased {{ border-color: #8a5300; }}
.forged {{ border-color: #a4161a; }}
</style></head>
<body><main>
<h1>Verify a certificate</h1>
<p>Type the verification code printed on a gdprlab certificate. It is checked against the training records:
the certified attempts must still be stored, unchanged, re-grade from their answers, and the certificate
must not have expired.</p>
<form method="get" action="certificate">
<label for="code">Verification code (XXXX-XXXX-XXXX-XXXX)</label>
<input id="code" name="code" value="{esc(code)}" autocomplete="off" spellcheck="false" maxlength="64"
 required>
<button type="submit">Verify</button>
</form>
{result}
</main></body></html>
"""


class Root(_Base):
    def get(self) -> None:
        self.redirect(self.hub_auth.base_url + "certificate")


def _log_request(handler: web.RequestHandler) -> None:
    """Method, route, status and duration; no query string, user or body."""
    request = handler.request
    log.info("%s %s %d %.1f ms", request.method, request.path, handler.get_status(),
             1000.0 * request.request_time())


def make_app(store: ProgressStore, *, prefix: str | None = None, workers: int = WORKERS) -> web.Application:
    """The service's tornado application over ``store``."""
    prefix = prefix or os.environ.get("JUPYTERHUB_SERVICE_PREFIX", f"/services/{hub.GRADING_SERVICE}/")
    prefix = prefix if prefix.endswith("/") else prefix + "/"
    auth = HubOAuth(cache_max_age=60)
    args = {"store": store, "pool": ThreadPoolExecutor(workers, thread_name_prefix="grading"),
            "banks": known_banks()}
    return web.Application([
        (prefix, Root, args),
        (prefix + "attempts", AttemptsHandler, args),
        (prefix + "certificate", CertificateHandler, args),
        (prefix + "oauth_callback", HubOAuthCallbackHandler),
    ], hub_auth=auth, cookie_secret=os.urandom(32), log_function=_log_request)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if not os.environ.get("GDPRLAB_DB_URL"):
        print("gdprlab grading service: error: GDPRLAB_DB_URL is not set (the store's database; set it in "
              "the hub's environment, see deploy/jupyterhub/)", file=sys.stderr)
        return 2
    store = ProgressStore()
    store.schema_version()  # create or migrate the tables once, before the first submission
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101"))
    server = httpserver.HTTPServer(make_app(store), xheaders=True)
    server.listen(url.port or 80, url.hostname or "127.0.0.1")
    log.info("grading service listening on %s:%s", url.hostname, url.port)
    try:
        ioloop.IOLoop.current().start()
    except KeyboardInterrupt:  # the hub stops its services with SIGINT
        log.info("grading service stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
