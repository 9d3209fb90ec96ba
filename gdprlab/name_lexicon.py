"""A lexicon of given names and surnames for finding people's names in free text without an NLP model.

The names come from Faker's person providers of *every* locale it ships (86, from ``ar_AA`` to
``zu_ZA``), not only the eight CRM locales, so a German note mentioning a Finnish, Irish or Brazilian
colleague is still covered. Only Latin-script tokens are kept (the notes are in Latin-script
languages); multi-word entries ("María José", "van der Berg") are split into their capitalised words,
and lower-case particles ("van", "de", "dos") are left to the scanner's context rules.

``name_lexicon(exclude=...)`` leaves locales out. The synthetic notes draw their names from the eight
CRM locales' lists, so measuring recall with those lists in the lexicon is partly circular; the
benchmark therefore also measures with ``exclude=HELD_OUT`` (the eight locales removed), where a name
is found only if some *other* locale lists it or the context rules catch it.

Building the lexicon reads the provider classes' attributes (no Faker instance, no randomness) and
takes about a second the first time; the result is cached per ``exclude`` set.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import lru_cache
from typing import NamedTuple

__all__ = ["CRM_LOCALES", "HELD_OUT", "NameLexicon", "name_lexicon"]

#: the eight locales the generator draws names from
CRM_LOCALES: tuple[str, ...] = ("de_DE", "fr_FR", "it_IT", "es_ES", "nl_NL", "pl_PL", "sv_SE", "pt_PT")
#: what the held-out measurement leaves out of the lexicon
HELD_OUT: frozenset[str] = frozenset(CRM_LOCALES)

# A capitalised Latin-script word, optionally with an apostrophe part (O'Brien, D'Angelo).
_LATIN_WORD = re.compile(r"^[A-ZÀ-ÖØ-ÞĀ-ſ][A-Za-zÀ-ÖØ-öø-ÿĀ-ſ'’]*$")
_NAME_ATTR = re.compile(r"^(?:\w+_)?(first|last)_names(?:_\w+)?$")


class NameLexicon(NamedTuple):
    first: frozenset[str]  #: given names (each capitalised word of a Faker given name)
    last: frozenset[str]  #: surnames (each capitalised word of a Faker surname)
    locales: tuple[str, ...]  #: the locales they were drawn from


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        value = list(value)
    if isinstance(value, (tuple, list)) and all(isinstance(v, str) for v in value):
        return list(value)
    return []


def _words(name: str) -> list[str]:
    out = []
    for word in re.split(r"[\s\-]+", name.strip()):
        if len(word) >= 2 and _LATIN_WORD.match(word) and not word.isupper():
            out.append(word)
    return out


def _locale_names(locale: str) -> tuple[set[str], set[str]]:
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    first: set[str] = set()
    last: set[str] = set()
    for cls in provider.__mro__:
        if cls.__module__ == "faker.providers.person":  # the generic base provider's tiny defaults
            continue
        for attr, value in vars(cls).items():
            m = _NAME_ATTR.match(attr)
            if not m:
                continue
            target = first if m.group(1) == "first" else last
            for name in _strings(value):
                target.update(_words(name))
    return first, last


def available_locales() -> tuple[str, ...]:
    import faker.providers.person as person

    return tuple(sorted(m.name for m in pkgutil.iter_modules(person.__path__) if m.ispkg))


@lru_cache(maxsize=8)
def name_lexicon(exclude: frozenset[str] = frozenset()) -> NameLexicon:
    """Given names and surnames of all Faker locales except those in ``exclude``."""
    first: set[str] = set()
    last: set[str] = set()
    used = []
    for locale in available_locales():
        if locale in exclude:
            continue
        f, la = _locale_names(locale)
        if f or la:
            used.append(locale)
        first |= f
        last |= la
    return NameLexicon(frozenset(first), frozenset(last), tuple(used))
