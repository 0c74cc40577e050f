"""The report's charts, drawn from the payload alone: inline SVG for the pages, PNG for e-mail.

Each chart is laid out once as a list of shapes and texts in pixels (``Canvas``), then written
either as SVG text or painted by Pillow: the same picture in both, no plotting library (matplotlib
drew them before, at about 60 ms a chart: a page of four was most of a delivery's CPU, and a
coach's 142,000 pages took hours; these take well under a millisecond). Deterministic by
construction: coordinates are rounded to one decimal and written in a fixed order. In the SVG,
axes and text are drawn in ``currentColor`` and the text takes the page's font, so an inline chart
reads in the light and the dark theme alike."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from datetime import date
from html import escape

from fitness_platform.delivery.reference import HARD_SET_RANGE
from fitness_platform.site.units import Units

INK = "ink"
"""The colour of axes and text: ``currentColor`` in the SVG, near-black in the PNG."""
GRID = "#8a8f98"
PALETTE = ("#2f6fb0", "#d9822b", "#3a9d5d", "#b04a8f", "#7a6bc9")
WIDTH = 640
FONT = 12.5
"""Text size in pixels (the page's charts scale with its width; 640 px is its full width)."""
_PNG_INK = "#1f2328"
_PNG_SCALE = 2


def _n(value: float) -> str:
    """A coordinate as SVG text: one decimal at most, no "-0"."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _text_width(text: str, size: float = FONT) -> float:
    """About how wide ``text`` is in a sans-serif face (for layout only: legends, margins)."""
    return sum(_EM.get(c, 0.7 if c.isupper() else 0.6) for c in text) * size


_EM = {**dict.fromkeys(" .,:;il|'", 0.3), **dict.fromkeys("mwMW", 0.85)}
"""Widths of the narrow and wide characters, in ems (others: 0.6, capitals 0.7)."""


@dataclass
class Canvas:
    """A picture as shapes in pixel coordinates (origin top left), in drawing order."""

    width: float
    height: float
    items: list[tuple] = field(default_factory=list)

    def rect(self, x, y, w, h, fill, opacity=1.0):
        if w > 0 and h > 0:
            self.items.append(("rect", x, y, w, h, fill, opacity))

    def line(self, x1, y1, x2, y2, stroke=INK, width=1.0, opacity=1.0):
        self.items.append(("line", [(x1, y1), (x2, y2)], stroke, width, opacity))

    def polyline(self, points, stroke, width=1.6):
        if len(points) >= 2:
            self.items.append(("line", points, stroke, width, 1.0))

    def dot(self, x, y, r, fill):
        self.items.append(("dot", x, y, r, fill))

    def text(self, x, y, text, anchor="start", fill=INK, rotate=False, size=FONT):
        """Text whose vertical middle is at ``y`` (rotated: reads bottom to top, centred on x)."""
        self.items.append(("text", x, y, text, anchor, fill, rotate, size))

    def svg(self, title: str) -> str:
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(self.width)} '
            f'{_n(self.height)}" width="100%" role="img" font-size="{FONT}">',
            f"<title>{escape(title)}</title>",
        ]
        for item in self.items:
            kind = item[0]
            if kind == "rect":
                _, x, y, w, h, fill, opacity = item
                parts.append(
                    f'<path d="M{_n(x)} {_n(y)}h{_n(w)}v{_n(h)}h{_n(-w)}z" '
                    f'fill="{_svg_colour(fill)}"{_opacity("fill-opacity", opacity)}/>'
                )
            elif kind == "line":
                _, points, stroke, width, opacity = item
                path = "M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in points)
                parts.append(
                    f'<path d="{path}" fill="none" stroke="{_svg_colour(stroke)}" '
                    f'stroke-width="{_n(width)}" stroke-linejoin="round" stroke-linecap="round"'
                    f"{_opacity('stroke-opacity', opacity)}/>"
                )
            elif kind == "dot":
                _, x, y, r, fill = item
                parts.append(
                    f'<path d="M{_n(x - r)} {_n(y)}a{_n(r)} {_n(r)} 0 1 0 {_n(2 * r)} 0'
                    f'a{_n(r)} {_n(r)} 0 1 0 {_n(-2 * r)} 0z" fill="{_svg_colour(fill)}"/>'
                )
            else:
                _, x, y, text, anchor, fill, rotate, size = item
                place = (
                    f'transform="translate({_n(x)} {_n(y)}) rotate(-90)"'
                    if rotate
                    else f'x="{_n(x)}" y="{_n(y)}"'
                )
                anchor_attr = "" if anchor == "start" else f' text-anchor="{anchor}"'
                size_attr = "" if size == FONT else f' font-size="{_n(size)}"'
                parts.append(
                    f'<text {place}{anchor_attr}{size_attr} dominant-baseline="central" '
                    f'fill="{_svg_colour(fill)}">{escape(text)}</text>'
                )
        parts.append("</svg>")
        return "\n".join(parts)

    def png(self) -> bytes:
        """The same picture painted by Pillow on white (e-mail clients show no inline SVG)."""
        from PIL import Image, ImageDraw, ImageFont

        k = _PNG_SCALE
        image = Image.new("RGB", (round(self.width * k), round(self.height * k)), "white")
        draw = ImageDraw.Draw(image)
        fonts: dict[float, ImageFont.FreeTypeFont] = {}
        for item in self.items:
            kind = item[0]
            if kind == "rect":
                _, x, y, w, h, fill, opacity = item
                box = [x * k, y * k, (x + w) * k - 1, (y + h) * k - 1]
                draw.rectangle(box, fill=_png_colour(fill, opacity))
            elif kind == "line":
                _, points, stroke, width, opacity = item
                draw.line(
                    [(x * k, y * k) for x, y in points],
                    fill=_png_colour(stroke, opacity),
                    width=max(1, round(width * k)),
                    joint="curve",
                )
            elif kind == "dot":
                _, x, y, r, fill = item
                draw.ellipse([(x - r) * k, (y - r) * k, (x + r) * k, (y + r) * k], fill=fill)
            else:
                _, x, y, text, anchor, fill, rotate, size = item
                font = fonts.get(size)
                if font is None:
                    font = fonts[size] = ImageFont.load_default(size=round(size * k))
                where = {"start": "l", "middle": "m", "end": "r"}[anchor] + "m"
                colour = _png_colour(fill, 1.0)
                if not rotate:
                    draw.text((x * k, y * k), text, fill=colour, font=font, anchor=where)
                    continue
                left, top, right, bottom = font.getbbox(text, anchor="lt")
                label = Image.new("RGBA", (right + 2, bottom + 2), (255, 255, 255, 0))
                ImageDraw.Draw(label).text((0, 0), text, fill=colour, font=font, anchor="lt")
                label = label.rotate(90, expand=True)
                image.paste(
                    label, (round(x * k - label.width / 2), round(y * k - label.height / 2)), label
                )
        out = io.BytesIO()
        image.save(out, format="PNG")
        return out.getvalue()


def _svg_colour(colour: str) -> str:
    return "currentColor" if colour == INK else colour


def _opacity(attribute: str, opacity: float) -> str:
    return "" if opacity >= 1 else f' {attribute}="{opacity:g}"'


def _png_colour(colour: str, opacity: float) -> tuple[int, int, int]:
    """A colour as Pillow paints it on white: translucency blended with the white beneath."""
    hex_colour = _PNG_INK if colour == INK else colour
    rgb = [int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)]
    return tuple(round(255 + (c - 255) * opacity) for c in rgb)


def nice_ticks(low: float, high: float, count: int = 5, integer: bool = False) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2, 2.5 or 5 times a power of ten,
    at most ``count`` steps between them (as a plotting library's "max N locator" picks them)."""
    if not math.isfinite(low) or not math.isfinite(high):
        return [0.0, 1.0]
    if high <= low:
        low, high = low - 1, high + 1
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        step = multiple * power
        if (not integer or step == int(step) and step >= 1) and step >= raw:
            break
    if integer:
        step = max(1.0, math.ceil(step))
    first = math.floor(low / step + 1e-9) * step
    ticks = []
    value = first
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _label(value: float) -> str:
    """A tick label: whole numbers without decimals, others with as few as they need."""
    if value == int(value):
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Scale:
    """A linear map from data values [low, high] to pixels [start, end]."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        span = self.high - self.low or 1.0
        return self.start + (value - self.low) * (self.end - self.start) / span


@dataclass(frozen=True)
class Chart:
    """One chart of a report: its id, title, a sentence saying what it shows, and its drawing."""

    chart_id: str
    title: str
    description: str
    canvas: Canvas

    def svg(self) -> str:
        return self.canvas.svg(self.title)

    def png(self) -> bytes:
        return self.canvas.png()


@dataclass(frozen=True)
class Plot:
    """The plotting area of a chart: pixels from the canvas's edges."""

    canvas: Canvas
    left: float
    top: float
    right: float
    bottom: float

    @property
    def x0(self) -> float:
        return self.left

    @property
    def x1(self) -> float:
        return self.canvas.width - self.right

    @property
    def y0(self) -> float:
        return self.canvas.height - self.bottom

    @property
    def y1(self) -> float:
        return self.top

    def week_x(self, count: int):
        """Pixels of the centre of each of ``count`` weeks along the bottom."""
        band = (self.x1 - self.x0) / max(count, 1)
        return [self.x0 + band * (i + 0.5) for i in range(count)], band

    def value_axis(
        self, span: tuple[float, float], side: str = "left", colour: str = INK, label: str = "",
        integer: bool = False,
    ) -> Scale:  # fmt: skip
        """A vertical axis over the plot's height for values in ``span``: its round ticks inside
        the span, their labels and (left) the grid lines across the plot."""
        low, high = span
        scale = Scale(low, high, self.y0, self.y1)
        ticks = [
            t for t in nice_ticks(low, high, integer=integer) if low - 1e-9 <= t <= high + 1e-9
        ]
        c = self.canvas
        x = self.x0 if side == "left" else self.x1
        c.line(x, self.y0, x, self.y1)
        for value in ticks:
            y = scale(value)
            if side == "left":
                c.line(self.x0, y, self.x1, y, GRID, 0.8, 0.35)
                c.line(x - 4, y, x, y)
                c.text(x - 7, y, _label(value), "end")
            else:
                c.line(x, y, x + 4, y)
                c.text(x + 7, y, _label(value), "start", colour)
        if label:
            offset = max((_text_width(_label(v)) for v in ticks), default=0) + 20
            at = x - offset if side == "left" else x + offset
            c.text(at, (self.y0 + self.y1) / 2, label, "middle", colour, rotate=True)
        return scale

    def week_labels(self, weeks: list[str]) -> list[float]:
        """The bottom axis of a weekly chart: the weeks' dates, every other one past eight (the
        newest always shown)."""
        xs, _ = self.week_x(len(weeks))
        c = self.canvas
        c.line(self.x0, self.y0, self.x1, self.y0)
        step = 2 if len(weeks) > 8 else 1
        for i, (x, week) in enumerate(zip(xs, weeks, strict=True)):
            c.line(x, self.y0, x, self.y0 + 4)
            if i % step == (len(weeks) - 1) % step:
                c.text(x, self.y0 + 15, date.fromisoformat(week).strftime("%d %b"), "middle")
        return xs


def _series(xs: list[float], values: list, scale: Scale) -> list[list[tuple[float, float]]]:
    """The runs of consecutive known values as points (a gap is a week without a value)."""
    runs, run = [], []
    for x, value in zip(xs, values, strict=True):
        if value is None:
            if run:
                runs.append(run)
            run = []
        else:
            run.append((x, scale(float(value))))
    if run:
        runs.append(run)
    return runs


def _line_series(plot: Plot, xs, values, scale, colour, radius, width=1.6) -> None:
    for run in _series(xs, values, scale):
        plot.canvas.polyline(run, colour, width)
        for x, y in run:
            plot.canvas.dot(x, y, radius, colour)


def _known(values) -> list[float]:
    return [float(v) for v in values if v is not None]


def padded(values: list[float], share: float = 0.06) -> tuple[float, float]:
    """The span of a line's values with a margin each side (its axis hugs the data)."""
    if not values:
        return 0.0, 1.0
    low, high = min(values), max(values)
    margin = (high - low) * share or max(abs(high) * share, 1.0)
    return low - margin, high + margin


def from_zero(values: list[float], integer: bool = False) -> tuple[float, float]:
    """The span of bars from zero to the first round tick at or above the highest value."""
    top = max(values, default=0.0) or 1.0
    return 0.0, nice_ticks(0.0, top, integer=integer)[-1]


def main_lifts_chart(payload: dict, units: Units) -> Chart | None:
    history = payload["history"]
    lifts = history["main_lifts"]
    weeks = history["lift_weeks"]
    if not lifts:
        return None
    series = [units.weights(lift["best_e1rm_kg"]) for lift in lifts]
    names = [lift["exercise_name"] for lift in lifts]
    longest = max(len(n) for n in names)
    columns = min(3 if longest <= 24 else 2, len(lifts))
    rows = math.ceil(len(lifts) / columns)
    canvas = Canvas(WIDTH, 300 + 22 * rows)
    plot = Plot(canvas, 72, 12, 20, 60 + 22 * rows)
    known = [v for values in series for v in _known(values)]
    scale = plot.value_axis(padded(known), label=f"best e1RM ({units.weight})")
    xs = plot.week_labels(weeks)
    for i, values in enumerate(series):
        _line_series(plot, xs, values, scale, PALETTE[i % len(PALETTE)], 3.2)
    # The legend below the axis: a short line with its marker, then the lift's name.
    column_width = (WIDTH - plot.x0) / columns
    for i, name in enumerate(names):
        row, column = divmod(i, columns)
        x = plot.x0 + column * column_width
        y = plot.y0 + 42 + row * 22
        colour = PALETTE[i % len(PALETTE)]
        canvas.line(x, y, x + 22, y, colour, 1.6)
        canvas.dot(x + 11, y, 3.2, colour)
        canvas.text(x + 30, y, name)
    return Chart(
        "chart-main-lifts",
        "Main lifts: best e1RM per week",
        f"The week's best estimated one-rep max of each main lift over the last {len(weeks)} "
        "weeks; a gap is a week the lift was not trained.",
        canvas,
    )


def hard_sets_chart(payload: dict, units: Units) -> Chart | None:
    groups = payload["muscle_groups"]
    if not groups:
        return None
    low, high = HARD_SET_RANGE
    names = [g["muscle_group"].replace("_", " ") for g in groups]
    sets = [float(g["hard_sets"]) for g in groups]
    left = max(_text_width(n) for n in names) + 22
    canvas = Canvas(WIDTH, max(220, 24 * len(names) + 70))
    plot = Plot(canvas, left, 10, 25, 52)
    ticks = nice_ticks(0, max(high + 2, max(sets) * 1.08), 8)
    scale = Scale(ticks[0], ticks[-1], plot.x0, plot.x1)
    canvas.rect(scale(low), plot.y1, scale(high) - scale(low), plot.y0 - plot.y1, PALETTE[2], 0.14)
    for value in ticks:
        x = scale(value)
        canvas.line(x, plot.y0, x, plot.y1, GRID, 0.8, 0.35)
        canvas.line(x, plot.y0, x, plot.y0 + 4)
        canvas.text(x, plot.y0 + 15, _label(value), "middle")
    canvas.text((plot.x0 + plot.x1) / 2, plot.y0 + 36, "hard sets this week", "middle")
    band = (plot.y0 - plot.y1) / len(names)
    for i, (name, value) in enumerate(zip(names, sets, strict=True)):
        y = plot.y1 + band * (i + 0.5)
        colour = PALETTE[0] if low <= value <= high else PALETTE[1]
        canvas.rect(plot.x0, y - band * 0.31, scale(value) - plot.x0, band * 0.62, colour)
        canvas.line(plot.x0 - 4, y, plot.x0, y)
        canvas.text(plot.x0 - 7, y, name, "end")
    canvas.line(plot.x0, plot.y0, plot.x0, plot.y1)
    canvas.line(plot.x0, plot.y0, plot.x1, plot.y0)
    legend = f"{low}–{high} sets"
    x = plot.x1 - _text_width(legend) - 34
    y = plot.y0 - 16
    canvas.rect(x, y - 5, 22, 10, PALETTE[2], 0.3)
    canvas.text(x + 30, y, legend)
    return Chart(
        "chart-hard-sets",
        "Hard sets per muscle group",
        f"This week's hard sets per muscle group against the common {low}–{high} weekly range "
        "(orange: outside it).",
        canvas,
    )


def volume_chart(payload: dict, units: Units) -> Chart | None:
    history = payload["history"]
    weeks = history["weeks"]
    tonnage = units.weights(history["tonnage_kg"])
    sessions = history["sessions"]
    if all(v is None for v in tonnage) and all(v is None for v in sessions):
        return None
    canvas = Canvas(WIDTH, 260)
    plot = Plot(canvas, 72, 12, 72, 40)
    left = plot.value_axis(from_zero(_known(tonnage)), label=f"tonnage ({units.weight})")
    most = max(_known(sessions), default=0.0)
    right = plot.value_axis((0.0, most + 1), "right", PALETTE[1], "sessions", integer=True)
    xs = plot.week_labels(weeks)
    _, band = plot.week_x(len(weeks))
    for x, value in zip(xs, tonnage, strict=True):
        if value:
            top = left(float(value))
            canvas.rect(x - band * 0.3, top, band * 0.6, plot.y0 - top, PALETTE[0], 0.8)
    _line_series(plot, xs, sessions, right, PALETTE[1], 3.6)
    return Chart(
        "chart-volume",
        "Weekly tonnage and sessions",
        f"Tonnage (bars) and sessions (line) in each of the last {len(weeks)} weeks.",
        canvas,
    )


def body_chart(payload: dict, units: Units) -> Chart | None:
    history = payload["history"]
    weeks = history["weeks"]
    trend = units.weights(history["trend_weight_kg"])
    intake = history["avg_calories_kcal"]
    if all(v is None for v in trend) and all(v is None for v in intake):
        return None
    canvas = Canvas(WIDTH, 260)
    plot = Plot(canvas, 80, 12, 80, 40)
    known = _known(intake)
    low, high = (min(known) * 0.85, max(known) * 1.05) if known else (0.0, 1.0)
    axis = plot.value_axis((low, high), label="mean intake (kcal a day)")
    right = plot.value_axis(
        padded(_known(trend)), "right", PALETTE[3], f"trend weight ({units.weight})"
    )
    xs = plot.week_labels(weeks)
    _, band = plot.week_x(len(weeks))
    for x, value in zip(xs, intake, strict=True):
        if value is not None and float(value) > low:
            top = axis(min(float(value), high))
            canvas.rect(x - band * 0.3, top, band * 0.6, plot.y0 - top, PALETTE[2], 0.55)
    _line_series(plot, xs, trend, right, PALETTE[3], 3.6, 1.8)
    return Chart(
        "chart-body",
        "Trend weight against intake",
        f"Trend weight at the end of each week (line) and the week's mean daily intake (bars), "
        f"over the last {len(weeks)} weeks.",
        canvas,
    )


CHARTS = (main_lifts_chart, volume_chart, hard_sets_chart, body_chart)


def report_charts(payload: dict, units: Units) -> list[Chart]:
    """The charts a week's payload supports, in report order (a chart without data is left out)."""
    return [c for c in (chart(payload, units) for chart in CHARTS) if c is not None]
