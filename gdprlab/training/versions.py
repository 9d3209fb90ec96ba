"""Content versions: each lesson's changelog, the question bank of each version, which changes are material.

The rules change (a judgment, a new guideline, a new law), and so do the lessons; a learner who passed the
earlier content has not learnt the new one. Each lesson (notebook and question bank together) therefore has
a numbered version and a changelog, kept as data in ``gdprlab/training/content/changelog.yaml``
(schema ``gdprlab-changelog/1``)::

    schema: gdprlab-changelog/1
    lessons:
      02_permission:
        - version: 1
          date: 2026-12-06           # when this version was published
          bank_version: 7a04df58b1fc # gdprlab.training.quiz.bank_version of the bank at this version
          material: false            # true: who passed an earlier version is due again
          changes: "What changed, in a sentence or two (shown to learners and in progress overdue)."

The last entry of a lesson is its current version and names the packaged bank's version (a test checks it:
editing a bank without a changelog entry fails). Every earlier entry's bank is kept in
``content/archive/<bank_version>/<lesson>.yaml`` (:func:`archive_bank`), so that an attempt made on an
earlier version can still be re-graded (:mod:`gdprlab.training.grading`); the grader knows exactly the bank
versions this changelog lists.

A change marked ``material`` makes every learner whose pass predates it due again: the pass stays current for
``content_update_days`` after the change's date (:class:`gdprlab.training.status.Requirements`, default 30)
and is then overdue with the reason "content updated" (:func:`Changelog.uncovered`). A pass is "earlier"
when its bank version belongs to an earlier version; a pass on a bank version the changelog does not list
(made before versions were kept) counts as earlier when it was made before the change's date.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import yaml

from gdprlab.training.quiz import Bank, bank_version, load_bank, load_banks

__all__ = ["SCHEMA", "Change", "Changelog", "ChangelogError", "archive_bank", "archive_folder",
           "changelog_path", "known_banks", "load_changelog", "packaged_changelog", "what_changed"]

SCHEMA = "gdprlab-changelog/1"
_KEYS = {"version", "date", "bank_version", "material", "changes"}


class ChangelogError(ValueError):
    """A changelog that cannot be used (the message names the file, lesson and entry)."""


@dataclass(frozen=True)
class Change:
    """One version of one lesson."""

    lesson: str
    version: int
    date: dt.date
    bank_version: str
    material: bool
    changes: str

    def describe(self) -> str:
        """``version 2 of 2026-12-06: <changes>``"""
        return f"version {self.version} of {self.date.isoformat()}: {self.changes}"


@dataclass(frozen=True)
class Changelog:
    """Every lesson's versions, oldest first."""

    lessons: Mapping[str, tuple[Change, ...]]

    def current(self, lesson: str) -> Change | None:
        """The lesson's current version (None: the lesson has no changelog)."""
        entries = self.lessons.get(lesson, ())
        return entries[-1] if entries else None

    def version_of(self, lesson: str, bank: str) -> Change | None:
        """The version whose bank is ``bank`` (a bank version), None when the changelog does not list it."""
        return next((c for c in self.lessons.get(lesson, ()) if c.bank_version == bank), None)

    def uncovered(self, lesson: str, bank: str, passed_on: dt.date,
                  until: dt.date | None = None) -> Change | None:
        """The latest material change (published on or before ``until``, default: any) that a pass on bank
        version ``bank`` on ``passed_on`` predates (None: the pass covers the content of that day)."""
        mine = self.version_of(lesson, bank)
        for change in reversed(self.lessons.get(lesson, ())):
            if not change.material or (until is not None and change.date > until):
                continue
            if (change.version > mine.version) if mine is not None else (change.date > passed_on):
                return change
            return None
        return None

    def since(self, lesson: str, bank: str) -> tuple[Change, ...]:
        """What changed after the version of bank version ``bank`` (every version when it is unknown):
        what a learner who passed on it has not seen."""
        mine = self.version_of(lesson, bank)
        return tuple(c for c in self.lessons.get(lesson, ()) if mine is None or c.version > mine.version)


def what_changed(lesson: str, bank: str | None, changelog: Changelog | None = None) -> str:
    """Markdown for the top of a lesson or its quiz: what changed since the version of bank version ``bank``
    (the learner's last pass; None: show the current version only), material changes marked; the texts
    escaped for Markdown."""
    log = changelog or packaged_changelog()
    current = log.current(lesson)
    if current is None:
        return ""
    head = f"**Version {current.version}** of this lesson ({current.date.isoformat()})."
    changes = log.since(lesson, bank) if bank is not None else ()
    if not changes:
        return head
    from gdprlab.crm.shown import md

    retake = " **material: take the quiz again**"
    lines = [f"- version {c.version} ({c.date.isoformat()}){retake if c.material else ''}: {md(c.changes)}"
             for c in changes]
    return "\n".join([head + " What changed since you last passed it:", *lines])


def _content() -> Path:
    return Path(str(resources.files("gdprlab.training").joinpath("content")))


def changelog_path() -> Path:
    """The packaged changelog."""
    return _content() / "changelog.yaml"


def archive_folder() -> Path:
    """The packaged archive of superseded banks (``<bank_version>/<lesson>.yaml``)."""
    return _content() / "archive"


def _change(source: str, lesson: str, n: int, raw: object) -> Change:
    where = f"{source}: lesson {lesson}, entry {n + 1}"
    if not isinstance(raw, dict):
        raise ChangelogError(f"{where}: must be a mapping with {', '.join(sorted(_KEYS))}")
    missing, unknown = _KEYS - set(raw), set(raw) - _KEYS
    if missing or unknown:
        raise ChangelogError(f"{where}: " + "; ".join(
            ([f"missing {', '.join(sorted(missing))}"] if missing else [])
            + ([f"unknown {', '.join(sorted(map(str, unknown)))}"] if unknown else [])))
    version, date, bank, material, changes = (raw[k] for k in ("version", "date", "bank_version", "material",
                                                              "changes"))
    if isinstance(version, bool) or not isinstance(version, int) or version != n + 1:
        raise ChangelogError(f"{where}: version must be {n + 1} (versions count 1, 2, 3 … oldest first)")
    if not isinstance(date, dt.date):
        raise ChangelogError(f"{where}: date must be a date YYYY-MM-DD, got {date!r}")
    if not isinstance(bank, str) or not bank.strip():
        raise ChangelogError(f"{where}: bank_version must be the bank's version (quiz.bank_version)")
    if not isinstance(material, bool):
        raise ChangelogError(f"{where}: material must be true or false")
    if not isinstance(changes, str) or not changes.strip():
        raise ChangelogError(f"{where}: changes must say what changed")
    return Change(lesson, version, date, bank, material, " ".join(changes.split()))


def load_changelog(path: str | Path | None = None) -> Changelog:
    """Read and check a changelog (default: the packaged one); a broken file is a ChangelogError."""
    path = Path(path) if path is not None else changelog_path()
    source = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ChangelogError(f"{source}: cannot be read: {error}") from None
    if (not isinstance(data, dict) or data.get("schema") != SCHEMA
            or not isinstance(data.get("lessons"), dict)):
        raise ChangelogError(f"{source}: expected schema: {SCHEMA} and a mapping 'lessons'")
    lessons: dict[str, tuple[Change, ...]] = {}
    for lesson, entries in data["lessons"].items():
        if not isinstance(entries, list) or not entries:
            raise ChangelogError(f"{source}: lesson {lesson}: must list at least one version")
        changes = tuple(_change(source, str(lesson), n, raw) for n, raw in enumerate(entries))
        if any(b.date < a.date for a, b in zip(changes, changes[1:], strict=False)):
            raise ChangelogError(f"{source}: lesson {lesson}: versions must be in date order")
        lessons[str(lesson)] = changes
    return Changelog(lessons)


@functools.cache
def packaged_changelog() -> Changelog:
    """The packaged changelog, read once."""
    return load_changelog()


def archive_bank(bank: Bank, folder: str | Path | None = None) -> Path:
    """Keep ``bank`` in the archive (before changing it, so that attempts on it can still be re-graded);
    returns the file written."""
    from gdprlab.crm.files import write_atomic

    folder = Path(folder) if folder is not None else archive_folder()
    path = folder / bank_version(bank) / f"{bank.lesson}.yaml"
    text = yaml.safe_dump(bank.to_dict(), sort_keys=False, allow_unicode=True, width=110)
    return write_atomic(path, text, mode=0o644)


def archived_banks(folder: str | Path | None = None) -> dict[str, Bank]:
    """Every archived bank, by bank version (checked: a file whose content is not its folder's version is
    a ChangelogError, so the archive cannot be edited into a different key)."""
    folder = Path(folder) if folder is not None else archive_folder()
    found = {}
    for path in sorted(folder.glob("*/*.yaml")) if folder.is_dir() else []:
        bank = load_bank(path)
        if bank_version(bank) != path.parent.name:
            raise ChangelogError(f"{path}: its content is bank version {bank_version(bank)}, not "
                                 f"{path.parent.name} (archived banks are never edited)")
        found[path.parent.name] = bank
    return found


@functools.cache
def known_banks() -> dict[str, Bank]:
    """The banks a grader knows, by bank version: the versions the packaged changelog lists, from the
    packaged banks (current versions) and the archive (earlier ones)."""
    listed = {(c.lesson, c.bank_version)
              for changes in packaged_changelog().lessons.values() for c in changes}
    banks = {bank_version(b): b for b in load_banks().values()} | archived_banks()
    return {version: bank for version, bank in banks.items() if (bank.lesson, version) in listed}
