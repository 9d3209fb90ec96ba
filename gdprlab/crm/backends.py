"""Where the checks run: an Ibis connection to DuckDB (embedded, the default), PySpark, or a warehouse.

`connect("duckdb")` opens an in-process DuckDB with an optional memory limit and a folder to spill to, so a
dataset larger than memory is still checked (`duckdb://FILE.duckdb` keeps its tables in that file);
`connect("spark")` starts PySpark in local mode (a cluster's session can be passed to `ibis.pyspark.connect`
directly); any other value is an Ibis connection URL
(`snowflake://…`, `bigquery://…`, `databricks://…`, `postgres://…`), given to `ibis.connect`.
Secrets belong in the URL's environment, never in notebook parameters.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import warnings
import weakref
from pathlib import Path
from typing import Any

import duckdb
import ibis
import sqlglot
import sqlglot.expressions as sge
from ibis.backends.sql.compilers.duckdb import DuckDBCompiler

# Ibis 12 asks pandas for an option that pandas 3 deprecates, once per column it converts: a warning about
# a library's internals, not about the user's data, and one that would bury gdprlab's own messages.
warnings.filterwarnings("ignore", message="The 'future.infer_string' option is deprecated")
warnings.filterwarnings("ignore", message=r"fetch_arrow_table\(\) is deprecated")  # DuckDB 2 of Ibis 12

ENGINES = ("duckdb", "spark")
#: DuckDB's threads for a connection opened without its own (None: DuckDB's default, one per core)
_threads: int | None = None


def share_cores(processes: int) -> None:
    """Let each of `processes` processes working at once (this one among them) open DuckDB with its share
    of the cores: a batch's workers each opening DuckDB with a thread per core ran two notebooks at once in
    70 % of the time of one after another on 2 cores, instead of half (benchmarks/assess_speed.py)."""
    global _threads
    _threads = max(1, (os.cpu_count() or 1) // max(1, processes))


class EngineError(ValueError):
    """An engine that cannot be reached or started; the message says what to install or check."""


class _InlinedCompiler(DuckDBCompiler):
    """Ibis's DuckDB compiler, with every common table expression marked NOT MATERIALIZED.

    Ibis writes a part that a query reads twice (the contacts with their names casefolded, grouped and then
    joined back) as a CTE, and DuckDB materialises a CTE read more than once: every row and column of it,
    held until the query ends. Inlined, DuckDB computes the part once per reader and streams it. The
    intermediates worth keeping are kept on purpose, as tables (gdprlab.audit.rules.base.Tables.shared).
    Over millions of contacts, all rules then peak lower in the same time (benchmarks/engine_speed.py).
    """

    def translate(self, op: Any, *, params: Any) -> sge.Expression:
        out = super().translate(op, params=params)
        for cte in out.find_all(sge.CTE):
            cte.set("materialized", False)
        return out


_INLINED = _InlinedCompiler()


def quoted(identifier: str, dialect: str = "duckdb") -> str:
    """A table or column name quoted for raw SQL in that engine's dialect (any character allowed)."""
    return sqlglot.to_identifier(identifier, quoted=True).sql(dialect)


def connect(engine: str | None = None, *, memory_limit: str | None = None,
            temp_directory: str | Path | None = None, threads: int | None = None) -> Any:
    """An Ibis backend for `engine` ("duckdb" when None, "spark", or an Ibis connection URL)."""
    engine = engine or "duckdb"
    if engine == "duckdb" or engine.startswith("duckdb://"):
        return _duckdb(engine.removeprefix("duckdb://").removeprefix("duckdb") or ":memory:", memory_limit,
                       temp_directory, threads)
    if engine in ("spark", "pyspark"):
        return _local_spark(threads)
    if "://" not in engine:
        raise EngineError(f"unknown engine {engine!r}: use duckdb, spark or an Ibis connection URL "
                          "(e.g. snowflake://user@account/db/schema)")
    try:
        return ibis.connect(engine)
    except Exception as exc:  # noqa: BLE001 - any driver error becomes one clear message without the URL's secrets
        scheme = engine.split("://", 1)[0]
        raise EngineError(f"cannot connect to the {scheme} engine: {type(exc).__name__}: "
                          f"{str(exc).splitlines()[0][:200] if str(exc) else ''}") from None


def _duckdb(database: str, memory_limit: str | None, temp_directory: str | Path | None,
            threads: int | None) -> Any:
    """DuckDB, spilling what does not fit in memory into an owner-only folder.

    What DuckDB spills is the data being checked: personal data. Left to itself it spills into '.tmp' of
    the current folder (or beside the database file) with the user's usual permissions; here it is a new
    folder only its owner can open, removed when the connection is (or at exit), or --spill-dir, created
    owner-only when it does not exist.
    """
    if temp_directory is None:
        spill = Path(tempfile.mkdtemp(prefix="gdprlab-spill-"))  # mode 0700
    else:
        spill = Path(temp_directory)
        try:
            spill.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise EngineError(f"spill folder {spill}: cannot be made ({exc.strerror or exc})") from None
    config = {"memory_limit": memory_limit, "threads": threads or _threads, "preserve_insertion_order": False,
              "temp_directory": str(spill)}
    try:
        backend = ibis.duckdb.connect(database, **{k: v for k, v in config.items() if v is not None})
    except duckdb.Error as exc:  # a size DuckDB cannot read, a file that is not its database, a lock
        if temp_directory is None:
            shutil.rmtree(spill, ignore_errors=True)
        # DuckDB parses its settings before it opens the file: a ParserException is the memory limit's
        unread = memory_limit is not None and isinstance(exc, duckdb.ParserException)
        what = f"--memory-limit {memory_limit!r}" if unread else f"DuckDB at {database}"
        raise EngineError(f"{what}: {str(exc).splitlines()[0][:200]}") from None
    backend.compiler = _INLINED
    if temp_directory is None:
        weakref.finalize(backend, shutil.rmtree, spill, True)
    for kept in (Path(database), Path(f"{database}.wal")) if database != ":memory:" else ():
        if kept.is_file():
            os.chmod(kept, 0o600)  # the engine's copy of the data is personal data: owner-only
    return backend


def _local_spark(threads: int | None) -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError("the spark engine needs PySpark: pip install pyspark (and Java 17)") from None
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers run this interpreter
    # what Spark writes to disk (shuffles, cached blocks that do not fit) is the data being checked: in an
    # owner-only folder of its own, removed at exit, as DuckDB's (Spark's default is /tmp/blockmgr-*)
    scratch = tempfile.mkdtemp(prefix="gdprlab-spark-")
    atexit.register(shutil.rmtree, scratch, True)
    session = (SparkSession.builder.master(f"local[{threads or '*'}]").appName("gdprlab")
               .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
               .config("spark.local.dir", scratch)
               # a shuffle's partitions: one per thread when they are counted (small data: tests), else 8
               .config("spark.sql.shuffle.partitions", str(threads or 8)).getOrCreate())
    return ibis.pyspark.connect(session)
