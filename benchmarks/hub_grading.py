"""Stress test of the organisation's hub: many learners submitting quiz attempts through the grading service.

Run:  .venv/bin/python benchmarks/hub_grading.py [--learners 200] [--attempts 1] [--pg-url URL]
                                                 [--out benchmarks/out/hub_grading.json]

Starts the hub of deploy/jupyterhub/ on 127.0.0.1 (:func:`gdprlab.training.hub.trial_hub`: JupyterHub,
configurable-http-proxy, DummyAuthenticator, the grading service) with the training store in a fresh
PostgreSQL schema (``postgresql+psycopg://@127.0.0.1:5432/test``, or ``--pg-url`` / ``GDPRLAB_TEST_PG_URL``;
dropped afterwards). Every learner logs in (a hub API token of their own), then all of them wait at a
barrier, one thread each, and submit their attempts (answers to their own draw of one bank, as the quiz
sends them) through the proxy as fast as the service answers, timing each request. Then every attempt is
sent a second time (a client's retry after a lost answer).

Checked: every first submission stored (HTTP 201) and every retry answered "already recorded" (200), the
attempts table holding exactly learners x attempts rows whose UUIDs are the ones sent, each under the hub
user who sent it, every hash chain intact. Written to ``--out``: throughput (attempts stored per second of
the concurrent phase) and latency percentiles (ms, per request), with the machine and commit. Exit status 1
when a check fails, 2 when the hub cannot run here (the reason is printed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from gdprlab.training import hub  # noqa: E402
from gdprlab.training.grading import answers_with  # noqa: E402
from gdprlab.training.quiz import bank_version, load_banks  # noqa: E402
from gdprlab.training.store.progress import ProgressStore  # noqa: E402

LESSON = "02_permission"
OUT = ROOT / "benchmarks" / "out" / "hub_grading.json"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), linear between the nearest ranks."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def post(url: str, token: str, body: dict) -> tuple[int, dict, float]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Authorization": f"token {token}",
                                              "Content-Type": "application/json"})
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read()
    except OSError as error:
        return 0, {"message": f"{type(error).__name__}: {error}"}, time.perf_counter() - start
    try:
        reply = json.loads(text)
    except ValueError:
        reply = {"message": text[:200].decode("utf-8", "replace")}
    return status, reply, time.perf_counter() - start


def run(learners: int, attempts: int, pg_url: str, folder: Path) -> dict:
    bank = load_banks()[LESSON]
    version = bank_version(bank)
    users = [f"learner-{n:03d}" for n in range(learners)]
    schema = f"gdprlab_bench_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        with hub.trial_hub(folder, users=users, store_url=hub.schema_url(pg_url, schema),
                           timeout=120) as (hub_url, _):
            url = f"{hub_url}/services/{hub.GRADING_SERVICE}/attempts"
            tokens = {user: hub.hub_token(hub_url, user) for user in users}
            bodies = {user: [{"lesson": LESSON, "bank_version": version, "attempt_id": str(uuid.uuid4()),
                              "answers": answers_with(bank, user, k + 1, k % 3 + 4)} for k in range(attempts)]
                      for user in users}
            barrier = threading.Barrier(learners + 1)
            timings: list[float] = []
            statuses: Counter = Counter()
            problems: list[str] = []
            lock = threading.Lock()

            def learner(user: str, phase: str) -> None:
                barrier.wait(timeout=120)
                for body in bodies[user]:
                    status, reply, seconds = post(url, tokens[user], body)
                    with lock:
                        timings.append(seconds)
                        statuses[f"{phase} {status}"] += 1
                        learner_stamped = (reply.get("attempt") or {}).get("learner")
                        if learner_stamped not in (None, user):
                            problems.append(f"{phase}: an attempt of {user} came back as another learner's")
                        if len(problems) < 5 and status not in (200, 201):
                            problems.append(f"{phase} {status}: {str(reply.get('message'))[:200]}")

            phases = {}
            for phase in ("first", "retry"):
                timings.clear()
                threads = [threading.Thread(target=learner, args=(user, phase)) for user in users]
                for t in threads:
                    t.start()
                barrier.wait(timeout=120)
                start = time.perf_counter()
                for t in threads:
                    t.join()
                elapsed = time.perf_counter() - start
                phases[phase] = {"seconds": round(elapsed, 3),
                                 "requests_per_s": round(len(timings) / elapsed, 1),
                                 "latency_ms": {f"p{q}": round(1000 * percentile(timings, q), 1)
                                                for q in (50, 90, 95, 99)}
                                 | {"max": round(1000 * max(timings), 1),
                                    "mean": round(1000 * statistics.fmean(timings), 1)}}
                barrier.reset()
        with ProgressStore(pg_url, schema=schema, create=False) as store:
            stored = store.attempts()
            chain_problems = store.verify_chain()
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
    sent = {body["attempt_id"]: user for user, items in bodies.items() for body in items}
    ids = [a.attempt_id for a in stored]
    checks = {
        "every first submission stored (201)": statuses["first 201"] == learners * attempts,
        "every retry answered already recorded (200)": statuses["retry 200"] == learners * attempts,
        "rows = learners x attempts": len(stored) == learners * attempts,
        "each attempt stored exactly once": len(ids) == len(set(ids)) and set(ids) == set(sent),
        "each under the hub user who sent it": all(sent.get(a.attempt_id) == a.learner for a in stored),
        "every hash chain intact": not chain_problems,
    }
    return {"phases": phases, "statuses": dict(sorted(statuses.items())), "stored": len(stored),
            "checks": checks, "ok": all(checks.values()) and not problems, "problems": problems[:5]}


def commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=200, help="learners submitting at once (default 200)")
    parser.add_argument("--attempts", type=int, default=1, help="attempts per learner (default 1)")
    parser.add_argument("--pg-url", default=os.environ.get("GDPRLAB_TEST_PG_URL",
                                                           "postgresql+psycopg://@127.0.0.1:5432/test"))
    parser.add_argument("--out", type=Path, default=OUT,
                        help=f"JSON result (default {OUT.relative_to(ROOT)})")
    args = parser.parse_args(argv)
    missing = [what for what, there in (("jupyterhub", shutil.which("jupyterhub") or _module("jupyterhub")),
                                        ("configurable-http-proxy", shutil.which("configurable-http-proxy")))
               if not there]
    if missing:
        print(f"hub_grading: cannot run: {', '.join(missing)} not installed", file=sys.stderr)
        return 2
    try:
        sa.create_engine(args.pg_url, connect_args={"connect_timeout": 3}).connect().close()
    except sa.exc.OperationalError as error:
        print(f"hub_grading: cannot run: PostgreSQL not reachable ({str(error.orig).splitlines()[0]})",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="hub_grading-") as folder:
        result = run(args.learners, args.attempts, args.pg_url, Path(folder))
    record = {"benchmark": "hub_grading", "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
              "commit": commit(), "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python "
              f"{platform.python_version()}", "learners": args.learners, "attempts": args.attempts, **result}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    first = result["phases"].get("first", {})
    print(json.dumps({"ok": result["ok"], "first": first, "checks": result["checks"],
                      "problems": result["problems"]}, indent=2))
    return 0 if result["ok"] else 1


def _module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


if __name__ == "__main__":
    sys.exit(main())
