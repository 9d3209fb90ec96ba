"""The staff roster: who must take which lessons, imported from an HR CSV into the progress database.

CSV columns (header names, case-insensitive, surrounding spaces ignored)::

    staff_id, name, email, department, role, crm_access, start_date[, learner_id]

``crm_access`` is ``none``, ``standard`` or ``full``; ``start_date`` is ISO ``YYYY-MM-DD``. Every problem
is reported as one :class:`RosterError` naming the file, the data row (1 = first row after the header)
and the field: a missing column, an empty or duplicate staff id, a bad date, an unknown access level.

**Learner ids.** Quiz attempts are recorded under a learner id. A roster row's learner id is its
``learner_id`` column when the CSV has one and the cell is filled, otherwise its ``staff_id``. Learners who
have attempts but are not on the roster are *reported* (:func:`unknown_learners`), never dropped.

**What is stored (data minimisation, Art. 5(1)(c)).** The roster lives in the same database as the quiz
attempts, in tables prefixed ``roster_`` (``roster_schema_version``, ``roster_staff``; see
:mod:`gdprlab.training.store.schema`) with a version of their own, so the attempts and their migrations
are untouched. Kept per person: staff id,
learner id, name, department, role, CRM access level and start date. The **name** is kept because the
completion certificate is issued to a named person; the **e-mail address is read for validation of the
column set only and never stored** (nothing here sends mail). People who leave the roster are **deleted**
at the next import (and reported as ``left``); their quiz attempts stay in the append-only attempts table.

**Careless imports.** A file without a single staff row is an error, never "everyone left". An import that
would delete people from the stored roster (a partial file, a filtered export) is refused with a
:class:`RosterRemoval` that lists them by staff id (never by name) unless ``replace=True`` (``gdprlab
progress import --replace``). Texts longer than the columns hold (names, departments and roles 200
characters, ids 64) are errors naming the row, and large rosters are written and deleted in batches of
:data:`~gdprlab.training.store.schema.BATCH_ROWS` (PostgreSQL takes at most 65,535 parameters a statement).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from gdprlab.crm.io import shape
from gdprlab.training.learner import InvalidLearnerId, validate_learner_id
from gdprlab.training.store.schema import (
    BATCH_ROWS,
    Database,
    StoreError,
    attempts_version,
    ensure_heads,
    ensure_roster,
    migrate,
    roster_staff,
)

ACCESS_LEVELS = ("none", "standard", "full")
REQUIRED_COLUMNS = ("staff_id", "name", "email", "department", "role", "crm_access", "start_date")
OPTIONAL_COLUMNS = ("learner_id",)
#: columns of :meth:`RosterStore.frame` and :func:`read_roster_csv`
STORED_COLUMNS = ("staff_id", "learner_id", "name", "department", "role", "crm_access", "start_date")
#: longest text each stored column holds (the roster_staff table's lengths)
MAX_LENGTH = {column.name: column.type.length for column in roster_staff.columns
              if getattr(column.type, "length", None)}
#: staff ids a RosterRemoval message lists before "and N more"
SHOWN_IDS = 20


class RosterError(ValueError):
    """A roster file that cannot be imported; the message names the file, the row and the field."""

    def __init__(self, file: str, row: int | None, field: str | None, problem: str):
        self.file, self.row, self.field, self.problem = file, row, field, problem
        where = (f"{file}" + (f", row {row}" if row is not None else "")
                 + (f", field {field!r}" if field is not None else ""))
        super().__init__(f"{where}: {problem}")


def _clean(value: object) -> str:
    return "" if value is None else str(value).strip()


def read_roster_csv(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The validated roster as a frame with :data:`STORED_COLUMNS` (start_date as datetime.date)."""
    path = Path(path)
    name = str(path)
    raw_rows: list[dict] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            delimiter = _delimiter(handle.readline())
            handle.seek(0)
            # strict: a quote never closed is an error
            reader = csv.DictReader(handle, delimiter=delimiter, strict=True)
            if not reader.fieldnames:
                raise RosterError(name, None, None, "the file is empty: export the roster again with its "
                                  "header row (staff_id, name, …)")
            header = [_clean(h).lower() for h in reader.fieldnames]
            for column in REQUIRED_COLUMNS:
                if column not in header:
                    raise RosterError(name, None, column, "missing column")
            reader.fieldnames = header
            for raw in reader:
                if raw.get(None):  # DictReader keeps the fields beyond the header under None
                    fields = len(header) + len(raw[None])
                    raise RosterError(name, len(raw_rows) + 1, None, f"{fields} fields where the header has "
                                      f"{len(header)} (a comma inside an unquoted value?)")
                raw_rows.append(raw)
    except csv.Error:
        raise RosterError(name, len(raw_rows) + 1, None, "the file ends inside a quoted value (cut off, or "
                          "a closing quote is missing): export the roster again") from None
    except UnicodeDecodeError:
        raise RosterError(name, None, None, "not UTF-8 text (saved in another encoding?); save the roster "
                          "as UTF-8") from None
    if not raw_rows:
        raise RosterError(name, None, "staff_id", "the file has no staff rows (only a header?); an empty "
                          "roster is never imported")
    return validate_rows(raw_rows, name)


def _delimiter(header: str) -> str:
    """What separates the header's columns: ',' unless a ';' (Excel's CSV where the decimal mark is a comma)
    or a tab (Excel's 'Unicode text', saved as UTF-8) separates more of them."""
    return max(",;\t", key=header.count)


def validate_rows(rows: Iterable[Mapping[str, object]], file: str = "<roster>") -> pd.DataFrame:
    """Validate roster rows (dicts keyed by column name); raise :class:`RosterError` at the first problem."""
    out: list[dict[str, object]] = []
    seen_staff: dict[str, int] = {}
    seen_learner: dict[str, int] = {}
    for number, raw in enumerate(rows, start=1):
        row = {k: _clean(v) for k, v in raw.items() if k is not None}
        staff_id = row.get("staff_id", "")
        if not staff_id:
            raise RosterError(file, number, "staff_id", "empty staff id")
        for column in ("staff_id", "name", "department", "role"):
            if len(row.get(column, "")) > MAX_LENGTH[column]:
                raise RosterError(file, number, column, f"longer than {MAX_LENGTH[column]} characters "
                                  f"({len(row[column])})")
        if staff_id in seen_staff:
            raise RosterError(file, number, "staff_id",
                              f"duplicate staff id {shape(staff_id)!r} (first on row {seen_staff[staff_id]})")
        seen_staff[staff_id] = number
        learner_raw = row.get("learner_id") or staff_id
        try:
            learner = validate_learner_id(learner_raw)
        except InvalidLearnerId as error:
            field = "learner_id" if row.get("learner_id") else "staff_id"
            raise RosterError(file, number, field, str(error)) from error
        if learner in seen_learner:
            raise RosterError(file, number, "learner_id",
                              f"duplicate learner id {shape(learner)!r} "
                              f"(first on row {seen_learner[learner]})")
        seen_learner[learner] = number
        for column in ("name", "department", "role"):
            if not row.get(column):
                raise RosterError(file, number, column, f"empty {column}")
        access = row.get("crm_access", "").lower()
        if access not in ACCESS_LEVELS:
            raise RosterError(file, number, "crm_access",
                              f"unknown access level {shape(row.get('crm_access', ''))!r} "
                              f"(expected one of {', '.join(ACCESS_LEVELS)})")
        try:
            start = dt.date.fromisoformat(row.get("start_date", ""))
        except ValueError:
            raise RosterError(file, number, "start_date",
                              f"bad date {shape(row.get('start_date', ''))!r} "
                              "(expected YYYY-MM-DD)") from None
        out.append({"staff_id": staff_id, "learner_id": learner, "name": row["name"],
                    "department": row["department"], "role": row["role"], "crm_access": access,
                    "start_date": start})
    return pd.DataFrame(out, columns=list(STORED_COLUMNS))


class RosterRemoval(ValueError):
    """An import that would delete staff from the stored roster, asked without ``replace``."""

    def __init__(self, left: list[str], kept: int, incoming: int):
        self.left = tuple(left)
        shown = ", ".join(left[:SHOWN_IDS]) + (f" and {len(left) - SHOWN_IDS} more" if len(left) > SHOWN_IDS
                                               else "")
        super().__init__(f"this roster would remove {len(left)} of the {kept + len(left)} stored staff "
                         f"(staff ids: {shown}); the file has {incoming} row(s). Import the complete roster, "
                         "or pass --replace (replace=True) to remove them")


@dataclass(frozen=True)
class ImportReport:
    """Staff ids added, updated (any stored field changed), unchanged and removed (left the roster)."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    left: tuple[str, ...] = ()

    def counts(self) -> dict[str, int]:
        return {k: len(getattr(self, k)) for k in ("added", "updated", "unchanged", "left")}

    def __str__(self) -> str:
        return ", ".join(f"{n} {k}" for k, n in self.counts().items())


class RosterStore(Database):
    """The roster tables in the progress database (default URL: the attempts store's, GDPRLAB_DB_URL).

    ``schema``: a PostgreSQL schema for the tables, as for
    :class:`gdprlab.training.store.progress.ProgressStore`, so that a roster sits beside the attempts it
    is matched with.
    """

    def __init__(self, url: str | sa.URL | None = None, *, schema: str | None = None,
                 create: bool = True) -> None:
        super().__init__(url, schema=schema, create=create)
        if schema is not None and self.backend != "postgresql":
            raise ValueError(f"schema={schema!r} needs a PostgreSQL database; {self.backend} keeps one "
                             "namespace per file (leave schema out)")
        self._ready = False

    @contextlib.contextmanager
    def _begin(self, *, write: bool = False) -> Iterator[sa.Connection]:
        """A transaction (a writer's takes the write lock first), the roster tables created or checked
        first (once)."""
        if not self._ready:
            self.prepare()
            with self._transaction(write=False) as conn:
                has_roster = sa.inspect(conn).has_table(roster_staff.name, schema=self.schema)
                new_database = attempts_version(conn, self.schema) is None
            if not self.create and not has_roster:
                raise StoreError(f"no roster in {self.url.render_as_string(hide_password=True)}: import "
                                 "one with gdprlab progress import STAFF.csv")
            if self.create and (new_database or not has_roster):
                with self._transaction(write=True) as conn:
                    self._lock(conn, "schema")
                    ensure_roster(conn)
                    if attempts_version(conn, self.schema) is None:  # read again, now under the lock
                        # a new database: its (empty) attempts too, so that readers find a progress database
                        migrate(conn, None)
                        ensure_heads(conn, self.schema)
            self._ready = True
        with self._transaction(write=write) as conn:
            yield conn

    def import_csv(self, path: str | os.PathLike[str], *, replace: bool = False) -> ImportReport:
        """Validate the CSV, then upsert it (the whole file or nothing); removing staff needs ``replace``."""
        return self.replace(read_roster_csv(path), allow_removal=replace)

    def replace(self, roster: pd.DataFrame, *, allow_removal: bool = True) -> ImportReport:
        """Make the stored roster equal to `roster` (validated rows), reporting what changed.

        An empty `roster` is a ValueError; one that would remove stored staff is a :class:`RosterRemoval`
        unless `allow_removal` (nothing is changed then)."""
        if roster.empty:
            raise ValueError("an empty roster is never imported (it would remove everyone)")
        incoming = {r["staff_id"]: {c: r[c] for c in STORED_COLUMNS} for r in roster.to_dict("records")}
        added, updated, unchanged = [], [], []
        with self._begin(write=True) as conn:
            self._lock(conn, "roster")  # PostgreSQL: one import at a time reads and rewrites it
            current = {r["staff_id"]: dict(r) for r in conn.execute(sa.select(roster_staff)).mappings()}
            left = sorted(set(current) - set(incoming))
            if left and not allow_removal:
                raise RosterRemoval(left, len(current) - len(left), len(incoming))
            # free learner ids first so that swapping learner ids between two people does not collide
            changed = [s for s in incoming if s in current and current[s] != incoming[s]]
            for ids in (left, changed):
                for start in range(0, len(ids), BATCH_ROWS):
                    conn.execute(roster_staff.delete().where(
                        roster_staff.c.staff_id.in_(ids[start:start + BATCH_ROWS])))
            rows = []
            for staff_id, row in incoming.items():
                if staff_id not in current:
                    added.append(staff_id)
                elif staff_id in changed:
                    updated.append(staff_id)
                else:
                    unchanged.append(staff_id)
                    continue
                rows.append(row)
            for start in range(0, len(rows), BATCH_ROWS):
                conn.execute(roster_staff.insert(), rows[start:start + BATCH_ROWS])
        return ImportReport(added=tuple(sorted(added)), updated=tuple(sorted(updated)),
                            unchanged=tuple(sorted(unchanged)), left=tuple(left))

    def exists(self) -> bool:
        """Whether the database holds a roster (nothing is created to find out)."""
        self.prepare()
        with self.engine.connect() as conn:
            return sa.inspect(conn).has_table(roster_staff.name, schema=self.schema)

    def frame(self) -> pd.DataFrame:
        """The stored roster (:data:`STORED_COLUMNS`), sorted by staff id; empty before any import."""
        with self._begin() as conn:
            rows = conn.execute(sa.select(roster_staff).order_by(roster_staff.c.staff_id)).mappings().all()
        return pd.DataFrame([dict(r) for r in rows], columns=list(STORED_COLUMNS))


def unknown_learners(roster: pd.DataFrame, attempts: pd.DataFrame) -> list[str]:
    """Learner ids that have attempts but no roster row (sorted); they are reported, not dropped."""
    if attempts.empty:
        return []
    known = set(roster["learner_id"]) if not roster.empty else set()
    return sorted(set(attempts["learner"]) - known)


def staff_table(roster: pd.DataFrame) -> pd.DataFrame:
    """The roster in the shape of a dataset's ``staff`` table (gdprlab.crm.schema), e-mail left empty."""
    return pd.DataFrame({
        "staff_id": roster["staff_id"].astype(object),
        "name": roster["name"].astype(object),
        "email": pd.Series([None] * len(roster), dtype=object, index=roster.index),
        "department": roster["department"].astype(object),
        "role": roster["role"].astype(object),
        "crm_access": roster["crm_access"].astype(object),
        "start_date": pd.to_datetime(roster["start_date"]),
    }).reset_index(drop=True)
