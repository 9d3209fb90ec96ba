"""How the trainer's dashboard (notebooks/training_dashboard.ipynb) shows its tables and figures.

:mod:`gdprlab.training.dashboard` and :mod:`gdprlab.training.status` compute frames; this module only
draws them: tables as pandas Stylers (dates as YYYY-MM-DD, statuses coloured, no index) and figures as
:class:`matplotlib.figure.Figure` objects built without pyplot, shown by
:func:`gdprlab.audit.charts.show_figures_inline`. Learners appear by their learner id only.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from gdprlab.training import status as training

__all__ = ["STATUS_COLOURS", "completion_chart", "scores_chart", "table", "trend_chart"]

#: the colour of each status of a required lesson, in the order the bars stack; each has a contrast of at
#: least 4.5 : 1 on white (WCAG 2.1 AA for text, 1.4.3; tests/training/test_charts.py computes it), as the
#: tables write the status in it, and so more than the 3 : 1 bars need (1.4.11)
STATUS_COLOURS = {"passed_current": "#1a7a3e", "overdue": "#b2182b", "failed_only": "#9a4d00",
                  "never_started": "#595959"}
#: text on white that is not a status (notes in empty figures), and the trend's attempts bars
MUTED = "#595959"
ATTEMPTS_COLOUR = "#2b6a99"


def table(df: pd.DataFrame, caption: str | None = None) -> Styler:
    """A frame as an HTML table: dates as YYYY-MM-DD, statuses coloured, no index; values, headers and the
    caption HTML-escaped (names and departments come from a roster typed by hand)."""
    styler = Styler(df, cell_ids=False).format(na_rep="", precision=1, escape="html")
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


def _no_data(fig: Figure, message: str) -> Figure:
    ax = fig.add_subplot()
    ax.text(0.5, 0.5, message, ha="center", va="center", color=MUTED)
    ax.set_axis_off()
    return fig


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
    return fig


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
    return fig


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
    return fig
