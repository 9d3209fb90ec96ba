"""How the audit notebook shows its results: matplotlib figures and pandas Stylers.

Figures are built on `matplotlib.figure.Figure` directly, not pyplot, so nothing depends on a GUI
backend or pyplot's global state (tests create them headless). The notebook shows them through
`show_figures_inline()`: IPython renders each Figure it displays to a PNG with matplotlib's Agg canvas,
as `%matplotlib inline` would, without importing pyplot or its backend machinery and without the inline
backend's `bbox_inches="tight"` (a second full draw). Margins are fixed in inches per figure (`_margins`),
not found by constrained layout, whose solver measures every label and costs about as much as drawing the
figure again; the one margin that depends on the data (the breach chart's outcome labels, which carry a
count) is sized from its longest label. Histograms are drawn as one filled step patch per group
(`Axes.stairs`), not one rectangle per bin. They plot the aggregate tables of gdprlab.audit.notebook only:
durations, counts and statuses, never a value that identifies someone.
"""

from __future__ import annotations

import base64
import html
import io

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter
from pandas.io.formats.style import Styler

from gdprlab.audit.engine import Assessment
from gdprlab.regulation.catalogue import CONCERNS, SEVERITIES
from gdprlab.regulation.law import BREACH_NOTIFICATION_HOURS
from gdprlab.regulation.policy import Policy

SEVERITY_COLOURS = {"low": "#92c5de", "medium": "#f4a582", "high": "#d6604d", "critical": "#67001f"}
OUTCOME_COLOURS = {
    "answered in time": "#4393c3", "open, in time": "#92c5de", "extension notified late": "#f4a582",
    "answered late": "#d6604d", "open, overdue": "#67001f",
    "within 72 h": "#4393c3", "pending (within 72 h)": "#92c5de", "not notified (risk unlikely)": "#bababa",
    "late, reasons recorded": "#f4a582", "late, no reasons": "#d6604d", "not notified": "#67001f",
}
#: severities whose colour is dark enough for white text (WCAG AA 4.5:1; black text on the others)
_TEXT_ON_DARK = {"critical"}
#: score text colours, each at least 4.5:1 on white (WCAG AA): good, middling, poor, not assessed
_SCORE_COLOURS = ("#1b5e20", "#8a4b00", "#b71c1c", "#595959")


def figure_png(fig: Figure) -> bytes:
    """The figure as PNG bytes (Agg), at the figure's own size and dpi.

    The same bytes as `fig.savefig(buf, format="png")`, without savefig's extra layout pass (a full draw
    with rendering disabled, before the real one).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buf = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buf)
    return buf.getvalue()


def describe(fig: Figure, message: str) -> Figure:
    """Give the figure its alternative text: what a reader should take from it, in one sentence."""
    fig.gdprlab_alt = message
    return fig


def alt_text(fig: Figure) -> str | None:
    return getattr(fig, "gdprlab_alt", None)


def _png_with_alt(fig: Figure) -> tuple[bytes, dict] | bytes:
    """The PNG and, when the figure was described, its alt text as the output's metadata (the report's
    template writes it into the image's alt attribute)."""
    alt = alt_text(fig)
    return (figure_png(fig), {"alt": alt}) if alt else figure_png(fig)


def _img_with_alt(fig: Figure) -> str | None:
    """A described figure as an HTML image carrying its alt text (None, so the PNG alone is shown, for one
    not described)."""
    alt = alt_text(fig)
    if alt is None:
        return None
    data = base64.b64encode(figure_png(fig)).decode("ascii")
    return (f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}" '
            'style="max-width: 100%; height: auto">')


def show_figures_inline(shell=None, *, as_html: bool = False) -> None:
    """Make IPython show every displayed Figure as a PNG with its alt text (what the notebook calls
    instead of pyplot). With ``as_html``, a described figure is also an HTML image with that alt text, which
    pages that show the outputs as they are (Voilà, JupyterLab) prefer: their PNG renderer writes no alt."""
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["image/png"].for_type(Figure, _png_with_alt)
        if as_html:
            shell.display_formatter.formatters["text/html"].for_type(Figure, _img_with_alt)


def _margins(fig: Figure, left: float, right: float, bottom: float, top: float, wspace: float = 0.0) -> None:
    """Fixed margins in inches (left of the first axes, right of the last, ...), gap between axes too."""
    width, height = fig.get_size_inches()
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height,
                        top=1 - top / height, wspace=wspace)


def _label_inches(labels: list[str], fontsize: float = 10.0) -> float:
    """Width of the longest tick label, generously estimated (DejaVu Sans averages ~0.45 em per char)."""
    return max((len(label) for label in labels), default=0) * 0.5 * fontsize / 72


def _empty(fig: Figure, ax, message: str) -> Figure:
    """A figure that says why there is nothing to plot, instead of an empty frame."""
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()
    return describe(fig, message[0].upper() + message[1:] + ".")


# ----------------------------------------------------------------------------------------------------------
# figures
# ----------------------------------------------------------------------------------------------------------

def findings_chart(assessment: Assessment) -> Figure:
    """Failed rules per concern stacked by severity (left) beside each concern's score (right)."""
    fig = Figure(figsize=(11, 4))
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    _margins(fig, left=1.15, right=0.1, bottom=0.55, top=0.3, wspace=0.025)
    failed = pd.DataFrame([(r.check.concern, r.check.severity) for r in assessment.failed],
                          columns=["concern", "severity"])
    counts = pd.crosstab(failed["concern"], failed["severity"]).reindex(index=CONCERNS, columns=SEVERITIES,
                                                                         fill_value=0)
    y = np.arange(len(CONCERNS))
    start = np.zeros(len(CONCERNS))
    for severity in SEVERITIES:
        left.barh(y, counts[severity], left=start, color=SEVERITY_COLOURS[severity], label=severity)
        start += counts[severity].to_numpy()
    left.set_yticks(y, CONCERNS)
    left.invert_yaxis()
    left.set_xlabel("failed rules")
    left.xaxis.get_major_locator().set_params(integer=True)
    left.legend(title="severity", loc="lower right", fontsize="small")
    left.set_title("Failed rules by concern and severity")
    scores = [assessment.scores.by_concern.get(c) for c in CONCERNS]
    right.barh(y, [s if s is not None else 0 for s in scores], color="#4393c3")
    for i, s in enumerate(scores):
        label = "not assessed" if s is None else f"{s:.0f}"
        right.text((s or 0) + 1, i, label, va="center", fontsize="small")
    right.set_yticks(y, [])
    right.invert_yaxis()
    right.set_xlim(0, 110)
    right.set_xlabel("score (0-100, 100: nothing found)")
    overall = assessment.scores.overall
    shown = f"{overall:.0f}" if overall is not None else assessment.scores.headline
    right.set_title(f"Score per concern (overall {shown})")
    worst = min((c for c in CONCERNS if assessment.scores.by_concern.get(c) is not None), default=None,
                key=lambda c: assessment.scores.by_concern[c])
    most = counts.sum(axis=1).idxmax() if len(assessment.failed) else None
    return describe(fig, f"{len(assessment.failed)} rules failed"
                    + (f", most of them in {most} ({counts.loc[most].sum()})" if most else "")
                    + (f"; the lowest concern score is {worst} "
                       f"({assessment.scores.by_concern[worst]:.0f} of 100)" if worst else "") + ".")


def _stairs(ax, parts: list[pd.Series], bins: np.ndarray, colours: list[str], labels: list[str]) -> None:
    """A stacked histogram of `parts` (bottom first): one filled step patch per part."""
    base = np.zeros(len(bins) - 1)
    for values, colour, label in zip(parts, colours, labels, strict=True):
        counts, _ = np.histogram(np.asarray(values, dtype=float), bins=bins)
        top = base + counts
        ax.stairs(top, bins, baseline=base, fill=True, color=colour, label=label)
        base = top
    ax.set_ylim(bottom=0)


def _stacked_hist(ax, values: pd.Series, groups: pd.Series, bins: np.ndarray, order: list[str]) -> None:
    present = [g for g in order if (groups == g).any()]
    _stairs(ax, [values[groups == g] for g in present], bins,
            [OUTCOME_COLOURS.get(g, "#999999") for g in present], present)


def request_ages_chart(ages: pd.DataFrame) -> Figure:
    """Days from the one-month deadline (Art. 12(3)) at which each request was answered, by outcome."""
    fig = Figure(figsize=(9, 3.8))
    ax = fig.subplots()
    _margins(fig, left=0.75, right=0.1, bottom=0.55, top=0.3)
    if ages.empty:
        return _empty(fig, ax, "no data-subject requests with a receipt date")
    lo, hi = min(ages["days_over"].min(), -31), max(ages["days_over"].max(), 1)
    bins = np.arange(lo - lo % 7 - 7, hi + 8, 7)
    order = ["answered in time", "open, in time", "extension notified late", "answered late", "open, overdue"]
    _stacked_hist(ax, ages["days_over"], ages["outcome"], bins, order)
    ax.axvline(0, color="black", linestyle="--", linewidth=1)
    ax.annotate("one-month deadline\n(calendar month, Art. 12(3))", (0, 1),
                xycoords=("data", "axes fraction"), xytext=(4, -4), textcoords="offset points", va="top",
                fontsize="small")
    ax.set_xlabel("days after the one-month deadline (negative: before it); open requests counted to as-of")
    ax.set_ylabel("requests")
    ax.legend(fontsize="small", loc="upper right")
    ax.set_title("Data-subject requests: response time against the one-month limit")
    late = int(ages["late"].sum())
    return describe(fig, f"{late:,} of {len(ages):,} data-subject requests were answered late or are open "
                         "past the one-month limit of Art. 12(3).")


def breach_delays_chart(delays: pd.DataFrame) -> Figure:
    """Hours from awareness to notifying the authority (to as-of when never), per outcome, against 72 h."""
    fig = Figure(figsize=(9, 3.8))
    ax = fig.subplots()
    if delays.empty:
        _margins(fig, left=0.1, right=0.1, bottom=0.1, top=0.1)
        return _empty(fig, ax, "no breaches in the register")
    order = [o for o in ("within 72 h", "pending (within 72 h)", "late, reasons recorded", "late, no reasons",
                         "not notified", "not notified (risk unlikely)") if (delays["outcome"] == o).any()]
    labels = [f"{o} ({(delays['outcome'] == o).sum()})" for o in order]
    _margins(fig, left=_label_inches(labels) + 0.2, right=0.1, bottom=0.55, top=0.3)
    jitter = np.random.default_rng(0).uniform(-0.2, 0.2, len(delays))
    for i, outcome in enumerate(order):
        rows = (delays["outcome"] == outcome).to_numpy()
        ax.scatter(delays["hours"].clip(lower=1)[rows], i + jitter[rows], color=OUTCOME_COLOURS[outcome],
                   s=25, edgecolor="white", linewidth=0.5)
    ax.set_xscale("log")
    # plain numbers (1, 10, 100 h) instead of the log axis's default 10^n labels, typeset by mathtext
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.axvline(BREACH_NOTIFICATION_HOURS, color="black", linestyle="--", linewidth=1)
    ax.annotate("72 h (Art. 33(1))", (BREACH_NOTIFICATION_HOURS, 1), xycoords=("data", "axes fraction"),
                xytext=(4, -4), textcoords="offset points", va="top", fontsize="small")
    ax.set_yticks(range(len(order)), labels)
    ax.invert_yaxis()
    ax.set_xlabel("hours from awareness to notification (log scale; not notified: to as-of)")
    ax.set_title("Breach notification delays against the 72-hour limit")
    in_time = delays["outcome"].isin(["within 72 h", "pending (within 72 h)", "not notified (risk unlikely)"])
    return describe(fig, f"{int((~in_time).sum()):,} of {len(delays):,} breaches were notified after 72 "
                         "hours or not at all (Art. 33(1)).")


def retention_chart(ages: pd.DataFrame, policy: Policy) -> Figure:
    """Months since each contact's last activity, one panel per status, with the policy's period."""
    statuses = [s for s in policy.retention_months if (ages["status"] == s).any()] if not ages.empty else []
    fig = Figure(figsize=(11, 3.6))
    axes = np.atleast_1d(fig.subplots(1, max(len(statuses), 1), sharey=False))
    _margins(fig, left=0.75, right=0.1, bottom=0.55, top=0.55, wspace=0.17)
    if not statuses:
        return _empty(fig, axes[0], "no contacts with a status that has a retention period")
    for ax, status in zip(axes, statuses, strict=True):
        rows = ages[ages["status"] == status]
        limit = policy.retention_months[status]
        top = max(rows["months"].max(), limit) * 1.05
        bins = np.linspace(0, top, 30)
        _stairs(ax, [rows.loc[~rows["over"], "months"], rows.loc[rows["over"], "months"]], bins,
                ["#4393c3", "#d6604d"], ["within period", "past period"])
        ax.axvline(limit, color="black", linestyle="--", linewidth=1)
        over = int(rows["over"].sum())
        ax.set_title(f"{status}: {over:,} of {len(rows):,} past {limit} months", fontsize="medium")
        ax.set_xlabel("months since last activity")
    axes[0].set_ylabel("contacts")
    axes[0].legend(fontsize="small")
    fig.suptitle("Contact retention against the policy's periods (Art. 5(1)(e))")
    over = int(ages["over"].sum())
    return describe(fig, f"{over:,} of {len(ages):,} contacts are kept past the retention period of the "
                         "policy (Art. 5(1)(e)).")


# ----------------------------------------------------------------------------------------------------------
# tables
# ----------------------------------------------------------------------------------------------------------

def _severity_css(value: object) -> str:
    colour = SEVERITY_COLOURS.get(str(value))
    if colour is None:
        return ""
    text = "white" if value in _TEXT_ON_DARK else "black"
    return f"background-color: {colour}; color: {text}; font-weight: bold"


def _score_css(value: object) -> str:
    if value is None or pd.isna(value):
        return f"color: {_SCORE_COLOURS[3]}"
    hue = _SCORE_COLOURS[0] if value >= 80 else _SCORE_COLOURS[1] if value >= 50 else _SCORE_COLOURS[2]
    return f"color: {hue}; font-weight: bold"


def style(df: pd.DataFrame, caption: str | None = None, percent: tuple[str, ...] = (),
          hide_index: bool = True) -> Styler:
    """A DataFrame as an HTML table: thousands separators, percentages, severities coloured, left text.

    Every value, column name and index label is HTML-escaped (Styler's default shows them as HTML): they
    come from the data, where a CRM's custom column may be called ``<img src=x onerror=…>``."""
    styler = Styler(df, cell_ids=False).format(na_rep="", thousands=",", precision=1, escape="html")
    styler = styler.format_index(escape="html", axis=0).format_index(escape="html", axis=1)
    present = [c for c in percent if c in df.columns]
    if present:
        styler = styler.format("{:.2%}", subset=present, na_rep="-", escape="html")
    if "severity" in df.columns:
        styler = styler.map(_severity_css, subset=["severity"])
    if "score" in df.columns:
        styler = styler.map(_score_css, subset=["score"]).format("{:.1f}", subset=["score"],
                                                                   na_rep="not assessed", escape="html")
    text = [c for c in df.columns if df[c].dtype == object]
    if text:
        styler = styler.set_properties(subset=text, **{"text-align": "left"})
    if caption:
        styler = styler.set_caption(html.escape(caption))
    return styler.hide(axis="index") if hide_index else styler
