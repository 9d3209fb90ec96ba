"""The helpers every finder is built from, each against its Python reference, on every engine.

gdprlab/audit/rules/base.py promises Python's semantics on every engine: str.isspace for blank, str.strip,
str.casefold and str.lower for text, gdprlab.regulation.law for calendar months, deadlines and ages,
gdprlab.crm.protect.is_token for tokens, and the text matching of the rule modules (e-mail addresses as
gdprlab.audit.validate judges them, special-category terms as gdprlab.audit.discovery.special_terms finds
them). Each helper is computed by the engine over awkward inputs, or over every Unicode character, and
compared with the reference. Engines: DuckDB, DuckDB taking the paths of other engines ("elsewhere"), and
PySpark in local mode when Java 17 and pyspark are there (the test session's, tests/conftest.py).
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import itertools
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import ibis
import numpy as np
import pandas as pd
import pytest
from audit.rules.boundary import ENGINES, NOT_BLANK, backend

from gdprlab.audit.discovery import special_terms
from gdprlab.audit.rules import base
from gdprlab.audit.rules.base import WHITESPACE, Later, NotPortable, Tables
from gdprlab.audit.rules.classification import reveals_special_category
from gdprlab.audit.rules.encryption import is_token, strip
from gdprlab.audit.rules.minimisation import valid_email_address
from gdprlab.audit.validate import valid_email
from gdprlab.crm import protect
from gdprlab.regulation import law

SIGMA = "\u03a3"
#: characters some standard or engine may take for space or for nothing: separators, controls, formats
SPACE_LIKE = sorted({ch for ch in map(chr, range(0x110000))
                     if unicodedata.category(ch) in ("Zs", "Zl", "Zp", "Cc", "Cf") or ch.isspace()}
                    | set(NOT_BLANK))


class Engine(NamedTuple):
    name: str
    backend: Any


@pytest.fixture(scope="module", params=ENGINES)
def engine(request) -> Engine:
    return Engine(request.param, backend(request, request.param))


def computed(engine: Engine, helper: Callable[..., ibis.Value], *columns: list,
             types: tuple[str, ...] = ("string",)) -> list:
    """helper(tables, *columns) for each row, as the engine computes it (missing values as None)."""
    names = [f"c{i}" for i in range(len(columns))]
    frame = pd.DataFrame({"row": range(len(columns[0])),
                          **{n: pd.Series(c, dtype=object) for n, c in zip(names, columns, strict=True)}})
    t = ibis.memtable(frame, schema={"row": "int64", **dict(zip(names, types, strict=True))})
    tables = Tables({"values": t}, engine.backend)
    out = tables.fetch(t.select("row", value=helper(tables, *(t[n] for n in names))).order_by("row"))
    return [_plain(v) for v in out["value"]]


def _plain(value: object) -> object:
    if value is None or (not isinstance(value, str | bytes) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp | np.datetime64):
        return pd.Timestamp(value).date()
    return value.item() if isinstance(value, np.generic) else value


def every_character(*, but: str = "", size: int = 1000) -> list[str]:
    """Every Unicode scalar value (surrogates aside, and those in `but`), in strings of `size`."""
    chars = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000 and chr(i) not in but)
    return [chars[i:i + size] for i in range(0, len(chars), size)]


def _differences(got: list, want: list, inputs: list) -> list:
    """(input, got, wanted) of the first rows that differ."""
    return [(i, g, w) for i, g, w in zip(inputs, got, want, strict=True) if g != w][:5]


def _first_differences(got: list[str], want: list[str]) -> list:
    """Where the first long strings that differ part: (wanted, got), a few characters either side."""
    out = []
    for g, w in zip(got, want, strict=True):
        if g != w:
            at = next((i for i, (a, b) in enumerate(zip(g, w, strict=False)) if a != b), min(len(g), len(w)))
            out.append((w[max(at - 2, 0):at + 3], g[max(at - 2, 0):at + 3]))
    return out[:5]


# ----------------------------------------------------------------------------------------------------------
# text
# ----------------------------------------------------------------------------------------------------------

BLANK_CASES = [None, "", WHITESPACE, *WHITESPACE, *SPACE_LIKE, *(f" {ch} " for ch in SPACE_LIKE), "x", " x ",
               "\u3000x\u3000", "x" * 1000 + " ", " " * 1000 + "x"]


def test_whitespace_is_every_character_str_isspace_accepts_and_str_strip_removes():
    every = "".join(ch for ch in map(chr, range(0x110000)) if ch.isspace())
    assert every == WHITESPACE
    assert (WHITESPACE + "x" + WHITESPACE).strip() == "x"


def test_blank_is_missing_or_nothing_but_what_str_isspace_calls_whitespace(engine):
    want = [v is None or v.strip() == "" for v in BLANK_CASES]
    assert computed(engine, lambda t, x: base.blank(x), BLANK_CASES) == want
    assert computed(engine, lambda t, x: base.filled(x), BLANK_CASES) == [not w for w in want]


def test_strip_removes_what_str_strip_removes(engine):
    values = [None, "", WHITESPACE, *(f"{ch}a{ch}b{ch}" for ch in SPACE_LIKE), f"{WHITESPACE}x y{WHITESPACE}"]
    got = computed(engine, lambda t, x: strip(x), values)
    assert got == [None if v is None else v.strip() for v in values], _differences(got, values, values)


def test_casefold_is_str_casefold_of_every_character(engine):
    text = every_character()
    got = computed(engine, base.casefold, text)
    want = [s.casefold() for s in text]
    assert got == want, _first_differences(got, want)


NAMES = [None, "", "Strauß", "STRAUSS", "STRAU\u1e9e", "Γιαννης", "ΓΙΑΝΝΗΣ", "γιαννησ", "\u0130lker", "ilker",
         "ILKER", "i\u0307lker", "Wei\u00df\ufb01sch", "\ufb01ona", "FIONA", "\u017ftefan", "\u01c5",
         "\u1c89\u1c8a", "\U00010400"]


def test_casefold_folds_names_as_str_casefold(engine):
    assert computed(engine, base.casefold, NAMES) == [None if n is None else n.casefold() for n in NAMES]


def test_lower_is_str_lower_of_every_character_but_the_capital_sigma(engine):
    text = every_character(but=SIGMA)
    got = computed(engine, base.lower, text)
    want = [s.lower() for s in text]
    assert got == want, _first_differences(got, want)


def test_text_with_a_capital_sigma_is_left_to_python_which_lowers_it_by_its_place_in_a_word(engine):
    words = ["ΟΔΟΣ", "ΟΔΟΣ@x.gr", "ΣΟΦΙΑ", "ΑΣ'Σ", "A\u03a3", "\u0130LKER@x.tr", "x@y.de", None]
    assert [w.lower() for w in words[:2]] == ["οδος", "οδος@x.gr"]  # a final ς, which engines do not all give
    got = computed(engine, lambda t, x: base.lowers_like_python(x), words)
    assert got == [SIGMA not in w for w in words[:-1]] + [None]
    lowered = computed(engine, base.lower, words)
    assert [g for g, w in zip(lowered, words, strict=True) if w and SIGMA not in w] == ["i\u0307lker@x.tr",
                                                                                        "x@y.de"]


def test_is_token_is_protects_is_token(engine):
    token = protect.encrypt(["x"], protect.synthetic_key(1), np.random.default_rng(1))[0]
    values = [token, " " + token, token + " ", token[:-1], token + "0", token.upper(), protect.PREFIX,
              protect.PREFIX + "\U0001f600" * (protect.TOKEN_LENGTH - len(protect.PREFIX)), "", None]
    want = [protect.is_token(v) if v is not None else None for v in values]
    assert computed(engine, lambda t, x: is_token(x), values) == want


EMAILS = ["a@b.de", "A@X.DE", ".a@x.de", "a.@x.de", ".@x.de", "a..b@x.de", "a@x..de", "a@.de", "@x.de",
          "a@@x.de", "a@x.d", "a@x.c0m", "a@b.c.de", "a b@x.de", "a\u00a0b@x.de", "a\u200bb@x.de",
          "a\x1c@x.de", "a\x0b@x.de", "a@x.de\n", "a@x.de\u2028", "a@x.de\u0085", "\u2028a@x.de", " a@x.de",
          "a@x.de ", "\U0001f600@x.de", "a@\U0001f600.de", "zoë@gmx.de", "\u0130@x.tr", "a@x.d\u00e9",
          "a@x.\u212a\u212a", "Ä@Ö.ÜÜ", "", None]


def test_the_email_pattern_judges_addresses_as_valid_email_does(engine):
    want = valid_email(pd.Series(EMAILS, dtype=object)).tolist()
    got = computed(engine, lambda t, x: valid_email_address(x), EMAILS)
    assert got == want, _differences(got, want, EMAILS)


NOTES = ["Hat Diabetes.", "hat DIABETES", "DIABÈTE sévère", "diabète", "Est en GRÈVE", "ŚWIADKÓW JEHOWY",
         "RAMADÁN", "RAMADÃO", "SCHWANGER", "\u017fchwanger", "ist im \u017ftreik", "K\u212aRDISCH", "ZAWAŁ",
         "\u0130nfarto", "ΚΑΤΟΛΙΚΟΣ", "x reha", "x reha\n", "x reha\u2028", "x reha\u2029", "x reha\u0085",
         "x reha\x0b", "x reha\x1c", "x\u00a0reha", "x\u3000reha", "Xreha", "reha", "«cgt»", "x_cgt", "x/cgt",
         "IG\u00a0METALL", "burn-out", "kein Hinweis", "", None]


def test_special_category_terms_are_matched_as_special_terms_matches_them(engine):
    if engine.name == "elsewhere":
        with pytest.raises(NotPortable, match="reveals_special_category needs the engine to run Python"):
            computed(engine, reveals_special_category, NOTES)
        return
    want = special_terms.reveals_special_category(pd.Series(NOTES, dtype=object)).tolist()
    got = computed(engine, lambda t, x: reveals_special_category(t, x).fill_null(False), NOTES)
    assert got == want, _differences(got, want, NOTES)


def test_in_python_runs_a_function_of_columns_on_spark_only(engine):
    def joined(first: pd.Series, second: pd.Series) -> pd.Series:
        return first.str.cat(second, sep="|")

    def helper(t: Tables, first: ibis.Value, second: ibis.Value) -> ibis.Value:
        return base.in_python(t, joined, first, second, output="string")

    columns = (["a", "\u00e4", "x"], ["b", "\u00df", None])
    if engine.name != "spark":
        with pytest.raises(NotPortable, match=f"joined needs the engine to run Python.* of {engine.name}"):
            computed(engine, helper, *columns, types=("string", "string"))
        return
    assert computed(engine, helper, *columns, types=("string", "string")) == ["a|b", "\u00e4|\u00df", None]


def test_digests_are_hashlibs_of_the_utf8_bytes(engine):
    values = ["", "a@b.de", "i\u0307lker@x.tr", "οδος@x.gr", "\U0001f600", "\x00x", None]
    for name, digest in (("md5", lambda x: x.hexdigest("md5")), ("sha1", base.sha1_hex),
                         ("sha256", lambda x: x.hexdigest("sha256"))):
        want = [None if v is None else hashlib.new(name, v.encode()).hexdigest() for v in values]
        assert computed(engine, lambda t, x, digest=digest: digest(x), values) == want, name


# ----------------------------------------------------------------------------------------------------------
# sets and truth
# ----------------------------------------------------------------------------------------------------------

def test_a_missing_value_is_in_no_set(engine):
    values = ["lead", "Lead", "lead ", "", None]
    in_set = computed(engine, lambda t, x: base.is_in(x, ["lead", ""]), values)
    assert in_set == [True, False, False, True, False]
    assert computed(engine, lambda t, x: base.is_in(x, []), values) == [False] * len(values)


def test_a_missing_truth_value_is_not_true(engine):
    values = [True, False, None]
    assert computed(engine, lambda t, x: base.is_true(x), values, types=("boolean",)) == [True, False, False]


def test_per_value_gives_the_policys_value_for_a_key_and_nothing_otherwise(engine):
    mapping = {"lead": 24, "customer": 36, "former_customer": None}
    values = ["lead", "customer", "former_customer", "Lead", "lead ", "", None]
    got = computed(engine, lambda t, x: base.per_value(x, mapping), values)
    assert got == [24, 36, None, None, None, None, None]


# ----------------------------------------------------------------------------------------------------------
# calendar (gdprlab.regulation.law)
# ----------------------------------------------------------------------------------------------------------

#: three years, day by day, and a few far ones (1900 and 2100 have no 29 February, 2000 has)
DAYS = [d.date() for d in pd.date_range("2023-01-01", "2025-12-31")] + [
    dt.date(1900, 2, 28), dt.date(2000, 2, 29), dt.date(2100, 2, 28), dt.date(1969, 12, 31),
    dt.date(2199, 12, 31)]
MONTHS = [0, 1, 2, 3, 11, 12, 13, 24, 36, -1, -12]


def _law(function: Callable[..., np.ndarray], *columns: list) -> list:
    """function (of gdprlab.regulation.law) of the rows' values; None where one of them is missing."""
    known = [all(v is not None for v in row) for row in zip(*columns, strict=True)]
    arrays = [np.array([v for v, k in zip(c, known, strict=True) if k],
                       dtype="datetime64[D]" if isinstance(c[known.index(True)], dt.date) else np.int64)
              for c in columns]
    out = iter(function(*arrays))
    return [_plain(next(out)) if k else None for k in known]


def test_add_months_keeps_the_day_or_clamps_it_to_the_months_end_as_the_law_does(engine):
    days, months = map(list, zip(*itertools.product([*DAYS, None], [*MONTHS, None]), strict=True))
    want = _law(law.add_months, days, months)
    got = computed(engine, lambda t, d, n: base.add_months(d, n), days, months, types=("date", "int64"))
    assert got == want, _differences(got, want, list(zip(days, months, strict=True)))
    for count in (1, 12, 24):
        got = computed(engine, lambda t, d, count=count: base.add_months(d, count), DAYS, types=("date",))
        assert got == _law(lambda d, count=count: law.add_months(d, count), DAYS), count


def test_deadlines_run_calendar_months_and_roll_from_a_weekend_to_monday_as_the_law_does(engine):
    days = [*DAYS, None]
    assert computed(engine, lambda t, d: base.roll_to_working_day(d), days, types=("date",)) == _law(
        law.roll_to_working_day, days)
    for months in (1, 3):
        got = computed(engine, lambda t, d, n=months: base.month_deadline(d, n), days, types=("date",))
        assert got == _law(lambda d, n=months: law.month_deadline(d, n), days), months


@pytest.mark.parametrize("country, subdivision", [("DE", "BY"), ("IE", None)])
def test_deadlines_roll_over_weekends_and_public_holidays_as_the_law_does(engine, country, subdivision):
    # every day of three years: a holiday after a weekend (Easter Monday), before one (Good Friday, a
    # Friday 1 May), two in a row (Christmas and St Stephen's Day) all roll as the law module rolls them
    days = [*DAYS[:-5], None]
    free = law.public_holidays(country, range(2023, 2027), subdivision)
    got = computed(engine, lambda t, d: base.roll_to_working_day(d, free), days, types=("date",))
    assert got == _law(lambda d: law.roll_to_working_day(d, free), days)
    assert got[days.index(dt.date(2024, 3, 30))] == dt.date(2024, 4, 2)  # Sat before Easter Monday
    for months in (1, 3):
        got = computed(engine, lambda t, d, n=months: base.month_deadline(d, n, free), days, types=("date",))
        assert got == _law(lambda d, n=months: law.month_deadline(d, n, country, subdivision), days), months


def test_age_counts_years_completed_and_a_29_february_birthday_on_28_february_as_the_law_does(engine):
    births = [dt.date(2008, 2, 29), dt.date(2012, 2, 29), dt.date(2000, 2, 29), dt.date(2010, 3, 1),
              dt.date(2010, 2, 28), dt.date(2009, 12, 31), dt.date(1900, 2, 28)]
    pairs = [*itertools.product(births, DAYS[::5]), (None, DAYS[0]), (births[0], None)]
    born, on = [b for b, _ in pairs], [o for _, o in pairs]
    want = _law(law.age_on, born, on)
    got = computed(engine, lambda t, b, o: base.age_on(b, o), born, on, types=("date", "date"))
    assert got == want, _differences(got, want, pairs)


def test_as_date_is_the_utc_day_of_a_moment_and_the_as_of_date_begins_at_midnight(engine):
    moments = [dt.datetime(2026, 2, 28, 23, 59, 59), dt.datetime(2026, 3, 1), dt.datetime(2024, 2, 29, 12),
               None]
    got = computed(engine, lambda t, m: base.as_date(m), moments, types=("timestamp",))
    assert got == [m.date() if m else None for m in moments]
    midnight = base.midnight(dt.date(2026, 3, 1))
    before = computed(engine, lambda t, m: m < midnight, moments, types=("timestamp",))
    assert before == [True, False, True, None]


def _temporary_tables(backend: Any) -> list[str]:
    return sorted(backend.con.sql("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchnumpy()
                  ["table_name"])


def test_a_shared_table_is_kept_for_the_run_unless_it_is_cheaper_to_compute_again():
    con = ibis.duckdb.connect()
    values = ibis.memtable(pd.DataFrame({"n": range(10)}))
    tables = Tables({"values": values}, con)
    kept = tables.shared("kept", lambda: values.filter(values["n"] > 4))
    again = tables.shared("again", lambda: values.filter(values["n"] > 7), keep=False)
    assert tables.shared("kept", lambda: None) is kept  # built once per run, whoever asks
    assert [name.split("_")[1] for name in _temporary_tables(con)] == ["kept"]
    assert (tables.fetch(kept.count()), tables.fetch(again.count())) == (5, 2)
    tables.release()
    assert _temporary_tables(con) == []


def test_a_shared_table_that_names_its_users_is_dropped_when_none_is_left_to_run():
    con = ibis.duckdb.connect()
    values = ibis.memtable(pd.DataFrame({"n": range(10)}))
    tables = Tables({"values": values}, con)
    built = []

    def build(name: str, least: int) -> Any:
        built.append(name)
        return values.filter(values["n"] > least)

    tables.shared("pairs", lambda: build("pairs", 4), users=("rule_a", "rule_b"))
    tables.shared("all_run", lambda: build("all_run", 7))
    tables.finished(["rule_b", "rule_c"])  # rule_a has run: rule_b still reads it
    assert sorted(name.split("_")[1] for name in _temporary_tables(con)) == ["all", "pairs"]
    tables.finished(["rule_c"])
    assert [name.split("_")[1] for name in _temporary_tables(con)] == ["all"]
    again = tables.shared("pairs", lambda: build("pairs", 4), users=("rule_a", "rule_b"))
    assert tables.fetch(again.count()) == 5 and built == ["pairs", "all_run", "pairs"]  # asked again: built
    tables.release()


def test_every_table_kept_for_its_users_is_built_once_in_a_run(monkeypatch):
    """A table dropped after its last user and asked for again (by a rule or evidence that does not say it
    reads it) would be built twice: the users named are all its readers."""
    from gdprlab.audit.engine import run_checks
    from gdprlab.crm.io import read_as_of, read_dataset, read_policy

    shared, built = Tables.shared, []

    def counting(self: Tables, name: Any, build: Any, **kw: Any) -> Any:
        def counted() -> Any:
            built.append((name, bool(kw.get("users"))))
            return build()
        return shared(self, name, counted, **kw)

    monkeypatch.setattr(Tables, "shared", counting)
    folder = Path(__file__).resolve().parents[3] / "datasets" / "sample"
    run_checks(read_dataset(folder), read_policy(folder), read_as_of(folder))
    named = [name for name, users in built if users]
    assert {"sends_with_consents", "later_duplicates", "invalid_phones"} <= set(named)
    assert len(named) == len(set(named))
    # kept to the end of the run, for the duplicates' evidence: built once, by the rule
    assert [name for name, _ in built].count("namesakes") == 1


def _temporary_views(backend: Any) -> list[str]:
    """gdprlab's temporary views (Ibis keeps pandas frames in views of its own)."""
    views = backend.con.sql("SELECT view_name FROM duckdb_views() WHERE temporary").fetchnumpy()["view_name"]
    return sorted(v for v in views if v.startswith("gdprlab_"))


def test_an_input_that_is_an_expression_is_a_view_that_queries_name_and_that_goes_with_the_tables():
    """A staged file (typed columns over the reader) is one temporary view on DuckDB: each query names it
    instead of carrying the expression, and it reads the same rows; a table already kept is used as it is;
    a view over a pandas frame outlives the frame's Ibis expression."""
    con = ibis.duckdb.connect()
    typed = ibis.memtable(pd.DataFrame({"n": ["1", "2", "x"]})).mutate(n=ibis._.n.try_cast("int64"))
    plain = ibis.memtable(pd.DataFrame({"m": [1]}))
    tables = Tables({"typed": typed, "plain": plain}, con)
    del typed
    gc.collect()
    assert tables["plain"] is plain
    assert [name.split("_")[2] for name in _temporary_views(con)] == ["typed"]
    query = tables["typed"].filter(tables["typed"]["n"] > 1)
    assert "TRY_CAST" not in ibis.to_sql(query, dialect="duckdb").upper()
    assert tables.fetch(query.count()) == 1
    tables.release()  # the end of a run: the inputs stay for the next run on the same tables
    assert tables.fetch(tables["typed"].count()) == 3
    del tables, query
    gc.collect()
    assert _temporary_views(con) == []


def test_batches_worked_on_in_threads_give_their_results_in_the_batches_order_and_their_errors():
    import time

    con = ibis.duckdb.connect()
    values = ibis.memtable(pd.DataFrame({"n": range(10)}))
    tables = Tables({"values": values}, con)
    ordered = values.order_by("n")

    def slow_first(batch):  # the first batch finishes last
        time.sleep(0.05 if batch["n"][0].as_py() == 0 else 0)
        return batch["n"].to_pylist()

    assert tables.map_batches(ordered, 3, slow_first) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]

    def fails_on_six(batch):
        if 6 in batch["n"].to_pylist():
            raise ValueError("six")
        return batch.num_rows

    with pytest.raises(ValueError, match="six"):
        tables.map_batches(ordered, 3, fails_on_six)
    assert tables.fetch(values.count()) == 10  # the stream was ended: the connection answers again
    assert _temporary_tables(con) == []


def test_rows_streamed_in_batches_leave_no_table_behind_read_or_left():
    con = ibis.duckdb.connect()
    values = ibis.memtable(pd.DataFrame({"n": range(10)}))
    tables = Tables({"values": values}, con)
    even = values.filter(values["n"] % 2 == 0)
    assert sorted(batch["n"].to_pylist() for batch in tables.batches(even, 2)) == [[0, 2], [4, 6], [8]]
    assert _temporary_tables(con) == []
    stream = tables.batches(even, 2)
    assert next(stream).num_rows == 2
    stream.close()  # a reader that stops early
    assert _temporary_tables(con) == []


def test_later_works_at_once_unless_the_engine_defers_and_release_waits_for_the_work():
    import time

    con = ibis.duckdb.connect()
    tables = Tables({"values": ibis.memtable(pd.DataFrame({"n": range(3)}))}, con)
    assert tables.later(lambda: "now") == "now"
    tables.deferring = True
    done = []

    def slow():
        time.sleep(0.1)
        done.append(True)
        return "later"
    pending = tables.later(slow)
    assert isinstance(pending, Later)
    tables.release()
    assert done == [True]
    result, seconds = pending.result()
    assert result == "later" and seconds >= 0.1
