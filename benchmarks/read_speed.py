"""Benchmark: reading the contacts table of real-looking exports against gdprlab's clean CSV.

Run:  .venv/bin/python benchmarks/read_speed.py [--contacts 1000000] [--repeat 3] [--styles a,b] [--dir DIR]
          [--out benchmarks/out/read_speed.json]

One generated contacts table (fixed seed, Western-European locales) is written as gdprlab's clean CSV and
in each export style of gdprlab.generator.export_styles (German Excel CSV, Windows-1252, US report, UTF-16
text, xlsx). Timed, fastest of --repeat runs each:

* `clean`: the clean CSV by the strict dataset reader (gdprlab.crm.io.read_table), today's load path;
* `clean_detected`: the same file through the export reader (gdprlab.crm.exports.load_export), which first
  detects encoding, dialect, quoting and date order: its overhead over `clean` is what detection costs
  (the two alternate, run by run, so that both meet the same load of a shared machine);
* one entry per style through the export reader (transcoding, other date spellings and workbooks cost
  more than detection; reported, not targeted).

Prints one JSON object (the machine and date with the figures; also written to --out, which
benchmarks/readme_figures.py renders into the README); exits 1 when detection adds more than 10 % to the
clean CSV's load time.
Writing the xlsx file of a million contacts takes openpyxl several minutes (not timed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

TARGET_OVERHEAD = 0.10
WESTERN = ("de_DE", "fr_FR", "it_IT", "es_ES", "nl_NL", "pt_PT")
AS_OF = dt.date(2026, 6, 30)


def fastest(repeat: int, fn) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    from gdprlab.crm.exports import load_export
    from gdprlab.crm.io import read_table
    from gdprlab.crm.schema import TABLES
    from gdprlab.generator import GeneratorConfig, generate
    from gdprlab.generator.export_styles import STYLES, write_export

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--contacts", type=int, default=1_000_000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--styles", default=",".join(STYLES), help=f"comma-separated, of {', '.join(STYLES)}")
    p.add_argument("--dir", help="folder for the files (default: a temporary folder, removed)")
    p.add_argument("--out", type=Path, help="also write the JSON here")
    args = p.parse_args(argv)
    styles = [s for s in args.styles.split(",") if s]
    unknown = [s for s in styles if s not in STYLES]
    if unknown:
        p.error(f"unknown style(s) {unknown}")

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.dir or tmp)
        ds = generate(GeneratorConfig(contacts=args.contacts, seed=11, as_of=AS_OF, locales=WESTERN))
        clean_dir = root / "clean"
        clean_dir.mkdir(parents=True, exist_ok=True)
        clean_csv = clean_dir / "contacts.csv"
        from gdprlab.generator import write_dataset

        write_dataset(ds, root / "dataset", force=True)
        clean_csv.write_bytes((root / "dataset" / "contacts.csv").read_bytes())
        contacts = read_table(clean_csv, TABLES["contacts"])

        result = {"benchmark": "read_speed", "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
                  "machine": _machine(), "contacts": len(contacts), "repeat": args.repeat, "seconds": {},
                  "ratio_to_clean": {}}
        # the two compared by the target alternate, so that a change in the machine's load meets both
        clean_runs, detected_runs = [], []
        for _ in range(args.repeat):
            clean_runs.append(fastest(1, lambda: read_table(clean_csv, TABLES["contacts"])))
            detected_runs.append(fastest(1, lambda: load_export(clean_csv)))
        result["seconds"]["clean"], result["seconds"]["clean_detected"] = min(clean_runs), min(detected_runs)
        for style in styles:
            folder = root / style
            (path,) = write_export({"contacts": contacts}, folder, style)
            def read(p=path):
                return load_export(p)

            result["seconds"][style] = fastest(args.repeat, read)
        clean = result["seconds"]["clean"]
        result["ratio_to_clean"] = {k: round(v / clean, 3) for k, v in result["seconds"].items()}
        result["seconds"] = {k: round(v, 3) for k, v in result["seconds"].items()}
        overhead = result["ratio_to_clean"]["clean_detected"] - 1
        result["detection_overhead"] = round(overhead, 3)
        result["target"] = f"detection adds <= {TARGET_OVERHEAD:.0%} to the clean CSV's load time"
        result["target_met"] = overhead <= TARGET_OVERHEAD
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0 if result["target_met"] else 1


def _machine() -> str:
    import os
    import platform

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
            f"load average {load}")


if __name__ == "__main__":
    sys.exit(main())
