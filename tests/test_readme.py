"""The README's counts and figures are the project's own: each count is computed here, each benchmark figure
rendered from the benchmarks' JSON, and must match what the README says."""

import re
import subprocess
import sys
from pathlib import Path

from gdprlab.regulation.catalogue import RULES
from gdprlab.training.quiz import load_banks

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_the_number_of_quiz_questions_is_the_banks_own():
    banks = load_banks()
    total = sum(len(b.questions) for b in banks.values())
    per_bank = {len(b.questions) for b in banks.values()}
    said = re.search(r"(\d+) questions, (\d+)(?: to (\d+))? per lesson bank", README)
    assert said, "the README no longer says how many questions the banks hold"
    assert int(said.group(1)) == total
    assert (min(per_bank), max(per_bank)) == (int(said.group(2)), int(said.group(3) or said.group(2)))


def test_every_rule_count_in_the_readme_is_the_catalogues():
    said = [int(n) for n in re.findall(r"(\d+) rules\b", README)]
    assert said and set(said) == {len(RULES)}, (said, len(RULES))


def test_the_rule_table_lists_every_rule_with_its_concern_and_articles():
    rows = re.findall(r"^\| ([a-z ]+) \| ([a-z0-9_]+) \| ([^|]+) \|$", README, re.M)
    table = {rule: (concern, articles.strip()) for concern, rule, articles in rows if "_" in rule}
    expected = {r.id: (r.concern.replace("_", " "), ", ".join(r.articles)) for r in RULES}
    assert table == expected


def test_the_benchmark_figures_are_those_of_the_committed_json():
    """Every block between benchmark markers is what benchmarks/readme_figures.py renders from the JSON in
    benchmarks/out/: no figure typed, none left behind when a result is measured again."""
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, str(root / "benchmarks" / "readme_figures.py"), "--check"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_notes_checked_in_the_background_are_bounded_as_the_rule_bounds_them():
    from gdprlab.audit.rules.encryption import NOTES_KEPT

    assert f"when there are at most {NOTES_KEPT:,} such notes" in README.replace("\n", " ")
