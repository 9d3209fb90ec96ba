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

Building the lexicon reads the provider classes' attributes (no Faker instance, no randomness) but
imports 86 provider modules, about 0.2 s. So the full lexicon (no ``exclude``) ships precomputed in
``gdprlab/audit/discovery/name_lexicon.json`` (sorted word lists, the locales and the Faker version they came
from), read
in a few milliseconds; ``name_lexicon(exclude=...)`` with locales left out is still built from Faker. The
result is cached per ``exclude`` set. The same file holds ``dictionary_names()``, the lower-case given
names and surnames of ten locales with which gdprlab.audit.discovery.classify recognises a column of names.
After
upgrading Faker (or changing the rules here), regenerate the file with

    .venv/bin/python -m gdprlab.audit.discovery.name_lexicon

tests/test_textscan.py checks that the shipped file equals what the build produces.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

__all__ = ["CRM_LOCALES", "DICTIONARY_LOCALES", "HELD_OUT", "SHIPPED", "NameLexicon",
           "build_dictionary_names", "build_lexicon", "dictionary_names", "name_lexicon"]

#: the precomputed full lexicon (``python -m gdprlab.audit.discovery.name_lexicon`` writes it)
SHIPPED = Path(__file__).with_name("name_lexicon.json")

#: the eight locales the generator draws names from
CRM_LOCALES: tuple[str, ...] = ("de_DE", "fr_FR", "it_IT", "es_ES", "nl_NL", "pl_PL", "sv_SE", "pt_PT")
#: what the held-out measurement leaves out of the lexicon
HELD_OUT: frozenset[str] = frozenset(CRM_LOCALES)
#: locales whose name lists gdprlab.audit.discovery.classify uses as a dictionary of given names and surnames
DICTIONARY_LOCALES: tuple[str, ...] = ("en_US", "en_GB", "de_DE", "fr_FR", "it_IT", "es_ES", "nl_NL", "pl_PL",
                                       "sv_SE", "pt_PT")

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
    """Given names and surnames of all Faker locales except those in ``exclude``.

    The full lexicon is read from the shipped file (the same sets as ``build_lexicon()``); a lexicon
    with locales excluded is built from Faker.
    """
    data = _shipped() if not exclude else None
    if data is not None:
        return NameLexicon(frozenset(data["first"]), frozenset(data["last"]), tuple(data["locales"]))
    return build_lexicon(exclude)


@lru_cache(maxsize=1)
def _shipped() -> dict | None:
    """The shipped file, parsed once; None when it is missing (then everything is built from Faker)."""
    if not SHIPPED.is_file():
        return None
    return json.loads(SHIPPED.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def dictionary_names() -> tuple[frozenset[str], frozenset[str]]:
    """(given names, surnames), lower-case, that gdprlab.audit.discovery.classify uses to recognise a names
    column.

    Names of the ``DICTIONARY_LOCALES`` only, each list minus the other (a word that is both says
    nothing about which column it is in); read from the shipped file, the same as
    ``build_dictionary_names()``.
    """
    data = _shipped()
    if data is not None:
        return frozenset(data["dictionary"]["first"]), frozenset(data["dictionary"]["last"])
    return build_dictionary_names()


def build_dictionary_names() -> tuple[frozenset[str], frozenset[str]]:
    """``dictionary_names()`` built from Faker's person providers."""
    first: set[str] = set()
    last: set[str] = set()
    for loc in DICTIONARY_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{loc}").Provider
        first |= {n.lower() for n in getattr(provider, "first_names", ())}
        last |= {n.lower() for n in getattr(provider, "last_names", ())}
    return frozenset(first - last), frozenset(last - first)


def build_lexicon(exclude: frozenset[str] = frozenset()) -> NameLexicon:
    """Build the lexicon from Faker's person providers (what the shipped file is generated from)."""
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


def lexicon_json(lex: NameLexicon) -> str:
    """The shipped file's text: sorted word lists, one JSON document, stable across runs."""
    import faker

    first, last = build_dictionary_names()
    data = {"faker": faker.VERSION, "locales": list(lex.locales), "first": sorted(lex.first),
            "last": sorted(lex.last),
            "dictionary": {"locales": list(DICTIONARY_LOCALES), "first": sorted(first), "last": sorted(last)}}
    return json.dumps(data, ensure_ascii=False, indent=0) + "\n"


def main() -> None:
    """Regenerate gdprlab/audit/discovery/name_lexicon.json from the installed Faker."""
    lex = build_lexicon()
    SHIPPED.write_text(lexicon_json(lex), encoding="utf-8")
    _shipped.cache_clear()
    name_lexicon.cache_clear()
    dictionary_names.cache_clear()
    first, last = dictionary_names()
    print(f"wrote {SHIPPED}: {len(lex.first):,} given names, {len(lex.last):,} surnames, "
          f"{len(lex.locales)} locales; column dictionary {len(first):,} + {len(last):,}")


if __name__ == "__main__":
    main()
