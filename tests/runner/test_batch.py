"""Batch runs of an assessment notebook (papermill), on the fixture notebooks in tests/notebooks/."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from gdprlab.cli.main import main
from gdprlab.runner.batch import (
    BatchError,
    absolute_paths,
    available_notebooks,
    build_parameters,
    dataset_name,
    git_tracked_warning,
    load_params_file,
    new_run_folder,
    parse_pairs,
    parse_value,
    resolve_notebook,
    run_batch,
)
from gdprlab.runner.index import write_index

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "notebooks"
FIXTURE = FIXTURES / "fixture_assessment.ipynb"
CODE_MARKER = "code-text-that-must-not-reach-the-html-report"
AS_OF = "2026-06-30"


def findings_doc(rules: dict[str, list[str]], overall: float, passed: list[str] = ()) -> dict:
    severities = {"r_critical": "critical", "r_high": "high", "r_medium": "medium"}
    return {
        "metadata": {"as_of": AS_OF},
        "scores": {"overall": overall, "by_concern": {}},
        "findings": [{"rule_id": r, "severity": severities.get(r, "low"), "status": "failed",
                      "count": len(ids), "record_ids": ids} for r, ids in rules.items()],
        "passed": list(passed),
        "not_assessed": [],
    }


def make_dataset(folder: Path, doc: dict, fail: bool = False) -> Path:
    """A stand-in dataset for the fixture notebook: the findings it will 'find', and a fail marker."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "findings.json").write_text(json.dumps(doc), encoding="utf-8")
    if fail:
        (folder / "fail").write_text("", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """One batch of three datasets, one of which fails, run two at a time."""
    root = tmp_path_factory.mktemp("batch")
    found = {"r_critical": ["c1"], "r_high": ["c2", "c3"], "r_medium": ["c4"]}
    sales = make_dataset(root / "data" / "sales", findings_doc(found, 0.62, passed=["r_low"]))
    hr = make_dataset(root / "data" / "hr", findings_doc({}, 1.0), fail=True)
    finance = make_dataset(root / "data" / "finance", findings_doc({"r_medium": ["f1"]}, 0.9))
    cwd = Path.cwd()
    result = run_batch([sales, hr, finance], notebook=FIXTURE, out=root / "out", jobs=2,
                       parameters={"organisation": "Example GmbH", "as_of": AS_OF}, progress=False)
    assert Path.cwd() == cwd  # runs in threads never move this process to another folder
    return root, result


def test_batch_runs_go_on_after_a_failure(batch) -> None:
    _, result = batch
    assert [r.name for r in result.runs] == ["sales", "hr", "finance"]
    assert [r.status for r in result.runs] == ["ok", "failed", "ok"]
    assert result.exit_code == 1
    failed = result.runs[1]
    assert failed.ename == "ValueError"
    assert failed.evalue == "planted failure for hr"
    assert "ValueError: planted failure for hr" in failed.error


def test_failed_run_keeps_partial_notebook(batch) -> None:
    _, result = batch
    failed = result.runs[1]
    nb = nbformat.read(failed.notebook, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert errors and errors[0]["ename"] == "ValueError"
    # saved at the end (papermill's notebook_complete), failed or not: the cells up to the failing one ran
    statuses = [c.metadata["papermill"]["status"] for c in nb.cells if "papermill" in c.metadata]
    assert "failed" in statuses and statuses.index("failed") < len(statuses) - 1
    assert all(s == "completed" for s in statuses[:statuses.index("failed")])
    assert nb.metadata.papermill["duration"] is not None
    assert not (failed.folder / "findings.json").exists()
    assert failed.report is None and not (failed.folder / "report.html").exists()
    record = json.loads((failed.folder / "run.json").read_text(encoding="utf-8"))
    assert record["status"] == "failed" and record["ename"] == "ValueError"


def test_successful_runs_have_findings_and_html_without_code(batch) -> None:
    _, result = batch
    for run in (result.runs[0], result.runs[2]):
        assert run.folder.name == f"{run.name}-{AS_OF}"
        assert (run.folder / "findings.json").is_file()
        assert run.notebook == run.folder / "fixture_assessment.ipynb"
        page = run.report.read_text(encoding="utf-8")
        assert "Example GmbH: overall score" in page  # outputs are kept
        assert "Fixture assessment" in page  # markdown is kept
        assert CODE_MARKER not in page  # code inputs are not
        assert "json.loads" not in page
        assert "findings-out" not in page and "organisation =" not in page  # nor the parameters cells
        assert str(run.folder) not in page  # nor the injected parameters


def test_parameters_reach_each_run(batch) -> None:
    _, result = batch
    run = result.runs[0]
    assert run.parameters["dataset"] == str(run.dataset)
    assert run.parameters["output_dir"] == str(run.folder)
    written = json.loads((run.folder / "findings.json").read_text(encoding="utf-8"))
    # the kernel runs in the notebook's folder, where its relative defaults point
    assert written["metadata"] == {"as_of": AS_OF, "organisation": "Example GmbH", "cwd": str(FIXTURES)}


def test_index_lists_every_run(batch) -> None:
    root, result = batch
    assert result.index_csv.parent == root / "out" and result.index_csv.name.startswith("index-")
    rows = list(csv.DictReader(result.index_csv.open(encoding="utf-8")))
    assert [r["dataset"] for r in rows] == ["sales", "hr", "finance"]
    sales, hr, finance = rows
    assert sales["status"] == "ok" and sales["score_overall"] == "0.62"
    assert (sales["findings"], sales["critical"], sales["high"], sales["medium"], sales["low"]) == (
        "3", "1", "1", "1", "0")
    assert sales["report"] == f"sales-{AS_OF}/report.html"
    assert (root / "out" / sales["report"]).is_file()
    assert finance["findings"] == "1" and finance["medium"] == "1"
    assert hr["status"] == "failed" and "planted failure for hr" in hr["error"]
    assert hr["report"] == "" and hr["score_overall"] == ""
    page = result.index_html.read_text(encoding="utf-8")
    assert page.count("<tr>") == 6  # a table per dataset: header and its run
    assert f'href="sales-{AS_OF}/report.html"' in page and "planted failure for hr" in page


def test_rerun_gets_new_folder_and_comparison(batch) -> None:
    """Through the command-line layer: -p and --params, a second run of sales compared with the first."""
    root, first = batch
    sales = root / "data" / "sales"
    make_dataset(sales, findings_doc({"r_high": ["c3", "c5"], "r_medium": ["c4"]}, 0.75,
                                     passed=["r_low", "r_critical"]))
    params = root / "params.yaml"
    params.write_text(f"organisation: Ignored Ltd\nas_of: {AS_OF}\n", encoding="utf-8")
    assert main(["assess", str(sales), "--notebook", str(FIXTURE), "--out", str(root / "out"),
                 "--params", str(params), "-p", "organisation", "Example GmbH", "--quiet"]) == 0

    folder = root / "out" / f"sales-{AS_OF}-2"
    assert (root / "out" / f"sales-{AS_OF}" / "findings.json").is_file()  # first run untouched
    comparison = json.loads((folder / "comparison.json").read_text(encoding="utf-8"))
    assert comparison["previous_run"] == f"sales-{AS_OF}"
    assert comparison["summary"]["rules"] == {"new": 0, "resolved": 1, "persisting": 2, "not_comparable": 0}
    assert comparison["summary"]["records"] == {"new": 1, "resolved": 2, "persisting": 2,
                                                "not_comparable": 0}
    rows = {(r["rule_id"], r["record_id"]): r["record_change"]
            for r in csv.DictReader((folder / "comparison.csv").open(encoding="utf-8"))}
    assert rows == {("r_high", "c3"): "persisting", ("r_high", "c5"): "new", ("r_high", "c2"): "resolved",
                    ("r_medium", "c4"): "persisting", ("r_critical", "c1"): "resolved"}
    index = sorted((root / "out").glob("index-*.csv"))
    assert len(index) == 2 and index[-1] != first.index_csv
    row = next(csv.DictReader(index[-1].open(encoding="utf-8")))
    assert (row["compared_with"], row["new_rules"], row["resolved_rules"], row["persisting_rules"]) == (
        f"sales-{AS_OF}", "0", "1", "2")
    assert (row["new_records"], row["resolved_records"], row["persisting_records"]) == ("1", "2", "2")


def test_failing_notebook_reports_cell_error(tmp_path: Path) -> None:
    data = make_dataset(tmp_path / "only", findings_doc({}, 1.0))
    result = run_batch([data], notebook=FIXTURES / "failing.ipynb", out=tmp_path / "out", progress=False)
    (run,) = result.runs
    assert run.status == "failed" and run.ename == "RuntimeError"
    assert run.evalue == "this cell always fails" and run.cell is not None
    assert run.error.startswith(f"In [{run.cell}]: RuntimeError")
    assert run.notebook.is_file()
    assert result.index_csv.is_file()


def test_runs_save_the_notebook_at_start_and_end_only(tmp_path: Path, monkeypatch) -> None:
    """papermill saves before and after every cell; runs save at start and end (and every SAVE_EVERY s)."""
    import papermill.engines

    saved = []
    write = papermill.engines.write_ipynb
    monkeypatch.setattr(papermill.engines, "write_ipynb",
                        lambda nb, path: (saved.append(path), write(nb, path)))
    data = make_dataset(tmp_path / "ok", findings_doc({"r_high": ["o1"]}, 0.8))
    (run,) = run_batch([data], notebook=FIXTURE, out=tmp_path / "out", progress=False).runs
    assert run.ok, run.error
    nb = nbformat.read(run.notebook, as_version=4)
    assert len(nb.cells) >= 5 and len(saved) == 2
    assert all(c.metadata.papermill["status"] == "completed" for c in nb.cells)
    assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_index_files_sort_in_the_order_written(tmp_path: Path) -> None:
    written = [write_index(tmp_path, [])[0] for _ in range(3)]  # same second: suffixed
    assert sorted(tmp_path.glob("index-*.csv")) == written


def test_run_stopped_after_writing_findings_is_compared(tmp_path: Path) -> None:
    """Like crm_assessment's fail_on: the run fails after writing findings.json; its numbers still count."""
    data = make_dataset(tmp_path / "ops", findings_doc({"r_high": ["o1"]}, 0.8, passed=["r_medium"]))
    run_batch([data], notebook=FIXTURE, out=tmp_path / "out", parameters={"as_of": AS_OF}, progress=False)
    make_dataset(data, findings_doc({"r_high": ["o1"], "r_medium": ["o2"]}, 0.7))
    (data / "fail_after").write_text("", encoding="utf-8")
    result = run_batch([data], notebook=FIXTURE, out=tmp_path / "out", parameters={"as_of": AS_OF},
                       progress=False)
    (run,) = result.runs
    assert run.status == "failed" and run.evalue == "findings above the threshold"
    assert run.score == 0.7 and run.report is None
    assert run.comparison.summary["rules"] == {"new": 1, "resolved": 0, "persisting": 1, "not_comparable": 0}
    row = next(csv.DictReader(result.index_csv.open(encoding="utf-8")))
    assert (row["status"], row["score_overall"], row["findings"], row["new_rules"]) == (
        "failed", "0.7", "2", "1")


@pytest.mark.skipif(not (ROOT / "notebooks" / "crm_assessment.ipynb").is_file(),
                    reason="notebooks/crm_assessment.ipynb not written yet")
def test_real_assessment_notebook_on_sample(tmp_path: Path) -> None:
    """The default notebook by name, on the committed sample: report without code, numbers in the index."""
    result = run_batch([ROOT / "datasets" / "sample"], out=tmp_path / "out", progress=False,
                       parameters={"organisation": "Test AG", "evidence": 1})
    (run,) = result.runs
    assert run.ok, run.error
    assert run.notebook.name == "crm_assessment.ipynb"
    findings = json.loads((run.folder / "findings.json").read_text(encoding="utf-8"))
    page = run.report.read_text(encoding="utf-8")
    assert "Test AG" in page
    for code in ("import pandas", "audit.load_inputs", "scan_path(", "_names_before", "organisation = "):
        assert code not in page
    row = next(csv.DictReader(result.index_csv.open(encoding="utf-8")))
    assert float(row["score_overall"]) == findings["scores"]["overall"]
    assert int(row["findings"]) == len(findings["findings"])
    assert sum(int(row[s]) for s in ("critical", "high", "medium", "low")) == len(findings["findings"])


# ----------------------------------------------------------------------------------------------------------
# parameters
# ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("3", 3), ("-7", -7), ("2.5", 2.5), ("1e3", 1000.0), ("True", True), ("False", False), ("None", None),
    ("true", "true"), ("2026-06-30", "2026-06-30"), ("Example GmbH", "Example GmbH"), ("", ""),
])
def test_parse_value_like_papermill(text: str, value: object) -> None:
    parsed = parse_value(text)
    assert parsed == value and type(parsed) is type(value)


def test_parse_pairs_later_wins() -> None:
    assert parse_pairs([("top_actions", "5"), ("organisation", "A"), ("organisation", "B")]) == {
        "top_actions": 5, "organisation": "B"}
    assert parse_pairs(None) == {}
    with pytest.raises(BatchError, match="identifier"):
        parse_pairs([("not-a-name", "1")])


def test_params_yaml(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("organisation: Example GmbH\nas_of: 2026-06-30\ntop_actions: 5\nrules: [a, b]\n",
                    encoding="utf-8")
    assert load_params_file(path) == {"organisation": "Example GmbH", "as_of": "2026-06-30",
                                      "top_actions": 5, "rules": ["a", "b"]}
    assert build_parameters(path, [("top_actions", "3")])["top_actions"] == 3  # -p overrides the file
    (tmp_path / "empty.yaml").write_text("", encoding="utf-8")
    assert load_params_file(tmp_path / "empty.yaml") == {}
    (tmp_path / "list.yaml").write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(BatchError, match="mapping"):
        load_params_file(tmp_path / "list.yaml")
    (tmp_path / "bad.yaml").write_text("a: [\n", encoding="utf-8")
    with pytest.raises(BatchError, match="not valid YAML"):
        load_params_file(tmp_path / "bad.yaml")
    with pytest.raises(BatchError, match="not found"):
        load_params_file(tmp_path / "missing.yaml")


def test_relative_path_parameters_become_absolute(tmp_path: Path) -> None:
    params = {"policy": "conf/policy.yaml", "mapping": "", "answers": str(tmp_path / "a.yaml"),
              "evidence_file": "e.csv", "organisation": "output", "top_actions": 3,
              "accepted_risks": "risks.yaml"}
    assert absolute_paths(params, base=tmp_path) == {
        "policy": str(tmp_path / "conf" / "policy.yaml"), "mapping": "", "answers": str(tmp_path / "a.yaml"),
        "evidence_file": str(tmp_path / "e.csv"), "organisation": "output", "top_actions": 3,
        "accepted_risks": str(tmp_path / "risks.yaml")}


def test_parameters_are_checked_before_running(tmp_path: Path) -> None:
    data = make_dataset(tmp_path / "d", findings_doc({}, 1.0))
    with pytest.raises(BatchError, match=r"unknown parameter\(s\) organization .*accepts: as_of, dataset"):
        run_batch([data], notebook=FIXTURE, out=tmp_path / "out", parameters={"organization": "x"},
                  progress=False)
    with pytest.raises(BatchError, match="set by gdprlab assess"):
        run_batch([data], notebook=FIXTURE, out=tmp_path / "out", parameters={"dataset": "x"}, progress=False)
    with pytest.raises(BatchError, match="not found: .*missing"):
        run_batch([tmp_path / "missing"], notebook=FIXTURE, out=tmp_path / "out", progress=False)
    with pytest.raises(BatchError, match="as_of: '31/01/2026' is not a date written YYYY-MM-DD"):
        run_batch([data], notebook=FIXTURE, out=tmp_path / "out", parameters={"as_of": "31/01/2026"},
                  progress=False)
    assert not (tmp_path / "out").exists()  # nothing was created


# ----------------------------------------------------------------------------------------------------------
# notebooks, folders, dates
# ----------------------------------------------------------------------------------------------------------

def test_notebook_by_name_or_path(tmp_path: Path) -> None:
    assert set(available_notebooks([FIXTURES])) >= {"fixture_assessment", "failing", "trivial"}
    assert resolve_notebook("trivial", dirs=[FIXTURES]) == (FIXTURES / "trivial.ipynb").resolve()
    assert resolve_notebook("trivial.ipynb", dirs=[FIXTURES]) == (FIXTURES / "trivial.ipynb").resolve()
    assert resolve_notebook(FIXTURE) == FIXTURE.resolve()
    with pytest.raises(BatchError, match="unknown notebook 'crm_assesment'; available notebooks: failing, "
                                         "fixture_assessment, minimal_assessment, trivial"):
        resolve_notebook("crm_assesment", dirs=[FIXTURES])
    with pytest.raises(BatchError, match="not found"):
        resolve_notebook(tmp_path / "nope.ipynb")


def test_default_notebooks_come_from_repository() -> None:
    found = available_notebooks()
    expected = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert expected <= set(found)
    with pytest.raises(BatchError, match="available notebooks"):
        resolve_notebook("no_such_notebook")


def test_run_folders_never_overwrite(tmp_path: Path) -> None:
    day = dt.date(2026, 6, 30)
    first = new_run_folder(tmp_path, "sales", day)
    (first / "keep.txt").write_text("first", encoding="utf-8")
    second = new_run_folder(tmp_path, "sales", day)
    third = new_run_folder(tmp_path, "sales", day)
    other = new_run_folder(tmp_path, "sales", dt.date(2026, 7, 31))
    assert [p.name for p in (first, second, third, other)] == [
        "sales-2026-06-30", "sales-2026-06-30-2", "sales-2026-06-30-3", "sales-2026-07-31"]
    assert (first / "keep.txt").read_text(encoding="utf-8") == "first"


def test_dataset_name(tmp_path: Path) -> None:
    sample = ROOT / "datasets" / "sample"
    export = tmp_path / "Sales EU export.csv"
    export.write_text("a\n1\n", encoding="utf-8")
    assert dataset_name(export) == "Sales_EU_export"
    assert dataset_name(sample) == "sample"


def test_git_ignored_output_gives_no_warning(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    assert git_tracked_warning(ROOT / "output") is None  # output/ is in .gitignore
    assert git_tracked_warning(tmp_path / "out") is None  # not in a repository at all


def test_html_report_is_nbconvert_page_without_its_soup_pass(tmp_path: Path) -> None:
    """render_html skips HTMLExporter's BeautifulSoup re-parse but adds the same alt and tabindex
    attributes: the page parses to the same document as nbconvert's own."""
    import base64

    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    from gdprlab.crm.shown import CONTENT_SECURITY_POLICY
    from gdprlab.runner.html import TEMPLATE, TEMPLATES, accessible_page, render_html

    png = base64.b64encode(bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")).decode()
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title\n\nSome *text* with <b>html</b> & an ampersand."),
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("show()", outputs=[
            nbformat.v4.new_output("display_data", {"image/png": png, "text/plain": "<Figure>"}),
            nbformat.v4.new_output("display_data", {"text/html": '<table class="t"><tr><td>a &lt;b&gt;</td>'
                                                                 '<td><img src="x.png"></td></tr></table>',
                                                    "text/plain": "table"}),
            nbformat.v4.new_output("display_data", {"text/markdown": "**bold** `code`", "text/plain": "md"}),
            nbformat.v4.new_output("stream", name="stdout", text="printed\n"),
        ]),
    ]
    path = tmp_path / "run.ipynb"
    nbformat.write(nb, path)
    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {"parameters", "injected-parameters"}
    config.HTMLExporter.exclude_input = True
    config.HTMLExporter.exclude_input_prompt = True
    config.HTMLExporter.exclude_output_prompt = True
    config.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]
    config.HTMLExporter.template_name = TEMPLATE
    stock, _ = HTMLExporter(config=config).from_notebook_node(
        nbformat.read(path, as_version=4), resources={"content_security_policy": CONTENT_SECURITY_POLICY})
    ours = render_html(path, tmp_path / "report.html").read_text(encoding="utf-8")
    assert str(BeautifulSoup(ours, "html.parser")) == str(BeautifulSoup(stock, "html.parser"))
    assert 'tabindex="0"' in ours and "x = 1" not in ours
    page, missing = accessible_page('<div class="a jp-OutputArea-output"><img src="y"><img alt="" src="z">'
                                    '</div>')
    assert missing == 1
    assert page == ('<div class="a jp-OutputArea-output" tabindex="0"><img alt="No description has been '
                    'provided for this image" src="y"><img alt="" src="z"></div>')
