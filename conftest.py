"""Keep every test run, lessons under nbval included, away from the user's own progress database.

Set before any kernel starts, so notebooks run by nbval or papermill inherit it too.
"""

import os
import tempfile


def pytest_configure(config):
    home = tempfile.mkdtemp(prefix="gdprlab-test-home-")
    os.environ["GDPRLAB_DB_URL"] = f"sqlite:///{home}/progress.sqlite"
    os.environ["GDPRLAB_OUTBOX_DIR"] = home
    os.environ["XDG_CONFIG_HOME"] = os.path.join(home, "config")
    os.environ["XDG_DATA_HOME"] = os.path.join(home, "data")
    os.environ.pop("JUPYTERHUB_USER", None)
    # the training dashboard notebook reads this run's store, which reading never creates: made here, empty,
    # so that the notebook shows an organisation before its first attempt whichever tests ran before it (on
    # its pytest-xdist worker: each worker has a home of its own)
    from gdprlab.training.store.progress import ProgressStore

    with ProgressStore() as store:
        store.attempts()


def pytest_collection_modifyitems(config, items):
    """The files holding a slow test first, the rest after, each in its own order: pytest-xdist gives each
    file to one worker in this order (--dist loadfile), and a slow file handed out last kept one worker
    busy for minutes after the others had finished (the browser tests of tests/training, last by name)."""
    slow = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow)  # stable: each file's tests keep their order
