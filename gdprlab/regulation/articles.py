"""The 99 articles of the GDPR (Regulation (EU) 2016/679): official titles and structure.

`gdpr_articles.csv` (package data) has one row per article: `number`, `title` (the official English title
as published in the Official Journal, OJ L 119, 4.5.2016), `paragraphs` (how many numbered paragraphs;
0 for an article whose text is not divided into numbered paragraphs, e.g. Art. 16) and `points` (the
lettered points per paragraph, as space-separated `paragraph:count`, e.g. `1:6 3:2 4:5` for Art. 6, whose
paragraph 1 has points (a)-(f); paragraph `0` stands for an unnumbered article, e.g. `0:4` for
Art. 50(a)-(d)).

Art. 4 is the one article whose items are numbered definitions (1)-(26) rather than paragraphs; a
reference such as "4(11)" (the definition of consent) reads them as paragraphs, and the points of
definitions (16), (22) and (23) as their points. Dashed indents (Art. 53(1)) and subparagraphs are not
points.

Where two public transcriptions of the titles disagree, the official wording is used (see
tests/test_articles.py for each case).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from gdprlab.regulation.catalogue import parse_article

N_ARTICLES = 99


@dataclass(frozen=True)
class Article:
    number: int
    title: str
    paragraphs: int  # numbered paragraphs (0: the article is one unnumbered block)
    points: dict[int, int]  # paragraph (0 for an unnumbered article) -> number of lettered points


def _parse_points(text: str) -> dict[int, int]:
    out: dict[int, int] = {}
    for item in text.split():
        para, count = item.split(":")
        out[int(para)] = int(count)
    return out


@cache
def articles() -> dict[int, Article]:
    """All 99 articles by number, read from the packaged CSV."""
    text = resources.files("gdprlab.regulation").joinpath("gdpr_articles.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    out = {
        int(r["number"]): Article(
            int(r["number"]), r["title"], int(r["paragraphs"]), _parse_points(r["points"])
        )
        for r in rows
    }
    if sorted(out) != list(range(1, N_ARTICLES + 1)):
        raise RuntimeError("gdpr_articles.csv must list articles 1 to 99 exactly once")
    return out


def title(article: int) -> str:
    """Official title of an article, e.g. title(17) == "Right to erasure ('right to be forgotten')"."""
    try:
        return articles()[int(article)].title
    except KeyError:
        raise KeyError(f"the GDPR has articles 1 to {N_ARTICLES}, not {article!r}") from None


def _point_index(point: str) -> int:
    return ord(point) - ord("a") + 1


def why_not(ref: str) -> str | None:
    """None when `ref` ("5(1)(e)", "4(11)", "12", "50(a)") names a provision of the GDPR, else why not."""
    try:
        number, para, point = parse_article(ref)
    except ValueError as e:
        return str(e)
    art = articles().get(number)
    if art is None:
        return f"Art. {number} does not exist (the GDPR has articles 1 to {N_ARTICLES})"
    if para is not None:
        if art.paragraphs == 0:
            return f"Art. {number} ({art.title}) has no numbered paragraphs"
        if not 1 <= para <= art.paragraphs:
            return f"Art. {number} ({art.title}) has paragraphs 1 to {art.paragraphs}, not {para}"
    if point is not None:
        n_points = art.points.get(para or 0, 0)
        where = f"Art. {number}({para})" if para is not None else f"Art. {number}"
        if n_points == 0:
            if para is None and art.paragraphs:
                return f"{where} has numbered paragraphs; name the paragraph before the point"
            return f"{where} has no lettered points"
        if _point_index(point) > n_points:
            last = chr(ord("a") + n_points - 1)
            return f"{where} has points (a) to ({last}), not ({point})"
    return None


def exists(ref: str) -> bool:
    """Whether `ref` names an existing article, paragraph and point: exists("6(1)(f)"), not "6(1)(g)"."""
    return why_not(ref) is None


def cite(ref: str) -> str:
    """`Art. 7(3) (Conditions for consent)`: a reference with its article's title."""
    number, _, _ = parse_article(ref)
    return f"Art. {ref} ({title(number)})"
