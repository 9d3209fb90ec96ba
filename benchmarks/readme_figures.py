"""Render the README's benchmark figures from the JSON the benchmarks write.

Run:  .venv/bin/python benchmarks/readme_figures.py [--readme README.md] [--out-dir benchmarks/out] [--check]

Every `benchmarks/out/*.json` written by engine_speed.py (its "benchmark" is "engine_speed") becomes one
block, oldest first: the machine and date it was measured on, a table of seconds and peak memory per size
and engine, and the verdict of each target. The blocks replace what stands between the two marker comments
of README.md (START and END below); nothing else in the file changes. Every figure is formatted from
the JSON, none is typed. With --check, nothing is written: the exit status is 1 when README.md is not what
the JSON gives (for CI), 0 when it is.

The benchmarks of SINGLE_RESULT (read_speed, hub_grading, subject_speed, assess_speed) each have one
block, between `<!-- NAME:start -->` and `<!-- NAME:end -->`, rendered from `benchmarks/out/NAME.json`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
START = "<!-- engine_speed:start -->"
END = "<!-- engine_speed:end -->"
ENGINES = ("today", "duckdb", "spark")
HEADERS = {"today": "today's engine (pandas)", "duckdb": "Ibis on DuckDB", "spark": "Ibis on PySpark local"}
MET = {True: "yes", False: "no", None: "not judged"}


def load_records(folder: Path) -> list[dict]:
    """The engine_speed records in `folder`, oldest first."""
    records = []
    for path in sorted(folder.glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(record, dict) and record.get("benchmark") == "engine_speed":
            records.append(record)
    return sorted(records, key=lambda r: r["date"])


def _cell(best: dict | None) -> str:
    if best is None:
        return "-"
    return f"{best['seconds']:.2f} s, {best['peak_rss_gb']:.2f} GB"


def _when(record: dict) -> str:
    return dt.datetime.fromisoformat(record["date"]).strftime("%Y-%m-%d %H:%M UTC")


def _runs(params: dict) -> str:
    repeat, spark = params["repeat"], params.get("spark_repeat", 1)
    said = "one run of each engine" if repeat == 1 else f"fastest of {repeat} alternating runs"
    if params.get("spark_sizes") and spark != repeat:
        said += f" ({spark} of PySpark)"
    return said


def _engine(tree: dict) -> str:
    """The new engine's commit, and the last commit that changed gdprlab/ in it when that is another one."""
    said = f"commit {tree['commit'][:7]}"
    engine = tree.get("engine_commit") or tree["commit"]
    if engine != tree["commit"]:
        said += f" (gdprlab/ as of {engine[:7]})"
    return said + (" with uncommitted changes" if tree.get("dirty") else "")


def render_record(record: dict) -> str:
    """One measured run as Markdown: where and how, the table, the verdicts."""
    m, v = record["machine"], record["versions"]
    load = (f"load average {m['load_average_before'][0]:.1f} at the start, "
            f"{m['load_average_after'][0]:.1f} at the end")
    names = (("duckdb", "DuckDB"), ("ibis-framework", "ibis-framework"), ("pandas", "pandas"),
             ("pyarrow", "pyarrow"), ("pyspark", "PySpark"))
    libraries = ", ".join(f"{name} {v[key]}" for key, name in names if key in v)
    trees = record["trees"]
    params = record["parameters"]
    read_with = "; ".join(record.get("new_engine_read_with", [])) or "-"
    lines = [
        f"Measured by `benchmarks/engine_speed.py` on {_when(record)}: {m['cores']} cores "
        f"({m['cpu_model']}), {m['ram_gb']} GB RAM, {load}; {libraries}.",
        f"Today's engine: commit {trees['today']['commit'][:7]}; new engine: {_engine(trees['new'])}, "
        f"reading the files with "
        f"{read_with}. Datasets: `gdprlab generate --profile {params['profile']} --seed {params['seed']} "
        f"--format {params['format']} --as-of {params['as_of']}`. Read + check, {_runs(params)}, each in a "
        "fresh process; peak memory of the process tree, the largest over the runs.",
    ]
    if not record.get("complete", True):
        lines.append("An incomplete run: the sizes after the last one shown were not measured.")
    for d in record["datasets"]:
        if d.get("composed_of"):
            lines.append(f"{d['contacts']:,} contacts: composed of {len(d['composed_of'])} generated "
                         f"datasets ({', '.join(d['composed_of'])}), the generator holding a whole dataset "
                         "in memory.")
    limited = [n for n in params["sizes"] if n >= params.get("spill_from", float("inf"))]
    if limited:
        lines.append(f"From {min(limited):,} contacts the new engine runs with DuckDB's memory limit "
                     f"{record.get('limits', {}).get('memory_limit')} and spills to disk beyond it.")
    for shim in record.get("shims", []):
        lines.append(f"Work-around applied in the new engine's runs: {shim}.")
    lines += ["", "| contacts | " + " | ".join(HEADERS.values()) + " | DuckDB / today |",
              "|---:|---|---|---|---:|"]
    best = {(b["contacts"], b["engine"]): b for b in record["best"]}
    for d in record["datasets"]:
        n = d["contacts"]
        cells = [_cell(best.get((n, e))) for e in ENGINES]
        if best.get((n, "today")) is None and str(d.get("today", "")).startswith("not run"):
            cells[0] = d["today"]
        today, duck = best.get((n, "today")), best.get((n, "duckdb"))
        ratio = f"{duck['seconds'] / today['seconds']:.2f}x" if today and duck else "-"
        lines.append(f"| {n:,} | " + " | ".join(cells) + f" | {ratio} |")
    lines += ["", "| target | measured | met? |", "|---|---|---|"]
    # a target whose size was not part of this run is left out; one the run did not judge says why
    lines += [f"| {x['text']} | {x['measured']} | {MET[x['passed']]} |" for x in record["verdicts"]
              if x["passed"] is not None or x["measured"].startswith("not judged")]
    same = record.get("same_work", [])
    if same:
        lines += ["", "The same work (not a target): both engines on the rules that today's engine has and "
                  f"that have not changed since its commit ({same[0]['rules']} of them), in the same "
                  "rotation.", "",
                  "| contacts | today's engine | Ibis on DuckDB | DuckDB / today |", "|---:|---|---|---:|"]
        lines += [f"| {w['contacts']:,} | {w['today_seconds']:.2f} s, {w['today_peak_rss_gb']:.2f} GB | "
                  f"{w['new_seconds']:.2f} s, {w['new_peak_rss_gb']:.2f} GB | {w['ratio']:.2f}x |"
                  for w in same]
    return "\n".join(lines)


def render(records: list[dict]) -> str:
    if not records:
        return "No engine_speed results in benchmarks/out/ yet: run `benchmarks/engine_speed.py`."
    return "\n\n".join(render_record(r) for r in records)


def markers(name: str) -> tuple[str, str]:
    """The comments between which the README holds a benchmark's block."""
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def render_read_speed(r: dict) -> str:
    """The export reader's benchmark (benchmarks/read_speed.py)."""
    lines = [f"Measured by `benchmarks/read_speed.py` on {r['date']}: {r['machine']}. The contacts table of "
             f"{r['contacts']:,} contacts, fastest of {r['repeat']} reads each.", "",
             "| file | seconds | vs the clean CSV, strict reader |", "|---|---:|---:|"]
    for name, seconds in r["seconds"].items():
        lines.append(f"| {name} | {seconds:.2f} | {r['ratio_to_clean'][name]:.2f}x |")
    lines += ["", f"Target: {r['target']}: {r['detection_overhead']:+.1%}, "
                  f"{'met' if r['target_met'] else 'not met'}."]
    return "\n".join(lines)


def render_hub_grading(r: dict) -> str:
    """The grading service under load (benchmarks/hub_grading.py)."""
    lines = [f"Measured by `benchmarks/hub_grading.py` on {r['date']} (commit {r['commit'][:7]}): "
             f"{r['machine']}. {r['learners']:,} learners x {r['attempts']} attempt(s), all at once through "
             "the proxy; then each attempt sent again.", "",
             "| phase | seconds | requests/s | p50 ms | p90 ms | p95 ms | p99 ms | max ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for phase, p in r["phases"].items():
        ms = p["latency_ms"]
        lines.append(f"| {phase} | {p['seconds']:.2f} | {p['requests_per_s']:,.1f} | {ms['p50']:,.0f} | "
                     f"{ms['p90']:,.0f} | {ms['p95']:,.0f} | {ms['p99']:,.0f} | {ms['max']:,.0f} |")
    failed = [name for name, ok in r["checks"].items() if not ok]
    lines += ["", f"{r['stored']:,} attempts stored; checks: "
                  + ("all passed (" + "; ".join(r["checks"]) + ")." if not failed
                     else "FAILED: " + "; ".join(failed) + ".")]
    return "\n".join(lines)


def render_subject_speed(r: dict) -> str:
    """One data subject's request on a large dataset (benchmarks/subject_speed.py)."""
    sec, cpu, goal = r["seconds"], r["cpu_seconds"], r["targets"]

    def judged(seconds: float, target: float) -> str:
        return f"< {target} s: {'met' if seconds < target else 'not met'}"

    return "\n".join([
        f"Measured by `benchmarks/subject_speed.py` on {r['date']}: {r['machine']}. {r['contacts']:,} "
        f"contacts and {r['activities']:,} activities as {r['format']} files; {r['later_finds']} later "
        "finds, each of another person (by e-mail, by phone, by name with birth date).", "",
        "| step | seconds | CPU seconds | target |", "|---|---:|---:|---|",
        f"| open the dataset and first find | {sec['open_and_first_find']:.3f} | | reported |",
        f"| a later find (median) | {sec['find_median']:.3f} | {cpu['find_median']:.3f} | "
        f"{judged(sec['find_median'], goal['find_median_under_s'])} |",
        f"| a later find (fastest, slowest) | {sec['find_fastest']:.3f}, {sec['find_slowest']:.3f} | | |",
        f"| erase one person (plan and copy) | {sec['erase']:.3f} | {cpu['erase']:.3f} | "
        f"{judged(sec['erase'], goal['erase_under_s'])} |"])


def render_assess_speed(r: dict) -> str:
    """An assessment run as a notebook, alone and in a batch (benchmarks/assess_speed.py)."""
    lines = [f"Measured by `benchmarks/assess_speed.py` on {r['date']} (commit {r['commit'][:7]}): "
             f"{r['machine']}. Fastest of {r['repeat']} runs each, after a warm-up run.", "",
             "| target | measured | met? |", "|---|---|---|"]
    if "notebook" in r:
        b = r["notebook"]
        lines.append(
            f"| the assessment notebook adds <= {b['target_added_seconds']:g} s beyond the checks on "
            f"{b['dataset']} ({b['contacts']:,} contacts) | full run {b['run_seconds']:.2f} s as `gdprlab "
            f"assess` makes it (papermill, in-process engine, HTML report included), checks "
            f"{b['checks_seconds']:.2f} s: {b['added_seconds']:.2f} s beyond. With a kernel per notebook "
            f"(`--kernel`): {b['kernel_seconds']:.2f} s, {b['kernel_seconds'] - b['checks_seconds']:.2f} s "
            f"beyond | {MET[b['met']]} |")
    if "batch" in r:
        c = r["batch"]
        lines.append(
            f"| a batch of {c['departments']} datasets ({c['contacts']:,} contacts each) with `--jobs "
            f"{c['jobs']}` <= {c['target_ratio']:.0%} of one after another | {c['parallel_seconds']:.2f} s "
            f"against {c['serial_seconds']:.2f} s: {c['ratio']:.0%} | {MET[c['met']]} |")
    return "\n".join(lines)


#: the README's blocks rendered from one benchmark's JSON each (benchmarks/out/<name>.json, written by
#: `benchmarks/<name>.py --out`): name -> renderer of that JSON
SINGLE_RESULT = {"read_speed": render_read_speed, "hub_grading": render_hub_grading,
                 "subject_speed": render_subject_speed, "assess_speed": render_assess_speed}


def render_single(folder: Path, name: str) -> str:
    """Benchmark `name`'s block from its JSON in `folder`, or what to run when there is none."""
    path = folder / f"{name}.json"
    if not path.is_file():
        return f"No {name} result in benchmarks/out/ yet: run `benchmarks/{name}.py --out {path.name}`."
    return SINGLE_RESULT[name](json.loads(path.read_text(encoding="utf-8")))


def replace_block(text: str, block: str, start: str = START, end: str = END) -> str:
    """`text` with what stands between start and end (each once, in that order) replaced by `block`."""
    if text.count(start) != 1 or text.count(end) != 1 or text.index(start) > text.index(end):
        raise ValueError(f"README must hold {start} and then {end}, once each")
    head, rest = text.split(start)
    _, tail = rest.split(end)
    return f"{head}{start}\n{block}\n{end}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--readme", type=Path, default=REPO / "README.md")
    parser.add_argument("--out-dir", type=Path, default=REPO / "benchmarks" / "out")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if README.md differs")
    args = parser.parse_args(argv)
    text = args.readme.read_text(encoding="utf-8")
    try:
        new = replace_block(text, render(load_records(args.out_dir)))
        for name in SINGLE_RESULT:
            start, end = markers(name)
            if start in new:
                new = replace_block(new, render_single(args.out_dir, name), start, end)
    except ValueError as exc:
        print(f"{args.readme}: {exc}", file=sys.stderr)
        return 2
    if args.check:
        same = new == text
        print(f"{args.readme}: {'up to date' if same else 'differs from benchmarks/out/*.json'}")
        return 0 if same else 1
    if new != text:
        args.readme.write_text(new, encoding="utf-8")
    print(f"{args.readme}: benchmark figures {'rewritten' if new != text else 'already up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
