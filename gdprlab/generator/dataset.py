"""Generate a whole dataset in memory, and write it atomically with its manifest and ground truth (the
planted violations, ground_truth.csv; the contacts mentioned in other contacts' notes,
ground_truth_mentions.csv).

A written dataset is owner-only (folder 0700, files 0600: it holds personal data, even if synthetic, and
is a stand-in for real exports). One process at a time writes an output folder
(:func:`gdprlab.crm.files.exclusive`); another fails at once.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from tqdm import tqdm

import gdprlab
from gdprlab.crm.exports import GROUND_TRUTH, MENTIONS_TRUTH
from gdprlab.crm.files import exclusive, private_files, write_csv
from gdprlab.crm.schema import SCHEMA_VERSION, TABLES
from gdprlab.generator import shards
from gdprlab.generator.breaches import make_breaches
from gdprlab.generator.config import GeneratorConfig, check_output_dir
from gdprlab.generator.contacts import account_keys, make_accounts
from gdprlab.generator.governance import choose_extra_columns, make_policies, make_ropa, purposeless_columns
from gdprlab.generator.labels import Labels
from gdprlab.generator.mentions import COLUMNS as MENTION_COLUMNS
from gdprlab.generator.mentions import plant_mentions
from gdprlab.generator.pools import build_pool
from gdprlab.generator.recipients import make_decisions, make_recipients
from gdprlab.generator.sources import add_sources
from gdprlab.generator.staff import make_staff, make_training
from gdprlab.regulation.policy import Policy

#: the dataset's random streams, in spawn order (never reorder: the data of every seed would change)
STAGES = ("pools", "accounts", "contacts", "staff", "requests", "consents", "activities", "registers")
LIBRARIES = ("numpy", "pandas", "faker", "pyarrow")


@dataclass
class Dataset:
    tables: dict[str, pd.DataFrame]
    ground_truth: pd.DataFrame
    planted: dict[str, dict[str, int]]
    config: GeneratorConfig
    policy: Policy
    #: contacts mentioned in other contacts' notes (gdprlab.generator.mentions): activity_id, contact_id, kind
    mentions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(MENTION_COLUMNS)))


def generate(cfg: GeneratorConfig, policy: Policy | None = None, progress: bool = False,
             workers: int | None = None, shard_size: int = shards.SHARD_SIZE) -> Dataset:
    """Build every table of one dataset; the same config always gives the same tables.

    Contacts and their related records are made in shards of `shard_size` contacts (a parameter for tests:
    it changes the data) by `workers` processes (default one per CPU, at most one per shard; the number of
    workers never changes the data).
    """
    policy = policy or Policy()
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(cfg.seed).spawn(len(STAGES))]
    rng = dict(zip(STAGES, rngs, strict=True))
    labels = Labels()
    parts = shards.plan(cfg.contacts, shard_size)
    bar = tqdm(total=3 + len(parts), desc="generate", unit="step", disable=not progress)
    pools = {loc: build_pool(loc, cfg.seed * 100 + i) for i, loc in enumerate(cfg.locales)}
    keys = account_keys(cfg, rng["accounts"])
    staff = make_staff(cfg, policy, rng["staff"], pools[cfg.locales[0]], labels)
    training = make_training(cfg, policy, rng["staff"], staff, labels)
    extra = choose_extra_columns(cfg, rng["registers"], labels)
    bar.update(3)
    ctx = shards.Context(cfg, policy, pools, keys, staff, extra)
    accounts: list[pd.DataFrame] = []

    def finish_accounts() -> None:  # while the shards are made
        accounts.append(make_accounts(cfg, rng["accounts"], pools, keys))

    if len(parts) == 1:  # the dataset's own streams, as before sharding
        results = [shards.make_shard(ctx, parts[0], {name: rng[name] for name in shards.SHARD_STREAMS})]
        finish_accounts()
    else:
        results, done = [], dict.fromkeys(shards.SEQUENTIAL, 0)
        for result in shards.run(ctx, parts, len(STAGES), workers, meanwhile=finish_accounts):
            shards.renumber(result, done)
            results.append(result)
            bar.update(1)
    per_contact = shards.merge(results, labels)
    del results
    contacts = per_contact["contacts"] = add_sources(cfg, policy, per_contact["contacts"],
                                                     per_contact["activities"], labels)
    tables = {
        "accounts": accounts[0], **{name: per_contact[name] for name in ("contacts", "consents", "activities",
                                                                      "requests")},
        "breaches": make_breaches(cfg, rng["registers"], labels), "staff": staff, "training": training,
        "record_of_processing": make_ropa(policy, purposeless_columns(extra)),
        "recipients": make_recipients(cfg, labels), "decisions": make_decisions(cfg, contacts, labels),
        "policies": make_policies(cfg, policy, rng["registers"], labels),
    }
    # a stream of its own, spawned after every other draw of the registers' stream: nothing else changes
    mentions = plant_mentions(rng["registers"].spawn(1)[0], tables["contacts"], tables["activities"])
    bar.update(bar.total - bar.n)
    bar.close()
    return Dataset(tables, labels.frame(), labels.planted, cfg, policy, mentions)


def _text_column(values: pd.Series, dtype: str) -> pd.Series:
    """ISO 8601 text for dates and UTC timestamps; missing values stay missing (written empty)."""
    if dtype not in ("date", "datetime"):
        return values
    arr = np.asarray(values.to_numpy(), dtype="datetime64[s]")
    known = arr[~np.isnat(arr)]
    four_digit_years = (np.datetime64("1000-01-01"), np.datetime64("10000-01-01"))
    if len(known) and (known.min() < four_digit_years[0] or known.max() >= four_digit_years[1]):
        text = np.datetime_as_string(arr, unit="D" if dtype == "date" else "s")  # years of other widths
        if dtype == "datetime":
            text = np.char.add(text, "Z")
        return pd.Series(np.where(np.isnat(arr), None, text), index=values.index, dtype=object)
    return pd.Series(_iso_digits(arr, dtype == "datetime"), index=values.index, dtype="str")


_TWO_DIGITS = np.frombuffer("".join(f"{i:02d}" for i in range(100)).encode(), dtype=np.uint8).reshape(100, 2)


def _iso_digits(arr: np.ndarray, with_time: bool) -> pa.Array:
    """YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ of datetime64[s] values with four-digit years (NaT: missing).

    Written digit by digit into one character buffer: formatting millions of values one by one (numpy's
    datetime_as_string, pyarrow's strftime) takes seconds.
    """
    known = ~np.isnat(arr)
    stamp = arr[known]
    day = stamp.astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    year = month.astype("datetime64[Y]")
    fields = [year.astype(np.int64) + 1970, (month - year.astype("datetime64[M]")).astype(np.int64) + 1,
              (day - month.astype("datetime64[D]")).astype(np.int64) + 1]
    layout = "YYYY-MM-DD"
    if with_time:
        second = (stamp - day.astype("datetime64[s]")).astype(np.int64)
        fields += [second // 3600, second // 60 % 60, second % 60]
        layout += "Thh:mm:ssZ"
    chars = np.tile(np.frombuffer(layout.encode(), dtype=np.uint8), (len(stamp), 1))
    chars[:, 0:2], chars[:, 2:4] = _TWO_DIGITS[fields[0] // 100], _TWO_DIGITS[fields[0] % 100]
    for value, at in zip(fields[1:], (5, 8, 11, 14, 17), strict=False):
        chars[:, at : at + 2] = _TWO_DIGITS[value]
    offsets = np.concatenate([[0], np.cumsum(known, dtype=np.int64)]) * len(layout)
    validity = pa.py_buffer(np.packbits(known, bitorder="little"))
    return pa.Array.from_buffers(pa.large_string(), len(arr), [validity, pa.py_buffer(offsets),
                                                              pa.py_buffer(chars)],
                                 null_count=int(len(arr) - known.sum()))


def _for_file(name: str, df: pd.DataFrame) -> pd.DataFrame:
    types = {c.name: c.dtype for c in TABLES[name].columns}
    return pd.DataFrame({col: _text_column(df[col], types.get(col, "str")) for col in df.columns})


def _write_table(df: pd.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "csv":
        write_csv(df, path)
    else:
        # row groups of DuckDB's own size, so that an engine reads a large table with every core
        df.to_parquet(path, index=False, engine="pyarrow", row_group_size=122_880)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def manifest(ds: Dataset, files: dict[str, Path]) -> dict:
    """What was generated, how, and checksums to prove the files are the ones generated."""
    return {
        "schema_version": SCHEMA_VERSION, "generator": f"gdprlab {gdprlab.__version__}",
        "seed": ds.config.seed, "parameters": ds.config.to_dict(),
        "row_counts": {name: len(df) for name, df in ds.tables.items()},
        "files": {name: {"path": p.name, "sha256": _sha256(p)} for name, p in files.items()},
        "planted": {rule: {**v, "rate": round(v["planted"] / v["population"], 6) if v["population"] else 0.0}
                    for rule, v in sorted(ds.planted.items())},
        "library_versions": {lib: version(lib) for lib in LIBRARIES},
    }


def write_dataset(ds: Dataset, out: str | Path, force: bool = False) -> Path:
    """Write tables, ground_truth.csv, ground_truth_mentions.csv, policy.yaml and manifest.json into `out`,
    all or nothing, holding
    `out`'s lock (a FolderBusy error when another process holds it)."""
    out = Path(out)
    check_output_dir(out, force)  # before the lock, whose file goes beside `out`
    with exclusive(out):
        return _write_dataset(ds, out, force)


def _write_dataset(ds: Dataset, out: Path, force: bool) -> Path:
    check_output_dir(out, force)  # again: another process may have written `out` before we took the lock
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        ext = ds.config.format
        files: dict[str, Path] = {}
        for name, df in ds.tables.items():
            files[name] = tmp / f"{name}.{ext}"
            _write_table(df if ext == "parquet" else _for_file(name, df), files[name], ext)
        files[GROUND_TRUTH] = tmp / f"{GROUND_TRUTH}.csv"
        ds.ground_truth.to_csv(files[GROUND_TRUTH], index=False, lineterminator="\n")
        files[MENTIONS_TRUTH] = tmp / f"{MENTIONS_TRUTH}.csv"
        ds.mentions.to_csv(files[MENTIONS_TRUTH], index=False, lineterminator="\n")
        files["policy"] = tmp / "policy.yaml"
        files["policy"].write_text(ds.policy.to_yaml(), encoding="utf-8")
        (tmp / "manifest.json").write_text(json.dumps(manifest(ds, files), indent=2) + "\n", encoding="utf-8")
        private_files(tmp)
        _swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _swap_in(tmp: Path, out: Path) -> None:
    """Replace `out` by the finished folder, so readers never see a half-written dataset."""
    if out.exists():
        old = out.with_name(f".{out.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old)
    else:
        tmp.rename(out)
