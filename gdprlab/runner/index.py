"""The index of a batch of runs: `out/index-<timestamp>.csv` and `.html`, one row per run.

Each row gives the run's status, overall score, findings per severity, the link to its report, how it
compares with the previous run of the same dataset (gdprlab.runner.compare) and its error. The CSV's
cells are spreadsheet-safe (gdprlab.crm.files.safe_cell); paths are relative to `out`, so the folder
can be moved or shared as a whole.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from gdprlab.crm.files import csv_text, write_atomic
from gdprlab.crm.shown import CSP_META
from gdprlab.regulation.catalogue import CONCERNS
from gdprlab.runner.compare import FINDINGS_FILE, RUN_FILE, run_key, runs_of
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
            write_atomic(out / f"index-{stamp}.html", _index_html(rows, notebook, stamp, out)))


# ----------------------------------------------------------------------------------------------------------
# the HTML index: per dataset, a trend of its scores over every run in `out`, and its runs newest first
# ----------------------------------------------------------------------------------------------------------

#: score colours of the trend chart by lower bound (gdprlab.audit.scoring.BANDS: good, fair, poor, critical),
#: light enough for dark text (WCAG AA)
_BAND_FILL = ((90.0, "#c8e6c9"), (75.0, "#f0f4c3"), (50.0, "#ffe0b2"), (0.0, "#ffcdd2"))
_CELL, _LABEL, _ROW = 34, 110, 16
_MAX_RUNS = 12  # runs shown in a trend chart (the newest)


def sha256_of(path: Path) -> str | None:
    """The SHA-256 of a file (a run's findings.json), or None when there is none."""
    path = Path(path)
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def history(out: Path, name: str) -> list[dict]:
    """Every run of dataset `name` in `out`, oldest first: folder, as-of, status, scores, findings per
    severity, report and the SHA-256 of its findings.json."""
    entries = []
    for folder in runs_of(out, name):
        findings_file, run_file = folder / FINDINGS_FILE, folder / RUN_FILE
        try:
            findings = (json.loads(findings_file.read_text(encoding="utf-8")) if findings_file.is_file()
                        else None)
            run = json.loads(run_file.read_text(encoding="utf-8")) if run_file.is_file() else {}
        except ValueError:
            findings, run = None, {}
        counts = dict.fromkeys(SEVERITY_COLUMNS, 0)
        for finding in (findings or {}).get("findings", []):
            counts[finding.get("severity")] = counts.get(finding.get("severity"), 0) + 1
        actions = (findings or {}).get("actions") or []
        entries.append({
            "folder": folder.name, "as_of": run_key(folder, name)[0].isoformat(),
            "status": run.get("status") or ("ok" if findings else "unknown"), "error": run.get("error"),
            "scores": (findings or {}).get("scores") or {}, "counts": counts if findings else None,
            "new": sum(a.get("status") in ("new", "regressed") for a in actions),
            "resolved": sum(a.get("status") == "resolved" for a in actions),
            "report": f"{folder.name}/report.html" if (folder / "report.html").is_file() else None,
            "sha256": sha256_of(findings_file)})
    return entries


def _fill(score: float | None) -> str:
    if score is None:
        return "#eeeeee"
    return next(colour for low, colour in _BAND_FILL if score >= low)


def trend_message(name: str, runs: list[dict]) -> str:
    """What the trend chart says, in one sentence (its alt text)."""
    scored = [r for r in runs if r["scores"].get("overall") is not None]
    if not scored:
        return f"{name}: no run with an overall score yet."
    last = scored[-1]["scores"]
    by = {c: v for c, v in (last.get("by_concern") or {}).items() if v is not None}
    low = min(by, key=by.get) if by else None
    worst = f"; lowest concern now {low.replace('_', ' ')} ({by[low]:.0f})" if low else ""
    if len(scored) == 1:
        return f"{name}: one scored run, overall {last['overall']:.0f} of 100{worst}."
    first = scored[0]["scores"]["overall"]
    now = last["overall"]
    way = (f"rose from {first:.0f} to {now:.0f}" if now > first else f"fell from {first:.0f} to {now:.0f}"
           if now < first else f"stayed at {now:.0f}")
    return f"{name}: overall score {way} over {len(scored)} scored runs{worst}."


def trend_svg(name: str, runs: list[dict]) -> str:
    """Score per concern (rows) over the dataset's runs (columns, oldest left; the newest _MAX_RUNS): an
    inline SVG with its message as title, so the index stays one self-contained file."""
    runs = runs[-_MAX_RUNS:]
    concerns = ["overall", *CONCERNS]
    width, height = _LABEL + _CELL * max(len(runs), 1) + 4, _ROW * (len(concerns) + 1) + 4
    ident = "t-" + hashlib.sha256(name.encode()).hexdigest()[:10]
    parts = [f'<svg role="img" aria-labelledby="{ident}" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" font-size="10" '
             f'font-family="system-ui, sans-serif">'
             f'<title id="{ident}">{html.escape(trend_message(name, runs))}</title>']
    for j, run in enumerate(runs):
        x = _LABEL + j * _CELL
        parts.append(f'<text x="{x + _CELL / 2}" y="11" text-anchor="middle" fill="#1f2937">'
                     f"{dt.date.fromisoformat(run['as_of']):%b %y}</text>")
    for i, concern in enumerate(concerns):
        y = _ROW * (i + 1)
        parts.append(f'<text x="0" y="{y + 11}" fill="#1f2937">{concern.replace("_", " ")}</text>')
        for j, run in enumerate(runs):
            score = (run["scores"].get("overall") if concern == "overall"
                     else (run["scores"].get("by_concern") or {}).get(concern))
            x = _LABEL + j * _CELL
            parts.append(f'<rect x="{x}" y="{y}" width="{_CELL - 2}" height="{_ROW - 2}" '
                         f'fill="{_fill(score)}"/>'
                         f'<text x="{x + _CELL / 2 - 1}" y="{y + 11}" text-anchor="middle" fill="#1f2937">'
                         f'{"–" if score is None else f"{score:.0f}"}</text>')
    return "".join(parts) + "</svg>"


def _runs_table(runs: list[dict]) -> str:
    rows = []
    for r in reversed(runs):  # newest first
        counts = r["counts"]
        found = "" if counts is None else " / ".join(str(counts[s]) for s in SEVERITY_COLUMNS)
        score = r["scores"].get("overall")
        link = (f'<a href="{html.escape(r["report"], quote=True)}">{html.escape(r["folder"])}</a>'
                if r["report"] else html.escape(r["folder"]))
        status = html.escape(str(r["status"]))
        error = f'<br><span class="error">{html.escape(str(r["error"]))}</span>' if r["error"] else ""
        rows.append(f'<tr><td>{link}</td><td class="when">{html.escape(r["as_of"])}</td>'
                    f'<td class="{status}">{status}{error}</td>'
                    f'<td class="num">{"" if score is None else score}</td><td class="num">{found}</td>'
                    f'<td class="num">{r["new"]} / {r["resolved"]}</td>'
                    f'<td><code>{html.escape(r["sha256"] or "")}</code></td></tr>')
    return ('<div class="scroll"><table><thead><tr><th scope="col">run (report)</th>'
            '<th scope="col">as of</th>'
            '<th scope="col">status</th><th scope="col">score</th>'
            '<th scope="col">findings critical / high / medium / low</th><th scope="col">new / resolved</th>'
            '<th scope="col">SHA-256 of findings.json</th></tr></thead><tbody>'
            + "\n".join(rows) + "</tbody></table></div>")


def _index_html(rows: list[dict], notebook: str, stamp: str, out: Path | None = None) -> str:
    ok = sum(r["status"] == "ok" for r in rows)
    names = list(dict.fromkeys(r["dataset"] for r in rows))
    sections = []
    for name in names:
        runs = history(out, name) if out is not None else []
        if not runs:  # a run whose folder is elsewhere: what the batch knows of it
            runs = [{"folder": r["folder"], "as_of": r["as_of"], "status": r["status"], "error": r["error"],
                     "scores": {"overall": r["score_overall"]}, "counts": None, "new": 0, "resolved": 0,
                     "report": r["report"], "sha256": None} for r in rows if r["dataset"] == name]
        sections.append(f'<section><h2>{html.escape(name)}</h2><div class="trend">{trend_svg(name, runs)}'
                        f"<p>{html.escape(trend_message(name, runs))}</p></div>{_runs_table(runs)}</section>")
    title = f"gdprlab assessment index {stamp}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">{CSP_META}<title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5em; max-width: 1230px; color: #1f2937; }}
.scroll {{ overflow-x: auto; max-width: 100%; }}
table {{ border-collapse: collapse; }}
th, td {{ border: 1px solid #9ca3af; padding: 0.25em 0.5em; vertical-align: top; text-align: left; }}
th {{ background: #f3f4f6; }}
td.num {{ text-align: right; }}
td.when {{ white-space: nowrap; }}
td.failed, .error {{ color: #b00020; }}
td.failed {{ font-weight: bold; }}
td.ok {{ color: #1b5e20; }}
code {{ font-size: 11px; word-break: break-all; }}
.trend {{ display: flex; gap: 1.5em; align-items: center; margin-bottom: 0.5em; }}
</style></head>
<body><main>
<h1>{html.escape(title)}</h1>
<p>Notebook <code>{html.escape(notebook)}</code>: {ok} of {len(rows)} runs succeeded. For each dataset: its
score per concern over every run in this folder (oldest left; 0 to 100, 100 = nothing found), then its runs,
newest first, with the report, findings by severity, findings new (or regressed) and resolved since the run
before, and the SHA-256 of the run's findings.json (the sign-off of its report names the same). Run folders
hold personal data: keep them out of git.</p>
{"".join(sections)}
</main></body></html>
"""
