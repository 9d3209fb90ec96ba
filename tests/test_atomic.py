"""Atomic writes leave either the whole new file or the old one, and no temporary files."""

from __future__ import annotations

import pytest

from gdprlab import atomic


def test_writes_the_text_and_creates_folders(tmp_path):
    path = atomic.write_atomic(tmp_path / "a" / "b.json", "{}\n")
    assert path.read_text() == "{}\n"
    assert [p.name for p in path.parent.iterdir()] == ["b.json"]


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
