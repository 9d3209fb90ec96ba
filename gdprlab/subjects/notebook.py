"""What notebooks/subject_request.ipynb runs: one data subject's request answered in one go, with its
evidence, from papermill parameters (and so from `gdprlab assess --notebook subject_request DATASET
-p request R…`).

The request id names the person (its contact) and the type (access, portability, erasure,
rectification); without one, the identifiers and `request_type` do. What the notebook shows is masked;
the answer and the evidence go to `output_dir`, owner-only: access.html and portability.zip, or the
erasure plan, the erased copy and the audit record with a check of `erasure_incomplete` on the result.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from gdprlab.crm.files import write_atomic
from gdprlab.runner import parameters
from gdprlab.runner.parameters import Param, as_date, as_path, as_text, existing_path
from gdprlab.subjects.find import Query, SubjectError, find_subject, open_dataset, summary_lines

TYPES = ("access", "portability", "erasure")


def _kind(value: object, base: Path) -> str | None:
    text = str(value).strip().lower() or None
    if text is not None and text not in TYPES:
        raise ValueError(f"{value!r} is not one of {', '.join(TYPES)}")
    return text


SPEC: tuple[Param, ...] = (
    Param("dataset", str, "../datasets/sample", "dataset folder or CRM export", convert=existing_path),
    Param(
        "output_dir",
        str,
        "",
        "folder for the answer and the evidence; empty: ../output/subject-<request>",
        convert=as_path,
    ),
    Param("request", str, "", "the request's id (R…); with no identifiers either: the first access request",
          convert=as_text),
    Param(
        "request_type",
        str,
        "",
        "access, portability or erasure; empty: the request's own type",
        convert=_kind,
    ),
    Param("email", str, "", "the person's e-mail address, when no request id is given", convert=as_text),
    Param("phone", str, "", "the person's phone number", convert=as_text),
    Param("name", str, "", "the person's full name", convert=as_text),
    Param("birth_date", str, "", "date of birth YYYY-MM-DD, to tell namesakes apart", convert=as_date),
    Param("person_id", str, "", "a contact or staff record id", convert=as_text),
    Param("as_of", str, "", "reference date YYYY-MM-DD; empty: the dataset's, else today", convert=as_date),
)


@dataclass(frozen=True)
class SubjectParams:
    dataset: Path | None
    output_dir: Path | None
    request: str | None
    request_type: str | None
    email: str | None
    phone: str | None
    name: str | None
    birth_date: dt.date | None
    person_id: str | None
    as_of: dt.date | None


def validate_parameters(
    namespace: Mapping[str, object], names_before: Iterable[str], base: str | Path | None = None
) -> SubjectParams:
    """The notebook's parameters, checked; one ParameterError lists every problem."""
    values = parameters.validate(namespace, names_before, SPEC, base)
    if values["dataset"] is None:
        raise parameters.ParameterError("dataset: empty; pass the dataset folder or CRM export")
    return SubjectParams(**values)  # type: ignore[arg-type]


def shown(params: SubjectParams) -> dict:
    """The parameters as the notebook shows them: the person's identifiers masked."""
    person = _person(params)
    person = person.described() if person is not None else None
    return {
        "dataset": str(params.dataset),
        "output_dir": str(params.output_dir or ""),
        "request": params.request,
        "request_type": params.request_type,
        "person": person,
        "as_of": params.as_of,
    }


def answer_request(params: SubjectParams) -> dict:
    """Find the person, do what the request asks, write the answer and the evidence; a masked summary."""
    from gdprlab.audit.engine import violating_ids
    from gdprlab.subjects.access import answer_access, write_access
    from gdprlab.subjects.erase import apply_plan, erasure_plan

    out = params.output_dir or Path("../output") / f"subject-{params.request or 'request'}"
    with open_dataset(params.dataset, as_of=params.as_of) as (t, given):
        query, kind = _query(t, params)
        if kind not in TYPES:
            raise SubjectError(f"a request of type {kind} is not answered here; see gdprlab subject --help")
        subject = find_subject(t, query)
        summary = {"request": params.request, "type": kind, "found": summary_lines(subject), "files": []}
        if kind in ("access", "portability"):
            answer = answer_access(t, subject, given.policy, given.as_of, params.request)
            summary["files"] = [str(p) for p in write_access(answer, out)]
            summary["redacted"] = answer.redacted
            summary["rows"] = answer.rows
        else:
            if not params.request:
                raise SubjectError("an erasure needs the request's id (request)")
            plan = erasure_plan(subject, params.request, given.as_of)
            outcome = apply_plan(params.dataset, subject, plan, out, as_of=given.as_of, policy=given.policy)
            summary["plan"] = {
                f"{a} {b}": int(n) for (a, b), n in plan.groupby(["table", "action"]).size().items()
            }
            summary["files"] = [str(out / "erasure_plan.csv"), str(out / "audit.json"), str(outcome.folder)]
            with open_dataset(outcome.folder, as_of=given.as_of) as (erased, _):
                left = violating_ids("erasure_incomplete", erased, given.policy, given.as_of)
            summary["erasure_incomplete_after"] = params.request in left
    write_atomic(
        Path(out) / "summary.json", json.dumps(summary, indent=2, ensure_ascii=False) + "\n", mode=0o600
    )
    return summary


def _query(t, params: SubjectParams) -> tuple[Query, str]:
    """The person and the type: from the request row, else from the identifiers and request_type."""
    if params.request:
        r = t["requests"]
        row = t.fetch(r.filter(r["request_id"].cast("string") == params.request))
        if row.empty:
            raise SubjectError(f"request {params.request} is not in the requests table")
        return Query(id=str(row["contact_id"].iloc[0])), params.request_type or str(row["type"].iloc[0])
    person = _person(params)
    if person is None and not params.request_type:
        return _first_access_request(t)  # nothing asked: the first access request, as a demonstration
    if not params.request_type:
        raise SubjectError("without a request id, say request_type (access, portability or erasure)")
    return person or Query(), params.request_type


def _person(params: SubjectParams) -> Query | None:
    """The person the identifiers name, or None when none is given (a birth date alone names no one)."""
    if not any((params.email, params.phone, params.name, params.person_id)):
        return None
    return Query(email=params.email, phone=params.phone, name=params.name, birth_date=params.birth_date,
                 id=params.person_id)


def _first_access_request(t) -> tuple[Query, str]:
    """The person of the dataset's first access request (by request id) with a contact."""
    r = t["requests"]
    found = t.fetch(r.filter((r["type"] == "access") & r["contact_id"].notnull())
                    .order_by("request_id").limit(1).select("contact_id"))
    if found.empty:
        raise SubjectError("give a request id or the person's identifiers: the dataset has no access request")
    return Query(id=str(found["contact_id"].iloc[0])), "access"
