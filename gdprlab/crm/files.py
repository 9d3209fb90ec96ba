"""Files gdprlab writes: atomically (complete or absent), tables as CSV, and CSV cells a spreadsheet shows
as text.

CSV is written byte for byte as pandas' `to_csv(index=False, lineterminator="\\n")` does, faster.

pandas turns every text value into a Python object and quotes it in Python: about 25 s for a dataset of a
million contacts. Here each column is rendered once by pyarrow's string kernels (quoted only where the csv
module quotes: a comma, a double quote or a line break, with inner quotes doubled; missing values empty)
and the rows are joined into one buffer, written a block at a time. Tables with a column it does not render
the same way (floats, dates, mixed objects) are left to pandas.

Reports, indexes and exports meant for a spreadsheet are written by `csv_text`, which passes each cell and
each header through `safe_cell`: text that a spreadsheet could take for a formula (starting with = + - @,
a tab or a carriage return) gets a leading single quote, as OWASP recommends against CSV injection.

Everything gdprlab writes may hold personal data, so it is written owner-only: `write_atomic` makes files
0600 (unless asked otherwise) and new folders 0700, and `private_files` makes a finished folder so.
`exclusive` is the lock of one output folder: a second process writing the same folder fails at once
with `FolderBusy` instead of overwriting the first one's work.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gdprlab.crm.arrowtext import text_buffers


def write_atomic(path: str | Path, text: str | bytes, *, fsync: bool = False,
                 mode: int | None = None) -> Path:
    """Write `text` (UTF-8), or bytes as they are, via a temporary file in the same folder (owner-only from
    its creation), then rename it over `path`.

    `fsync`: flush the file to the disk before the rename (for data that must survive a crash, e.g. an
    outbox). `mode`: the file's permission bits; otherwise those of a new temporary file, 0600 (owner
    only). A missing folder is made 0700.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with (os.fdopen(fd, "wb") if isinstance(text, bytes)
              else os.fdopen(fd, "w", encoding="utf-8", newline="")) as f:
            f.write(text)
            if fsync:
                f.flush()
                os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def private_files(folder: str | Path) -> None:
    """Make `folder` 0700 and every file and folder in it owner-only (0600, folders 0700)."""
    folder = Path(folder)
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            os.chmod(Path(root) / name, 0o700)
        for name in files:
            os.chmod(Path(root) / name, 0o600)
    os.chmod(folder, 0o700)


class FolderBusy(OSError):
    """Another process is writing the same output folder."""


_held: dict[tuple[str, int], int] = {}


@contextlib.contextmanager
def exclusive(folder: str | Path) -> Iterator[None]:
    """Hold the lock of output folder `folder` for the block, or raise `FolderBusy` at once.

    The lock is `.NAME.lock` beside the folder (removed afterwards), taken with `flock`, so that it is
    released when its process dies; a thread may nest the block for the same folder.
    """
    folder = Path(folder).absolute()
    key = (str(folder), threading.get_ident())
    if key in _held:
        _held[key] += 1
        try:
            yield
        finally:
            _held[key] -= 1
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    lock = folder.parent / f".{folder.name}.lock"
    busy = FolderBusy(f"another gdprlab process is writing {folder} (it holds {lock}); wait for it to finish "
                      "or choose another folder")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows
            import msvcrt

            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            except OSError:
                raise busy from None
        else:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise busy from None
        try:  # the holder before us may have removed the file after we opened it: that lock is void
            if os.stat(lock).st_ino != os.fstat(fd).st_ino:
                raise busy
        except FileNotFoundError:
            raise busy from None
        _held[key] = 1
        try:
            yield
        finally:
            del _held[key]
            lock.unlink(missing_ok=True)
    finally:
        os.close(fd)


#: first characters that make a spreadsheet evaluate a cell (OWASP, CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A cell a spreadsheet will show as text, never run: formula-like text gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS) or text.lstrip().startswith(FORMULA_STARTS[:4]):
        return "'" + text
    return text


def csv_text(header: Iterable[object], rows: Iterable[Iterable[object]], *, quote_all: bool = False) -> str:
    """CSV text meant for a spreadsheet: the header and every cell through `safe_cell` (headers come from
    data too: a CRM's custom column may be called ``=HYPERLINK(…)``); None and NaN as empty cells."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow([safe_cell(c) for c in header])
    writer.writerows([["" if _absent(v) else safe_cell(v) for v in row] for row in rows])
    return out.getvalue()


def _absent(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)  # None or NaN


#: rows rendered per block: bounds the memory of the rendered text
BLOCK_ROWS = 250_000


def _csv_quotes(char: str) -> bool:
    """Whether the csv module (pandas' writer) quotes a field containing `char` (lineterminator "\\n")."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([f"a{char}b", "c"])
    return out.getvalue().startswith('"')


#: the characters that make the csv module quote a field (a carriage return depends on the Python version),
#: as an RE2 class (literal characters need no escape inside one)
_SPECIAL = "[" + "".join(c for c in (",", '"', "\n", "\r") if _csv_quotes(c)) + "]"


def write_csv(df: pd.DataFrame, path: str | Path) -> None:
    """Write `df` without its index, as `df.to_csv(path, index=False, lineterminator="\\n")` would."""
    columns = [_renderer(df[c]) for c in df.columns] if len(df.columns) > 1 else [None]
    if any(r is None for r in columns):
        df.to_csv(path, index=False, lineterminator="\n")
        return
    with open(path, "wb") as f:
        f.write(_text_block([pa.array([str(c)], type=pa.large_string()) for c in df.columns]))
        for start in range(0, len(df), BLOCK_ROWS):
            f.write(_text_block([render(start, start + BLOCK_ROWS) for render in columns]))


def _text_block(fields: list[pa.Array]) -> bytes:
    """The CSV lines of text columns: fields quoted as needed, joined by commas, each row ended by "\n"."""
    line = pc.binary_join_element_wise(*map(_field, fields), _text(","))
    return _buffer_bytes(pc.binary_join_element_wise(line, _text("\n"), _text("")))


def _text(value: str) -> pa.Scalar:
    return pa.scalar(value, type=pa.large_string())


def _field(values: pa.Array) -> pa.Array:
    """Each value as a CSV field: quoted (inner quotes doubled) only where needed, missing as empty."""
    special = pc.fill_null(pc.match_substring_regex(values, _SPECIAL), False)
    if pc.any(special).as_py():  # quote just those values (few), then put them back in place
        chosen = values.filter(special)
        quoted = pc.binary_join_element_wise(_text('"'), pc.replace_substring(chosen, '"', '""'), _text('"'),
                                             _text(""))
        values = pc.replace_with_mask(values, special, quoted)
    return pc.fill_null(values, _text(""))


def _buffer_bytes(text: pa.Array) -> bytes:
    """All the strings of `text` one after another (its data buffer, without copying per value)."""
    return text_buffers(text)[1].tobytes()


def _renderer(values: pd.Series):
    """A function (start, stop) -> the column's text for those rows, or None when pandas must render it."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        arr = pa.array(values, type=pa.bool_(), from_pandas=True)
        return lambda a, b: pc.if_else(arr[a:b], "True", "False").cast(pa.large_string())
    if pd.api.types.is_integer_dtype(dtype):
        arr = pa.array(values, from_pandas=True)
        return lambda a, b: arr[a:b].cast(pa.large_string())
    if isinstance(dtype, pd.StringDtype) or pd.api.types.is_object_dtype(dtype):
        try:
            arr = pa.array(values, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return None
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)
                or pa.types.is_null(arr.type)):
            return None
        arr = arr.cast(pa.large_string())
        return lambda a, b: arr[a:b]
    return None
