"""The finders against the generator's ground truth, rule by rule, on small generated datasets.

Each dataset is generated, written to disk, read back with read_dataset and checked with find_violations;
a failure lists per rule the planted record ids the finder missed and the ones it found in excess. The
finders follow the rule definitions; where the ground truth departs from a definition, that is a
generator bug, recorded below as a strict xfail so that the test flags the day it is fixed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from gdprlab.audit.engine import find_violations
from gdprlab.crm.io import read_as_of, read_dataset, read_policy
from gdprlab.generator import GeneratorConfig, generate, write_dataset
from gdprlab.regulation.catalogue import RULES

AS_OF = dt.date(2026, 6, 30)
CONTACTS = 3000
#: (profile, seed, format): both formats are read back, each with its own seed
DATASETS = [(profile, seed, fmt) for profile in ("clean", "typical", "messy")
            for seed, fmt in ((1, "csv"), (2, "parquet"))]
#: generator bugs: planted records that do not violate the rule as defined
KNOWN_BUGS: dict[tuple, str] = {}


def _name(*parts: object) -> str:
    return "-".join(map(str, parts))


def _cases() -> list:
    cases = []
    for dataset in DATASETS:
        for rule in RULES:
            reason = KNOWN_BUGS.get((dataset, rule.id))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(pytest.param(dataset, rule.id, marks=marks, id=_name(*dataset, rule.id)))
    return cases


Result = tuple[pd.DataFrame, pd.DataFrame]


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> Callable[[tuple[str, int, str]], Result]:
    """(findings, ground truth) of a dataset, generated and checked once per module."""
    cache: dict[tuple[str, int, str], Result] = {}

    def get(key: tuple[str, int, str]) -> Result:
        if key not in cache:
            profile, seed, fmt = key
            folder = tmp_path_factory.mktemp(f"{profile}-{seed}-{fmt}") / "dataset"
            cfg = GeneratorConfig(contacts=CONTACTS, seed=seed, as_of=AS_OF, profile=profile, format=fmt)
            write_dataset(generate(cfg), folder)
            found = find_violations(read_dataset(folder), read_policy(folder), read_as_of(folder))
            cache[key] = found, _ground_truth(folder)
        return cache[key]

    return get


def _ground_truth(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "ground_truth.csv", dtype=str, keep_default_na=False)


def _ids(frame: pd.DataFrame, rule_id: str) -> set[str]:
    return set(frame.loc[frame["rule_id"] == rule_id, "record_id"])


@pytest.mark.parametrize("dataset", [d for d in DATASETS if d[0] == "clean"], ids=lambda d: _name(*d))
def test_clean_data_has_no_findings(checked, dataset):
    found, truth = checked(dataset)
    assert truth.empty
    assert found.empty, found.groupby("rule_id")["record_id"].apply(lambda s: sorted(s)[:5]).to_dict()


@pytest.mark.parametrize(("dataset", "rule_id"), _cases())
def test_findings_match_the_ground_truth(checked, dataset, rule_id):
    found, truth = checked(dataset)
    found_ids, true_ids = _ids(found, rule_id), _ids(truth, rule_id)
    missed, extra = sorted(true_ids - found_ids), sorted(found_ids - true_ids)
    assert not missed and not extra, (
        f"{rule_id} on {dataset}: {len(missed)} missed {missed[:10]}, {len(extra)} extra {extra[:10]}")


def test_findings_come_sorted_like_the_ground_truth(checked):
    found, truth = checked(("messy", 1, "csv"))
    assert list(found.columns) == list(truth.columns)
    assert found.values.tolist() == truth.values.tolist()
