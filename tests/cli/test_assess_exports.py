"""Real export folders through `gdprlab assess`, as through `check`: a file that cannot be read is listed and
the others are assessed; the command exits 2 after writing every output unless `--keep-going`, and the batch
summary names the dataset and the files not read (names only, never values). `--date-order` and
`--timezone` reach the notebook's reader as they reach check's. One small assess run per test (papermill)."""

from __future__ import annotations

import json

from gdprlab.cli.main import main

AMBIGUOUS = (  # no day above 12: the birth dates read both day-first and month-first
    "Id,FirstName,LastName,Email,Birthdate,CreatedDate\n"
    "1,Anna,Muster,anna@example.de,03/04/1982,04/05/2026 10:00:00\n"
    "2,Ben,Beispiel,ben@example.de,11/12/1975,06/01/2026 09:30:00\n"
)
VALUES = ("Anna", "Muster", "anna@example.de", "Beispiel", "03/04/1982")


def _assess(capsys, tmp_path, folder, *options):
    out = tmp_path / "out"
    code = main(["assess", str(folder), "--out", str(out), "--quiet", "-p", "as_of", "2026-06-30", *options])
    stdout, stderr = capsys.readouterr()
    assert "Traceback" not in stdout + stderr
    assert not any(v in stdout + stderr for v in VALUES)  # file names, never values
    (run_folder,) = [p for p in out.iterdir() if p.is_dir()]
    return code, stdout, stderr, run_folder


def _export(tmp_path, contacts: str):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "Contact.csv").write_text(contacts, encoding="utf-8")
    (folder / "Account.xlsx").write_bytes(b"PK\x03\x04 cut off")  # a corrupt workbook
    return folder


def test_an_unreadable_file_makes_assess_exit_2_after_writing_its_outputs(tmp_path, capsys):
    folder = _export(tmp_path, AMBIGUOUS.replace("03/04/1982", "29/03/1982"))  # day first, as it shows
    code, stdout, stderr, run = _assess(capsys, tmp_path, folder)
    assert code == 2
    assert "1 of 1 runs succeeded" in stdout
    assert "  export: " in stdout  # the dataset, then what was not read under it
    assert "1 file(s) could not be read and were left out: Account.xlsx" in stdout
    assert "files of export could not be read (--keep-going to accept)" in stderr
    assert (run / "report.html").is_file() and (run / "findings.csv").is_file()
    files = {f["file"]: f for f in json.loads((run / "findings.json").read_text())["files"]}
    assert files["Account.xlsx"]["status"] == "failed" and files["Contact.csv"]["status"] == "read"
    assert json.loads((run / "run.json").read_text())["files_not_read"] == 1


def test_keep_going_accepts_the_unread_file_and_date_order_and_timezone_reach_the_reader(tmp_path, capsys):
    folder = _export(tmp_path, AMBIGUOUS)
    code, stdout, _, run = _assess(capsys, tmp_path, folder, "--keep-going", "--date-order", "mdy",
                                   "--timezone", "Europe/Berlin")
    assert code == 0
    assert "1 file(s) could not be read and were left out: Account.xlsx" in stdout  # still listed
    files = {f["file"]: f for f in json.loads((run / "findings.json").read_text())["files"]}
    assert files["Contact.csv"]["dates"] == {"birth_date": "MM/DD/YYYY (as --date-order says)",
                                             "created_at": "MM/DD/YYYY (as --date-order says)"}
    assert files["Contact.csv"]["timezone"] == "Europe/Berlin"
    parameters = json.loads((run / "run.json").read_text())["parameters"]
    assert (parameters["date_order"], parameters["timezone"]) == ("mdy", "Europe/Berlin")


def test_without_date_order_an_ambiguous_file_is_not_read_with_checks_reason(tmp_path, capsys):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "Contact.csv").write_text(AMBIGUOUS, encoding="utf-8")
    (folder / "Account.csv").write_text("Id,Name\nA1,Acme\n", encoding="utf-8")
    code, stdout, _, run = _assess(capsys, tmp_path, folder)
    assert code == 2
    assert "1 file(s) could not be read and were left out: Contact.csv" in stdout
    files = {f["file"]: f for f in json.loads((run / "findings.json").read_text())["files"]}
    assert files["Contact.csv"]["status"] == "failed"
    assert "column 'birth_date' has dates that read both day-first and month-first" in (
        files["Contact.csv"]["reason"])
    assert "--date-order dmy or --date-order mdy" in files["Contact.csv"]["reason"]
