"""Files and concurrency (issue 14): what holds personal data is owner-only, and no writer silently
overwrites another's work.

- The progress store, a generated dataset, findings, exports, run folders and index files are written
  owner-only (files 0600, folders 0700).
- Two index files written in the same second get two names.
- Concurrent `generate` runs into one folder: one wins, the others fail clearly (a lock per output folder).
- `generate --force` only ever replaces a folder that holds a gdprlab dataset and nothing else.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from gdprlab.cli.main import main
from gdprlab.crm import files
from gdprlab.crm.files import FolderBusy, exclusive
from gdprlab.generator import GeneratorConfig, generate, write_dataset
from gdprlab.generator.config import ConfigError
from gdprlab.runner import index
from gdprlab.runner.batch import new_run_folder
from gdprlab.training.store.progress import ProgressStore
from gdprlab.training.store.records import Attempt

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 6, 30)
ROSTER = ("staff_id,name,email,department,role,crm_access,start_date\n"
          "S1,Anna Muster,anna@example.com,sales,sales_rep,standard,2020-01-01\n")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def assert_private(folder: Path) -> None:
    """`folder` 0700 and everything in it 0600 (files) or 0700 (folders)."""
    assert mode(folder) == 0o700, folder
    for path in folder.rglob("*"):
        assert mode(path) == (0o700 if path.is_dir() else 0o600), path


@pytest.fixture(autouse=True)
def _private_home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))
    monkeypatch.setenv("GDPRLAB_OUTBOX_DIR", str(tmp_path / "home" / "outbox"))
    monkeypatch.delenv("GDPRLAB_DB_URL", raising=False)


@pytest.fixture(scope="module")
def small():
    return generate(GeneratorConfig(contacts=100, seed=1, as_of=AS_OF))


# --- owner-only ---------------------------------------------------------------------------------------


def test_the_progress_store_and_its_journal_are_owner_only(tmp_path):
    url = f"sqlite:///{tmp_path / 'store' / 'progress.sqlite'}"
    (tmp_path / "staff.csv").write_text(ROSTER)
    assert main(["progress", "import", str(tmp_path / "staff.csv"), "--db", url]) == 0
    with ProgressStore(url, grader=None) as store:
        store.record(Attempt(learner="S1", lesson="01_classification", quiz="q", bank_version="v1",
                             answers={}, score=1, max_score=1, passed=True))
        with store.engine.connect():  # the WAL journal and its index exist while a connection is open
            assert (tmp_path / "store" / "progress.sqlite-wal").exists()
            assert_private(tmp_path / "store")
    assert_private(tmp_path / "store")


def test_a_generated_dataset_is_owner_only(tmp_path, small):
    out = write_dataset(small, tmp_path / "ds")
    assert_private(out)
    names = {p.name for p in out.iterdir()}
    assert {"contacts.csv", "ground_truth.csv", "policy.yaml", "manifest.json"} <= names


def test_findings_exports_checkpoints_and_run_folders_are_owner_only(tmp_path, small, capsys):
    dataset = write_dataset(small, tmp_path / "ds")
    findings = tmp_path / "f" / "findings.json"
    engine = tmp_path / "engine.duckdb"
    assert main(["check", str(dataset), "--format", "json", "--out", str(findings), "--engine",
                 f"duckdb://{engine}", "--findings-table", "findings"]) == 0
    assert mode(tmp_path / "f" / "findings.json") == 0o600 and mode(tmp_path / "f") == 0o700
    assert mode(engine) == 0o600  # the engine's copy of the data and the violating ids

    url = f"sqlite:///{tmp_path / 'progress.sqlite'}"
    (tmp_path / "staff.csv").write_text(ROSTER)
    assert main(["progress", "import", str(tmp_path / "staff.csv"), "--db", url]) == 0
    export = tmp_path / "export"
    assert main(["progress", "export", "--db", url, "--out", str(export / "hr.csv"), "--xapi",
                 str(export / "xapi.json"), "--certificates", str(export / "certificates")]) == 0
    assert (export / "chain-heads.json").exists()
    assert_private(export)
    assert_private(tmp_path / "home" / "data" / "gdprlab" / "checkpoints")

    run = new_run_folder(tmp_path / "runs", "ds", AS_OF)
    assert mode(run) == 0o700 and mode(tmp_path / "runs") == 0o700
    csv_path, html_path = index.write_index(tmp_path / "runs", [])
    assert mode(csv_path) == mode(html_path) == 0o600


# --- unique index names -------------------------------------------------------------------------------


def test_two_index_files_written_in_the_same_second_keep_both(tmp_path, monkeypatch):
    class FrozenClock:
        class datetime:
            @staticmethod
            def now():
                return dt.datetime(2026, 6, 30, 12, 0, 0)

    slow_write = files.write_atomic

    def write_atomic(path, text, **options):
        time.sleep(0.2)  # both batches have picked their names before either writes
        return slow_write(path, text, **options)

    monkeypatch.setattr(index, "dt", FrozenClock)
    monkeypatch.setattr(index, "write_atomic", write_atomic)
    written: list[tuple[Path, Path]] = []
    threads = [threading.Thread(target=lambda: written.append(index.write_index(tmp_path, [])))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({csv for csv, _ in written}) == 2 and len({h for _, h in written}) == 2
    assert sorted(p.name for p in tmp_path.glob("index-*.csv")) == [
        "index-2026-06-30T120000.csv", "index-2026-06-30T120000_2.csv"]


# --- one writer per output folder ---------------------------------------------------------------------


def test_a_folder_lock_is_held_by_one_holder_at_a_time(tmp_path):
    with exclusive(tmp_path / "out"):
        with exclusive(tmp_path / "out"):  # the same thread may nest
            pass
        failed: list[BaseException] = []

        def other() -> None:
            try:
                with exclusive(tmp_path / "out"):
                    pass
            except FolderBusy as error:
                failed.append(error)

        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
        assert len(failed) == 1 and "another gdprlab process is writing" in str(failed[0])
    with exclusive(tmp_path / "out"):  # released
        pass
    assert not list(tmp_path.glob(".*.lock"))


def test_three_concurrent_generates_into_one_new_folder_one_wins_the_others_fail_clearly(tmp_path):
    out = tmp_path / "ds"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [subprocess.Popen([sys.executable, "-m", "gdprlab.cli.main", "generate", str(out), "--contacts",
                              "300", "--seed", str(seed), "--as-of", "2026-06-30", "--quiet"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            for seed in (1, 2, 3)]
    results = [(run.wait(timeout=300), run.stderr.read()) for run in runs]
    winners = [seed for seed, (code, _) in zip((1, 2, 3), results, strict=True) if code == 0]
    assert len(winners) == 1, results
    for code, err in results:
        if code != 0:
            assert code == 2 and ("another gdprlab process is writing" in err or "is not empty" in err), err
            assert "Traceback" not in err
    assert json.loads((out / "manifest.json").read_text())["seed"] == winners[0]


# --- --force replaces only a gdprlab dataset ----------------------------------------------------------


def test_force_never_replaces_a_folder_holding_git(tmp_path, small, capsys):
    out = tmp_path / "project"
    (out / ".git").mkdir(parents=True)
    (out / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    assert main(["generate", str(out), "--contacts", "20", "--quiet", "--force"]) == 2
    assert "no gdprlab dataset" in capsys.readouterr().err
    assert (out / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"


def test_force_replaces_a_dataset_but_not_one_with_other_content(tmp_path, small):
    out = write_dataset(small, tmp_path / "ds")
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match=r"more than a gdprlab dataset \(notes.txt\)"):
        write_dataset(small, out, force=True)
    assert (out / "notes.txt").read_text() == "mine"
    (out / "notes.txt").unlink()
    (out / "contacts.csv").write_text("tampered\n")
    assert write_dataset(small, out, force=True) == out
    assert (out / "contacts.csv").read_text() != "tampered\n"


def test_force_never_replaces_a_folder_whose_manifest_is_not_gdprlabs(tmp_path, small):
    out = tmp_path / "other"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"generator": "another tool", "files": {}}))
    with pytest.raises(ConfigError, match="no gdprlab dataset"):
        write_dataset(small, out, force=True)
    assert (out / "manifest.json").exists()
