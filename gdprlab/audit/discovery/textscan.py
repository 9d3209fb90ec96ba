"""Find personal data in free text (CRM notes, comments, e-mail bodies): where it is and what it is.

``scan_texts(texts)`` returns one row per finding with the columns

* ``row``: position of the text in the input (0-based, whatever the Series' index);
* ``kind``: ``email``, ``phone``, ``iban``, ``national_id``, ``card_number``, ``ip_address``,
  ``person_name``, a special category of Art. 9(1) (the keys of :mod:`gdprlab.audit.discovery.special_terms`)
  or
  ``criminal`` (Art. 10);
* ``start``, ``end``: character offsets into that text (Python ``str`` indices, end exclusive), so
  ``texts[row][start:end] == text`` always holds;
* ``text``: the matched text;
* ``detail``: what the validator said: the scheme(s) of a national id (``"DE idnr"``,
  ``"PL pesel"``; several joined with ``"; "`` when one number passes more than one country's
  check), the region of a phone (``"DE"``), the country of an IBAN, ``"IPv4"``/``"IPv6"``, the
  special-category term's language-independent stem; empty for names and e-mails.

What is found, and how it is checked
------------------------------------
Identifiers are validated, not only pattern-matched: a candidate must pass its checksum.

=============  ==============================================================================
iban           python-stdnum ``iban`` (mod 97 and the country's length), upper- or lower-case,
               compact or in blocks separated by single spaces or hyphens
card_number    13-19 digits (compact, 4-4-4-x with ``-`` or spaces, or 4-6-5), Luhn, first
               digit 1-6; 12-digit Maestro cards (Maestro prefixes only, compact or 4-4-4)
national_id    DE idnr (Steuer-ID; ISO 7064 mod 11,10; see below), DE Rentenversicherungsnummer
               (own checksum: stdnum has none), FR nir, IT codice fiscale, ES dni (7 or 8
               digits), ES nie, NL bsn, PL pesel, PT nif, SE personnummer, FI hetu (including
               the century signs introduced in 2023, which stdnum 2.2 lacks), GB nhs and GB
               national insurance number (prefix and suffix rules: it has no checksum)
phone          phonenumbers ``is_valid_number``: international form (``+`` or ``00``) for any
               country; national form in the text's own country when ``countries`` gives it
               (a US lead's "(212) 555-0199"), else for the eight CRM countries and
               GB/AT/BE/CH/IE/DK/FI (trunk ``0``, or the 9-digit plans of ES/PT/PL and Italian
               mobiles ``3xx``); a dotted run with a one-digit group (``0.3729.131``) is a
               version, never a phone
email          local@domain.tld (internationalised ``xn--`` domains included)
ip_address     IPv4 and IPv6 (compressed, zone ids, IPv4-mapped/embedded), by ``ipaddress``
=============  ==============================================================================

Where one stretch of text is a candidate for several kinds, the earlier, then longer, finding wins;
among equal spans: email, IBAN, IP, alphanumeric national ids, then numbers (national id, card,
phone, in that order). A name never overlaps an identifier.

The German tax id (IdNr) is checked with the ISO 7064 mod 11,10 check digit, a non-zero first digit
and "no digit more than three times in the first ten"; stdnum additionally requires that exactly one
digit repeats, which the widely used test numbers (12345678903, also Presidio's) fail.

Names of people are found without an NLP model: see :func:`_name_spans`. Special categories use the
lexicons of :mod:`gdprlab.audit.discovery.special_terms` (Art. 9, and Art. 10 criminal records), one span
per term; the span is the term (a stem's span runs to the end of its word), not the whole revealing
phrase.

Speed
-----
The texts are joined into one buffer (with a separator that no pattern crosses) and each pattern
runs once over it with ``re.finditer``; offsets are mapped back to rows with ``np.searchsorted``.
Before that, pyarrow's RE2 picks the texts that can contain an identifier or a special-category term
at all, so the slower patterns run only on those. Every validation is cached per distinct candidate
string, and name decisions per distinct run of capitalised words.
"""

from __future__ import annotations

import bisect
import importlib
import ipaddress
import itertools
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib.resources import files

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.es import dni as es_dni
from stdnum.es import nie as es_nie
from stdnum.fi import hetu as fi_hetu
from stdnum.fr import nir as fr_nir
from stdnum.gb import nhs as gb_nhs
from stdnum.iso7064 import mod_11_10
from stdnum.it import codicefiscale as it_cf
from stdnum.nl import bsn as nl_bsn
from stdnum.pl import pesel as pl_pesel
from stdnum.pt import nif as pt_nif
from stdnum.se import personnummer as se_pnr

from gdprlab.audit.discovery import special_terms
from gdprlab.audit.discovery.name_lexicon import CRM_LOCALES, NameLexicon, name_lexicon
from gdprlab.crm.arrowtext import bools
from gdprlab.crm.conventions import read_yaml

__all__ = ["CRIMINAL_TERMS", "IDENTIFIER_KINDS", "KINDS", "scan_texts"]

IDENTIFIER_KINDS: tuple[str, ...] = ("email", "phone", "iban", "national_id", "card_number", "ip_address")
SPECIAL_KINDS: tuple[str, ...] = (*special_terms.TERMS, "criminal")
KINDS: tuple[str, ...] = (*IDENTIFIER_KINDS, "person_name", *SPECIAL_KINDS)

_SEPARATOR = "\x1f"  # between texts in the joined buffer; no pattern matches it

# --------------------------------------------------------------------------------------------
# Identifiers
# --------------------------------------------------------------------------------------------

# RE2 prefilter: a text without any of these cannot hold an identifier.
_ID_PREFILTER = (r"@|\d(?:[ \-./()]{0,2}\d){5}|[0-9A-Fa-f]:[0-9A-Fa-f]{0,4}:|::|\d\.\d{1,3}\.\d{1,3}\.\d"
                 r"|\d\d[A-Za-z]\d\d[A-Za-z]")

_EMAIL = re.compile(r"(?<![\w.%+\-])[\w.%+\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.(?:[A-Za-z]{2,63}|xn--[a-z0-9\-]+)"
                    r"(?![\w\-]|\.\w)")
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d\d(?:[ \-]?[A-Z0-9]{1,4}){2,8}(?![a-z0-9])"
                   r"|(?<![A-Za-z0-9])[a-z]{2}\d\d(?:[ \-]?[a-z0-9]{1,4}){2,8}(?![A-Za-z0-9])")
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?!\w)")
_IPV6 = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{1,4})?"
                   r"(?:%[A-Za-z0-9]+)?(?![\w:]|\.\d)")
# alphanumeric national ids: one pattern per scheme, as named groups
_ALNUM_ID = re.compile(
    r"(?<![A-Za-z0-9])(?:"
    r"(?P<it_cf>[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z])"
    r"|(?P<es_nie>[XYZxyz]-?\d{7}-?[A-Za-z])"
    r"|(?P<es_dni>\d{7,8}-?[A-Za-z])"
    r"|(?P<gb_nino>[A-Za-z]{2} ?\d\d ?\d\d ?\d\d ?[A-Da-d])"
    r"|(?P<de_rvnr>\d{8}[A-Za-z]\d{3})"
    r")(?![A-Za-z0-9])"
    r"|(?<!\d)(?P<fi_hetu>\d{6}[-+A-FU-Y]\d{3}[0-9A-Y])(?![A-Za-z0-9])"
)
# runs of digits with single separators (phones, cards, numeric national ids)
_NUMBER = re.compile(r"(?:\+|(?<![\d+]))\(?\d(?:(?:[ \-./]|\) ?| ?\()?\d)+(?!\d)")
_NUMBER_SEP = re.compile(r"[ \-./()]+")


def _luhn_ok(digits: str) -> bool:
    return luhn.is_valid(digits)


def _de_idnr(digits: str) -> bool:
    if len(digits) != 11 or digits[0] == "0" or not mod_11_10.is_valid(digits):
        return False
    return max(digits[:10].count(d) for d in set(digits[:10])) <= 3


_RVNR_WEIGHTS = (2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1)


def _de_rvnr(value: str) -> bool:
    """Rentenversicherungsnummer: area(2) DDMMYY letter serial(2) check; day may be +50."""
    v = value.upper()
    day, month = int(v[2:4]), int(v[4:6])
    if not (1 <= day <= 31 or 51 <= day <= 81) or not 1 <= month <= 12:
        return False
    digits = v[:8] + f"{ord(v[8]) - 64:02d}" + v[9:11]
    total = sum(sum(divmod(int(d) * w, 10)) for d, w in zip(digits, _RVNR_WEIGHTS, strict=True))
    return total % 10 == int(v[11])


_NINO_BAD_PREFIX = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def _gb_nino(value: str) -> bool:
    v = value.upper().replace(" ", "")
    return (v[0] not in "DFIQUV" and v[1] not in "DFIOQUV" and v[:2] not in _NINO_BAD_PREFIX
            and v[-1] in "ABCD")


_HETU_CENTURY = str.maketrans({c: "-" for c in "YXWVU"} | {c: "A" for c in "BCDEF"})


def _fi_hetu(value: str) -> bool:
    try:  # temporary numbers (individual part 900-999) identify a person too
        fi_hetu.validate(value[:6] + value[6].translate(_HETU_CENTURY) + value[7:], allow_temporary=True)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=65536)
def _alnum_id(scheme: str, value: str) -> str | None:
    """Detail ('ES nie') when ``value`` passes the scheme's check, else None."""
    try:
        if scheme == "it_cf":
            return "IT codicefiscale" if it_cf.is_valid(value) else None
        if scheme == "es_nie":
            return "ES nie" if es_nie.is_valid(value) else None
        if scheme == "es_dni":
            compact = value.replace("-", "")
            return "ES dni" if es_dni.is_valid(compact.rjust(9, "0")) else None
        if scheme == "gb_nino":
            return "GB nino" if _gb_nino(value) else None
        if scheme == "de_rvnr":
            return "DE rvnr" if _de_rvnr(value) else None
        if scheme == "fi_hetu":
            return "FI hetu" if _fi_hetu(value) else None
    except (ValueError, IndexError):
        return None
    return None


# numeric national ids: (detail, allowed written shape, validator of the digits). The shapes, the cards' and
# Maestro's below are written without back-references, so that RE2 and Java read them as Python does on
# ASCII text: the engine's prefilter of notes is made of them (NUMERIC_SHAPE, gdprlab.audit.rules.notes)
_NUMERIC_ID_SHAPES: tuple[tuple[str, str, object], ...] = (
    ("SE personnummer", r"\d{6}[-+]?\d{4}|\d{8}-?\d{4}", se_pnr.is_valid),
    ("GB nhs", r"\d{10}|\d{3} \d{3} \d{4}|\d{3}-\d{3}-\d{4}", gb_nhs.is_valid),
    ("DE idnr", r"\d{11}|\d\d \d{3} \d{3} \d{3}", _de_idnr),
    ("PL pesel", r"\d{11}", pl_pesel.is_valid),
    ("FR nir", r"[12]\d{14}|[12] \d\d \d\d \d\d \d{3} \d{3} \d\d", fr_nir.is_valid),
    ("NL bsn", r"\d{9}|\d{4}\.\d\d\.\d{3}", nl_bsn.is_valid),
    ("PT nif", r"\d{9}|\d{3} \d{3} \d{3}", pt_nif.is_valid),
)
_NUMERIC_IDS = tuple((name, re.compile(shape), ok) for name, shape, ok in _NUMERIC_ID_SHAPES)
_CARD_SHAPE_TEXT = (r"\d{13,19}|\d{4} \d{4} \d{4} \d{1,7}|\d{4}-\d{4}-\d{4}-\d{1,7}|\d{4} \d{6} \d{4,5}"
                    r"|\d{4}-\d{6}-\d{4,5}")  # 4-4-4-n or 4-6-5 with one separator throughout
_CARD_SHAPE = re.compile(_CARD_SHAPE_TEXT)
#: Maestro issues 12-digit cards too (ISO/IEC 7812 allows 12-19 digits): its own prefixes only, since
#: any 12 digits pass the Luhn check one time in ten
_MAESTRO_12_TEXT = r"(?:5018|5020|5038|5893|6304|6759|676[1-3])(?:\d{8}| \d{4} \d{4}|-\d{4}-\d{4})"
_MAESTRO_12 = re.compile(_MAESTRO_12_TEXT)
#: every written shape of a numeric national id or a payment card number the scanner validates
NUMERIC_SHAPE = "|".join([*(shape for _, shape, _ in _NUMERIC_ID_SHAPES), _CARD_SHAPE_TEXT, _MAESTRO_12_TEXT])
_ID_OR_CARD_SHAPE = re.compile(NUMERIC_SHAPE)  # one test that rules out what has none of the shapes
_NOT_DIGIT = re.compile(r"\D")
#: a dotted run of digits with a one-digit group ("0.3729.131", "10.0.19041.1"): a version, never a phone
_VERSION = re.compile(r"\d+(?:\.\d+)*\.\d\.\d+(?:\.\d+)*|\d\.\d+\.\d+(?:\.\d+)*|\d+(?:\.\d+)+\.\d")
_NATIONAL_PHONE_REGIONS = ("DE", "FR", "IT", "NL", "SE", "PT", "ES", "PL", "GB", "AT", "BE", "CH", "IE",
                           "DK", "FI")


def _phone(text: str, digits: str, region: str | None = None) -> str | None:
    """The region(s) of a valid phone number; a national-form number is tried in the row's own country
    (`region`) first, then in the CRM countries' plans."""
    if len(digits) < 7 or len(digits) > 15:
        return None
    try:
        if text.startswith("+") or (digits.startswith("00") and text.startswith("00")):
            num = phonenumbers.parse("+" + (digits[2:] if text.startswith("00") else digits), None)
            return phonenumbers.region_code_for_number(num) if phonenumbers.is_valid_number(num) else None
        if region and phonenumbers.is_valid_number(phonenumbers.parse(text, region)):
            return region
        if digits[0] == "0":
            regions = [r for r in _NATIONAL_PHONE_REGIONS
                       if phonenumbers.is_valid_number(phonenumbers.parse(digits, r))]
        elif len(digits) == 9:
            regions = [r for r in ("ES", "PT", "PL")
                       if phonenumbers.is_valid_number(phonenumbers.parse(digits, r))]
        elif digits[0] == "3" and len(digits) == 10:
            regions = ["IT"] if phonenumbers.is_valid_number(phonenumbers.parse(digits, "IT")) else []
        else:
            regions = []
    except phonenumbers.NumberParseException:
        return None
    return "; ".join(regions) or None


_DATE = re.compile(r"(?:0?[1-9]|[12]\d|3[01])([./-])(?:0?[1-9]|1[0-2])\1(?:19|20)?\d\d"  # a date, not a phone
                   r"|(?:19|20)\d\d-[01]\d-[0-3]\d")


@lru_cache(maxsize=262144)
def _classify_number(text: str, region: str | None = None) -> tuple[str, str] | None:
    """(kind, detail) of a run of digits with separators, or None; `region` is the row's country."""
    if _DATE.fullmatch(text) or _VERSION.fullmatch(text):
        return None
    digits = _NOT_DIGIT.sub("", text)
    found = _id_or_card(text, digits)
    if found:
        return found
    phone = _phone(text, digits, region)
    return ("phone", phone) if phone else None


#: the fewest and most digits a national id (_NUMERIC_IDS) or a card number (_CARD_SHAPE) has
_ID_DIGITS = (9, 19)


def _id_or_card(text: str, digits: str) -> tuple[str, str] | None:
    """(kind, detail) of a run of digits that is a national id or a payment card number, else None."""
    if text.startswith("+") or not _ID_OR_CARD_SHAPE.fullmatch(text):
        return None
    schemes = [name for name, shape, ok in _NUMERIC_IDS if shape.fullmatch(text) and ok(digits)]
    if schemes:
        return "national_id", "; ".join(schemes)
    if ((_CARD_SHAPE.fullmatch(text) and digits[0] in "123456") or _MAESTRO_12.fullmatch(text)) \
            and _luhn_ok(digits):
        return "card_number", ""
    return None


def _groups(text: str) -> list[tuple[int, int]]:
    """(start, end) of the groups of digits of a run, between its separators."""
    bounds = [0]
    for m in _NUMBER_SEP.finditer(text):
        bounds += [m.start(), m.end()]
    bounds.append(len(text))
    return [g for g in ((bounds[k], bounds[k + 1]) for k in range(0, len(bounds), 2)) if g[1] > g[0]]


@lru_cache(maxsize=65536)
def _may_hold_id_or_card(text: str) -> bool:
    """Whether some stretch of whole groups of a digit run is a national id or a card number: without one,
    what _split_number finds in the run is phone numbers only (it needs no phone number checked then)."""
    groups = _groups(text)
    for i, (start, _) in enumerate(groups):
        if i == 0 and text.startswith(("+", "(")):
            start = 0
        for _, end in groups[i:]:
            stretch = text[start:end]
            digits = _NOT_DIGIT.sub("", stretch)
            if len(digits) > _ID_DIGITS[1]:
                break
            if len(digits) >= _ID_DIGITS[0] and not _DATE.fullmatch(stretch) \
                    and not _VERSION.fullmatch(stretch) and _id_or_card(stretch, digits):
                return True
    return False


@lru_cache(maxsize=65536)
def _split_number(text: str, region: str | None = None) -> tuple[tuple[int, int, str, str], ...]:
    """Findings inside one digit run: the longest valid stretches of whole groups, left to right."""
    groups = _groups(text)
    out = []
    i = 0
    while i < len(groups):
        start = groups[i][0]
        if i == 0 and text.startswith(("+", "(")):
            start = 0
        for j in range(len(groups) - 1, i - 1, -1):
            found = _classify_number(text[start:groups[j][1]], region)
            if found:
                out.append((start, groups[j][1], *found))
                i = j + 1
                break
        else:
            i += 1
    return tuple(out)


@lru_cache(maxsize=65536)
def _iban(text: str) -> tuple[int, str] | None:
    """(length, country) of the longest valid IBAN at the start of ``text``."""
    cuts = [m.start() for m in re.finditer(r"[ \-]", text)] + [len(text)]
    for cut in reversed(cuts):
        if std_iban.is_valid(re.sub(r"[ \-]", "", text[:cut])):
            return cut, text[:2].upper()
    return None


@lru_cache(maxsize=65536)
def _ip(text: str) -> str | None:
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return None
    return f"IPv{addr.version}"


#: for each pattern of _identifier_spans but the numbers', an RE2 pattern that a text holds wherever the
#: Python pattern finds something in it (Python's \d is any Unicode digit, RE2's \p{Nd}): pyarrow picks
#: those texts, and the Python pattern reads only them (a fifth of the scanner's time on notes with a card
#: number, where the Python patterns read every note for an e-mail, an IBAN, an IP address or an id)
_HOLDS = {_EMAIL: "@", _IBAN: r"[A-Za-z]{2}\p{Nd}{2}", _IPV6: r":[0-9A-Fa-f]{0,4}:", _IPV4: r"\p{Nd}\.\p{Nd}",
          _ALNUM_ID: r"[A-Z]{6}|\p{Nd}{7}|\p{Nd}{6}[-+A-FU-Y]|[A-Za-z]{2} ?\p{Nd}{2} ?\p{Nd}{2}"}


class _Narrowed:
    """The texts of a buffer (_join) that may hold what `pattern` finds (_HOLDS), joined into a buffer of
    their own, and where a position of it lies in the whole buffer. No pattern crosses the separator, and
    the lookarounds read it as they read the start or the end of the buffer: a pattern finds the same in
    each text as it does in the whole buffer."""

    def __init__(self, buf: str, offsets: np.ndarray | None, texts: pa.Array | None, pattern: re.Pattern):
        if texts is None or offsets is None or len(texts) < 2:
            self.buf, self._starts, self._shifts = buf, [0], [0]
            return
        chosen = _matching(texts, _HOLDS[pattern])
        self.buf, starts = _join(texts.take(pa.array(chosen, pa.int64())).to_pylist(), np.arange(len(chosen)))
        self._starts = starts.tolist()
        self._shifts = (offsets[chosen] - starts).tolist()

    def whole(self, position: int) -> int:
        """The position in the whole buffer of `position` in this one."""
        return position + self._shifts[bisect.bisect_right(self._starts, position) - 1]


def _identifier_spans(buf: str, offsets: np.ndarray | None = None,
                      regions: Sequence[str | None] | None = None,
                      phones: bool = True,
                      texts: pa.Array | None = None) -> list[tuple[int, int, str, str, int]]:
    """(start, end, kind, detail, priority) of every validated identifier in ``buf``; a national-form
    phone number is judged in its text's country, regions[k] for the text starting at offsets[k].

    With `phones` False the phone numbers are not wanted: a run of digits holding no national id or card
    number, and overlapping no other identifier (which a phone number found there could displace), is
    not judged at all, the other spans being then those a full search keeps. `texts`, the texts of the
    buffer in its order (as `offsets`), lets each pattern but the numbers' read only those that may hold
    what it finds (_Narrowed).
    """
    spans: list[tuple[int, int, str, str, int]] = []
    part = _Narrowed(buf, offsets, texts, _EMAIL)
    for m in _EMAIL.finditer(part.buf):
        start = part.whole(m.start())
        spans.append((start, start + len(m.group()), "email", "", 0))
    part = _Narrowed(buf, offsets, texts, _IBAN)
    m = _IBAN.search(part.buf)
    while m:  # a candidate may run on into the next words: search again after the IBAN it holds
        found = _iban(m.group())
        if found:
            start = part.whole(m.start())
            spans.append((start, start + found[0], "iban", found[1], 1))
        m = _IBAN.search(part.buf, m.start() + (found[0] if found else 1))
    for pattern in (_IPV6, _IPV4):
        part = _Narrowed(buf, offsets, texts, pattern)
        for m in pattern.finditer(part.buf):
            version = _ip(m.group())
            if version:
                start = part.whole(m.start())
                spans.append((start, start + len(m.group()), "ip_address", version, 2))
    part = _Narrowed(buf, offsets, texts, _ALNUM_ID)
    for m in _ALNUM_ID.finditer(part.buf):
        detail = _alnum_id(m.lastgroup, m.group())
        if detail:
            start = part.whole(m.start())
            spans.append((start, start + len(m.group()), "national_id", detail, 3))
    others = sorted((s[0], s[1]) for s in spans)
    other_starts, reach = [s for s, _ in others], list(itertools.accumulate((e for _, e in others), max))
    for m in _NUMBER.finditer(buf):
        text = m.group()
        if sum(map(str.isdigit, text)) < 6 or _VERSION.fullmatch(text):
            continue
        if not phones and not _may_hold_id_or_card(text) and not _overlaps(other_starts, reach, m.span()):
            continue
        region = None
        if regions is not None:
            region = regions[int(np.searchsorted(offsets, m.start(), side="right")) - 1]
        for s, e, kind, detail in _split_number(text, region):
            spans.append((m.start() + s, m.start() + e, kind, detail, 4))
    return _resolve(spans)


def _overlaps(starts: list[int], reach: list[int], span: tuple[int, int]) -> bool:
    """Whether `span` overlaps one of some spans: `starts` their starts, sorted, and `reach[k]` the furthest
    end of the first k + 1 of them."""
    k = bisect.bisect_left(starts, span[1])  # the spans starting before `span` ends
    return k > 0 and reach[k - 1] > span[0]


def _resolve(spans: list[tuple[int, int, str, str, int]]) -> list[tuple[int, int, str, str, int]]:
    """Drop spans overlapping an earlier kept one (order: start, longer first, priority)."""
    spans.sort(key=lambda s: (s[0], s[0] - s[1], s[4]))
    kept = []
    last_end = -1
    for span in spans:
        if span[0] >= last_end:
            kept.append(span)
            last_end = span[1]
    return kept


# --------------------------------------------------------------------------------------------
# Special categories (Art. 9) and criminal records (Art. 10)
# --------------------------------------------------------------------------------------------

#: Art. 10 lexicon (same conventions as special_terms.TERMS), kept as data in criminal_terms.yaml
CRIMINAL_TERMS: dict[str, tuple[str, ...]] = special_terms.CRIMINAL_TERMS

_PY_SEP = "[\\s!-/:-@\\[-`{-~\xa0\u202f„“”«»‚‘’–—…¿¡]"
_PY_NOT_SEP = "[^" + _PY_SEP[1:]


def _py_terms(terms: list[str]) -> str:
    """The terms as alternatives: a whole word must end at a separator (``term(?!not-sep)``), a stem
    (``term*``) runs to the end of its word (``stem not-sep*``). The tail is written once per run of
    whole words or of stems: ``a(?!x)|b(?!x)`` as ``(?:a|b)(?!x)``, ``a[^s]*|b[^s]*`` as ``(?:a|b)[^s]*``.

    The same matches (alternatives are still tried in order, and nothing follows the tail in the
    pattern), but the big separator class is compiled a few times instead of once per term: this
    pattern's compile time, paid at import, drops from ~55 to ~25 ms.
    """
    runs: list[tuple[bool, list[str]]] = []
    for term in terms:
        stem = term.endswith("*")
        if not runs or runs[-1][0] != stem:
            runs.append((stem, []))
        runs[-1][1].append(re.escape(term[:-1] if stem else term))
    return "|".join("(?:" + "|".join(words) + ")" + (f"{_PY_NOT_SEP}*" if stem else f"(?!{_PY_NOT_SEP})")
                    for stem, words in runs)


def _category_terms() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for category, by_lang in special_terms.TERMS.items():
        out[category] = sorted({t for ts in by_lang.values() for t in ts}, key=lambda t: (-len(t), t))
    out["criminal"] = sorted({t for ts in CRIMINAL_TERMS.values() for t in ts}, key=lambda t: (-len(t), t))
    return out


_CATEGORY_TERMS = _category_terms()
_TERMS_PREFILTER = special_terms.any_term(special_terms.all_terms() + _CATEGORY_TERMS["criminal"])
_TERMS = re.compile(
    f"(?<!{_PY_NOT_SEP})(?:"
    + "|".join(f"(?P<{c}>" + _py_terms(ts) + ")" for c, ts in _CATEGORY_TERMS.items())
    + ")",
    re.IGNORECASE,
)

# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------

_UPPER = "".join(ch for ch in map(chr, range(0x41, 0x17F)) if ch.isupper() and ch.isalpha())
_LOWER = "".join(ch for ch in map(chr, range(0x61, 0x180)) if ch.islower() and ch.isalpha())
_TOKEN = f"[{_UPPER}](?:['’][{_UPPER}])?[{_LOWER}]+(?:[{_UPPER}][{_LOWER}]+)*(?:-[{_UPPER}][{_LOWER}]+)*"
_RUN = re.compile(f"(?<![\\w'’\\-]){_TOKEN}(?: {_TOKEN})*(?![\\w\\-])")
_TOKEN_RE = re.compile(_TOKEN)
_CAMEL = re.compile(f"[{_LOWER}][{_UPPER}]")

_NOT_NAMES = read_yaml(files("gdprlab.audit.discovery").joinpath("not_names.yaml")
                       .read_text(encoding="utf-8"))


def _crm_given_names() -> set[str]:
    given: set[str] = set()
    for locale in CRM_LOCALES:
        person = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attr in dir(person):
            if attr.startswith("first_names"):
                given.update(getattr(person, attr))
    return given


def _not_names() -> frozenset[str]:
    """not_names.yaml's words, and the common English words that no CRM locale gives as a first name
    ("Guy", "Floor", "Gun" stay names: French, Dutch and Swedish ones)."""
    listed = {w for text in _NOT_NAMES.values() for w in str(text).split()}
    common = importlib.import_module("faker.providers.lorem.en_US").Provider.word_list
    return frozenset(listed | ({w[:1].upper() + w[1:] for w in common if w.isalpha()} - _crm_given_names()))


def _country_names() -> frozenset[tuple[str, ...]]:
    """Country names that are one run of capitalised words ("Sri Lanka", "Dominican Republic", "Polska"),
    in English and the eight CRM languages (Faker's address providers), as word tuples. A one-word
    country that is also a name somewhere (Jordan, Chad, Costa, España) stays a possible name."""
    lexicon = name_lexicon()
    out: set[tuple[str, ...]] = set()
    for locale in ("en_US", *CRM_LOCALES):
        for country in getattr(importlib.import_module(f"faker.providers.address.{locale}").Provider,
                               "countries", ()):
            if _RUN.fullmatch(country) and country not in lexicon.first and country not in lexicon.last:
                out.add(tuple(_TOKEN_RE.findall(country)))
    return frozenset(out)


#: forms of address: the capitalised word(s) after them are a name even if no lexicon lists it
TITLES = frozenset({
    "Herr", "Herrn", "Frau", "Hr", "Fr", "Dr", "Prof", "Monsieur", "Madame", "Mademoiselle", "Mme", "Mlle",
    "Signor", "Signora", "Signorina", "Sig", "Sigra", "Dott", "Dottssa", "Sr", "Sra", "Srta", "Don", "Doña",
    "Dhr", "Mevr", "Mw", "Pan", "Pani", "Panem", "Panią", "Panu", "Fru", "Senhor", "Senhora", "Dona",
    "Mr", "Mrs", "Ms", "Miss",
})
_TITLE_BEFORE = re.compile(r"(?:^|[\s(])(?:Herr|Herrn|Frau|Hr|Fr|Dr|Prof|M|Mme|Mlle|Sig|Sig\.ra|Dott|"
                           r"Dott\.ssa|Sr|Sra|Srta|Dhr|dhr|Mevr|mevr|Mw|mw|Mr|Mrs|Ms|Pan|Pani|Fru)\.? $")
_PARTICLES = r"(?:(?:van|von|der|den|de|del|della|di|da|dos|das|do|du|le|la|ter|ten|zu|'t)\s)+"
_PARTICLES_BEFORE = re.compile(r"(?:^|(?<=[\s(]))" + _PARTICLES + "$")
_PARTICLES_AFTER = re.compile(" " + _PARTICLES + _TOKEN)

#: capitalised words that are not names (not_names.yaml beside this module: words of the eight languages,
#: English calendar and function words, product names), and the most common English words (Faker's lorem
#: word list for en_US): Faker lists many of them as names somewhere
STOP_WORDS: frozenset[str] = _not_names()
#: words that make the surname(s) before them a firm's name ("Steele Group", "Greer and Sons")
COMPANY_DESIGNATORS: frozenset[str] = frozenset(str(_NOT_NAMES["company_designators"]).split())
#: words after which capitalised words name a place ("East Leonard", "Lake Ana"); and country names
PLACE_WORDS: frozenset[str] = frozenset(str(_NOT_NAMES["place_words"]).split())
COUNTRIES: frozenset[tuple[str, ...]] = _country_names()
_COUNTRY_LENGTHS = sorted({len(c) for c in COUNTRIES}, reverse=True)
_DESIGNATOR_AFTER = re.compile(r"(?:,? (?:and|&) Sons| (?:" + "|".join(sorted(COMPANY_DESIGNATORS)) + r"))\b")
#: a list of single capitalised words joined by commas and "and"/"&" ("Martin, Lang and Andrade"): a firm
#: of partners' surnames, unless every word is a given name ("Anna, Tom and Maria")
_FIRM_LIST = re.compile(f"(?<![\\w'’\\-]){_TOKEN}(?:, {_TOKEN})+,? (?:and|&) {_TOKEN}(?![\\w\\-])")


def _sentence_start(buf: str, start: int) -> int:
    """0 inside a sentence, 1 after a colon, dash or bracket, 2 at the start of a sentence or text."""
    k = start - 1
    while k >= 0 and buf[k] == " ":
        k -= 1
    if k < 0 or buf[k] in ".!?\n\r\t\x1f":
        return 2
    return 1 if buf[k] in ":;–—-\"“„«([" else 0


#: lower-case words after which a single capitalised word is a name ("con Raimondo", "met Tirza");
#: not German ones, where every noun is capitalised
_NAME_TRIGGER = re.compile(r"(?:^|\s)(?:con|avec|met|med|com|with|z|ze|chez|och|e|y|et|en)\s$")


@lru_cache(maxsize=8)
def _lexicon_sets(exclude: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
    lex: NameLexicon = name_lexicon(exclude)
    return lex.first - STOP_WORDS, lex.last - STOP_WORDS


def _known(token: str, names: frozenset[str]) -> bool:
    return token in names or ("-" in token and all(p in names for p in token.split("-")))


def _run_names(run: str, position: int, titled: bool, first: frozenset[str],
               last: frozenset[str]) -> list[tuple[int, int, bool]]:
    """Name spans (start, end, starts_with_given_name) inside one run of capitalised words."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN_RE.finditer(run)]
    n = len(tokens)
    is_title = [t[2] in TITLES for t in tokens]
    stop = [t[2] in STOP_WORDS or t[2] in TITLES for t in tokens]
    words = tuple(t[2] for t in tokens)
    for k in range(1, n):  # the words after "East", "Lake", "Port" …: a place ("East Leonard", "Lake Ana")
        stop[k] = stop[k] or any(w in PLACE_WORDS for w in words[:k])
    for k in range(n):  # "Sri Lanka", "Dominican Republic"
        for length in _COUNTRY_LENGTHS:
            if words[k:k + length] in COUNTRIES:
                stop[k:k + length] = [True] * length
                break
    camel = [bool(_CAMEL.search(t[2])) and not _known(t[2], last) for t in tokens]
    given = [not stop[k] and _known(t[2], first) for k, t in enumerate(tokens)]
    family = [not stop[k] and _known(t[2], last) for k, t in enumerate(tokens)]
    nameish = [not stop[k] and not camel[k] for k in range(n)]
    seed = [given[k] or family[k] or (nameish[k] and (titled if k == 0 else is_title[k - 1]))
            for k in range(n)]
    out = []
    k = 0
    while k < n:
        if not seed[k]:
            k += 1
            continue
        a = k
        if a > 0 and nameish[a - 1] and not (a - 1 == 0 and position == 2) and not given[a]:
            a -= 1
        b = k
        while b + 1 < n and nameish[b + 1] and b - a < 3:
            b += 1
        by_title = titled if a == 0 else is_title[a - 1]
        if not (a == b and "-" in tokens[a][2] and not given[a] and not by_title):
            out.append((tokens[a][0], tokens[b][1], given[a]))  # a lone double-barrelled surname: a firm
        k = b + 1
    if not out and n >= 2 and position < 2:
        # two or more name-like capitalised words mid-sentence: a full name nobody listed
        k = 0
        while k < n - 1:
            if nameish[k] and nameish[k + 1]:
                b = k + 1
                while b + 1 < n and nameish[b + 1] and b - k < 3:
                    b += 1
                out.append((tokens[k][0], tokens[b][1], False))
                k = b + 1
            else:
                k += 1
    return out


def _in_firm_list(buf: str, s: int, e: int, first: frozenset[str]) -> bool:
    """Whether buf[s:e] is a member of a list of partners' surnames ("Martin, Lang and Andrade")."""
    if buf[e:e + 2] != ", " and buf[s - 2:s] != ", " and buf[e:e + 5] not in (" and ", " & ") \
            and buf[s - 5:s] not in (" and ", " & "):
        return False
    lo = max(0, s - 120)
    for m in _FIRM_LIST.finditer(buf, lo, e + 120):
        if m.start() <= s and e <= m.end():
            before = re.search(f"({_TOKEN}) $", buf[max(lo, m.start() - 30):m.start()])
            if before and _known(before.group(1), first):  # "Anna Smith, Tom and Maria"
                return False
            return not all(_known(w, first) for w in _TOKEN_RE.findall(m.group()))
    return False


def _name_spans(buf: str, exclude: frozenset[str]) -> list[tuple[int, int]]:
    """Spans of people's names in ``buf``.

    1. Runs of capitalised words (single spaces, hyphenated parts, apostrophe prefixes such as
       D'Angelo) are the candidates; all-caps acronyms and CamelCase product names are not words of a
       name.
    2. A word listed as a given name or surname (:mod:`gdprlab.audit.discovery.name_lexicon`, minus
       :data:`STOP_WORDS`) seeds a name; it extends right over the following capitalised words (the
       surname(s), up to four words in all), and one word left when the seed is not a given name
       ("Xavier Kowalczyk" with only the surname listed) unless that word starts the sentence.
    3. After a form of address (Herr, Frau, M., Mme, Sig., Sr., Sra., dhr., mevr., Pan, Pani, Fru …)
       the next capitalised word is a name even if unlisted; so is a single capitalised word inside a
       sentence after "con", "avec", "met", "med", "com", "z", "chez", "och", "e", "y", "et", "en"
       (words after which a capitalised word is rarely anything else outside German).
    4. Two or more capitalised, unlisted words inside a sentence or after a colon are taken as a full
       name ("Nieuw aanspreekpunt: Suze Zeldenrust vertrekt").
    5. Lower-case particles join a surname: "van der Wal", "Jan van der Wal", "dos Santos".
    6. Surnames that name a firm or a place are not people: before a company designator ("Steele
       Group", "Greer and Sons"), in a comma list of surnames ("Martin, Lang and Andrade"; a list of
       given names stays names), a lone double-barrelled surname with no given name or form of address
       ("Vega-Gentry"), the words after a place word ("East Leonard", "Lake Ana") and country names
       ("Sri Lanka"; :data:`COMPANY_DESIGNATORS`, :data:`PLACE_WORDS`, :data:`COUNTRIES`).
    """
    first, last = _lexicon_sets(exclude)
    cache: dict[tuple[str, bool, bool], list[tuple[int, int, bool]]] = {}
    out: list[tuple[int, int]] = []
    for m in _RUN.finditer(buf):
        run = m.group()
        start = m.start()
        position = _sentence_start(buf, start)
        titled = position == 2 and bool(_TITLE_BEFORE.search(buf, max(0, start - 12), start))
        if titled:
            position = 0
        elif position == 0 and " " not in run and run not in first and run not in last:
            titled = bool(_NAME_TRIGGER.search(buf, max(0, start - 6), start))
        key = (run, position, titled)
        found = cache.get(key)
        if found is None:
            found = cache[key] = _run_names(run, position, titled, first, last)
        for s, e, starts_given in found:
            s += start
            e += start
            if _DESIGNATOR_AFTER.match(buf, e) or _in_firm_list(buf, s, e, first):
                continue
            if not starts_given and " " not in buf[s:e]:  # a bare surname: "van der Wal zegt"
                p = _PARTICLES_BEFORE.search(buf, max(0, s - 16), s)
                if p:
                    s = p.start()
            after = _PARTICLES_AFTER.match(buf, e)
            if after:
                e = after.end()
            out.append((s, e))
    out.sort()
    merged: list[tuple[int, int]] = []
    for s, e in out:  # a particle extension can reach a name found on its own: keep the union
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


# --------------------------------------------------------------------------------------------
# Scanning
# --------------------------------------------------------------------------------------------

def _as_list(texts: Sequence[str] | pd.Series | Iterable[str]) -> list[str]:
    values = texts.tolist() if isinstance(texts, pd.Series) else list(texts)
    return ["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in values]


def _join(values: list[str], rows: np.ndarray) -> tuple[str, np.ndarray]:
    """Buffer of the chosen texts and the buffer offset at which each starts."""
    chosen = [values[i] for i in rows]
    lengths = np.fromiter((len(v) + 1 for v in chosen), dtype=np.int64, count=len(chosen))
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(chosen) else np.zeros(0, np.int64)
    return _SEPARATOR.join(chosen), offsets


def _matching(arrow: pa.Array, pattern: str) -> np.ndarray:
    return np.flatnonzero(bools(pc.match_substring_regex(arrow, pattern)))


def _frame(rows: list[np.ndarray], kinds: list[np.ndarray], starts: list[np.ndarray], ends: list[np.ndarray],
           details: list[list[str]], values: list[str]) -> pd.DataFrame:
    row = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    kind = np.concatenate(kinds) if kinds else np.zeros(0, np.int8)
    start = np.concatenate(starts) if starts else np.zeros(0, np.int64)
    end = np.concatenate(ends) if ends else np.zeros(0, np.int64)
    detail = [d for ds in details for d in ds]
    order = np.lexsort((end, start, row))
    row, kind, start, end = row[order], kind[order], start[order], end[order]
    detail_arr = np.array(detail, dtype=object)[order] if detail else np.zeros(0, dtype=object)
    text = [values[r][s:e] for r, s, e in zip(row.tolist(), start.tolist(), end.tolist(), strict=True)]
    return pd.DataFrame({
        "row": row.astype(np.int64),
        "kind": pd.Categorical.from_codes(kind.astype(np.int8), categories=list(KINDS)),
        "start": start.astype(np.int64),
        "end": end.astype(np.int64),
        "text": pd.Series(text, dtype=object),
        "detail": pd.Series(detail_arr, dtype=object),
    })


class _Collector:
    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.kinds: list[np.ndarray] = []
        self.starts: list[np.ndarray] = []
        self.ends: list[np.ndarray] = []
        self.details: list[list[str]] = []

    def add(self, rows: np.ndarray, offsets: np.ndarray, abs_start: list[int], abs_end: list[int],
            kinds: list[int], details: list[str]) -> None:
        if not abs_start:
            return
        s = np.asarray(abs_start, dtype=np.int64)
        e = np.asarray(abs_end, dtype=np.int64)
        pos = np.searchsorted(offsets, s, side="right") - 1
        self.rows.append(rows[pos])
        self.starts.append(s - offsets[pos])
        self.ends.append(e - offsets[pos])
        self.kinds.append(np.asarray(kinds, dtype=np.int8))
        self.details.append(details)


def scan_texts(texts: Sequence[str] | pd.Series, *, kinds: Iterable[str] | None = None,
               lexicon_exclude: Iterable[str] = (),
               countries: Sequence[str | None] | pd.Series | None = None) -> pd.DataFrame:
    """Find personal data in each text; one row per span (see the module docstring).

    ``kinds`` limits the search to some of :data:`KINDS` (``"special"`` stands for all special
    categories and ``criminal``). ``lexicon_exclude`` names Faker locales whose name lists the name
    lexicon leaves out (the benchmark's held-out setting). ``countries`` gives each text's country (ISO
    3166 alpha-2, e.g. the contact's): a phone number in national form is then also found in that
    country's plan ("(212) 555-0199" for US). Missing texts (None/NaN) yield nothing.
    """
    wanted = set(KINDS) if kinds is None else set(kinds)
    if "special" in wanted:
        wanted |= set(SPECIAL_KINDS)
    unknown = wanted - set(KINDS) - {"special"}
    if unknown:
        raise ValueError(f"unknown kinds {sorted(unknown)}; choose from {list(KINDS)} or 'special'")
    values = _as_list(texts)
    arrow = pa.array(values, type=pa.string())
    code = {k: i for i, k in enumerate(KINDS)}
    out = _Collector()
    id_spans: dict[int, list[tuple[int, int]]] = {}

    if wanted & set(IDENTIFIER_KINDS):
        rows = _matching(arrow, _ID_PREFILTER)
        buf, offsets = _join(values, rows)
        regions = None
        if countries is not None:
            given = _as_list(countries)
            regions = [given[i].strip().upper() or None for i in rows]
        found = [s for s in _identifier_spans(buf, offsets, regions, phones="phone" in wanted,
                                              texts=arrow.take(pa.array(rows, pa.int64())))
                 if s[2] in wanted]
        out.add(rows, offsets, [s[0] for s in found], [s[1] for s in found], [code[s[2]] for s in found],
                [s[3] for s in found])
        # (start, end) within each row, for keeping names off identifiers
        if found:
            pos = np.searchsorted(offsets, [s[0] for s in found], side="right") - 1
            for p, s in zip(pos.tolist(), found, strict=True):
                id_spans.setdefault(int(rows[p]), []).append((s[0] - int(offsets[p]), s[1] - int(offsets[p])))

    if wanted & set(SPECIAL_KINDS):
        rows = _matching(arrow, "(?i)" + _TERMS_PREFILTER)
        buf, offsets = _join(values, rows)
        starts, ends, ks, details = [], [], [], []
        for m in _TERMS.finditer(buf):
            category = m.lastgroup
            if category in wanted:
                starts.append(m.start())
                ends.append(m.end())
                ks.append(code[category])
                details.append(m.group().lower())
        out.add(rows, offsets, starts, ends, ks, details)

    if "person_name" in wanted:
        rows = np.arange(len(values))
        buf, offsets = _join(values, rows)
        spans = _name_spans(buf, frozenset(lexicon_exclude))
        if id_spans and spans:
            pos = np.searchsorted(offsets, [s for s, _ in spans], side="right") - 1
            keep = []
            for (s, e), p in zip(spans, pos.tolist(), strict=True):
                blockers = id_spans.get(p)
                if blockers:
                    rs, re_ = s - int(offsets[p]), e - int(offsets[p])
                    if any(rs < be and bs < re_ for bs, be in blockers):
                        continue
                keep.append((s, e))
            spans = keep
        out.add(rows, offsets, [s for s, _ in spans], [e for _, e in spans],
                [code["person_name"]] * len(spans), [""] * len(spans))

    return _frame(out.rows, out.kinds, out.starts, out.ends, out.details, values)
