"""Vectorised composition of realistic free-text CRM activity notes in the eight languages of the CRM
locales, and in English for the lessons.

A note is drawn from a template for the row's (language, kind) pair.  ``kind`` is
``"neutral"`` for ordinary business notes, one of :data:`SPECIAL_CATEGORIES` for a note that
carelessly reveals GDPR Art. 9(1) special-category data about the contact, or ``"criminal"``
for a note revealing criminal convictions or offences (Art. 10).

Note files
----------
Templates and values are data: one UTF-8 file per language, ``note_templates/<language>.txt`` in
this package, read at import into :data:`TEMPLATES` (language -> kind -> templates) and
:data:`VALUES` (language -> value placeholder -> values) by :func:`parse_note_file`.  A file is a
list of sections: a line ``[name]`` starts one, each line starting ``- `` is an entry of it and an
indented line continues the entry above (joined with one space); blank lines and lines starting
``#`` are skipped.  There is one section per kind of note (:data:`KINDS`), whose entries are
templates, and one per value placeholder (:data:`VALUE_PLACEHOLDERS`), whose entries are values.
A value entry ``first .. last`` or ``first .. last, step n`` stands for every number from ``first``
to ``last`` (in steps of ``n``), written like its two ends: ``400 € .. 24.950 €, step 50`` gives
"400 €", "450 €", ..., "1.000 €", ..., "24.950 €".  A malformed file fails the import with an
error naming the file and the line.

Template mini-language
----------------------
Inside a template

* ``{first_name}``, ``{last_name}``, ``{full_name}`` (``first + " " + last``) and ``{colleague}``
  are filled from the caller's arrays and always produce a ``"person_name"`` span;
* ``{product}``, ``{weekday}``, ``{month}``, ``{hour}``, ``{amount}``, ``{percent}``,
  ``{quantity}`` and ``{ticket}`` are drawn uniformly from the per-language lists in
  :data:`VALUES`.  ``{weekday}`` is the adverbial "on <day>" form of each language
  ("am Montag", "lundi", "el lunes", "w środę", ...); ``{month}`` is the bare month name,
  in Polish the genitive ("do końca marca", "od marca");
* ``[[`` and ``]]`` delimit the phrase revealing the special category / criminal record.  They
  are stripped from the note and become a span of the note's kind.  Every non-neutral
  template has exactly one such phrase, neutral templates have none.  A revealing phrase may
  contain name placeholders, so a category span can enclose a ``"person_name"`` span.

The contact's gender is unknown, so templates are written to be grammatical for anybody:
no gendered pronouns, adjectives or participles referring to the contact or the colleague
(e.g. Polish avoids gendered past tenses, Romance languages avoid agreeing participles) and,
because names are only available in the nominative, Polish templates use names only where
the nominative is correct.

Composition
-----------
All random draws are made up front (one template choice and one draw per value placeholder per
row), so the same generator state gives the same output.  Rows are then grouped by template;
inside a group each literal piece and placeholder is appended with one element-wise ``np.add``
over the group's object arrays of ``str`` (no per-row Python loop; object arrays proved faster
than ``StringDType`` here because gathers, scatters and the final conversion are pointer copies).
Span offsets are computed without searching the text: every span boundary is "number of literal
characters before it" (a constant of the template) plus the cumulative length of the values
filled in before it (a per-row cumulative sum of value lengths).  Offsets are in characters
(Python ``str`` indices); spans are written directly to their final, row-ordered position.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib.resources import files
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "KINDS",
    "LANGUAGES",
    "NAME_PLACEHOLDERS",
    "NOTE_LANGUAGES",
    "SECTIONS",
    "SPAN_KINDS",
    "SPECIAL_CATEGORIES",
    "TEMPLATES",
    "VALUES",
    "VALUE_PLACEHOLDERS",
    "NoteFile",
    "compose_notes",
    "parse_note_file",
]

LANGUAGES: tuple[str, ...] = ("de", "fr", "it", "es", "nl", "pl", "sv", "pt")
#: Languages with a note file: those of the CRM locales (:data:`LANGUAGES`, in which synthetic contacts
#: write) and English, for the lessons' exercises (no synthetic contact writes in English). English comes
#: last, so the templates of the other languages keep their numbers and datasets stay as they were.
NOTE_LANGUAGES: tuple[str, ...] = (*LANGUAGES, "en")
SPECIAL_CATEGORIES: tuple[str, ...] = (
    "health",
    "religion",
    "ethnic_origin",
    "political_opinion",
    "trade_union",
    "sex_life",
    "genetic",
    "biometric",
)
KINDS: tuple[str, ...] = ("neutral", *SPECIAL_CATEGORIES, "criminal")
#: Categories of the ``kind`` column of the spans frame (in this order).
SPAN_KINDS: tuple[str, ...] = ("person_name", *SPECIAL_CATEGORIES, "criminal")
NAME_PLACEHOLDERS: tuple[str, ...] = ("first_name", "last_name", "full_name", "colleague")
VALUE_PLACEHOLDERS: tuple[str, ...] = (
    "product", "weekday", "month", "hour", "amount", "percent", "quantity", "ticket",
)


# --------------------------------------------------------------------------------------------
# Note files
# --------------------------------------------------------------------------------------------

#: the sections of a note file: the note kinds hold templates, the value placeholders their values
SECTIONS: tuple[str, ...] = (*KINDS, *VALUE_PLACEHOLDERS)
_RANGE_RE = re.compile(r"(?P<first>.+?) \.\. (?P<last>.+?)(?:, step (?P<step>\d+))?")
_NUMBER_RE = re.compile(r"\d{1,3}(?:([ .,])\d{3})+|\d+")


class NoteFile(NamedTuple):
    """The templates (kind -> templates) and values (placeholder -> values) of one language."""

    templates: dict[str, tuple[str, ...]]
    values: dict[str, tuple[str, ...]]


def parse_note_file(text: str, source: str) -> NoteFile:
    """Read a note file (format in the module docstring); ``source`` names it in errors.

    Raises ``ValueError`` naming ``source`` and the line for a line that is not a section, an entry
    or a continuation, an unknown or repeated section, a template that does not compile and a range
    that does not read back; naming ``source`` for a section that is missing or empty."""
    sections: dict[str, list[list]] = {}  # section -> [line number, text] of each entry
    entries: list[list] | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or raw.startswith("#"):
            continue
        if raw.startswith("[") and line.endswith("]"):
            name = line[1:-1]
            if name not in SECTIONS or name in sections:
                problem = "repeated" if name in sections else "unknown"
                raise ValueError(f"{source}:{number}: {problem} section [{name}]; the sections are "
                                 f"{', '.join(SECTIONS)}, each once")
            entries = sections[name] = []
        elif raw.startswith("- ") and entries is not None:
            entries.append([number, line[2:]])
        elif raw[0].isspace() and entries:
            entries[-1][1] += " " + line
        else:
            raise ValueError(f"{source}:{number}: expected a [section], a '- ' entry in a section or an "
                             f"indented continuation of one, got {line!r}")
    missing = [name for name in SECTIONS if not sections.get(name)]
    if missing:
        raise ValueError(f"{source}: no entries for {', '.join(f'[{name}]' for name in missing)}")
    for kind in KINDS:
        for number, template in sections[kind]:
            with _located(f"{source}:{number}"):
                _compile(template, kind)
    values = {}
    for name in VALUE_PLACEHOLDERS:
        values[name] = ()
        for number, entry in sections[name]:
            with _located(f"{source}:{number}"):
                values[name] += _expand(entry)
    return NoteFile({kind: tuple(text for _, text in sections[kind]) for kind in KINDS}, values)


@contextmanager
def _located(where: str) -> Iterator[None]:
    """Prefix the message of a ValueError raised inside with ``where`` (file and line)."""
    try:
        yield
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None


@cache  # the languages share their number ranges
def _expand(entry: str) -> tuple[str, ...]:
    """The values an entry stands for: itself, or every value of a range '400 € .. 24.950 €, step 50'."""
    m = _RANGE_RE.fullmatch(entry)
    if m is None:
        return (entry,)
    first, last = _number_in(m["first"]), _number_in(m["last"])
    sep = first.sep or last.sep
    values = tuple(first.before + f"{n:,}".replace(",", sep) + first.after
                   for n in range(first.value, last.value + 1, int(m["step"] or 1)))
    if not values or values[0] != m["first"] or values[-1] != m["last"]:
        raise ValueError(f"range {entry!r} does not read back: its ends must be written alike, with the "
                         f"same thousands separator, and the step must lead from the first to the last")
    return values


class _Number(NamedTuple):
    before: str
    value: int
    sep: str  # thousands separator, "" when the number has none
    after: str


def _number_in(text: str) -> _Number:
    """The one number of a range end, and the text around it."""
    numbers = list(_NUMBER_RE.finditer(text))
    if len(numbers) != 1:
        raise ValueError(f"a range end needs exactly one number, got {text!r}")
    m = numbers[0]
    return _Number(text[:m.start()], int(re.sub(r"\D", "", m[0])), m[1] or "", text[m.end():])


# --------------------------------------------------------------------------------------------
# Compilation of the templates (import time)
# --------------------------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"\{(\w+)\}|\[\[|\]\]")
_PERSON = SPAN_KINDS.index("person_name")

# A sequence of pieces: literal strings and slot numbers (indices into ``_Template.slots``).
_Pieces = tuple[str | int, ...]


class _Span(NamedTuple):
    """A span of a template.  A boundary ``(const, k)`` lies ``const + len(v_0) + ... + len(v_{k-1})``
    characters into the note, where ``v_i`` is the value filled into slot ``i``."""

    kind: int  # index into SPAN_KINDS
    start: tuple[int, int]
    end: tuple[int, int]
    text: _Pieces  # how to build the spanned text from the values


class _Template(NamedTuple):
    pieces: _Pieces
    slots: tuple[str, ...]
    spans: tuple[_Span, ...]  # ordered by start, an enclosing span before the spans inside it


def _append(pieces: list[str | int], piece: str | int) -> None:
    if isinstance(piece, str) and pieces and isinstance(pieces[-1], str):
        pieces[-1] += piece
    elif piece != "":
        pieces.append(piece)


@cache  # parse_note_file compiles every template to check it; _compile_all takes the results
def _compile(template: str, kind: str) -> _Template:
    pieces: list[str | int] = []
    phrase: list[str | int] = []
    slots: list[str] = []
    spans: list[_Span] = []
    markers: list[tuple[int, int]] = []
    n_literal = 0  # literal characters emitted so far
    pos = 0
    for m in [*_TOKEN_RE.finditer(template), None]:
        text = template[pos:m.start() if m else len(template)]
        if any(ch in text for ch in "{}[]"):
            raise ValueError(f"stray brace or bracket in template {template!r}")
        _append(pieces, text)
        if len(markers) == 1:
            _append(phrase, text)
        n_literal += len(text)
        if m is None:
            break
        pos = m.end()
        if m.group(1) is not None:
            name = m.group(1)
            if name in NAME_PLACEHOLDERS:
                spans.append(_Span(_PERSON, (n_literal, len(slots)), (n_literal, len(slots) + 1),
                                   (len(slots),)))
            elif name not in VALUE_PLACEHOLDERS:
                raise ValueError(f"unknown placeholder {{{name}}} in template {template!r}")
            _append(pieces, len(slots))
            if len(markers) == 1:
                _append(phrase, len(slots))
            slots.append(name)
        elif (m.group(0) == "[[") == (len(markers) % 2 == 0):
            markers.append((n_literal, len(slots)))
        else:
            raise ValueError(f"unbalanced [[ ]] in template {template!r}")
    if kind == "neutral" and markers:
        raise ValueError(f"a neutral template must not mark a revealing phrase: {template!r}")
    if kind != "neutral":
        if len(markers) != 2 or not phrase:
            raise ValueError(f"a {kind} template needs exactly one non-empty [[...]] phrase: {template!r}")
        spans.append(_Span(SPAN_KINDS.index(kind), markers[0], markers[1], tuple(phrase)))
    spans.sort(key=lambda s: (s.start[1], s.start[0], -s.end[1], -s.end[0]))
    return _Template(tuple(pieces), tuple(slots), tuple(spans))


def _read_note_file(language: str) -> NoteFile:
    resource = files("gdprlab.generator").joinpath("note_templates", f"{language}.txt")
    return parse_note_file(resource.read_text(encoding="utf-8"), str(resource))


_NOTE_FILES = {lang: _read_note_file(lang) for lang in NOTE_LANGUAGES}
#: language -> kind -> templates, from the language's note file
TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {lang: f.templates for lang, f in _NOTE_FILES.items()}
#: language -> value placeholder -> values, from the language's note file
VALUES: dict[str, dict[str, tuple[str, ...]]] = {lang: f.values for lang, f in _NOTE_FILES.items()}


def _compile_all() -> tuple[list[_Template], np.ndarray, np.ndarray]:
    templates: list[_Template] = []
    first = np.zeros((len(NOTE_LANGUAGES), len(KINDS)), dtype=np.intp)
    count = np.zeros((len(NOTE_LANGUAGES), len(KINDS)), dtype=np.intp)
    for li, lang in enumerate(NOTE_LANGUAGES):
        for ki, kind in enumerate(KINDS):
            first[li, ki] = len(templates)
            count[li, ki] = len(TEMPLATES[lang][kind])
            templates.extend(_compile(t, kind) for t in TEMPLATES[lang][kind])
    return templates, first.ravel(), count.ravel()


_COMPILED, _PAIR_FIRST, _PAIR_COUNT = _compile_all()
_TEMPLATE_LANG = np.repeat(np.arange(len(NOTE_LANGUAGES)),
                           _PAIR_COUNT.reshape(len(NOTE_LANGUAGES), -1).sum(axis=1))
_TEMPLATE_N_SPANS = np.array([len(t.spans) for t in _COMPILED], dtype=np.intp)
_VALUE_TABLES = {
    (lang, name): (np.array(vals, dtype=object), np.array([len(v) for v in vals], dtype=np.int64))
    for lang, table in VALUES.items()
    for name, vals in table.items()
}


# --------------------------------------------------------------------------------------------
# Composition
# --------------------------------------------------------------------------------------------

def _codes(values: np.ndarray, valid: tuple[str, ...], what: str) -> np.ndarray:
    """Map ``values`` to indices into ``valid`` (hashing the column once, then the few uniques)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    lookup = {v: i for i, v in enumerate(valid)}
    mapped = np.array([lookup.get(u, -1) if isinstance(u, str) else -1 for u in uniques], dtype=np.intp)
    if (mapped < 0).any():
        bad = [repr(u) for u in uniques[mapped < 0]]
        shown = ", ".join(bad[:5]) + (", ..." if len(bad) > 5 else "")
        raise ValueError(f"unknown {what} {shown}; valid {what}s are: {', '.join(valid)}")
    return mapped[codes]


def _str_objects(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``values`` as an object array of ``str`` and the length of each string."""
    if values.dtype != object or pd.api.types.infer_dtype(values, skipna=False) not in ("string", "empty"):
        values = values.astype(str).astype(object)
    return values, np.fromiter(map(len, values), dtype=np.int64, count=len(values))


def _concat(pieces: _Pieces, values: list[np.ndarray], size: int) -> np.ndarray:
    """Concatenate literal pieces and value arrays element-wise (object arrays of ``str``)."""
    out: np.ndarray | str = ""
    for piece in pieces:
        part = values[piece] if isinstance(piece, int) else piece
        out = part if isinstance(out, str) and not out else np.add(out, part)
    return np.full(size, out, dtype=object) if isinstance(out, str) else out


def _validate(languages, kinds, first_names, last_names, colleagues) -> list:
    """The five inputs as arrays (Arrow arrays of names kept as they are), checked for shape."""
    arrays = [a if isinstance(a, pa.Array | pa.ChunkedArray) else np.asarray(a)
              for a in (languages, kinds, first_names, last_names, colleagues)]
    if any(not isinstance(a, pa.Array | pa.ChunkedArray) and a.ndim != 1 for a in arrays):
        raise ValueError("all input arrays must be one-dimensional")
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) != 1:
        got = ", ".join(f"{name}={length}" for name, length in zip(
            ("languages", "kinds", "first_names", "last_names", "colleagues"), lengths, strict=True))
        raise ValueError(f"input arrays must have the same length, got {got}")
    return arrays


class _Choice(NamedTuple):
    """Every random draw of a call, and the rows grouped by template."""
    draws: np.ndarray  # (1 + value placeholders) x rows
    tid: np.ndarray  # template of each row
    order: np.ndarray  # rows grouped by template, ascending within a group
    bounds: np.ndarray  # group t is order[bounds[t]:bounds[t + 1]]

    def groups(self):
        """(template number, rows) of every template that has rows."""
        for t in np.flatnonzero(self.bounds[1:] > self.bounds[:-1]):
            yield t, self.order[self.bounds[t]:self.bounds[t + 1]]


def _choose(languages: np.ndarray, kinds: np.ndarray, rng: np.random.Generator) -> _Choice:
    """All random draws up front, in a fixed order: template choice, then one per value placeholder."""
    lang = _codes(languages, NOTE_LANGUAGES, "language")
    kind = _codes(kinds, KINDS, "kind")
    draws = rng.random((1 + len(VALUE_PLACEHOLDERS), len(lang)), dtype=np.float32)
    pair = lang * len(KINDS) + kind
    count = _PAIR_COUNT[pair]
    tid = _PAIR_FIRST[pair] + np.minimum((draws[0] * count).astype(np.intp), count - 1)
    # Group rows by template (stable, so rows stay ascending within a group).
    n_templates = len(_COMPILED)
    order = np.argsort(tid.astype(np.int16 if n_templates < 2**15 else np.int32), kind="stable")
    bounds = np.concatenate(([0], np.cumsum(np.bincount(tid, minlength=n_templates))))
    return _Choice(draws, tid, order, bounds)


def _value_pick(choice: _Choice, slot: str, idx: np.ndarray, size: int) -> np.ndarray:
    """Index into the value list of `slot` (of `size` values) for rows `idx`."""
    u = choice.draws[1 + VALUE_PLACEHOLDERS.index(slot), idx]
    return np.minimum((u * size).astype(np.intp), size - 1)


def compose_notes(
    languages: np.ndarray,
    kinds: np.ndarray,
    first_names: np.ndarray,
    last_names: np.ndarray,
    colleagues: np.ndarray,
    rng: np.random.Generator,
    spans: bool = True,
) -> tuple[np.ndarray, pd.DataFrame | None]:
    """Return one note per row and the spans of personal data placed in them.

    ``languages`` holds codes from :data:`NOTE_LANGUAGES`, ``kinds`` values from :data:`KINDS`;
    ``first_names``/``last_names`` are the contact's names and ``colleagues`` the full name of a
    colleague who may be mentioned (non-string values are converted with ``str``).  All arrays
    must have the same length.  The same ``rng`` state gives the same output.

    Returns ``(notes, spans)``.  ``notes`` is an object array of ``str``.  ``spans`` has the
    columns ``row`` (int index into the inputs), ``kind`` (categorical with categories
    :data:`SPAN_KINDS`: ``"person_name"`` for the contact's or colleague's names, or the special
    category / ``"criminal"`` key for the phrase revealing it), ``start``, ``end`` (character
    offsets into that row's note, end exclusive) and ``text`` (``note[start:end]``, object
    dtype).  Spans are ordered by row, then start; a category span may enclose name spans.
    Empty names produce no span.  With ``spans=False`` they are not computed and ``None`` is
    returned in their place (the notes are the same).

    Raises ``ValueError`` for an unknown language or kind and for arrays of different lengths.
    """
    arrays = _validate(languages, kinds, first_names, last_names, colleagues)
    n = len(arrays[0])
    choice = _choose(arrays[0], arrays[1], rng)
    names = {key: _str_objects(np.asarray(a)) for key, a in zip(("first_name", "last_name", "colleague"),
                                                                arrays[2:], strict=True)}
    notes = np.empty(n, dtype=object)
    builder = _SpanBuilder(choice.tid) if spans else None
    for t, idx in choice.groups():
        template = _COMPILED[t]
        language = NOTE_LANGUAGES[_TEMPLATE_LANG[t]]
        values, lens = [], []
        for slot in template.slots:
            if slot == "full_name":
                (first, first_len), (last, last_len) = names["first_name"], names["last_name"]
                values.append(np.add(np.add(first[idx], " "), last[idx]))
                lens.append(first_len[idx] + 1 + last_len[idx])
            elif slot in names:
                values.append(names[slot][0][idx])
                lens.append(names[slot][1][idx])
            else:
                table, table_lens = _VALUE_TABLES[language, slot]
                pick = _value_pick(choice, slot, idx, len(table))
                values.append(table[pick])
                lens.append(table_lens[pick])
        notes[idx] = _concat(template.pieces, values, len(idx))
        if builder is not None:
            builder.add(template, idx, values, lens)
    return notes, (builder.frame() if builder is not None else None)


class _SpanBuilder:
    """Spans written straight to their final position: by row, then in template order."""

    def __init__(self, tid: np.ndarray) -> None:
        self.n_spans = _TEMPLATE_N_SPANS[tid]
        self.first = np.cumsum(self.n_spans) - self.n_spans
        total = int(self.n_spans.sum())
        self.kind = np.empty(total, dtype=np.int8)
        self.start = np.empty(total, dtype=np.int64)
        self.end = np.empty(total, dtype=np.int64)
        self.text = np.empty(total, dtype=object)

    def add(self, template: _Template, idx: np.ndarray, values: list[np.ndarray],
            lens: list[np.ndarray]) -> None:
        # offset[:, k] = total length of the first k values, per row
        offset = np.zeros((len(idx), len(values) + 1), dtype=np.int64)
        if values:
            np.cumsum(np.column_stack(lens), axis=1, out=offset[:, 1:])
        for j, span in enumerate(template.spans):
            pos = self.first[idx] + j
            self.kind[pos] = span.kind
            self.start[pos] = span.start[0] + offset[:, span.start[1]]
            self.end[pos] = span.end[0] + offset[:, span.end[1]]
            self.text[pos] = _concat(span.text, values, len(idx))

    def frame(self) -> pd.DataFrame:
        span_row = np.repeat(np.arange(len(self.n_spans), dtype=np.int64), self.n_spans)
        cols = (span_row, self.kind, self.start, self.end, self.text)
        keep = (self.end > self.start) | (self.kind != _PERSON)
        if not keep.all():
            cols = tuple(a[keep] for a in cols)
        return pd.DataFrame({
            "row": cols[0],
            "kind": pd.Categorical.from_codes(cols[1], categories=list(SPAN_KINDS)),
            "start": cols[2],
            "end": cols[3],
            "text": pd.Series(cols[4], dtype=object, copy=False),
        })


def compose_notes_arrow(
    languages: np.ndarray,
    kinds: np.ndarray,
    first_names: np.ndarray | pa.Array,
    last_names: np.ndarray | pa.Array,
    colleagues: np.ndarray | pa.Array,
    rng: np.random.Generator,
) -> pa.Array:
    """The notes of :func:`compose_notes` (same inputs and ``rng`` state, same text) as an Arrow array.

    Built with Arrow's string kernels, so no Python string is made per note: for callers storing
    millions of notes in Arrow-backed columns.  Names may be given as Arrow string arrays; a missing
    name gives a missing note.  No spans.
    """
    arrays = _validate(languages, kinds, first_names, last_names, colleagues)
    choice = _choose(arrays[0], arrays[1], rng)
    names = dict(zip(("first_name", "last_name", "colleague"), map(_arrow_strings, arrays[2:]), strict=True))
    chunks = []
    for t, idx in choice.groups():
        template = _COMPILED[t]
        language = NOTE_LANGUAGES[_TEMPLATE_LANG[t]]
        rows = pa.array(idx)
        values = []
        for slot in template.slots:
            if slot == "full_name":
                values.append(pc.binary_join_element_wise(names["first_name"].take(rows),
                                                          names["last_name"].take(rows), " "))
            elif slot in names:
                values.append(names[slot].take(rows))
            else:
                table = _arrow_values(language, slot)
                values.append(table.take(pa.array(_value_pick(choice, slot, idx, len(table)))))
        parts = [values[p] if isinstance(p, int) else p for p in template.pieces]
        chunks.append(pc.binary_join_element_wise(*parts, "") if values
                      else pa.array(["".join(parts)] * len(idx), type=pa.string()))
    if not chunks:
        return pa.array([], type=pa.string())
    inverse = np.empty(len(choice.order), dtype=np.intp)
    inverse[choice.order] = np.arange(len(choice.order))
    return pa.concat_arrays(chunks).take(pa.array(inverse))


def _arrow_strings(values: np.ndarray | pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values.cast(pa.string())
    return pa.array(_str_objects(values)[0], type=pa.string())


_ARROW_VALUES: dict[tuple[str, str], pa.Array] = {}


def _arrow_values(language: str, slot: str) -> pa.Array:
    if (language, slot) not in _ARROW_VALUES:
        _ARROW_VALUES[language, slot] = pa.array(_VALUE_TABLES[language, slot][0], type=pa.string())
    return _ARROW_VALUES[language, slot]
