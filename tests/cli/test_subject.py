"""`gdprlab subject`: masked on the terminal, files owner-only, errors without personal data."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import pytest

from gdprlab.cli.main import main

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "subjects"))
from conftest import build  # noqa: E402  (the subject tests' dataset)


@pytest.fixture(scope="module")
def people(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("cli_subject") / "ds")


def test_find_prints_masked_values_and_writes_the_extract_owner_only(people, tmp_path, capsys):
    extract = tmp_path / "x.json"
    assert (
        main(["subject", "find", str(people), "--email", "krystyna.cis@wp.pl", "--extract", str(extract)])
        == 0
    )
    out = capsys.readouterr().out
    assert "C0000001" in out and "k***@w***.pl" in out and "krystyna" not in out.lower()
    assert stat.S_IMODE(extract.stat().st_mode) == 0o600 and json.loads(extract.read_text())["people"] == 1


def test_find_says_when_nobody_matches(people, capsys):
    assert main(["subject", "find", str(people), "--email", "nobody@example.invalid"]) == 1
    assert "no record found" in capsys.readouterr().out


def test_access_writes_the_answer(people, tmp_path, capsys):
    assert main(["subject", "access", str(people), "--id", "C0000001", "--out", str(tmp_path / "a")]) == 0
    assert (tmp_path / "a" / "access.html").is_file() and (tmp_path / "a" / "portability.zip").is_file()
    assert "access answer in pl" in capsys.readouterr().out


def test_an_ambiguous_name_is_an_error_without_the_name(people, tmp_path, capsys):
    code = main(["subject", "access", str(people), "--name", "Börje Andersson", "--out", str(tmp_path / "a")])
    err = capsys.readouterr().err
    assert code == 2 and "2 different people" in err and "Börje" not in err and "Andersson" not in err


def test_erase_then_check_passes_erasure_incomplete_for_the_person(people, tmp_path, capsys):
    out = tmp_path / "e"
    assert (
        main(["subject", "erase", str(people), "--id", "C0000959", "--request", "R000072", "--out", str(out)])
        == 0
    )
    capsys.readouterr()
    assert main(["check", str(out / "dataset"), "--format", "json", "--out", str(tmp_path / "f.json")]) == 0
    found = json.loads((tmp_path / "f.json").read_text())
    failed = {f["rule_id"]: f["record_ids"] for f in found["findings"]}
    assert "R000072" not in failed.get("erasure_incomplete", [])
    assert "erasure_incomplete" in found["passed"] or failed.get("erasure_incomplete")


def test_in_place_without_backup_is_refused(people, tmp_path, capsys):
    code = main(
        [
            "subject",
            "erase",
            str(people),
            "--id",
            "C0000959",
            "--request",
            "R000072",
            "--out",
            str(tmp_path / "e"),
            "--in-place",
        ]
    )
    assert code == 2 and "--backup" in capsys.readouterr().err
