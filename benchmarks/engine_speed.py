"""Benchmark: the check engine (Ibis on DuckDB, and on PySpark) against today's pandas engine, read + check.

Run:  .venv/bin/python benchmarks/engine_speed.py [--sizes 1000000,5000000,20000000] [--repeat 3]
          [--data /work/bench-data/engine-speed] [--spark-sizes 1000000] [--new-rev REV]
          [--out benchmarks/out/engine_speed.json]

The issue's targets, each measured against today's engine in the same run:
* at --parity-size contacts (1M), all rules, read + check from Parquet: the new engine no slower than today's;
* at --scale-size (5M): at most --scale-ratio (0.5) of today's time, and at most --scale-rss-gb (1.5 GB) peak
  (two rows: time and memory are judged each on its own);
* at --big-size (20M): generated and checked on this machine with DuckDB's memory limit and spilling to disk
  (today's engine is not run where its measured memory per contact says it cannot fit); peak memory reported;
* PySpark local at --spark-size (1M): completes with the same record ids as DuckDB; its time reported.

The targets are about all rules, and the catalogue has grown since today's commit (rules added, and rules
made stricter on purpose: CHANGED_SINCE_BASELINE). So that the engine's cost can be told from the rules',
both engines also run, at --same-rules-sizes (the parity and scale sizes), only the rules they share
unchanged ("today-same", "duckdb-same", in the same rotation): `same_work` in the output, which is not a
target.

Datasets are made by `gdprlab generate --profile messy --seed 3 --format parquet --as-of 2026-06-30
--contacts N` (the generator of the repository this script is in) under `<data>/datasets/`, and reused
when their manifest has the same parameters (--regenerate makes them again; a stamp in the folder keeps the
digest of the generator's sources, and a note says when they have changed since). Above --generate-max
(5M) a dataset is composed of generated parts, the generator holding a whole dataset in memory (see
composed). --format csv makes CSV datasets instead, up to --generate-max: the targets are about Parquet, so
such a run measures both engines reading CSV without judging them. Their files are read once before the
first timed run, so every run finds them in the page cache.

Today's engine is commit --baseline-rev (5e0b4b5), checked out as a git worktree under `<data>/trees/` and
imported from there: it does what its `gdprlab check` did, `read_dataset` into pandas, then `run_checks`.
The new engine is this repository (or --new-rev, checked out the same way): `stage_dataset` lets DuckDB
read the files as typed views, then `run_checks` on the connection; where `gdprlab.crm.staging` is not
importable it falls back to `read_dataset` and pandas frames handed to DuckDB, and the output says so.
From --findings-from contacts (5M) the record ids stay in the engine (`findings_table`); from --spill-from
(20M) DuckDB gets --memory-limit and a spill folder. --work-around applies named fixes of library faults
that engines before main's needed (recorded per run). Each invocation keeps its logs, ids and spill
folders under `<data>/sessions/<start>-<pid>/`, so runs sharing a data folder do not overwrite each other's;
each run records the load average and any other engine_speed.py processes running beside it.

Each engine x size runs in a fresh process; today's and the new engine alternate --repeat times and the
fastest run of each is kept (PySpark runs --spark-repeat times in the same rotation). Times are measured in
the child, from the read to the end of the checks (imports, and PySpark's session start, are reported apart
as `connect_seconds` and `process_seconds`). Peak memory is that of the whole process tree (PySpark's JVM
and Python workers included): the largest sum of the tree's resident sets sampled every 50 ms (its
members listed every second), or the child's own peak (getrusage) when larger; the verdict takes the
largest over an engine's runs.
Both engines must find the same number of violations per rule (and the same set of ids, compared by an
order-free digest of the ids); below --findings-from the ids themselves are compared.

Output: a table on stdout and --out (JSON: the machine, date, versions, every run's seconds and peak RSS,
the agreement per size and a verdict per target). `benchmarks/readme_figures.py` renders the README's
table from that JSON. Exit status 1 when a measured target is missed or the engines disagree.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "out" / "engine_speed.json"
DATA = Path("/work/bench-data/engine-speed")
AS_OF = "2026-06-30"
PROFILE, SEED, FORMAT = "messy", 3, "parquet"
BASELINE_REV = "5e0b4b5"
FINDINGS_TABLE = "gdprlab_findings"
#: files whose content decides what `gdprlab generate` writes (a change regenerates the datasets)
GENERATOR_SOURCES = ("gdprlab/generator", "gdprlab/crm/schema.py", "gdprlab/regulation")
SAMPLE_SECONDS = 0.05  # the process tree's memory is read this often,
LIST_SECONDS = 1.0  # and its members listed this often (scanning /proc costs CPU the runs need)
STAMP = "engine-speed-stamp.json"  # in a dataset folder: how it was made
MEASURED = "##measured"  # the child's line after its timed part: memory sampling stops there
GB = 1024**3
SHOWN_SLOWEST = 5
ENGINES = ("today", "duckdb", "spark", "today-same", "duckdb-same")
LABELS = {"today": "today (pandas)", "duckdb": "Ibis on DuckDB", "spark": "Ibis on PySpark",
          "today-same": "today, same rules", "duckdb-same": "DuckDB, same rules"}
SAME = "-same"  # an engine's runs on the rules both engines have, unchanged (see same_rules)


# ----------------------------------------------------------------------------------------------------------
# the child: one engine, one dataset, one fresh process
# ----------------------------------------------------------------------------------------------------------

#: policy settings added after the baseline commit, and the value that means what the baseline did
LATER_SETTINGS = {"controller_country": None, "controller_subdivision": None,
                  "offers_services_to_children": True}


def _older_policy(folder: Path) -> dict:
    """The dataset's policy.yaml for today's engine: settings added since its commit left out when they
    hold the value that means what it did (no controller country: deadlines roll over weekends only);
    otherwise the two engines would not judge alike and the run stops."""
    import yaml

    path = Path(folder) / "policy.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else {}
    for key, same in LATER_SETTINGS.items():
        if key in data:
            if data[key] != same:
                raise SystemExit(f"{path}: {key} is {data[key]!r}; today's engine cannot apply it")
            del data[key]
    return data


def child(args: argparse.Namespace) -> None:
    """Read and check args.dataset with one engine; print MEASURED, then the figures as JSON (last line)."""
    import gdprlab

    folder = args.dataset
    out: dict = {"gdprlab": str(Path(gdprlab.__file__).resolve().parent)}
    engine = args.child.removesuffix(SAME)
    chosen = _names(args.rules) or None  # the same-rules runs: only these
    if engine == "today":
        from gdprlab.checks import run_checks
        from gdprlab.dataset_io import read_as_of, read_dataset
        from gdprlab.policy import policy_from_dict

        policy, as_of = policy_from_dict(_older_policy(folder), str(folder)), read_as_of(folder)
        start = time.perf_counter()
        tables = read_dataset(folder)
        read = time.perf_counter() - start
        start = time.perf_counter()
        assessment = run_checks(tables, policy, as_of, dataset=folder, rules=chosen)
        check = time.perf_counter() - start
        out.update(path="read_dataset (pandas)", connect_seconds=0.0, backend="pandas")
        backend = None
    else:
        from gdprlab.audit.engine import run_checks
        from gdprlab.crm.backends import connect
        from gdprlab.crm.io import read_as_of, read_dataset, read_policy

        try:
            from gdprlab.crm.staging import stage_dataset
            path = "stage_dataset"
        except ImportError:
            stage_dataset = None
            path = "read_dataset (pandas) fallback: gdprlab.crm.staging is not importable"
        asked = _names(args.work_around)
        out["shims"] = _work_arounds(asked)
        policy, as_of = read_policy(folder), read_as_of(folder)
        options = {}
        if args.memory_limit:
            options = {"memory_limit": args.memory_limit, "temp_directory": args.temp_directory}
        start = time.perf_counter()
        backend = connect(engine, **options)
        connected = time.perf_counter() - start
        start = time.perf_counter()
        tables = stage_dataset(folder, backend) if stage_dataset else read_dataset(folder)
        if engine == "spark" and "spark-no-cache" in asked:
            from gdprlab.audit.engine import open_tables
            from gdprlab.audit.rules.base import Tables

            tables = Tables(dict(open_tables(tables, backend)[0]), backend, cache=False)
        read = time.perf_counter() - start
        start = time.perf_counter()
        from gdprlab.audit.engine import CHECKS

        left_out = set(_names(args.leave_out))
        rules = [c.id for c in CHECKS if c.id not in left_out] if left_out else chosen
        assessment = run_checks(tables, policy, as_of, dataset=folder, backend=backend, rules=rules,
                                findings_table=args.findings_table or None)
        check = time.perf_counter() - start
        out.update(path=path, connect_seconds=connected, backend=assessment.engine)
    usage_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / GB
    usage_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 / GB
    print(MEASURED, flush=True)
    per_rule = {}
    ids_rows: list[tuple[str, str]] = []
    for r in assessment.results:
        if r.reason == "not selected":
            continue
        per_rule[r.rule_id] = {"status": r.status, "count": r.count, "seconds": round(r.seconds, 4),
                               "population": r.population}
        if r.record_ids:
            per_rule[r.rule_id]["digest"] = ids_digest(r.record_ids)
            ids_rows += [(r.rule_id, i) for i in r.record_ids]
        elif r.count == 0:
            per_rule[r.rule_id]["digest"] = "0"
    if args.findings_table and backend is not None and getattr(backend, "name", "") == "duckdb":
        for rule_id, digest in _engine_digests(backend, args.findings_table, assessment.run_id).items():
            per_rule[rule_id]["digest"] = digest
    if args.ids_file:
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table({"rule_id": [r for r, _ in ids_rows], "record_id": [i for _, i in ids_rows]},
                                schema=pa.schema({"rule_id": pa.string(), "record_id": pa.string()})),
                       args.ids_file)
    if backend is not None and hasattr(backend, "_session"):  # PySpark: stop the JVM before exiting
        backend._session.stop()
    out.update(read_seconds=read, check_seconds=check, seconds=read + check,
               self_peak_rss_gb=usage_self, children_peak_rss_gb=usage_children, per_rule=per_rule,
               overall_score=assessment.scores.overall, versions=_loaded_versions())
    print(json.dumps(out))


#: work-arounds for faults of the libraries under engines older than the one on main (commit 45e26ba and
#: before), applied only when asked for (--work-around NAME), so that such a revision can still be timed;
#: every run records the ones applied, and the README's table lists them
WORK_AROUNDS = {
    "fetch-arrow-table": "DuckDBPyConnection.fetch_arrow_table aliased to to_arrow_table: ibis-framework "
                         "12.0.0's Backend.list_tables calls it, DuckDB 2.0 no longer has it",
    "recursion-limit": "sys.setrecursionlimit(10000): Backend.insert re-parses a rule's SQL with sqlglot, "
                       "and casefold's nested replace() calls needed more than 1,000 frames",
    "spark-no-cache": "Tables(cache=False) on PySpark: ibis's PySpark backend cannot "
                      "create_table(temp=True), which Tables.materialise called",
}


def _work_arounds(names: list[str]) -> list[str]:
    """Apply the named work-arounds (those for the process; spark-no-cache is applied by child())."""
    unknown = set(names) - set(WORK_AROUNDS)
    if unknown:
        raise SystemExit(f"unknown work-around(s) {', '.join(sorted(unknown))}; "
                         f"known: {', '.join(WORK_AROUNDS)}")
    if "fetch-arrow-table" in names:
        import duckdb

        if not hasattr(duckdb.DuckDBPyConnection, "fetch_arrow_table"):
            duckdb.DuckDBPyConnection.fetch_arrow_table = duckdb.DuckDBPyConnection.to_arrow_table
    if "recursion-limit" in names:
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    return [f"{name}: {WORK_AROUNDS[name]}" for name in names]


def ids_digest(ids) -> str:
    """An order-free digest of a set of ids: the sum of the first 60 bits of each id's MD5 (as text).

    `_engine_digests` computes the same sum in DuckDB over a findings table.
    """
    return str(sum(int(hashlib.md5(str(i).encode()).hexdigest()[:15], 16) for i in ids))


def _engine_digests(backend, table: str, run_id: str) -> dict[str, str]:
    sql = (f"SELECT rule_id, sum(('0x' || substr(md5(record_id), 1, 15))::BIGINT) FROM \"{table}\" "
           "WHERE run_id = ? GROUP BY rule_id")
    return {rule_id: str(int(total)) for rule_id, total in backend.con.execute(sql, [run_id]).fetchall()}


def _loaded_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    names = {"duckdb": "duckdb", "ibis": "ibis-framework", "pandas": "pandas", "pyarrow": "pyarrow",
             "numpy": "numpy", "pyspark": "pyspark"}
    out = {}
    for module, dist in names.items():
        if module in sys.modules:
            try:
                out[dist] = version(dist)
            except PackageNotFoundError:
                out[dist] = getattr(sys.modules[module], "__version__", "?")
    return out


# ----------------------------------------------------------------------------------------------------------
# the parent: processes measured from outside
# ----------------------------------------------------------------------------------------------------------

@dataclass
class Measured:
    """A finished child process: its exit status, last stdout line, peak tree RSS and wall-clock seconds."""

    returncode: int
    stdout: list[str]
    stderr_tail: str
    tree_peak_rss_gb: float
    wall_seconds: float
    timed_out: bool = False
    extra: dict = field(default_factory=dict)


def tree_rss(members: list) -> int:
    """Bytes resident in these psutil processes (processes that vanished count 0)."""
    import psutil

    total = 0
    for p in members:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def tree(proc) -> list:
    """A psutil process and its descendants (listing them scans /proc: done less often than sampling)."""
    import psutil

    try:
        return [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return [proc]


#: the child being measured (its own session), stopped with this process if a signal ends it
RUNNING: list[int] = []


def stop_on_signal(signum: int, frame) -> None:
    """Say which signal ended the run (in its log), and end the measured child's session with it."""
    print(f"\nstopped by signal {signal.Signals(signum).name}", file=sys.stderr, flush=True)
    for pid in RUNNING:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    raise SystemExit(128 + signum)


def run_measured(cmd: list[str], env: dict[str, str], log: Path, timeout: float) -> Measured:
    """Run cmd in its own session; sample its process tree's RSS until it prints MEASURED or exits."""
    import psutil

    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with open(log, "w", encoding="utf-8") as err:
        proc = psutil.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=err, text=True,
                            start_new_session=True)
        RUNNING[:] = [proc.pid]
        peak = [0]
        stop = threading.Event()

        def sample() -> None:
            members, listed = [proc], 0.0
            while not stop.is_set():
                if time.perf_counter() - listed >= LIST_SECONDS:
                    members, listed = tree(proc), time.perf_counter()
                peak[0] = max(peak[0], tree_rss(members))
                stop.wait(SAMPLE_SECONDS)

        def kill() -> None:
            timed_out.set()
            stop.set()
            with contextlib.suppress(ProcessLookupError):  # its own session: only what this run started
                os.killpg(proc.pid, signal.SIGKILL)

        timed_out = threading.Event()
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        timer = threading.Timer(timeout, kill)
        timer.start()
        lines = []
        for line in proc.stdout:
            line = line.rstrip("\n")
            if line == MEASURED:
                stop.set()
            else:
                lines.append(line)
        proc.wait()
        RUNNING.clear()
        timer.cancel()
        stop.set()
        sampler.join()
    tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-15:])
    return Measured(proc.returncode, lines, tail, peak[0] / GB, time.perf_counter() - start,
                    timed_out.is_set())


@dataclass
class Tree:
    """Where an engine's gdprlab is imported from."""

    role: str
    path: Path
    commit: str
    rev: str
    dirty: bool = False

    def __post_init__(self) -> None:
        # the last commit that changed gdprlab/ in that tree: which engine code ran, whatever else moved since
        self.engine_commit = _git("log", "-1", "--format=%H", "--", "gdprlab", cwd=self.path)

    def as_dict(self) -> dict:
        return {"rev": self.rev, "commit": self.commit, "engine_commit": self.engine_commit,
                "path": str(self.path), "dirty": self.dirty}


def _git(*args: str, cwd: Path = REPO) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def checkout(rev: str, data: Path, role: str) -> Tree:
    """A git worktree of `rev` under data/trees (made once, reused while it is at that commit)."""
    commit = _git("rev-parse", "--verify", f"{rev}^{{commit}}")
    path = data / "trees" / commit[:12]
    if (path / ".git").exists():
        if _git("rev-parse", "HEAD", cwd=path) == commit:
            return Tree(role, path, commit, rev)
        raise SystemExit(f"{path} is a worktree at another commit than {rev}; git worktree remove it")
    path.parent.mkdir(parents=True, exist_ok=True)
    _git("worktree", "add", "--detach", str(path), commit)
    return Tree(role, path, commit, rev)


def this_tree() -> Tree:
    commit = _git("rev-parse", "HEAD")
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no", "--", "gdprlab"))
    return Tree("duckdb", REPO, commit, _git("rev-parse", "--abbrev-ref", "HEAD"), dirty)


def remove_trees(trees: list[Tree]) -> None:
    for tree in trees:
        if tree.path != REPO:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree.path)], cwd=REPO,
                           capture_output=True, check=False)


def generator_digest(root: Path) -> str:
    h = hashlib.sha256()
    for source in GENERATOR_SOURCES:
        base = root / source
        for path in sorted(base.rglob("*") if base.is_dir() else [base]):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def dataset_folder(data: Path, contacts: int, seed: int) -> Path:
    return data / "datasets" / f"contacts-{contacts}-{PROFILE}-seed{seed}-{FORMAT}-{AS_OF}"


def ensure_dataset(data: Path, contacts: int, cfg: Config) -> dict:
    """The dataset of `contacts` contacts: reused when its manifest has the same parameters, else made.

    Up to --generate-max contacts it is made by `gdprlab generate`; a larger one is composed of datasets of
    --generate-max contacts with seeds SEED, SEED + 1, ... (see compose): the generator holds a whole
    dataset in memory.
    """
    if contacts <= cfg.generate_max:
        return generated(data, contacts, SEED, cfg)
    return composed(data, contacts, cfg)


def _reusable(folder: Path, wanted: dict, regenerate: bool) -> dict | None:
    """The folder's stamp when its manifest's parameters are `wanted` (and it may be reused)."""
    manifest = folder / "manifest.json"
    if regenerate or not manifest.is_file():
        return None
    params = json.loads(manifest.read_text(encoding="utf-8")).get("parameters", {})
    if any(params.get(k) != v for k, v in wanted.items()):
        print(f"dataset {folder.name}: other parameters than {wanted}; making it again")
        return None
    stamp = folder / STAMP
    return json.loads(stamp.read_text(encoding="utf-8")) if stamp.is_file() else {}


def _describe(folder: Path, info: dict) -> dict:
    meta = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    info["rows"] = meta.get("row_counts", {})
    info["bytes"] = sum(p.stat().st_size for p in folder.glob(f"*.{FORMAT}"))
    return info


def generated(data: Path, contacts: int, seed: int, cfg: Config) -> dict:
    """A dataset made by this repository's `gdprlab generate` (reused, keyed by its parameters)."""
    folder = dataset_folder(data, contacts, seed)
    digest = generator_digest(REPO)
    wanted = {"contacts": contacts, "seed": seed, "profile": PROFILE, "format": FORMAT, "as_of": AS_OF}
    info: dict = {"folder": str(folder), "seed": seed}
    stamp = _reusable(folder, wanted, cfg.regenerate)
    if stamp is not None:
        made_by = stamp.get("generator_digest")
        info.update(generated="reused", generator_digest=made_by)
        if made_by not in (None, digest):
            print(f"note: {folder.name} was made by a generator whose sources differ from this one's "
                  f"(--regenerate to make it again)")
        return _describe(folder, info)
    cmd = [sys.executable, "-m", "gdprlab", "generate", str(folder), "--contacts", str(contacts),
           "--seed", str(seed), "--profile", PROFILE, "--format", FORMAT, "--as-of", AS_OF, "--force",
           "--quiet"]
    print(f"generating {contacts:,} contacts (seed {seed}) into {folder} ...", flush=True)
    (folder / STAMP).unlink(missing_ok=True)  # its own file: `generate --force` replaces only a dataset
    done = run_measured(cmd, dict(os.environ, PYTHONPATH=str(REPO)),
                        cfg.session / f"generate-{contacts}-{seed}.log", cfg.timeout)
    if done.returncode != 0:
        raise SystemExit(f"generating {contacts:,} contacts failed ({done.returncode}):\n{done.stderr_tail}")
    (folder / STAMP).write_text(json.dumps({"generator_digest": digest}) + "\n", encoding="utf-8")
    info.update(generated="now", generator_digest=digest, generate_seconds=round(done.wall_seconds, 2),
                generate_peak_rss_gb=round(done.tree_peak_rss_gb, 3))
    print(f"  generated in {done.wall_seconds:,.0f} s, peak {done.tree_peak_rss_gb:.2f} GB", flush=True)
    return _describe(folder, info)


#: per-contact tables and their id columns, made unique across the parts of a composed dataset
PART_IDS = {"contacts": ("contact_id", "account_id"), "accounts": ("account_id",),
            "consents": ("consent_id", "contact_id"), "activities": ("activity_id", "contact_id"),
            "requests": ("request_id", "contact_id")}


def composed(data: Path, contacts: int, cfg: Config) -> dict:
    """A dataset of `contacts` contacts made of generated parts of --generate-max contacts.

    Part k is generated with seed SEED + k. The per-contact tables (and accounts) of all parts are
    concatenated, the ids of part k >= 1 getting k after their letter (C0000001 -> C10000001: the first
    part's ids keep their width, so no two parts share an id); the organisation's own tables (staff,
    training, breaches, policies, record of processing), policy.yaml and the manifest come from the first
    part, the manifest with the composed counts. No ground truth is written.
    """
    part, count = cfg.generate_max, -(-contacts // cfg.generate_max)
    if part * count != contacts:
        raise SystemExit(f"{contacts:,} contacts is not a multiple of --generate-max {part:,}")
    parts = [generated(data, part, SEED + k, cfg) for k in range(count)]
    folder = dataset_folder(data, contacts, SEED)
    wanted = {"contacts": contacts, "seed": SEED, "profile": PROFILE, "format": FORMAT, "as_of": AS_OF}
    composed_of = [Path(p["folder"]).name for p in parts]
    info: dict = {"folder": str(folder), "seed": SEED, "composed_of": composed_of}
    stamp = _reusable(folder, wanted, cfg.regenerate)
    if stamp is not None and stamp.get("composed_of") == composed_of:
        info["generated"] = "reused"
        return _describe(folder, info)
    print(f"composing {contacts:,} contacts of {count} parts into {folder} ...", flush=True)
    start = time.perf_counter()
    compose(folder, [Path(p["folder"]) for p in parts], contacts)
    (folder / STAMP).write_text(json.dumps({"composed_of": composed_of}) + "\n", encoding="utf-8")
    info.update(generated="now", compose_seconds=round(time.perf_counter() - start, 2))
    return _describe(folder, info)


def compose(folder: Path, parts: list[Path], contacts: int) -> None:
    """Write the concatenation of `parts` into `folder` (see composed), atomically."""
    import duckdb

    tmp = folder.with_name(f".{folder.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    manifest = json.loads((parts[0] / "manifest.json").read_text(encoding="utf-8"))
    con = duckdb.connect(config={"memory_limit": "4GB", "temp_directory": str(tmp / ".spill")})
    try:
        for path in sorted(parts[0].glob(f"*.{FORMAT}")):
            table = path.stem
            if table not in PART_IDS:
                shutil.copy2(path, tmp / path.name)
                continue
            selects = []
            for k, part in enumerate(parts):
                source = str(part / path.name).replace("'", "''")
                if k == 0:
                    selects.append(f"SELECT * FROM read_parquet('{source}')")
                    continue
                renamed = ", ".join(f"regexp_replace({c}, '^([A-Za-z]+)', '\\1{k}') AS {c}"
                                    for c in PART_IDS[table])
                selects.append(f"SELECT * REPLACE ({renamed}) FROM read_parquet('{source}')")
            target = str(tmp / path.name).replace("'", "''")
            con.execute(f"COPY ({' UNION ALL '.join(selects)}) TO '{target}' "
                        "(FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 1048576)")
            rows = con.execute(f"SELECT count(*) FROM read_parquet('{target}')").fetchone()[0]
            manifest.setdefault("row_counts", {})[table] = rows
    finally:
        con.close()
    shutil.rmtree(tmp / ".spill", ignore_errors=True)
    shutil.copy2(parts[0] / "policy.yaml", tmp / "policy.yaml")
    manifest["parameters"]["contacts"] = contacts
    manifest["composed_of"] = [str(p) for p in parts]
    for key in ("planted", "files"):
        manifest.pop(key, None)
    (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)


@contextlib.contextmanager
def preparing(data: Path):
    """Held while worktrees and datasets are made, so that two runs sharing a data folder never make the
    same one at once (each run's logs, ids and spill folders are its own, under data/sessions)."""
    import fcntl

    with open(data / ".prepare.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def other_benchmarks() -> int:
    """Processes of other engine_speed.py runs on this machine (their load lengthens this run's times)."""
    import psutil

    me = psutil.Process()
    ours = {me.pid, *(p.pid for p in me.children(recursive=True)), *(p.pid for p in me.parents())}
    count = 0
    for p in psutil.process_iter(["pid", "cmdline"]):
        cmdline = p.info.get("cmdline") or []
        if p.info["pid"] not in ours and any(part.endswith("engine_speed.py") for part in cmdline):
            count += 1
    return count


def warm(folder: Path) -> float:
    """Read every table file once, so that each timed run finds them in the page cache."""
    start = time.perf_counter()
    for path in sorted(folder.glob(f"*.{FORMAT}")):
        with open(path, "rb") as f:
            while f.read(16 << 20):
                pass
    return time.perf_counter() - start


# ----------------------------------------------------------------------------------------------------------
# the plan: which engine runs how, at which size
# ----------------------------------------------------------------------------------------------------------

@dataclass
class Config:
    sizes: list[int]
    repeat: int
    spark_sizes: list[int]
    spark_repeat: int
    findings_from: int
    spill_from: int
    memory_limit: str
    parity_size: int
    scale_size: int
    big_size: int
    spark_size: int
    scale_ratio: float
    scale_rss_gb: float
    baseline_gb_per_million: float
    timeout: float
    generate_max: int = 5_000_000
    regenerate: bool = False
    spark_leave_out: list[str] = field(default_factory=list)
    work_arounds: list[str] = field(default_factory=list)
    same_sizes: list[int] = field(default_factory=list)  # sizes of the same-rules runs
    same_rules: list[str] = field(default_factory=list)  # the rules both engines have, unchanged
    session: Path = DATA / "sessions" / "default"  # this invocation's logs, ids and spill folders


def one_run(engine: str, tree: Tree, dataset: dict, size: int, cfg: Config, data: Path, index: int) -> dict:
    """One fresh process of `engine` on the dataset of `size` contacts: its figures, or its error."""
    runs = cfg.session
    runs.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", engine, "--dataset", dataset["folder"]]
    options: dict = {}
    base = engine.removesuffix(SAME)
    if engine.endswith(SAME):
        options["rules"] = ",".join(cfg.same_rules)
    if base != "today":
        if cfg.work_arounds:
            options["work_around"] = ",".join(cfg.work_arounds)
        if engine == "spark" and cfg.spark_leave_out:
            options["leave_out"] = ",".join(cfg.spark_leave_out)
        if size >= cfg.findings_from and base == "duckdb":
            options["findings_table"] = FINDINGS_TABLE
        if size >= cfg.spill_from and base == "duckdb":
            spill = cfg.session / f"spill-{size}-{index}"
            shutil.rmtree(spill, ignore_errors=True)
            spill.mkdir(parents=True)
            options.update(memory_limit=cfg.memory_limit, temp_directory=str(spill))
    ids_file = runs / f"ids-{size}-{engine}-{index}.parquet"
    if size < cfg.findings_from and not engine.endswith(SAME):  # ids compared where no engine keeps them
        options["ids_file"] = str(ids_file)
    for key, value in options.items():
        cmd += [f"--{key.replace('_', '-')}", value]
    env = dict(os.environ, PYTHONPATH=str(tree.path))
    log = cfg.session / f"{size}-{engine}-{index}.log"
    print(f"  {size:>11,} {engine:<7} run {index + 1} ...", end=" ", flush=True)
    load_before, others = os.getloadavg()[0], other_benchmarks()
    if others:
        print(f"(another engine_speed.py run shares the machine: {others} process(es))", end=" ", flush=True)
    done = run_measured(cmd, env, log, cfg.timeout)
    record = {"contacts": size, "engine": engine, "run": index + 1, "tree": tree.role,
              "load_average": [load_before, os.getloadavg()[0]],  # 1 minute, before and after
              "other_benchmark_processes": others,
              "options": {k: v for k, v in options.items() if k != "ids_file"},
              "process_seconds": round(done.wall_seconds, 3),
              "tree_peak_rss_gb": round(done.tree_peak_rss_gb, 3),
              "log": str(log)}
    result = None
    if done.returncode == 0 and done.stdout:
        try:
            result = json.loads(done.stdout[-1])
        except json.JSONDecodeError:
            result = None
    if result is None:
        why = "timed out" if done.timed_out else f"exit status {done.returncode}"
        record.update(ok=False, error=f"{why}: {done.stderr_tail[-2000:]}")
        print(f"FAILED ({why}; see {log})", flush=True)
        return record
    if Path(result["gdprlab"]) != (tree.path / "gdprlab").resolve():
        raise SystemExit(f"the {engine} child imported gdprlab from {result['gdprlab']}, not {tree.path}")
    peak = max(done.tree_peak_rss_gb, result["self_peak_rss_gb"], result["children_peak_rss_gb"])
    record.update(ok=True, seconds=round(result["seconds"], 3), read_seconds=round(result["read_seconds"], 3),
                  check_seconds=round(result["check_seconds"], 3),
                  connect_seconds=round(result["connect_seconds"], 3), peak_rss_gb=round(peak, 3),
                  self_peak_rss_gb=round(result["self_peak_rss_gb"], 3), path=result["path"],
                  backend=result["backend"], overall_score=result["overall_score"],
                  shims=result.get("shims", []),
                  per_rule=result["per_rule"], versions=result["versions"])
    if "ids_file" in options:
        record["ids_file"] = str(ids_file)
    print(f"{record['seconds']:.2f} s (read {record['read_seconds']:.2f} + check "
          f"{record['check_seconds']:.2f}), peak {peak:.2f} GB", flush=True)
    return record


#: the rule ids of each engine's catalogue, printed by a Python of its tree
RULE_IDS = {"today": "from gdprlab.checks import CHECKS",
            "duckdb": "from gdprlab.audit.engine import CHECKS"}


def same_rules(trees: dict[str, Tree]) -> list[str]:
    """The rules both engines have, less those changed on purpose since today's commit
    (CHANGED_SINCE_BASELINE), in the new engine's order."""
    ids = {}
    for engine, code in RULE_IDS.items():
        done = subprocess.run([sys.executable, "-c", f"{code}; print(' '.join(c.id for c in CHECKS))"],
                              env=dict(os.environ, PYTHONPATH=str(trees[engine].path)), capture_output=True,
                              text=True, check=False, cwd=trees[engine].path)
        if done.returncode:
            raise SystemExit(f"listing the rules of the {engine} engine failed:\n{done.stderr[-2000:]}")
        ids[engine] = done.stdout.split()
    return [r for r in ids["duckdb"] if r in set(ids["today"]) and r not in CHANGED_SINCE_BASELINE]


def baseline_fits(size: int, runs: list[dict], cfg: Config, ram_gb: float) -> tuple[bool, str]:
    """Whether today's engine can be run at `size`: its memory per million contacts, measured in this run
    at the largest size it ran (else --baseline-gb-per-million), times the size, under 80 % of the RAM."""
    done = [r for r in runs if r["engine"] == "today" and r.get("ok")]  # all rules: the most memory
    if done:
        largest = max(done, key=lambda r: (r["contacts"], r["peak_rss_gb"]))
        per_million = largest["peak_rss_gb"] / (largest["contacts"] / 1e6)
        source = f"{largest['peak_rss_gb']:.2f} GB measured at {largest['contacts']:,} contacts"
    else:
        per_million, source = cfg.baseline_gb_per_million, "--baseline-gb-per-million"
    need = per_million * size / 1e6
    fits = need <= 0.8 * ram_gb
    return fits, (f"estimated {need:.1f} GB ({per_million:.2f} GB per million contacts, from {source}) "
                  f"{'within' if fits else 'over'} 80 % of {ram_gb:.1f} GB RAM")


def run_size(size: int, trees: dict[str, Tree], cfg: Config, data: Path, runs: list[dict],
             ram_gb: float) -> dict:
    with preparing(data):
        dataset = ensure_dataset(data, size, cfg)
    dataset["warm_seconds"] = round(warm(Path(dataset["folder"])), 2)
    engines = ["today", "duckdb"]
    if size in cfg.same_sizes and cfg.same_rules:
        engines += ["today" + SAME, "duckdb" + SAME]
    fits, why = baseline_fits(size, runs, cfg, ram_gb)
    dataset["today"] = "run" if fits else f"not run: {why}"
    if not fits:
        engines = [e for e in engines if not e.startswith("today")]
        print(f"  {size:>11,} today's engine not run: {why}")
    spark_left = cfg.spark_repeat if size in cfg.spark_sizes else 0
    for index in range(max(cfg.repeat, spark_left)):
        for engine in engines:
            if index < cfg.repeat:
                tree = trees[engine.removesuffix(SAME)]
                runs.append(one_run(engine, tree, dataset, size, cfg, data, index))
        if index < spark_left:
            runs.append(one_run("spark", trees["duckdb"], dataset, size, cfg, data, index))
    return dataset


# ----------------------------------------------------------------------------------------------------------
# agreement, verdicts, output
# ----------------------------------------------------------------------------------------------------------

def best(runs: list[dict], size: int, engine: str) -> dict | None:
    """The fastest successful run of engine at size, with the largest peak over all its runs."""
    ok = [r for r in runs if r["contacts"] == size and r["engine"] == engine and r.get("ok")]
    if not ok:
        return None
    fastest = min(ok, key=lambda r: r["seconds"])
    return {"seconds": fastest["seconds"], "read_seconds": fastest["read_seconds"],
            "check_seconds": fastest["check_seconds"], "connect_seconds": fastest["connect_seconds"],
            "peak_rss_gb": max(r["peak_rss_gb"] for r in ok),
            "fastest_run_peak_rss_gb": fastest["peak_rss_gb"],
            "runs": len(ok), "failed_runs": sum(1 for r in runs if r["contacts"] == size
                                                and r["engine"] == engine and not r.get("ok")),
            "all_seconds": [r["seconds"] for r in ok], "path": fastest["path"]}


def _read_ids(path: str) -> dict[str, set[str]]:
    import pyarrow.parquet as pq

    table = pq.read_table(path).to_pydict()
    out: dict[str, set[str]] = {}
    for rule_id, record_id in zip(table["rule_id"], table["record_id"], strict=True):
        out.setdefault(rule_id, set()).add(record_id)
    return out


#: rules whose definition changed on purpose after the baseline commit: today's engine and the new one are
#: not expected to agree on them, and they are left out of that comparison (listed in the output)
CHANGED_SINCE_BASELINE = {
    "request_overdue": "a reply after one month with an extension notified late is overdue (law: the late "
                       "notice does not extend the deadline); deadlines roll over the policy's holidays",
    "erasure_incomplete": "every personal column and note judged; Art. 17(3) holds respected",
    "marketing_without_basis": "sends under 6(1)(b) or 6(1)(c) found whatever consent exists",
    "processing_after_withdrawal": "a consent given after an objection makes later sends lawful again",
    "special_category_without_condition": "conditions judged per Art. 9(1) category",
    "retention_exceeded": "counted from the last interaction (not marketing sends or notes) or the end of "
                          "the contract; an Art. 17(3) hold in force respected",
    "inaccurate_data": "a duplicate needs one more identifier than names and birth date",
}


def agreement(runs: list[dict], size: int, engines: tuple[str, ...]) -> dict:
    """Per rule, whether every run of `engines` at `size` found the same status, count and ids digest (and
    the same ids, where their files were kept). With today's engine among them, the rules changed on
    purpose since its commit (CHANGED_SINCE_BASELINE) and those added since are left out."""
    ok = [r for r in runs if r["contacts"] == size and r.get("ok") and r["engine"] in engines]
    if not ok:
        return {"compared": [], "same_counts": None, "same_ids": None, "mismatches": []}
    reference = next((r for r in ok if r["engine"] == "today"), ok[0])
    changed = set(CHANGED_SINCE_BASELINE) if "today" in engines else set()
    # rules today's engine does not have (added since its commit): nothing to compare them with
    added = set()
    if "today" in engines:
        added = (set().union(*(r["per_rule"] for r in ok))
                 - set().union(*(r["per_rule"] for r in ok if r["engine"] == "today")))
    changed |= added
    mismatches = []
    rules = sorted(set().union(*(r["per_rule"] for r in ok)) - changed)
    digests_compared = True
    for rule_id in rules:
        seen = {}
        for r in ok:
            if rule_id in _names(r["options"].get("leave_out")):
                continue  # left out on purpose (--spark-leave-out): its verdict says so
            got = r["per_rule"].get(rule_id)
            seen[f"{r['engine']}#{r['run']}"] = None if got is None else (got["status"], got["count"],
                                                                         got.get("digest"))
        values = set(seen.values())
        if None in values:
            mismatches.append({"rule_id": rule_id, "what": "rule missing in a run",
                               "runs": {k: v is not None for k, v in seen.items()}})
            continue
        if len({v[:2] for v in values}) > 1:
            mismatches.append({"rule_id": rule_id, "what": "status or count differs",
                               "runs": {k: list(v[:2]) for k, v in seen.items()}})
            continue
        digests = {v[2] for v in values}
        if None in digests:
            digests_compared = False
        elif len(digests) > 1:
            mismatches.append({"rule_id": rule_id, "what": "same count, other ids (digest differs)",
                               "runs": {k: v[2] for k, v in seen.items()}})
    same_counts = not any(m["what"] != "same count, other ids (digest differs)" for m in mismatches)
    out = {"compared": sorted({r["engine"] for r in ok}, key=ENGINES.index), "reference": reference["engine"],
           "same_counts": same_counts,
           "same_ids": (not mismatches) if digests_compared else None, "mismatches": mismatches,
           "ids_compared": "digest", "changed_on_purpose": sorted(changed - added),
           "added_since_baseline": sorted(added)}
    files, left_out = {}, {}
    for r in ok:  # the ids themselves, per engine (its first run)
        if "ids_file" in r and r["engine"] not in files:
            files[r["engine"]] = r["ids_file"]
            left_out[r["engine"]] = set(_names(r["options"].get("leave_out"))) | changed
    if len(files) > 1:
        ids = {engine: _read_ids(path) for engine, path in files.items()}
        differences = {}
        names = sorted(ids, key=ENGINES.index)
        for i, a_engine in enumerate(names):
            for b_engine in names[i + 1:]:
                a, b = ids[a_engine], ids[b_engine]
                for rule_id in sorted((set(a) | set(b)) - left_out[a_engine] - left_out[b_engine]):
                    x, y = a.get(rule_id, set()), b.get(rule_id, set())
                    if x != y:
                        differences.setdefault(f"{b_engine} vs {a_engine}", {})[rule_id] = {
                            f"only_{a_engine}": len(x - y), f"only_{b_engine}": len(y - x),
                            "examples": sorted(x ^ y)[:5]}
        out.update(ids_compared="ids", id_differences=differences,
                   same_ids=out["same_ids"] is not False and not differences)
    return out


PAIRS = (("today", "duckdb"), ("duckdb", "spark"), ("today" + SAME, "duckdb" + SAME))


def agreements(runs: list[dict], sizes: list[int]) -> list[dict]:
    """Today's engine against the new one, and the new one on DuckDB against PySpark, at every size."""
    ran = {n: {r["engine"] for r in runs if r["contacts"] == n} for n in sizes}
    return [{"contacts": n, "engines": list(pair), **agreement(runs, n, pair)}
            for n in sizes for pair in PAIRS if ran[n] >= set(pair)]


def rejudge(path: Path) -> dict:
    """The record in `path` with its best runs, agreement and verdicts computed again from its runs."""
    record = json.loads(path.read_text(encoding="utf-8"))
    runs = record["runs"]
    engines_at = sorted({(r["contacts"], r["engine"]) for r in runs},
                        key=lambda k: (k[0], ENGINES.index(k[1])))
    record["best"] = [{"contacts": n, "engine": e, **b} for n, e in engines_at if (b := best(runs, n, e))]
    record["agreement"] = agreements(runs, [d["contacts"] for d in record["datasets"]])
    record["verdicts"] = verdicts(record)
    record["same_work"] = same_work(record)
    return record


def same_work(record: dict) -> list[dict]:
    """Per size, both engines on the same rules (those today's engine has and that have not changed since
    its commit): the new engine's time and memory against today's. Not a target (the targets are about all
    rules); it tells the engine's cost from that of the rules added or made stricter since."""
    table = {(b["contacts"], b["engine"]): b for b in record["best"]}
    out = []
    for d in record["datasets"]:
        n = d["contacts"]
        today, new = table.get((n, "today" + SAME)), table.get((n, "duckdb" + SAME))
        if today and new:
            out.append({"contacts": n, "rules": len(record.get("same_rules", [])),
                        "today_seconds": today["seconds"], "new_seconds": new["seconds"],
                        "ratio": round(new["seconds"] / today["seconds"], 4),
                        "today_peak_rss_gb": today["peak_rss_gb"], "new_peak_rss_gb": new["peak_rss_gb"]})
    return out


def verdicts(record: dict) -> list[dict]:
    """The issue's targets, judged from the figures recorded in `record` (the JSON this script writes).

    A verdict is passed True or False, or None when its size was not part of the run.
    """
    limits = record["limits"]
    table = {(b["contacts"], b["engine"]): b for b in record["best"]}
    agree = {(a["contacts"], tuple(a["engines"])): a for a in record["agreement"]}
    sizes = {d["contacts"] for d in record["datasets"]}
    unjudged = record["parameters"].get("format", "parquet") != "parquet"  # the targets are about Parquet
    out = []

    def verdict(target: str, n: int, text: str, passed: bool | None, measured: str, **extra) -> None:
        if passed is None and n in sizes and not unjudged:  # the size ran, its runs did not all complete
            passed, measured = False, "a run failed or was not made"
        out.append({"target": target, "contacts": n, "text": text, "passed": passed, "measured": measured,
                    **extra})

    def seconds(b: dict) -> str:
        return f"{b['seconds']:.2f} s"

    n = limits["parity_size"]
    today, new = table.get((n, "today")), table.get((n, "duckdb"))
    text = f"{n:,} contacts, all rules, read + check from Parquet: new engine no slower than today's"
    if unjudged:
        verdict("parity", n, text, None, f"not judged: this run read {record['parameters']['format']} files")
    elif today and new:
        ratio = new["seconds"] / today["seconds"]
        verdict("parity", n, text, ratio <= 1.0, f"{seconds(new)} vs {seconds(today)}: {ratio:.2f}x",
                ratio=round(ratio, 4), limit=1.0)
    else:
        verdict("parity", n, text, None, "not measured")

    # the scale target has two halves, time and memory, each judged on its own row
    n = limits["scale_size"]
    today, new = table.get((n, "today")), table.get((n, "duckdb"))
    text = f"{n:,} contacts: at most {limits['scale_ratio']}x today's time"
    memory_text = f"{n:,} contacts: at most {limits['scale_rss_gb']} GB peak memory"
    if unjudged:
        unread = f"not judged: this run read {record['parameters']['format']} files"
        for target, said in (("scale", text), ("scale_memory", memory_text)):
            verdict(target, n, said, None, unread)
    elif today and new:
        ratio = new["seconds"] / today["seconds"]
        verdict("scale", n, text, ratio <= limits["scale_ratio"],
                f"{seconds(new)} vs {seconds(today)}: {ratio:.2f}x", ratio=round(ratio, 4),
                limit=limits["scale_ratio"])
        limit = next((r["options"]["memory_limit"] for r in record["runs"] if r["contacts"] == n
                      and r["engine"] == "duckdb" and r["options"].get("memory_limit")), None)
        verdict("scale_memory", n, memory_text, new["peak_rss_gb"] <= limits["scale_rss_gb"],
                f"peak {new['peak_rss_gb']:.2f} GB (today {today['peak_rss_gb']:.2f} GB)"
                f"{f', under a DuckDB memory limit of {limit}' if limit else ''}",
                peak_rss_gb=new["peak_rss_gb"], limit_rss_gb=limits["scale_rss_gb"])
    else:
        verdict("scale", n, text, None, "not measured")
        verdict("scale_memory", n, memory_text, None, "not measured")

    n = limits["big_size"]
    new = table.get((n, "duckdb"))
    dataset = next((d for d in record["datasets"] if d["contacts"] == n), {})
    text = (f"{n:,} contacts generated and checked on this machine, DuckDB memory limit "
            f"{limits['memory_limit']} and spilling to disk; peak memory reported")
    if new:
        limited = all(r["options"].get("memory_limit") for r in record["runs"]
                      if r["contacts"] == n and r["engine"] == "duckdb")
        verdict("big", n, text, limited and not new["failed_runs"],
                f"{seconds(new)}, peak {new['peak_rss_gb']:.2f} GB"
                f"{'' if limited else ' (without a memory limit)'}; "
                f"today's engine {dataset.get('today', '?')}",
                peak_rss_gb=new["peak_rss_gb"])
    else:
        verdict("big", n, text, None, "not measured")

    n = limits["spark_size"]
    spark, duck = table.get((n, "spark")), table.get((n, "duckdb"))
    text = f"PySpark local at {n:,} contacts: completes with the same record ids as DuckDB; time reported"
    if spark and duck:
        a = agree.get((n, ("duckdb", "spark")), {})
        differs = not a.get("same_counts") or a.get("same_ids") is False
        left_out = sorted({name for r in record["runs"] if r["contacts"] == n and r["engine"] == "spark"
                           for name in _names(r["options"].get("leave_out"))})
        verdict("spark", n, text, not differs and not spark["failed_runs"] and not left_out,
                f"{seconds(spark)} (DuckDB {seconds(duck)}), peak {spark['peak_rss_gb']:.2f} GB; "
                f"{'ids differ' if differs else 'same ids'}"
                + (f"; without {', '.join(left_out)} (left out: not run)" if left_out else ""),
                peak_rss_gb=spark["peak_rss_gb"], left_out=left_out)
    else:
        ran = any(r["contacts"] == n and r["engine"] == "spark" for r in record["runs"])
        out.append({"target": "spark", "contacts": n, "text": text, "passed": False if ran else None,
                    "measured": "a run failed" if ran else "not measured"})

    said = {True: "equal", False: "differ", None: "not compared"}
    for a in record["agreement"]:
        if a["engines"] == ["today", "duckdb"] and len(a["compared"]) == 2:
            verdict(f"agree-{a['contacts']}", a["contacts"],
                    f"{a['contacts']:,} contacts: {', '.join(a['compared'])} find the same violations "
                    "per rule",
                    bool(a["same_counts"]) and a["same_ids"] is not False,
                    f"counts {said[a['same_counts']]}; ids {said[a['same_ids']]} (by {a['ids_compared']})"
                    + (f"; changed on purpose since today's commit, not compared: "
                       f"{', '.join(a['changed_on_purpose'])}" if a.get("changed_on_purpose") else "")
                    + (f"; added since today's commit, not compared: {', '.join(a['added_since_baseline'])}"
                       if a.get("added_since_baseline") else ""))
    return out


def machine() -> dict:
    import psutil

    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cores": os.cpu_count(), "ram_gb": round(psutil.virtual_memory().total / GB, 1),
            "cpu_model": model or platform.processor(), "platform": platform.platform(),
            "python": platform.python_version()}


def versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for dist in ("duckdb", "ibis-framework", "pandas", "pyarrow", "numpy", "pyspark", "psutil"):
        with contextlib.suppress(PackageNotFoundError):
            out[dist] = version(dist)
    java = shutil.which("java")
    if java:
        done = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
        out["java"] = (done.stderr or done.stdout).splitlines()[0] if (done.stderr or done.stdout) else "?"
    return out


def spark_available() -> bool:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False
    return shutil.which("java") is not None


def print_table(record: dict) -> None:
    print()
    print(f"{'contacts':>11}  {'engine':<16} {'runs':>4}  {'best s':>8}  {'read s':>7}  {'check s':>8}  "
          f"{'peak GB':>7}  {'vs today':>8}")
    table = {(b["contacts"], b["engine"]): b for b in record["best"]}
    for b in record["best"]:
        today = table.get((b["contacts"], "today" + SAME if b["engine"].endswith(SAME) else "today"))
        ratio = f"{b['seconds'] / today['seconds']:.2f}x" if today and today is not b else ""
        print(f"{b['contacts']:>11,}  {LABELS[b['engine']]:<16} {b['runs']:>4}  {b['seconds']:>8.2f}  "
              f"{b['read_seconds']:>7.2f}  {b['check_seconds']:>8.2f}  {b['peak_rss_gb']:>7.2f}  {ratio:>8}")
    for r in record["runs"]:
        if not r.get("ok"):
            print(f"failed: {r['contacts']:,} {r['engine']} run {r['run']}: {r['error'].splitlines()[0]}")
    for b in record["best"]:
        fastest = min((r for r in record["runs"] if r.get("ok") and r["contacts"] == b["contacts"]
                       and r["engine"] == b["engine"]), key=lambda r: r["seconds"])
        slowest = sorted(fastest["per_rule"].items(), key=lambda kv: -kv[1]["seconds"])[:SHOWN_SLOWEST]
        print(f"slowest rules, {b['contacts']:,} {b['engine']}: "
              + ", ".join(f"{rule} {v['seconds']:.2f} s" for rule, v in slowest))
    paths = sorted({r["path"] for r in record["runs"] if r.get("ok") and not r["engine"].startswith("today")})
    print(f"new engine read with: {'; '.join(paths) or '-'}")
    for shim in record.get("shims", []):
        print(f"work-around in the new engine's runs: {shim}")
    print()
    for a in record["agreement"]:
        for m in a["mismatches"][:10]:
            print(f"disagree: {a['contacts']:,} {m['rule_id']}: {m['what']}: {m['runs']}")
        for engine, rules in a.get("id_differences", {}).items():
            for rule_id, d in rules.items():
                print(f"ids differ: {a['contacts']:,} {engine} {rule_id}: {d}")
    for v in record["verdicts"]:
        mark = {True: "PASS", False: "FAIL", None: "NOT MEASURED"}[v["passed"]]
        print(f"{mark:<12} {v['text']}: {v['measured']}")
    for w in record.get("same_work", []):
        print(f"same work    {w['contacts']:,} contacts, the {w['rules']} rules both engines have unchanged: "
              f"{w['new_seconds']:.2f} s vs {w['today_seconds']:.2f} s: {w['ratio']:.2f}x; peak "
              f"{w['new_peak_rss_gb']:.2f} GB (today {w['today_peak_rss_gb']:.2f} GB)")


def _names(text: str | None) -> list[str]:
    return [name.strip() for name in (text or "").split(",") if name.strip()]


def _sizes(text: str) -> list[int]:
    if text.strip().lower() in ("", "none"):
        return []
    return [int(float(s)) for s in text.replace("_", "").split(",")]


def main(argv: list[str] | None = None) -> int:
    global FORMAT  # the datasets' format, which every function making or reading them uses
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0], allow_abbrev=False)
    parser.add_argument("--sizes", default="1000000,5000000", help="contacts per dataset, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each engine per size, alternating")
    parser.add_argument("--data", type=Path, default=DATA, help="datasets, worktrees, logs and spill folders")
    parser.add_argument("--out", type=Path, default=OUT, help="the JSON written")
    parser.add_argument("--baseline-rev", default=BASELINE_REV, help="today's engine (a commit)")
    parser.add_argument("--new-rev", help="the new engine from this commit (default: this repository)")
    parser.add_argument("--spark-sizes", default=None,
                        help="sizes at which PySpark runs too (default: --spark-size when PySpark and Java "
                             "are installed; 'none' to skip)")
    parser.add_argument("--spark-repeat", type=int, default=1)
    parser.add_argument("--spark-leave-out", default="",
                        help="rules PySpark does not run (comma-separated), e.g. one it cannot compile; its "
                             "verdict then fails, and its time covers the other rules")
    parser.add_argument("--findings-from", type=int, default=5_000_000,
                        help="from this size the ids stay in the engine (findings_table)")
    parser.add_argument("--spill-from", type=int, default=20_000_000,
                        help="from this size DuckDB runs with --memory-limit and a spill folder")
    parser.add_argument("--memory-limit", default="2GB", help="DuckDB's memory_limit from --spill-from")
    parser.add_argument("--parity-size", type=int, default=1_000_000)
    parser.add_argument("--scale-size", type=int, default=5_000_000)
    parser.add_argument("--big-size", type=int, default=20_000_000)
    parser.add_argument("--spark-size", type=int, default=1_000_000)
    parser.add_argument("--scale-ratio", type=float, default=0.5)
    parser.add_argument("--scale-rss-gb", type=float, default=1.5)
    parser.add_argument("--baseline-gb-per-million", type=float, default=1.7,
                        help="today's engine's memory per million contacts, until this run has measured it")
    parser.add_argument("--generate-max", type=int, default=5_000_000,
                        help="larger datasets are composed of generated parts of this many contacts (the "
                             "generator holds a whole dataset in memory: about 6.7 GB at 5M contacts here)")
    parser.add_argument("--format", choices=("parquet", "csv"), default=FORMAT,
                        help="the datasets' file format; the targets are about Parquet, so a CSV run "
                             "measures them without judging them")
    parser.add_argument("--regenerate", action="store_true", help="make the datasets again, even if present")
    parser.add_argument("--timeout", type=float, default=4 * 3600, help="seconds per process")
    parser.add_argument("--rejudge", type=Path, metavar="JSON",
                        help="recompute the best runs, agreement and verdicts of a recorded JSON, rewrite it "
                             "and print its table (the run's ids files must still be there)")
    parser.add_argument("--remove-trees", action="store_true", help="remove the worktrees made, at the end")
    parser.add_argument("--child", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--dataset", help=argparse.SUPPRESS)
    parser.add_argument("--findings-table", help=argparse.SUPPRESS)
    parser.add_argument("--temp-directory", help=argparse.SUPPRESS)
    parser.add_argument("--ids-file", help=argparse.SUPPRESS)
    parser.add_argument("--leave-out", default="", help=argparse.SUPPRESS)
    parser.add_argument("--rules", default="", help=argparse.SUPPRESS)
    parser.add_argument("--same-rules-sizes", default=None,
                        help="sizes at which both engines also run only the rules they share unchanged "
                             "(default: --parity-size and --scale-size; 'none' to skip)")
    parser.add_argument("--work-around", default="",
                        help="comma-separated work-arounds for an older engine's library faults, applied in "
                             f"the new engine's runs and recorded: {', '.join(WORK_AROUNDS)}")
    args = parser.parse_args(argv)
    if args.child:
        if args.child.removesuffix(SAME) == "today":
            args.memory_limit = None
        elif not args.temp_directory:
            args.memory_limit = None  # the limit applies only with a spill folder (the parent passes both)
        child(args)
        return 0

    if args.rejudge:
        record = rejudge(args.rejudge)
        args.rejudge.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        print_table(record)
        return 0 if all(v["passed"] is not False for v in record["verdicts"]) else 1

    FORMAT = args.format
    if FORMAT != "parquet" and any(n > args.generate_max for n in _sizes(args.sizes)):
        parser.error(f"datasets above --generate-max ({args.generate_max:,}) are composed of Parquet parts: "
                     "--format csv goes up to that size")

    import psutil

    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, stop_on_signal)
    spark_sizes = _sizes(args.spark_sizes) if args.spark_sizes is not None else (
        [args.spark_size] if spark_available() else [])
    cfg = Config(sizes=_sizes(args.sizes), repeat=args.repeat, spark_sizes=spark_sizes,
                 spark_repeat=args.spark_repeat, findings_from=args.findings_from, spill_from=args.spill_from,
                 memory_limit=args.memory_limit, parity_size=args.parity_size, scale_size=args.scale_size,
                 big_size=args.big_size, spark_size=args.spark_size, scale_ratio=args.scale_ratio,
                 scale_rss_gb=args.scale_rss_gb, baseline_gb_per_million=args.baseline_gb_per_million,
                 timeout=args.timeout, generate_max=args.generate_max, regenerate=args.regenerate,
                 spark_leave_out=_names(args.spark_leave_out), work_arounds=_names(args.work_around))
    unknown = set(cfg.work_arounds) - set(WORK_AROUNDS)
    if unknown:  # before anything runs
        raise SystemExit(f"unknown --work-around {', '.join(sorted(unknown))}; "
                         f"known: {', '.join(WORK_AROUNDS)}")
    sizes = sorted(set(cfg.sizes) | set(cfg.spark_sizes))
    data = args.data.resolve()
    data.mkdir(parents=True, exist_ok=True)
    free_gb = shutil.disk_usage(data).free / GB
    with preparing(data):
        trees = {"today": checkout(args.baseline_rev, data, "today"),
                 "duckdb": checkout(args.new_rev, data, "duckdb") if args.new_rev else this_tree()}
    cfg.same_sizes = (_sizes(args.same_rules_sizes) if args.same_rules_sizes is not None
                      else [n for n in (cfg.parity_size, cfg.scale_size) if n in cfg.sizes])
    if cfg.same_sizes:
        cfg.same_rules = same_rules(trees)
        print(f"same rules ({len(cfg.same_rules)}, at {', '.join(f'{n:,}' for n in cfg.same_sizes)} "
              f"contacts): {', '.join(cfg.same_rules)}")
    info = machine()
    started = dt.datetime.now(dt.UTC)
    cfg.session = data / "sessions" / f"{started:%Y%m%dT%H%M%SZ}-{os.getpid()}"
    load_before = os.getloadavg()
    print(f"machine: {info['cores']} cores, {info['ram_gb']} GB RAM, {info['cpu_model']}; disk free "
          f"{free_gb:.0f} GB under {data}; load average {load_before[0]:.1f}")
    print(f"today's engine: {trees['today'].rev} ({trees['today'].commit[:12]}) from {trees['today'].path}")
    print(f"new engine: {trees['duckdb'].rev} ({trees['duckdb'].commit[:12]}"
          f"{', uncommitted changes' if trees['duckdb'].dirty else ''}) from {trees['duckdb'].path}")
    runs: list[dict] = []
    datasets: list[dict] = []

    def record_so_far(complete: bool) -> dict:
        engines_at = sorted({(r["contacts"], r["engine"]) for r in runs},
                            key=lambda k: (k[0], ENGINES.index(k[1])))
        record = {
            "benchmark": "engine_speed",
            "complete": complete,
            "date": started.isoformat(timespec="seconds"),
            "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": {**info, "load_average_before": list(load_before),
                        "load_average_after": list(os.getloadavg())},
            "versions": versions(),
            "trees": {"today": trees["today"].as_dict(), "new": trees["duckdb"].as_dict()},
            "new_engine_read_with": sorted({r["path"] for r in runs
                                            if r.get("ok") and not r["engine"].startswith("today")}),
            "shims": sorted({s for r in runs for s in r.get("shims", [])}),
            "parameters": {"profile": PROFILE, "seed": SEED, "format": FORMAT, "as_of": AS_OF,
                           "repeat": cfg.repeat, "spark_repeat": cfg.spark_repeat, "sizes": cfg.sizes,
                           "spark_sizes": cfg.spark_sizes, "findings_from": cfg.findings_from,
                           "spill_from": cfg.spill_from, "generate_max": cfg.generate_max, "data": str(data)},
            "limits": {"parity_size": cfg.parity_size, "scale_size": cfg.scale_size, "big_size": cfg.big_size,
                       "spark_size": cfg.spark_size, "scale_ratio": cfg.scale_ratio,
                       "scale_rss_gb": cfg.scale_rss_gb, "memory_limit": cfg.memory_limit},
            "datasets": datasets,
            "runs": runs,
            "best": [{"contacts": n, "engine": e, **b} for n, e in engines_at if (b := best(runs, n, e))],
            "agreement": agreements(runs, [d["contacts"] for d in datasets]),
            "same_rules": cfg.same_rules,
        }
        record["verdicts"] = verdicts(record)
        record["same_work"] = same_work(record)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        return record

    try:
        for size in sizes:
            dataset = run_size(size, trees, cfg, data, runs, psutil.virtual_memory().total / GB)
            datasets.append({"contacts": size, **dataset})
            if size != sizes[-1]:
                record_so_far(complete=False)  # what is measured so far survives a failure at a larger size
    finally:
        if args.remove_trees:
            remove_trees(list(trees.values()))
    record = record_so_far(complete=True)
    print_table(record)
    print(f"\nwrote {args.out}")
    return 0 if all(v["passed"] is not False for v in record["verdicts"]) else 1


if __name__ == "__main__":
    sys.exit(main())
