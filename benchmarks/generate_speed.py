"""Benchmark: vectorised generation of a full dataset against a row-by-row Faker loop.

Run:  .venv/bin/python benchmarks/generate_speed.py [--contacts 1000000] [--baseline-contacts 20000]

The Faker loop makes the same contact fields one row at a time across six locales; its rate is measured
on --baseline-contacts rows and extrapolated to --contacts (a loop's rate does not change with length).
gdprlab's generator runs in a child process so that its peak resident memory is its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import time

from faker import Faker

LOCALES = ("de_DE", "fr_FR", "it_IT", "es_ES", "nl_NL", "pl_PL")
AS_OF = dt.date(2026, 11, 1)
TARGET_RATIO = 25
TARGET_RSS_GB = 4.0


def faker_loop(n: int) -> float:
    """Seconds for a row-by-row Faker loop making n contacts."""
    fakers = [Faker(loc) for loc in LOCALES]
    for i, f in enumerate(fakers):
        f.seed_instance(i)
    start = time.perf_counter()
    rows = []
    for i in range(n):
        f = fakers[i % len(fakers)]
        female = f.boolean()
        rows.append(
            {
                "first_name": f.first_name_female() if female else f.first_name_male(),
                "last_name": f.last_name(),
                "email": f.email(),
                "phone": f.phone_number(),
                "street": f.street_address(),
                "postcode": f.postcode(),
                "city": f.city(),
                "birth_date": f.date_of_birth(minimum_age=18, maximum_age=80),
                "national_id": f.ssn(),
                "iban": f.iban(),
                "status": f.random_element(("lead", "customer")),
                "created_at": f.date_time_between(start_date="-8y", end_date="now"),
            }
        )
    return time.perf_counter() - start


def child(contacts: int) -> None:
    """Generate in this process and print timing and peak memory as JSON."""
    from gdprlab.generator import GeneratorConfig, generate

    start = time.perf_counter()
    ds = generate(GeneratorConfig(contacts=contacts, seed=1, as_of=AS_OF, profile="typical"))
    seconds = time.perf_counter() - start
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows = {name: len(df) for name, df in ds.tables.items()}
    print(json.dumps({"seconds": seconds, "peak_rss_gb": rss_kb / 1024**2, "rows": rows}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--baseline-contacts", type=int, default=20_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.contacts)
        return 0
    loop_seconds = faker_loop(args.baseline_contacts)
    loop_rate = args.baseline_contacts / loop_seconds
    loop_full = args.contacts / loop_rate
    out = subprocess.run(
        [sys.executable, __file__, "--child", "--contacts", str(args.contacts)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    ratio = loop_full / result["seconds"]
    total_rows = sum(result["rows"].values())
    print(
        f"Faker row loop : {loop_rate:,.0f} contacts/s ({args.baseline_contacts:,} measured) -> "
        f"{loop_full:,.1f} s for {args.contacts:,} contacts alone"
    )
    print(
        f"gdprlab        : {args.contacts:,} contacts and all related tables ({total_rows:,} rows) in "
        f"{result['seconds']:,.1f} s = {args.contacts / result['seconds']:,.0f} contacts/s, "
        f"{total_rows / result['seconds']:,.0f} rows/s"
    )
    print("rows per table : " + ", ".join(f"{k} {v:,}" for k, v in result["rows"].items()))
    print(
        f"ratio          : {ratio:,.1f}x faster (target >= {TARGET_RATIO}x) "
        f"{'PASS' if ratio >= TARGET_RATIO else 'FAIL'}"
    )
    print(
        f"peak RSS       : {result['peak_rss_gb']:.2f} GB (target < {TARGET_RSS_GB} GB) "
        f"{'PASS' if result['peak_rss_gb'] < TARGET_RSS_GB else 'FAIL'}"
    )
    return 0 if ratio >= TARGET_RATIO and result["peak_rss_gb"] < TARGET_RSS_GB else 1


if __name__ == "__main__":
    sys.exit(main())
