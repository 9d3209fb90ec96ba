"""Ground truth: which records violate which rule, and how many were planted out of which population."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


@dataclass
class Labels:
    rows: list[pd.DataFrame] = field(default_factory=list)
    planted: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, rule_id: str, table: str, record_ids, population: int) -> None:
        ids = pd.Series(np.asarray(record_ids, dtype=object), dtype=object)
        self.rows.append(pd.DataFrame({"rule_id": rule_id, "table": table, "record_id": ids}))
        entry = self.planted.setdefault(rule_id, {"population": 0, "planted": 0})
        entry["population"] += int(population)
        entry["planted"] += len(ids)

    def extend(self, other: Labels) -> None:
        """Take over another Labels' records and add its counts (populations and planted) to ours."""
        self.rows.extend(other.rows)
        for rule_id, counts in other.planted.items():
            entry = self.planted.setdefault(rule_id, {"population": 0, "planted": 0})
            entry["population"] += counts["population"]
            entry["planted"] += counts["planted"]

    def frame(self) -> pd.DataFrame:
        if not self.rows:
            return pd.DataFrame({"rule_id": [], "table": [], "record_id": []}, dtype=object)
        out = pd.concat(self.rows, ignore_index=True)
        return out.sort_values(["rule_id", "table", "record_id"], kind="stable").reset_index(drop=True)


def pick(rng: np.random.Generator, eligible: np.ndarray, rate: float, population: int) -> np.ndarray:
    """Indices of round(rate x population) eligible rows (fewer only when too few are eligible)."""
    return choose(rng, eligible, int(round(rate * population)))


def choose(rng: np.random.Generator, eligible: np.ndarray, k: int) -> np.ndarray:
    """Indices of k eligible rows, sorted (fewer only when too few are eligible)."""
    idx = np.flatnonzero(eligible)
    k = min(k, len(idx))
    if k == 0:
        return np.array([], dtype=np.int64)
    return np.sort(rng.choice(idx, size=k, replace=False))


def split(rng: np.random.Generator, idx: np.ndarray, parts: int) -> list[np.ndarray]:
    """Deal indices at random into `parts` near-equal groups (one per way of planting a violation)."""
    shuffled = rng.permutation(idx)
    return [np.sort(shuffled[i::parts]) for i in range(parts)]


def ids(prefix: str, start: int, n: int, width: int = 7) -> np.ndarray:
    """Sequential keys like C0000001 (fixed width keeps sort order equal to creation order)."""
    return format_ids(prefix, np.arange(start, start + n, dtype=np.int64), width)


def format_ids(prefix: str, numbers: np.ndarray, width: int = 7) -> np.ndarray:
    """Keys like C0000001 for the numbers, as str objects."""
    return id_array(prefix, numbers, width).to_numpy(zero_copy_only=False).astype(object)


def id_array(prefix: str, numbers: np.ndarray, width: int = 7) -> pa.Array:
    """Keys like C0000001 for the numbers, as an Arrow array.

    Formatted by Arrow's string kernels: formatting millions of numbers in Python takes seconds.
    """
    digits = pc.utf8_lpad(pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def parse_ids(keys: np.ndarray) -> np.ndarray:
    """The numbers of keys like C0000001."""
    text = pa.array(np.asarray(keys, dtype=object), type=pa.string())
    return pc.cast(pc.utf8_slice_codeunits(text, 1), pa.int64()).to_numpy()
