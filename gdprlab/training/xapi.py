"""Quiz attempts as xAPI 1.0.3 statements (JSON), for a Learning Record Store.

One statement per attempt (``id`` = the attempt's UUID, so re-sending is idempotent at the LRS):

- ``actor``: an Agent identified by ``account`` (``homePage`` configurable, ``name`` = learner id); no
  e-mail address or real name is ever sent.
- ``verb``: ``http://adlnet.gov/expapi/verbs/passed`` or ``.../failed`` (a graded attempt), or
  ``.../completed`` when an attempt carries no pass/fail outcome (``passed`` missing).
- ``object``: an Activity ``<base>/lessons/<lesson>`` of type assessment (base configurable).
- ``result``: ``score`` (scaled in [0, 1], raw, min 0, max), ``success``, ``completion`` true.
- ``timestamp``: ISO 8601 UTC of submission; ``context.extensions``: the quiz bank version and quiz id.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

XAPI_VERSION = "1.0.3"
DEFAULT_BASE = "https://gdprlab.example"
VERBS = {
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
    "completed": "http://adlnet.gov/expapi/verbs/completed",
}
ASSESSMENT_TYPE = "http://adlnet.gov/expapi/activities/assessment"
REQUIRED_KEYS = ("id", "actor", "verb", "object", "result", "timestamp", "context", "version")


def _iso(value: object) -> str:
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def activity_id(lesson: str, base: str = DEFAULT_BASE) -> str:
    return f"{base.rstrip('/')}/lessons/{lesson}"


def statement(attempt: Mapping[str, Any], *, base: str = DEFAULT_BASE, home_page: str | None = None
              ) -> dict[str, Any]:
    """The statement of one attempt (a mapping with learner, lesson, quiz, bank_version, score, max_score,
    passed, submitted_at and optionally attempt_id)."""
    base = base.rstrip("/")
    passed = attempt.get("passed")
    graded = passed is not None and not (isinstance(passed, float) and pd.isna(passed))
    verb = ("passed" if bool(passed) else "failed") if graded else "completed"
    score, maximum = float(attempt["score"]), float(attempt["max_score"])
    result: dict[str, Any] = {
        "score": {"scaled": round(score / maximum, 4), "raw": score, "min": 0.0, "max": maximum},
        "completion": True,
    }
    if graded:
        result["success"] = bool(passed)
    lesson = str(attempt["lesson"])
    statement_id = attempt.get("attempt_id") or str(uuid.uuid5(
        uuid.NAMESPACE_URL, f"{base}|{attempt['learner']}|{lesson}|{_iso(attempt['submitted_at'])}"))
    return {
        "id": str(statement_id),
        "version": XAPI_VERSION,
        "actor": {"objectType": "Agent",
                  "account": {"homePage": home_page or base, "name": str(attempt["learner"])}},
        "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
        "object": {"objectType": "Activity", "id": activity_id(lesson, base),
                   "definition": {"type": ASSESSMENT_TYPE, "name": {"en-US": lesson}}},
        "result": result,
        "timestamp": _iso(attempt["submitted_at"]),
        "context": {"extensions": {
            f"{base}/xapi/extensions/bank-version": str(attempt["bank_version"]),
            f"{base}/xapi/extensions/quiz": str(attempt.get("quiz") or lesson),
        }},
    }


def to_statements(attempts: pd.DataFrame | Iterable[Any], *, base: str = DEFAULT_BASE,
                  home_page: str | None = None) -> list[dict[str, Any]]:
    """Statements for attempts: a frame like ``ProgressStore.attempts_frame()`` or Attempt objects."""
    if isinstance(attempts, pd.DataFrame):
        records = attempts.to_dict("records")
    else:
        records = [a if isinstance(a, Mapping) else vars(a) for a in attempts]
    return [statement(r, base=base, home_page=home_page) for r in records]


def problems(stmt: Mapping[str, Any]) -> list[str]:
    """What a statement lacks of the xAPI 1.0.3 required structure (empty list: fine)."""
    out = [f"missing {k}" for k in ("actor", "verb", "object") if k not in stmt]
    actor = stmt.get("actor", {})
    account = actor.get("account", {})
    if not (account.get("homePage") and account.get("name")) and "mbox" not in actor:
        out.append("actor needs an inverse functional identifier")
    if not str(stmt.get("verb", {}).get("id", "")).startswith(("http://", "https://")):
        out.append("verb id must be an IRI")
    if not str(stmt.get("object", {}).get("id", "")).startswith(("http://", "https://")):
        out.append("object id must be an IRI")
    score = stmt.get("result", {}).get("score")
    if score is not None:
        if "scaled" in score and not -1 <= score["scaled"] <= 1:
            out.append("result.score.scaled outside [-1, 1]")
        if {"min", "max", "raw"} <= set(score) and not score["min"] <= score["raw"] <= score["max"]:
            out.append("result.score.raw outside [min, max]")
    if "timestamp" in stmt:
        try:
            dt.datetime.fromisoformat(stmt["timestamp"].replace("Z", "+00:00"))
        except ValueError:
            out.append("timestamp is not ISO 8601")
    if "id" in stmt:
        try:
            uuid.UUID(stmt["id"])
        except ValueError:
            out.append("id is not a UUID")
    return out
