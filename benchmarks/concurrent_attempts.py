"""Stress test: many learners submitting quiz attempts at the same time, from separate processes.

Run:  .venv/bin/python benchmarks/concurrent_attempts.py [--learners 50] [--attempts 20]
                                                         [--backend sqlite|postgresql|all] [--pg-url URL]

Each learner is one process (multiprocessing, ``fork`` where available, else ``spawn``) with its own
:class:`~gdprlab.training.store.progress.ProgressStore` and its own outbox folder, as on separate
workstations.
All processes wait at a barrier, then each records its attempts one after the other as fast as it can,
timing every ``record()``.  Backends:

- ``sqlite``: the default store, a SQLite file in a temporary folder (WAL, ``BEGIN IMMEDIATE``).
- ``postgresql``: ``postgresql+psycopg://@127.0.0.1:5432/test`` (override with ``--pg-url`` or
  ``GDPRLAB_TEST_PG_URL``), in a fresh schema that is dropped afterwards; skipped, with the reason, when
  psycopg or the server is absent.  A password belongs in the environment (``PGPASSWORD``) or a pgpass
  file, never in the URL on the command line.

After the run every learner's outbox is flushed (what a learner's next ``record()`` would do), then the
invariants are checked: exactly learners x attempts rows, attempt UUIDs unique and equal to the ones
submitted, each learner with the right count, no learner saw an exception, every hash chain verifies and
no outbox is left with anything.  Figures printed per backend: attempts/s, latency (median, p95, max),
database errors met and retried (SQLite "database is locked", chain-link conflicts) and attempts that
went through the outbox.  Exit status 1 when an invariant fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
import traceback
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

DEFAULT_PG_URL = "postgresql+psycopg://@127.0.0.1:5432/test"
LESSONS = ("01_classification", "02_permission", "03_minimisation", "04_encryption", "05_rights")
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def learner_id(n: int) -> str:
    return f"learner{n:03d}"


def pg_url() -> str:
    return os.environ.get("GDPRLAB_TEST_PG_URL", DEFAULT_PG_URL)


# --------------------------------------------------------------------------------------------------
# One learner (runs in a child process)


def _learner(n: int, tab: int, attempts: int, url: str, schema: str | None, outbox: str, barrier,
             results, busy_timeout: float) -> None:
    """Record `attempts` attempts of learner n after the barrier; put one result dict on `results`.

    `tab` numbers the processes of one learner (see ``--tabs``); their attempts differ by day.
    """
    import sqlalchemy as sa
    from sqlalchemy import event

    from gdprlab.training.store.progress import Attempt, ProgressStore

    errors: Counter[str] = Counter()

    def count_error(context) -> None:  # every DB error the store met, retried or not
        original = context.original_exception
        text = str(original).splitlines()[0] if str(original) else ""
        kind = "locked" if "locked" in text or "busy" in text else type(original).__name__
        errors[kind] += 1

    event.listen(sa.engine.Engine, "handle_error", count_error)
    out: dict = {"learner": learner_id(n), "records": [], "exception": "", "errors": {}}
    try:
        store = ProgressStore(url, schema=schema, outbox_dir=outbox, busy_timeout=busy_timeout, grader=None)
        barrier.wait(timeout=120)
        out["start"] = time.monotonic()
        for j in range(attempts):
            k = tab * attempts + j
            score = float((n + k) % 5)
            attempt = Attempt(
                learner=learner_id(n),
                lesson=LESSONS[k % len(LESSONS)],
                quiz="final",
                bank_version="bench-1",
                answers={"q1": k % 4, "q2": [n % 3, k % 3]},
                score=score,
                max_score=4.0,
                passed=score >= 3,
                submitted_at=T0 + dt.timedelta(days=k, minutes=n),
            )
            began = time.monotonic()
            result = store.record(attempt)
            seconds = time.monotonic() - began
            out["records"].append((attempt.attempt_id, result.stored, seconds, result.message, j == 0))
        out["end"] = time.monotonic()
        store.close()
    except BaseException:  # what a learner would see: reported, never hidden
        out["exception"] = traceback.format_exc()[-2000:]
    out["errors"] = dict(errors)
    results.put(out)


# --------------------------------------------------------------------------------------------------
# One backend


@dataclass
class Figures:
    backend: str
    learners: int
    attempts_per_learner: int
    start_method: str
    tabs: int = 1
    seconds: float = 0.0
    submitted: int = 0
    stored_rows: int = 0
    stored_directly: int = 0
    via_outbox: int = 0
    flushed_after: int = 0
    latencies: list[float] = field(default_factory=list)
    first_latencies: list[float] = field(default_factory=list)  # each process's first record(): connect
    db_errors: dict[str, int] = field(default_factory=dict)
    exceptions: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    outbox_messages: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def rate(self) -> float:
        return self.submitted / self.seconds if self.seconds else 0.0

    def latency(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0

    def lines(self) -> list[str]:
        errors = ", ".join(f"{k} {v}" for k, v in sorted(self.db_errors.items())) or "none"
        tabs = f" in {self.tabs} processes each" if self.tabs > 1 else ""
        warm = self.latencies
        lines = [
            f"{self.backend}: {self.learners} learners{tabs} ({self.learners * self.tabs} processes, "
            f"{self.start_method}) x {self.attempts_per_learner} attempts",
            f"  stored rows           {self.stored_rows} of {self.submitted} submitted",
            f"  throughput            {self.rate:,.0f} attempts/s ({self.seconds:.2f} s from the barrier "
            "to the last learner's end)",
            f"  latency per record()  median {1000 * statistics.median(self.latencies or [0]):.1f} ms, "
            f"p95 {1000 * self.latency(0.95):.1f} ms, max {1000 * max(warm or [0]):.1f} ms; each process's "
            f"first record() (connect, create/check the schema) max "
            f"{1000 * max(self.first_latencies or [0]):.1f} ms",
            f"  stored directly       {self.stored_directly}",
            f"  via the outbox        {self.via_outbox} (sent by a later record() or the final flush; "
            f"{self.flushed_after} by the final flush)",
            f"  DB errors met/retried {errors}",
            f"  invariants            {'all hold' if self.ok else 'FAILED'}",
        ]
        lines += [f"  ! {p}" for p in self.problems]
        return lines


def run_backend(
    backend: str,
    url: str,
    workdir: Path,
    *,
    schema: str | None = None,
    learners: int = 50,
    attempts: int = 20,
    start_method: str | None = None,
    tabs: int = 1,
    busy_timeout: float = 10.0,
) -> Figures:
    """Run the learners against `url` and check every invariant; problems are listed in the figures.

    With ``tabs`` > 1 each learner submits from that many processes at once (several browser tabs or
    machines), so writers race for the same hash chain; `attempts` must divide by `tabs`.
    A short SQLite ``busy_timeout`` (the store's default is 10 s) makes locks send attempts to the outbox.
    """
    if attempts % tabs:
        raise ValueError(f"attempts ({attempts}) must be a multiple of tabs ({tabs})")
    from gdprlab.training.store.progress import ProgressStore

    method = start_method or ("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    ctx = mp.get_context(method)
    figures = Figures(backend, learners, attempts, method, tabs)
    barrier, results = ctx.Barrier(learners * tabs + 1), ctx.Queue()
    outboxes = [workdir / "outbox" / f"{learner_id(n)}-{t}" for n in range(learners) for t in range(tabs)]
    processes = [
        ctx.Process(target=_learner, args=(n, t, attempts // tabs, url, schema,
                                           str(outboxes[n * tabs + t]), barrier, results, busy_timeout))
        for n in range(learners) for t in range(tabs)
    ]
    for process in processes:
        process.start()
    barrier.wait(timeout=300)
    released = time.monotonic()
    reports = [results.get(timeout=600) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    figures.seconds = max((r.get("end", released) for r in reports), default=released) - released

    submitted: dict[str, list[str]] = {}
    for report in reports:
        if report["exception"]:
            figures.exceptions.append(f"{report['learner']}: {report['exception']}")
        for kind, count in report["errors"].items():
            figures.db_errors[kind] = figures.db_errors.get(kind, 0) + count
        for attempt_id, stored, seconds, message, first in report["records"]:
            submitted.setdefault(report["learner"], []).append(attempt_id)
            (figures.first_latencies if first else figures.latencies).append(seconds)
            if stored:
                figures.stored_directly += 1
            else:
                figures.via_outbox += 1
                figures.outbox_messages.append(message)
    figures.submitted = sum(len(ids) for ids in submitted.values())

    # the learners' next record() would send what is left in their outbox: do it now, then check
    for folder in outboxes:
        with ProgressStore(url, schema=schema, outbox_dir=folder, grader=None) as store:
            if store.pending():
                figures.flushed_after += store.flush_outbox().stored
            if store.pending():
                left = len(store.pending())
                figures.problems.append(f"{folder.name}: {left} attempt(s) left in the outbox")
    with ProgressStore(url, schema=schema, outbox_dir=workdir / "outbox" / "checker", grader=None) as store:
        rows = store.attempts()
        chain = store.verify_chain()
    figures.stored_rows = len(rows)
    figures.problems += check_invariants(rows, submitted, chain, learners, attempts)
    figures.problems += [f"exception seen by {text.splitlines()[0]}" for text in figures.exceptions]
    return figures


def check_invariants(rows, submitted: dict[str, list[str]], chain, learners: int, attempts: int) -> list[str]:
    """Every way the stored rows can differ from what was submitted, as readable lines."""
    problems = []
    expected = learners * attempts
    if len(rows) != expected:
        problems.append(f"{len(rows)} rows stored, expected exactly {expected}")
    uuids = Counter(r.attempt_id for r in rows)
    duplicated = [u for u, c in uuids.items() if c > 1]
    if duplicated:
        problems.append(f"{len(duplicated)} attempt UUID(s) stored more than once")
    sent = {u for ids in submitted.values() for u in ids}
    if len(sent) != expected:
        problems.append(f"{len(sent)} distinct attempts submitted, expected {expected}")
    if missing := sent - set(uuids):
        problems.append(f"{len(missing)} submitted attempt(s) lost")
    if extra := set(uuids) - sent:
        problems.append(f"{len(extra)} stored attempt(s) nobody submitted")
    per_learner = Counter(r.learner for r in rows)
    wrong = {who: c for who, c in per_learner.items() if c != attempts}
    if wrong or len(per_learner) != learners:
        problems.append(f"per-learner counts differ from {attempts}: {dict(sorted(wrong.items())[:5])}, "
                        f"{len(per_learner)} learners stored of {learners}")
    if chain:
        problems.append(f"{len(chain)} hash-chain problem(s), first: {chain[0]}")
    return problems


# --------------------------------------------------------------------------------------------------
# Backends


def run_sqlite(workdir: Path, **kw) -> Figures:
    return run_backend("sqlite", f"sqlite:///{workdir / 'progress.sqlite'}", workdir, **kw)


def postgres_unavailable(url: str) -> str:
    """'' when the server answers, else why PostgreSQL is skipped."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed"
    import sqlalchemy as sa

    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return ""
    except sa.exc.OperationalError as error:
        first = str(error.orig).splitlines()[0] if error.orig else str(error)
        return f"PostgreSQL not reachable at {url} ({first})"
    finally:
        engine.dispose()


def run_postgres(workdir: Path, url: str | None = None, **kw) -> Figures:
    """In a fresh schema, dropped afterwards whatever happens."""
    import sqlalchemy as sa

    url = url or pg_url()
    schema = f"gdprlab_bench_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        return run_backend("postgresql", url, workdir, schema=schema, **kw)
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--attempts", type=int, default=20, help="attempts per learner")
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "all"), default="all")
    parser.add_argument("--pg-url", default=None, help=f"default GDPRLAB_TEST_PG_URL or {DEFAULT_PG_URL}")
    parser.add_argument("--tabs", type=int, default=1,
                        help="processes per learner, racing for the same hash chain (default 1)")
    parser.add_argument("--busy-timeout", type=float, default=10.0,
                        help="seconds a SQLite writer waits for the lock before the outbox (default 10)")
    parser.add_argument("--start-method", choices=mp.get_all_start_methods(), default=None)
    args = parser.parse_args(argv)
    kw = {"learners": args.learners, "attempts": args.attempts, "start_method": args.start_method,
          "tabs": args.tabs, "busy_timeout": args.busy_timeout}
    ok = True
    print(f"load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())}; {os.cpu_count()} CPUs")
    if args.backend in ("sqlite", "all"):
        with tempfile.TemporaryDirectory(prefix="gdprlab-concurrent-") as tmp:
            figures = run_sqlite(Path(tmp), **kw)
        print("\n".join(figures.lines()))
        ok &= figures.ok
    if args.backend in ("postgresql", "all"):
        url = args.pg_url or pg_url()
        reason = postgres_unavailable(url)
        if reason:
            print(f"postgresql: skipped: {reason}")
        else:
            with tempfile.TemporaryDirectory(prefix="gdprlab-concurrent-") as tmp:
                figures = run_postgres(Path(tmp), url, **kw)
            print("\n".join(figures.lines()))
            ok &= figures.ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
