"""The index of a batch of runs: `out/index-<timestamp>.csv` and `.html`, one row per run.

Each row gives the run's status, overall score, findings per severity, the link to its report, how it
compares with the previous run of the same dataset (gdprlab.runner.compare) and its error. The CSV's
cells are spreadsheet-safe (gdprlab.crm.files.safe_cell); paths are relative to `out`, so the folder
can be moved or shared as a whole.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from gdprlab.crm.files import csv_text, write_atomic
from gdprlab.crm.shown import CSP_META
from gdprlab.runner.results import SEVERITY_COLUMNS, RunResult

INDEX_COLUMNS = ("dataset", "status", "as_of", "score_overall", "findings", *SEVERITY_COLUMNS,
                 "new_rules", "resolved_rules", "persisting_rules", "new_records", "resolved_records",
                 "persisting_records", "compared_with", "report", "folder", "seconds", "error")


def index_rows(out: Path, runs: Iterable[RunResult]) -> list[dict]:
    """One row per run for the index; paths relative to `out`."""
    rows = []
    for run in runs:
        counts = run.severity_counts()
        summary = run.comparison.summary if run.comparison else None
        row = {"dataset": run.name, "status": run.status, "as_of": run.as_of.isoformat(),
               "score_overall": run.score, "findings": sum(counts.values()) if run.findings else None,
               **{s: counts.get(s, 0) if run.findings else None for s in SEVERITY_COLUMNS}}
        for change in ("new", "resolved", "persisting"):
            row[f"{change}_rules"] = summary["rules"][change] if summary else None
            row[f"{change}_records"] = summary["records"][change] if summary else None
        row["compared_with"] = run.comparison.previous_run if run.comparison else None
        row["report"] = _relative(run.report, out) if run.report else None
        row["folder"] = _relative(run.folder, out)
        row["seconds"] = round(run.seconds, 2)
        row["error"] = run.error
        rows.append(row)
    return rows


def _relative(path: Path, out: Path) -> str:
    try:
        return Path(os.path.relpath(Path(path).resolve(), Path(out).resolve())).as_posix()
    except ValueError:  # another drive on Windows
        return str(path)


def _index_stamp(out: Path) -> str:
    """The batch's timestamp; `_2`, `_3` … for more batches in the same second ("_" sorts after the ".csv"
    dot, so the index files of one folder sort in the order they were written).

    The name is reserved by creating the CSV file exclusively (O_EXCL), so two batches writing in the same
    second, even in two processes, never get the same name."""
    stamp = dt.datetime.now().strftime("%Y-%m-%dT%H%M%S")
    n, candidate = 1, stamp
    while True:
        if not (out / f"index-{candidate}.html").exists():
            try:
                os.close(os.open(out / f"index-{candidate}.csv", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
                return candidate
            except FileExistsError:
                pass
        n += 1
        candidate = f"{stamp}_{n}"


def write_index(out: Path, runs: Sequence[RunResult], notebook: str = "",
                stamp: str | None = None) -> tuple[Path, Path]:
    """Write `out/index-<stamp>.csv` and `.html` for a batch's runs; return their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = stamp or _index_stamp(out)
    rows = index_rows(out, runs)
    text = csv_text(INDEX_COLUMNS, ([row[c] for c in INDEX_COLUMNS] for row in rows))
    return (write_atomic(out / f"index-{stamp}.csv", text),
            write_atomic(out / f"index-{stamp}.html", _index_html(rows, notebook, stamp)))


def _cell(row: dict, column: str) -> str:
    value = row[column]
    if value is None:
        return "<td></td>"
    if column == "report":
        return f'<td><a href="{html.escape(str(value), quote=True)}">report</a></td>'
    if column == "status":
        return f'<td class="{html.escape(str(value))}">{html.escape(str(value))}</td>'
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    return f'<td class="num">{value}</td>' if numeric else f"<td>{html.escape(str(value))}</td>"


def _index_html(rows: list[dict], notebook: str, stamp: str) -> str:
    ok = sum(r["status"] == "ok" for r in rows)
    head = "".join(f"<th>{html.escape(c.replace('_', ' '))}</th>" for c in INDEX_COLUMNS)
    body = "\n".join("<tr>" + "".join(_cell(r, c) for c in INDEX_COLUMNS) + "</tr>" for r in rows)
    title = f"gdprlab assessment index {stamp}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">{CSP_META}<title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid #ccc; padding: 0.3em 0.6em; vertical-align: top; }}
th {{ background: #f3f3f3; }}
td.num {{ text-align: right; }}
td.failed {{ color: #b00020; font-weight: bold; }}
td.ok {{ color: #1b5e20; }}
</style></head>
<body>
<h1>{html.escape(title)}</h1>
<p>Notebook <code>{html.escape(notebook)}</code>: {ok} of {len(rows)} runs succeeded. Findings are violated
rules, counted by severity; new, resolved and persisting compare each run with the previous run of the same
dataset (rules, and records as rule + record id). Run folders hold personal data: keep them out of git.</p>
<table>
<thead><tr>{head}</tr></thead>
<tbody>
{body}
</tbody>
</table>
</body></html>
"""
