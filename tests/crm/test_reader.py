"""One export file read as text, however it is written; what was detected is reported; damage is refused."""

from __future__ import annotations

import codecs

import numpy as np
import pandas as pd
import pytest

from gdprlab.crm.io import DatasetError
from gdprlab.crm.reader import read_file, skip_reason

ROWS = [["Id", "LastName", "Note"], ["1", "Müller", "rang; wants a call, later"], ["2", "Zoë", "ok"]]


def _write(path, delimiter, encoding="utf-8", newline="\n", quote_all=False):
    lines = []
    for row in ROWS:
        cells = [f'"{c}"' if quote_all or delimiter in c or "," in c or ";" in c else c for c in row]
        lines.append(delimiter.join(cells))
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


@pytest.mark.parametrize(
    "delimiter, name", [(",", "comma"), (";", "semicolon"), ("\t", "tab"), ("|", "pipe")]
)
def test_the_delimiter_is_detected(tmp_path, delimiter, name):
    (sheet,) = read_file(_write(tmp_path / "Contact.csv", delimiter))
    assert sheet.frame.values.tolist() == ROWS[1:]
    assert list(sheet.frame.columns) == ROWS[0]
    assert sheet.detected.to_dict()["delimiter"] == name


def _delimiter_in_a_child(path) -> tuple[str, bool]:
    """The delimiter read in this (forked) process, and whether it sniffed with a DuckDB of its own."""
    import os

    from gdprlab.crm import reader

    (sheet,) = read_file(path)
    own = reader._sniffer(os.getpid()) is not reader._sniffer(os.getppid())
    return sheet.detected.to_dict()["delimiter"], own


def test_one_sniffer_per_process_serves_every_file_and_a_forked_child_opens_its_own(tmp_path):
    """Opening DuckDB for each file cost four times its sniff; a batch's forked workers read files too."""
    import concurrent.futures as cf
    import multiprocessing as mp
    import os

    from gdprlab.crm import reader

    for name, delimiter in (("a.csv", ";"), ("b.csv", "\t")):
        read_file(_write(tmp_path / name, delimiter))
    assert reader._sniffer(os.getpid()) is reader._sniffer(os.getpid())
    assert reader._sniffer(os.getpid()).sql("SELECT current_setting('threads')").fetchall() == [(1,)]
    if "fork" not in mp.get_all_start_methods():
        pytest.skip("no fork on this platform")
    with cf.ProcessPoolExecutor(2, mp_context=mp.get_context("fork")) as pool:
        found = list(pool.map(_delimiter_in_a_child, [_write(tmp_path / f"{i}.csv", "|") for i in range(4)]))
    assert found == [("pipe", True)] * 4


@pytest.mark.parametrize(
    "encoding, shown, warned",
    [
        ("utf-8", "UTF-8", False),
        ("utf-8-sig", "UTF-8 with BOM", False),
        ("utf-16", "UTF-16", False),
        ("cp1252", "Windows-1252", True),
    ],
)
def test_the_encoding_is_detected_and_a_legacy_one_named_in_a_warning(tmp_path, encoding, shown, warned):
    (sheet,) = read_file(_write(tmp_path / "Contact.txt", "\t", encoding, "\r\n", quote_all=True))
    assert sheet.frame.values.tolist() == ROWS[1:]
    assert sheet.detected.encoding == shown
    assert bool(sheet.detected.warnings) is warned


def test_suffixes_are_read_whatever_their_case(tmp_path):
    path = _write(tmp_path / "CONTACT.CSV", ";")
    assert read_file(path)[0].frame.shape == (2, 3)
    pd.DataFrame({"Id": ["1"]}).to_excel(tmp_path / "Contact.XLSX", index=False)
    assert read_file(tmp_path / "Contact.XLSX")[0].frame.values.tolist() == [["1"]]


def test_every_sheet_of_a_workbook_is_read_with_its_name(tmp_path):
    with pd.ExcelWriter(tmp_path / "crm.xlsm", engine="openpyxl") as xl:
        pd.DataFrame({"Id": ["1"]}).to_excel(xl, sheet_name="Contact", index=False)
        pd.DataFrame({"Id": ["A"]}).to_excel(xl, sheet_name="Account", index=False)
    sheets = read_file(tmp_path / "crm.xlsm")
    assert [(s.name, s.detected.name) for s in sheets] == [
        ("Contact", "crm.xlsm[Contact]"),
        ("Account", "crm.xlsm[Account]"),
    ]


def test_a_csv_cut_off_inside_a_quoted_field_is_refused(tmp_path):
    path = tmp_path / "Contact.csv"
    path.write_text('Id,Note\n1,"fine"\n2,"called on Monday, said she would', encoding="utf-8")
    with pytest.raises(DatasetError, match=r"Contact\.csv: .*ends inside a quoted field.*cut off") as err:
        read_file(path)
    assert "Monday" not in str(err.value)


def test_a_ragged_row_names_its_line_not_its_content(tmp_path):
    path = tmp_path / "Contact.csv"
    path.write_text("Id;Name\n1;Anna\n2;Berta;Secret Value;x\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"line 3") as err:
        read_file(path)
    assert "Secret" not in str(err.value) and "Berta" not in str(err.value)


@pytest.mark.parametrize("content", [b"PK\x03\x04broken", b"", b"not a workbook at all"])
def test_a_corrupt_workbook_is_one_message(tmp_path, content):
    path = tmp_path / "Contact.xlsx"
    path.write_bytes(content)
    with pytest.raises(DatasetError, match=r"Contact\.xlsx: cannot be read as an Excel workbook"):
        read_file(path)


def test_binary_data_named_csv_is_one_message_naming_the_file_alone(tmp_path):
    """A file of random bytes saved as .csv: DuckDB's sniffer gives up; the message names the file, never
    the temporary copy of its first lines that was sniffed."""
    path = tmp_path / "Contact.csv"
    path.write_bytes(np.random.default_rng(3).integers(0, 256, 3000, dtype=np.uint8).tobytes())
    with pytest.raises(DatasetError) as err:
        read_file(path)
    message = str(err.value)
    assert message.startswith(f"{path}: no columns found") and message.count("/") == str(path).count("/")


def test_an_empty_text_file_is_named(tmp_path):
    (tmp_path / "Contact.csv").write_bytes(codecs.BOM_UTF8)
    with pytest.raises(DatasetError, match="is empty"):
        read_file(tmp_path / "Contact.csv")


@pytest.mark.parametrize(
    "name, reason",
    [
        ("~$Contacts.xlsx", "a lock file of an open spreadsheet"),
        (".~lock.Contacts.xlsx#", "a lock file of an open spreadsheet"),
        (".hidden.csv", "a hidden file"),
        ("notes.yml", "not a table file"),
        ("Contact.csv", None),
        ("Contact.TSV", None),
    ],
)
def test_files_that_are_not_tables_say_why(tmp_path, name, reason):
    found = skip_reason(tmp_path / name)
    assert found == reason or (reason and found.startswith(reason))


def test_a_file_of_another_kind_is_one_error(tmp_path):
    (tmp_path / "notes.yml").write_text("a: 1\n")
    with pytest.raises(DatasetError, match=r"notes\.yml: not a table file"):
        read_file(tmp_path / "notes.yml")
