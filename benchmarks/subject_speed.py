"""Benchmark: one data subject's request on a large dataset: find the person, then erase them.

Run:  .venv/bin/python benchmarks/subject_speed.py [--contacts 1000000] [--repeat 5] [--format parquet]
          [--dir DIR] [--out benchmarks/out/subject_speed.json]

A dataset is generated (fixed seed; about 3 activities per contact) as Parquet (or CSV) files, then timed:

* `open_and_first_find`: opening the dataset on DuckDB (the files read and their values checked, as
  `gdprlab check` does) and the first find, of one person by e-mail: what the first request costs;
* `find`: each later find (fastest and median of --repeat, a different person each time, by e-mail, by
  phone and by name with date of birth), with the search of every other record's notes for mentions;
* `erase`: the erasure plan and its application to an owner-only copy of the dataset (the files rewritten by
  DuckDB), for one person with an open erasure request.

Wall-clock seconds are judged; the CPU seconds of this process (all its threads, DuckDB's included) are
printed beside them for a shared machine, where waiting for a core makes the wall clock say little.

Targets (issue 17): a find under 1 s after the first query, an erasure under 5 s, at 1M contacts and 3M
activities on Parquet. Prints one JSON object (the machine and date with the figures; also written to --out)
and exits 1 when a target is missed.

Made to run at 1M contacts without holding the dataset in this process: the people to look up come from
five columns of the contacts file (DuckDB reads them from the file), the row counts from the manifest, and
each run erases into a new folder, so that a dataset kept with --dir is timed again as it is.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

FIND_TARGET, ERASE_TARGET = 1.0, 5.0
AS_OF = dt.date(2026, 6, 30)


def main(argv: list[str] | None = None) -> int:
    import pandas as pd

    from gdprlab.generator import GeneratorConfig, generate, write_dataset
    from gdprlab.subjects.erase import apply_plan, erasure_plan
    from gdprlab.subjects.find import Query, find_subject, open_dataset

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--contacts", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    p.add_argument("--dir", help="folder for the dataset (default: a temporary folder, removed)")
    p.add_argument("--out", type=Path, help="also write the JSON here")
    args = p.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.dir or tmp)
        folder = root / "dataset"
        if not (folder / "manifest.json").is_file():
            config = GeneratorConfig(contacts=args.contacts, seed=17, as_of=AS_OF, format=args.format)
            write_dataset(generate(config), folder, force=True)
        counts = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["row_counts"]
        picks = _people(folder / f"contacts.{args.format}", 3 * args.repeat + 2)
        queries = []
        for i, row in enumerate(picks.itertuples()):
            kind = i % 3
            queries.append(Query(email=row.email) if kind == 0 else Query(phone=row.phone) if kind == 1 else
                           Query(name=f"{row.first_name} {row.last_name}",
                                 birth_date=pd.Timestamp(row.birth_date).date()))
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        result = {"benchmark": "subject_speed", "date": now,
                  "machine": (f"{os.cpu_count()} cores, {platform.machine()}, Python "
                              f"{platform.python_version()}, load average "
                              + ", ".join(f"{x:.1f}" for x in os.getloadavg())),
                  "contacts": counts["contacts"], "activities": counts["activities"], "format": args.format,
                  "repeat": args.repeat, "seconds": {}}
        start = time.perf_counter()
        with open_dataset(folder) as (t, given):
            first = find_subject(t, queries[0])
            result["seconds"]["open_and_first_find"] = round(time.perf_counter() - start, 3)
            times, cpu = [], []
            for query in queries[1:]:
                start, used = time.perf_counter(), time.process_time()
                found = find_subject(t, query)
                times.append(time.perf_counter() - start)
                cpu.append(time.process_time() - used)
                assert found.found, "a generated contact was not found"
            result["seconds"]["find_fastest"] = round(min(times), 3)
            result["seconds"]["find_median"] = round(statistics.median(times), 3)
            result["seconds"]["find_slowest"] = round(max(times), 3)
            result["later_finds"] = len(times)
            result["cpu_seconds"] = {"find_median": round(statistics.median(cpu), 3)}
            # a stand-in erasure request (not in the files: the requests file is rewritten unchanged)
            stand_in = {"request_id": "R-BENCH", "contact_id": first.contact_ids[0], "type": "erasure"}
            first.rows["requests"] = pd.DataFrame([stand_in])
            start, used = time.perf_counter(), time.process_time()
            plan = erasure_plan(first, "R-BENCH", given.as_of)
            erased = Path(tempfile.mkdtemp(prefix="erased-", dir=root))  # new each run: --dir is reused
            outcome = apply_plan(folder, first, plan, erased, as_of=given.as_of, policy=given.policy)
            result["seconds"]["erase"] = round(time.perf_counter() - start, 3)
            result["cpu_seconds"]["erase"] = round(time.process_time() - used, 3)
            result["erased_rows"] = {k: v["rows"] for k, v in outcome.audit["changed"].items()}
            assert result["erased_rows"].get("contacts"), "the person erased kept their contact record"
        result["targets"] = {"find_median_under_s": FIND_TARGET, "erase_under_s": ERASE_TARGET}
        met = result["seconds"]["find_median"] < FIND_TARGET and result["seconds"]["erase"] < ERASE_TARGET
        result["met"] = met
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0 if met else 1


def _people(path: Path, n: int):
    """`n` contacts spread evenly over the file (by contact id) with an e-mail, a phone and a date of birth,
    and no retention hold (the first is erased: a hold would keep everything): read by DuckDB."""
    import duckdb

    source = (f"read_parquet('{path}')" if path.suffix == ".parquet"
              else f"read_csv('{path}', all_varchar=true)")
    with duckdb.connect() as con:
        return con.execute(
            f"SELECT first_name, last_name, email, phone, birth_date FROM ("
            f"  SELECT *, row_number() OVER (ORDER BY contact_id) AS k, count(*) OVER () AS total"
            f"  FROM {source} WHERE email IS NOT NULL AND phone IS NOT NULL AND birth_date IS NOT NULL"
            f"    AND first_name IS NOT NULL AND last_name IS NOT NULL AND retention_ground IS NULL)"
            f" WHERE k % greatest(total // {n + 1}, 1) = 0 ORDER BY k LIMIT {n}").df()

if __name__ == "__main__":
    sys.exit(main())
