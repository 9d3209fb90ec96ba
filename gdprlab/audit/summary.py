"""The report's first screen and its sign-off block, as HTML a manager reads in two minutes.

`summary_html` fits a 1280×800 screen (tests/browser/test_report_page.py): the organisation, the scope
(files, rows, the period the records cover, the as-of date, coverage), the overall score with its band and
what the band means (gdprlab.audit.scoring.band), a heat map of failed rules by concern and severity, and
the actions that matter most with owner, due date and status (gdprlab.audit.actions). `signoff_html` ends
the report: reviewer, date and the SHA-256 of findings.json, so a printed report names the file it
stands for.

Every value from the data (organisation, dataset name, roles from the policy) is escaped; the markup is
plain HTML and CSS, no script, no image, so it reads the same in the notebook, report.html and report.pdf.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path

from gdprlab.audit.actions import Action, changes
from gdprlab.audit.engine import Assessment
from gdprlab.audit.scoring import band
from gdprlab.regulation.catalogue import CONCERNS, SEVERITIES

_SEVERITIES = tuple(reversed(SEVERITIES))  # critical first
STYLE = """<style>
.gl-summary { font: 14px/1.4 system-ui, sans-serif; color: #1f2937; max-width: 1200px; }
.gl-summary h1 { font-size: 1.6em; margin: 0 0 0.2em; }
.gl-summary p { margin: 0.2em 0; }
.gl-grid { display: grid; grid-template-columns: 250px 1fr; gap: 1em; margin-top: 0.6em; align-items: start; }
.gl-score { border: 2px solid #1f2937; border-radius: 6px; padding: 0.6em; }
.gl-score .gl-number { font-size: 2.6em; font-weight: 700; line-height: 1.1; }
.gl-band { font-weight: 700; text-transform: uppercase; }
/* table.gl-tab outranks the notebook page's own table rules (right-aligned, fixed layout) */
section.gl-summary table.gl-tab { border-collapse: collapse; font-size: 13px; table-layout: auto;
  width: auto; }
section.gl-summary table.gl-tab th, section.gl-summary table.gl-tab td { border: 1px solid #9ca3af;
  padding: 2px 6px;
  text-align: left; vertical-align: top; }
section.gl-summary caption { text-align: left; font-weight: 600; padding-bottom: 2px; }
section.gl-summary table.gl-tab td.gl-n { text-align: center; min-width: 4.5em; }
.gl-c0 { background: #ffffff; color: #4b5563; }
.gl-critical { background: #8e1b12; color: #ffffff; font-weight: 700; }
.gl-high { background: #b45309; color: #ffffff; font-weight: 700; }
.gl-medium { background: #fde68a; color: #1f2937; }
.gl-low { background: #e0f2fe; color: #1f2937; }
section.gl-summary table.gl-tab.gl-actions { width: 100%; margin-top: 0.6em; }
.gl-late { color: #8e1b12; font-weight: 700; }
.gl-signoff { border: 1px solid #1f2937; padding: 0.6em; font: 14px/1.5 system-ui, sans-serif; }
.gl-signoff code { word-break: break-all; }
</style>"""


@dataclass(frozen=True)
class Scope:
    """What the assessment covered, for the first line of the report."""

    organisation: str
    dataset: str
    files: int
    rows: int
    first: dt.date | None  # earliest record date
    last: dt.date | None
    as_of: dt.date
    as_of_source: str
    previous: dt.date | None = None  # as-of date of the previous run of the dataset, if any


def _date(day: dt.date | None) -> str:
    return "unknown" if day is None else f"{day.day} {day:%B %Y}"


def _scope_line(scope: Scope, assessment: Assessment) -> str:
    s = assessment.scores
    period = (f"records dated {_date(scope.first)} to {_date(scope.last)}" if scope.first
              else "no dated records")
    return (f"Dataset <strong>{escape(scope.dataset)}</strong>: {scope.files:,} file(s), {scope.rows:,} "
            f"rows, {period}. Assessed as of <strong>{_date(scope.as_of)}</strong> "
            f"({escape(scope.as_of_source)}); coverage {s.coverage:.0%} of the rule catalogue's weight "
            f"({s.rules_assessed} of {s.rules_total} rules).")


def _changes_line(scope: Scope, actions: Sequence[Action]) -> str:
    if scope.previous is None:
        return "First assessment of this dataset: every finding is new."
    counts = changes(actions)
    told = ", ".join(f"{n} {status}" for status, n in counts.items())
    return f"Since the previous assessment (as of {_date(scope.previous)}): {told}."


def _score_card(assessment: Assessment) -> str:
    s = assessment.scores
    name, meaning = band(s.overall)
    number = "–" if s.overall is None else f"{s.overall:.0f}"
    return (f'<div class="gl-score" role="group" aria-label="Overall score">'
            f'<div>Overall score</div><div class="gl-number">{number}<small> / 100</small></div>'
            f'<div class="gl-band">{escape(name)}</div><p>{escape(meaning)}.</p>'
            f"<p><small>0 = every rule badly failed, 100 = nothing found; see Scores.</small></p></div>")


def heat_counts(assessment: Assessment) -> dict[str, dict[str, int] | None]:
    """Failed rules per concern and severity; None for a concern none of whose rules was assessed."""
    out: dict[str, dict[str, int] | None] = {}
    for concern in CONCERNS:
        results = [r for r in assessment.results if r.check.concern == concern]
        if all(r.status == "not_assessed" for r in results):
            out[concern] = None
            continue
        out[concern] = {s: sum(r.status == "failed" and r.check.severity == s for r in results)
                        for s in _SEVERITIES}
    return out


def _heat_map(assessment: Assessment) -> str:
    counts = heat_counts(assessment)
    worst = max((c for c in counts if counts[c]), default=None,
                key=lambda c: tuple(counts[c][s] for s in _SEVERITIES))  # type: ignore[index]
    message = ("No rule failed." if worst is None or not any(counts[worst].values())  # type: ignore[union-attr]
               else f"Heat map of failed rules by concern and severity; the most severe: "
                    f"{worst.replace('_', ' ')}.")
    head = "".join(f'<th scope="col">{s}</th>' for s in _SEVERITIES)
    rows = []
    for concern, by in counts.items():
        score = assessment.scores.by_concern.get(concern)
        cells = ('<td class="gl-n gl-c0" colspan="4">not assessed</td>' if by is None else "".join(
            f'<td class="gl-n {f"gl-{s}" if by[s] else "gl-c0"}">{by[s] or "·"}</td>' for s in _SEVERITIES))
        rows.append(f'<tr><th scope="row">{concern.replace("_", " ")}</th>'
                    f'<td class="gl-n">{"–" if score is None else f"{score:.0f}"}</td>{cells}</tr>')
    return (f'<table class="gl-tab gl-heat"><caption>{escape(message)}</caption>'
            f'<thead><tr><th scope="col">concern</th><th scope="col">score</th>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def _due(action: Action, as_of: dt.date) -> str:
    if action.due is None:
        return "–"
    if action.status == "accepted risk":
        return f"{_date(action.due)} (risk accepted)"
    if action.due < as_of:
        return f'<span class="gl-late">{_date(action.due)}, overdue</span>'
    return _date(action.due)


def actions_table(actions: Sequence[Action], as_of: dt.date, caption: str) -> str:
    """Actions as an HTML table: what to do, severity, owner, due date, status, records."""
    rows = "".join(
        f'<tr><td>{i}</td><td class="gl-title">{escape(a.title)} <small>({escape(a.rule)}, '
        f'{escape(a.articles)})</small></td><td>{a.severity}</td><td>{escape(a.owner.replace("_", " "))}</td>'
        f'<td>{_due(a, as_of)}</td><td>{escape(a.status)}</td><td class="gl-n">{a.count:,}</td></tr>'
        for i, a in enumerate(actions, 1))
    return (f'<table class="gl-tab gl-actions"><caption>{escape(caption)}</caption><thead><tr>'
            '<th scope="col">#</th><th scope="col">action</th><th scope="col">severity</th>'
            '<th scope="col">owner</th><th scope="col">due</th><th scope="col">status</th>'
            f'<th scope="col">records</th></tr></thead><tbody>{rows}</tbody></table>')


def summary_html(scope: Scope, assessment: Assessment, actions: Sequence[Action], top: int = 5) -> str:
    """The report's first screen (see the module docstring)."""
    todo = [a for a in actions if a.status not in ("resolved", "accepted risk")][:top]
    table = (actions_table(todo, scope.as_of, f"The {len(todo)} actions that matter most (all actions: "
                                              "section Actions)")
             if todo else "<p>No open finding: nothing to do.</p>")
    return (f'{STYLE}<section class="gl-summary" aria-label="Summary">'
            f"<h1>Data-protection assessment: {escape(scope.organisation)}</h1>"
            f"<p>{_scope_line(scope, assessment)}</p><p>{escape(_changes_line(scope, actions))}</p>"
            f'<div class="gl-grid">{_score_card(assessment)}{_heat_map(assessment)}</div>{table}</section>')


def sha256_file(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def signoff_html(findings: str | Path, reviewer: str, day: dt.date | None = None) -> str:
    """The sign-off block: reviewer, date and the SHA-256 of findings.json."""
    day = day or dt.date.today()
    who = (escape(reviewer) if reviewer.strip()
           else "________________ (not named: pass the reviewer parameter)")
    return (f'{STYLE}<section class="gl-signoff" aria-label="Sign-off"><strong>Sign-off</strong><br>'
            f"Reviewer: {who}<br>Date: {_date(day)}<br>Signature: ________________<br>"
            f"SHA-256 of findings.json: <code>{sha256_file(findings)}</code></section>")
