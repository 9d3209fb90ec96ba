"""CSV files written by gdprlab are byte for byte what pandas' to_csv writes; files are written atomically;
CSV cells that a spreadsheet would run as formulas are made text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gdprlab.crm import files as atomic
from gdprlab.crm import files as csvfile
from gdprlab.crm.files import safe_cell, write_csv
from gdprlab.generator import GeneratorConfig, generate
from gdprlab.generator.dataset import _for_file

AWKWARD = ["a\rb", "a\nb", "a,b", 'a"b', " a ", "", "x\tb", "é,", "a;b", '"', None, "plain", "=1+2", "\u00a0"]


def same_as_pandas(df: pd.DataFrame, tmp_path) -> bool:
    mine, theirs = tmp_path / "mine.csv", tmp_path / "pandas.csv"
    write_csv(df, mine)
    df.to_csv(theirs, index=False, lineterminator="\n")
    return mine.read_bytes() == theirs.read_bytes()


def test_awkward_text_bools_and_integers_are_written_as_pandas_writes_them(tmp_path):
    n = len(AWKWARD)
    df = pd.DataFrame({
        "text": pd.Series(AWKWARD, dtype="str"),
        "objects": np.array(AWKWARD[::-1], dtype=object),
        "flag": [True, False] * (n // 2),
        "maybe": pd.array([True, None] * (n // 2), dtype="boolean"),
        "count": pd.array([1, None] * (n // 2), dtype="Int64"),
        "plain int": np.arange(n),
        "nothing": np.array([None] * n, dtype=object),
        'head,"quoted"': ["x"] * n,
    })
    assert same_as_pandas(df, tmp_path)


@pytest.mark.parametrize("df", [
    pd.DataFrame({"only": ["a", "", None]}),  # one column: an empty field is written ""
    pd.DataFrame({"x": [1.5, np.nan], "y": ["a", "b"]}),  # floats: pandas' own formatting
    pd.DataFrame({"x": [1, "mixed"], "y": ["a", "b"]}, dtype=object),
    pd.DataFrame({"x": pd.to_datetime(["2026-01-01", None]), "y": ["a", "b"]}),
    pd.DataFrame({"x": pd.Series([], dtype="str"), "y": pd.Series([], dtype="Int64")}),
])
def test_columns_it_does_not_render_are_left_to_pandas(df, tmp_path):
    assert same_as_pandas(df, tmp_path)


@pytest.mark.parametrize("profile", ["clean", "typical", "messy"])
def test_every_generated_table_is_written_as_pandas_writes_it(profile, tmp_path, monkeypatch):
    monkeypatch.setattr(csvfile, "BLOCK_ROWS", 700)  # several blocks per large table
    ds = generate(GeneratorConfig(contacts=1_500, seed=5, as_of=dt.date(2026, 6, 30), profile=profile))
    for name, df in ds.tables.items():
        assert same_as_pandas(_for_file(name, df), tmp_path), name


@pytest.mark.parametrize("dtype, unit, fmt", [("date", "D", "%Y-%m-%d"),
                                              ("datetime", "s", "%Y-%m-%dT%H:%M:%SZ")])
def test_dates_and_timestamps_are_written_in_iso_8601(dtype, unit, fmt):
    from gdprlab.generator.dataset import _text_column

    stamps = pd.Series(pd.to_datetime(["2026-01-31 23:59:59", None, "1999-12-31 00:00:00"]))
    expected = [s.strftime(fmt) if pd.notna(s) else None for s in stamps]
    assert [v if pd.notna(v) else None for v in _text_column(stamps, dtype)] == expected
    old = pd.Series(np.array(["0999-05-01T10:00:00", "NaT"], dtype="datetime64[s]"))  # a 3-digit year
    written = _text_column(old, dtype)
    suffix = "Z" if unit == "s" else ""
    assert written.iloc[0] == np.datetime_as_string(old.to_numpy()[0], unit=unit) + suffix
    assert pd.isna(written.iloc[1])


# atomic writes: the whole new file or the old one, and no temporary files

def test_writes_the_text_and_creates_folders(tmp_path):
    path = atomic.write_atomic(tmp_path / "a" / "b.json", "{}\n")
    assert path.read_text() == "{}\n"
    assert [p.name for p in path.parent.iterdir()] == ["b.json"]


def test_bytes_are_written_as_they_are_owner_only_from_the_start(tmp_path, monkeypatch):
    """An archive (the portability.zip of an access request) is personal data: its temporary file is
    already 0600 while it is written, under a name no other write of the folder uses."""
    modes = []
    real_replace = atomic.os.replace

    def replace(source, target):
        modes.append(Path(source).stat().st_mode & 0o777)
        real_replace(source, target)

    monkeypatch.setattr(atomic.os, "replace", replace)
    data = bytes(range(256)) + b"\r\n"
    path = atomic.write_atomic(tmp_path / "portability.zip", data)
    assert path.read_bytes() == data and modes == [0o600] and path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["portability.zip"]


def test_a_failed_write_keeps_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "report.csv"
    target.write_text("old")

    def boom(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", boom)
    with pytest.raises(OSError):
        atomic.write_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.csv"]


def test_fsync_flushes_the_text_to_disk_before_the_rename(tmp_path, monkeypatch):
    synced = []
    real_fsync = atomic.os.fsync

    def fsync(fd):
        synced.append(atomic.os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    atomic.write_atomic(tmp_path / "plain.txt", "x")
    assert synced == []
    path = atomic.write_atomic(tmp_path / "outbox.jsonl", "{}\n", fsync=True)
    assert len(synced) == 1 and ".outbox.jsonl." in synced[0] and path.read_text() == "{}\n"


@pytest.mark.parametrize("mode", [0o600, 0o640])
def test_mode_sets_the_permissions_of_the_written_file(tmp_path, mode):
    path = atomic.write_atomic(tmp_path / "secret.txt", "s", mode=mode)
    assert path.stat().st_mode & 0o777 == mode


# CSV injection: a cell a spreadsheet would run is shown as text

@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", " =1+1"])
def test_formula_like_cells_are_prefixed_with_a_quote(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["customer", "a=b", "", 3, 0.5, None])
def test_other_cells_are_left_alone(value):
    assert safe_cell(value) == ("" if value is None else value)
