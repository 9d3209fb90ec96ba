"""Find the records that violate each rule of the catalogue, exactly as gdprlab.regulation.catalogue defines
it.

One pure function per rule id takes the tables, the organisation's policy and the as-of date and returns
the violating record ids (column names for column rules), sorted. Everything is vectorised over the
tables (a million contacts, four million activities); Python loops only run over unique values.
Inside `sharing()` (run_checks uses it) finders reuse what several of them compute from the same tables,
such as the join of marketing sends with consents.

Conventions shared by all finders:
* "empty" means missing or only whitespace, since a blank is no purpose, reason or condition;
* timestamps are naive UTC; the as-of date as a moment is its midnight UTC;
* "before" and "after" are strict, so a deadline met on its last day is met;
* a record whose deciding value is missing (no received_on, no last_activity_at) is not judged.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, NamedTuple, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gdprlab.audit.discovery.special_terms import reveals_special_category
from gdprlab.audit.rules.md5_batch import MAX_LENGTH, md5_digests
from gdprlab.audit.validate import valid_email, valid_phone
from gdprlab.crm.arrowtext import bools, text_buffers
from gdprlab.crm.protect import HEX_PAIRS, PREFIX, TOKEN_LENGTH, WEAK_HASHES, digest_constructor, is_token
from gdprlab.crm.schema import TABLES
from gdprlab.regulation.catalogue import RULES, RULES_BY_ID
from gdprlab.regulation.law import (
    ART8_AGE,
    ART8_DEFAULT_AGE,
    BREACH_NOTIFICATION_HOURS,
    EXTENDED_RESPONSE_MONTHS,
    RESPONSE_MONTHS,
    add_months,
    age_on,
    art8_age,
    month_deadline,
)
from gdprlab.regulation.policy import Policy

Tables = dict[str, pd.DataFrame]
Finder = Callable[[Tables, Policy, dt.date], pd.Series]

ONLINE_SOURCES = ("web_form", "mobile_app")
INVALID_METHODS = ("pre_ticked_box", "bundled_with_terms")
PERSONAL_FIELDS = ("first_name", "last_name", "email", "phone")
DUPLICATE_KEY = ("first_name", "last_name", "birth_date", "created_at")  # inaccurate_data's duplicates
_BREACH_LIMIT = pd.Timedelta(hours=BREACH_NOTIFICATION_HOURS)
_LONG_AGO = pd.Timestamp("1900-01-01")  # stands for "given, time unknown"
_T = TypeVar("_T")
_SHARED: ContextVar[_Shared | None] = ContextVar("_SHARED", default=None)

#: tables a rule cannot be judged without (beyond its own table); optional ones are used when present
REQUIRES: dict[str, tuple[str, ...]] = {
    "undeclared_personal_data": ("record_of_processing",),
    "marketing_without_basis": ("consents",),
    "child_consent_without_authorisation": ("contacts",),
    "field_without_purpose": ("record_of_processing",),
    "plaintext_sensitive_field": ("record_of_processing",),
    "untrained_crm_user": ("training",),
}


# ----------------------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------------------

def _ids(df: pd.DataFrame, table: str, mask: pd.Series | np.ndarray) -> pd.Series:
    """Sorted unique keys of the rows where mask holds (filtering first: few rows violate).

    The index (named ROW) holds each key's first row position in the table, so that evidence for a few of
    them is read without searching the table for their keys again. A df that is a selection of the table's
    rows says where they are in the table by an index named ROW (see _selection).
    """
    rows = np.flatnonzero(np.asarray(mask, dtype=bool))
    at = df.index.to_numpy()[rows] if df.index.name == ROW else rows
    keys = pd.Series(np.asarray(df[TABLES[table].key].array[rows], dtype=object),
                     index=pd.Index(at, name=ROW), dtype=object).dropna()
    keys = keys[~keys.duplicated()]
    return keys.iloc[np.argsort(keys.to_numpy(), kind="stable")]


#: the index name of a finder's result whose index holds the row positions of its keys (see _ids)
ROW = "row"


def _selection(df: pd.DataFrame, mask: np.ndarray, columns: list[str]) -> pd.DataFrame:
    """df[mask] restricted to `columns`, indexed by the rows' positions in df (an index named ROW)."""
    return df.loc[mask, columns].set_axis(pd.Index(np.flatnonzero(mask), name=ROW))


#: at most this many values of a non-text extension column are read one by one (iloc beyond)
_FEW_ROWS = 2000
#: at most this many values of pyarrow text are read one by one (taken by pyarrow beyond)
_FEW_VALUES = 32


def rows_at(df: pd.DataFrame, positions: np.ndarray, columns: list[str] | None = None) -> pd.DataFrame:
    """df.iloc[positions] restricted to `columns`, column by column.

    Taking rows from a chunked pyarrow column with iloc first concatenates its chunks (milliseconds per
    column of a million rows), so text held by pyarrow is taken chunk by chunk (see _values_at).
    """
    columns = list(df.columns) if columns is None else columns
    data = {col: _values_at(df[col], positions) for col in columns}
    return pd.DataFrame(data, columns=columns).set_axis(df.index[positions])


def _values_at(s: pd.Series, positions: np.ndarray) -> pd.Series:
    """s.iloc[positions] (values only) without concatenating a chunked pyarrow column.

    Numpy columns are indexed; text held by pyarrow is taken from each chunk and stays in pyarrow
    (a few values are read one by one, which is quicker still); other columns are read value by value
    when there are few positions and by iloc otherwise.
    """
    positions = np.asarray(positions, dtype=np.int64)
    if isinstance(s.dtype, np.dtype):
        return pd.Series(s.to_numpy()[positions], dtype=s.dtype)
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow" and len(positions) > _FEW_VALUES:
        return pd.Series(_arrow_take(pa.array(s, from_pandas=True), positions), dtype=s.dtype)
    if len(positions) > _FEW_ROWS:
        return s.iloc[positions].reset_index(drop=True)
    return pd.Series([s.iat[p] for p in positions], dtype=s.dtype)


def _arrow_take(arr: pa.Array | pa.ChunkedArray, positions: np.ndarray) -> pa.Array:
    """arr[positions], taken from each chunk that holds some of them (no concatenation of the chunks)."""
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    if not len(positions) or not chunks:
        return pa.array([], type=arr.type)
    starts = np.cumsum([0] + [len(chunk) for chunk in chunks])
    which = np.searchsorted(starts, positions, "right") - 1
    order = np.argsort(which, kind="stable")  # positions grouped by chunk, in their order within each
    pieces = [chunks[k].take(pa.array(positions[order][which[order] == k] - starts[k]))
              for k in np.unique(which)]
    taken = pa.concat_arrays(pieces)
    if (np.diff(which) >= 0).all():  # already grouped (sorted positions, the usual case)
        return taken
    inverse = np.empty(len(order), dtype=np.int64)
    inverse[order] = np.arange(len(order))
    return taken.take(pa.array(inverse))


def rows_where(df: pd.DataFrame, mask: pd.Series | np.ndarray,
               columns: list[str] | None = None) -> pd.DataFrame:
    """df[mask] restricted to `columns`, fast when mask selects few rows (see rows_at)."""
    return rows_at(df, np.flatnonzero(np.asarray(mask, dtype=bool)), columns)


def _sorted(values: np.ndarray | list) -> pd.Series:
    vals = pd.unique(pd.Series(values, dtype=object).dropna())
    return pd.Series(sorted(vals), dtype=object)


def _blank(s: pd.Series) -> np.ndarray:
    """Missing or only whitespace.

    Text held by pyarrow is tested there: empty or all whitespace (utf8_is_space uses the same notion of
    whitespace as the utf8_trim_whitespace behind pandas' str.strip of such text).
    """
    if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        arr = pa.array(s, from_pandas=True)
        return bools(pc.or_kleene(pc.equal(pc.binary_length(arr), 0), pc.utf8_is_space(arr))) \
            | s.isna().to_numpy(dtype=bool)
    return (s.isna() | s.astype("str").str.strip().eq("")).to_numpy(dtype=bool)


def _is(s: pd.Series, *values: str) -> np.ndarray:
    """Which values are among `values` (missing ones never are); one value is compared in pyarrow."""
    if len(values) == 1 and isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow":
        return bools(pc.equal(pa.array(s, from_pandas=True), values[0]))  # twice as quick as isin
    return s.isin(values).to_numpy(dtype=bool)


def _utc(s: pd.Series) -> pd.Series:
    """Timestamps as naive UTC datetime64 (text is parsed, aware values converted)."""
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return s.dt.tz_convert("UTC").dt.tz_localize(None)
    if pd.api.types.is_datetime64_dtype(s.dtype):
        return s
    return pd.to_datetime(s, utc=True, format="ISO8601").dt.tz_localize(None)


def _days(s: pd.Series) -> np.ndarray:
    """Calendar days (datetime64[D]) of dates or timestamps; NaT stays NaT."""
    return _utc(s).to_numpy().astype("datetime64[D]")


def _lookup(values: pd.Series, keys: pd.Series) -> pd.Series:
    """values (indexed by unique keys) for each key, missing where absent; keeps the dtype even when empty."""
    return pd.Series(values.reindex(keys.to_numpy()).to_numpy(), index=keys.index)


def _midnight(as_of: dt.date) -> pd.Timestamp:
    return pd.Timestamp(as_of)


def _keys(values: pd.Series | pd.Index) -> pa.Array:
    """One contiguous pyarrow array of the values, missing ones as nulls."""
    try:
        arr = pa.array(values, from_pandas=True)
        return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    except pa.ArrowInvalid:  # e.g. a pandas column whose chunks mix string and large_string
        return pa.array(pd.Series(values, dtype=object).to_numpy(), from_pandas=True)


def _positions(keys: pd.Series | pd.Index, table_keys: pd.Series | pd.Index) -> np.ndarray:
    """For each key, the position of its first occurrence in table_keys; -1 where absent or missing."""
    needles, haystack = _keys(keys), _keys(table_keys)
    if needles.type != haystack.type:
        needles, haystack = needles.cast(pa.large_string()), haystack.cast(pa.large_string())
    if 4 * len(needles) >= len(haystack):
        found = pc.index_in(needles, value_set=haystack, skip_nulls=True)
        return pc.fill_null(found, -1).to_numpy().astype(np.int64)
    # few keys: hash them rather than the table, and look up among the table rows holding one of them
    # (the rows keep their order, so the first occurrence is the same)
    rows = np.flatnonzero(bools(pc.is_in(haystack, value_set=pc.unique(needles), skip_nulls=True)))
    found = pc.index_in(needles, value_set=haystack.take(pa.array(rows)), skip_nulls=True)
    within = pc.fill_null(found, -1).to_numpy().astype(np.int64)
    return np.where(within >= 0, rows[np.maximum(within, 0)] if len(rows) else -1, -1)


def _in(values: pd.Series, value_set: pa.Array) -> np.ndarray:
    """Which values are among value_set (missing values never are), compared in pyarrow."""
    keys, wanted = _keys(values), pc.unique(value_set)
    if keys.type != wanted.type:
        keys, wanted = keys.cast(pa.large_string()), wanted.cast(pa.large_string())
    return bools(pc.is_in(keys, value_set=wanted, skip_nulls=True))


def _take(values: pd.Series, rows: np.ndarray) -> pd.Series:
    """values at positions `rows`, missing where a row is -1 (see _positions)."""
    return values.reset_index(drop=True).reindex(rows)


class _Shared:
    """Results computed once per run; safe when checks run in threads (one computation per key)."""

    def __init__(self) -> None:
        self.values: dict[tuple, tuple[tuple, Any]] = {}
        self.locks: dict[tuple, threading.Lock] = {}
        self.lock = threading.Lock()

    def get(self, key: tuple, frames: tuple[pd.DataFrame, ...], compute: Callable[[], _T]) -> _T:
        with self.lock:
            key_lock = self.locks.setdefault(key, threading.Lock())
        with key_lock:
            if key not in self.values:  # the frames are kept alongside: their ids cannot be reused meanwhile
                self.values[key] = (frames, compute())
            return self.values[key][1]


@contextmanager
def sharing() -> Iterator[None]:
    """Within this block, finders share intermediate results computed from the same table objects.

    The tables must not be modified inside the block: results are keyed by the frames' identity. Threads
    started inside see the block when they run in a copy of its context (contextvars.copy_context).
    """
    if _SHARED.get() is not None:  # already inside a block: share with it
        yield
        return
    token = _SHARED.set(_Shared())
    try:
        yield
    finally:
        _SHARED.reset(token)


def _shared(name: str, frames: tuple[pd.DataFrame, ...], compute: Callable[[], _T]) -> _T:
    """compute(), or its result for the same frames when an enclosing sharing() block already has it."""
    cache = _SHARED.get()
    if cache is None:
        return compute()
    return cache.get((name, *map(id, frames)), frames, compute)


# ----------------------------------------------------------------------------------------------------------
# classification
# ----------------------------------------------------------------------------------------------------------

def special_category_without_condition(t: Tables, policy: Policy, as_of: dt.date) -> pd.Series:
    """Accessibility needs (health) or a note revealing special-category data, and no Art. 9(2) condition."""
    c = t["contacts"]
    held = ~_blank(c["accessibility_needs"])
    if "activities" in t:
        revealing = _keys(t["activities"]["contact_id"]).take(pa.array(revealing_notes(t), type=pa.int64()))
        held |= _in(c["contact_id"], revealing)
    return _ids(c, "contacts", held & _blank(c["art9_condition"]))


def revealing_notes(t: Tables) -> np.ndarray:
    """Row positions of the activities whose note reveals special-category data (once inside sharing())."""
    a = t["activities"]
    return _shared("revealing", (a,), lambda: np.flatnonzero(reveals_special_category(a["note"])))


def _ropa_contacts(t: Tables) -> pd.DataFrame:
    ropa = t["record_of_processing"]
    return ropa[_is(ropa["table_name"], "contacts")]


def undeclared_personal_data(t: Tables, policy: Policy, as_of: dt.date) -> pd.Series:
    """Contact columns (all but the key) that the record of processing has no row for."""
    declared = set(_ropa_contacts(t)["column_name"].dropna())
    key = TABLES["contacts"].key
    return _sorted([c for c in t["contacts"].columns if c != key and c not in declared])


def field_without_purpose(t: Tables, policy: Policy, as_of: dt.date) -> pd.Series:
    """Contact columns listed in the record of processing with an empty purpose."""
    ropa = _ropa_contacts(t)
    listed = ropa["column_name"].to_numpy(dtype=object)[_blank(ropa["purpose"])]
    return _sorted([c for c in listed if c in t["contacts"].columns])


# ----------------------------------------------------------------------------------------------------------
# permission
# ----------------------------------------------------------------------------------------------------------

def marketing_sends(t: Tables) -> pd.DataFrame:
    """The marketing e-mails, their time as naive UTC (computed once inside sharing())."""
    return _shared("sends", (t["activities"],), lambda: _marketing_emails(t["activities"]))


_sends = marketing_sends


def _marketing_emails(a: pd.DataFrame) -> pd.DataFrame:
    columns = ["activity_id", "contact_id", "purpose", "lawful_basis", "occurred_at"]
    sends = _selection(a, _is(a["type"], "marketing_email"), columns)
    return sends.assign(at=_utc(sends["occurred_at"])).drop(columns="occurred_at")


class _ConsentTimes(NamedTuple):
    """Per send, what the consents for the same contact and purpose say at the send time."""

    given: np.ndarray  # latest given_at at or before the send (NaT when none)
    withdrawn: np.ndarray  # latest withdrawn_at at or before the send (NaT when none)
    undated: np.ndarray  # some consent for the contact and purpose has no given_at


def _consent_times(t: Tables) -> _ConsentTimes:
    """The sends joined with the consents, once for both permission rules that need it."""
    return _shared("consent_times", (t["activities"], t["consents"]),
                   lambda: _join_consents(_sends(t), t["consents"]))


def _join_consents(sends: pd.DataFrame, k: pd.DataFrame) -> _ConsentTimes:
    send_key, consent_key = _pair_codes(sends, k)
    at = sends["at"].to_numpy()
    given, withdrawn = (_utc(k[col]).to_numpy().astype(at.dtype) for col in ("given_at", "withdrawn_at"))
    send, consent = _same_key_pairs(send_key, consent_key)
    undated = consent_key[np.isnat(given) & (consent_key >= 0)]
    return _ConsentTimes(_latest_at_or_before(at, send, given[consent]),
                         _latest_at_or_before(at, send, withdrawn[consent]),
                         (send_key >= 0) & np.isin(send_key, undated))


def _pair_codes(sends: pd.DataFrame, k: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of (contact_id, purpose), shared by sends and consents; -1 when either is missing."""
    codes = [pd.factorize(pd.concat([sends[col], k[col]], ignore_index=True))[0]
             for col in ("contact_id", "purpose")]
    code = codes[0].astype(np.int64) * (codes[1].max(initial=0) + 2) + codes[1]
    code[(codes[0] < 0) | (codes[1] < 0)] = -1
    return code[:len(sends)], code[len(sends):]


def _same_key_pairs(key: np.ndarray, event_key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (row, event) with the same non-negative key, grouped by row in ascending order.

    A contact has few consents per purpose, so there are about as many pairs as rows.
    """
    order = np.argsort(event_key, kind="stable")
    size = int(max(key.max(initial=-1), event_key.max(initial=-1))) + 1
    if size <= 4 * (len(key) + len(event_key)):  # codes dense enough to count: no binary search
        counts = np.bincount(event_key[event_key >= 0], minlength=size)
        known = np.maximum(key, 0)
        lo = (np.cumsum(counts) - counts + int((event_key < 0).sum()))[known]
        n = np.where(key >= 0, counts[known], 0)
    else:
        ordered = event_key[order]
        lo = np.searchsorted(ordered, key, "left")
        n = np.where(key >= 0, np.searchsorted(ordered, key, "right") - lo, 0)
    row = np.repeat(np.arange(len(key)), n)
    within = np.arange(len(row)) - np.repeat(np.cumsum(n) - n, n)
    return row, order[np.repeat(lo, n) + within]


def _latest_at_or_before(at: np.ndarray, row: np.ndarray, when: np.ndarray) -> np.ndarray:
    """Per entry of `at`, the latest `when` of its pairs (row, when) that is at or before it (else NaT)."""
    stamp = when.view(np.int64).copy()  # NaT is the smallest int64, so a maximum ignores it
    stamp[~(when <= at[row])] = np.iinfo(np.int64).min
    out = np.full(len(at), np.iinfo(np.int64).min, dtype=np.int64)
    if len(row):
        starts = np.flatnonzero(np.r_[True, row[1:] != row[:-1]])
        out[row[starts]] = np.maximum.reduceat(stamp, starts)
    return out.view(at.dtype)


def marketing_without_basis(t: Tables, policy: Policy, as_of: dt.date) -> pd.Series:
    """Consent-based (or basis-less) sends with no consent for the purpose given at or before the send.

    A consent without a recorded given_at still counts as given (as if long ago): its missing proof is
    consent_without_proof's finding, not this rule's.
    """
    sends = _sends(t)
    by_consent = _blank(sends["lawful_basis"]) | _is(sends["lawful_basis"], "6(1)(a)")
    x = _consent_times(t)
    at = sends["at"].to_numpy()
    consented = ~np.isnat(x.given) | (x.undated & ~np.isnat(at) & (at >= _LONG_AGO.to_datetime64()))
    return _ids(sends, "activities", by_consent & ~consented)


def processing_after_withdrawal(t: Tables, policy: Policy, as_of: dt.date) -> pd.Series:
    """Sends at or after a withdrawal with no consent given since, or on or after an objection's day."""
    sends = _sends(t)
    late = np.zeros(len(sends), dtype=bool)
    if "consents" in t:
        x = _consent_times(t)
        late |= ~np.isnat(x.withdrawn) & (np.isnat(x.given) | (x.given <= x.withdrawn))
    if "requests" in t:
        r = t["requests"]
        objections = r[_is(r["type"], "objection")]
        first = _utc(objections["received_on"]).groupby(objections["contact_id"]).min()
        objected = _take(first, _positions(sends["contact_id"], first.index)).to_numpy()
        late |= sends["at"].to_numpy() >= objected.astype(sends["at"].dtype)
    return _ids(sends, "activities", late)


def consent_without_proof(t: Tables, policy: Policy, as_of: dt.date) -> pd.Series:
    """Consents lacking given_at, source or wording_version."""
    k = t["consents"]
    missing = k["given_at"].isna().to_numpy() | _blank(k["source"]) | _blank(k["wording_version"])
    return _ids(k, "consents", missing)


def child_consent_without_authorisation(t: Tables, policy: Policy, as_of: dt.date) -> pd.Series:
    """Online consents of contacts under their country's Art. 8 age, without parental authorisation."""
    k = t["consents"]
    refused = (k["parental_authorisation"] == False).fillna(False).to_numpy(dtype=bool)  # noqa: E712
    keep = _is(k["source"], *ONLINE_SOURCES) & refused & k["given_at"].notna().to_numpy()
    k = _selection(k, keep, ["consent_id", "contact_id", "given_at"])
    c = t["contacts"]
    given = _days(k["given_at"])
    row = _contact_rows(k["contact_id"], c, given)
    found = np.flatnonzero(row >= 0)
    birth = np.full(len(k), np.datetime64("NaT"), dtype="datetime64[D]")
    birth[found] = _days(c["birth_date"].take(row[found]))
    ages = np.zeros(len(k), dtype=np.int64)
    ages[found] = _art8_ages(c["country"].take(row[found]))
    # age_on only where the age can be below the Art. 8 age: A full years take at least 365 * A days
    young = np.flatnonzero(~np.isnat(birth) & ((given - birth).astype(np.int64) < 366 * (ages + 1)))
    under = np.zeros(len(k), dtype=bool)
    under[young] = age_on(birth[young], given[young]) < ages[young]
    return _ids(k, "consents", under)


#: the highest Art. 8 age of any member state
OLDEST_ART8_AGE = max(ART8_DEFAULT_AGE, *ART8_AGE.values())


def _contact_rows(keys: pd.Series, c: pd.DataFrame, given: np.ndarray) -> np.ndarray:
    """The contact row of each consent's key (first occurrence; -1 where absent) wherever it can matter.

    When the contact ids are strictly increasing, and so unique, only contacts born late enough to be
    under the oldest Art. 8 age at the earliest consent are searched: the others are of age at every
    consent, and -1 says as much.
    """
    ids = _keys(c["contact_id"])
    dated = given[~np.isnat(given)]
    if ids.null_count or len(ids) < 2 or not len(dated) or not pc.all(pc.less(ids[:-1], ids[1:])).as_py():
        return _positions(keys, c["contact_id"])
    cutoff = dated.min() - np.timedelta64(366 * (OLDEST_ART8_AGE + 1), "D")
    young = np.flatnonzero(_days(c["birth_date"]) > cutoff)
    row = _positions(keys, pd.Series(ids.take(pa.array(young, type=pa.int64())), dtype=c["contact_id"].dtype))
    return np.where(row >= 0, young[np.maximum(row, 0)] if len(young) else -1, -1)


def _art8_ages(country: pd.Series) -> np.ndarray:
    """The Art. 8 age of each contact's country (the default age where the country is missing)."""
    codes, uniques = pd.factorize(country)
    ages = np.array([art8_age(code) for code in uniques] + [art8_age("")], dtype=np.int64)
    return ages[codes]  # code -1 (missing) takes the last entry


def invalid_consent_form(t: Tables, policy: Policy, as_of: dt.date) -> pd.Series:
    """Consents by pre-ticked box or bundled with terms."""
    k = t["consents"]
    return _ids(k, "consents", _is(k["method"], *INVALID_METHODS))


# ----------------------------------------------------------------------------------------------------------
# minimisation
# ----------------------------------------------------------------------------------------------------------

def _live(c: pd.DataFrame) -> np.ndarray:
    """Not erased; every contact when the export has no status."""
    return ~_is(c["status"], "erased") if "status" in c.columns else np.ones(len(c), dtype=bool)


def retention_exceeded(t: Tables, policy: Policy, as_of: dt.date) -> pd.Series:
    """Contacts not erased whose last activity plus their status's retention months is before as-of."""
    c = t["contacts"]
    months, known = _per_value(c["status"], policy.retention_months)
    judged = _live(c) & known & c["last_activity_at"].notna().to_numpy()
    end = add_months(_days(c["last_activity_at"])[judged], months[judged])
    over = np.zeros(len(c), dtype=bool)
    over[judged] = end < np.datetime64(as_of, "D")
    return _ids(c, "contacts", over)


def _per_value(s: pd.Series, months: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """(months[value] as int64, whether the value is a key) per row; looked up once per unique value."""
    codes, uniques = pd.factorize(s)
    known = np.array([u in months and pd.notna(months[u]) for u in uniques] + [False], dtype=bool)
    table = np.array([int(months[u]) if k else 0 for u, k in zip(uniques, known, strict=False)] + [0],
                     dtype=np.int64)
    return table[codes], known[codes]  # code -1 (missing) takes the last entry


def _folded_codes(s: pd.Series) -> np.ndarray:
    """Codes equal for values equal when casefolded (-1 when missing); casefolds each unique value once."""
    codes, uniques = pd.factorize(s)
    folded = pd.factorize(pd.Series(uniques, dtype=object).map(_casefold))[0]
    return np.where(codes >= 0, folded[np.maximum(codes, 0)] if len(folded) else -1, -1)


def _casefold(value: object) -> str | None:
    return value.casefold() if isinstance(value, str) else None


def _group_codes(*codes: np.ndarray) -> np.ndarray:
    """One code per distinct combination of non-negative codes; -1 when any is missing."""
    out = np.zeros(len(codes[0]), dtype=np.int64)
    bound = 1  # every code in `out` is below it
    for code in codes:
        n = int(code.max(initial=0)) + 1
        if bound * n >= 1 << 62:  # the mixed-radix number would overflow: renumber densely first
            out = pd.factorize(out)[0].astype(np.int64)
            bound = int(out.max(initial=0)) + 1
        out = out * n + np.maximum(code, 0)
        bound *= n
    out[np.any([code < 0 for code in codes], axis=0)] = -1
    return out


#: an odd 64-bit constant (2**64 / golden ratio) whose product spreads integer codes over hash buckets
_SPREAD = np.uint64(0x9E3779B97F4A7C15)


def _may_repeat(codes: np.ndarray) -> np.ndarray:
    """True at least wherever a code occurs more than once (and where it shares a hash bucket by chance).

    Counting codes in a table of about four buckets per code is a few times cheaper than grouping them,
    and leaves to the exact grouping only the codes that repeat and about a fifth of the others.
    """
    bits = max(8, int(4 * len(codes)).bit_length())
    bucket = ((codes.astype(np.uint64) * _SPREAD) >> np.uint64(64 - bits)).astype(np.intp)
    return np.bincount(bucket, minlength=1 << bits)[bucket] > 1


def _duplicates(c: pd.DataFrame) -> np.ndarray:
    """Contacts created after another with the same first name, last name and birth date (any case)."""
    birth = pd.factorize(_utc(c["birth_date"]))[0]
    group = _group_codes(_folded_codes(c["first_name"]), _folded_codes(c["last_name"]), birth)
    complete = np.flatnonzero(group >= 0)
    complete = complete[_may_repeat(group[complete])]  # a contact alone in its group is nobody's duplicate
    created = _utc(c["created_at"]).to_numpy()
    never = np.iinfo(np.int64).max  # a missing creation time is nobody's earliest
    stamp = np.where(np.isnat(created), never, created.view(np.int64))[complete]
    dense = pd.factorize(group[complete])[0]
    earliest = np.full(int(dense.max(initial=-1)) + 1, never, dtype=np.int64)
    np.minimum.at(earliest, dense, stamp)
    later = np.zeros(len(c), dtype=bool)
    later[complete] = (stamp > earliest[dense]) & (stamp != never)
    return later


def inaccurate_data(t: Tables, policy: Policy, as_of: dt.date) -> pd.Series:
    """Contacts not erased with an invalid e-mail or phone (for their country), or a later duplicate.

    An empty e-mail or phone is absent, not inaccurate. An export may lack columns: each test runs when
    its columns are there (no country: phones are judged without a default region; no status: no contact
    counts as erased); with none of them, the KeyError names the e-mail column.
    """
    c = t["contacts"]
    duplicates = set(DUPLICATE_KEY) <= set(c.columns)
    if not duplicates and not {"email", "phone"} & set(c.columns):
        raise KeyError("email")
    bad = np.zeros(len(c), dtype=bool)
    if "email" in c.columns:
        bad |= ~_blank(c["email"]) & ~valid_email(c["email"]).to_numpy(dtype=bool)
    if "phone" in c.columns:
        country = c["country"] if "country" in c.columns else np.full(len(c), None)
        bad |= ~_blank(c["phone"]) & ~valid_phone(c["phone"], country)
    if duplicates:
        bad |= _duplicates(c)
    return _ids(c, "contacts", _live(c) & bad)


# ----------------------------------------------------------------------------------------------------------
# encryption
# ----------------------------------------------------------------------------------------------------------

def plaintext_sensitive_field(t: Tables, policy: Policy, as_of: dt.date) -> pd.Series:
    """Contacts with a non-empty, non-token value in a column the record of processing says to encrypt."""
    ropa = _ropa_contacts(t)
    required = (ropa["requires_encryption"] == True).fillna(False).to_numpy(dtype=bool)  # noqa: E712
    c = t["contacts"]
    plain = np.zeros(len(c), dtype=bool)
    for col in set(ropa["column_name"].to_numpy(dtype=object)[required]) & set(c.columns):
        plain |= ~_blank(c[col]) & ~_tokens(c[col])
    return _ids(c, "contacts", plain)


def _tokens(values: pd.Series) -> np.ndarray:
    """protect.is_token of each value, vectorised for text columns.

    is_token tests a string's prefix and length in characters only. TOKEN_LENGTH characters take from
    TOKEN_LENGTH bytes (all ASCII, as real tokens) to four times as many: ASCII values are judged by their
    size, and only the few wider prefixed ones have their characters counted. A column of Python objects is
    asked value by value.
    """
    if values.dtype == object or not pd.api.types.is_string_dtype(values.dtype):
        return np.fromiter(map(is_token, values.to_numpy(dtype=object)), bool, len(values))
    text = pa.array(values, from_pandas=True)
    prefixed = bools(pc.starts_with(text, PREFIX))
    size = pc.fill_null(pc.binary_length(text), 0).to_numpy()
    out = prefixed & (size == TOKEN_LENGTH) & bools(pc.string_is_ascii(text))
    wider = np.flatnonzero(prefixed & (size > TOKEN_LENGTH) & (size <= 4 * TOKEN_LENGTH))
    characters = pc.utf8_length(text.take(pa.array(wider, type=pa.int64())))
    out[wider] = characters.to_numpy(zero_copy_only=False) == TOKEN_LENGTH
    return out


def weak_pseudonymisation(t: Tables, policy: Policy, as_of: dt.date) -> pd.Series:
    """Contacts whose pseudonym is the unsalted MD5, SHA-1 or SHA-256 hex digest of their e-mail.

    The digest is protect.weak_pseudonym's, compared with pseudonym.strip().lower(); only e-mails whose
    pseudonym has a digest's length are hashed. Pseudonyms with nothing to strip (nearly all) are lowered
    and compared in numpy with the digests' hex; the others are normalised and compared in Python (bare
    hex of another length cannot match).
    """
    c = t["contacts"]
    usable = c["email"].notna().to_numpy() & c["pseudonym"].notna().to_numpy()
    text = _keys(c["pseudonym"].astype("str"))
    size = pc.fill_null(pc.binary_length(text), -1).to_numpy()
    weak, decided = np.zeros(len(c), dtype=bool), np.zeros(len(c), dtype=bool)
    emails = _addresses(c["email"])
    for algorithm in WEAK_HASHES:  # a digest has one length per algorithm: hash only those rows
        width = 2 * digest_constructor(algorithm)().digest_size
        rows = np.flatnonzero(usable & (size == width))
        chars = _fixed_width(pc.ascii_lower(text.take(pa.array(rows, type=pa.int64()))), width)
        # nothing to strip: compared as they are (a non-ASCII character never lowers to a hex digit)
        plain = ~(_MAY_BE_SPACE[chars[:, 0]] | _MAY_BE_SPACE[chars[:, -1]])
        rows, chars = rows[plain], chars[plain]
        decided[rows] = True
        hexed = HEX_PAIRS[_digests(emails, rows, algorithm)].view(np.uint8).reshape(len(rows), width)
        weak[rows] = (chars.view(np.uint64) == hexed.view(np.uint64)).all(axis=1)
    rest = np.flatnonzero(usable & ~decided)
    if len(rest):
        rest = rest[~bools(pc.match_substring_regex(text.take(pa.array(rest, type=pa.int64())),
                                                    "^[0-9A-Fa-f]+$"))]
    normalised = [str(v).strip().lower() for v in text.take(pa.array(rest, type=pa.int64())).to_pylist()]
    lengths = np.fromiter(map(len, normalised), np.int64, len(normalised))
    for algorithm in WEAK_HASHES:
        picks = np.flatnonzero(lengths == 2 * digest_constructor(algorithm)().digest_size)
        for i, d in zip(picks, _digests(emails, rest[picks], algorithm), strict=True):
            weak[rest[i]] = normalised[i] == d.tobytes().hex()
    return _ids(c, "contacts", weak)


#: which bytes Python's str.strip removes from an ASCII string
_IS_SPACE = np.array([chr(i).isspace() for i in range(256)]) & (np.arange(256) < 128)
#: ... and the bytes of non-ASCII characters, some of which are whitespace too
_MAY_BE_SPACE = _IS_SPACE | (np.arange(256) >= 128)


def _fixed_width(text: pa.Array, width: int) -> np.ndarray:
    """The bytes of strings of exactly `width` bytes each, one row per string."""
    return text_buffers(text)[1].reshape(len(text), width)


class _Addresses(NamedTuple):
    """Every e-mail as protect.weak_pseudonym hashes it, prepared once for all three algorithms: ASCII
    addresses with nothing to strip (`bulk`, nearly all) lowered in Arrow; the others normalised when
    hashed."""

    source: pa.Array
    offsets: np.ndarray
    chars: np.ndarray
    bulk: np.ndarray


def _addresses(emails: pd.Series) -> _Addresses:
    source = _keys(emails.astype("str"))  # text even when every value is missing
    text = pc.ascii_lower(source)
    offsets, chars = text_buffers(text)
    ends = np.diff(offsets) == 0  # empty, or the first or last byte is whitespace
    filled = np.flatnonzero(~ends)
    ends[filled] = _IS_SPACE[chars[offsets[filled]]] | _IS_SPACE[chars[offsets[filled + 1] - 1]]
    return _Addresses(source, offsets, chars, bools(pc.string_is_ascii(text)) & ~ends)


def _digests(e: _Addresses, rows: np.ndarray, algorithm: str) -> np.ndarray:
    """The digest of email.strip().lower() for the rows, one row of bytes each: MD5 of bulk addresses
    that fit one block computed together (md5_batch), the others one by one."""
    starts = e.offsets[rows]
    lengths, bulk = e.offsets[rows + 1] - starts, e.bulk[rows]
    digest = digest_constructor(algorithm)
    out = np.empty((len(rows), digest().digest_size), dtype=np.uint8)
    batch = bulk & (lengths <= MAX_LENGTH) & (algorithm == "md5")
    if batch.any():
        out[batch] = md5_digests(e.chars, starts[batch], lengths[batch])
    single = np.flatnonzero(~batch)
    values = [e.chars[starts[i]:starts[i] + lengths[i]].tobytes() if bulk[i]
              else str(e.source[int(rows[i])].as_py()).strip().lower().encode("utf-8") for i in single]
    out[single] = np.frombuffer(b"".join([digest(v).digest() for v in values]), dtype=np.uint8).reshape(
        len(single), out.shape[1])
    return out


def excessive_access(t: Tables, policy: Policy, as_of: dt.date) -> pd.Series:
    """Staff with full CRM access whose role is not among the policy's special-category roles."""
    s = t["staff"]
    return _ids(s, "staff", _is(s["crm_access"], "full") & ~_is(s["role"], *policy.special_category_roles))


# ----------------------------------------------------------------------------------------------------------
# rights
# ----------------------------------------------------------------------------------------------------------

class _Timing(NamedTuple):
    judged: np.ndarray  # received_on known
    day: np.ndarray  # reply day, or the as-of date while open
    d1: np.ndarray  # one-month deadline
    d3: np.ndarray  # three-month deadline
    timely_notice: np.ndarray  # extension notified within the first month
    late_notice: np.ndarray  # extension notified after it


def _request_timing(r: pd.DataFrame, as_of: dt.date) -> _Timing:
    """Per request: the day judged, both deadlines and when the extension was notified."""
    received = _days(r["received_on"])
    judged = ~np.isnat(received)
    d1 = np.full(len(r), np.datetime64("NaT"), dtype="datetime64[D]")
    d3 = d1.copy()
    d1[judged] = month_deadline(received[judged], RESPONSE_MONTHS)
    d3[judged] = month_deadline(received[judged], EXTENDED_RESPONSE_MONTHS)
    replied = _days(r["responded_on"])
    day = np.where(np.isnat(replied), np.datetime64(as_of, "D"), replied)
    notice = _days(r["extension_notified_on"])
    notified = ~np.isnat(notice)
    return _Timing(judged, day, d1, d3, notified & (notice <= d1), notified & (notice > d1))


def request_overdue(t: Tables, policy: Policy, as_of: dt.date) -> pd.Series:
    """Replies (or open requests at as-of) after the deadline, unless only the extension notice was late."""
    r = t["requests"]
    x = _request_timing(r, as_of)
    late = x.judged & (x.day > np.where(x.timely_notice, x.d3, x.d1))
    only_notice = x.late_notice & (x.day <= x.d3)
    return _ids(r, "requests", late & ~only_notice)


def extension_not_notified(t: Tables, policy: Policy, as_of: dt.date) -> pd.Series:
    """Extension notified after the one-month deadline, reply (or as-of) after one month but within three."""
    r = t["requests"]
    x = _request_timing(r, as_of)
    return _ids(r, "requests", x.judged & x.late_notice & (x.day > x.d1) & (x.day <= x.d3))


def erasure_incomplete(t: Tables, policy: Policy, as_of: dt.date) -> pd.Series:
    """Completed erasures whose contact still has a name, e-mail or phone, or an activity with a note."""
    r = t["requests"]
    left = erased_remains(t)
    filled = left.contacts[list(PERSONAL_FIELDS)].to_numpy(dtype=bool).any(axis=1)
    kept = left.contacts["contact_id"].to_numpy(dtype=object)[filled]
    remaining = np.concatenate([kept, left.notes.to_numpy(dtype=object)])
    return _ids(r, "requests", _completed_erasures(r) & r["contact_id"].isin(remaining).to_numpy(dtype=bool))


class Remains(NamedTuple):
    """What is left of the contacts of completed erasure requests."""

    contacts: pd.DataFrame  # their contact rows: contact_id, and per personal field whether it is filled
    notes: pd.Series  # the contact_id of each of their activities with a note (not blank)


def erased_remains(t: Tables) -> Remains:
    """Remains of the erased contacts, in the contacts and activities present (once inside sharing())."""
    frames = tuple(t[name] for name in ("requests", "contacts", "activities") if name in t)
    return _shared("remains", frames, lambda: _remains(t))


def _completed_erasures(r: pd.DataFrame) -> np.ndarray:
    return _is(r["type"], "erasure") & _is(r["status"], "completed")


def _remains(t: Tables) -> Remains:
    r = t["requests"]
    erased = pa.array(pd.unique(r["contact_id"].to_numpy(dtype=object)[_completed_erasures(r)]),
                      from_pandas=True)
    contacts = pd.DataFrame({"contact_id": pd.Series([], dtype=object),
                             **{f: pd.Series([], dtype=bool) for f in PERSONAL_FIELDS}})
    notes = pd.Series([], dtype=object)
    if "contacts" in t:
        c = t["contacts"]
        c = rows_where(c, _in(c["contact_id"], erased), ["contact_id", *PERSONAL_FIELDS])
        contacts = pd.DataFrame({"contact_id": c["contact_id"].to_numpy(dtype=object),
                                 **{f: ~_blank(c[f]) for f in PERSONAL_FIELDS}})
    if "activities" in t:
        a = t["activities"]
        a = rows_where(a, _in(a["contact_id"], erased), ["contact_id", "note"])
        notes = pd.Series(a["contact_id"].to_numpy(dtype=object)[~_blank(a["note"])], dtype=object)
    return Remains(contacts, notes)


# ----------------------------------------------------------------------------------------------------------
# people
# ----------------------------------------------------------------------------------------------------------

def untrained_crm_user(t: Tables, policy: Policy, as_of: dt.date) -> pd.Series:
    """CRM users without a pass of the policy's course, or whose latest pass is past its refresh interval.

    "Passed training" is a passed completion of policy.training_course, the course the organisation
    counts as data-protection training.
    """
    s, tr = t["staff"], t["training"]
    passed = tr[(tr["passed"] == True).fillna(False).to_numpy(dtype=bool)  # noqa: E712
                & _is(tr["course"], policy.training_course)]
    latest = _utc(passed["completed_on"]).groupby(passed["staff_id"]).max()
    last = _days(_lookup(latest, s["staff_id"]))
    lapsed = np.ones(len(s), dtype=bool)
    known = ~np.isnat(last)
    lapsed[known] = add_months(last[known], policy.training_refresh_months) < np.datetime64(as_of, "D")
    users = s["crm_access"].notna().to_numpy() & ~_is(s["crm_access"], "none")
    return _ids(s, "staff", users & lapsed)


# ----------------------------------------------------------------------------------------------------------
# security plans
# ----------------------------------------------------------------------------------------------------------

def _overdue_at_as_of(b: pd.DataFrame, as_of: dt.date) -> np.ndarray:
    """More than 72 hours between awareness and the as-of date (its midnight UTC)."""
    return ((_midnight(as_of) - _utc(b["aware_at"])) > _BREACH_LIMIT).to_numpy(dtype=bool)


def breach_notified_late(t: Tables, policy: Policy, as_of: dt.date) -> pd.Series:
    """Notified more than 72 hours after awareness, with no delay reason recorded."""
    b = t["breaches"]
    late = ((_utc(b["notified_authority_at"]) - _utc(b["aware_at"])) > _BREACH_LIMIT).to_numpy(dtype=bool)
    return _ids(b, "breaches", late & _blank(b["delay_reason"]))


def breach_not_notified(t: Tables, policy: Policy, as_of: dt.date) -> pd.Series:
    """Breaches not assessed as unlikely to harm, never notified, aware more than 72 hours before as-of.

    A breach with no risk assessment at all is "not assessed as unlikely" and so must be notified.
    """
    b = t["breaches"]
    silent = ~_is(b["risk"], "unlikely") & b["notified_authority_at"].isna().to_numpy()
    return _ids(b, "breaches", silent & _overdue_at_as_of(b, as_of))


def subjects_not_informed(t: Tables, policy: Policy, as_of: dt.date) -> pd.Series:
    """High-risk breaches with subjects never told and no Art. 34(3) exception, past 72 hours at as-of."""
    b = t["breaches"]
    silent = _is(b["risk"], "high") & b["subjects_informed_at"].isna().to_numpy()
    silent &= _blank(b["art34_exception"])
    return _ids(b, "breaches", silent & _overdue_at_as_of(b, as_of))


def breach_record_incomplete(t: Tables, policy: Policy, as_of: dt.date) -> pd.Series:
    """Register entries missing the facts, the effects or the remedial action."""
    b = t["breaches"]
    gaps = _blank(b["description"]) | _blank(b["consequences"]) | _blank(b["measures"])
    return _ids(b, "breaches", gaps)


# ----------------------------------------------------------------------------------------------------------
# education
# ----------------------------------------------------------------------------------------------------------

def policy_review_overdue(t: Tables, policy: Policy, as_of: dt.date) -> pd.Series:
    """Policies never reviewed, or whose last review plus their kind's interval is before as-of.

    A kind the organisation's policy sets no interval for is only judged on never having been reviewed.
    """
    p = t["policies"]
    months = p["kind"].map(policy.review_interval_months)
    reviewed = _days(p["last_reviewed_on"])
    never = np.isnat(reviewed)
    judged = ~never & months.notna().to_numpy()
    overdue = never.copy()
    overdue[judged] = add_months(reviewed[judged], months[judged].to_numpy(dtype=np.int64)) \
        < np.datetime64(as_of, "D")
    return _ids(p, "policies", overdue)


# ----------------------------------------------------------------------------------------------------------
# all rules
# ----------------------------------------------------------------------------------------------------------

FINDERS: dict[str, Finder] = {rule.id: globals()[rule.id] for rule in RULES}


def required_tables(rule_id: str) -> tuple[str, ...]:
    """The tables without which a rule is not judged: its own and those in REQUIRES."""
    return (RULES_BY_ID[rule_id].table, *REQUIRES.get(rule_id, ()))


def find_violations(t: Tables, policy: Policy, as_of: dt.date) -> pd.DataFrame:
    """All findings as (rule_id, table, record_id), sorted like a ground truth; skips rules lacking tables."""
    parts = []
    for rule in RULES:
        if all(name in t for name in required_tables(rule.id)):
            ids = FINDERS[rule.id](t, policy, as_of)
            parts.append(pd.DataFrame({"rule_id": rule.id, "table": rule.table, "record_id": ids.to_numpy()},
                                      dtype=object))
    if not parts:
        return pd.DataFrame({"rule_id": [], "table": [], "record_id": []}, dtype=object)
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["rule_id", "table", "record_id"], kind="stable").reset_index(drop=True)
