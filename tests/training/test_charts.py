"""The trainer's dashboard drawn: tables as Stylers, figures built without pyplot, an empty store said so."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from gdprlab.audit.charts import alt_text, figure_png, show_figures_inline
from gdprlab.training import charts, dashboard
from gdprlab.training.status import Requirements, completion, lesson_status

AS_OF = dt.date(2025, 6, 30)
ROSTER = pd.DataFrame({"staff_id": ["S1", "S2", "S3"], "learner_id": ["a", "b", "c"],
                       "name": ["A", "B", "C"], "department": ["Sales", "Sales", "Support"],
                       "role": ["rep", "rep", "agent"], "crm_access": ["standard"] * 3,
                       "start_date": [dt.date(2024, 1, 1)] * 3})
ATTEMPTS = pd.DataFrame({
    "learner": ["a", "a", "b", "c"], "lesson": ["l1", "l2", "l1", "l1"], "bank_version": "1",
    "score": [9.0, 3.0, 8.0, 10.0], "max_score": 10.0, "passed": [True, False, True, True],
    "submitted_at": pd.to_datetime(["2025-06-01T10:00Z", "2025-06-02T10:00Z", "2024-01-05T10:00Z",
                                    "2025-05-01T10:00Z"]),
})
STATUS = lesson_status(ROSTER, ATTEMPTS, Requirements(default=("l1", "l2")), AS_OF)


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts + ax.get_yticklabels() + ax.get_xticklabels()]


def test_a_table_shows_dates_as_days_colours_statuses_and_hides_the_index():
    page = charts.table(dashboard.to_do(STATUS), caption="To do").to_html()
    assert "To do" in page and "2025-01-05" in page and "00:00:00" not in page
    assert f"color: {charts.STATUS_COLOURS['overdue']}" in page and ">overdue<" in page
    assert 'class="row_heading' not in page


def test_the_completion_chart_stacks_one_bar_per_status_for_each_group():
    fig = charts.completion_chart(STATUS, "department")
    [ax] = fig.axes
    assert [label.get_text() for label in ax.get_yticklabels()] == ["Sales", "Support"]
    assert len(ax.patches) == 2 * len(charts.STATUS_COLOURS)
    red = to_rgba(charts.STATUS_COLOURS["overdue"])
    assert [p.get_width() for p in ax.patches if p.get_facecolor() == red] == [1, 0]  # b's 2024 pass expired
    assert figure_png(fig).startswith(b"\x89PNG")


def test_the_score_chart_has_a_bar_group_per_lesson_and_the_trend_chart_a_pair_per_month():
    scores = charts.scores_chart(ATTEMPTS)
    assert sorted(t.get_text() for t in scores.axes[0].get_legend().get_texts()) == ["l1", "l2"]
    trend = dashboard.monthly_trend(ATTEMPTS)
    fig = charts.trend_chart(trend)
    assert len(fig.axes[0].patches) == 2 * len(trend)


def test_an_empty_store_gives_figures_that_say_so():
    empty = ATTEMPTS.iloc[:0]
    assert "no attempts yet" in texts(charts.scores_chart(empty))
    assert "no attempts yet" in texts(charts.trend_chart(dashboard.monthly_trend(empty)))
    assert "no required lessons yet" in texts(charts.completion_chart(STATUS.iloc[:0]))


def _luminance(colour: str) -> float:
    """Relative luminance, WCAG 2.1 (sRGB channels linearised)."""
    red, green, blue = (int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4))

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(foreground: str, background: str = "#ffffff") -> float:
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_contrast_formula_gives_the_known_ratios():
    assert contrast("#000000") == 21.0 and contrast("#ffffff") == 1.0
    assert round(contrast("#767676"), 2) == 4.54  # the lightest grey that passes AA on white
    assert contrast("#bababa") < 2 and contrast("#fdae61") < 2  # the colours the issue found failing


def test_status_colours_and_chart_text_meet_wcag_aa_on_white():
    """The status is written in its colour on white (tables): text needs 4.5 : 1 (WCAG 2.1, 1.4.3)."""
    ratios = {status: round(contrast(colour), 2) for status, colour in charts.STATUS_COLOURS.items()}
    assert all(ratio >= 4.5 for ratio in ratios.values()), ratios
    assert contrast(charts.MUTED) >= 4.5 and contrast(charts.ATTEMPTS_COLOUR) >= 3  # bars: 1.4.11
    page = charts.table(dashboard.to_do(STATUS)).to_html()
    for status in ("overdue", "never_started", "failed_only"):
        if f">{status}<" in page:
            assert f"color: {charts.STATUS_COLOURS[status]};\n  background-color: white;" in page


def test_a_table_scrolls_in_a_box_reached_by_tab_and_is_written_in_16_px():
    """A notebook shows the table in a box of its own (a phone scrolls it sideways; Tab reaches it, named by
    the caption); the table's text is 16 px, not JupyterLab's 13 px."""
    styled = charts.table(dashboard.to_do(STATUS), caption="To do")
    shown = styled._repr_html_()
    assert shown.startswith("<div class='gdprlab-scroll' role='region' tabindex='0' aria-label='To do'")
    assert shown.endswith("</table>\n</div>") and styled.to_html() in shown
    assert shown.count("font-size: 16px") >= 3
    unnamed = charts.table(dashboard.monthly_trend(ATTEMPTS))._repr_html_()
    assert "aria-label='Table of month, attempts, passed, learners'" in unnamed


def test_every_figure_has_an_alt_text_with_what_it_shows():
    counts = completion(STATUS, "department")
    passed, required = int(counts["passed_current"].sum()), int(counts["required"].sum())
    worst = counts.sort_values("percent").iloc[0]
    assert alt_text(charts.completion_chart(STATUS, "department")) == (
        f"{passed} of {required} required lessons are passed and current ({100 * passed / required:.0f} %); "
        f"lowest department: {worst['department']} at {worst['percent']:.0f} %.")
    scores = alt_text(charts.scores_chart(ATTEMPTS))
    assert scores.startswith(f"{len(ATTEMPTS)} attempts in 2 lessons; most scored ")
    trend = dashboard.monthly_trend(ATTEMPTS)
    assert alt_text(charts.trend_chart(trend)) == (
        f"{len(ATTEMPTS)} attempts and {int(ATTEMPTS['passed'].sum())} passes from {trend['month'].iloc[0]} "
        f"to {trend['month'].iloc[-1]}; in {trend['month'].iloc[-1]}: {int(trend['attempts'].iloc[-1])} "
        f"attempts, {int(trend['passed'].iloc[-1])} passes.")
    assert alt_text(charts.trend_chart(dashboard.monthly_trend(ATTEMPTS.iloc[:0]))) == "No attempts yet."


def test_in_voila_and_jupyterlab_a_figure_is_an_image_with_its_alt_text():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    show_figures_inline(shell, as_html=True)
    fig = charts.trend_chart(dashboard.monthly_trend(ATTEMPTS))
    try:
        data, metadata = shell.display_formatter.format(fig)
    finally:  # the shell is shared with other tests, which expect no HTML form
        shell.display_formatter.formatters["text/html"].pop(Figure)
    alt = alt_text(fig)
    image = data["text/html"]
    assert image.startswith('<img src="data:image/png;base64,') and f'alt="{alt}"' in image
    assert data["image/png"] and metadata["image/png"] == {"alt": alt}  # the report's template reads this
