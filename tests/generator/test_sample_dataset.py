"""The committed sample dataset is exactly what its documented command generates."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pandas as pd

from gdprlab.cli.main import main
from gdprlab.regulation.catalogue import RULES

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "datasets" / "sample"


def _documented_command() -> list[str]:
    text = (ROOT / "datasets" / "README.md").read_text(encoding="utf-8")
    line = re.search(r"gdprlab generate datasets/sample .*", text).group(0)
    return shlex.split(line)[1:]


def test_the_sample_is_regenerated_byte_for_byte(tmp_path):
    args = _documented_command()
    args[args.index("datasets/sample")] = str(tmp_path / "sample")
    assert main([*args, "--quiet"]) == 0
    for committed in sorted(SAMPLE.iterdir()):
        fresh = tmp_path / "sample" / committed.name
        if committed.name == "manifest.json":
            old, new = json.loads(committed.read_text()), json.loads(fresh.read_text())
            old.pop("library_versions"), new.pop("library_versions")
            assert old == new
        else:
            assert committed.read_bytes() == fresh.read_bytes(), committed.name


def test_the_sample_has_about_2000_contacts_and_typical_violations():
    manifest = json.loads((SAMPLE / "manifest.json").read_text())
    assert manifest["parameters"]["contacts"] == 2000 and manifest["parameters"]["profile"] == "typical"
    truth = pd.read_csv(SAMPLE / "ground_truth.csv")
    assert truth["rule_id"].nunique() == len(RULES)
