"""Where the checks run: the embedded DuckDB keeps what it spills to disk (the data being checked, personal
data) in a folder only its owner can open, never in the current folder."""

from __future__ import annotations

import gc
import os
import stat
import tempfile
from pathlib import Path

import ibis
import pytest
from helpers import SPARK_TEST_JAVA_OPTIONS

from gdprlab.crm import backends
from gdprlab.crm.backends import EngineError, connect, share_cores


def _spill_folder(backend) -> Path:
    return Path(backend.raw_sql("SELECT current_setting('temp_directory')").fetchone()[0])


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _spill(backend) -> None:
    """A table larger than a memory limit of 64 MB, sorted: DuckDB can only hold it by spilling."""
    backend.raw_sql("SET memory_limit = '64MB'")
    backend.raw_sql("SET threads = 1")
    backend.raw_sql("CREATE TEMP TABLE big AS SELECT md5(i::VARCHAR) || repeat('x', 60) AS s "
                    "FROM range(1500000) t(i)")
    sorted_rows = backend.raw_sql("SELECT count(*) FROM (SELECT s FROM big ORDER BY s DESC)").fetchone()[0]
    assert sorted_rows == 1_500_000


def test_duckdb_spills_into_a_new_owner_only_folder_removed_with_the_connection(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    backend = connect("duckdb")
    folder = _spill_folder(backend)
    assert folder.is_dir() and _mode(folder) == 0o700
    assert tmp_path not in folder.parents  # not '.tmp' of the folder the user runs the check in
    _spill(backend)
    assert any(folder.iterdir())  # the spilled data are there
    backend.disconnect()
    del backend
    gc.collect()
    assert not folder.exists()
    assert list(tmp_path.iterdir()) == []


def test_a_spill_folder_that_does_not_exist_is_created_owner_only(tmp_path):
    wanted = tmp_path / "spill" / "here"
    backend = connect("duckdb", temp_directory=wanted)
    try:
        assert _spill_folder(backend) == wanted
        assert wanted.is_dir() and _mode(wanted) == 0o700
    finally:
        backend.disconnect()
    assert wanted.is_dir()  # the user's folder: kept


def test_a_spill_folder_that_cannot_be_made_is_one_message_naming_it(tmp_path):
    taken = tmp_path / "a-file"
    taken.write_text("")
    for wanted in (taken, taken / "below"):
        with pytest.raises(EngineError, match=f"spill folder {wanted}: cannot be made"):
            connect("duckdb", temp_directory=wanted)


@pytest.mark.parametrize("limit", ["lots", "0"])
def test_a_memory_limit_duckdb_cannot_read_is_one_message_naming_the_option(tmp_path, monkeypatch, limit):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the spill folder would be made
    with pytest.raises(EngineError, match=rf"^--memory-limit '{limit}': .*(number|unit)"):
        connect("duckdb", memory_limit=limit)
    assert list(tmp_path.iterdir()) == []  # the spill folder made for it is gone


def test_a_file_that_is_not_a_duckdb_database_is_one_message_naming_it(tmp_path):
    path = tmp_path / "findings.duckdb"
    path.write_text("not a database\n")
    with pytest.raises(EngineError, match=rf"^DuckDB at {path}: .*not a valid DuckDB database"):
        connect(f"duckdb://{path}")
    assert path.read_text() == "not a database\n"


def test_a_database_file_spills_into_the_owner_only_folder_too(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    backend = connect(f"duckdb://{tmp_path / 'crm.duckdb'}")
    try:
        folder = _spill_folder(backend)
        assert _mode(folder) == 0o700 and tmp_path not in folder.parents
        assert _mode(tmp_path / "crm.duckdb") == 0o600
    finally:
        backend.disconnect()


def test_spark_writes_its_scratch_data_into_an_owner_only_folder(spark_backend):
    local = Path(spark_backend.raw_sql("SET spark.local.dir").collect()[0]["value"])
    assert local.is_dir() and _mode(local) == 0o700 and local.name.startswith("gdprlab-spark-")


def test_the_test_sessions_spark_runs_with_the_tests_java_options(spark_backend):
    """The tests' Java process compiles with the client compiler only and collects with one thread
    (SPARK_TEST_JAVA_OPTIONS), and the variable that passed them is given back."""
    runtime = spark_backend._session._jvm.java.lang.management.ManagementFactory.getRuntimeMXBean()
    assert set(SPARK_TEST_JAVA_OPTIONS.split()) <= set(runtime.getInputArguments())
    assert SPARK_TEST_JAVA_OPTIONS not in os.environ.get("PYSPARK_SUBMIT_ARGS", "")


@pytest.mark.parametrize(("cores", "processes", "threads"), [(2, 2, 1), (8, 2, 4), (8, 3, 2), (1, 4, 1)])
def test_processes_sharing_the_cores_open_duckdb_with_their_share(monkeypatch, cores, processes, threads):
    monkeypatch.setattr(backends, "_threads", None)  # the process's own setting, given back afterwards
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    share_cores(processes)

    def setting(**options) -> int:
        backend = connect("duckdb", **options)
        try:
            return int(backend.con.sql("SELECT current_setting('threads')").fetchall()[0][0])
        finally:
            backend.disconnect()

    assert setting() == threads
    assert setting(threads=3) == 3  # a connection's own setting wins


def test_duckdb_inlines_a_part_a_query_reads_twice_instead_of_holding_all_its_rows():
    backend = connect("duckdb")
    try:
        t = backend.create_table("people", ibis.memtable({"name": ["Ada", "ada", "Bo"], "n": [1, 2, 3]}),
                                 temp=True)
        part = t.mutate(key=t["name"].lower())
        shared = part.group_by("key").aggregate(rows=part.count())
        twice = part.semi_join(shared.filter(shared["rows"] > 1), "key")
        assert sorted(backend.execute(twice)["n"]) == [1, 2]
        sql = backend.compile(twice)
        assert "NOT MATERIALIZED" in sql
        def plan(query: str) -> str:
            return backend.con.sql(f"EXPLAIN {query}").fetchall()[0][1]
        assert "CTE Scan" not in plan(sql)
        assert "CTE Scan" in plan(sql.replace("NOT MATERIALIZED ", ""))  # DuckDB's default: materialised
    finally:
        backend.disconnect()
