"""gdprlab against its peers, side by side in one run on the same inputs (issue 3 §5).

Run:  .venv/bin/python benchmarks/peers.py [--install-peers] [--notes 20000] [--rows 1000000]

Inputs, all made by gdprlab and handed unchanged to every tool:

* CRM notes: the ``activities.note`` column of a generated dataset (``--notes`` of them);
* planted identifiers: valid mobile numbers and IBANs of the eight CRM countries
  (``gdprlab.generator.identifiers``) written into short sentences in three formats each (phones: E.164,
  international, national; IBANs: compact, in blocks of four separated by spaces, by hyphens);
* a contacts frame of 12 columns: ``--structured-rows`` rows (10,000) for presidio-structured and for
  gdprlab, and ``--rows`` rows (1,000,000) for gdprlab alone.

Tools:

* gdprlab: ``textscan.scan_texts`` (notes/s, recall on the planted identifiers) and
  ``classify.classify_table`` (seconds for the frame);
* a bare Python regex pass: five simple patterns, ``re.finditer`` note by note (no validation);
* peers, only with ``--install-peers``: datafog (regex engine, with its German locale on, which is the
  only one that has an IBAN pattern), presidio-analyzer and presidio-structured are pip-installed into
  ``benchmarks/out/peers-venv`` (never into gdprlab's environment) and each runs there in a subprocess
  (``PEER_RUNNER`` below) that reads the inputs from a temporary JSON file and prints JSON back.
  Presidio's default NLP engine needs the spaCy model ``en_core_web_lg``, which is not on the package
  index; when ``spacy download`` cannot fetch it, Presidio runs with a blank spaCy pipeline: its pattern
  recognizers only, no NER, so faster than Presidio as normally used (the issue's figures).

A planted identifier counts as found when a finding of the right type covers all of it (``exact``: the
same span). A peer that is not installed, fails to install or fails to run is reported as
``skipped: <reason>``, and its ratio is taken against the figure quoted in the issue (measured elsewhere
on 2 cores), which the output says.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import phonenumbers

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gdprlab.audit.discovery.classify import classify_table  # noqa: E402
from gdprlab.audit.discovery.textscan import scan_texts  # noqa: E402
from gdprlab.generator import (  # noqa: E402
    GeneratorConfig,
    generate,
    identifiers,  # noqa: E402
)

PEERS_VENV = ROOT / "benchmarks" / "out" / "peers-venv"
PEER_PACKAGES = {"datafog": ["datafog"], "presidio": ["presidio-analyzer", "presidio-structured"]}
SPACY_MODEL = "en_core_web_lg"  # Presidio's default; served from outside the package index

#: figures quoted in issue 3 (measured on 2 cores, not here)
QUOTED = {"presidio_notes_per_s": 118, "structured_seconds_10k": 200.0, "datafog_notes_per_s": 13_000,
          "datafog_phone_recall": "< 0.60", "datafog_iban_recall": "< 0.20",
          "bare_regex_notes_per_s": 120_000}
TARGET_TEXT_RATIO = 300  # gdprlab notes/s >= 300x Presidio's ...
TARGET_RECALL = 0.95  # ... at recall >= 0.95
TARGET_COLUMN_SHARE = 0.02  # 1M rows in < 2 % of presidio-structured's time for 10,000 rows

#: peer entity type -> kind of the planted identifier it stands for
PEER_TYPES = {"datafog": {"PHONE": "phone", "DE_IBAN": "iban"},
              "presidio": {"PHONE_NUMBER": "phone", "IBAN_CODE": "iban"}}
FRAME_COLUMNS = ["first_name", "last_name", "email", "phone", "street", "postal_code", "city", "country",
                 "birth_date", "gender", "status", "created_at"]

PHONE_FRAMES = ("Tel. {} (mobil)", "Rufnummer: {}.", "appeler le {} demain", "chiamare al {}",
                "llamar al {} mañana", "bel {} terug", "numer {} po 16", "ring {} i morgon", "ligar para {}")
IBAN_FRAMES = ("Neue Bankverbindung: {} (ab März)", "virement sur le compte {} demandé",
               "bonifico sull'IBAN {} effettuato", "transferencia a la cuenta {} pendiente",
               "rekeningnummer {} gewijzigd", "numer konta {} podany przez klienta",
               "konto {} uppdaterat", "transferência para {} amanhã")

# A bare regex pass: what a quick script would do, with no validation at all.
BARE_PATTERNS = {
    "email": re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),
    "phone": re.compile(r"\+?\d[\d ()/.-]{7,}\d"),
    "iban": re.compile(r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]{4}){3,7}(?:[ -]?[A-Z0-9]{1,3})?\b"),
    "card": re.compile(r"\b(?:\d{4}[ -]?){3}\d{4}\b"),
    "ip": re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b"),
}


# --------------------------------------------------------------------------- inputs

@dataclass
class Planted:
    """Sentences with one planted identifier each: its kind, format, and span."""

    texts: list[str]
    kinds: list[str]
    formats: list[str]
    spans: list[tuple[int, int]]


def _iban_formats(iban: str) -> dict[str, str]:
    blocks = [iban[i:i + 4] for i in range(0, len(iban), 4)]
    return {"compact": iban, "spaces": " ".join(blocks), "hyphens": "-".join(blocks)}


def _phone_formats(e164: str) -> dict[str, str]:
    num = phonenumbers.parse(e164, None)
    fmt = phonenumbers.PhoneNumberFormat
    return {"e164": e164, "international": phonenumbers.format_number(num, fmt.INTERNATIONAL),
            "national": phonenumbers.format_number(num, fmt.NATIONAL)}


def planted_identifiers(n_per_country: int = 50, seed: int = 11) -> Planted:
    """``n_per_country`` phones and IBANs per CRM country, each written in all three formats."""
    rng = np.random.default_rng(seed)
    out = Planted([], [], [], [])
    for country in identifiers.COUNTRIES:
        phones = identifiers.phone_numbers(country, n_per_country, rng)
        ibans = identifiers.ibans(country, n_per_country, rng)
        for kind, values, formats, frames in (("phone", phones, _phone_formats, PHONE_FRAMES),
                                              ("iban", ibans, _iban_formats, IBAN_FRAMES)):
            for k, value in enumerate(values):
                for name, written in formats(str(value)).items():
                    frame = frames[(k + len(out.texts)) % len(frames)]
                    at = frame.index("{}")
                    out.texts.append(frame.format(written))
                    out.kinds.append(kind)
                    out.formats.append(name)
                    out.spans.append((at, at + len(written)))
    return out


def recall(planted: Planted, found: list[tuple[int, str, int, int]]) -> pd.DataFrame:
    """Per kind and format: planted, found (a finding of that kind covers it), exact (same span)."""
    by_row: dict[int, list[tuple[str, int, int]]] = {}
    for row, kind, start, end in found:
        by_row.setdefault(row, []).append((kind, start, end))
    rows = []
    for i, (kind, fmt, (s, e)) in enumerate(zip(planted.kinds, planted.formats, planted.spans, strict=True)):
        hits = [(a, b) for k, a, b in by_row.get(i, []) if k == kind and a <= s and b >= e]
        rows.append({"kind": kind, "format": fmt, "found": bool(hits), "exact": (s, e) in hits})
    table = pd.DataFrame(rows)
    per_format = table.groupby(["kind", "format"], sort=False).agg(
        planted=("found", "size"), found=("found", "sum"), exact=("exact", "sum"))
    per_kind = table.groupby("kind", sort=False).agg(
        planted=("found", "size"), found=("found", "sum"), exact=("exact", "sum"))
    per_kind.index = pd.MultiIndex.from_tuples([(k, "all") for k in per_kind.index])
    result = pd.concat([per_format, per_kind])
    result["recall"] = result["found"] / result["planted"]
    return result


def overall_recall(table: pd.DataFrame) -> float:
    alls = table.xs("all", level=1)
    return float(alls["found"].sum() / alls["planted"].sum())


# --------------------------------------------------------------------------- gdprlab and bare regex

def gdprlab_text(notes: list[str], planted: Planted) -> dict:
    series = pd.Series(notes, dtype=object)
    scan_texts(series.iloc[:2000])  # warm the lexicon and compiled patterns
    t0 = time.perf_counter()
    scan_texts(series)
    seconds = time.perf_counter() - t0
    found = scan_texts(planted.texts, kinds=["phone", "iban"])
    spans = list(zip(found["row"], found["kind"], found["start"], found["end"], strict=True))
    return {"notes_per_s": len(notes) / seconds, "seconds": seconds, "spans": spans}


def bare_regex(notes: list[str], planted: Planted) -> dict:
    patterns = list(BARE_PATTERNS.items())

    def run(texts: list[str]) -> list[tuple[int, str, int, int]]:
        out = []
        for row, text in enumerate(texts):
            for kind, pattern in patterns:
                out.extend((row, kind, m.start(), m.end()) for m in pattern.finditer(text))
        return out

    t0 = time.perf_counter()
    run(notes)
    seconds = time.perf_counter() - t0
    return {"notes_per_s": len(notes) / seconds, "seconds": seconds, "spans": run(planted.texts)}


def gdprlab_columns(frame: pd.DataFrame) -> tuple[float, dict[str, str]]:
    t0 = time.perf_counter()
    classes = classify_table(frame, "contacts")
    seconds = time.perf_counter() - t0
    return seconds, {c.column: c.category if c.personal else f"({c.category})" for c in classes}


# --------------------------------------------------------------------------- peers (separate venv)

PEER_RUNNER = r'''
"""Runs one peer on the inputs in a JSON file and prints JSON (executed in the peers' venv)."""
import json, sys, time

task, path = sys.argv[1], sys.argv[2]
data = json.load(open(path, encoding="utf-8"))
notes, planted = data["notes"], data["planted"]


def timed(fn, texts):
    fn(texts[:200])  # warm up
    t0 = time.perf_counter()
    fn(texts)
    return time.perf_counter() - t0


def make_analyzer():
    import spacy
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    if spacy.util.is_package(data["spacy_model"]):
        engine = SpacyNlpEngine(models=[{"lang_code": "en", "model_name": data["spacy_model"]}])
        nlp = data["spacy_model"]
    else:  # no model: a blank pipeline (tokenizer only) keeps the pattern recognizers working
        class BlankEngine(SpacyNlpEngine):
            def load(self):
                self.nlp = {"en": spacy.blank("en")}
        engine = BlankEngine()
        nlp = "blank spaCy pipeline (no NER)"
    engine.load()
    return AnalyzerEngine(nlp_engine=engine, supported_languages=["en"]), nlp


if task == "datafog":
    import datafog
    from datafog.engine import scan

    def run(texts):
        return [[(e.type, e.start, e.end) for e in scan(t, engine="regex", locales=["de"]).entities]
                for t in texts]
    seconds = timed(run, notes)
    out = {"version": datafog.__version__, "notes": len(notes), "seconds": seconds, "spans": run(planted)}
elif task == "presidio":
    from importlib.metadata import version
    analyzer, nlp = make_analyzer()
    texts = notes[:data["presidio_notes"]]

    def run(texts):
        return [[(r.entity_type, r.start, r.end) for r in analyzer.analyze(t, language="en")] for t in texts]
    seconds = timed(run, texts)
    out = {"version": version("presidio-analyzer"), "nlp": nlp, "notes": len(texts), "seconds": seconds,
           "spans": run(planted)}
elif task == "structured":
    import pandas as pd
    from importlib.metadata import version
    from presidio_structured import PandasAnalysisBuilder
    analyzer, nlp = make_analyzer()
    frame = pd.DataFrame(data["frame"])
    builder = PandasAnalysisBuilder(analyzer)
    builder.generate_analysis(frame.head(50))  # warm up
    t0 = time.perf_counter()
    analysis = builder.generate_analysis(frame)
    out = {"version": version("presidio-structured"), "nlp": nlp, "rows": len(frame),
           "columns": len(frame.columns), "seconds": time.perf_counter() - t0,
           "mapping": analysis.entity_mapping}
print(json.dumps(out))
'''


def _venv_python() -> Path:
    return PEERS_VENV / "bin" / "python"


def _short(text: str, limit: int = 300) -> str:
    lines = [ln for ln in text.strip().splitlines() if ln.strip()]
    return (lines[-1] if lines else "no output")[:limit]


def install_peers() -> dict[str, str | None]:
    """Create the peers' venv and pip-install each peer; peer -> None when installed, else the reason."""
    status: dict[str, str | None] = {}
    if not _venv_python().exists():
        done = subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], capture_output=True, text=True)
        if done.returncode:
            return {peer: f"python -m venv failed: {_short(done.stderr)}" for peer in PEER_PACKAGES}
    for peer, packages in PEER_PACKAGES.items():
        print(f"   pip install {' '.join(packages)} into {PEERS_VENV.relative_to(ROOT)} ...", flush=True)
        done = subprocess.run([str(_venv_python()), "-m", "pip", "install", "-q", *packages],
                              capture_output=True, text=True, timeout=1800)
        status[peer] = f"pip install failed: {_short(done.stderr)}" if done.returncode else None
    if status["presidio"] is None:
        check = f"import spacy; print(spacy.util.is_package({SPACY_MODEL!r}))"
        done = subprocess.run([str(_venv_python()), "-c", check], capture_output=True, text=True)
        if done.stdout.strip() != "True":
            print(f"   python -m spacy download {SPACY_MODEL} ...", flush=True)
            done = subprocess.run([str(_venv_python()), "-m", "spacy", "download", SPACY_MODEL],
                                  capture_output=True, text=True, timeout=600)
            if done.returncode:
                print(f"   could not fetch {SPACY_MODEL} (it is not on the package index): "
                      f"{_short(done.stderr, 160)}")
                print("   -> Presidio runs with a blank spaCy pipeline: pattern recognizers only, no NER")
    return status


def run_peer(task: str, input_path: Path, timeout: int) -> tuple[dict | None, str | None]:
    """Run PEER_RUNNER's ``task`` in the peers' venv: (result, None) or (None, reason it was skipped)."""
    runner = input_path.with_name("peer_runner.py")
    runner.write_text(PEER_RUNNER, encoding="utf-8")
    env = {**os.environ, "DO_NOT_TRACK": "1", "DATAFOG_TELEMETRY": "0", "TOKENIZERS_PARALLELISM": "false"}
    try:
        done = subprocess.run([str(_venv_python()), str(runner), task, str(input_path)],
                              capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return None, f"{task} did not finish within {timeout} s"
    if done.returncode:
        return None, f"{task} failed: {_short(done.stderr)}"
    return json.loads(done.stdout.strip().splitlines()[-1]), None


def peer_spans(peer: str, nested: list[list[list]]) -> list[tuple[int, str, int, int]]:
    types = PEER_TYPES[peer]
    return [(row, types[t], s, e) for row, found in enumerate(nested) for t, s, e in found if t in types]


# --------------------------------------------------------------------------- report

def _print_recall(name: str, table: pd.DataFrame) -> None:
    print(f"-- {name}: recall on planted identifiers (found = a finding of the right type covers it)")
    print(table.to_string(float_format=lambda x: f"{x:.3f}"))


def _ratio_line(label: str, ours: float, theirs: float, basis: str, unit: str = "notes/s") -> None:
    print(f"   {label}: gdprlab {ours:,.0f} vs {theirs:,.0f} {unit} = {ours / theirs:,.1f}x  [{basis}]")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--install-peers", action="store_true",
                        help=f"pip-install datafog, presidio-analyzer, presidio-structured into {PEERS_VENV}")
    parser.add_argument("--notes", type=int, default=20_000, help="CRM notes for the throughput runs")
    parser.add_argument("--presidio-notes", type=int, default=5_000,
                        help="Presidio's analyzer runs on the first N of the same notes (it is slow)")
    parser.add_argument("--planted", type=int, default=50, help="phones and IBANs per country (x 3 formats)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="contacts for gdprlab's column run")
    parser.add_argument("--structured-rows", type=int, default=10_000,
                        help="contacts for presidio-structured")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed to each peer run")
    args = parser.parse_args(argv)
    pd.set_option("display.width", 200)

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"== Inputs (generated by gdprlab; {os.cpu_count()} cores, load average {load})")
    t0 = time.perf_counter()
    data = generate(GeneratorConfig(contacts=max(args.rows, args.structured_rows), seed=2,
                                    as_of=dt.date(2026, 11, 1)))
    notes = data.tables["activities"]["note"].dropna().astype(str).tolist()[:args.notes]
    contacts = data.tables["contacts"][FRAME_COLUMNS]
    big, small = contacts.iloc[:args.rows], contacts.iloc[:args.structured_rows]
    planted = planted_identifiers(args.planted)
    print(f"   {len(notes):,} CRM notes (mean {np.mean([len(n) for n in notes]):.0f} chars); "
          f"{len(planted.texts):,} sentences with a planted phone or IBAN; contacts frames "
          f"{len(small):,} x {small.shape[1]} and {len(big):,} x {big.shape[1]} "
          f"({time.perf_counter() - t0:.1f} s)")

    print("\n== Free text")
    ours = gdprlab_text(notes, planted)
    our_recall = recall(planted, ours["spans"])
    print(f"   gdprlab textscan: {len(notes):,} notes in {ours['seconds']:.2f} s = "
          f"{ours['notes_per_s']:,.0f} notes/s")
    _print_recall("gdprlab", our_recall)
    bare = bare_regex(notes, planted)
    print(f"   bare regex pass ({len(BARE_PATTERNS)} patterns, no validation): "
          f"{bare['notes_per_s']:,.0f} notes/s")
    _print_recall("bare regex", recall(planted, bare["spans"]))

    status: dict[str, str | None]
    if args.install_peers:
        print(f"\n== Installing peers into {PEERS_VENV.relative_to(ROOT)} (gdprlab's .venv is not touched)")
        try:
            status = install_peers()
        except (OSError, subprocess.SubprocessError) as exc:
            status = dict.fromkeys(PEER_PACKAGES, f"install failed: {exc}")
    else:
        status = dict.fromkeys(PEER_PACKAGES, "peers not installed (run with --install-peers)")

    results: dict[str, dict | None] = {}
    with tempfile.TemporaryDirectory() as tmp:
        input_path = Path(tmp) / "inputs.json"
        frame = small.astype(object).where(small.notna(), "").astype(str).to_dict(orient="list")
        input_path.write_text(json.dumps({"notes": notes, "planted": planted.texts, "frame": frame,
                                          "presidio_notes": args.presidio_notes, "spacy_model": SPACY_MODEL}),
                              encoding="utf-8")
        for task, peer in (("datafog", "datafog"), ("presidio", "presidio"), ("structured", "presidio")):
            label = {"datafog": "datafog (regex engine)", "presidio": "Presidio analyzer",
                     "structured": "presidio-structured"}[task]
            print(f"\n== Peer: {label}")
            if status[peer] is not None:
                results[task] = None
                print(f"   skipped: {status[peer]}")
                continue
            print("   running in the peers' venv ...", flush=True)
            results[task], reason = run_peer(task, input_path, args.timeout)
            if reason:
                print(f"   skipped: {reason}")
                continue
            res = results[task]
            if task == "structured":
                print(f"   presidio-structured {res['version']} ({res['nlp']}): "
                      f"{res['rows']:,} x {res['columns']} classified in {res['seconds']:.1f} s")
            else:
                res["notes_per_s"] = res["notes"] / res["seconds"]
                res["recall"] = recall(planted, peer_spans(peer, res["spans"]))
                nlp = f", {res['nlp']}" if "nlp" in res else ""
                print(f"   {task} {res['version']}{nlp}: {res['notes']:,} notes in {res['seconds']:.2f} s = "
                      f"{res['notes_per_s']:,.0f} notes/s")
                _print_recall(task, res["recall"])

    print("\n== Column classification (12 columns of generated contacts)")
    small_s, small_map = gdprlab_columns(small)
    big_s, _ = gdprlab_columns(big)
    print(f"   gdprlab: {len(small):,} rows in {small_s:.2f} s; {len(big):,} rows in {big_s:.2f} s")
    structured = results.get("structured")
    mapping = structured["mapping"] if structured else {}
    table = pd.DataFrame({"gdprlab": small_map,
                          "presidio-structured": {c: mapping.get(c, "-") for c in FRAME_COLUMNS} if structured
                          else dict.fromkeys(FRAME_COLUMNS, "(skipped)")})
    print("   label per column ('-': presidio-structured found no entity; '(x)': gdprlab says not personal)")
    print(table.to_string())

    summary(ours, our_recall, bare, results, big_s, len(big))


def summary(ours: dict, our_recall: pd.DataFrame, bare: dict, results: dict,
            big_s: float, big_rows: int) -> None:
    print("\n== Figures and ratios (those 'measured here' share inputs, machine and load; "
          "QUOTED figures were measured elsewhere)")
    rate, rec = ours["notes_per_s"], overall_recall(our_recall)
    print(f"   gdprlab free text: {rate:,.0f} notes/s; recall on planted phones+IBANs {rec:.3f}")

    presidio = results.get("presidio")
    quoted = QUOTED["presidio_notes_per_s"]
    full_model = presidio is not None and presidio["nlp"] == SPACY_MODEL
    if presidio:
        _ratio_line("vs Presidio analyzer, measured here", rate, presidio["notes_per_s"],
                    f"Presidio with {presidio['nlp']}; its recall {overall_recall(presidio['recall']):.3f}")
    if not full_model:
        why = "Presidio skipped" if presidio is None else f"Presidio ran without {SPACY_MODEL}"
        _ratio_line("vs Presidio analyzer, QUOTED in the issue", rate, quoted,
                    f"{why}: figure quoted in issue 3, not measured here")
    base = presidio["notes_per_s"] if full_model else quoted
    met = rate >= TARGET_TEXT_RATIO * base and rec >= TARGET_RECALL
    print(f"   target: >= {TARGET_TEXT_RATIO}x Presidio at recall >= {TARGET_RECALL} -> "
          f"{rate / base:,.0f}x at {rec:.3f}: {'met' if met else 'NOT met'}"
          f" ({'measured' if full_model else 'against the quoted figure'})")

    datafog = results.get("datafog")
    if datafog:
        rc = datafog["recall"].xs("all", level=1)["recall"]
        _ratio_line("vs datafog regex, measured here", rate, datafog["notes_per_s"],
                    f"datafog recall: phones {rc['phone']:.3f}, IBANs {rc['iban']:.3f}; "
                    f"gdprlab: phones {our_recall.loc[('phone', 'all'), 'recall']:.3f}, "
                    f"IBANs {our_recall.loc[('iban', 'all'), 'recall']:.3f}")
    else:
        _ratio_line("vs datafog regex, QUOTED in the issue", rate, QUOTED["datafog_notes_per_s"],
                    f"datafog skipped: figure quoted in issue 3 (recall phones "
                    f"{QUOTED['datafog_phone_recall']}, IBANs {QUOTED['datafog_iban_recall']}), "
                    "not measured here")
    _ratio_line("vs bare regex pass, measured here", rate, bare["notes_per_s"], "no validation")
    _ratio_line("vs bare regex pass, QUOTED in the issue", rate, QUOTED["bare_regex_notes_per_s"],
                "figure quoted in issue 3")

    structured = results.get("structured")
    if structured and structured["nlp"] == SPACY_MODEL:
        theirs, basis = structured["seconds"], f"measured here ({structured['rows']:,} rows)"
    else:
        theirs = QUOTED["structured_seconds_10k"]
        basis = "QUOTED in the issue for 10,000 rows, presidio-structured skipped"
        if structured:
            basis = f"QUOTED in the issue for 10,000 rows, presidio-structured ran here without {SPACY_MODEL}"
            print(f"   columns: gdprlab {big_rows:,} rows in {big_s:.2f} s = "
                  f"{big_s / structured['seconds']:.2%} of presidio-structured's "
                  f"{structured['seconds']:.1f} s for {structured['rows']:,} rows "
                  f"[measured here, {structured['nlp']}]")
    share = big_s / theirs
    verdict = ("met" if share < TARGET_COLUMN_SHARE else "NOT met") if big_rows >= 1_000_000 else \
        "not judged (fewer than 1,000,000 rows)"
    print(f"   columns: gdprlab {big_rows:,} rows in {big_s:.2f} s = {share:.2%} of presidio-structured's "
          f"{theirs:.1f} s [{basis}]; target < {TARGET_COLUMN_SHARE:.0%}: "
          f"{verdict}")


if __name__ == "__main__":
    main()
