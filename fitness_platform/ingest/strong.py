"""Strong app exports: the second workout source (``source = 'strong'``), one row per set.

Layouts recognised from the header:
- ``classic``: Date, Workout Name, Duration ("1h 6m"), Exercise Name, Set Order, Weight, Reps,
  Distance, Seconds, Notes, Workout Notes, RPE;
- ``legacy``: the classic layout without Duration and RPE;
- ``v2``: Workout #, Duration (sec), Weight (kg|lbs), Distance (meters), and ``Rest Timer`` rows;
- ``semicolon``: ``;``-separated with Weight Unit and Distance Unit columns per row.
Headers may be in the app's language (English, French, Chinese, Portuguese, Spanish, German).

Set Order markers: a number is a normal set; ``W`` warm-up, ``D`` drop set, ``F`` failure; a
``Rest Timer`` row is a pseudo-row, not a set, and is skipped (counted in the file's facts); any
other non-numeric marker is quarantined under ``set_order_unknown``. Set indexes are assigned in
file order within each exercise block, starting at 0.

Weights and distances without a unit in the file follow the athlete's settings
(``athlete.toml``), else kilograms and kilometres, which the parse reports as an assumption."""

from __future__ import annotations

import re
from datetime import datetime

import pandas as pd

from fitness_platform.errors import ExportError
from fitness_platform.ingest.catalog import normalise_title
from fitness_platform.ingest.csvfile import CsvTable
from fitness_platform.ingest.hevy import (
    KG_PER_LB,
    KM_PER_MILE,
    ParsedWorkouts,
    assign_blocks,
    finish_sets,
    notes_text,
    parse_times,
    quarantine_duplicate_rows,
    raw_frame,
    require_rows,
)
from fitness_platform.ingest.rules import Quarantine, map_unique, to_number

# canonical column → header spellings (compared case-insensitively, spaces folded)
ALIASES: dict[str, list[str]] = {
    "workout_number": ["workout #", "entraînement #", "训练 #", "treino #"],
    "date": ["date", "datum", "fecha", "日期", "data"],
    "workout_name": [
        "workout name",
        "nom de l'entraînement",
        "nom de l’entraînement",
        "训练名称",
        "nome do treino",
        "nombre del entrenamiento",
        "trainingsname",
    ],
    "duration": ["duration", "durée", "时长", "duração", "duración", "dauer", "workout duration"],
    "duration_sec": ["duration (sec)", "durée (sec)", "时长 (秒)"],
    "exercise_name": [
        "exercise name",
        "nom de l'exercice",
        "nom de l’exercice",
        "动作名称",
        "nome do exercício",
        "nombre del ejercicio",
        "übungsname",
    ],
    "set_order": [
        "set order",
        "ordre des séries",
        "ordre de la série",
        "组序",
        "ordem da série",
        "orden de serie",
        "satzreihenfolge",
    ],
    "weight": ["weight", "poids", "重量", "peso", "gewicht"],
    "weight_kg": ["weight (kg)", "poids (kg)", "重量 (kg)", "重量 (公斤)"],
    "weight_lbs": ["weight (lbs)", "poids (lbs)", "重量 (lbs)", "重量 (磅)"],
    "weight_unit": ["weight unit", "unité de poids", "重量单位"],
    "reps": ["reps", "répétitions", "次数", "repetições", "repeticiones", "wiederholungen"],
    "distance": ["distance", "距离", "distância", "distancia", "distanz"],
    "distance_m": ["distance (meters)", "distance (mètres)", "距离 (米)"],
    "distance_unit": ["distance unit", "unité de distance", "距离单位"],
    "seconds": ["seconds", "secondes", "秒", "segundos", "sekunden"],
    "notes": ["notes", "备注", "notas", "notizen"],
    "workout_notes": [
        "workout notes",
        "notes d'entraînement",
        "notes d’entraînement",
        "训练备注",
        "notas do treino",
        "notas del entrenamiento",
    ],
    "rpe": ["rpe"],
}
_LOOKUP = {alias: canonical for canonical, names in ALIASES.items() for alias in names}
REQUIRED = ["date", "workout_name", "exercise_name", "set_order", "reps"]
LANGUAGE_HINTS = {
    "nom de l'exercice": "fr",
    "nom de l’exercice": "fr",
    "动作名称": "zh",
    "nome do exercício": "pt",
    "nombre del ejercicio": "es",
    "übungsname": "de",
}
MARKERS = {"w": "warmup", "d": "dropset", "f": "failure"}
REST_TIMER = {"rest timer", "minuteur de repos", "休息计时器", "temporizador de descanso"}
LB_WORDS = {"lb", "lbs", "pound", "pounds", "livres", "磅"}
MILE_WORDS = {"mi", "mile", "miles", "英里"}


def _fold(cell: str) -> str:
    return " ".join(cell.strip().lower().split())


def canonical_header(header: list[str]) -> list[str]:
    return [_LOOKUP.get(_fold(h), _fold(h)) for h in header]


def is_strong_header(header: list[str]) -> bool:
    names = set(canonical_header(header))
    return {"exercise_name", "set_order"} <= names and "date" in names


def variant_of(table: CsvTable) -> tuple[str, str]:
    """(layout, language) of a Strong export."""
    names = set(canonical_header(table.header))
    folded = {_fold(h) for h in table.header}
    language = next((LANGUAGE_HINTS[h] for h in folded if h in LANGUAGE_HINTS), "en")
    if table.delimiter == ";" or "weight_unit" in names:
        return "semicolon", language
    if names & {"workout_number", "duration_sec", "weight_kg", "weight_lbs", "distance_m"}:
        return "v2", language
    if "duration" not in names and "rpe" not in names:
        return "legacy", language
    return "classic", language


_DURATION = re.compile(
    r"^\s*(?:(?P<h>\d+)\s*h)?\s*(?:(?P<m>\d+)\s*(?:mins|min|m))?\s*"
    r"(?:(?P<s>\d+)\s*s)?\s*$",
    re.I,
)


def parse_duration(text: str) -> float | None:
    """Seconds of a Strong duration: ``35m``, ``1h 6m``, ``9min``, ``1h``, ``45s``, ``2100``."""
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    match = _DURATION.match(text)
    if not match or not any(match.groupdict().values()):
        return None
    parts = {k: int(v) if v else 0 for k, v in match.groupdict().items()}
    return parts["h"] * 3600 + parts["m"] * 60 + parts["s"]


def parse_strong(
    table: CsvTable,
    *,
    athlete_key: str,
    corrections: pd.DataFrame | None = None,
    now: datetime | None = None,
    weight_unit: str | None = None,
    distance_unit: str | None = None,
) -> ParsedWorkouts:
    path = table.path
    names = canonical_header(table.header)
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        original = next((a for a in ALIASES[missing[0]] if a.isascii()), missing[0])
        raise ExportError(
            path, "missing required column of a Strong export", line=1, column=original.title()
        )
    require_rows(table, "Strong export")
    layout, language = variant_of(table)
    renamed = CsvTable(path, names, table.rows, table.lines, table.delimiter)
    raw = raw_frame(renamed, list(ALIASES))
    quarantine = Quarantine()

    marker = raw["set_order"].str.strip()
    rest = marker.str.lower().isin(REST_TIMER)
    raw = raw[~rest]
    marker = marker[~rest]
    workout = raw["date"].astype(str) + "\x1f" + raw["workout_name"].astype(str)
    quarantine_duplicate_rows(raw, workout, quarantine)

    frame = pd.DataFrame(index=raw.index)
    frame["workout_name"] = raw["workout_name"].str.strip()
    frame["description"] = notes_text(raw["workout_notes"])
    frame["exercise_title"] = map_unique(raw["exercise_name"], normalise_title)
    frame["notes"] = notes_text(raw["notes"])
    frame["start_time"] = parse_times(raw["date"])
    quarantine.add(frame["start_time"].isna(), "start_time_unparseable")
    seconds_text = raw["duration_sec"].where(raw["duration_sec"] != "", raw["duration"])
    durations = seconds_text.map(parse_duration)
    quarantine.add((seconds_text.str.strip() != "") & durations.isna(), "duration_unparseable")
    # Strong records no end time; without a duration the workout is taken as instantaneous and the
    # warehouse's duration check lists it.
    frame["end_time"] = frame["start_time"] + pd.to_timedelta(durations.fillna(0), unit="s")

    number = pd.to_numeric(marker.where(marker.str.fullmatch(r"\d+")), errors="coerce")
    kind = marker.str.lower().map(MARKERS)
    frame["set_type"] = kind.where(kind.notna(), "normal")
    quarantine.add(number.isna() & kind.isna(), "set_order_unknown")

    units = {"weight": "kg", "distance": "km", "assumed": []}
    weight, bad = _weight(raw, set(names), units, weight_unit)
    quarantine.add(bad, "weight_not_numeric")
    frame["weight_kg"] = weight.round(2)
    distance, bad = _distance(raw, set(names), units, distance_unit)
    quarantine.add(bad, "distance_not_numeric")
    frame["distance_km"] = distance.round(3)
    for column, target in (("reps", "reps"), ("seconds", "duration_seconds"), ("rpe", "rpe")):
        values, bad = to_number(raw[column])
        quarantine.add(bad, f"{column}_not_numeric")
        frame[target] = values
    frame["superset_id"] = float("nan")

    assign_blocks(frame, workout, number)
    frame["set_index"] = frame.groupby([workout, frame["exercise_order"]]).cumcount().astype(float)
    return finish_sets(
        frame,
        raw,
        quarantine,
        table=table,
        athlete_key=athlete_key,
        corrections=corrections,
        now=now,
        source="strong",
        units={**units, "layout": layout, "language": language, "rest_timer_rows": int(rest.sum())},
    )


def _weight(raw: pd.DataFrame, present: set[str], units: dict, setting: str | None):
    if "weight_kg" in present:
        return to_number(raw["weight_kg"])
    if "weight_lbs" in present:
        values, bad = to_number(raw["weight_lbs"])
        units["weight"] = "lb"
        return values * KG_PER_LB, bad
    values, bad = to_number(raw["weight"])
    if "weight_unit" in present:
        per_row = raw["weight_unit"].str.strip().str.lower().isin(LB_WORDS)
        units["weight"] = "per row"
        return values.where(~per_row, values * KG_PER_LB), bad
    unit = (setting or "").lower()
    if unit in LB_WORDS:
        units["weight"] = "lb"
        return values * KG_PER_LB, bad
    if not unit and values.notna().any():
        units["assumed"].append("weight in kg (no unit in the file and no athlete.toml)")
    return values, bad


def _distance(raw: pd.DataFrame, present: set[str], units: dict, setting: str | None):
    if "distance_m" in present:
        values, bad = to_number(raw["distance_m"])
        return values / 1000, bad
    values, bad = to_number(raw["distance"])
    if "distance_unit" in present:
        unit = raw["distance_unit"].str.strip().str.lower()
        units["distance"] = "per row"
        return values.where(~unit.isin(MILE_WORDS), values * KM_PER_MILE).where(
            unit != "m", values / 1000
        ), bad
    if (setting or "").lower() in MILE_WORDS:
        units["distance"] = "mi"
        return values * KM_PER_MILE, bad
    if not setting and values.notna().any():
        units["assumed"].append("distance in km (no unit in the file and no athlete.toml)")
    return values, bad
