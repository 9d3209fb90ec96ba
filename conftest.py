"""Keep every test run, lessons under nbval included, away from the user's own progress database, and
keep together under pytest-xdist what must run in one process.

Set before any kernel starts, so notebooks run by nbval or papermill inherit it too.
"""

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
#: test files whose tests start PySpark by name (tests/audit/rules/boundary.backend asks for the
#: spark_backend fixture at run time)
SPARK_FILES = {"tests/audit/rules/test_conformance.py", "tests/audit/rules/test_base.py"}


def pytest_configure(config):
    home = tempfile.mkdtemp(prefix="gdprlab-test-home-")
    os.environ["GDPRLAB_DB_URL"] = f"sqlite:///{home}/progress.sqlite"
    os.environ["GDPRLAB_OUTBOX_DIR"] = home
    os.environ["XDG_CONFIG_HOME"] = os.path.join(home, "config")
    os.environ["XDG_DATA_HOME"] = os.path.join(home, "data")
    os.environ.pop("JUPYTERHUB_USER", None)
    # the training dashboard notebook reads this run's store, which reading never creates: made here, empty,
    # so that the notebook shows an organisation before its first attempt whichever tests ran before it
    from gdprlab.training.store.progress import ProgressStore

    with ProgressStore() as store:
        store.attempts()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist (`python3 run.py test` runs a worker per core, --dist loadgroup): the tests that use
    PySpark run on one worker, so that one Java process serves them all; the notebooks (nbval) on one
    worker, in the order collected, each cell after the one before in its kernel, and the training
    dashboard after the lessons whose attempts it reads from this run's store. Other tests go to any
    worker."""
    for item in items:
        where = item.path.relative_to(ROOT).as_posix() if item.path.is_relative_to(ROOT) else ""
        if "spark_backend" in getattr(item, "fixturenames", ()) or where in SPARK_FILES:
            item.add_marker(pytest.mark.xdist_group("spark"))
        elif item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.xdist_group("notebooks"))
