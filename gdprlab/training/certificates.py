"""A completion certificate per learner: one self-contained HTML file (no scripts, no external assets).

It lists the lessons passed (latest pass per lesson: date, score, bank version) and a verification hash:
the SHA-256 of the canonical JSON of those records (attempt id, lesson, bank version, score, max score,
submission time, and the store's chain ``record_hash`` when given). Anyone holding the store can recompute
it with :func:`verification_hash` over the same records. Every value is HTML-escaped.

**Personal data, on purpose.** A certificate is issued to a person, so it names them: the roster's name
and their learner id, with their passed lessons, dates and scores. This is the one export of ``gdprlab
progress export`` that carries a name (the HR CSV and the xAPI statements identify people by staff id and
learner id only); nothing else personal is written (the e-mail address is never stored, see
:mod:`gdprlab.training.store.roster`). Certificates are written only where asked (``--certificates DIR``),
owner-only (folder 0700, files 0600): hand each one to its person only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import os
import re
from pathlib import Path

import pandas as pd

from gdprlab.crm.files import write_atomic
from gdprlab.crm.shown import CSP_META
from gdprlab.training.store.records import canonical_json

RECORD_FIELDS = ("attempt_id", "lesson", "bank_version", "score", "max_score", "submitted_at", "record_hash")


def _iso(value: object) -> str:
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.isoformat()


def passed_records(attempts: pd.DataFrame, learner: str) -> pd.DataFrame:
    """The latest passed attempt per lesson of one learner, sorted by lesson."""
    a = attempts[(attempts["learner"] == learner) & attempts["passed"].astype(bool)]
    if a.empty:
        return a
    a = a.assign(_t=pd.to_datetime(a["submitted_at"], utc=True)).sort_values(["lesson", "_t"])
    return a.groupby("lesson").tail(1).drop(columns="_t").reset_index(drop=True)


def _canonical(records: pd.DataFrame) -> list[dict]:
    out = []
    for r in records.to_dict("records"):
        item = {k: r[k] for k in RECORD_FIELDS if k in r and r[k] is not None}
        item["submitted_at"] = _iso(r["submitted_at"])
        for k in ("score", "max_score"):
            item[k] = float(item[k])
        item = {k: (str(v) if k not in ("score", "max_score") else v) for k, v in item.items()}
        out.append(item)
    return sorted(out, key=lambda i: (i["lesson"], i["submitted_at"]))


def verification_hash(records: pd.DataFrame) -> str:
    """SHA-256 (hex) of the canonical JSON of the certified records."""
    return hashlib.sha256(canonical_json(_canonical(records)).encode("utf-8")).hexdigest()


def certificate_html(learner: str, attempts: pd.DataFrame, *, name: str | None = None,
                     issued_on: dt.date | None = None, titles: dict[str, str] | None = None,
                     organisation: str = "gdprlab") -> str:
    """The certificate of `learner` (display `name` if given, e.g. from the roster) as an HTML page."""
    records = passed_records(attempts, learner)
    issued_on = issued_on or dt.datetime.now(dt.UTC).date()
    titles = titles or {}
    esc = html.escape
    rows = []
    for r in records.to_dict("records"):
        lesson = str(r["lesson"])
        percent = 100.0 * float(r["score"]) / float(r["max_score"])
        rows.append(
            "<tr>"
            f"<td>{esc(lesson)}</td><td>{esc(titles.get(lesson, ''))}</td>"
            f"<td>{esc(pd.Timestamp(r['submitted_at']).strftime('%Y-%m-%d'))}</td>"
            f"<td>{percent:.0f}%</td><td><code>{esc(str(r['bank_version']))}</code></td>"
            "</tr>"
        )
    body = "\n".join(rows) if rows else '<tr><td colspan="5">No lesson passed yet.</td></tr>'
    who = esc(name) + f" ({esc(learner)})" if name else esc(learner)
    digest = verification_hash(records) if not records.empty else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">{CSP_META}
<title>Certificate of completion: {esc(name or learner)}</title>
<style>
body {{ font-family: sans-serif; max-width: 48em; margin: 2em auto; color: #222; }}
h1 {{ text-align: center; }} table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border: 1px solid #bbb; padding: .3em .6em; text-align: left; }} .hash {{ font-family: monospace;
word-break: break-all; }}
</style></head>
<body>
<h1>Certificate of completion</h1>
<p>{esc(organisation)} certifies that <strong>{who}</strong> passed the following data-protection
lessons.</p>
<table><thead><tr><th>lesson</th><th>title</th><th>passed on</th><th>score</th><th>bank version</th></tr>
</thead>
<tbody>
{body}
</tbody></table>
<p>Issued on {esc(issued_on.isoformat())}.</p>
<p>Verification hash (SHA-256 of the records above): <span class="hash">{esc(digest)}</span></p>
</body></html>
"""


def store_records(store) -> pd.DataFrame:
    """All attempts of a :class:`gdprlab.training.store.progress.ProgressStore` as a frame that includes each
    record's chain ``record_hash`` (which ``attempts_frame()`` leaves out), so the certificate's hash
    also binds the hash chain."""
    columns = ["attempt_id", "learner", "lesson", "quiz", "bank_version", "score", "max_score", "passed",
               "submitted_at", "record_hash"]
    return pd.DataFrame([{c: getattr(a, c) for c in columns} for a in store.attempts()], columns=columns)


_HASH = re.compile(r'<span class="hash">([0-9a-f]{64})</span>')


def verify_certificate(page: str, learner: str, attempts: pd.DataFrame) -> bool:
    """Whether a certificate page's hash matches the learner's passed records in `attempts` (a later
    pass of a lesson, or any change to a certified record, makes it differ)."""
    found = _HASH.search(page)
    records = passed_records(attempts, learner)
    return bool(found) and not records.empty and found.group(1) == verification_hash(records)


def write_certificate(path: str | os.PathLike[str], learner: str, attempts: pd.DataFrame, **kw) -> Path:
    """Write the certificate page (:func:`certificate_html`) to ``path``, atomically and owner-only (it
    names a member of staff and their results)."""
    return write_atomic(path, certificate_html(learner, attempts, **kw), mode=0o600)


_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")


def certificate_file_name(learner: str) -> str:
    """The certificate's file name for a learner id: the id itself when it is a plain name (``S1`` ->
    ``S1.html``); otherwise its safe characters and a hash of the whole id, so that an id never names a
    path outside the folder (``../../x``, ``/abs``), never a hidden file, and two ids never share a file."""
    slug = _UNSAFE.sub("_", learner).lstrip(".")[:40] or "learner"
    if slug == learner:
        return f"{learner}.html"
    return f"{slug}-{hashlib.sha256(learner.encode('utf-8')).hexdigest()[:12]}.html"


def write_certificates(folder: str | os.PathLike[str], attempts: pd.DataFrame,
                       names: dict[str, str] | None = None, **kw) -> list[Path]:
    """One certificate per learner of `attempts` in `folder` (created owner-only), each named by
    :func:`certificate_file_name`; the paths written."""
    folder = Path(folder)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    names = names or {}
    return [write_certificate(folder / certificate_file_name(learner), learner, attempts,
                              name=names.get(learner), **kw)
            for learner in sorted(set(attempts["learner"]))]
