"""gdprlab.regulation.articles: official titles and the paragraph/point structure of the 99 GDPR articles."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from gdprlab.regulation import articles
from gdprlab.regulation.catalogue import RULES

REALDATA = Path(__file__).resolve().parents[3] / "shared" / "realdata"

# The two transcriptions in ../shared/realdata/gdpr_articles.csv (CommonAccord, MIT Media Lab's
# Consent-HackDay table of contents) disagree in wording on 8 titles; the official title (OJ L 119,
# 4.5.2016) is kept, with the reason.
WORDING_DISAGREEMENTS: dict[int, tuple[str, str]] = {
    5: (
        "Principles relating to processing of personal data",
        "the ToC paraphrases ('personal data processing')",
    ),
    10: (
        "Processing of personal data relating to criminal convictions and offences",
        "the ToC drops 'personal'",
    ),
    27: (
        "Representatives of controllers or processors not established in the Union",
        "the ToC drops 'or processors' (Art. 27(1) covers both, see ../shared/realdata/README.md)",
    ),
    44: ("General principle for transfers", "the ToC has 'General Principle for transfer'"),
    45: ("Transfers on the basis of an adequacy decision", "the ToC has the typo 'of the basis'"),
    60: (
        "Cooperation between the lead supervisory authority and the other supervisory authorities concerned",
        "CommonAccord lacks 'the' before 'other'",
    ),
    86: ("Processing and public access to official documents", "the ToC has the typo 'offical'"),
    99: ("Entry into force and application", "the ToC has the typo 'intro'"),
}
# They also differ, without changing a word, in hyphenation (Art. 1 "Subject-matter", the official
# spelling), capitalisation (the ToC capitalises e.g. "Prior Consultation", "union law"; CommonAccord writes
# Art. 51 as "supervisory authority") and a no-break space (Art. 18). The official title is in sentence
# case with "Union" capitalised.
SPELLING_DIFFERENCES: dict[int, str] = {
    1: "Subject-matter and objectives",
    18: "Right to restriction of processing",
    36: "Prior consultation",
    40: "Codes of conduct",
    43: "Certification bodies",
    48: "Transfers or disclosures not authorised by Union law",
    51: "Supervisory authority",
    54: "Rules on the establishment of the supervisory authority",
    59: "Activity reports",
    61: "Mutual assistance",
    66: "Urgency procedure",
    97: "Commission reports",
    98: "Review of other Union legal acts on data protection",
}


def _realdata(name: str) -> Path:
    path = REALDATA / name
    if not path.exists():
        pytest.skip(f"{path} not found (../shared/realdata is absent outside the team's machines)")
    return path


def _words(title: str) -> list[str]:
    return title.replace("-", " ").lower().split()


# ------------------------------------------------------------------------------------------- titles
def test_ninety_nine_titles():
    table = articles.articles()
    assert sorted(table) == list(range(1, 100))
    for n, art in table.items():
        assert art.title == articles.title(n)
        assert art.title == art.title.strip() and art.title[0].isupper(), n
        assert "\xa0" not in art.title and "  " not in art.title, n


def test_known_titles():
    assert articles.title(6) == "Lawfulness of processing"
    assert articles.title(17) == "Right to erasure ('right to be forgotten')"
    assert articles.title(27) == "Representatives of controllers or processors not established in the Union"
    assert articles.title(33) == "Notification of a personal data breach to the supervisory authority"
    assert articles.title(99) == "Entry into force and application"
    with pytest.raises(KeyError, match="1 to 99"):
        articles.title(100)


def test_titles_match_the_transcriptions():
    rows = list(csv.DictReader(_realdata("gdpr_articles.csv").open(encoding="utf-8")))
    assert [int(r["article"]) for r in rows] == list(range(1, 100))
    wording, spelling = [], []
    for r in rows:
        n = int(r["article"])
        a, b = r["title_commonaccord"], r["title_mitmedialab_toc"]
        ours = articles.title(n)
        if a == b:
            assert ours == a, n
        elif _words(a) == _words(b):
            spelling.append(n)
            assert _words(ours) == _words(a), n
            assert ours == SPELLING_DIFFERENCES[n], n
        else:
            wording.append(n)
            assert ours in (a, b.replace("\xa0", " ")), n  # one of them has it right
            assert ours == WORDING_DISAGREEMENTS[n][0], n
    assert wording == sorted(WORDING_DISAGREEMENTS), "the 8 disagreements in wording changed"
    assert spelling == sorted(SPELLING_DIFFERENCES)


def test_art27_title_as_in_the_readme():
    readme = _realdata("README.md").read_text(encoding="utf-8")
    assert f'"{articles.title(27)}"' in readme


# ---------------------------------------------------------------------------------------- existence
@pytest.mark.parametrize(
    "ref",
    [
        "5(1)(e)",
        "33(1)",
        "4(11)",
        "12",
        "6(1)(a)",
        "6(1)(f)",
        "7(3)",
        "9(2)(j)",
        "4(26)",
        "4(16)(b)",
        "50(a)",
        "50(d)",
        "57(1)(v)",
        "70(1)(y)",
        "83(5)(e)",
        "99(2)",
        "16",
        "1",
    ],
)
def test_exists(ref):
    assert articles.exists(ref), articles.why_not(ref)


@pytest.mark.parametrize(
    ("ref", "reason"),
    [
        ("100", "not an article reference"),  # three digits are not a reference at all
        ("0", "articles 1 to 99"),
        ("6(1)(g)", r"points \(a\) to \(f\)"),
        ("6(5)", "paragraphs 1 to 4"),
        ("4(27)", "paragraphs 1 to 26"),
        ("16(1)", "no numbered paragraphs"),
        ("67(1)", "no numbered paragraphs"),
        ("7(3)(a)", "no lettered points"),
        ("5(a)", "name the paragraph"),
        ("50(e)", r"points \(a\) to \(d\)"),
        ("Art. 5", "not an article reference"),
        ("5(1)(E)", "not an article reference"),
    ],
)
def test_does_not_exist(ref, reason):
    assert not articles.exists(ref)
    assert re.search(reason, articles.why_not(ref)), articles.why_not(ref)


def test_every_rule_cites_existing_articles():
    for rule in RULES:
        for ref in rule.articles:
            assert articles.exists(ref), (rule.id, ref, articles.why_not(ref))


def test_cite():
    assert articles.cite("7(3)") == "Art. 7(3) (Conditions for consent)"


# ---------------------------------------------------------------------------------------- structure
# How the CommonAccord JSON keys paragraphs: "1", "2" ... numbered paragraphs; "1.0" the lead-in of a list,
# "1.1", "1.2" ... its points (a), (b) ...; "1.00" a subparagraph after the points; "1.7.1"/"1.7.2" a point
# and a following subparagraph; "0" a lead-in before everything (Art. 4, 50); {} an unnumbered article.
# Where that keying does not follow the Regulation, the shipped structure is the Regulation's:
JSON_KEYING_EXCEPTIONS = {
    4: "the definitions (1)-(26) are keyed as paragraphs, which is also how '4(11)' reads them",
    45: "keys 5.1 and 5.2 are the two subparagraphs of Art. 45(5), not points",
    50: "the article is unnumbered; keys 1-4 after the lead-in '0' are its points (a)-(d)",
    53: "keys 1.1-1.4 are dashed indents ('– their parliament;'), not lettered points",
    67: "the article is two unnumbered subparagraphs, keyed 1 and 2",
}


def _structure_from_json(paragraphs: dict[str, str]) -> tuple[int, dict[int, int]]:
    numbered: set[int] = set()
    points: dict[int, set[int]] = {}
    for key, text in paragraphs.items():
        if key == "0":
            continue
        parts = key.split(".")
        para = int(parts[0])
        numbered.add(para)
        if len(parts) > 1 and parts[1] not in ("0", "00") and not text.startswith("–"):
            points.setdefault(para, set()).add(int(parts[1]))
    assert numbered == set(range(1, len(numbered) + 1))
    for found in points.values():
        assert found == set(range(1, len(found) + 1))
    return len(numbered), {p: len(found) for p, found in points.items()}


def test_structure_matches_the_commonaccord_text():
    data = json.loads(_realdata("gdpr_articles_commonaccord.json").read_text(encoding="utf-8"))
    assert [a["article"] for a in data] == list(range(1, 100))
    by_number = {a["article"]: a for a in data}
    for n, art in articles.articles().items():
        paragraphs, points = _structure_from_json(by_number[n]["paragraphs"])
        if n in (50, 67):
            assert art.paragraphs == 0, n
            assert art.points == ({0: paragraphs} if n == 50 else {}), n
        elif n == 45:
            assert (paragraphs, points) == (9, {2: 3, 5: 2})
            assert (art.paragraphs, art.points) == (9, {2: 3})
        else:
            assert (art.paragraphs, art.points) == (paragraphs, points), (n, JSON_KEYING_EXCEPTIONS.get(n))
    assert by_number[53]["paragraphs"]["1.1"].startswith("–")
    assert by_number[45]["paragraphs"]["5.2"].startswith("On duly justified imperative grounds of urgency")
    assert by_number[50]["paragraphs"]["0"].endswith("take appropriate steps to:")


def test_structure_spot_checks():
    """A few counts known from the Regulation itself, independent of any transcription."""
    table = articles.articles()
    assert table[5].paragraphs == 2 and table[5].points == {1: 6}  # 5(1)(a)-(f)
    assert table[6].points == {1: 6, 3: 2, 4: 5}
    assert table[9].points == {2: 10}  # 9(2)(a)-(j)
    assert table[4].paragraphs == 26  # 26 definitions
    assert table[17].points == {1: 6, 3: 5}
    assert table[33].paragraphs == 5 and table[33].points == {3: 4}
    assert table[83].points == {2: 11, 4: 3, 5: 5}
    unnumbered = {n for n, a in table.items() if a.paragraphs == 0}
    assert unnumbered == {10, 16, 19, 29, 31, 44, 48, 50, 59, 63, 67, 86, 87, 95, 96, 98}
