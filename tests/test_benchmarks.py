"""The speed benchmarks still run: each at a tiny size, printing the figures its issue asks for.

Their full-size runs are separate (see README); here only that they work and print every figure.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from gdprlab.regulation.catalogue import RULES

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


def load_script(name: str):
    """A benchmark script as a module (the scripts are not a package)."""
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


SMOKE_CONTACTS = 1500


@pytest.fixture(scope="module")
def engine_speed_run(tmp_path_factory):
    """One run at a tiny size: today's engine (from its git worktree) and the new one, once each; the three
    target sizes set to the size run, so that every verdict but PySpark's is judged."""
    root = BENCHMARKS.parent
    baseline = load_script("engine_speed").BASELINE_REV
    if subprocess.run(["git", "rev-parse", "--verify", f"{baseline}^{{commit}}"], cwd=root,
                      capture_output=True).returncode:
        pytest.skip(f"commit {baseline} (today's engine) is not in this clone's history")
    data = tmp_path_factory.mktemp("engine-speed")
    out = data / "engine_speed.json"
    n = str(SMOKE_CONTACTS)
    stdout = run("engine_speed.py", "--sizes", n, "--repeat", "1", "--spark-sizes", "none",
                 "--data", str(data), "--out", str(out), "--parity-size", n, "--scale-size", n,
                 "--big-size", n, "--spill-from", n, "--memory-limit", "1GB", "--remove-trees")
    return json.loads(out.read_text(encoding="utf-8")), stdout, data


def test_engine_speed_records_the_machine_every_run_and_a_verdict_per_target(engine_speed_run):
    record, stdout, _ = engine_speed_run
    assert record["benchmark"] == "engine_speed" and record["complete"]
    assert {"cores", "ram_gb", "cpu_model"} <= set(record["machine"])
    assert dt.datetime.fromisoformat(record["date"])
    assert {"duckdb", "ibis-framework", "pandas", "pyarrow"} <= set(record["versions"])
    assert record["trees"]["today"]["commit"].startswith(record["trees"]["today"]["rev"])
    assert record["new_engine_read_with"]  # stage_dataset, or the pandas fallback said as such
    runs = {r["engine"]: r for r in record["runs"]}
    assert set(runs) == {"today", "duckdb", "today-same", "duckdb-same"}  # the tiny size is the parity size
    for r in runs.values():
        assert r["ok"], r.get("error")
        assert Path(r["log"]).parent.parent.name == "sessions"  # this invocation's own folder
        assert len(r["load_average"]) == 2 and r["other_benchmark_processes"] >= 0
        assert r["seconds"] == pytest.approx(r["read_seconds"] + r["check_seconds"], abs=0.002)
        assert 0 < r["self_peak_rss_gb"] <= r["peak_rss_gb"]
        # today's engine (commit 5e0b4b5) knows 22 rules; the new one every rule of the catalogue
        if not r["engine"].endswith("-same"):
            assert len(r["per_rule"]) == (22 if r["engine"] == "today" else len(RULES))
    assert runs["duckdb"]["options"]["memory_limit"] == "1GB"  # from --spill-from
    memory = next(v for v in record["verdicts"] if v["target"] == "scale_memory")
    assert memory["measured"].endswith("under a DuckDB memory limit of 1GB")  # a limited run says so
    assert {v["target"] for v in record["verdicts"]} == {"parity", "scale", "scale_memory", "big", "spark",
                                                         f"agree-{SMOKE_CONTACTS}"}
    by_target = {v["target"]: v for v in record["verdicts"]}
    assert by_target["spark"]["passed"] is None  # not run: not measured, neither met nor missed
    assert by_target[f"agree-{SMOKE_CONTACTS}"]["passed"], record["agreement"]
    assert record["agreement"][0]["ids_compared"] == "ids"
    for line in ("new engine read with:", "slowest rules,", "NOT MEASURED", f"{SMOKE_CONTACTS:,} contacts"):
        assert line in stdout
    assert any(line.startswith(("PASS", "FAIL")) for line in stdout.splitlines())


def test_engine_speed_also_runs_both_engines_on_the_rules_they_share_unchanged(engine_speed_run):
    record, stdout, _ = engine_speed_run
    engine_speed = load_script("engine_speed")
    runs = {r["engine"]: r for r in record["runs"]}
    same = record["same_rules"]
    # the rules of today's engine (22), less those changed on purpose since its commit
    assert len(same) == 22 - len(engine_speed.CHANGED_SINCE_BASELINE)
    assert not set(same) & set(engine_speed.CHANGED_SINCE_BASELINE)
    assert set(same) < set(runs["today"]["per_rule"]) < set(runs["duckdb"]["per_rule"])
    for engine in ("today-same", "duckdb-same"):
        assert list(runs[engine]["per_rule"]) == same and runs[engine]["options"]["rules"] == ",".join(same)
    (work,) = record["same_work"]
    assert work["ratio"] == round(work["new_seconds"] / work["today_seconds"], 4)
    assert (work["today_seconds"], work["new_seconds"]) == (runs["today-same"]["seconds"],
                                                            runs["duckdb-same"]["seconds"])
    # the same rules find the same records on both engines
    pair = next(a for a in record["agreement"] if a["engines"] == ["today-same", "duckdb-same"])
    assert pair["same_counts"] and pair["same_ids"] is not False
    assert "same work" in stdout and "same work" not in {v["target"] for v in record["verdicts"]}


def test_engine_speed_verdicts_are_computed_from_the_recorded_figures(engine_speed_run):
    record, _, data = engine_speed_run
    engine_speed = load_script("engine_speed")
    assert engine_speed.verdicts(record) == record["verdicts"]
    again = engine_speed.rejudge(data / "engine_speed.json")  # --rejudge: from the runs alone
    assert (again["best"], again["agreement"], again["verdicts"], again["same_work"]) == (
        record["best"], record["agreement"], record["verdicts"], record["same_work"])
    best = {b["engine"]: b for b in record["best"]}
    today, new = best["today"], best["duckdb"]
    parity = {v["target"]: v for v in record["verdicts"]}["parity"]
    assert parity["passed"] == (new["seconds"] <= today["seconds"])

    def judged(**figures) -> dict:
        doctored = copy.deepcopy(record)
        for b in doctored["best"]:
            b.update(figures.get(b["engine"], {}))
        return {v["target"]: v["passed"] for v in engine_speed.verdicts(doctored)}

    fast = {"today": {"seconds": new["seconds"] * 3}, "duckdb": {"peak_rss_gb": 0.1}}
    assert judged(**fast)["parity"] and judged(**fast)["scale"] and judged(**fast)["scale_memory"]
    slow = {"today": {"seconds": new["seconds"] / 3}, "duckdb": {"peak_rss_gb": 0.1}}
    assert not judged(**slow)["parity"] and not judged(**slow)["scale"] and judged(**slow)["scale_memory"]
    large = {"today": {"seconds": new["seconds"] * 3}, "duckdb": {"peak_rss_gb": 1.6}}
    assert judged(**large)["scale"] and not judged(**large)["scale_memory"]  # 1.5 GB at most
    failed = {"duckdb": {"failed_runs": 1}}
    assert not judged(**failed)["big"]
    doctored = copy.deepcopy(record)
    doctored["agreement"][0]["same_counts"] = False
    agreed = {v["target"]: v["passed"] for v in engine_speed.verdicts(doctored)}
    assert not agreed[f"agree-{SMOKE_CONTACTS}"]
    # the targets are about Parquet: a run on CSV files measures them without judging them
    doctored = copy.deepcopy(record)
    doctored["parameters"]["format"] = "csv"
    for b in doctored["best"]:
        b.update(fast.get(b["engine"], {}))
    on_csv = {v["target"]: v for v in engine_speed.verdicts(doctored)}
    assert (on_csv["parity"]["passed"], on_csv["scale"]["passed"], on_csv["scale_memory"]["passed"]) == (
        None, None, None)
    assert on_csv["parity"]["measured"] == "not judged: this run read csv files"
    assert on_csv[f"agree-{SMOKE_CONTACTS}"]["passed"]


def test_engine_speed_composes_parquet_parts_only():
    done = subprocess.run([sys.executable, str(BENCHMARKS / "engine_speed.py"), "--format", "csv", "--sizes",
                           "20000000"], capture_output=True, text=True)
    assert done.returncode == 2 and "--format csv goes up to that size" in done.stderr


def test_engine_speed_composes_a_larger_dataset_with_disjoint_ids(engine_speed_run, tmp_path):
    _, _, data = engine_speed_run
    engine_speed = load_script("engine_speed")
    part = next((data / "datasets").iterdir())
    engine_speed.compose(tmp_path / "double", [part, part], 2 * SMOKE_CONTACTS)
    import duckdb

    for table, (key, *_) in engine_speed.PART_IDS.items():
        rows, distinct = duckdb.sql(f"SELECT count(*), count(DISTINCT {key}) FROM "
                                    f"'{tmp_path / 'double' / table}.parquet'").fetchall()[0]
        single = duckdb.sql(f"SELECT count(*) FROM '{part / table}.parquet'").fetchall()[0][0]
        assert rows == distinct == 2 * single
    orphans = duckdb.sql(f"SELECT count(*) FROM '{tmp_path / 'double'}/consents.parquet' k ANTI JOIN "
                         f"'{tmp_path / 'double'}/contacts.parquet' c USING (contact_id)").fetchall()[0][0]
    assert orphans == 0
    manifest = json.loads((tmp_path / "double" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameters"]["contacts"] == 2 * SMOKE_CONTACTS


def test_readme_figures_renders_the_json_between_the_markers_only(engine_speed_run, tmp_path):
    record, _, _ = engine_speed_run
    figures = load_script("readme_figures")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "engine_speed.json").write_text(json.dumps(record), encoding="utf-8")
    (out_dir / "other.json").write_text(json.dumps({"benchmark": "peers"}), encoding="utf-8")  # not ours
    readme = tmp_path / "README.md"
    readme.write_text(f"# gdprlab\n\nbefore\n{figures.START}\nstale figures\n{figures.END}\nafter\n",
                      encoding="utf-8")
    args = ["--readme", str(readme), "--out-dir", str(out_dir)]
    assert figures.main([*args, "--check"]) == 1  # stale
    assert figures.main(args) == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# gdprlab\n\nbefore\n") and text.endswith(f"{figures.END}\nafter\n")
    assert "stale figures" not in text
    for b in record["best"]:
        assert f"{b['seconds']:.2f} s, {b['peak_rss_gb']:.2f} GB" in text
    for v in record["verdicts"]:  # a target not measured in that run is left out
        assert (f"| {v['text']} | {v['measured']} |" in text) == (v["passed"] is not None)
    assert f"{record['machine']['cores']} cores" in text and record["trees"]["today"]["commit"][:7] in text
    (work,) = record["same_work"]
    assert f"({work['rules']} of them)" in text and f"| {work['ratio']:.2f}x |" in text
    assert figures.main([*args, "--check"]) == 0  # rendering twice changes nothing
    on_csv = copy.deepcopy(record)  # a run on CSV files: the targets about Parquet say they were not judged
    on_csv["parameters"]["format"] = "csv"
    on_csv["verdicts"] = load_script("engine_speed").verdicts(on_csv)
    (out_dir / "engine_speed.json").write_text(json.dumps(on_csv), encoding="utf-8")
    assert figures.main(args) == 0
    text = readme.read_text(encoding="utf-8")
    assert "--format csv" in text
    assert "| not judged: this run read csv files | not judged |" in text
    readme.write_text("# no markers\n", encoding="utf-8")
    assert figures.main(args) == 2


def test_read_speed_prints_each_export_style_against_the_clean_csv():
    out = json.loads(run("read_speed.py", "--contacts", "2000", "--repeat", "1"))
    assert out["contacts"] == 2000
    assert set(out["seconds"]) == {"clean", "clean_detected", "german_excel", "windows_1252", "us_report",
                                   "utf16_text", "xlsx"}
    assert isinstance(out["detection_overhead"], float) and isinstance(out["target_met"], bool)


def rendered_block(tmp_path: Path, name: str, out_dir: Path) -> str:
    """A README holding a stale block of benchmark `name`, as readme_figures.py rewrites it from out_dir."""
    figures = load_script("readme_figures")
    start, end = figures.markers(name)
    readme = tmp_path / "README.md"
    readme.write_text(f"{figures.START}\n{figures.END}\n{start}\nstale\n{end}\n", encoding="utf-8")
    assert figures.main(["--readme", str(readme), "--out-dir", str(out_dir)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert "stale" not in text
    return text


def test_subject_speed_prints_the_first_query_the_later_finds_and_the_erasure(tmp_path):
    saved = tmp_path / "out" / "subject_speed.json"
    out = json.loads(run("subject_speed.py", "--contacts", "1500", "--repeat", "2", "--dir", str(tmp_path),
                         "--out", str(saved)))
    assert out["benchmark"] == "subject_speed" and out["contacts"] >= 1500
    for figure in ("open_and_first_find", "find_fastest", "find_median", "erase"):
        assert out["seconds"][figure] > 0
    assert out["erased_rows"]["contacts"] == 1
    text = rendered_block(tmp_path, "subject_speed", saved.parent)
    assert f"| a later find (median) | {out['seconds']['find_median']:.3f} |" in text
    assert f"{out['later_finds']} later finds" in text and out["later_finds"] == 3 * 2 + 1
    assert f"{out['contacts']:,} contacts and {out['activities']:,} activities" in text


@pytest.mark.slow
def test_assess_speed_times_the_notebook_against_the_checks_and_a_batch_and_renders_it(tmp_path):
    """benchmarks/assess_speed.py once each, 2 small department datasets; its JSON rendered into the README
    block, the verdicts being those of the recorded figures."""
    saved = tmp_path / "out" / "assess_speed.json"
    run("assess_speed.py", "--repeat", "1", "--departments", "2", "--contacts", "150", "--work",
        str(tmp_path / "work"), "--out", str(saved))
    record = json.loads(saved.read_text(encoding="utf-8"))
    nb, batch = record["notebook"], record["batch"]
    assert nb["notebook"] == "crm_assessment.ipynb" and not nb["stand_in"] and nb["contacts"] > 0
    assert 0 < nb["checks_seconds"] < nb["run_seconds"] and nb["kernel_seconds"] > 0
    assert nb["added_seconds"] == pytest.approx(nb["run_seconds"] - nb["checks_seconds"])
    assert nb["met"] == (nb["added_seconds"] <= nb["target_added_seconds"])
    assert batch["departments"] == 2 and batch["serial_seconds"] > 0 and batch["parallel_seconds"] > 0
    assert batch["ratio"] == pytest.approx(batch["parallel_seconds"] / batch["serial_seconds"])
    assert batch["met"] == (batch["ratio"] <= batch["target_ratio"])
    text = rendered_block(tmp_path, "assess_speed", saved.parent)
    assert f"full run {nb['run_seconds']:.2f} s" in text and f"checks {nb['checks_seconds']:.2f} s" in text
    assert f"{batch['parallel_seconds']:.2f} s against {batch['serial_seconds']:.2f} s" in text
    assert record["commit"][:7] in text and record["date"] in text


@pytest.mark.slow
def test_subject_quality_meets_its_targets_on_a_small_dataset():
    """Every row of each person and every note mentioning them by an identifier, and no row of anybody else
    in the access package: measured against the generator's ground truth (ground_truth_mentions.csv)."""
    done = subprocess.run([sys.executable, str(BENCHMARKS / "subject_quality.py"), "--contacts", "600",
                           "--seeds", "3", "--people", "12"], capture_output=True, text=True, timeout=300)
    out = json.loads(done.stdout)
    assert out["people"] == 12 and out["refused_ambiguous"] < out["people"]
    assert out["rows"]["of_the_people"] > out["people"] and out["rows"]["recall"] == 1.0
    assert out["access_package"]["rows"] > 0 and out["access_package"]["mention_notes"] > 0
    assert out["access_package"]["rows_of_others"] == 0
    ids = out["identifier_mentions"]
    assert ids["planted"] > 0 and ids["recall"] == 1.0 and ids["precision"] == 1.0
    own = out["others_in_own_notes"]  # other people mentioned in the person's own notes: redacted
    assert sum(own[kind]["mentions"] for kind in ("email", "phone", "id")) > 0
    assert sum(own[kind]["left_in_package"] for kind in ("email", "phone", "id")) == 0
    names = out["name_only_mentions"]
    assert names["planted"] > 0 and 0 <= names["precision"] <= 1 and 0 <= names["recall"] <= 1
    assert out["met"] is True and done.returncode == 0, done.stderr


def test_hub_grading_stores_each_attempt_once_and_readme_figures_renders_it(tmp_path):
    """benchmarks/hub_grading.py at 6 learners (a real JupyterHub; skipped, saying why, when it cannot run),
    its JSON rendered into the README block by readme_figures.py."""
    out = tmp_path / "out" / "hub_grading.json"
    command = [sys.executable, str(BENCHMARKS / "hub_grading.py"), "--learners", "6", "--attempts", "2",
               "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if done.returncode == 2:
        pytest.skip(done.stderr.strip())
    assert done.returncode == 0, done.stdout + done.stderr[-2000:]
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["ok"] and record["stored"] == 12 and all(record["checks"].values())
    assert record["statuses"] == {"first 201": 12, "retry 200": 12}
    first = record["phases"]["first"]["latency_ms"]
    assert 0 < first["p50"] <= first["p90"] <= first["p95"] <= first["p99"] <= first["max"]
    text = rendered_block(tmp_path, "hub_grading", out.parent)
    assert f"| first | {record['phases']['first']['seconds']:.2f} |" in text
    assert "checks: all passed" in text
