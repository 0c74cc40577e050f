"""Hevy workout exports: one row per set, newest workout first."""

from __future__ import annotations

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

HEVY_REQUIRED = [
    "title",
    "start_time",
    "end_time",
    "exercise_title",
    "set_index",
    "set_type",
    "reps",
]


HEVY_OPTIONAL = ["description", "superset_id", "exercise_notes", "duration_seconds", "rpe"]


WEIGHT_UNITS = {"weight_kg": 1.0, "weight_lbs": KG_PER_LB}


DISTANCE_UNITS = {"distance_km": 1.0, "distance_miles": KM_PER_MILE}


SET_TYPES = {
    "normal": "normal",
    "warmup": "warmup",
    "warm up": "warmup",
    "warm-up": "warmup",
    "failure": "failure",
    "dropset": "dropset",
    "drop set": "dropset",
    "drop-set": "dropset",
    "": "normal",
}


def is_hevy_header(header: list[str]) -> bool:
    known = set(HEVY_REQUIRED) | set(HEVY_OPTIONAL) | set(WEIGHT_UNITS) | set(DISTANCE_UNITS)
    return "set_index" in header or len(known & set(header)) >= 6


def parse_hevy(
    table: CsvTable,
    *,
    athlete_key: str,
    corrections: pd.DataFrame | None = None,
    now: datetime | None = None,
    source: str = "hevy",
) -> ParsedWorkouts:
    """Parse a Hevy export into silver sets: kg and km, local times, blocks, corrections applied."""
    path = table.path
    header = table.header
    missing = [c for c in HEVY_REQUIRED if c not in header]
    weight_cols = [c for c in WEIGHT_UNITS if c in header]
    if not weight_cols:
        missing.append("weight_kg")
    if missing:
        raise ExportError(
            path, "missing required column of a Hevy export", line=1, column=missing[0]
        )
    if len(weight_cols) > 1:
        raise ExportError(
            path, "both weight_kg and weight_lbs columns", line=1, column="weight_lbs"
        )
    require_rows(table, "Hevy export")
    distance_cols = [c for c in DISTANCE_UNITS if c in header]
    raw = raw_frame(table, HEVY_OPTIONAL + (distance_cols or ["distance_km"]))
    quarantine = Quarantine()
    workout = raw["start_time"].astype(str) + "\x1f" + raw["title"].astype(str)
    quarantine_duplicate_rows(raw, workout, quarantine)

    frame = pd.DataFrame(index=raw.index)
    frame["workout_name"] = map_unique(raw["title"], str.strip, infer=False)
    frame["description"] = notes_text(raw["description"])
    frame["exercise_title"] = map_unique(raw["exercise_title"], normalise_title)
    frame["notes"] = notes_text(raw["exercise_notes"])
    frame["start_time"] = parse_times(raw["start_time"])
    frame["end_time"] = parse_times(raw["end_time"])
    quarantine.add(frame["start_time"].isna(), "start_time_unparseable")
    quarantine.add(frame["end_time"].isna(), "end_time_unparseable")

    weight_col = weight_cols[0]
    weight, bad = to_number(raw[weight_col])
    quarantine.add(bad, "weight_not_numeric")
    frame["weight_kg"] = (weight * WEIGHT_UNITS[weight_col]).round(2)
    distance_col = distance_cols[0] if distance_cols else "distance_km"
    distance, bad = to_number(raw[distance_col])
    quarantine.add(bad, "distance_not_numeric")
    frame["distance_km"] = (distance * DISTANCE_UNITS[distance_col]).round(3)
    for column in ("reps", "set_index", "duration_seconds", "rpe", "superset_id"):
        values, bad = to_number(raw[column])
        quarantine.add(bad, f"{column}_not_numeric")
        frame[column] = values
    quarantine.add(raw["set_index"].str.strip() == "", "set_index_missing")
    frame["set_type"] = map_unique(raw["set_type"], _set_type).astype("str")
    assign_blocks(frame, workout, frame["set_index"])
    return finish_sets(
        frame,
        raw,
        quarantine,
        table=table,
        athlete_key=athlete_key,
        corrections=corrections,
        now=now,
        source=source,
        units=_units(weight_cols, distance_cols),
    )


def _set_type(cell: str) -> str:
    word = cell.strip().lower()
    return SET_TYPES.get(word, word)


def _units(weight_cols, distance_cols) -> dict[str, str]:
    return {
        "weight": "lb" if weight_cols == ["weight_lbs"] else "kg",
        "distance": "mi" if distance_cols == ["distance_miles"] else "km",
    }
