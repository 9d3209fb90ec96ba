"""Random timestamps and dates between bounds, vectorised."""

from __future__ import annotations

import numpy as np

DAY = np.timedelta64(86400, "s")


def between(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """A uniform random second in [lo, hi] per row (lo > hi gives lo)."""
    lo = np.asarray(lo, dtype="datetime64[s]")
    hi = np.asarray(hi, dtype="datetime64[s]")
    span = np.maximum((hi - lo).astype(np.int64), 0)
    return lo + (rng.random(len(lo)) * (span + 1)).astype(np.int64).astype("timedelta64[s]")


def to_day(ts: np.ndarray) -> np.ndarray:
    return np.asarray(ts, dtype="datetime64[s]").astype("datetime64[D]")


def to_second(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, dtype="datetime64[D]").astype("datetime64[s]")
