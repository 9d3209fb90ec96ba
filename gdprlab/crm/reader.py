"""One export file read as text tables, and what was found out about how it is written.

Every command that reads an export (`scan`, `check`, `evaluate`, `summary`, the assessment notebook) reads
its files here, through gdprlab.crm.exports. Detection uses established parsers rather than guesses written
here: a byte-order mark or a strict UTF-8 decode settles UTF-8 and UTF-16, charset-normalizer names any other
encoding (Windows-1252, Latin-1, …; read with a warning); DuckDB's CSV sniffer finds the delimiter
(`,` `;` tab `|`), quoting and header row on a sample; pyarrow reads the whole file with what was found
(pandas when pyarrow refuses, for an error that names the line without quoting it); python-calamine reads
workbooks (.xlsx, .xlsm, .xls), every sheet, with date cells as ISO text. Values stay text: decimal commas,
dates and checkboxes are read per column by gdprlab.crm.io.convert.

A file ending inside a quoted field (cut off in a download or by an editor) is refused, not read as one long
last value. Nothing read from a file ever appears in an error: rows and columns are named, values are not.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from gdprlab.crm.io import DatasetError

#: file suffix (lower case) -> how it is read
FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
    ".parquet": "parquet",
}
DELIMITERS = (",", ";", "\t", "|")
_SAMPLE = 1 << 20  # bytes read to settle the encoding
_SNIFFED = 1 << 16  # characters of it given to the dialect sniffer (a few hundred rows)
_BLOCK = 16 << 20  # bytes parsed per pyarrow block (as gdprlab.crm.io)
_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
#: encodings charset-normalizer chooses from for a file that is not UTF-8: what Excel and older CRMs write
#: in Western Europe and the Americas
_LEGACY = ["cp1252", "latin_1"]


@dataclass
class Detected:
    """How one file (or sheet) is written and what was read from it; shown to the auditor."""

    file: str
    format: str
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    quote: str | None = None
    header: bool = True
    rows: int = 0
    table: str | None = None
    dates: dict[str, str] = field(default_factory=dict)  # column -> how its dates were read
    timezone: str | None = None  # zone naive times were taken in, when the file has any
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.file}[{self.sheet}]" if self.sheet is not None else self.file

    def to_dict(self) -> dict:
        return {
            "file": self.name,
            "table": self.table,
            "format": self.format,
            "encoding": self.encoding,
            "delimiter": _NAMES.get(self.delimiter, self.delimiter),
            "quote": self.quote,
            "header": self.header,
            "rows": self.rows,
            "dates": dict(self.dates),
            "timezone": self.timezone,
            "warnings": list(self.warnings),
        }

    def describe(self) -> str:
        """One line: 'Contact.csv: csv, UTF-8 with BOM, semicolon-separated, 2,000 rows -> contacts'."""
        how = [self.format]
        if self.encoding:
            how.append(self.encoding)
        if self.delimiter:
            how.append(f"{_NAMES.get(self.delimiter, repr(self.delimiter))}-separated")
        how.append(f"{self.rows:,} rows")
        if self.dates:
            how.append("dates " + ", ".join(f"{c} {o}" for c, o in self.dates.items()))
        if self.timezone:
            how.append(f"times without offset read as {self.timezone}")
        return f"{self.name}: {', '.join(how)}" + (f" -> {self.table}" if self.table else "")


@dataclass
class Sheet:
    """One table-shaped part of a file: the file itself, or one sheet of a workbook."""

    name: str  # file stem, or sheet name
    frame: pd.DataFrame  # every value as text (empty text for an empty cell); parquet keeps its types
    detected: Detected
    sheet: str | None = None  # a workbook sheet's own name


def skip_reason(path: Path) -> str | None:
    """Why a file in an export folder is not read, or None when it is a table file."""
    name = path.name
    if name.startswith("~$") or name.startswith(".~lock"):
        return "a lock file of an open spreadsheet"
    if name.startswith("."):
        return "a hidden file"
    if path.suffix.lower() not in FORMATS:
        return f"not a table file (reads {', '.join(FORMATS)})"
    return None


def read_file(path: Path) -> list[Sheet]:
    """The file's tables as text frames with what was detected; DatasetError (naming the file, never its
    contents) for anything that cannot be read."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise DatasetError(
            f"{path}: {skip_reason(path)}; pass a .csv, .tsv, .txt, .xlsx, .xlsm or .parquet "
            "file or a folder of them"
        )
    try:
        if kind == "csv":
            return [_read_text(path)]
        if kind == "parquet":
            frame = pd.read_parquet(path)
            return [Sheet(path.stem, frame, Detected(path.name, "parquet", rows=len(frame)))]
        return _read_workbook(path)
    except DatasetError:
        raise
    except MemoryError:
        raise
    except Exception as exc:  # any library's failure on a damaged file is one message, never a traceback
        what = {"csv": "a delimited text file", "parquet": "a Parquet file", "excel": "an Excel workbook"}[
            kind
        ]
        raise DatasetError(
            f"{path}: cannot be read as {what} ({type(exc).__name__}: "
            f"{_first_line(exc)}); export it again or leave it out of the folder"
        ) from None


def _first_line(exc: Exception) -> str:
    """An exception's first line, cut short: libraries' own messages name the problem, not the data."""
    text = str(exc).splitlines()[0] if str(exc) else "no details"
    return text[:120]


# ------------------------------------------------------------------------------------------------------
# delimited text
# ------------------------------------------------------------------------------------------------------


def detect_encoding(path: Path, sample: bytes) -> tuple[str, str, str | None]:
    """(Python codec, name shown, warning or None) of a text file from its first bytes."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8", "UTF-8 with BOM", None
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "UTF-16", None
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not merely a character cut at the sample's end
            return _legacy(path)
    return "utf-8", "UTF-8", None


def _legacy(path: Path) -> tuple[str, str, str]:
    from charset_normalizer import from_bytes

    with path.open("rb") as f:
        data = f.read(8 * _SAMPLE)
    best = from_bytes(data, cp_isolation=_LEGACY).best()
    codec = best.encoding if best is not None else "cp1252"
    shown = {
        "cp1252": "Windows-1252",
        "latin_1": "Latin-1 (ISO 8859-1)",
        "iso8859_15": "Latin-9 (ISO 8859-15)",
        "cp1250": "Windows-1250",
        "mac_roman": "Mac Roman",
    }.get(codec, codec)
    return (
        codec,
        shown,
        (f"not UTF-8: read as {shown}; check that accented letters look right, or export it again as UTF-8"),
    )


@functools.cache
def _sniffer(process: int):
    """The DuckDB that sniffs files in process `process` (os.getpid(): a forked child, a batch's worker,
    opens its own rather than use its parent's), opened once: opening one took 19 ms, four times the sniff
    of a sample, for every file read. Each sniff takes a cursor of its own. One thread: a child forked
    from this process copies no thread of it."""
    import duckdb

    return duckdb.connect(config={"threads": 1})


def _sniff(path: Path, text: str) -> tuple[str, str | None, str | None, bool]:
    """(delimiter, quote, escape, header) of a sample of `path` by DuckDB's CSV sniffer."""
    import duckdb

    with tempfile.TemporaryDirectory() as tmp:
        sample = Path(tmp) / "sample.csv"
        sample.write_text(text, encoding="utf-8")
        con = _sniffer(os.getpid()).cursor()
        try:
            found = con.execute(
                "SELECT Delimiter, Quote, Escape, HasHeader FROM sniff_csv(?, "
                "sample_size = -1, all_varchar = true, null_padding = false)",
                [str(sample)],
            ).fetchone()
        except duckdb.Error:  # its message names the sample's temporary copy, not the file
            raise DatasetError(
                f"{path}: no columns found in its first lines (no delimiter, quoting and rows of one "
                "width): not a text export, or a damaged one; export it again or leave it out of the folder"
            ) from None
        finally:
            con.close()
    delimiter, quote, escape, header = found
    none = ("(empty)", "", "\x00")
    return (
        delimiter if delimiter in DELIMITERS else ",",
        None if quote in none else quote,
        None if escape in none else escape,
        bool(header),
    )


def _read_text(path: Path) -> Sheet:
    with path.open("rb") as f:
        raw = f.read(_SAMPLE)
    codec, shown, warning = detect_encoding(path, raw)
    text = raw.decode(codec, errors="ignore")
    if text.startswith("\ufeff"):
        text = text[1:]
    if len(text) > _SNIFFED or len(raw) == _SAMPLE:  # sniff whole lines only
        text = text[:_SNIFFED]
        text = text[: max(text.rfind("\n"), 0)] or text
    if not text.strip():
        raise DatasetError(f"{path}: is empty; export it again with its header row")
    delimiter, quote, escape, header = (
        ("\t", '"', None, True) if path.suffix.lower() == ".tsv" else _sniff(path, text)
    )
    quote = quote or '"'
    names = next(csv.reader(io.StringIO(text), delimiter=delimiter, quotechar=quote, escapechar=escape), [])
    if not header:
        names = [f"column_{i + 1}" for i in range(len(names))]
    frame, last = _parse(path, codec, delimiter, quote, escape, header, names)
    if escape in (None, quote) and last is not None:
        wide = "utf-16-be" if raw.startswith(codecs.BOM_UTF16_BE) else "utf-16-le"
        _check_end(path, wide if codec == "utf-16" else codec, quote, delimiter, last)
    detected = Detected(
        path.name,
        "csv",
        encoding=shown,
        delimiter=delimiter,
        quote=quote,
        header=header,
        rows=len(frame),
        warnings=[warning] if warning else [],
    )
    return Sheet(path.stem, frame, detected)


def _check_end(path: Path, codec: str, quote: str, delimiter: str, last: str) -> None:
    """Refuse a file that ends inside a quoted field (pyarrow reads the rest of the file into the last value).

    Only the last field can hide it (a field cut off earlier leaves its row short, which the parsers
    refuse): the file ends with that value, and the value was opened by a quote and never closed. When the
    end does not show it plainly (the value holds doubled quotes), pandas' parser reads the whole file
    and names the row where the unclosed field starts."""
    value, mark = last.encode(codec), quote.encode(codec)
    newlines = tuple(c.encode(codec) for c in "\r\n")
    size = path.stat().st_size
    with path.open("rb") as f:
        f.seek(max(size - len(value) - 64, 0))
        tail = f.read()
    while tail.endswith(newlines):
        tail = tail[: -len(newlines[0])]
    if tail.endswith(mark) and not value.endswith(mark):
        return  # a closed quoted field
    if tail.endswith(value) and not tail[: len(tail) - len(value)].endswith(mark):
        return  # an unquoted last field
    try:
        pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            sep=delimiter,
            quotechar=quote,
            encoding="utf-16" if codec.startswith("utf-16") else codec,
            engine="c",
            low_memory=False,
        )
    except pd.errors.ParserError as exc:
        raise DatasetError(
            f"{path}: {_parser_problem(exc)}; the file was cut off or a closing quote is "
            "missing: export it again"
        ) from None


def _parser_problem(exc: Exception) -> str:
    text = _first_line(exc).replace("Error tokenizing data. C error: ", "")
    return text.replace("EOF inside string", "the file ends inside a quoted field")


def _parse(
    path: Path, codec: str, delimiter: str, quote: str, escape: str | None, header: bool, names: list[str]
) -> tuple[pd.DataFrame, str | None]:
    """The file as text columns, and the last value pyarrow read (None: pandas read it, and checks the
    file's end itself)."""
    if len(set(names)) == len(names):
        try:
            table = pacsv.read_csv(
                path,
                read_options=pacsv.ReadOptions(
                    block_size=_BLOCK,
                    encoding="utf8" if codec == "utf-8" else codec,
                    column_names=None if header else names,
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter,
                    quote_char=quote,
                    newlines_in_values=True,
                    double_quote=escape in (None, quote),
                    escape_char=escape if escape not in (None, quote) else False,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except (pa.ArrowInvalid, UnicodeDecodeError):
            pass
        else:
            if table.column_names == names:
                last = table.column(len(names) - 1)[-1].as_py() if table.num_rows and names else None
                return table.to_pandas(), last
    try:
        frame = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            sep=delimiter,
            quotechar=quote,
            escapechar=escape if escape != quote else None,
            encoding=codec,
            header=0 if header else None,
            names=None if header else names,
            engine="c",
            low_memory=False,
        )
        return frame, None
    except pd.errors.ParserError as exc:
        problem = _parser_problem(exc)
        advice = (
            "the file was cut off or a closing quote is missing: export it again"
            if "quoted field" in problem
            else f"read as {_NAMES[delimiter]}-separated, every row needs as many fields as the header"
        )
        raise DatasetError(f"{path}: {problem}; {advice}") from None
    except UnicodeDecodeError as exc:
        raise DatasetError(
            f"{path}: byte {exc.start} is not {codec} text; export it again as UTF-8"
        ) from None


# ------------------------------------------------------------------------------------------------------
# workbooks
# ------------------------------------------------------------------------------------------------------


def _read_workbook(path: Path) -> list[Sheet]:
    sheets = pd.read_excel(path, sheet_name=None, dtype=str, keep_default_na=False, engine="calamine")
    out = []
    for name, frame in sheets.items():
        frame.columns = [str(c) for c in frame.columns]
        detected = Detected(
            path.name, "excel", sheet=None if len(sheets) == 1 else str(name), rows=len(frame)
        )
        out.append(Sheet(path.stem if len(sheets) == 1 else str(name), frame, detected, sheet=str(name)))
    return out
