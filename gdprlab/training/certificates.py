"""Certificates that mean something: issued only on completion, with an expiry and a code the store verifies.

**Who gets one.** A member of staff on the roster who, on the day of issue, has every lesson required of their
role (:class:`gdprlab.training.status.Requirements`) passed and current, counting only attempts that
re-grade from their answers (:mod:`gdprlab.training.grading`). Nobody else: not a learner who passed some
lessons, not one whose pass has lapsed or whose lesson's content changed materially since
(:mod:`gdprlab.training.versions`), not a learner off the roster, not staff with no required lesson.

**What it says.** The person's name (from the roster) and learner id, the course title
(``course_title`` of the requirements, never empty), the lessons certified (title, date passed, score, bank
version), the completion date (the last of those passes), the date of issue, the expiry (the first due
date of the required lessons: the refresh interval, or sooner after a material content change) and a
verification code.

**The code.** 80 random bits, written ``XXXX-XXXX-XXXX-XXXX``, kept in the store's ``certificates`` table with
the learner, course, dates, the certified attempts and a digest of them (:func:`verification_hash`: the
SHA-256 of the canonical JSON of attempt id, lesson, bank version, score, maximum, submission time and
the chain's ``record_hash``). ``gdprlab progress verify-certificate CODE`` (:func:`verify_code`) says

* ``valid``: the code is kept, its records are all still there, unchanged (digest and the learner's hash
  chain), each still re-grades as a pass, and the certificate has not expired;
* ``expired``: all of that, but the expiry date has passed;
* ``forged``: no certificate has this code, or the records it certifies were changed, removed or no longer
  re-grade, or the learner's history no longer verifies;
* ``erased``: its records were erased (an erasure request, Art. 17, or the retention period, Art. 5(1)(e)).

It shows the learner id, course and dates, so that whoever holds the paper compares them with it (the
name is not shown: the code alone must not reveal whom it belongs to beyond the pseudonymous id).

**Personal data, on purpose.** A certificate is issued to a person, so it names them: the roster's name
and their learner id, with their passed lessons, dates and scores. This is the one export of ``gdprlab
progress export`` that carries a name (the HR CSV and the xAPI statements identify people by staff id and
learner id only); nothing else personal is written (the e-mail address is never stored, see
:mod:`gdprlab.training.store.roster`). Certificates are written only where asked (``--certificates DIR``),
owner-only (folder 0700, files 0600): hand each one to its person only. Erasing a learner removes their
certificates from the store too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from gdprlab.crm.files import write_atomic
from gdprlab.crm.shown import CSP_META
from gdprlab.training.grading import GradeError, Grader, default_grader
from gdprlab.training.status import Requirements, lesson_status
from gdprlab.training.store.records import ERASED, Attempt, canonical_json, stored_utc

__all__ = ["RECORD_FIELDS", "Certificate", "Verification", "certificate_file_name", "certificate_html",
           "eligible", "issue_certificates", "passed_records", "store_records", "verification_hash",
           "verify_code", "write_certificate", "write_certificates"]

RECORD_FIELDS = ("attempt_id", "lesson", "bank_version", "score", "max_score", "submitted_at", "record_hash")
#: the columns of a frame of stored records (:func:`store_records`)
STORE_COLUMNS = ["attempt_id", "learner", "lesson", "quiz", "bank_version", "answers", "score", "max_score",
                 "passed", "submitted_at", "record_hash"]


def _iso(value: object) -> str:
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.isoformat()


def _days(frame: pd.DataFrame) -> pd.Series:
    return pd.to_datetime(frame["submitted_at"], utc=True).dt.tz_localize(None).dt.floor("D")


def passed_records(attempts: pd.DataFrame, learner: str, as_of: dt.date | None = None) -> pd.DataFrame:
    """The latest passed attempt per lesson of one learner (submitted on or before ``as_of`` when given),
    sorted by lesson."""
    a = attempts[(attempts["learner"] == learner) & attempts["passed"].astype(bool)]
    if as_of is not None and not a.empty:
        a = a[_days(a) <= pd.Timestamp(as_of)]
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
    """SHA-256 (hex) of the canonical JSON of the certified records (their order does not matter)."""
    return hashlib.sha256(canonical_json(_canonical(records)).encode("utf-8")).hexdigest()


def store_records(store) -> pd.DataFrame:
    """All attempts of a :class:`gdprlab.training.store.progress.ProgressStore` as a frame that includes each
    record's chain ``record_hash`` (which ``attempts_frame()`` leaves out), so the certificate's digest
    also binds the hash chain; ``answers`` as stored (JSON text)."""
    rows = [{c: getattr(a, c) for c in STORE_COLUMNS if c != "answers"} | {"answers": a.answers_json}
            for a in store.attempts()]
    return pd.DataFrame(rows, columns=STORE_COLUMNS)


# --------------------------------------------------------------------------------------------------
# Who qualifies


@dataclass(frozen=True)
class Certificate:
    """One certificate: the person (learner id, staff id, name), the course, the certified passes (one per
    required lesson), completion, issue and expiry dates, and the verification code once issued."""

    learner: str
    staff_id: str
    name: str
    course: str
    records: pd.DataFrame
    completed_on: dt.date
    issued_on: dt.date
    expires_on: dt.date
    code: str = ""

    @property
    def digest(self) -> str:
        return verification_hash(self.records)


def eligible(roster: pd.DataFrame, attempts: pd.DataFrame, requirements: Requirements, as_of: dt.date,
             changelog: Any = "packaged") -> tuple[list[Certificate], list[str]]:
    """The certificates due on ``as_of`` (without codes) and the learner ids of roster members with required
    lessons who do not qualify. ``attempts``: :func:`store_records` of attempts that re-grade."""
    if not requirements.course_title.strip():
        raise ValueError("a certificate needs a course title (course_title of the requirements)")
    status = lesson_status(roster, attempts, requirements, as_of, changelog)
    required = status[status["required"].astype(bool)]
    people = roster.set_index("learner_id")
    certificates, missing = [], []
    for learner, rows in required.groupby("learner_id", sort=True):
        if not (rows["status"] == "passed_current").all():
            missing.append(str(learner))
            continue
        passes = passed_records(attempts, str(learner), as_of)
        passes = passes[passes["lesson"].isin(set(rows["lesson"]))].reset_index(drop=True)
        person = people.loc[learner]
        certificates.append(Certificate(
            learner=str(learner), staff_id=str(person["staff_id"]), name=str(person["name"]),
            course=requirements.course_title, records=passes,
            completed_on=_days(passes).max().date(), issued_on=as_of,
            expires_on=rows["due_date"].min().date()))
    return certificates, missing


def _regrades(attempts: pd.DataFrame, grader: Grader) -> pd.DataFrame:
    """The rows of ``attempts`` (:func:`store_records`) that re-grade."""
    keep = []
    for row in attempts.to_dict("records"):
        try:
            grader(_attempt(row))
        except (GradeError, ValueError):
            keep.append(False)
        else:
            keep.append(True)
    return attempts[keep].reset_index(drop=True) if len(attempts) else attempts


def _attempt(row: Mapping[str, Any]) -> Attempt:
    answers = row["answers"]
    return Attempt(learner=row["learner"], lesson=row["lesson"], quiz=row["quiz"],
                   bank_version=row["bank_version"],
                   answers=json.loads(answers) if isinstance(answers, str) else answers,
                   score=float(row["score"]), max_score=float(row["max_score"]), passed=bool(row["passed"]),
                   submitted_at=stored_utc(row["submitted_at"]), attempt_id=row["attempt_id"])


def issue_certificates(store, roster: pd.DataFrame, requirements: Requirements, as_of: dt.date,
                       grader: Grader | None = None) -> tuple[list[Certificate], list[str]]:
    """Issue the certificates due on ``as_of`` (:func:`eligible`, counting attempts that re-grade with
    ``grader``, default the packaged one) and keep each in ``store`` under its code; returns them with their
    codes, and the learner ids that do not qualify."""
    records = _regrades(store_records(store), grader or default_grader())
    due, missing = eligible(roster, records, requirements, as_of)
    issued = [replace(c, code=store.issue_certificate(
        c.learner, c.course, c.completed_on, c.issued_on, c.expires_on, list(c.records["attempt_id"]),
        c.digest)) for c in due]
    return issued, missing


# --------------------------------------------------------------------------------------------------
# Verifying a code


@dataclass(frozen=True)
class Verification:
    """What the store says about a code: ``state`` valid, expired, forged or erased, and why."""

    state: str
    message: str
    learner: str = ""

    @property
    def valid(self) -> bool:
        return self.state == "valid"


def verify_code(store, code: str, as_of: dt.date, grader: Grader | None = None) -> Verification:
    """Check a certificate's code against ``store`` on ``as_of`` (see the module's description)."""
    kept = store.certificate(code)
    if kept is None:
        return Verification("forged", "no certificate with this code is kept in this store (a forged or "
                            "mistyped code, or its person's records were erased)")
    learner, ids = kept["learner"], list(kept["attempts"])
    described = (f"certificate of learner {learner}, course {kept['course']!r}, completed "
                 f"{kept['completed_on']}, issued {kept['issued_on']}, valid until {kept['expires_on']}")
    rows = store.records(ids)
    if any(row["lesson"] == ERASED for row in rows.values()):
        return Verification("erased", f"{described}: no longer verifiable, the records it certifies were "
                            "erased (erasure request or retention period)", learner)
    if set(rows) != set(ids):
        return Verification("forged", f"{described}: the records it certifies are no longer in the store",
                            learner)
    frame = pd.DataFrame([{"attempt_id": r["attempt_uuid"], **{k: r[k] for k in STORE_COLUMNS[1:]
                                                               if k != "submitted_at"},
                           "submitted_at": stored_utc(r["submitted_at"])} for r in rows.values()],
                         columns=STORE_COLUMNS)
    if verification_hash(frame) != kept["digest"] or set(frame["learner"]) != {learner}:
        return Verification("forged", f"{described}: the records it certifies were changed after it was "
                            "issued", learner)
    if store.verify_chain(learner=learner):
        return Verification("forged", f"{described}: the learner's history no longer verifies (gdprlab "
                            "progress verify)", learner)
    grader = grader or default_grader()
    for row in frame.to_dict("records"):
        try:
            grader(_attempt(row))
        except (GradeError, ValueError) as error:
            return Verification("forged", f"{described}: a certified record does not re-grade ({error})",
                                learner)
        if not row["passed"]:
            return Verification("forged", f"{described}: a certified record is not a pass", learner)
    if as_of > kept["expires_on"]:
        return Verification("expired", f"{described}: expired on {kept['expires_on']}", learner)
    return Verification("valid", f"{described}: valid, its records are in the store, unchanged", learner)


# --------------------------------------------------------------------------------------------------
# The page


def certificate_html(certificate: Certificate, *, titles: Mapping[str, str] | None = None,
                     organisation: str = "gdprlab") -> str:
    """The certificate as a self-contained HTML page (no script, no external asset; every value escaped)."""
    c, esc, titles = certificate, html.escape, titles or {}
    rows = []
    for r in c.records.sort_values("lesson").to_dict("records"):
        lesson = str(r["lesson"])
        percent = 100.0 * float(r["score"]) / float(r["max_score"])
        rows.append(
            "<tr>"
            f"<td>{esc(lesson)}</td><td>{esc(titles.get(lesson, ''))}</td>"
            f"<td>{esc(pd.Timestamp(r['submitted_at']).strftime('%Y-%m-%d'))}</td>"
            f"<td>{percent:.0f}%</td><td><code>{esc(str(r['bank_version']))}</code></td>"
            "</tr>"
        )
    who = f"{esc(c.name)} ({esc(c.learner)})" if c.name else esc(c.learner)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">{CSP_META}
<title>Certificate: {esc(c.course)}: {esc(c.name or c.learner)}</title>
<style>
body {{ font-family: sans-serif; max-width: 48em; margin: 2em auto; color: #222; }}
h1, h2 {{ text-align: center; }} table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border: 1px solid #bbb; padding: .3em .6em; text-align: left; }} .code {{ font-family: monospace;
font-size: 1.3em; letter-spacing: .1em; }} .hash {{ font-family: monospace; word-break: break-all; }}
</style></head>
<body>
<h1>Certificate of completion</h1>
<h2 class="course">{esc(c.course)}</h2>
<p>{esc(organisation)} certifies that <strong>{who}</strong> completed the course above: every lesson
required for their role, passed on the dates below.</p>
<table><thead><tr><th>lesson</th><th>title</th><th>passed on</th><th>score</th><th>bank version</th></tr>
</thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
<p>Completed on <strong class="completed">{esc(c.completed_on.isoformat())}</strong>; issued on
<strong class="issued">{esc(c.issued_on.isoformat())}</strong>; valid until
<strong class="expires">{esc(c.expires_on.isoformat())}</strong> (the next refresher is due then).</p>
<p>Verification code: <span class="code">{esc(c.code)}</span><br>
Check it with <code>gdprlab progress verify-certificate {esc(c.code)}</code> against the training records.</p>
<p>Digest of the certified records (SHA-256): <span class="hash">{esc(c.digest)}</span></p>
</body></html>
"""


def write_certificate(path: str | os.PathLike[str], certificate: Certificate, **kw) -> Path:
    """Write the certificate page (:func:`certificate_html`) to ``path``, atomically and owner-only (it
    names a member of staff and their results)."""
    return write_atomic(path, certificate_html(certificate, **kw), mode=0o600)


_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]+")


def certificate_file_name(learner: str) -> str:
    """The certificate's file name for a learner id: the id itself when it is a plain name (``S1`` ->
    ``S1.html``); otherwise its safe characters and a hash of the whole id, so that an id never names a
    path outside the folder (``../../x``, ``/abs``), never a hidden file, and two ids never share a file."""
    slug = _UNSAFE.sub("_", learner).lstrip(".")[:40] or "learner"
    if slug == learner:
        return f"{learner}.html"
    return f"{slug}-{hashlib.sha256(learner.encode('utf-8')).hexdigest()[:12]}.html"


def write_certificates(folder: str | os.PathLike[str], certificates: Iterable[Certificate],
                       **kw) -> list[Path]:
    """One page per certificate in ``folder`` (created owner-only), each named by
    :func:`certificate_file_name`; the paths written."""
    folder = Path(folder)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return [write_certificate(folder / certificate_file_name(c.learner), c, **kw) for c in certificates]
