"""Precision and recall of every check on generated datasets of every profile and several seeds.

Run:  .venv/bin/python benchmarks/check_quality.py [--contacts 3000] [--seeds 1 2 3]

Each dataset is written to a temporary folder and read back, as an auditor's run would, then checked;
findings are compared with the dataset's ground_truth.csv record by record. Target: P = R = 1.0 for every
rule (a rule with nothing planted and nothing found counts as exact).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from pathlib import Path

import pandas as pd

from gdprlab.audit.engine import run_checks
from gdprlab.audit.evaluate import evaluate
from gdprlab.crm.io import read_as_of, read_dataset, read_policy
from gdprlab.generator import GeneratorConfig, generate, write_dataset

PROFILES = ("clean", "typical", "messy")


def one_run(profile: str, seed: int, contacts: int, fmt: str, root: Path) -> pd.DataFrame:
    cfg = GeneratorConfig(
        contacts=contacts, seed=seed, profile=profile, format=fmt, as_of=dt.date(2026, 11, 1)
    )
    folder = write_dataset(generate(cfg), root / f"{profile}-{seed}-{fmt}")
    assessment = run_checks(read_dataset(folder), read_policy(folder), read_as_of(folder))
    frame = evaluate(assessment, pd.read_csv(folder / "ground_truth.csv", dtype=str))
    return frame.assign(profile=profile, seed=seed, format=fmt)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=3000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        runs = [
            one_run(p, s, args.contacts, "parquet" if s % 2 == 0 else "csv", Path(tmp))
            for p in PROFILES
            for s in args.seeds
        ]
    frame = pd.concat(runs, ignore_index=True)
    frame = frame[frame["rule_id"] != "(all)"]
    per_rule = frame.groupby("rule_id", sort=False)[["tp", "fp", "fn"]].sum()
    per_rule["precision"] = per_rule["tp"] / (per_rule["tp"] + per_rule["fp"])
    per_rule["recall"] = per_rule["tp"] / (per_rule["tp"] + per_rule["fn"])
    kinds = f"{', '.join(PROFILES)} x seeds {args.seeds}"
    print(f"{len(runs)} datasets ({kinds}, {args.contacts:,} contacts each)\n")
    print(per_rule.to_string(float_format=lambda v: f"{v:.3f}"))
    exact = bool((per_rule["fp"] == 0).all() and (per_rule["fn"] == 0).all())
    print(f"\nP = R = 1.0 for every rule: {'yes' if exact else 'NO'}")
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
