"""What a rule's implementation is, and the helpers every finder is built from.

A finder is a function `(tables, policy, as_of) -> ibis table with one string column "record_id"`: an
expression, not a result. The engine (gdprlab.audit.engine) runs it where the data is: DuckDB over the
dataset's files by default, PySpark, or any warehouse Ibis reaches, and fetches only counts, the ids and the
few rows shown as evidence. A rule is declared once, beside its finder, with `@rule(...)`: the tables and
columns it needs, what its population is, which fields show why a record violates it.

Semantics shared by every finder, each written once here and tested on every engine
(tests/audit/rules/test_base.py):
* "blank" is missing or only whitespace, whitespace being what Python's str.isspace says, on every engine
  (SQL trim() and regex classes differ between engines; translate() does not);
* text compared "case-insensitively" is compared casefolded as Python's str.casefold does, not by SQL lower()
  (which keeps the Greek final sigma and the German sharp s, and whose Unicode tables are not Python's);
  text lower-cased is lower-cased as Python's str.lower does;
* a regular expression is written so that RE2 (DuckDB) and Java (Spark) read it alike (char_class); one
  they read otherwise is run in Python on engines other than DuckDB (in_python); a finder an engine cannot
  run raises NotPortable, and the rule is reported as not assessed, for that reason, rather than with
  other ids;
* a missing value is never among a set of values, and a condition on a missing value is false;
* timestamps are naive UTC (those with a time zone are converted); the as-of date as a moment is its
  midnight UTC;
* periods in months are calendar months clamped to the month's end (Reg. 1182/71 Art. 3(2)(c)); one
  ending on a weekend or on a public holiday of the controller's country (the policy's) runs to the next
  working day (Art. 3(4)), as gdprlab.regulation.law counts it.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import functools
import inspect
import os
import time
import weakref
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.datatypes as dt_types
import ibis.expr.operations as ops
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa

from gdprlab.crm.backends import quoted
from gdprlab.crm.schema import TABLES
from gdprlab.regulation import law
from gdprlab.regulation.catalogue import RULES_BY_ID, Rule
from gdprlab.regulation.policy import Policy

Evidence = dict[str, str | None]
#: every character Python's str.isspace accepts (str.strip removes exactly these), written out rather than
#: found among the 1.1 million code points at every import (tests/audit/rules/test_base.py compares them)
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
              "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


#: the threads that work on streamed batches at once (Tables.map_batches)
_WORKERS = max(2, min(4, os.cpu_count() or 1))


class Tables(Mapping[str, ir.Table]):
    """A dataset's tables as Ibis tables on one backend, and what finders share within one run.

    `shared(name, build)` gives the same expression to every finder that asks for it during a run; on a
    backend that can, it is computed once and kept (materialise()), e.g. the marketing sends joined with
    the consents, which two permission rules use. Timestamps with a time zone are read as naive UTC.
    """

    def __init__(self, tables: Mapping[str, ir.Table], backend: Any = None, *, cache: bool = True):
        self.backend = backend
        self._cache = cache
        #: whether later() may work in the background: the engine's run of every rule, which waits for it
        self.deferring = False
        self._background: ThreadPoolExecutor | None = None
        self._shared: dict[Hashable, Any] = {}
        self._temporary: list[str] = []
        self._users: dict[Hashable, frozenset[str]] = {}
        self._tables = {name: self._viewed(name, self._naive_utc(table)) for name, table in tables.items()}

    def __getitem__(self, name: str) -> ir.Table:
        return self._tables[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    @property
    def backend_name(self) -> str:
        return getattr(self.backend, "name", "duckdb")

    def _naive_utc(self, table: ir.Table) -> ir.Table:
        """The table with its timestamps that have a time zone as naive UTC ones.

        DuckDB takes the day of such a timestamp, and compares it with a naive one, in its session's time
        zone, which is the computer's unless set. (Spark's timestamps have no zone for Ibis: gdprlab's
        Spark session is UTC.)
        """
        zoned = [name for name, dtype in table.schema().items() if dtype.is_timestamp() and dtype.timezone]
        if not zoned or self.backend_name != "duckdb":
            return table
        return table.mutate(**{name: _in_time_zone("UTC", table[name]) for name in zoned})

    def _viewed(self, name: str, table: ir.Table) -> ir.Table:
        """On DuckDB, a table that is an expression (the reader's typed columns of a file, say) as a temporary
        view of it, which every query then names: Ibis compiles each finder's query without rewriting that
        expression again (a third of the compiling time of all rules over a staged dataset). DuckDB plans the
        view's query inside each query, as before. The view goes with this Tables (or the connection)."""
        if self.backend_name != "duckdb" or self.backend is None or isinstance(
                table.op(), ops.DatabaseTable | ops.InMemoryTable):
            return table
        view = f"gdprlab_input_{name}_{id(self):x}"
        self.backend._register_in_memory_tables(table)  # the pandas frames it reads, as create_view does
        self.backend.raw_sql(f"CREATE TEMPORARY VIEW {self._quoted(view)} AS {self.backend.compile(table)}")
        weakref.finalize(self, _drop_view, self.backend, self._quoted(view))
        return self.backend.table(view)

    def fetch(self, expr: ir.Expr) -> Any:
        """Run an expression on this run's backend: a DataFrame for a table, a Python value for a scalar."""
        return expr.execute() if self.backend is None else self.backend.execute(expr)

    def arrow(self, expr: ir.Table) -> pa.Table:
        """Run a table expression on this run's backend into an Arrow table (no pandas conversion)."""
        return expr.to_pyarrow() if self.backend is None else self.backend.to_pyarrow(expr)

    def columns(self, name: str) -> tuple[str, ...]:
        return tuple(self._tables[name].columns)

    def shared(self, name: Hashable, build: Callable[[], Any], *, keep: bool = True,
               users: Iterable[str] | None = None) -> Any:
        """build(), computed once per run; a table is materialised on the backend when it can be, unless not
        `keep`: an expression that is cheap to compute again, or that one query alone reads, is not worth
        the memory its result would take until the end of the run.

        `users`, the rules that read it (their finders; no evidence): it is dropped once none of them is
        left to run (finished()), not kept to the end of the run. Asked for again, it is built again."""
        if name not in self._shared:
            value = build()
            if keep and self._cache and isinstance(value, ir.Table) and self.backend is not None:
                value = self.materialise(value, name if isinstance(name, str) else f"kept{len(self._shared)}")
            self._shared[name] = value
            if users is not None:
                self._users[name] = frozenset(users)
        return self._shared[name]

    def finished(self, remaining: Iterable[str]) -> None:
        """Drop what shared() keeps for named users once none of them is among the `remaining` rule ids."""
        remaining = set(remaining)
        for name, users in list(self._users.items()):
            if users.isdisjoint(remaining):
                value = self._shared.pop(name)
                del self._users[name]
                if isinstance(value, ir.Table) and value.get_name() in self._temporary:
                    self.drop(value)

    def materialise(self, expr: ir.Table, name: str) -> ir.Table:
        """The result of `expr` kept as a temporary table of this run (dropped by release()).

        PySpark has no temporary tables: there it is a temporary view held in Spark's cache.
        """
        table = f"gdprlab_{name}_{id(self):x}"
        if self.backend_name == "pyspark":
            self.backend._register_udfs(expr)  # create_view registers in-memory tables, not Python UDFs
            self.backend.create_view(table, expr)
            self.backend.raw_sql(f"CACHE LAZY TABLE {self._quoted(table)}")
        else:
            self.backend.create_table(table, expr, temp=True)
        self._temporary.append(table)
        return self.backend.table(table)

    def _quoted(self, table: str) -> str:
        return quoted(table, self.backend.dialect)

    def batches(self, expr: ir.Table, rows: int) -> Iterator[pa.RecordBatch]:
        """The rows of `expr` as Arrow batches of at most `rows` rows, never all in memory at once.

        On DuckDB they are streamed from the query itself, not written into a table first (at 5M contacts,
        a table of 5M phone numbers). The caller asks the engine nothing else until it has read them:
        another query on the connection would end the stream.
        """
        if self.backend is None or self.backend_name != "duckdb":
            backend = self.backend or expr
            yield from backend.to_pyarrow_batches(expr, chunk_size=rows) if self.backend else \
                expr.to_pyarrow_batches(chunk_size=rows)
            return
        self.backend._run_pre_execute_hooks(expr)  # the pandas frames it reads, as execute() does
        reader = self.backend.con.sql(self.backend.compile(expr)).to_arrow_reader(rows)
        try:
            yield from reader
        finally:  # read once (or left unread): its memory is given back now
            reader.close()

    def map_batches(self, expr: ir.Table, rows: int, function: Callable[[pa.RecordBatch], Any]) -> list[Any]:
        """function(batch) for each batch of batches(expr, rows), in the batches' order, worked on in threads:
        for a function that spends its time in Arrow's kernels, which let other threads run (the phone
        library's vectorised checks), while the engine streams the next batch. At most one batch per
        worker waits, so that the rows are never all in memory at once."""
        out: list[Any] = []
        with ThreadPoolExecutor(_WORKERS, thread_name_prefix="gdprlab-batch") as pool, \
                contextlib.closing(self.batches(expr, rows)) as batches:  # ended here, failed or not
            pending: collections.deque[Future] = collections.deque()
            for batch in batches:
                pending.append(pool.submit(function, batch))
                if len(pending) >= _WORKERS:
                    out.append(pending.popleft().result())
            out += [job.result() for job in pending]
        return out

    def later(self, work: Callable[[], ir.Table]) -> ir.Table | Later:
        """A finder's result that only Python works out, from data it has read already: work() itself, or,
        while the engine runs every rule (`deferring`), work() in a background thread, whose result the
        engine waits for once the other rules have run. work() must not ask the engine anything: the
        engine answers the next rules' queries meanwhile, and lets the thread run while it computes them."""
        if not self.deferring:
            return work()
        if self._background is None:
            self._background = ThreadPoolExecutor(1, thread_name_prefix="gdprlab-later")
        return Later(self._background.submit(_timed, work))

    def release(self) -> None:
        """Drop the temporary tables of this run (once the work in the background, if any, is over)."""
        if self._background is not None:
            self._background.shutdown(wait=True, cancel_futures=True)
            self._background = None
        for table in list(self._temporary):
            self._drop(table)
        self._shared.clear()
        self._users.clear()

    def drop(self, table: ir.Table) -> None:
        """Drop a table materialise() kept, before the end of the run."""
        self._drop(table.get_name())

    def _drop(self, table: str) -> None:
        kind = "VIEW" if self.backend_name == "pyspark" else "TABLE"  # Spark uncaches a view it drops
        with contextlib.suppress(Exception):  # a backend that cannot drop it keeps it until disconnect
            self.backend.raw_sql(f"DROP {kind} IF EXISTS {self._quoted(table)}")
        self._temporary.remove(table)


@dataclass(frozen=True)
class Later:
    """A finder's result being worked out in the background (Tables.later)."""

    future: Future

    def result(self) -> tuple[ir.Table, float]:
        """The finder's result once worked out, and the seconds the work took; its error, if it failed."""
        return self.future.result()


def _timed(work: Callable[[], ir.Table]) -> tuple[ir.Table, float]:
    start = time.perf_counter()
    return work(), time.perf_counter() - start


def _drop_view(backend: Any, view: str) -> None:
    with contextlib.suppress(Exception):  # the connection may be closed already, taking the view with it
        backend.raw_sql(f"DROP VIEW IF EXISTS {view}")


Finder = Callable[[Tables, Policy, dt.date], ir.Table]
Counter = Callable[[Tables], ir.Scalar | int]
Extra = Callable[[Tables, pd.DataFrame], dict[str, Evidence]]
Caveats = Callable[[Tables], Iterable[str]]


def reads(*columns: str) -> Callable[[Extra], Extra]:
    """Declare, on an extra-evidence function, the columns of its rule's table it reads of the sampled rows
    beyond the rule's evidence fields (and the names, which evidence always reads): the engine then reads
    only those columns of them. An extra-evidence function that declares nothing is given every column.

    The sampled rows of a large table are scattered over all of it: each column read of them costs about
    what reading it whole does (at 1M contacts, 0.5 s of the engine's time for all 39 columns of theirs).
    """
    def declared(extra: Extra) -> Extra:
        extra.reads = columns  # type: ignore[attr-defined]
        return extra
    return declared


@dataclass(frozen=True)
class Implementation:
    """How gdprlab checks one rule of the catalogue: its finder and everything the engine needs around it."""

    rule: Rule
    finder: Finder
    population_of: str
    count_population: Counter
    evidence: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()  # tables needed beyond the rule's own
    any_of: tuple[str, ...] = ()  # at least one must be present
    optional: Mapping[str, str] = field(default_factory=dict)  # table used when present -> what is missed
    optional_columns: Mapping[str, str] = field(default_factory=dict)  # own column -> what is missed
    extra_evidence: Extra | None = None
    caveats: Caveats | None = None  # what the rule could not judge in this run's data (e.g. counts)
    module: str = ""

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def tables(self) -> tuple[str, ...]:
        """Tables that must all be present: the rule's own first."""
        return (self.rule.table, *self.requires)

    @property
    def evidence_reads(self) -> frozenset[str] | None:
        """The columns of its table that its evidence reads of the sampled rows beyond their key and names;
        None when its extra-evidence function does not declare them with reads() (every column is read)."""
        extra = getattr(self.extra_evidence, "reads", None) if self.extra_evidence is not None else ()
        return None if extra is None else frozenset((*self.evidence, *extra))


#: every implementation, by rule id, in the order the concern modules declare them (see registry.py)
IMPLEMENTATIONS: dict[str, Implementation] = {}


def rule(rule_id: str, *, population: tuple[str, Counter], evidence: Iterable[str] = (),
         requires: Iterable[str] = (), any_of: Iterable[str] = (), optional: Mapping[str, str] | None = None,
         optional_columns: Mapping[str, str] | None = None, extra_evidence: Extra | None = None,
         caveats: Caveats | None = None) -> Callable[[Finder], Finder]:
    """Declare the finder below as the implementation of catalogue rule `rule_id` (once only).

    What a run of the rule could not see is said on its result, passed or failed: `optional` tables and
    `optional_columns` of its own table, when absent, give their text; `caveats(tables)`, run after the
    finder, gives what it could not judge in the data itself ("12 phone numbers not assessable: ...").
    """
    if rule_id not in RULES_BY_ID:
        raise KeyError(f"@rule({rule_id!r}): no such rule in the catalogue (gdprlab/regulation)")

    def register(finder: Finder) -> Finder:
        if rule_id in IMPLEMENTATIONS:
            other = IMPLEMENTATIONS[rule_id].module
            raise ValueError(f"rule {rule_id!r} is implemented twice ({other} and {finder.__module__})")
        what, count = population
        IMPLEMENTATIONS[rule_id] = Implementation(
            rule=RULES_BY_ID[rule_id], finder=finder, population_of=what, count_population=count,
            evidence=tuple(evidence), requires=tuple(requires), any_of=tuple(any_of),
            optional=dict(optional or {}), optional_columns=dict(optional_columns or {}),
            extra_evidence=extra_evidence, caveats=caveats, module=finder.__module__)
        return finder

    return register


# ----------------------------------------------------------------------------------------------------------
# results
# ----------------------------------------------------------------------------------------------------------

def key_of(table: str) -> str:
    return TABLES[table].key


def record_ids(t: ir.Table, table: str, condition: ir.BooleanValue) -> ir.Table:
    """The distinct keys (as text) of the rows of `t` where `condition` holds (rows without a key left out).

    `t` is the table named `table` or a selection of its rows that keeps its key column.
    """
    key = t[key_of(table)]
    rows = t.filter(condition.fill_null(False) & key.notnull())
    return rows.select(record_id=key.cast("string")).distinct()


def hashed(t: Tables, rows: ir.Table, columns: Sequence[str]) -> ir.IntegerValue:
    """One integer per value of `columns` of a row, which the engine groups millions of rows by in less
    memory than the values themselves. Values that differ may share one (a hash; Spark's has 32 bits): what
    is found by it is a superset, which the caller narrows or judges alike.

    DuckDB hashes the values as they are, as one struct; other engines hash them as text, joined (DuckDB
    hashed the names and birth dates of 5M contacts in 0.19 s as a struct, in 0.30-0.33 s as text). On
    DuckDB equal values hash alike only when their types are alike: rows of two tables compared by their
    hashes must have the same types (the schema's, as the reader gives them).
    """
    if t.backend_name == "duckdb":
        return ibis.struct({f"_{i}": rows[name] for i, name in enumerate(columns)}).hash()
    joined = functools.reduce(lambda left, name: left + "\x1f" + rows[name].cast("string"), columns[1:],
                              rows[columns[0]].cast("string"))
    return joined.hash()


def key_in(column: ir.Value, ids: Iterable[str]) -> ir.BooleanValue:
    """Whether the key is one of `ids` (text). A text key is compared as it is, which lets the engine test
    it while scanning and read the other columns of the few matching rows only (a cast would make it read
    every column of every row first)."""
    ids = list(ids)
    return column.isin(ids) if column.type().is_string() else column.cast("string").isin(ids)


def names(values: Iterable[str]) -> ir.Table:
    """Column names (or any small list of ids computed in Python) as a result of a finder."""
    return ibis.memtable(pd.DataFrame({"record_id": sorted(dict.fromkeys(values))}, dtype=object),
                         schema={"record_id": "string"})


def ropa_contacts(t: Tables) -> pd.DataFrame:
    """The record of processing's rows about the contacts table (a small table, read once per run)."""
    def build() -> pd.DataFrame:
        ropa = t["record_of_processing"]
        return t.fetch(ropa.filter(is_in(ropa["table_name"], ["contacts"])))
    return t.shared("ropa_contacts", build)


def blank_values(values: pd.Series) -> pd.Series:
    """blank() for a small column already read into pandas."""
    return values.isna() | values.astype("str").str.strip().eq("")


def count_rows(name: str, where: Callable[[ir.Table], ir.BooleanValue] | None = None) -> Counter:
    """A population counter: the rows of table `name` (where `where` holds)."""
    def count(t: Tables) -> ir.Scalar:
        table = t[name]
        return table.count() if where is None else table.filter(where(table).fill_null(False)).count()
    return count


# ----------------------------------------------------------------------------------------------------------
# values
# ----------------------------------------------------------------------------------------------------------

def blank(value: ir.StringValue) -> ir.BooleanValue:
    """Missing, or nothing but whitespace (Python's notion of it; empty text is blank too).

    Only text that starts with whitespace is searched for anything else (translate() costs per character
    of its argument; nearly all values start with something else). Whether it does is one search of its
    first character in WHITESPACE, which DuckDB does about three times faster than comparing that character
    with each of the 29. Empty text is found by comparing it with '': its length in characters is counted
    over the whole text (with it, the blank test of the notes of 5M contacts took a fifth longer).
    """
    empty = ibis.literal("")
    starts_blank = ibis.literal(WHITESPACE).contains(value.substr(0, 1))
    only_space = ibis.ifelse(starts_blank, value.translate(WHITESPACE, "") == empty, False)
    return value.isnull() | (value == empty) | only_space


def filled(value: ir.StringValue) -> ir.BooleanValue:
    """Neither missing nor only whitespace."""
    return ~blank(value)


def is_in(value: ir.Value, values: Iterable[Any]) -> ir.BooleanValue:
    """Whether the value is one of `values`; a missing value never is."""
    values = list(values)
    if not values:
        return ibis.literal(False)
    return value.isin(values).fill_null(False)


def is_true(value: ir.BooleanValue) -> ir.BooleanValue:
    return value.fill_null(False)


def char_class(chars: Iterable[str], *, negated: bool = False) -> str:
    """A regular-expression class of these characters (of all others when `negated`), in ranges of
    \\x{...} escapes, which RE2 (DuckDB) and Java (Spark) read alike."""
    points = sorted({ord(ch) for ch in chars})
    ranges: list[list[int]] = []
    for point in points:
        if ranges and point == ranges[-1][1] + 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    inside = "".join(f"\\x{{{a:x}}}" if a == b else f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in ranges)
    return f"[{'^' if negated else ''}{inside}]"


@dataclass(frozen=True)
class CaseMap:
    """A Python case mapping (str.lower or str.casefold) character by character, as SQL applies it:
    `single_from` to `single_to` by translate(), then each (character, text) of `multi` by replace()."""

    single_from: str
    single_to: str
    multi: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, mapping: Callable[[str], str], chars: Iterable[str]) -> CaseMap:
        single, multi = {}, {}
        for ch in chars:
            out = mapping(ch)
            if out != ch:
                (single if len(out) == 1 else multi)[ch] = out
        return cls("".join(single), "".join(single.values()), tuple(multi.items()))

    def apply(self, value: ir.StringValue) -> ir.StringValue:
        """The mapping applied to `value`."""
        out = value.translate(self.single_from, self.single_to) if self.single_from else value
        return self._replace(out)

    def _replace(self, value: ir.StringValue) -> ir.StringValue:
        for key, text in self.multi:
            value = value.replace(key, text)
        return value


_SHARP_S = ("\u00df", "ss")  # ß, which casefold makes ss, as it makes ẞ (whose lower() is ß)
_DOTTED_I = ("\u0130", "i\u0307")  # İ: Python's lower() gives i + combining dot; DuckDB's lower() a plain i


@functools.cache
def _case_maps() -> dict[str, CaseMap]:
    """Python's "lower" and "casefold" of every character."""
    return {"lower": CaseMap.of(str.lower, _changed_by(str.lower)),
            "casefold": CaseMap.of(str.casefold, _changed_by(str.casefold))}


def _changed_by(mapping: Callable[[str], str], block: int = 512) -> list[str]:
    """Every character (in code point order) that `mapping` changes, looked at one by one only in blocks
    of characters that the mapping changes as a whole (a few hundred of the 1.1 million code points)."""
    out = []
    for start in range(0, 0x110000, block):
        text = "".join(map(chr, range(start, min(start + block, 0x110000))))
        if mapping(text) != text:
            out.extend(ch for ch in text if mapping(ch) != ch)
    return out


def _native_lower(value: ir.StringValue) -> ir.StringValue:
    return value.replace(*_DOTTED_I).lower()


def _is_ascii(value: ir.StringValue) -> ir.BooleanValue:
    """On DuckDB, whether the text is ASCII: as many bytes as characters (two counts, cheaper per text than
    any search of its characters)."""
    return value.length() == _strlen(value)


@ibis.udf.scalar.builtin(name="strlen")
def _strlen(value: str) -> int:
    """DuckDB's strlen(): the text's length in bytes (UTF-8)."""


def lower(t: Tables, value: ir.StringValue) -> ir.StringValue:
    """Python's str.lower, for text where lowers_like_python() holds (the Greek capital sigma aside).

    On DuckDB, whose lower() maps every character as Python does but İ (tests/audit/rules/test_base.py
    compares all of them), lower() after İ is made i + combining dot. Elsewhere the engine's lower() for
    ASCII text, and Python's own table of every character, by translate() and replace(), for the rest: an
    engine's lower() may know characters that Python's Unicode database does not (Spark's lowers 55 of
    them), and some keep İ as it is.
    """
    if t.backend_name == "duckdb":
        return _native_lower(value)
    return _ascii_or(t, value, "lower")


def lowers_like_python(value: ir.StringValue) -> ir.BooleanValue:
    """Whether lower() gives Python's str.lower of the text: not for a text with a capital sigma, which
    Python lowers to a final ς at the end of a word and to σ elsewhere, and SQL engines each their way."""
    return ~value.contains("\u03a3")


def casefold(t: Tables, value: ir.StringValue) -> ir.StringValue:
    """Python's str.casefold, which compares text case-insensitively (ς, σ and Σ alike; ß as ss; ﬁ as fi).

    On DuckDB, lower() for ASCII text; for other text, lower() as above, with ß made ss (ẞ lowers to ß),
    when it has no other character that casefold maps beyond lower() (one RE2 search finds them), and
    Python's str.casefold, run by DuckDB through a UDF, for the few texts with one. (With ß among them,
    the UDF made the namesakes of 5M contacts, 9,266 of whose names hold an ß, take 1.6 s instead of 1.0 s.)
    Elsewhere, as lower() does it: the engine's lower() for ASCII text, Python's table for the rest.
    """
    if t.backend_name == "duckdb":
        beyond = value.re_search(_folds_beyond_lower(_SHARP_S))
        other = ibis.ifelse(beyond, _python_casefold(value), _native_lower(value).replace(*_SHARP_S))
        return ibis.ifelse(_is_ascii(value), value.lower(), other)  # most names: no search needed
    return _ascii_or(t, value, "casefold")


def _ascii_or(t: Tables, value: ir.StringValue, case: str) -> ir.StringValue:
    """The engine's lower() for ASCII text, which every engine lower-cases as Python does; for the text with
    another character, Python's str.lower or str.casefold (`case`): run by Spark's Python workers, or, on an
    engine that runs no Python, Python's table of every character applied by translate() and replace()
    (hundreds of calls, whose plan Spark takes seconds to optimise)."""
    if t.backend_name == "pyspark":
        python = in_python(t, _PYTHON_CASE[case], value, output="string")
    else:
        python = _case_maps()[case].apply(value)
    return ibis.ifelse(value.re_search(_NOT_ASCII), python, value.lower())


def python_lower(texts: pd.Series) -> list[str | None]:
    """Python's str.lower of each text (missing stays missing)."""
    return [text.lower() if isinstance(text, str) else None for text in texts]


def python_casefold(texts: pd.Series) -> list[str | None]:
    """Python's str.casefold of each text (missing stays missing)."""
    return [text.casefold() if isinstance(text, str) else None for text in texts]


_PYTHON_CASE = {"lower": python_lower, "casefold": python_casefold}


_NOT_ASCII = char_class(map(chr, range(0x80)), negated=True)


@functools.cache
def _folds_beyond_lower(replaced: tuple[str, str]) -> str:
    """A class of the characters whose casefold is not their lower() (ς, ﬁ, ...), and İ, but for those
    that lower to `replaced`[0] (ß, ẞ): text without them casefolds as DuckDB's lower() does it, followed
    by that replacement."""
    folded = _case_maps()["casefold"]
    chars = [*folded.single_from, *(ch for ch, _ in folded.multi)]
    return char_class([*(ch for ch in chars if ch.casefold() != ch.lower() and ch.lower() != replaced[0]),
                       _DOTTED_I[0]])


@ibis.udf.scalar.pyarrow(name="gdprlab_casefold")
def _python_casefold(value: str) -> str:
    """Python's str.casefold, run by DuckDB in this process on the few texts that need more than lower()."""
    return pa.array([None if text is None else text.casefold() for text in value.to_pylist()], pa.string())


def as_date(value: ir.Value) -> ir.DateValue:
    """The calendar day (UTC) of a timestamp or date."""
    return value.date() if isinstance(value, ir.TimestampValue) else value.cast("date")


def midnight(as_of: dt.date) -> ir.TimestampScalar:
    """The as-of date as a moment: its midnight UTC."""
    return ibis.timestamp(dt.datetime(as_of.year, as_of.month, as_of.day))


def day(as_of: dt.date) -> ir.DateScalar:
    return ibis.date(as_of)


def add_months(day: ir.DateValue, months: int | ir.IntegerValue) -> ir.DateValue:
    """The same date `months` later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    if isinstance(months, int):
        return day + ibis.interval(months=months)
    return day + months.as_interval("M")


def roll_to_working_day(day: ir.DateValue, holidays: Sequence[dt.date] | np.ndarray = ()) -> ir.DateValue:
    """A deadline on a Saturday, a Sunday or one of `holidays` moves to the next day that is none of them
    (Reg. 1182/71 Art. 3(4); gdprlab.regulation.law.roll_to_working_day).

    Weekends first (to Monday); then a weekday holiday, reached directly or from the weekend before it,
    moves by the days to the working day after it, worked out here with the law module: a CASE over a few
    lists of dates, one list per number of days, which every engine reads alike.
    """
    weekday = day.day_of_week.index()  # Monday 0
    monday = day + ibis.cases((weekday == 5, 2), (weekday == 6, 1), else_=0).as_interval("D")
    free = np.unique(np.asarray(holidays, dtype="datetime64[D]"))
    on_weekdays = free[np.is_busday(free)]
    if not len(on_weekdays):
        return monday
    steps = (law.roll_to_working_day(on_weekdays, free) - on_weekdays).astype(np.int64)
    cases = [(monday.isin([dt.date.fromisoformat(str(h)) for h in on_weekdays[steps == step]]), int(step))
             for step in np.unique(steps)]
    return monday + ibis.cases(*cases, else_=0).as_interval("D")


def public_holidays(t: Tables, policy: Policy, table: str, column: str) -> np.ndarray:
    """The public holidays of the controller's country (the policy's) from the year of the first date in
    t[table][column] to the year after the last (read once per run): deadlines a few months after those
    dates fall in them. None without a controller_country."""
    if not policy.controller_country:
        return law.public_holidays(None, ())

    def build() -> np.ndarray:
        days = as_date(t[table][column])
        span = t.fetch(t[table].aggregate(first=days.min(), last=days.max()))
        ends = pd.to_datetime(span.iloc[0].to_numpy()).to_numpy("datetime64[D]")
        return law.public_holidays(policy.controller_country, law.years_spanned(ends),
                                   policy.controller_subdivision)
    return t.shared(f"holidays_{table}_{column}", build)


def month_deadline(received: ir.DateValue, months: int,
                   holidays: Sequence[dt.date] | np.ndarray = ()) -> ir.DateValue:
    """Last day on which a reply to a request received on `received` is on time (gdprlab.regulation.law),
    `holidays` being the controller's public holidays in the years the deadlines fall in."""
    return roll_to_working_day(add_months(received, months), holidays)


#: the contacts columns recording an Art. 17(3) hold: its legal ground and its end date
HOLD_COLUMNS = ("retention_ground", "retention_until")


def hold_until(c: ir.Table) -> ir.DateValue:
    """The last day of the contact's recorded Art. 17(3) hold: retention_until where retention_ground is
    filled; missing without a ground, an end date or the columns (no hold then holds anything)."""
    if not set(HOLD_COLUMNS) <= set(c.columns):
        return ibis.null().cast("date")
    return ibis.ifelse(filled(c["retention_ground"].cast("string")), as_date(c["retention_until"]),
                       ibis.null().cast("date"))


def held(c: ir.Table, as_of: dt.date) -> ir.BooleanValue:
    """A recorded hold in force on as-of: a legal ground and an end date on or after it (none without the
    columns; a hold without an end date, or ended before as-of, holds nothing)."""
    return (hold_until(c) >= ibis.date(as_of)).fill_null(False)


def age_on(birth: ir.DateValue, on: ir.DateValue) -> ir.IntegerValue:
    """Completed years of age on a date (a birthday counts on its day; 29 Feb birthdays turn on 28 Feb)."""
    years = on.year() - birth.year()
    had_birthday = add_months(birth, years * 12) <= on
    return years - ibis.ifelse(had_birthday, 0, 1)


def per_value(value: ir.Value, mapping: Mapping[str, Any]) -> ir.Value:
    """mapping[value] as a SQL CASE (missing where the value is not a key): policy maps become literals."""
    known = [(k, v) for k, v in mapping.items() if v is not None and not pd.isna(v)]
    if not known:
        return ibis.null().cast("int64")
    return value.cases(*known, else_=None)


class NotPortable(Exception):
    """A finder this engine cannot run with gdprlab's semantics: the rule is not assessed, for this reason."""


class DoesNotApply(Exception):
    """The organisation's policy puts it outside the rule's article: the rule is not assessed, for this
    reason."""


def in_python(t: Tables, function: Callable[..., Any], *values: ir.Value, output: str) -> ir.Value:
    """function(*columns) for each row, computed in Python by the engine's workers on batches of rows.

    On Spark, a pandas UDF: `function` is given pandas Series and returns one value per row. Other engines
    are not given Python to run (DuckDB runs these computations natively): NotPortable.
    """
    if t.backend_name != "pyspark":
        raise NotPortable(f"{function.__name__} needs the engine to run Python, which gdprlab asks of Spark "
                          f"only, not of {t.backend_name}")
    return _pandas_udf(function, tuple(v.type() for v in values), output)(*values)


@functools.cache
def _pandas_udf(function: Callable[..., Any], inputs: tuple[Any, ...], output: str) -> Callable[..., Any]:
    def run(*columns: pd.Series) -> pd.Series:
        return pd.Series(function(*columns), index=columns[0].index)
    run.__signature__ = inspect.Signature(  # one parameter per column, as Ibis reads them
        [inspect.Parameter(f"column{i}", inspect.Parameter.POSITIONAL_ONLY) for i in range(len(inputs))])
    return ibis.udf.scalar.pandas(run, signature=(inputs, output), name=f"gdprlab_{function.__name__}")


_ZONED = dt_types.Timestamp(timezone="UTC")


@ibis.udf.scalar.builtin(name="timezone", signature=(("string", _ZONED), "timestamp"))
def _in_time_zone(zone: str, moment: dt.datetime) -> dt.datetime:
    """DuckDB's timezone(zone, timestamp with time zone): the naive time of that moment in that zone."""


def sha1_hex(value: ir.StringValue) -> ir.StringValue:
    """Hex SHA-1 digest of the text's UTF-8 bytes (a function of that name exists in DuckDB and Spark SQL)."""
    return _sha1(value)


@ibis.udf.scalar.builtin(name="sha1")
def _sha1(value: str) -> str:
    """SQL's sha1()."""
