"""The speed benchmarks still run: each at a tiny size, printing the figures its issue asks for.

Their full-size runs are separate (see README); here only that they work and print every figure.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def run(script: str, *args: str) -> str:
    done = subprocess.run([sys.executable, str(BENCHMARKS / script), *args], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode in (0, 1), done.stderr  # 1: a target missed, which tiny sizes may well do
    return done.stdout


def test_generate_speed_prints_rows_per_second_the_ratio_and_peak_memory():
    out = run("generate_speed.py", "--contacts", "3000", "--baseline-contacts", "300", "--repeat", "2")
    assert "runs           : 2, fastest of each kept" in out
    for figure in ("Faker row loop :", "rows/s", "ratio          :", "peak RSS       :"):
        assert figure in out


def test_check_speed_prints_the_ratio_for_a_generated_csv_dataset():
    out = run("check_speed.py", "--contacts", "2000", "--format", "csv", "--repeat", "2")
    assert "as csv" in out
    for figure in ("read_dataset", "run_checks", "ratio          :", "paired ratios  :", "read + check   :",
                   "peak RSS"):
        assert figure in out
