"""`gdprlab generate` and `gdprlab summary`: synthetic datasets, bad options as one clear line."""

from __future__ import annotations

import json
import re

import pytest

from gdprlab.cli.main import main


def test_generate_then_summary(tmp_path, capsys):
    out = tmp_path / "ds"
    assert (
        main(
            [
                "generate",
                str(out),
                "--contacts",
                "300",
                "--seed",
                "4",
                "--as-of",
                "2026-06-30",
                "--rate",
                "retention_exceeded=0.1",
                "--quiet",
            ]
        )
        == 0
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["rates"]["retention_exceeded"] == 0.1
    assert main(["summary", str(out)]) == 0
    text = capsys.readouterr().out
    assert "contacts" in text and "retention_exceeded" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (["--contacts", "-3"], "--contacts"),
        (["--locales", "de_DE,xx_XX"], "xx_XX"),
        (["--rate", "retention_exceeded=2"], "between 0 and 1"),
        (["--rate", "retention_exceeded"], "RULE=RATE"),
    ],
)
def test_bad_options_exit_2_with_one_clear_line(tmp_path, capsys, args, message):
    assert main(["generate", str(tmp_path / "ds"), "--quiet", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "ds").exists()


def test_a_bad_date_is_refused_by_the_parser(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["generate", str(tmp_path / "ds"), "--as-of", "31/12/2026"])
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_an_existing_dataset_is_not_overwritten_without_force(tmp_path, capsys):
    out = tmp_path / "ds"
    out.mkdir()
    (out / "x.csv").write_text("a\n1\n")
    assert main(["generate", str(out), "--contacts", "20", "--quiet"]) == 2
    assert "--force" in capsys.readouterr().err


def test_summary_of_a_missing_folder_says_what_to_do(tmp_path, capsys):
    assert main(["summary", str(tmp_path / "nope")]) == 2
    assert "gdprlab generate" in capsys.readouterr().err


def test_summary_of_one_export_file_counts_its_sheets_and_names_one_it_cannot_read(tmp_path, capsys):
    export = tmp_path / "Contact.csv"
    export.write_text("Id;Email\r\n1;a@example.com\r\n2;b@example.com\r\n3;c@example.com\r\n",
                      encoding="utf-8")
    assert main(["summary", str(export)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Export file {export}")
    assert re.search(r"^  Contact +3 +2$", out, re.MULTILINE), out  # 3 rows, 2 columns
    assert "@" not in out  # counts only, never values
    broken = tmp_path / "broken.csv"
    broken.write_bytes(bytes(range(256)) * 8)
    assert main(["summary", str(broken)]) == 2
    assert f"{broken}: no columns found" in capsys.readouterr().err
