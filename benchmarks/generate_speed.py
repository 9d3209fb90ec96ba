"""Benchmark: vectorised generation of a full dataset against a row-by-row Faker loop.

Run:  .venv/bin/python benchmarks/generate_speed.py [--contacts N] [--baseline-contacts N] [--repeat N]

The Faker loop makes the fields of gdprlab's contacts table one row at a time across six locales; its rate
is measured on --baseline-contacts rows and extrapolated to --contacts (a loop's rate does not change with
length). gdprlab's generator runs in a child process so that its peak resident memory is its own: the
child reports its own peak (getrusage RUSAGE_SELF) and that of its largest worker process (RUSAGE_CHILDREN,
which counts pages shared with the parent after fork as well).
The loop and the generator alternate --repeat times and the fastest of each is kept: on a virtual machine
the first run after a pause pays for memory the host took back (here about a second of system time),
and that noise should favour neither side.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from collections import OrderedDict

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from faker import Faker

LOCALES = ("de_DE", "fr_FR", "it_IT", "es_ES", "nl_NL", "pl_PL")
AS_OF = dt.date(2026, 11, 1)
TARGET_RATIO = 25
TARGET_RSS_GB = 4.0


STATUSES = OrderedDict((("lead", 0.45), ("customer", 0.40), ("former_customer", 0.15)))
ACCESSIBILITY = ("Rollstuhlfahrer, barrierefreier Zugang nötig", "Gebärdensprachdolmetscher benötigt")


def encrypt(aead: AESGCM, value: str | None) -> str | None:
    """A field encrypted the usual per-value way (gdprlab's contacts table holds such tokens)."""
    if value is None:
        return None
    nonce = os.urandom(12)
    return "enc:" + (nonce + aead.encrypt(nonce, value.encode(), None)).hex()


def faker_contact(f: Faker, aead: AESGCM, number: int, locale: str) -> dict:
    """One contact with the fields of gdprlab's contacts table, made the usual Faker way.

    Same shares as gdprlab: 4% minors, national id for 30% and IBAN for 60% of customers, 70% linked to an
    account, 3% of adults with accessibility needs (health data, with its Art. 9(2) condition). As in
    gdprlab's table, e-mails are unique and national id, IBAN and accessibility needs are encrypted. Unlike
    gdprlab, the loop does not check its phone numbers, national ids or IBANs (which favours the loop).
    """
    female = f.boolean()
    minor = f.boolean(chance_of_getting_true=4)
    status = "lead" if minor else f.random_element(STATUSES)
    customer = status != "lead"
    needs = not minor and f.boolean(chance_of_getting_true=3)
    accessibility = f.random_element(ACCESSIBILITY) if needs else None
    created = f.date_time_between(start_date="-8y", end_date="now")
    return {
        "contact_id": f"C{number:07d}",
        "account_id": f.bothify("A######") if f.boolean(chance_of_getting_true=70) else None,
        "locale": locale, "country": locale[-2:], "language": locale[:2],
        "gender": "F" if female else "M",
        "first_name": f.first_name_female() if female else f.first_name_male(),
        "last_name": f.last_name_female() if female else f.last_name_male(),
        "email": f.unique.email(),
        "phone": f.phone_number(),
        "street": f.street_address(),
        "postal_code": f.postcode(),
        "city": f.city(),
        "birth_date": f.date_of_birth(minimum_age=13, maximum_age=17) if minor
        else f.date_of_birth(minimum_age=18, maximum_age=80),
        "national_id": encrypt(aead, f.ssn() if customer and f.boolean(chance_of_getting_true=30) else None),
        "iban": encrypt(aead, f.iban() if customer and f.boolean(chance_of_getting_true=60) else None),
        "pseudonym": f.sha256(),
        "accessibility_needs": encrypt(aead, accessibility),
        "art9_condition": "9(2)(a)" if accessibility else None,
        "status": status,
        "created_at": created,
        "last_activity_at": f.date_time_between(start_date=created, end_date="now"),
    }


def faker_loop(n: int) -> float:
    """Seconds for a row-by-row Faker loop making n contacts."""
    fakers = [Faker(loc) for loc in LOCALES]
    for i, f in enumerate(fakers):
        f.seed_instance(i)
    aead = AESGCM(AESGCM.generate_key(bit_length=256))
    start = time.perf_counter()
    rows = [faker_contact(fakers[i % len(fakers)], aead, i + 1, LOCALES[i % len(LOCALES)]) for i in range(n)]
    seconds = time.perf_counter() - start
    assert len(rows) == n
    return seconds


def child(contacts: int) -> None:
    """Generate in this process and print timing and peak memory as JSON."""
    from gdprlab.generator import GeneratorConfig, generate

    start = time.perf_counter()
    ds = generate(GeneratorConfig(contacts=contacts, seed=1, as_of=AS_OF, profile="typical"))
    seconds = time.perf_counter() - start
    main_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    worker_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest finished worker
    rows = {name: len(df) for name, df in ds.tables.items()}
    gb = 1024**2  # ru_maxrss is in kB on Linux
    print(json.dumps({"seconds": seconds, "main_rss_gb": main_kb / gb, "worker_rss_gb": worker_kb / gb,
                      "rows": rows}))


def generate_in_child(contacts: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", "--contacts", str(contacts)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--baseline-contacts", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3,
                        help="alternate the loop and the generator N times and keep the fastest of each")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.contacts)
        return 0
    loops, runs = [], []
    for _ in range(max(1, args.repeat)):
        loops.append(faker_loop(args.baseline_contacts))
        runs.append(generate_in_child(args.contacts))
    loop_rate = args.baseline_contacts / min(loops)
    loop_full = args.contacts / loop_rate
    result = min(runs, key=lambda r: r["seconds"])
    ratio = loop_full / result["seconds"]
    total_rows = sum(result["rows"].values())
    print(f"runs           : {len(runs)}, fastest of each kept; gdprlab "
          + ", ".join(f"{r['seconds']:.2f}" for r in runs) + " s; Faker loop "
          + ", ".join(f"{args.baseline_contacts / s:,.0f}" for s in loops) + " contacts/s")
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
    main_gb = max(r["main_rss_gb"] for r in runs)
    worker_gb = max(r["worker_rss_gb"] for r in runs)
    print(
        f"peak RSS       : main process {main_gb:.2f} GB, largest worker {worker_gb:.2f} GB over all runs "
        f"(target < {TARGET_RSS_GB} GB each) {'PASS' if max(main_gb, worker_gb) < TARGET_RSS_GB else 'FAIL'}"
    )
    return 0 if ratio >= TARGET_RATIO and max(main_gb, worker_gb) < TARGET_RSS_GB else 1


if __name__ == "__main__":
    sys.exit(main())
