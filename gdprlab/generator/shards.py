"""The per-contact tables, made in shards of a fixed size, in parallel processes where fork is available.

Contacts, requests, consents, activities and the planted extra contact columns of a shard depend only on
the seed and the shard's index, never on the number of processes, so a config gives the same bytes on
any machine. Shards are merged in order: contact ids are global already; consent and activity ids are
renumbered as each shard arrives, request ids once all have, and their ground-truth labels with them.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from gdprlab.generator.activities import make_activities
from gdprlab.generator.config import GeneratorConfig, Shard
from gdprlab.generator.consents import make_consents
from gdprlab.generator.contacts import make_contacts
from gdprlab.generator.frames import arrow_column
from gdprlab.generator.governance import fill_extra_columns
from gdprlab.generator.labels import Labels, format_ids, id_array, parse_ids
from gdprlab.generator.lifecycle import live_the_lifecycle
from gdprlab.generator.pools import LocalePool
from gdprlab.generator.requests import finish_requests, make_requests
from gdprlab.regulation.policy import Policy

SHARD_SIZE = 250_000
#: random streams of one shard; a single shard uses the dataset's streams of the same names
SHARD_STREAMS = ("contacts", "requests", "consents", "activities", "registers")
#: renumbered tables: key column, id prefix and width
RENUMBERED = {"consents": ("consent_id", "K", 7), "activities": ("activity_id", "E", 8),
              "requests": ("request_id", "R", 6)}
SEQUENTIAL = ("consents", "activities")  # numbered in shard order; requests are numbered by receipt


@dataclass
class Context:
    """What every shard reads: made once in the main process (and inherited by forked workers)."""
    cfg: GeneratorConfig
    policy: Policy
    pools: dict[str, LocalePool]
    accounts: pd.DataFrame
    staff: pd.DataFrame
    extra_columns: list[str]


@dataclass
class ShardResult:
    tables: dict[str, pd.DataFrame]
    labels: Labels


def plan(contacts: int, size: int = SHARD_SIZE) -> list[Shard]:
    """Shards of `size` contacts, the last one smaller."""
    if size < 1:
        raise ValueError(f"shard size must be at least 1, got {size}")
    count = max(1, -(-contacts // size))
    return [Shard(i, count, i * size, min(size, contacts - i * size)) for i in range(count)]


def shard_streams(seed: int, shard: Shard, n_stages: int) -> dict[str, np.random.Generator]:
    """Independent random streams of a shard, spawned after the dataset's `n_stages` stage streams."""
    seq = np.random.SeedSequence(seed, spawn_key=(n_stages + shard.index,))
    return {name: np.random.default_rng(s) for name, s in zip(SHARD_STREAMS, seq.spawn(len(SHARD_STREAMS)),
                                                              strict=True)}


def make_shard(ctx: Context, shard: Shard, rng: dict[str, np.random.Generator]) -> ShardResult:
    """Contacts and their requests, consents, activities and extra columns, with their labels."""
    cfg, labels = ctx.cfg, Labels()
    contacts, cplan = make_contacts(cfg, ctx.policy, rng["contacts"], ctx.pools, ctx.accounts, labels, shard)
    requests = make_requests(cfg, rng["requests"], contacts, cplan)
    consents, keys = make_consents(cfg, rng["consents"], contacts, labels)
    activities, objections = make_activities(cfg, rng["activities"], contacts, cplan, consents, keys,
                                             requests, ctx.staff, labels)
    requests = finish_requests(cfg, ctx.policy, rng["requests"],
                               pd.concat([requests, objections], ignore_index=True), cplan, contacts, labels)
    activities, requests = live_the_lifecycle(cfg, shard, contacts, cplan, consents, activities, requests,
                                              ctx.staff, labels)
    fill_extra_columns(contacts, ctx.extra_columns, rng["registers"])
    tables = {"contacts": contacts, "consents": consents, "activities": activities, "requests": requests}
    return ShardResult(tables, labels)


@dataclass
class StashedResult:
    """A worker's shard as Arrow IPC files: the pipe then carries file names and labels, not the tables."""
    paths: dict[str, str]
    objects: dict[str, list[str]]  # per table, the columns that were object columns (Arrow turns them `str`)
    labels: Labels


def stash(result: ShardResult, folder: str, shard: Shard) -> StashedResult:
    """Write each table as an uncompressed Arrow IPC file in `folder`.

    Pickling the tables (and their Python string objects) through the pipe blocked the worker for about
    half a second per shard; writing Arrow buffers to shared memory is a copy.
    """
    paths, objects = {}, {}
    for name, df in result.tables.items():
        table = pa.Table.from_pandas(df, preserve_index=False)
        paths[name] = os.path.join(folder, f"{shard.index}-{name}.arrow")
        with pa.OSFile(paths[name], "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        objects[name] = [col for col in df.columns if df[col].dtype == object]
    return StashedResult(paths, objects, result.labels)


def load(stashed: StashedResult) -> ShardResult:
    """The tables of a stashed shard, memory-mapped, with the same dtypes as in the worker."""
    tables = {}
    for name, path in stashed.paths.items():
        with pa.memory_map(path) as source:
            table = pa.ipc.open_file(source).read_all()
        os.unlink(path)  # the mapping stays valid until the buffers are freed
        df = table.to_pandas()
        for col in stashed.objects[name]:
            df[col] = pd.Series(table.column(col).to_numpy(zero_copy_only=False), dtype=object)
        tables[name] = df
    return ShardResult(tables, stashed.labels)


def _stash_folder() -> str:
    """A fresh folder for the stashed shards: in shared memory where there is one."""
    shm = "/dev/shm"
    base = shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None
    return tempfile.mkdtemp(prefix="gdprlab-shards-", dir=base)


_CONTEXT: Context | None = None  # set in the main process just before forking the workers
_N_STAGES = 0
_FOLDER = ""


def _make_forked(shard: Shard) -> StashedResult:
    assert _CONTEXT is not None, "worker started without a context"
    return stash(make_shard(_CONTEXT, shard, shard_streams(_CONTEXT.cfg.seed, shard, _N_STAGES)), _FOLDER,
                 shard)


def run(ctx: Context, shards: list[Shard], n_stages: int, workers: int | None = None,
        meanwhile: Callable[[], None] = lambda: None) -> Iterator[ShardResult]:
    """Each shard's result, in shard order: in `workers` forked processes, or here when fork is missing.

    `meanwhile` runs here while the workers make the first shards (before them when there are none).
    """
    workers = min(os.cpu_count() or 1, len(shards)) if workers is None else min(workers, len(shards))
    if workers <= 1 or "fork" not in mp.get_all_start_methods():
        meanwhile()
        for shard in shards:
            yield make_shard(ctx, shard, shard_streams(ctx.cfg.seed, shard, n_stages))
        return
    global _CONTEXT, _N_STAGES, _FOLDER
    _CONTEXT, _N_STAGES, _FOLDER = ctx, n_stages, _stash_folder()
    try:
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
            stashed = pool.map(_make_forked, shards)
            meanwhile()
            for result in stashed:
                yield load(result)
    finally:
        shutil.rmtree(_FOLDER, ignore_errors=True)
        _CONTEXT, _FOLDER = None, ""


def renumber(result: ShardResult, done: dict[str, int]) -> None:
    """Number the shard's consents and activities after the `done` rows of the earlier shards, its labels
    with them, and add its rows to `done`. Run as each shard arrives, so little is left for the end."""
    for name in SEQUENTIAL:
        key, prefix, width = RENUMBERED[name]
        df, offset = result.tables[name], done[name]
        if offset:
            df[key] = arrow_column(id_array(prefix, np.arange(offset + 1, offset + len(df) + 1), width))
            for part in result.labels.rows:
                if len(part) and part["table"].iloc[0] == name:
                    number = parse_ids(part["record_id"].to_numpy()) + offset
                    part["record_id"] = format_ids(prefix, number, width)
        done[name] += len(df)


def merge(results: list[ShardResult], labels: Labels) -> dict[str, pd.DataFrame]:
    """Concatenate the renumbered shards' tables in order, number the requests by receipt across shards,
    and move the shards' labels into `labels` with the new ids."""
    if len(results) == 1:
        labels.extend(results[0].labels)
        return results[0].tables
    tables = {name: pd.concat([r.tables[name] for r in results], ignore_index=True)
              for name in results[0].tables}
    key, prefix, width = RENUMBERED["requests"]
    df = tables["requests"]
    order = df.sort_values(["received_on", "contact_id"], kind="stable").index.to_numpy()
    df = df.iloc[order].reset_index(drop=True)
    df[key] = arrow_column(id_array(prefix, np.arange(1, len(df) + 1), width))
    tables["requests"] = df
    new_number = np.empty(len(df), dtype=np.int64)
    new_number[order] = np.arange(1, len(df) + 1)
    offsets = np.cumsum([0] + [len(r.tables["requests"]) for r in results])
    for i, result in enumerate(results):
        for part in result.labels.rows:
            if len(part) and part["table"].iloc[0] == "requests":
                row = offsets[i] + parse_ids(part["record_id"].to_numpy()) - 1
                part["record_id"] = format_ids(prefix, new_number[row], width)
        labels.extend(result.labels)
    return tables
