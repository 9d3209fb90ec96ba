"""Shared fixtures: small generated datasets, made once per test session, a PostgreSQL schema and a local
PySpark engine."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import uuid

import pytest
import sqlalchemy as sa
from helpers import PG_URL, SPARK_TEST_JAVA_OPTIONS

from gdprlab.crm.backends import connect
from gdprlab.generator import GeneratorConfig, generate, write_dataset

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture(scope="session")
def typical():
    return generate(GeneratorConfig(contacts=4000, seed=11, as_of=AS_OF, profile="typical"))


@pytest.fixture(scope="session")
def messy():
    return generate(GeneratorConfig(contacts=4000, seed=12, as_of=AS_OF, profile="messy"))


@pytest.fixture(scope="session")
def clean():
    return generate(GeneratorConfig(contacts=2000, seed=13, as_of=AS_OF, profile="clean"))


@pytest.fixture(scope="session")
def typical_dir(typical, tmp_path_factory):
    return write_dataset(typical, tmp_path_factory.mktemp("typical") / "ds")


@pytest.fixture(scope="session")
def messy_parquet_dir(messy, tmp_path_factory):
    """The messy dataset written as Parquet files."""
    parquet = dataclasses.replace(messy, config=dataclasses.replace(messy.config, format="parquet"))
    return write_dataset(parquet, tmp_path_factory.mktemp("messy_parquet") / "ds")


SPARK_NEEDS_JAVA = "PySpark local mode needs Java 17: apt-get install openjdk-17-jre-headless"


#: the tests' tables have a few hundred rows, which Spark runs faster interpreted than compiled: generating
#: and compiling Java for each of a few thousand small queries costs more than it saves (about a quarter of
#: the conformance tests' time). The results are the same (Spark's interpreted and compiled paths are one
#: semantics), and gdprlab's own sessions keep Spark's defaults, for data of real size.
SPARK_TEST_SETTINGS = {"spark.sql.codegen.wholeStage": "false", "spark.sql.codegen.factoryMode": "NO_CODEGEN",
                       "spark.sql.adaptive.enabled": "false"}


@pytest.fixture(scope="session")
def spark_backend():
    """An Ibis backend on PySpark in local mode, started once per session (about 10 s), or a skip saying
    what is missing."""
    pytest.importorskip("pyspark", reason="PySpark is not installed: pip install pyspark")
    if shutil.which("java") is None:
        pytest.skip(SPARK_NEEDS_JAVA)
    submit = os.environ.get("PYSPARK_SUBMIT_ARGS")
    os.environ["PYSPARK_SUBMIT_ARGS"] = f'--driver-java-options "{SPARK_TEST_JAVA_OPTIONS}" pyspark-shell'
    try:
        backend = connect("spark", threads=1)
    except Exception as error:  # noqa: BLE001 - e.g. a Java too old for this PySpark: skip, saying so
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        pytest.skip(f"{SPARK_NEEDS_JAVA} ({type(error).__name__}: {first_line[:200]})")
    finally:  # read when the Java process starts, and only then
        if submit is None:
            os.environ.pop("PYSPARK_SUBMIT_ARGS", None)
        else:
            os.environ["PYSPARK_SUBMIT_ARGS"] = submit
    for key, value in SPARK_TEST_SETTINGS.items():
        backend.raw_sql(f"SET {key}={value}")
    yield backend
    backend.disconnect()


@pytest.fixture(scope="session")
def pg_engine():
    """The test PostgreSQL server, or a skip that says why it is not there."""
    pytest.importorskip("psycopg", reason="psycopg is not installed: PostgreSQL tests skipped")
    engine = sa.create_engine(PG_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as error:
        engine.dispose()
        first_line = str(error.orig).splitlines()[0] if error.orig else str(error)
        pytest.skip(f"PostgreSQL not reachable at {PG_URL} ({first_line}): PostgreSQL tests skipped")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_schema(pg_engine):
    """A PostgreSQL schema of the test's own, dropped afterwards."""
    name = f"gdprlab_test_{uuid.uuid4().hex[:12]}"
    with pg_engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    yield name
    with pg_engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))


@pytest.fixture
def private_home(tmp_path, monkeypatch):
    """Never touch the real ~/.local/share or an outside database (modules use it with usefixtures)."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))
    monkeypatch.delenv("GDPRLAB_DB_URL", raising=False)
    monkeypatch.delenv("GDPRLAB_OUTBOX_DIR", raising=False)
