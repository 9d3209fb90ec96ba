"""The audit notebook's helpers (gdprlab.audit.notebook) on tiny tables, its parameters, and its charts and
tables.

The timing helpers must agree with the checks: a request the chart calls late is one request_overdue
reports, and likewise for breaches and retention; deadlines are calendar months (Art. 12(3)), not 30 days.
As-of is Tuesday 30 June 2026.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from helpers import table
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from gdprlab.audit import charts
from gdprlab.audit import notebook as audit
from gdprlab.audit.discovery.scan import scan_path
from gdprlab.audit.engine import run_checks, violating_ids
from gdprlab.crm.exports import ANSWER_KEYS
from gdprlab.crm.schema import TABLES
from gdprlab.regulation.catalogue import SEVERITIES
from gdprlab.regulation.policy import Policy
from gdprlab.runner.parameters import ParameterError


def _found(rule_id: str, tables: dict, policy: Policy | None = None) -> list[str]:
    return violating_ids(rule_id, tables, policy or Policy(), AS_OF)


AS_OF = dt.date(2026, 6, 30)
ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "datasets" / "sample"
NOTEBOOKS = ROOT / "notebooks"


def request(rid: str, received: str | None, responded: str | None = None, notice: str | None = None) -> dict:
    return {"request_id": rid, "contact_id": "C1", "type": "access", "received_on": received,
            "responded_on": responded, "extension_notified_on": notice,
            "status": "completed" if responded else "open"}


REQUESTS = table(
    "requests",
    # received Thu 15 Jan: one calendar month is Sun 15 Feb, moved to Mon 16 Feb (30 days would be 14 Feb)
    request("R1", "2026-01-15", "2026-02-16"),
    request("R2", "2026-01-15", "2026-02-17"),
    request("R3", "2026-05-01"),  # open at as-of, deadline 1 June
    request("R4", "2026-01-15", "2026-03-20", notice="2026-02-01"),  # extended in time
    request("R5", "2026-01-15", "2026-03-20", notice="2026-03-01"),  # notified too late: no extension
    request("R6", "2026-06-10"),  # open, still in time
    request("R7", None, "2026-01-01"),  # no receipt date: not judged
)


def breach(bid: str, aware: str, notified: str | None, risk: str = "high", reason: str | None = None) -> dict:
    return {"breach_id": bid, "aware_at": aware, "notified_authority_at": notified, "risk": risk,
            "delay_reason": reason, "description": "x", "consequences": "x", "measures": "x"}


BREACHES = table(
    "breaches",
    breach("B1", "2026-01-01T00:00:00Z", "2026-01-03T23:00:00Z"),  # 71 h
    breach("B2", "2026-01-01T00:00:00Z", "2026-01-04T02:00:00Z"),  # 74 h, no reasons
    breach("B7", "2026-01-01T00:00:00Z", "2026-01-04T01:00:00Z"),  # 73 h: the hour of awareness not counted
    breach("B3", "2026-01-01T00:00:00Z", "2026-01-10T00:00:00Z", reason="forensics first"),
    breach("B4", "2026-01-01T00:00:00Z", None, risk="unlikely"),
    breach("B5", "2026-01-01T00:00:00Z", None),
    breach("B6", "2026-06-29T12:00:00Z", None),  # 12 h before as-of midnight
)


def contact(cid: str, status: str | None, last: str | None) -> dict:
    return {"contact_id": cid, "status": status, "last_activity_at": last,
            "created_at": "2020-01-01T00:00:00Z"}


CONTACTS = table(
    "contacts",
    contact("C1", "lead", "2024-06-30T10:00:00Z"),  # exactly 24 months: still within
    contact("C2", "lead", "2024-06-29T10:00:00Z"),  # one day past
    contact("C3", "customer", "2024-06-29T10:00:00Z"),  # 36 months allowed
    contact("C4", "erased", "2010-01-01T00:00:00Z"),
    contact("C5", "former_customer", None),  # no activity: counted from its creation (2020)
)


# ----------------------------------------------------------------------------------------------------------
# parameters
# ----------------------------------------------------------------------------------------------------------

def checked(**values: object) -> audit.AuditParams:
    """The parameters as the notebook validates them, from its own folder."""
    return audit.validate(values, set(), base=NOTEBOOKS)


def problem(**values: object) -> str:
    with pytest.raises(ParameterError) as info:
        checked(**values)
    return str(info.value)


def test_parameter_defaults_resolve_against_the_notebook_folder() -> None:
    assert checked() == audit.AuditParams(dataset=SAMPLE, organisation="Example GmbH", as_of=None,
                                          policy=None, mapping=None, date_order=None, timezone="UTC",
                                          output_dir=None, evidence=5,
                                          top_actions=5, rules=None, fail_on=None, accepted_risks=None,
                                          reviewer="")


def test_spec_defaults_are_all_valid_and_documented() -> None:
    assert checked(**{s.name: s.default for s in audit.SPEC}).dataset == SAMPLE
    assert all(s.help and "=" not in s.help for s in audit.SPEC)  # papermill cannot parse '=' in a help
    assert len({s.name for s in audit.SPEC}) == len(audit.SPEC)


def test_parameter_values_are_converted(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("training_refresh_months: 6\n", encoding="utf-8")
    p = checked(dataset=str(SAMPLE), as_of="2026-02-28", policy=str(policy), output_dir="../output/x",
                evidence=0, top_actions=3, rules=" request_overdue, retention_exceeded,request_overdue ",
                fail_on="High", date_order=" MDY ", timezone="Europe/Berlin")
    assert (p.date_order, p.timezone) == ("mdy", "Europe/Berlin")
    assert (p.as_of, p.policy, p.output_dir) == (dt.date(2026, 2, 28), policy, ROOT / "output" / "x")
    assert p.rules == ("request_overdue", "retention_exceeded")
    assert (p.fail_on, p.evidence, p.top_actions) == ("high", 0, 3)


def test_dataset_may_be_a_single_export_file_but_not_empty_or_missing() -> None:
    assert checked(dataset="../datasets/sample/contacts.csv").dataset == SAMPLE / "contacts.csv"
    assert "dataset: empty" in problem(dataset=" ")
    assert "dataset: 'nowhere' does not exist (looked for " in problem(dataset="nowhere")
    assert "policy: 'no.yaml' does not exist" in problem(policy="no.yaml")
    assert "mapping: 'no.yaml' does not exist" in problem(mapping="no.yaml")


def test_date_order_and_timezone_are_checked_like_checks_options() -> None:
    assert "date_order: 'ymd': choose dmy (day first) or mdy (month first)" in problem(date_order="ymd")
    assert "timezone: unknown time zone 'Mars/Olympus'" in problem(timezone="Mars/Olympus")


def test_unknown_rule_id_lists_the_known_ones() -> None:
    message = problem(rules="request_overdue, request_overdu")
    assert "rules: unknown rule id(s) request_overdu; known: special_category_without_condition" in message
    assert audit.parse_rules(" , ") is None


@pytest.mark.parametrize("name", ["evidence", "top_actions"])
def test_negative_counts(name: str) -> None:
    assert f"{name}: must be at least 0, got -1" in problem(**{name: -1})


def test_bad_severity_and_date() -> None:
    assert "fail_on: 'severe' is not a severity; choose one of low, medium, high, critical" in problem(
        fail_on="severe")
    assert "as_of: '2026-13-01' is not a calendar date" in problem(as_of="2026-13-01")


# ----------------------------------------------------------------------------------------------------------
# timing
# ----------------------------------------------------------------------------------------------------------

def test_request_ages_use_calendar_months_and_extensions() -> None:
    ages = audit.request_ages(REQUESTS, AS_OF).set_index("request_id")
    assert list(ages.index) == ["R1", "R2", "R3", "R4", "R5", "R6"]
    assert ages.loc["R1", ["days_taken", "days_allowed", "days_over", "late"]].tolist() == [32, 32, 0, False]
    assert ages.loc["R2", "late"] and ages.loc["R2", "outcome"] == "answered late"
    assert ages.loc["R3", "outcome"] == "open, overdue" and ages.loc["R3", "days_taken"] == 60
    assert ages.loc["R4", ["extended", "late", "outcome"]].tolist() == [True, False, "answered in time"]
    r5 = ages.loc["R5", ["notice_late", "late", "outcome"]].tolist()
    assert r5 == [True, True, "extension notified late"]
    assert ages.loc["R6", "outcome"] == "open, in time"


def test_request_ages_agree_with_the_checks() -> None:
    ages = audit.request_ages(REQUESTS, AS_OF)
    t = {"requests": REQUESTS}
    assert set(ages.loc[ages["late"], "request_id"]) == set(_found("request_overdue", t))
    assert set(ages.loc[ages["notice_late"], "request_id"]) == set(_found("extension_not_notified", t))


def test_request_ages_count_the_controllers_public_holidays_as_the_checks_do() -> None:
    # one month from 6 March 2026 ends on Easter Monday, a holiday in Germany: due Tuesday 7 April
    requests = table("requests", request("R1", "2026-03-06", "2026-04-07"))
    germany = Policy(controller_country="DE")
    assert not audit.request_ages(requests, AS_OF, germany)["late"].any()
    assert audit.request_ages(requests, AS_OF)["late"].all()  # weekends only without a country
    assert _found("request_overdue", {"requests": requests}, germany) == []


def test_breach_delays_against_72_hours() -> None:
    d = audit.breach_delays(BREACHES, AS_OF).set_index("breach_id")
    assert d["outcome"].to_dict() == {
        "B1": "within 72 h", "B2": "late, no reasons", "B3": "late, reasons recorded",
        "B4": "not notified (risk unlikely)", "B5": "not notified", "B6": "pending (within 72 h)",
        "B7": "within 72 h"}
    assert d.loc["B1", "hours"] == 71 and d.loc["B2", "hours"] == 74 and d.loc["B6", "hours"] == 12
    t = {"breaches": BREACHES}
    assert set(d.index[d["outcome"] == "late, no reasons"]) == set(_found("breach_notified_late", t))
    assert set(d.index[d["outcome"] == "not notified"]) == set(_found("breach_not_notified", t))


def test_retention_ages_against_the_policy() -> None:
    ages = audit.retention_ages(CONTACTS, Policy(), AS_OF)
    assert ages["status"].tolist() == ["lead", "lead", "customer", "former_customer"]  # erased left out
    assert ages["over"].tolist() == [False, True, False, True]
    assert ages["limit_months"].tolist() == [24, 24, 36, 72]
    assert ages["months"].iloc[0] == pytest.approx(24, abs=0.1)
    assert ages["over"].sum() == len(_found("retention_exceeded", {"contacts": CONTACTS}))
    short = Policy(retention_months={"lead": 1, "customer": 1, "former_customer": 1})
    assert audit.retention_ages(CONTACTS, short, AS_OF)["over"].all()


def test_retention_ages_count_as_the_check_does_from_the_last_interaction_with_holds() -> None:
    contacts = table("contacts", contact("C1", "lead", "2026-06-01T00:00:00Z"),
                     {**contact("C2", "lead", "2026-06-01T00:00:00Z"),
                      "retention_ground": "17(3)(e) legal claims", "retention_until": "2027-01-01"})
    activities = table("activities", *({"activity_id": f"E{i}", "contact_id": f"C{i}", "type": kind,
                                        "occurred_at": "2026-06-01T00:00:00Z"}
                                       for i, kind in ((1, "marketing_email"), (2, "note"))))
    ages = audit.retention_ages(contacts, Policy(), AS_OF, activities)
    assert ages["over"].tolist() == [True, False]  # created in 2020, only a send since; C2 held
    tables = {"contacts": contacts, "activities": activities}
    assert ages["over"].sum() == len(_found("retention_exceeded", tables))


def test_an_export_without_status_or_last_activity_has_no_retention_to_time() -> None:
    ages = audit.retention_ages(CONTACTS.drop(columns=["status"]), Policy(), AS_OF)
    assert ages.empty and list(ages.columns) == ["status", "months", "limit_months", "over"]
    assert audit.timing_summary(ages, "status", "over").empty


def test_timing_agrees_with_the_checks_on_the_sample_dataset() -> None:
    params = audit.validate({"dataset": str(SAMPLE)}, set())
    inputs = audit.load_inputs(params)
    a = audit.assess(inputs, params)
    t = inputs.tables
    ages = audit.request_ages(t["requests"], inputs.as_of, inputs.policy)
    assert set(ages.loc[ages["late"], "request_id"]) == set(a.result("request_overdue").record_ids)
    delays = audit.breach_delays(t["breaches"], inputs.as_of)
    late = delays.loc[delays["outcome"] == "late, no reasons", "breach_id"]
    assert set(late) == set(a.result("breach_notified_late").record_ids)
    kept = audit.retention_ages(t["contacts"], inputs.policy, inputs.as_of, t["activities"])
    assert kept["over"].sum() == a.result("retention_exceeded").count > 0


def test_timing_summary_counts_and_shares() -> None:
    s = audit.timing_summary(audit.retention_ages(CONTACTS, Policy(), AS_OF), "status", "over")
    assert s.set_index("status").to_dict("index") == {
        "customer": {"records": 1, "over": 0, "share": 0.0}, "lead": {"records": 2, "over": 1, "share": 0.5},
        "former_customer": {"records": 1, "over": 1, "share": 1.0}}
    assert audit.timing_summary(pd.DataFrame(), "status", "over").empty


# ----------------------------------------------------------------------------------------------------------
# scope, findings, actions
# ----------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def partial():
    """An assessment of requests and breaches only: every rule needing another table is not assessed."""
    tables = {"requests": REQUESTS, "breaches": BREACHES}
    return tables, run_checks(tables, Policy(), AS_OF, evidence=2)


def test_scope_lists_every_table_and_the_rules_a_missing_one_blocks(partial) -> None:
    tables, a = partial
    scope = audit.scope_summary(tables, a)
    assert list(scope.index) == list(TABLES)
    assert scope.loc["requests", "present"] and scope.loc["requests", "rows"] == len(REQUESTS)
    assert scope.loc["requests", ["first", "last"]].tolist() == [dt.date(2026, 1, 15), dt.date(2026, 6, 10)]
    assert not scope.loc["contacts", "present"] and pd.isna(scope.loc["contacts", "rows"])
    assert "retention_exceeded" in scope.loc["contacts", "rules not assessed"]
    assert scope.loc["requests", "rules not assessed"] == ""
    # needs activities, and consents or requests: blocked by the missing activities, not by consents
    assert "processing_after_withdrawal" in scope.loc["activities", "rules not assessed"]
    assert "processing_after_withdrawal" not in scope.loc["consents", "rules not assessed"]
    assert audit.period_covered(tables) == (dt.date(2026, 1, 1), dt.date(2026, 6, 29))
    assert audit.period_covered({}) == (None, None)
    assert "table contacts missing" in set(audit.not_assessed_frame(a)["reason"])


def test_findings_and_evidence_frames(partial) -> None:
    _, a = partial
    f = audit.findings_frame(a)
    assert set(f["rule"]) == {r.rule_id for r in a.failed} >= {"request_overdue", "breach_notified_late"}
    row = f.set_index("rule").loc["request_overdue"]
    assert row["articles"] == "Art. 12(3)" and row["count"] == 3 and row["population"] == 6
    ev = audit.evidence_frame(a.result("request_overdue"))
    assert list(ev["record_id"]) == ["R2", "R3"] and len(ev) <= 2


def test_actions_most_severe_then_largest_with_owner_and_due_date(partial) -> None:
    from gdprlab.audit.actions import track

    _, a = partial
    table = audit.actions_frame(track(a, "crm"))
    ranks = [SEVERITIES.index(s) for s in table["severity"]]
    assert ranks == sorted(ranks, reverse=True)
    for _, same in table.groupby("severity"):
        assert list(same["records"]) == sorted(same["records"], reverse=True)
    assert set(table["status"]) == {"new"} and table["owner"].str.len().gt(0).all()
    assert table["due"].str.match(r"\d{4}-\d{2}-\d{2}$").all()
    assert list(table["id"]) == [f"crm:{r.rule_id}" for r in a.failed]


def test_scores_frame_has_every_concern_and_overall(partial) -> None:
    _, a = partial
    s = audit.scores_frame(a)
    assert s.index[-1] == "overall"
    # a third of the catalogue's weight assessed: too little for an overall score
    assert a.scores.coverage < 0.5 and a.scores.overall is None and pd.isna(s.loc["overall", "score"])
    assert s.loc["overall", "rules"] == len(a.results)
    assert pd.isna(s.loc["education", "score"])  # no policies table: not assessed, not 100


def test_concern_heading_never_calls_unchecked_rules_passed(partial) -> None:
    _, a = partial
    # no policies table, no recipients table
    assert audit.concern_heading(a, "education") == "Education: not assessed (2 rule(s), see Scope)"
    failed = sum(r.status == "failed" for r in a.results if r.check.concern == "security_plans")
    expected = f"Security plans: {failed} of 4 rule(s) assessed failed"
    assert audit.concern_heading(a, "security_plans") == expected
    # erasure_incomplete, processing_after_erasure_or_restriction, third_party_data_without_notice and
    # automated_decision_without_exception need tables the partial export lacks
    assert audit.concern_heading(a, "rights").endswith(", 4 not assessed")


def test_fail_on(partial) -> None:
    _, a = partial
    audit.enforce_fail_on(a, None)
    with pytest.raises(audit.FindingsAboveThreshold, match="severity low or higher failed"):
        audit.enforce_fail_on(a, "low")


def test_fail_on_fails_a_run_that_assessed_too_little_to_tell() -> None:
    policies = table("policies", {"policy_id": "P1", "kind": "privacy_notice",
                                  "last_reviewed_on": "2026-01-01"})
    a = run_checks({"policies": policies}, Policy(), dt.date(2026, 6, 30))
    assert not a.failed and a.scores.overall is None
    with pytest.raises(audit.FindingsAboveThreshold, match="below the minimum of 50 %"):
        audit.enforce_fail_on(a, "critical")
    audit.enforce_fail_on(a, None)


# ----------------------------------------------------------------------------------------------------------
# inputs, scan, outputs
# ----------------------------------------------------------------------------------------------------------

def test_inputs_take_the_datasets_as_of_and_policy(tmp_path: Path) -> None:
    params = audit.validate({"dataset": str(SAMPLE)}, set(), base=tmp_path)
    inputs = audit.load_inputs(params, base=tmp_path / "notebooks")
    assert (inputs.as_of, inputs.as_of_source) == (dt.date(2026, 11, 1), "the dataset's manifest.json")
    assert inputs.policy_source == "the dataset's policy.yaml"
    assert inputs.output_dir == tmp_path / "output" / "sample-2026-11-01"
    assert set(inputs.tables) == {p.stem for p in SAMPLE.glob("*.csv") if p.stem not in ANSWER_KEYS}


def test_inputs_given_as_parameters_win(tmp_path: Path) -> None:
    params = audit.validate({"dataset": str(SAMPLE / "staff.csv"), "as_of": "2026-01-31"}, set(),
                            base=tmp_path)
    inputs = audit.load_inputs(params, base=tmp_path)
    assert (inputs.as_of, inputs.as_of_source) == (dt.date(2026, 1, 31), "given")
    assert (set(inputs.tables), inputs.name) == ({"staff"}, "staff")
    assert inputs.output_dir == tmp_path.parent / "output" / "staff-2026-01-31"


def test_personal_data_summaries_show_no_values(tmp_path: Path) -> None:
    pd.DataFrame({"Email": ["anna.schmidt@example.de", "jan.kowalski@example.pl"] * 5,
                  "Notes": ["call back", "Anna asked about IBAN DE89370400440532013000"] * 5,
                  "Amount": ["1", "2"] * 5}).to_csv(tmp_path / "export.csv", index=False)
    scan = scan_path(tmp_path)
    cols = audit.personal_columns(scan)
    assert {"Email", "Notes"} <= set(cols["column"]) and "Amount" not in set(cols["column"])
    cats = audit.categories_summary(scan)
    assert cats.set_index("category").loc["email", "columns"] == 1
    free = audit.free_text_summary(scan)
    assert free.loc["iban"].sum() == 5
    shown = cols.to_string() + cats.to_string() + free.to_string()
    assert "anna.schmidt" not in shown and "DE8937" not in shown


def test_write_outputs_atomically_into_a_new_folder(partial, tmp_path: Path) -> None:
    _, a = partial
    folder = tmp_path / "deep" / "out"
    written = audit.write_outputs(a, folder)
    assert sorted(p.name for p in folder.iterdir()) == ["findings.csv", "findings.json"]  # no temp left
    assert json.loads(written["json"].read_text(encoding="utf-8"))["metadata"]["as_of"] == "2026-06-30"
    audit.write_atomic(written["csv"], "replaced\n")
    assert written["csv"].read_text(encoding="utf-8") == "replaced\n"


def test_write_atomic_leaves_no_temp_file_on_failure(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        audit.write_atomic(tmp_path / "x.json", None)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------------------------------------
# charts and styled tables
# ----------------------------------------------------------------------------------------------------------

def test_charts_return_figures(partial) -> None:
    _, a = partial
    figures = [
        charts.findings_chart(a),
        charts.request_ages_chart(audit.request_ages(REQUESTS, AS_OF)),
        charts.breach_delays_chart(audit.breach_delays(BREACHES, AS_OF)),
        charts.retention_chart(audit.retention_ages(CONTACTS, Policy(), AS_OF), Policy()),
    ]
    for fig in figures:
        assert isinstance(fig, Figure)
        fig.canvas.draw()


def _texts_inside(fig: Figure) -> list[str]:
    """Axes whose drawn labels (title, ticks, axis labels, legend) reach outside the figure, and a
    suptitle that does: clipped in the PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    width, height = fig.bbox.width, fig.bbox.height
    boxes = [(ax.get_title() or f"axes {i}", ax.get_tightbbox(renderer)) for i, ax in enumerate(fig.axes)]
    if fig._suptitle is not None:
        boxes.append(("suptitle", fig._suptitle.get_window_extent(renderer)))
    return [name for name, box in boxes
            if box.x0 < -0.5 or box.y0 < -0.5 or box.x1 > width + 0.5 or box.y1 > height + 0.5]


def test_fixed_margins_keep_every_label_inside_the_figure() -> None:
    """The figures have fixed margins (no constrained layout): labels of the sample, and of big data
    (five-digit counts, the longest breach outcome with a four-digit count), must still fit."""
    params = audit.validate({"dataset": str(SAMPLE), "organisation": "X", "as_of": "", "policy": "",
                             "mapping": "", "output_dir": "", "evidence": 2, "top_actions": 5, "rules": "",
                             "fail_on": ""}, set())
    inputs = audit.load_inputs(params)
    a = audit.assess(inputs, params)
    big_contacts = pd.concat([inputs.tables["contacts"]] * 20, ignore_index=True)
    big_breaches = pd.concat([inputs.tables["breaches"]] * 100, ignore_index=True)
    figures = {
        "findings": charts.findings_chart(a),
        "requests": charts.request_ages_chart(audit.request_ages(inputs.tables["requests"], inputs.as_of)),
        "breaches": charts.breach_delays_chart(audit.breach_delays(inputs.tables["breaches"], inputs.as_of)),
        "retention": charts.retention_chart(audit.retention_ages(inputs.tables["contacts"], inputs.policy,
                                                                 inputs.as_of, inputs.tables["activities"]),
                                            inputs.policy),
        "big breaches": charts.breach_delays_chart(audit.breach_delays(big_breaches, inputs.as_of)),
        "big retention": charts.retention_chart(
            audit.retention_ages(big_contacts, inputs.policy, inputs.as_of), inputs.policy),
    }
    assert "not notified (risk unlikely) (2,400)".replace(",", "") in [
        t.get_text() for t in figures["big breaches"].axes[0].get_yticklabels()]
    for name, fig in figures.items():
        assert _texts_inside(fig) == [], name


def test_charts_of_nothing_say_so() -> None:
    empty = [
        charts.request_ages_chart(audit.request_ages(REQUESTS.iloc[:0], AS_OF)),
        charts.breach_delays_chart(audit.breach_delays(BREACHES.iloc[:0], AS_OF)),
        charts.retention_chart(audit.retention_ages(CONTACTS.iloc[:0], Policy(), AS_OF), Policy()),
    ]
    for fig in empty:
        assert isinstance(fig, Figure) and fig.axes[0].texts


def test_style_renders_html(partial) -> None:
    _, a = partial
    styled = charts.style(audit.findings_frame(a), caption="Findings", percent=("rate",))
    assert isinstance(styled, Styler)
    html = styled.to_html()
    assert "Findings" in html and "%" in html and "background-color" in html
    assert "not assessed" in charts.style(audit.scores_frame(a).reset_index()).to_html()


def test_histograms_stack_counts_per_group() -> None:
    ages = audit.retention_ages(CONTACTS, Policy(), AS_OF)
    fig = charts.retention_chart(ages, Policy())
    for ax in fig.axes:
        rows = ages[ages["status"] == ax.get_title().split(":")[0]]
        within, past = (patch.get_data() for patch in ax.patches[:2])  # one filled step patch per group
        assert within.values.sum() == (~rows["over"]).sum()
        assert (past.baseline == within.values).all()  # stacked on the first
        assert (past.values - past.baseline).sum() == rows["over"].sum()


def test_figures_show_as_png_without_pyplot(partial) -> None:
    from IPython.core.interactiveshell import InteractiveShell

    _, a = partial
    png = charts.figure_png(charts.findings_chart(a))
    saved = io.BytesIO()
    charts.findings_chart(a).savefig(saved, format="png")
    assert png.startswith(b"\x89PNG") and png == saved.getvalue()  # savefig's bytes, one layout pass
    shell = InteractiveShell.instance()
    charts.show_figures_inline(shell)
    data, _ = shell.display_formatter.format(charts.findings_chart(a))
    assert data["image/png"]
    log_axis = charts.breach_delays_chart(audit.breach_delays(BREACHES, AS_OF)).axes[0]
    assert log_axis.xaxis.get_major_formatter()(100, 0) == "100"  # plain numbers, no mathtext


def test_style_sets_ids_only_on_styled_cells(partial) -> None:
    _, a = partial
    html = charts.style(audit.findings_frame(a)).to_html()
    assert "background-color" in html  # severities still coloured, through the ids of their cells
    plain = charts.style(pd.DataFrame({"kind": ["email"], "rows": [1234]})).to_html()
    assert "1,234" in plain and "_row0_col1" not in plain
