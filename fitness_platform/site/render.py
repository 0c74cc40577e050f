"""HTML pages from payloads and report text: the weekly report, an athlete's index, a diet cycle's
page and the coach's roster. Jinja2 templates with autoescaping; the report's Markdown rendered with
markdown-it (raw HTML in it is escaped, never passed through: the text may come from an LLM).

Every page is a pure function of its inputs: the same payload and text give the same bytes."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

import jinja2
from markdown_it import MarkdownIt

from fitness_platform.delivery.reference import ACWR_BAND
from fitness_platform.site.charts import Chart, report_charts
from fitness_platform.site.units import Units

RENDERER_VERSION = "html-v2"


@functools.cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("fitness_platform.site", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@functools.cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def markdown_html(text: str) -> str:
    """The report's Markdown as HTML; its first-level heading is the page's own title instead."""
    html = _markdown().render(text)
    return html.replace("<table>", '<div class="table"><table>').replace(
        "</table>", "</table></div>"
    )


@dataclass(frozen=True)
class Link:
    href: str
    text: str


def _fmt(value, unit: str = "", places: int | None = None) -> str:
    if value is None:
        return "–"
    if places is not None:
        value = round(value, places)
    if isinstance(value, float) and value.is_integer() and abs(value) >= 100:
        value = int(value)
    text = f"{value:,}" if abs(value) >= 10_000 else f"{value:g}"
    return f"{text} {unit}".strip()


def _signed(value, unit: str = "", places: int | None = None) -> str | None:
    if value is None:
        return None
    text = _fmt(value, unit, places)
    return text if value < 0 else ("±" + text if value == 0 else "+" + text)


def athlete_name(payload: dict) -> str:
    athlete = payload["athlete"]
    return athlete.get("display_name") or athlete["athlete_key"]


def week_label(week_start: str) -> str:
    return date.fromisoformat(week_start).strftime("%-d %B %Y")


def _tiles(p: dict, units: Units) -> list[dict]:
    ov, body, diet = p["training_overview"], p["body"], p["diet"]
    vs = ov.get("vs_last_week") or {}
    w = units.weight

    def delta(key, weight=False, places=None):
        value = vs.get(key)
        if value is None:
            return None
        value = units.kg(value) if weight else value
        return _signed(value, w if weight else "", places) + " vs last week"

    tiles = [
        {
            "label": "Sessions",
            "value": _fmt(ov["training_sessions"]),
            "delta": delta("training_sessions"),
        },
        {"label": "Working sets", "value": _fmt(ov["total_sets"]), "delta": delta("total_sets")},
        {
            "label": "Tonnage",
            "value": _fmt(units.kg(ov["tonnage_kg"]), w, 0),
            "delta": delta("tonnage_kg", True, 0),
        },
        {
            "label": "Trend weight",
            "value": _fmt(units.kg(body["trend_weight_kg"]), w),
            "delta": None
            if body["trend_change_kg_per_week"] is None
            else _signed(units.kg(body["trend_change_kg_per_week"]), w) + " a week",
        },
        {
            "label": "Mean intake",
            "value": _fmt(diet["avg_calories_kcal"], "kcal", 0),
            "delta": None,
        },
        {
            "label": "Streak",
            "value": _fmt(p["signals"]["streak_weeks"]),
            "delta": "weeks with a session",
        },
    ]
    return tiles


def _flags(p: dict) -> list[dict]:
    signals = p["signals"]
    flags = []
    if signals["deload"]["is_deload"]:
        flags.append({"kind": "warn", "text": "deload week"})
    for stall in signals["stalls"]:
        if stall["stalled"]:
            flags.append({"kind": "bad", "text": f"stall: {stall['exercise_name']}"})
    flagged = [a for a in signals["acwr"] if a["outside_band"]]
    low, high = ACWR_BAND
    if len(flagged) > 3:  # the report's text names them; a wall of pills would hide the rest
        flags.append({"kind": "warn", "text": f"ACWR outside {low}–{high}: {len(flagged)} groups"})
    for a in flagged if len(flagged) <= 3 else []:
        group = a["muscle_group"].replace("_", " ")
        flags.append({"kind": "warn", "text": f"ACWR {group} {a['ratio']:g}"})
    records = sum(
        1
        for e in p["exercises"]
        if e["records"]["top_load"]["all_time"] or e["records"]["best_e1rm"]["all_time"]
    )
    if records:
        flags.append(
            {"kind": "ok", "text": f"{records} all-time record{'s' if records != 1 else ''}"}
        )
    return flags


def report_page(
    payload: dict,
    report_md: str,
    *,
    links: list[Link],
    generated_from: str,
    cids: dict[str, str] | None = None,
    online_url: str | None = None,
    online_expiry: str | None = None,
    charts: list[Chart] | None = None,
) -> str:
    """The weekly report as one self-contained HTML page (inline SVG charts, inline CSS).

    With ``cids`` (chart id → content id) the charts are ``<img src="cid:…">`` instead, for the
    HTML body of an e-mail whose PNG parts carry them."""
    units = Units.of(payload)
    charts = report_charts(payload, units) if charts is None else charts
    cycle = payload["cycle"]
    return (
        _env()
        .get_template("report.html.j2")
        .render(
            title=f"{athlete_name(payload)}: week of {payload['week_start']}",
            athlete_name=athlete_name(payload),
            week_label=week_label(payload["week_start"]),
            week_start=payload["week_start"],
            week_end=payload["week_end"],
            cycle=f"{cycle['cycle_name']} ({cycle['cycle_type']})" if cycle else None,
            links=links,
            tiles=_tiles(payload, units),
            flags=_flags(payload),
            charts=[
                {
                    "chart_id": c.chart_id,
                    "title": c.title,
                    "description": c.description,
                    "svg": None if cids else c.svg(),
                    "cid": (cids or {}).get(c.chart_id),
                }
                for c in charts
            ],
            report_html=markdown_html(report_md),
            generated_from=generated_from,
            online_url=online_url,
            online_expiry=online_expiry,
        )
    )


def index_row(payload: dict, href: str) -> dict:
    """One week's line in an athlete's index."""
    units = Units.of(payload)
    ov, signals = payload["training_overview"], payload["signals"]
    notes = []
    if signals["deload"]["is_deload"]:
        notes.append("deload")
    notes += [f"stall: {s['exercise_name']}" for s in signals["stalls"] if s["stalled"]]
    flagged = [a["muscle_group"].replace("_", " ") for a in signals["acwr"] if a["outside_band"]]
    if flagged:
        notes.append("ACWR: " + ", ".join(flagged))
    return {
        "week_start": payload["week_start"],
        "href": href,
        "sessions": _fmt(ov["training_sessions"]),
        "working_sets": _fmt(ov["total_sets"]),
        "tonnage": _fmt(units.kg(ov["tonnage_kg"])),
        "trend_weight": _fmt(units.kg(payload["body"]["trend_weight_kg"])),
        "signals": "; ".join(notes) or "–",
    }


def athlete_index(
    payload: dict, rows: list[dict], cycles: list[dict], latest: dict | None, generated_from: str
) -> str:
    return (
        _env()
        .get_template("athlete_index.html.j2")
        .render(
            title=f"{athlete_name(payload)}: weekly reports",
            athlete_name=athlete_name(payload),
            weeks=rows,
            cycles=cycles,
            latest=latest,
            unit=Units.of(payload).weight,
            generated_from=generated_from,
        )
    )


def cycle_row(cycle: dict, payload: dict, href: str, ongoing: bool) -> dict:
    units = Units.of(payload)
    return {
        "name": cycle["cycle_name"],
        "type": cycle["cycle_type"],
        "first_day": cycle["first_day"],
        "last_day": cycle["as_of"],
        "ongoing": ongoing,
        "weeks": _fmt(cycle["weeks"]),
        "trend_change": _signed(units.kg(cycle["trend_change_kg"])) or "–",
        "href": href,
    }


def cycle_page(
    payload: dict, cycle: dict, weeks: list[dict], ongoing: bool, generated_from: str
) -> str:
    """A diet cycle's page: its summary (as of its last week) and the weeks it covers."""
    units = Units.of(payload)
    w = units.weight
    tiles = [
        {
            "label": "Trend weight change",
            "value": _signed(units.kg(cycle["trend_change_kg"]), w) or "–",
            "delta": None
            if cycle["trend_rate_kg_per_week"] is None
            else _signed(units.kg(cycle["trend_rate_kg_per_week"]), w) + " a week",
        },
        {
            "label": "Mean intake",
            "value": _fmt(cycle["avg_calories_kcal"], "kcal", 0),
            "delta": None,
        },
        {"label": "Protein", "value": _fmt(cycle["protein_g_per_kg"], "g/kg"), "delta": None},
        {"label": "Sessions a week", "value": _fmt(cycle["sessions_per_week"]), "delta": None},
        {"label": "Hard sets a week", "value": _fmt(cycle["hard_sets_per_week"]), "delta": None},
    ]
    for label, key in (
        ("Training adherence", "training_adherence"),
        ("Calorie adherence", "calorie_adherence"),
        ("Protein adherence", "protein_adherence"),
    ):
        if cycle.get(key) is not None:
            tiles.append({"label": label, "value": f"{round(cycle[key] * 100):g} %", "delta": None})
    lifts = [
        {
            "name": lift["exercise_name"],
            "trained_weeks": _fmt(lift["trained_weeks"]),
            "first": _fmt(units.kg(lift["first_best_e1rm_kg"])),
            "last": _fmt(units.kg(lift["last_best_e1rm_kg"])),
            "change": _signed(units.kg(lift["e1rm_change_kg"])) or "–",
            "kept": _fmt(lift["e1rm_retained_pct"]),
            "retained": {True: "yes", False: "no", None: "–"}[lift["strength_retained"]],
        }
        for lift in cycle["main_lifts"]
    ]
    return (
        _env()
        .get_template("cycle.html.j2")
        .render(
            title=f"{athlete_name(payload)}: {cycle['cycle_name']}",
            athlete_name=athlete_name(payload),
            cycle=cycle,
            ongoing=ongoing,
            tiles=tiles,
            lifts=lifts,
            is_cut=cycle["cycle_type"] == "cutting",
            weeks=weeks,
            unit=w,
            generated_from=generated_from,
        )
    )


def roster_row(payload: dict, href: str, last_session: date | None) -> dict:
    """One athlete's line in the coach's roster, from the athlete's latest payload."""
    ov, adherence, signals, dq = (
        payload["training_overview"],
        payload["adherence"],
        payload["signals"],
        payload["data_quality"],
    )
    planned = adherence["planned_sessions"]
    sessions = _fmt(ov["training_sessions"]) + (
        " / " + _fmt(planned) if planned is not None else ""
    )
    shares = [
        f"{name} {round(adherence[key] * 100):g} %"
        for name, key in (("training", "training"), ("kcal", "calories"), ("protein", "protein"))
        if adherence[key] is not None
    ]
    quality = []
    if not dq["has_training"]:
        quality.append("no workouts")
    if not dq["has_diet"]:
        quality.append("no diet log")
    elif dq["diet_days_missing"]:
        quality.append(f"{dq['diet_days_missing']} diet days missing")
    if dq["quarantined_rows"]:
        quality.append(f"{dq['quarantined_rows']} rows quarantined")
    if dq["kcal_mismatch_days"]:
        quality.append(f"{dq['kcal_mismatch_days']} kcal mismatches")
    return {
        "name": athlete_name(payload),
        "href": href,
        "week_start": payload["week_start"],
        "last_session": str(last_session) if last_session else "never",
        "sessions": sessions,
        "adherence": shares or ["no targets"],
        "stalls": ", ".join(s["exercise_name"] for s in signals["stalls"] if s["stalled"]) or "–",
        "deload": "yes" if signals["deload"]["is_deload"] else "no",
        "acwr": [
            f"{a['muscle_group'].replace('_', ' ')} {a['ratio']:g}"
            for a in signals["acwr"]
            if a["outside_band"]
        ]
        or ["–"],
        "quality": "; ".join(quality) or "ok",
    }


def roster_page(rows: list[dict], generated_from: str) -> str:
    low, high = ACWR_BAND
    return (
        _env()
        .get_template("roster.html.j2")
        .render(
            title="Coach's roster",
            wide=True,
            rows=rows,
            acwr_band=f"{low}–{high}",
            generated_from=generated_from,
        )
    )
