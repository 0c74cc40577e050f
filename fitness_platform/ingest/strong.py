"""Strong app exports: the second workout source (``source = 'strong'``), one row per set.

Layouts recognised from the header (each backed by a real export or a client that reads real
exports; the origin of every vocabulary is in ``fitness_platform_tests/fixtures/ORIGINS.md``):
- ``classic``: Date, Workout Name, Duration ("1h 6m", "1h 39min"), Exercise Name, Set Order,
  Weight, Reps, Distance, Seconds, Notes, Workout Notes, RPE; written in the app's language, and
  known in English, French and Portuguese;
- ``legacy``: the classic layout without Duration and RPE;
- ``v2``: Workout #, Duration (sec), Weight (kg|lbs), Distance (meters), and rest-timer rows;
- ``semicolon``: ``;``-separated with Weight Unit and Distance Unit columns per row.

The app writes the classic columns in the same order in every language we have a sample of. A
twelve-column header in another language is therefore read by position, but only when the rows
look like Strong's (a start time first, set orders fifth, numbers where the numbers go); the parse
reports it as such. A header that is close to a known vocabulary without matching it is refused
with the columns that did not match and the nearest layout.

Set Order markers: a number is a normal set; ``W`` warm-up, ``D`` drop set, ``F`` failure. A
rest-timer row (``Rest Timer``, ``Minuteur de repos``, or in any language a textual marker on a
row with no weight, reps or distance but a number of seconds) is not a set and is skipped (counted
in the file's facts); any other non-numeric marker is quarantined under ``set_order_unknown``. Set
indexes are assigned in file order within each exercise block, starting at 0.

Weights and distances without a unit in the file follow the athlete's settings
(``athlete.toml``), else kilograms and kilometres, which the parse reports as an assumption."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

import pandas as pd

from fitness_platform.errors import ExportError
from fitness_platform.ingest.catalog import normalise_title
from fitness_platform.ingest.csvfile import CsvTable
from fitness_platform.ingest.rules import Quarantine, map_unique, to_number
from fitness_platform.ingest.sets import (
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
from fitness_platform.ingest.timeparse import parse_workout_time

# The classic layout's columns, in the order the app writes them.
CLASSIC = (
    "date",
    "workout_name",
    "duration",
    "exercise_name",
    "set_order",
    "weight",
    "reps",
    "distance",
    "seconds",
    "notes",
    "workout_notes",
    "rpe",
)
# The classic header in each language a real export shows, column for column.
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "en": (
        "Date",
        "Workout Name",
        "Duration",
        "Exercise Name",
        "Set Order",
        "Weight",
        "Reps",
        "Distance",
        "Seconds",
        "Notes",
        "Workout Notes",
        "RPE",
    ),
    "fr": (
        "Date",
        "Nom de l'entraînement",
        "Durée",
        "Nom de l'exercice",
        "Ordre de la série",
        "Poids",
        "Réps",
        "Distance",
        "Secondes",
        "Notes",
        "Notes d'entraînement",
        "RPE",
    ),
    "pt": (
        "Data",
        "Nome do treino",
        "Duração",
        "Nome do exercício",
        "Ordem da série",
        "Peso",
        "Reps",
        "Distância",
        "Segundos",
        "Notas",
        "Notas do treino",
        "RPE",
    ),
}
# Columns of the newer English layouts (v2 and the per-row-unit layout).
ENGLISH_EXTRA = {
    "Workout #": "workout_number",
    "Duration (sec)": "duration_sec",
    "Weight (kg)": "weight_kg",
    "Weight (lbs)": "weight_lbs",
    "Distance (meters)": "distance_m",
    "Weight Unit": "weight_unit",
    "Distance Unit": "distance_unit",
    "Workout Duration": "duration",
}
COLUMNS = [*CLASSIC, *dict.fromkeys(ENGLISH_EXTRA.values())]
REQUIRED = ["date", "workout_name", "exercise_name", "set_order", "reps"]
MARKERS = {"w": "warmup", "d": "dropset", "f": "failure"}
REST_TIMER = {"rest timer", "minuteur de repos"}
LB_WORDS = {"lb", "lbs", "pound", "pounds"}
MILE_WORDS = {"mi", "mile", "miles"}
POSITIONAL = "unknown language, read by column position"
LANGUAGE_NAMES = {"en": "English", "fr": "French", "pt": "Portuguese"}


def _fold(cell: str) -> str:
    """Header cells compared case-insensitively, spaces folded, typographic apostrophes straight,
    Unicode composed (a decomposed "é" is the same letter)."""
    cell = unicodedata.normalize("NFC", cell).replace("\u2019", "'")
    return " ".join(cell.strip().lower().split())


_LOOKUP: dict[str, str] = {_fold(h): c for h, c in ENGLISH_EXTRA.items()}
for _language, _names in VOCABULARIES.items():
    for _canonical, _header in zip(CLASSIC, _names, strict=True):
        _LOOKUP.setdefault(_fold(_header), _canonical)


def canonical_header(header: list[str]) -> list[str]:
    return [_LOOKUP.get(_fold(h), _fold(h)) for h in header]


def is_strong_header(header: list[str]) -> bool:
    names = set(canonical_header(header))
    return {"exercise_name", "set_order"} <= names and "date" in names


def language_of(header: list[str]) -> str:
    """The vocabulary matching the most header cells (English on a tie)."""
    folded = {_fold(h) for h in header}
    scores = {lang: sum(_fold(h) in folded for h in names) for lang, names in VOCABULARIES.items()}
    best = max(scores.values())
    return "en" if scores["en"] == best else max(scores, key=scores.get)


def nearest_layout(header: list[str]) -> tuple[str, list[str], float] | None:
    """(layout name, header cells it does not know, share of its columns present) of the known
    classic vocabulary closest to ``header``, or None when none shares half its columns."""
    folded = [_fold(h) for h in header]
    best = None
    for language, names in VOCABULARIES.items():
        known = {_fold(n) for n in names}
        share = sum(f in known for f in set(folded)) / len(names)
        if best is None or share > best[2]:
            unknown = [h for h, f in zip(header, folded, strict=True) if f not in known]
            best = (f"Strong classic ({LANGUAGE_NAMES[language]})", unknown, share)
    return best if best and best[2] >= 0.5 else None


def _numeric(cell: str) -> bool:
    text = cell.strip().replace(",", ".")
    if not text:
        return True
    try:
        float(text)
    except ValueError:
        return False
    return True


def reads_by_position(header: list[str], rows: list[list[str]]) -> bool:
    """Whether a header in an unknown language is a classic Strong export read by position: twelve
    columns mostly unknown to every known vocabulary (a header close to one is a near miss, refused
    by name instead), and rows shaped like Strong's."""
    if len(header) != len(CLASSIC) or is_strong_header(header) or not rows:
        return False
    if nearest_layout(header) is not None:
        return False
    sample = [r for r in rows[:50] if len(r) == len(CLASSIC)]
    if not sample:
        return False
    col = {name: i for i, name in enumerate(CLASSIC)}
    times = sum(parse_workout_time(r[col["date"]]) is not None for r in sample)
    numbers = all(
        _numeric(r[col[c]]) for r in sample for c in ("weight", "reps", "distance", "seconds")
    )
    orders = all(r[col["set_order"]].strip() for r in sample)
    return times == len(sample) and numbers and orders


def variant_of(table: CsvTable, *, positional: bool = False) -> tuple[str, str]:
    """(layout, language) of a Strong export."""
    present = set(CLASSIC) if positional else set(canonical_header(table.header))
    language = POSITIONAL if positional else language_of(table.header)
    if table.delimiter == ";" or "weight_unit" in present:
        return "semicolon", language
    if present & {"workout_number", "duration_sec", "weight_kg", "weight_lbs", "distance_m"}:
        return "v2", language
    if "duration" not in present and "rpe" not in present:
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
    positional = reads_by_position(table.header, table.rows)
    names = list(CLASSIC) if positional else canonical_header(table.header)
    first_cell: dict[str, str] = {}
    for cell, name in zip(table.header, names, strict=True):
        if name in first_cell:  # e.g. English "Date" beside Portuguese "Data"
            raise ExportError(
                path,
                f"the columns {first_cell[name]!r} and {cell!r} both mean {name!r} in a Strong "
                "export (two languages' headers mixed?); keep one of them",
                line=1,
                column=cell,
            )
        first_cell[name] = cell
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        column = VOCABULARIES[language_of(table.header)][CLASSIC.index(missing[0])]
        near = nearest_layout(table.header)
        detail = (
            f"; the nearest layout is {near[0]}, which has no column "
            + ", ".join(repr(h) for h in near[1])
            if near and near[1]
            else ""
        )
        raise ExportError(
            path, f"missing required column of a Strong export{detail}", line=1, column=column
        )
    require_rows(table, "Strong export")
    layout, language = variant_of(table, positional=positional)
    renamed = CsvTable(path, names, table.rows, table.lines, table.delimiter, table.cells)
    raw = raw_frame(renamed, COLUMNS)
    quarantine = Quarantine()

    marker = raw["set_order"].str.strip()
    rest = marker.str.lower().isin(REST_TIMER) | _timer_rows(raw, marker)
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
    # Strong writes 0 in Distance and Seconds when a set has none: not recorded, not zero.
    frame["distance_km"] = distance.where(distance != 0).round(3)
    for column, target in (("reps", "reps"), ("seconds", "duration_seconds"), ("rpe", "rpe")):
        values, bad = to_number(raw[column])
        quarantine.add(bad, f"{column}_not_numeric")
        frame[target] = values.where(values != 0) if column == "seconds" else values
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


def _timer_rows(raw: pd.DataFrame, marker: pd.Series) -> pd.Series:
    """Rest-timer pseudo-rows in any language: a textual marker (not a number, not W/D/F) on a row
    with no weight, reps or distance, and a number of seconds (the timer's length)."""
    textual = ~marker.str.fullmatch(r"\d+") & ~marker.str.lower().isin(MARKERS) & (marker != "")
    empty = [
        to_number(raw[c])[0].fillna(0).eq(0)
        for c in ("weight", "weight_kg", "weight_lbs", "reps", "distance", "distance_m")
    ]
    seconds = to_number(raw["seconds"])[0].fillna(0) > 0
    return textual & seconds & pd.concat(empty, axis=1).all(axis=1)


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
    if not unit and values.fillna(0).ne(0).any():
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
    if not setting and values.fillna(0).ne(0).any():
        units["assumed"].append("distance in km (no unit in the file and no athlete.toml)")
    return values, bad
