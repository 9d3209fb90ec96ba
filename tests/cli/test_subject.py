"""`gdprlab subject`: masked on the terminal, files owner-only, errors without personal data."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from subjects.subject_data import build, contact_of, request_of

from gdprlab.cli.main import main


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


def findings(path: Path) -> dict[str, list[str]]:
    return {f["rule_id"]: f["record_ids"] for f in json.loads(path.read_text())["findings"]}


def test_erase_then_check_passes_erasure_incomplete_for_the_person(people, tmp_path, capsys):
    """The first completed erasure with remains (a finding of erasure_incomplete) erased anew."""
    out = tmp_path / "e"
    assert main(["check", str(people), "--format", "json", "--out", str(tmp_path / "before.json")]) == 0
    request = findings(tmp_path / "before.json")["erasure_incomplete"][0]
    person = contact_of(people, request)
    assert main(["subject", "erase", str(people), "--id", person, "--request", request, "--out", str(out)]) \
        == 0
    capsys.readouterr()
    assert main(["check", str(out / "dataset"), "--format", "json", "--out", str(tmp_path / "f.json")]) == 0
    assert request not in findings(tmp_path / "f.json").get("erasure_incomplete", [])


def test_in_place_without_backup_is_refused(people, tmp_path, capsys):
    request = request_of(people, "C0001590", "erasure")
    code = main(["subject", "erase", str(people), "--id", "C0001590", "--request", request, "--out",
                 str(tmp_path / "e"), "--in-place"])
    assert code == 2 and "--backup" in capsys.readouterr().err
