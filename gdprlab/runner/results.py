"""What a batch of notebook runs gives back: a RunResult per dataset and the BatchResult of them all.

Apart from the code that runs notebooks (gdprlab.runner.batch), so the index (gdprlab.runner.index) and
any caller read results without papermill. A run's numbers come from the `findings.json` its notebook
wrote; `run.json` in its folder is `RunResult.to_dict()`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from gdprlab.regulation.catalogue import SEVERITIES
from gdprlab.runner.compare import Comparison

SEVERITY_COLUMNS = tuple(reversed(SEVERITIES))  # critical first


@dataclass
class RunResult:
    """One dataset's run."""

    dataset: Path
    name: str
    as_of: dt.date
    folder: Path
    status: str = "pending"  # ok | failed
    notebook: Path | None = None  # the executed notebook
    report: Path | None = None  # report.html, for successful runs
    pdf: Path | None = None  # report.pdf, when asked for (gdprlab assess --pdf)
    error: str | None = None
    ename: str | None = None  # the failing cell's exception name and value (papermill)
    evalue: str | None = None
    cell: int | None = None  # execution count of the failing cell
    seconds: float = 0.0
    findings: dict | None = None  # the notebook's findings.json
    comparison: Comparison | None = None
    parameters: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def severity_counts(self) -> dict[str, int]:
        """Findings (violated rules) per severity, read from findings.json."""
        counts = dict.fromkeys(SEVERITY_COLUMNS, 0)
        for finding in (self.findings or {}).get("findings", []):
            severity = finding.get("severity")
            counts[severity] = counts.get(severity, 0) + 1
        return counts

    @property
    def unread(self) -> list[str]:
        """Names of the export's files that could not be read, from findings.json's `files`."""
        files = (self.findings or {}).get("files") or []
        return [f.get("file", "") for f in files if f.get("status") == "failed"]

    @property
    def outputs(self) -> list[str]:
        """The files the notebook wrote into the run folder (besides the notebook, report and run.json)."""
        made = {self.notebook.name if self.notebook else "", "report.html", "report.pdf", "run.json"}
        if not Path(self.folder).is_dir():
            return []
        return sorted(p.name for p in Path(self.folder).iterdir() if p.is_file() and p.name not in made)

    @property
    def score(self) -> float | None:
        return ((self.findings or {}).get("scores") or {}).get("overall")

    def to_dict(self) -> dict:
        return {"name": self.name, "dataset": str(self.dataset), "as_of": self.as_of.isoformat(),
                "folder": str(self.folder), "status": self.status,
                "notebook": None if self.notebook is None else str(self.notebook),
                "report": None if self.report is None else str(self.report),
                "pdf": None if self.pdf is None else str(self.pdf),
                "error": self.error, "ename": self.ename, "evalue": self.evalue, "cell": self.cell,
                "files_not_read": len(self.unread), "seconds": round(self.seconds, 3),
                "parameters": self.parameters}


@dataclass
class BatchResult:
    """Every run of a batch, and the index written for it."""

    runs: list[RunResult]
    notebook: Path
    index_csv: Path | None = None
    index_html: Path | None = None
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> list[RunResult]:
        return [r for r in self.runs if r.ok]

    @property
    def failed(self) -> list[RunResult]:
        return [r for r in self.runs if not r.ok]

    @property
    def unread(self) -> list[RunResult]:
        """Runs whose export had files that could not be read (`gdprlab assess` exits 2 on them)."""
        return [r for r in self.runs if r.unread]

    @property
    def exit_code(self) -> int:
        """0 when every run succeeded, 1 otherwise."""
        return 1 if self.failed else 0

    def summary(self) -> str:
        lines = [f"{len(self.ok)} of {len(self.runs)} runs succeeded in {self.seconds:.1f} s"]
        for run in self.runs:
            if run.ok:
                headline = ((run.findings or {}).get("scores") or {}).get("headline")
                wrote = ", ".join(run.outputs) or "nothing"
                state = (f"ok, wrote {wrote}" if run.findings is None
                         else f"score {run.score}" if run.score is not None else f"ok ({headline})")
            else:
                state = f"FAILED: {run.error}"
            lines.append(f"  {run.name}: {state}")
            if run.unread:
                lines.append(f"    {len(run.unread)} file(s) could not be read and were left out: "
                             f"{', '.join(run.unread)}")
            lines.append(f"    report: {run.report}" if run.report else f"    folder: {run.folder}")
            if run.pdf:
                lines.append(f"    pdf: {run.pdf}")
        if self.index_html:
            lines.append(f"index: {self.index_html}")
        lines.extend(f"warning: {w}" for w in self.warnings)
        return "\n".join(lines)
