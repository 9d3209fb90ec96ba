"""The rule catalogue as an auditor reads it: one card per rule (`gdprlab rules`, docs/rules.md).

A card gives the rule's title, id, concern, severity and table, its articles with their official titles
(gdprlab.regulation.articles), the definition, what the rule does not call a violation, the remediation
and the sources it follows. `markdown(rules)` renders cards as Markdown, every text from the catalogue
escaped so that a pipe, backtick, asterisk or bracket in it is shown as written; `text(rules)` is the
short listing, one rule in two lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from gdprlab.regulation.articles import cite
from gdprlab.regulation.catalogue import Rule

#: characters Markdown would read as markup inside a line (a table cell, emphasis, a link, code, HTML)
_MARKUP = re.compile(r"([\\`*_\[\]<>|#~&])")
HEADER = ("# gdprlab's rules\n\nOne card per rule of the catalogue (gdprlab/regulation/rules.yaml), "
          "written by `gdprlab rules --format markdown`.\n")


def escape(value: str) -> str:
    """Text shown as written in Markdown: markup characters backslash-escaped, lines joined."""
    return _MARKUP.sub(r"\\\1", " ".join(value.split()))


def code(value: str) -> str:
    """A code span that holds any text, backticks included (the fence is longer than any run inside)."""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", value)), default=0) + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def card(rule: Rule) -> str:
    """One rule's card in Markdown; a section whose text the catalogue does not hold yet is left out."""
    unit = ", one finding per column" if rule.unit == "column" else ""
    lines = [
        f"## {escape(rule.title)}",
        "",
        f"{code(rule.id)} · concern: {escape(rule.concern)} · severity: {escape(rule.severity)} · table: "
        f"{code(rule.table)}{unit}",
        "",
        "**Articles**",
        "",
        *(f"- {escape(cite(ref))}" for ref in rule.articles),
        "",
        f"**Definition.** {escape(rule.definition)}",
        "",
    ]
    if rule.not_a_violation.strip():
        lines += [f"**Not a violation.** {escape(rule.not_a_violation)}", ""]
    lines += [f"**Remediation.** {escape(rule.remediation)}", ""]
    if rule.sources:
        lines += ["**Sources**", "", *(f"- {escape(source)}" for source in rule.sources), ""]
    return "\n".join(lines)


def markdown(rules: Iterable[Rule]) -> str:
    """The cards of these rules, in their order, under one heading."""
    return "\n".join([HEADER, *(card(r) for r in rules)]).rstrip("\n") + "\n"


def text(rules: Iterable[Rule]) -> str:
    """One rule in two lines: id, concern, severity, articles; then its title."""
    return "\n".join(f"{r.id:<38} {r.concern:<15} {r.severity:<9} Art. {', '.join(r.articles)}\n    {r.title}"
                     for r in rules)
