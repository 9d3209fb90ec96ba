"""Mask personal data shown as evidence: enough to recognise the kind of fault, not enough to identify.

One function per kind of value, and `mask_value(value, category)` to pick one by the personal-data
category of gdprlab.crm.schema (``"email"``, ``"phone"``, ``"name"``, …). The rules they follow:

* e-mail: first character of the local part and of the domain, and the top-level domain:
  ``anna.schmidt@example.de`` -> ``a***@e***.de``;
* phone: the country calling code and the last 2 digits: ``+4915112345678`` -> ``+49 *** 78``;
* IBAN: the country and the last 4 characters: ``DE89370400440532013000`` -> ``DE*** 3000``;
* national id: the last 2 characters: ``***07``;
* payment card number: the last 4 digits: ``*** 1111``;
* names: the initial of each part, separators kept: ``Anna-Lena Schmidt`` -> ``A***-L*** S***``;
* date of birth: the year only: ``1980-**-**``;
* free text (`mask_free_text`): every kind of personal data gdprlab.audit.discovery.textscan finds is
  masked as above (e-mails, phones, IBANs, national ids, card numbers, IP addresses, names), and so are
  e-mails written to dodge filters (``anna(at)example(dot)de``, ``[at]``, `` at ``), social handles
  (``@anna.s92`` -> ``@a***``) and web addresses (``https://e***.de/…``); a special-category (Art. 9) or
  criminal-offence (Art. 10) term is replaced by its category (``[health]``); every word starting with a
  capital letter (or a letter of a script without case, such as CJK), every word of 4 letters or more that
  the name lexicon lists (in any case, with or without umlauts: ``stanislaw``, ``waehner``), every word of
  the record's own name fields (`names`) and every word mixing letters with digits or ``_`` is cut to its
  initial; every other digit becomes ``#``; the result is cut to 60 characters. Other lower-case words
  stay, to keep the text readable. Each text is scanned on its own: meant for evidence (a few values per
  rule), not whole columns;
* encrypted tokens (``enc:v1:…``, gdprlab.crm.protect) are shown as ``enc:v1:…`` whatever the category;
* values of special categories (health) and unknown secrets are replaced by ``***``.

A masked value never contains the raw value: whenever the kept part would be most of a short value, less
is kept (a 4-character national id shows ``***``). Missing values (None, NaN, NaT) give None and the empty
string gives the empty string, so that "absent" stays distinguishable from "present but masked".
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import pandas as pd
import phonenumbers

from gdprlab.audit.discovery.name_lexicon import name_lexicon
from gdprlab.audit.discovery.textscan import SPECIAL_KINDS, STOP_WORDS, scan_texts
from gdprlab.crm.protect import PREFIX

STARS = "***"
TOKEN = PREFIX + "…"
FREE_TEXT_LENGTH = 60
#: categories (of gdprlab.crm.schema) shown unmasked: they describe no one on their own
PLAIN = frozenset({None, "none", "plain", "preference", "relationship", "processing_condition", "employer"})

_NAME_PART = re.compile(r"[^\s\-'’.]+")


def _missing(value: object) -> bool:
    """None, NaN, NaT or pd.NA."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # array-likes are values, not missing
        return False


def _text(value: object) -> str:
    return value if isinstance(value, str) else str(value)


def _initial(part: str) -> str:
    return part[0] + STARS if part else ""


def mask_email(value: object) -> str | None:
    """``anna.schmidt@example.de`` -> ``a***@e***.de``; text without '@' is masked like a name."""
    if _missing(value):
        return None
    text = _text(value).strip()
    if not text:
        return ""
    local, at, domain = text.rpartition("@")
    if not at:
        return mask_name(text)
    labels = [p for p in domain.split(".") if p]
    if len(labels) >= 2 and len(labels[-1]) < len(domain):
        masked_domain = f"{_initial(labels[0])}.{labels[-1]}"
    else:
        masked_domain = _initial(domain) if domain else ""
    return f"{_initial(local) if local else ''}@{masked_domain}"


def mask_phone(value: object) -> str | None:
    """Country calling code (when the number has one) and the last 2 digits: ``+49 *** 78``."""
    if _missing(value):
        return None
    text = _text(value).strip()
    digits = re.sub(r"\D", "", text)
    if not text:
        return ""
    if len(digits) < 6:  # too short to keep anything without giving most of it away
        return STARS
    code = ""
    if text.startswith(("+", "00")):
        try:
            number = phonenumbers.parse("+" + digits[2:] if text.startswith("00") else text, None)
            code = f"+{number.country_code} "
        except phonenumbers.NumberParseException:
            code = ""
    return f"{code}{STARS} {digits[-2:]}"


def mask_iban(value: object) -> str | None:
    """The country and the last 4 characters: ``DE*** 3000``."""
    if _missing(value):
        return None
    if _text(value).startswith(PREFIX):
        return TOKEN
    compact = re.sub(r"\s", "", _text(value)).upper()
    if not compact:
        return ""
    country = compact[:2] if compact[:2].isalpha() else ""
    if len(compact) < 12:  # not an IBAN's length: keep at most the country
        return f"{country}{STARS}"
    return f"{country}{STARS} {compact[-4:]}"


def mask_national_id(value: object) -> str | None:
    """The last 2 characters when at least 6 are hidden: ``***07``."""
    if _missing(value):
        return None
    compact = re.sub(r"[\s\-./]", "", _text(value))
    if not compact:
        return ""
    return STARS + compact[-2:] if len(compact) >= 8 else STARS


def mask_card_number(value: object) -> str | None:
    """The last 4 digits of a payment card number (as PCI DSS allows): ``*** 1111``."""
    if _missing(value):
        return None
    digits = re.sub(r"\D", "", _text(value))
    return f"{STARS} {digits[-4:]}" if len(digits) >= 12 else STARS


def mask_name(value: object) -> str | None:
    """Initials, separators kept: ``Anna-Lena van Dijk`` -> ``A***-L*** v*** D***``."""
    if _missing(value):
        return None
    text = _text(value).strip()
    return _NAME_PART.sub(lambda m: _initial(m.group()), text)


def mask_date_of_birth(value: object) -> str | None:
    """The year only: ``1980-**-**``; a value that is not a date gives ``***``."""
    if _missing(value):
        return None
    if isinstance(value, dt.date | dt.datetime):
        return f"{value.year:04d}-**-**"
    if hasattr(value, "dtype"):  # numpy datetime64 and the like
        return f"{pd.Timestamp(value).year:04d}-**-**"
    text = _text(value).strip()
    if not text:
        return ""
    m = re.match(r"^(\d{4})-\d{1,2}-\d{1,2}", text)
    return f"{m.group(1)}-**-**" if m else STARS


_AT = r"(?:\s*(?:@|[(\[{<]\s*(?:at|ät)\s*[)\]}>])\s*|\s+at\s+)"
_DOT = r"(?:\s*(?:\.|[(\[{<]\s*(?:dot|punkt|point|punto|punt|kropka|ponto|punkt)\s*[)\]}>])\s*|\s+dot\s+)"
#: e-mails as written to dodge filters: anna(at)example(dot)de, anna [at] example.de, anna at example dot de
_OBFUSCATED_EMAIL = re.compile(rf"[\w.%+\-]+{_AT}[\w\-]+(?:{_DOT}[\w\-]+)*{_DOT}[^\W\d_]{{2,}}\b",
                               re.IGNORECASE)
_URL = re.compile(r"\b(?:[a-z][a-z0-9+.\-]*://|www\.)[^\s<>\"'`]+", re.IGNORECASE)
_AT_TOKEN = re.compile(r"[^\s@<>()\[\],;:\"']+@[^\s@<>()\[\],;:\"']+")  # anything else written like an e-mail
_HANDLE = re.compile(r"(?<![\w.@])@[\w][\w.\-]*")
_WORD = re.compile(r"\w[\w'’-]*")
#: letters people drop or transliterate when they type a name on a plain keyboard (Stanisław, Wähner, Søren)
_FOLD = str.maketrans({"ł": "l", "ø": "o", "ß": "ss", "ä": "a", "ö": "o", "ü": "u", "å": "a", "æ": "a",
                       "œ": "o"})


def _fold(word: str) -> str:
    """A word as its name key: lower case, with the letters of _FOLD and their transliterations made one
    (``Wähner`` and ``waehner`` both give ``wahner``); other accents are kept, so that an accented name
    (Thế) does not stand for an everyday word (the)."""
    text = unicodedata.normalize("NFC", word.lower()).translate(_FOLD)
    return text.replace("ae", "a").replace("oe", "o").replace("ue", "u")


@lru_cache(maxsize=1)
def _lexicon_keys() -> frozenset[str]:
    """The name lexicon (gdprlab.audit.discovery.name_lexicon) as name keys, for lower-case words. Names of
    3 letters or fewer and textscan's STOP_WORDS are left out: written in lower case they are words far more
    often than names ("con", "gut", "per", "die"); capitalised, they are masked anyway."""
    lexicon = name_lexicon()
    words = {_fold(w) for w in lexicon.first | lexicon.last if len(w) > 3}
    return frozenset(words - {_fold(w) for w in STOP_WORDS})


def _url(text: str) -> str:
    scheme, sep, rest = text.partition("://")
    host = (rest if sep else text).split("/", 1)[0].split("?", 1)[0]
    labels = [p for p in host.split(".") if p]
    if sep and len(labels) >= 2:
        return f"{scheme}://{_initial(labels[-2] if labels[0] == 'www' else labels[0])}.{labels[-1]}/…"
    return "[url]"


def _email_like(text: str) -> str:
    local, domain = (re.split(_AT, text, maxsplit=1, flags=re.IGNORECASE) + [""])[:2]
    parts = re.split(_DOT, domain, flags=re.IGNORECASE)
    return mask_email(f"{local}@{'.'.join(p for p in parts if p)}") or STARS


def mask_found(kind: str, text: str) -> str:
    """A stretch of text that gdprlab.audit.discovery.textscan found to be of `kind`, masked as that kind."""
    if kind in SPECIAL_KINDS:
        return f"[{kind}]"
    masker = {"email": mask_email, "phone": mask_phone, "iban": mask_iban, "national_id": mask_national_id,
              "card_number": mask_card_number, "person_name": mask_name}.get(kind)
    return (masker(text) or STARS) if masker else STARS


def _spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement) of every stretch of personal data in `text`, not overlapping."""
    found = [(m.start(), m.end(), _url(m.group())) for m in _URL.finditer(text)]
    found += [(m.start(), m.end(), _email_like(m.group())) for m in _OBFUSCATED_EMAIL.finditer(text)]
    found += [(m.start(), m.end(), mask_email(m.group()) or STARS) for m in _AT_TOKEN.finditer(text)]
    found += [(m.start(), m.end(), "@" + _initial(m.group()[1:])) for m in _HANDLE.finditer(text)]
    scan = scan_texts([text])
    found += [(s, e, mask_found(k, text[s:e])) for k, s, e in zip(scan["kind"], scan["start"], scan["end"],
                                                                strict=True)]
    kept: list[tuple[int, int, str]] = []
    for start, end, replacement in sorted(found, key=lambda f: (f[0], -f[1])):
        if kept and start < kept[-1][1]:
            continue  # inside (or across) a stretch already masked: the earlier, longer one wins
        kept.append((start, end, replacement))
    return kept


def _word(word: str, names: frozenset[str]) -> str:
    first = word[0]
    caseless = first.isalpha() and not first.islower()  # capitalised, or a script without case (CJK…)
    mixed = any(ch.isdigit() or ch == "_" for ch in word) and any(ch.isalpha() for ch in word)
    key = _fold(word)
    if caseless or mixed or key in names or key in _lexicon_keys():
        return _initial(word)
    return re.sub(r"\d", "#", word)


def mask_free_text(value: object, length: int = FREE_TEXT_LENGTH, names: Iterable[object] = ()) -> str | None:
    """Free text with every personal datum masked (see the module docstring), cut to `length` characters.

    `names`: the record's own name fields (first name, last name …), whose every word is masked wherever
    it stands, in any case.
    """
    if _missing(value):
        return None
    text = " ".join(_text(value).split())
    own = frozenset(_fold(w) for n in names if not _missing(n) for w in _WORD.findall(_text(n)))
    parts, at = [], 0
    for start, end, replacement in [*_spans(text), (len(text), len(text), "")]:
        gap = text[at:start]
        parts.append(_WORD.sub(lambda m: _word(m.group(), own), gap))
        parts.append(replacement)
        at = end
    text = "".join(parts)
    return text if len(text) <= length else text[: max(length - 1, 0)].rstrip() + "…"


def mask_token(value: object) -> str | None:
    """An encrypted token as ``enc:v1:…``; anything else is a secret shown as ``***``."""
    if _missing(value):
        return None
    text = _text(value)
    if not text:
        return ""
    return TOKEN if text.startswith(PREFIX) else STARS


def mask_secret(value: object) -> str | None:
    """Special-category values and other secrets: ``***`` (tokens stay recognisable)."""
    return mask_token(value)


def mask_identifier(value: object) -> str | None:
    """Online identifiers such as pseudonyms: their length only, ``***(32)``, since a hash can be reversed
    by hashing candidate values and even a prefix narrows the candidates."""
    if _missing(value):
        return None
    text = _text(value).strip()
    return f"{STARS}({len(text)})" if text else ""


def mask_plain(value: object, length: int = FREE_TEXT_LENGTH) -> str | None:
    """A value that identifies no one (a status, a country code), as text, cut to `length` characters."""
    if _missing(value):
        return None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    text = _text(value)
    return text if len(text) <= length else text[: length - 1] + "…"


MASKERS = {
    "email": mask_email,
    "phone": mask_phone,
    "bank_account": mask_iban,
    "iban": mask_iban,
    "national_id": mask_national_id,
    "card_number": mask_card_number,
    "name": mask_name,
    "date_of_birth": mask_date_of_birth,
    "free_text": mask_free_text,
    "postal_address": mask_free_text,
    "online_identifier": mask_identifier,
    "health": mask_secret,
    "special": mask_secret,
    "secret": mask_secret,
    "token": mask_token,
}


def mask_value(value: object, category: str | None, names: Iterable[object] = ()) -> str | None:
    """Mask a value by its personal-data category; tokens always show as ``enc:v1:…``.

    Categories in PLAIN (or None: no personal data) are shown as they are; an unknown category is masked
    as free text, the safe default. `names`: the record's own name fields, masked wherever free text
    mentions them.
    """
    if _missing(value):
        return None
    if isinstance(value, str) and value.startswith(PREFIX):
        return TOKEN
    if category in PLAIN:
        return mask_plain(value)
    masker = MASKERS.get(category, mask_free_text)
    return mask_free_text(value, names=names) if masker is mask_free_text else masker(value)
