"""notebooks/training_dashboard.ipynb run by papermill on a store filled the way learners fill it.

A temporary SQLite store gets a roster (gdprlab.training.store.roster) and quiz attempts through
ProgressStore.record;
the notebook runs with non-default parameters (that store, one department, a fixed as-of date) and the
exported HR CSV must hold exactly the expected rows and statuses, with due dates in calendar months
(a pass on 29 February 2024 is current up to and including 28 February 2025). Bad parameters stop the run
with the library's message.
"""

from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pandas as pd
import papermill as pm
import pytest

from gdprlab.training import dashboard
from gdprlab.training.store.progress import ProgressStore
from gdprlab.training.store.records import Attempt
from gdprlab.training.store.roster import RosterStore

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "training_dashboard.ipynb"
AS_OF = "2025-02-28"
LESSONS = [f"0{n}_{name}" for n, name in enumerate(
    ["classification", "permission", "minimisation", "encryption", "rights", "people", "security_plans",
     "education"], start=1)]

ROSTER = """staff_id,name,email,department,role,crm_access,start_date,learner_id
s1,Ann Example,ann@example.invalid,Sales,sales_rep,standard,2023-01-02,
s2,Bo Example,bo@example.invalid,Sales,manager,full,2023-01-02,lrn-2
s3,Cy Example,cy@example.invalid,Support,agent,standard,2023-01-02,
s4,Di Example,di@example.invalid,Sales,assistant,none,2023-01-02,
"""

# (learner, lesson, submitted at UTC, passed)
ATTEMPTS = [
    ("s1", "01_classification", "2024-02-29T10:00", True),  # due 2025-02-28: current on the as-of day
    ("s1", "02_permission", "2024-02-27T10:00", True),  # due 2025-02-27: overdue since the as-of day
    ("s1", "03_minimisation", "2024-12-01T10:00", False),
    ("s1", "04_encryption", "2024-01-31T10:00", True),  # due 2025-01-31: overdue
    ("s1", "04_encryption", "2025-01-10T10:00", False),  # a later failure does not renew the pass
    ("s1", "06_people", "2025-01-31T10:00", True),
    ("s1", "07_security_plans", "2025-01-27T10:00", True),
    ("lrn-2", "01_classification", "2025-02-28T23:30", True),  # late on the as-of day (UTC): counts
    ("lrn-2", "05_rights", "2025-03-01T00:10", True),  # after as_of: ignored
    ("s3", "01_classification", "2025-01-05T10:00", True),  # another department
    ("s4", "01_classification", "2025-01-05T10:00", True),  # no CRM access: not required
    ("ghost", "01_classification", "2025-01-05T10:00", True),  # not on the roster
]


def execute(out: Path, **parameters: object) -> Path:
    pm.execute_notebook(str(NOTEBOOK), str(out), parameters=parameters, cwd=str(NOTEBOOK.parent),
                        kernel_name="python3", progress_bar=False)
    return out


@pytest.fixture(scope="module")
def store_url(tmp_path_factory) -> str:
    tmp = tmp_path_factory.mktemp("store")
    url = f"sqlite:///{tmp / 'progress.sqlite'}"
    (tmp / "roster.csv").write_text(ROSTER, encoding="utf-8")
    with RosterStore(url) as roster:
        assert roster.import_csv(tmp / "roster.csv").counts()["added"] == 4
    with ProgressStore(url, outbox_dir=tmp / "outbox", grader=None) as store:  # made-up scores (80 %)
        for learner, lesson, when, passed in ATTEMPTS:
            submitted = dt.datetime.fromisoformat(when).replace(tzinfo=dt.UTC)
            attempt = Attempt(learner=learner, lesson=lesson, quiz=lesson, bank_version="t1",
                              answers={"q": 1}, score=4.0 if passed else 1.0, max_score=5.0, passed=passed,
                              submitted_at=submitted)
            assert store.record(attempt).stored
    return url


def run(tmp: Path, store_url: str, **extra: object) -> tuple[Path, pd.DataFrame]:
    out = tmp / "exports"
    notebook = execute(tmp / "executed.ipynb", database_url=store_url, department="Sales", as_of=AS_OF,
                       output_dir=str(out), **extra)
    frame = pd.read_csv(out / "training_status.csv", dtype=str, keep_default_na=False)
    return notebook, frame


@pytest.fixture(scope="module")
def sales(store_url, tmp_path_factory):
    return run(tmp_path_factory.mktemp("sales"), store_url)


def statuses(frame: pd.DataFrame, learner: str) -> dict[str, tuple[str, str]]:
    rows = frame[frame["learner_id"] == learner]
    return {r.lesson: (r.status, r.due_date) for r in rows.itertuples()}


def test_parameters_cell_matches_the_spec() -> None:
    found = pm.inspect_notebook(str(NOTEBOOK))
    assert list(found) == [p.name for p in dashboard.SPEC]
    for p in dashboard.SPEC:
        assert found[p.name]["inferred_type_name"] == p.type.__name__
        default = f'"{p.default}"' if isinstance(p.default, str) else repr(p.default)
        assert found[p.name]["default"] == default
        assert found[p.name]["help"] == p.help


def test_exported_csv_rows_and_statuses(sales) -> None:
    _, frame = sales
    assert list(frame.columns) == ["staff_id", "learner_id", "department", "role", "lesson", "required",
                                   "status", "reason", "last_pass", "due_date",
                                   "best_score"]
    # Sales only: s1 and lrn-2 need every lesson, s4 (no CRM access) has one attempted, unrequired lesson
    assert len(frame) == 8 + 8 + 1
    assert set(frame["department"]) == {"Sales"}
    assert set(frame["learner_id"]) == {"s1", "lrn-2", "s4"}
    assert statuses(frame, "s1") == {
        "01_classification": ("passed_current", "2025-02-28"),
        "02_permission": ("overdue", "2025-02-27"),
        "03_minimisation": ("failed_only", ""),
        "04_encryption": ("overdue", "2025-01-31"),
        "05_rights": ("never_started", ""),
        "06_people": ("passed_current", "2026-01-31"),
        "07_security_plans": ("passed_current", "2026-01-27"),
        "08_education": ("never_started", ""),
    }
    lrn2 = statuses(frame, "lrn-2")
    assert lrn2.pop("01_classification") == ("passed_current", "2026-02-28")
    assert set(lrn2) == set(LESSONS[1:]) and set(lrn2.values()) == {("never_started", "")}
    assert statuses(frame, "s4") == {"01_classification": ("not_required", "2026-01-05")}
    s1 = frame[frame["learner_id"] == "s1"].set_index("lesson")
    assert s1.loc["04_encryption", "last_pass"] == "2024-01-31"
    assert s1.loc["04_encryption", "best_score"] == "80.0"  # the pass, not the later failure


def test_no_export_and_not_the_notebook_shows_a_name_or_e_mail(sales) -> None:
    notebook, _ = sales
    raw = [value for line in ROSTER.splitlines()[1:] for value in line.split(",")[1:3]]
    assert "Ann Example" in raw and "ann@example.invalid" in raw
    files = [notebook, *sorted((notebook.parent / "exports").iterdir())]
    assert len(files) >= 4  # the notebook, training_status.csv, xapi_statements.json, summary.json
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert [value for value in raw if value in text] == [], path.name


def test_xapi_summary_and_notebook_outputs(sales) -> None:
    notebook, _ = sales
    out = notebook.parent / "exports"
    statements = json.loads((out / "xapi_statements.json").read_text(encoding="utf-8"))
    assert len(statements) == 9  # Sales attempts up to as_of: s1 7, lrn-2 1, s4 1
    assert {s["actor"]["account"]["name"] for s in statements} == {"s1", "lrn-2", "s4"}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["as_of"] == AS_OF and summary["department"] == "Sales"
    assert summary["overdue"] == 2 and summary["passed_current"] == 4
    assert summary["unknown_learners"] == ["ghost"]
    text = "\n".join(json.dumps(c.get("outputs", [])) for c in nbformat.read(notebook, as_version=4).cells)
    assert "ghost" in text and "Ann Example" not in text and "ann@example.invalid" not in text
    overdue_table = text.index("2025-01-31")
    assert overdue_table < text.index("2025-02-27", overdue_table)  # oldest due date first


def test_refresh_months_parameter_uses_calendar_months(store_url, tmp_path) -> None:
    _, frame = run(tmp_path, store_url, refresh_months=1)
    s1 = statuses(frame, "s1")
    assert s1["06_people"] == ("passed_current", "2025-02-28")  # 31 January + 1 month
    assert s1["07_security_plans"] == ("overdue", "2025-02-27")


def test_bad_parameters_stop_with_one_message(store_url, tmp_path) -> None:
    with pytest.raises(pm.PapermillExecutionError) as caught:
        execute(tmp_path / "bad.ipynb", database_url="postgresql+psycopg://u:secret@127.0.0.1/test",
                as_of="2025-02-30", refresh_months=0, output_dir=str(tmp_path / "x"))
    message = str(caught.value)
    assert "ParameterError" in message and "3 parameter problem(s)" in message
    assert "PGPASSWORD" in message and "calendar date" in message and "at least 1" in message


def test_unknown_department_names_the_known_ones(store_url, tmp_path) -> None:
    with pytest.raises(pm.PapermillExecutionError, match="Sales, Support"):
        execute(tmp_path / "dept.ipynb", database_url=store_url, department="Legal", as_of=AS_OF,
                output_dir=str(tmp_path / "x"))


def test_a_missing_store_is_an_error_and_is_not_created(tmp_path) -> None:
    missing = tmp_path / "typo.sqlite"
    with pytest.raises(pm.PapermillExecutionError, match="reading never creates one"):
        execute(tmp_path / "missing.ipynb", database_url=f"sqlite:///{missing}", as_of=AS_OF,
                output_dir=str(tmp_path / "m"))
    assert not missing.exists()


def test_empty_store_says_so_and_still_exports(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    with ProgressStore(url, outbox_dir=tmp_path / "outbox") as store:  # a store that exists, empty
        store.schema_version()
    assert (tmp_path / "empty.sqlite").is_file()
    notebook = execute(tmp_path / "empty.ipynb", database_url=url, as_of=AS_OF,
                       output_dir=str(tmp_path / "e"))
    text = "\n".join(json.dumps(c.get("outputs", [])) for c in nbformat.read(notebook, as_version=4).cells)
    assert "no quiz attempts and no roster yet" in text
    hr = (tmp_path / "e" / "training_status.csv").read_text(encoding="utf-8")
    assert hr.startswith("staff_id,learner_id,")
    assert json.loads((tmp_path / "e" / "xapi_statements.json").read_text(encoding="utf-8")) == []


def test_validate_refuses_a_password_and_resolves_defaults(tmp_path) -> None:
    params = dashboard.validate({}, set(), base=tmp_path, today=dt.date(2026, 1, 5))
    assert params.as_of == dt.date(2026, 1, 5) and params.department is None and not params.demo
    assert params.output_dir == (tmp_path / ".." / "output" / "training-2026-01-05").resolve()
    with pytest.raises(dashboard.ParameterError, match="PGPASSWORD"):
        dashboard.validate({"database_url": "postgresql://me:pw@db/x"}, set())
    with pytest.raises(dashboard.ParameterError, match="demo"):
        dashboard.validate({"demo": True, "database_url": "sqlite:///x.db"}, set())
    with pytest.raises(dashboard.ParameterError, match="unknown parameter 'departmnt'"):
        dashboard.validate({"departmnt": "Sales"}, set())


def test_demo_shows_made_up_staff_and_leaves_no_store_behind(tmp_path) -> None:
    out = tmp_path / "demo"
    executed = execute(tmp_path / "demo.ipynb", demo=True, as_of="2026-11-30", output_dir=str(out))
    frame = pd.read_csv(out / "training_status.csv")
    assert len(frame) > 20 and {"passed_current", "never_started"} <= set(frame["status"])
    assert sorted(p.name for p in out.iterdir()) == ["summary.json", "training_status.csv",
                                                     "xapi_statements.json"]
    assert "throw-away **demo** store" in executed.read_text(encoding="utf-8")


def test_dashboards_shown_at_once_each_read_their_own_demo_store(tmp_path) -> None:
    """Two viewers of the served notebook run it at the same time: neither deletes or refills the store the
    other is reading, so both see the whole demo."""
    params = dashboard.validate({"demo": True, "as_of": "2026-11-30", "output_dir": str(tmp_path)}, set())
    with ThreadPoolExecutor(2) as pool:
        boards = list(pool.map(lambda _: dashboard.load(params), range(2)))
    for board in boards:
        assert board.demo and board.roster["staff_id"].nunique() == 12
        pd.testing.assert_frame_equal(board.status, boards[0].status)
    assert list(tmp_path.iterdir()) == []


def test_monthly_trend_counts_every_month_up_to_the_last() -> None:
    attempts = pd.DataFrame({
        "learner": ["a", "a", "b"], "passed": [False, True, True],
        "submitted_at": pd.to_datetime(["2025-01-31T23:59Z", "2025-01-02T00:00Z", "2025-03-01T00:00Z"]),
    })
    trend = dashboard.monthly_trend(attempts)
    assert [str(m) for m in trend["month"]] == ["2025-01", "2025-02", "2025-03"]
    assert trend[["attempts", "passed", "learners"]].to_numpy().tolist() == [[2, 1, 1], [0, 0, 0], [1, 1, 1]]
    assert dashboard.monthly_trend(attempts.iloc[:0]).empty
