"""The report's charts: static SVG (and PNG for e-mail) drawn with matplotlib from the payload alone.

Deterministic by construction: a fixed hash salt for the ids matplotlib writes, no date in the
metadata, text kept as text (``svg.fonttype = none``), one font. Axes and text are drawn in a
sentinel colour that the SVG output turns into ``currentColor``, so an inline chart takes the page's
text colour and reads in the light and the dark theme alike."""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from datetime import date

import matplotlib

matplotlib.use("Agg")  # no display, ever: charts are files

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from fitness_platform.delivery.reference import HARD_SET_RANGE  # noqa: E402
from fitness_platform.site.units import Units  # noqa: E402

_INK = "#010203"  # drawn for axes and text; becomes currentColor in the SVG
_GRID = "#8a8f98"
PALETTE = ("#2f6fb0", "#d9822b", "#3a9d5d", "#b04a8f", "#7a6bc9")
STYLE = {
    "svg.hashsalt": "fitness-platform",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "text.color": _INK,
    "axes.labelcolor": _INK,
    "axes.edgecolor": _INK,
    "xtick.color": _INK,
    "ytick.color": _INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": _GRID,
    "grid.alpha": 0.35,
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "path.simplify": False,
}
_SVG_HEAD = re.compile(rb"^.*?(?=<svg)", re.S)
_SVG_SIZE = re.compile(rb'<svg([^>]*?) width="[^"]+" height="[^"]+"')


@dataclass(frozen=True)
class Chart:
    """One chart of a report: its id, title, a sentence saying what it shows, and its SVG."""

    chart_id: str
    title: str
    description: str
    figure: Figure

    def svg(self) -> str:
        return _svg(self.figure, self.title)

    def png(self) -> bytes:
        buf = io.BytesIO()
        with matplotlib.rc_context(STYLE):
            self.figure.savefig(buf, format="png", dpi=144, facecolor="white", metadata=_PNG_META)
            return buf.getvalue()


_PNG_META = {"Software": None}  # no version string: the same chart gives the same bytes


def _figure(height: float = 2.6, *, left: float = 0.7, right: float = 0.7, bottom: float = 0.45):
    """A figure with fixed margins in inches (a layout engine would cost more than the drawing)."""
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(6.4, height), dpi=100)
        fig.subplots_adjust(
            left=left / 6.4, right=1 - right / 6.4, bottom=bottom / height, top=1 - 0.15 / height
        )
        ax = fig.add_subplot()
    return fig, ax


def _svg(fig: Figure, title: str) -> str:
    buf = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(buf, format="svg", transparent=True, metadata={"Date": None, "Title": title})
    data = _SVG_HEAD.sub(b"", buf.getvalue())  # the XML prolog and doctype: not for inline SVG
    # Scale with the page: the viewBox stays, the fixed size goes.
    data = _SVG_SIZE.sub(rb'<svg\1 width="100%" role="img"', data, count=1)
    return data.decode().replace(_INK, "currentColor").strip()


def _labels(weeks: list[str]) -> list[str]:
    return [date.fromisoformat(w).strftime("%d %b") for w in weeks]


def _nan(values) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


def _week_axis(ax, weeks: list[str]) -> None:
    ax.set_xticks(range(len(weeks)), _labels(weeks), rotation=0)
    step = 2 if len(weeks) > 8 else 1
    for i, label in enumerate(ax.get_xticklabels()):
        label.set_visible(i % step == (len(weeks) - 1) % step)
    ax.grid(axis="x", visible=False)


def main_lifts_chart(payload: dict, units: Units) -> Chart | None:
    history = payload["history"]
    lifts = history["main_lifts"]
    weeks = history["lift_weeks"]
    if not lifts:
        return None
    with matplotlib.rc_context(STYLE):
        fig, ax = _figure(height=3.2, right=0.2, bottom=1.0)
        for i, lift in enumerate(lifts):
            values = _nan(units.weights(lift["best_e1rm_kg"]))
            ax.plot(
                range(len(weeks)),
                values,
                marker="o",
                markersize=3.5,
                linewidth=1.6,
                color=PALETTE[i % len(PALETTE)],
                label=lift["exercise_name"],
            )
        _week_axis(ax, weeks)
        ax.set_ylabel(f"best e1RM ({units.weight})")
        ax.yaxis.set_major_locator(MaxNLocator(5))
        longest = max(len(lift["exercise_name"]) for lift in lifts)
        ax.legend(
            loc="upper left",
            bbox_to_anchor=(-0.02, -0.12),
            ncols=min(3 if longest <= 24 else 2, len(lifts)),
        )
    return Chart(
        "chart-main-lifts",
        "Main lifts: best e1RM per week",
        f"The week's best estimated one-rep max of each main lift over the last {len(weeks)} "
        "weeks; a gap is a week the lift was not trained.",
        fig,
    )


def hard_sets_chart(payload: dict, units: Units) -> Chart | None:
    groups = payload["muscle_groups"]
    if not groups:
        return None
    low, high = HARD_SET_RANGE
    names = [g["muscle_group"].replace("_", " ") for g in groups][::-1]
    sets = [float(g["hard_sets"]) for g in groups][::-1]
    with matplotlib.rc_context(STYLE):
        fig, ax = _figure(height=max(2.2, 0.24 * len(names) + 0.8), left=1.15, right=0.25)
        ax.axvspan(low, high, color=PALETTE[2], alpha=0.14, linewidth=0, label=f"{low}–{high} sets")
        colors = [PALETTE[0] if low <= s <= high else PALETTE[1] for s in sets]
        ax.barh(range(len(names)), sets, color=colors, height=0.62)
        ax.set_yticks(range(len(names)), names)
        ax.set_xlabel("hard sets this week")
        ax.grid(axis="y", visible=False)
        ax.set_xlim(0, max(high + 2, max(sets) * 1.08))
        ax.legend(loc="lower right")
    return Chart(
        "chart-hard-sets",
        "Hard sets per muscle group",
        f"This week's hard sets per muscle group against the common {low}–{high} weekly range "
        "(orange: outside it).",
        fig,
    )


def volume_chart(payload: dict, units: Units) -> Chart | None:
    history = payload["history"]
    weeks = history["weeks"]
    tonnage = units.weights(history["tonnage_kg"])
    sessions = history["sessions"]
    if all(v is None for v in tonnage) and all(v is None for v in sessions):
        return None
    with matplotlib.rc_context(STYLE):
        fig, ax = _figure()
        x = range(len(weeks))
        ax.bar(x, [0 if v is None else v for v in tonnage], color=PALETTE[0], alpha=0.8, width=0.6)
        ax.set_ylabel(f"tonnage ({units.weight})")
        ax.yaxis.set_major_locator(MaxNLocator(5))
        right = ax.twinx()
        right.plot(x, _nan(sessions), color=PALETTE[1], marker="o", markersize=4, linewidth=1.6)
        right.set_ylabel("sessions", color=PALETTE[1])
        right.set_ylim(0, max([s for s in sessions if s is not None] or [1]) + 1)
        right.yaxis.set_major_locator(MaxNLocator(integer=True))
        right.grid(False)
        right.spines["right"].set_visible(True)
        _week_axis(ax, weeks)
    return Chart(
        "chart-volume",
        "Weekly tonnage and sessions",
        f"Tonnage (bars) and sessions (line) in each of the last {len(weeks)} weeks.",
        fig,
    )


def body_chart(payload: dict, units: Units) -> Chart | None:
    history = payload["history"]
    weeks = history["weeks"]
    trend = units.weights(history["trend_weight_kg"])
    intake = history["avg_calories_kcal"]
    if all(v is None for v in trend) and all(v is None for v in intake):
        return None
    with matplotlib.rc_context(STYLE):
        fig, ax = _figure(left=0.8, right=0.8)
        x = range(len(weeks))
        ax.bar(x, [0 if v is None else v for v in intake], color=PALETTE[2], alpha=0.55, width=0.6)
        ax.set_ylabel("mean intake (kcal a day)")
        known = [v for v in intake if v is not None]
        if known:
            ax.set_ylim(min(known) * 0.85, max(known) * 1.05)
        right = ax.twinx()
        right.plot(x, _nan(trend), color=PALETTE[3], marker="o", markersize=4, linewidth=1.8)
        right.set_ylabel(f"trend weight ({units.weight})", color=PALETTE[3])
        right.grid(False)
        right.spines["right"].set_visible(True)
        right.yaxis.set_major_locator(MaxNLocator(5))
        _week_axis(ax, weeks)
    return Chart(
        "chart-body",
        "Trend weight against intake",
        f"Trend weight at the end of each week (line) and the week's mean daily intake (bars), "
        f"over the last {len(weeks)} weeks.",
        fig,
    )


CHARTS = (main_lifts_chart, volume_chart, hard_sets_chart, body_chart)


def report_charts(payload: dict, units: Units) -> list[Chart]:
    """The charts a week's payload supports, in report order (a chart without data is left out)."""
    return [c for c in (chart(payload, units) for chart in CHARTS) if c is not None]
