"""benchmarks/peers.py: its inputs and scoring are right, and without --install-peers it skips the peers."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "peers.py"


@pytest.fixture(scope="module")
def peers():
    spec = importlib.util.spec_from_file_location("peers_benchmark", PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_planted_spans_point_at_the_values(peers):
    planted = peers.planted_identifiers(2)
    assert len(planted.texts) == 8 * 2 * 2 * 3  # countries x values x kinds x formats
    for text, kind, (s, e) in zip(planted.texts, planted.kinds, planted.spans, strict=True):
        value = text[s:e]
        assert value[:2].isalpha() if kind == "iban" else value[-1].isdigit()


def test_recall_counts_covering_findings_of_the_right_kind(peers):
    planted = peers.Planted(["tel +49 1 in", "IBAN DE00 here"], ["phone", "iban"], ["e164", "spaces"],
                            [(4, 9), (5, 9)])
    table = peers.recall(planted, [(0, "phone", 0, 12), (1, "phone", 5, 9)])
    assert table.loc[("phone", "all"), "found"] == 1 and table.loc[("phone", "all"), "exact"] == 0
    assert table.loc[("iban", "all"), "found"] == 0
    assert peers.overall_recall(table) == 0.5


def test_runs_without_peers_and_says_they_are_skipped(peers, capsys):
    peers.main(["--rows", "1500", "--notes", "300", "--structured-rows", "200", "--planted", "2"])
    out = capsys.readouterr().out
    assert out.count("skipped: peers not installed") == 3
    assert "QUOTED in the issue" in out and "not measured here" in out
    compile(peers.PEER_RUNNER, "peer_runner.py", "exec")
