"""How the trainer's dashboard (notebooks/training_dashboard.ipynb) shows its tables and figures.

:mod:`gdprlab.training.dashboard` and :mod:`gdprlab.training.status` compute frames; this module only
draws them: tables as pandas Stylers (dates as YYYY-MM-DD, statuses coloured, no index, 16 px text, shown in
a box of their own that scrolls sideways and is reached with Tab) and figures as
:class:`matplotlib.figure.Figure` objects built without pyplot, each with an alternative text that says what
it shows (:func:`gdprlab.audit.charts.describe`), shown by :func:`gdprlab.audit.charts.show_figures_inline`
(``as_html=True``: as images with that text in Voilà and JupyterLab too). Learners appear by their learner id
only. WCAG 2.1 AA in a real browser: tests/training/test_browser_quiz.py runs axe-core on the dashboard.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from gdprlab.audit.charts import describe
from gdprlab.training import status as training
from gdprlab.training import theme

__all__ = ["STATUS_COLOURS", "completion_chart", "page_style", "scores_chart", "table", "trend_chart"]

#: the colour of each status of a required lesson, in the order the bars stack; each has a contrast of at
#: least 4.5 : 1 on white (WCAG 2.1 AA for text, 1.4.3; tests/training/test_charts.py computes it), as the
#: tables write the status in it, and so more than the 3 : 1 bars need (1.4.11)
STATUS_COLOURS = {"passed_current": "#1a7a3e", "overdue": "#b2182b", "failed_only": "#9a4d00",
                  "never_started": "#595959"}
#: text on white that is not a status (notes in empty figures), and the trend's attempts bars
MUTED = "#595959"
ATTEMPTS_COLOUR = "#2b6a99"


class _ScrollingTable(Styler):
    """A Styler a notebook shows in a box that scrolls sideways (:func:`gdprlab.training.theme.scroll_box`);
    :meth:`to_html` is the table alone."""

    box_label = "table"

    def _repr_html_(self) -> str:
        return theme.scroll_box(self.to_html(), self.box_label)


def table(df: pd.DataFrame, caption: str | None = None) -> Styler:
    """A frame as an HTML table: dates as YYYY-MM-DD, statuses coloured, no index, 16 px text; values,
    headers and the caption HTML-escaped (names and departments come from a roster typed by hand). A
    notebook shows it in a box that scrolls sideways, named by the caption or the columns."""
    styler = _ScrollingTable(df, cell_ids=False).format(na_rep="", precision=1, escape="html")
    styler.box_label = caption or "Table of " + ", ".join(map(str, df.columns))
    size = f"font-size: {theme.FONT_SIZE_PX}px"
    parts = ("", "th", "td", "caption")  # the table and its cells: JupyterLab's own tables are 12-13 px
    styler = styler.set_table_styles([{"selector": part, "props": size} for part in parts])
    styler = styler.format_index(escape="html", axis=1)
    dates = [c for c in df.columns if pd.api.types.is_datetime64_any_dtype(df[c])]
    if dates:
        styler = styler.format(lambda v: "" if pd.isna(v) else v.strftime("%Y-%m-%d"), subset=dates,
                               escape="html")
    if "status" in df.columns:
        styler = styler.map(lambda v: f"color: {STATUS_COLOURS.get(v, 'black')}; background-color: white; "
                            "font-weight: bold",
                            subset=["status"])
    if caption:
        styler = styler.set_caption(html.escape(caption))
    return styler.hide(axis="index")


def page_style() -> HTML:
    """The stylesheet the dashboard adds to its page (:data:`gdprlab.training.theme.PAGE_CSS`): 14 px output
    text, long paths wrapped on a phone."""
    return HTML(f"<style>{theme.PAGE_CSS}</style>")


def _no_data(fig: Figure, message: str) -> Figure:
    ax = fig.add_subplot()
    ax.text(0.5, 0.5, message, ha="center", va="center", color=MUTED)
    ax.set_axis_off()
    return describe(fig, message[0].upper() + message[1:] + ".")


def completion_chart(status: pd.DataFrame, by: str = "lesson") -> Figure:
    """Stacked horizontal bars: required learner x lesson pairs per status, per lesson or department."""
    fig = Figure(figsize=(8, 0.5 + 0.35 * max(3, status[by].nunique() if not status.empty else 3)),
                 layout="constrained")
    counts = training.completion(status, by)
    if counts.empty:
        return _no_data(fig, "no required lessons yet")
    ax = fig.add_subplot()
    left = np.zeros(len(counts))
    labels = counts[by].astype(str).tolist()
    for name, colour in STATUS_COLOURS.items():
        ax.barh(labels, counts[name], left=left, color=colour, label=name.replace("_", " "))
        left += counts[name].to_numpy()
    ax.invert_yaxis()
    ax.set_xlabel("staff x lesson")
    ax.set_title(f"Status of required lessons per {by}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize="small")
    passed, required = int(counts["passed_current"].sum()), int(counts["required"].sum())
    lowest = counts.sort_values(["percent", by], kind="stable").iloc[0]
    return describe(fig, f"{passed} of {required} required lessons are passed and current "
                         f"({100 * passed / required:.0f} %); lowest {by}: {lowest[by]} at "
                         f"{lowest['percent']:.0f} %.")


def scores_chart(attempts: pd.DataFrame) -> Figure:
    """Attempts per score band (percent), one bar group per lesson."""
    fig = Figure(figsize=(8, 3.5), layout="constrained")
    bands = training.score_distribution(attempts)
    if bands.empty:
        return _no_data(fig, "no attempts yet")
    ax = fig.add_subplot()
    labels = [c for c in bands.columns if c != "lesson"]
    width = 0.8 / len(bands)
    for i, row in enumerate(bands.itertuples(index=False)):
        ax.bar(np.arange(len(labels)) + i * width, list(row[1:]), width, label=row[0])
    ax.set_xticks(np.arange(len(labels)) + 0.4 - width / 2, [f"{b} %" for b in labels])
    ax.set_ylabel("attempts")
    ax.set_title("Score distribution")
    ax.legend(fontsize="x-small", ncols=2)
    per_band = bands[labels].sum()
    return describe(fig, f"{int(per_band.sum())} attempts in {len(bands)} lessons; most scored "
                         f"{per_band.idxmax()} % ({int(per_band.max())} attempts).")


def trend_chart(trend: pd.DataFrame) -> Figure:
    """Attempts and passes per month."""
    fig = Figure(figsize=(8, 3), layout="constrained")
    if trend.empty:
        return _no_data(fig, "no attempts yet")
    ax = fig.add_subplot()
    x = np.arange(len(trend))
    ax.bar(x - 0.2, trend["attempts"], 0.4, label="attempts", color=ATTEMPTS_COLOUR)
    ax.bar(x + 0.2, trend["passed"], 0.4, label="passed", color=STATUS_COLOURS["passed_current"])
    step = max(1, len(trend) // 12)
    ax.set_xticks(x[::step], [str(m) for m in trend["month"]][::step], rotation=45, ha="right")
    ax.set_title("Attempts and passes per month")
    ax.legend(fontsize="small")
    last = trend.iloc[-1]
    return describe(fig, f"{int(trend['attempts'].sum())} attempts and {int(trend['passed'].sum())} passes "
                         f"from {trend['month'].iloc[0]} to {last['month']}; in {last['month']}: "
                         f"{int(last['attempts'])} attempts, {int(last['passed'])} passes.")
