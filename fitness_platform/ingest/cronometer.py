"""Cronometer's daily-summary export; its days take their cycle from the athlete's cycles file."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from fitness_platform.errors import ExportError
from fitness_platform.ingest.csvfile import CsvTable
from fitness_platform.ingest.cycles import cycle_on
from fitness_platform.ingest.diet import DIET_COLUMNS, ParsedDiet, diet_schema
from fitness_platform.ingest.rules import Quarantine, to_number
from fitness_platform.ingest.sets import raw_frame, require_rows

CRONOMETER_COLUMNS = {
    "Energy (kcal)": "calories_kcal",
    "Protein (g)": "protein_g",
    "Carbs (g)": "carbs_g",
    "Fat (g)": "fat_g",
}


def is_cronometer_header(header: list[str]) -> bool:
    return "Date" in header and "Energy (kcal)" in header


def parse_day(text: str) -> date | None:
    text = text.strip()
    for layout in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    return None


def parse_cronometer(
    table: CsvTable, *, athlete_key: str, cycles: pd.DataFrame, today: date | None = None
) -> ParsedDiet:
    """One row per logged day; missing days are simply absent. Cycles come from ``cycles``."""
    missing = [c for c in ["Date", *CRONOMETER_COLUMNS] if c not in table.header]
    if missing:
        raise ExportError(
            table.path, "missing required column of a Cronometer export", line=1, column=missing[0]
        )
    require_rows(table, "Cronometer export")
    raw = raw_frame(table, [])
    quarantine = Quarantine()
    frame = pd.DataFrame(index=raw.index)
    frame["diet_date"] = pd.to_datetime(raw["Date"].map(parse_day), errors="coerce").astype(
        "datetime64[us]"
    )
    quarantine.add(frame["diet_date"].isna(), "diet_date_unparseable")
    for source, column in CRONOMETER_COLUMNS.items():
        values, bad = to_number(raw[source])
        quarantine.add(bad, f"{column}_not_numeric")
        frame[column] = values
    frame["cardio_weekly_min"] = float("nan")
    frame["bodyweight_kg"] = float("nan")
    frame["notes"] = ""
    quarantine.add_schema_failures(frame, diet_schema(today or date.today()))
    ok = frame.drop(index=quarantine.labels)
    quarantine.add_labels(ok.index[ok["diet_date"].duplicated().to_numpy()], "duplicate_day")
    ok = frame.drop(index=quarantine.labels).copy()
    ok["diet_date"] = ok["diet_date"].dt.date
    ok["cycle_number"] = ok["diet_date"].map(lambda d: cycle_on(cycles, d)).astype("Int64")
    ok["athlete_key"] = athlete_key
    ok["source_file"] = table.path.name
    ok["source_line"] = raw.loc[ok.index, "_line"].astype("int64")
    rejects = quarantine.rejects(
        raw,
        athlete_key=athlete_key,
        source_file=table.path.name,
        row_dates=frame["diet_date"].dt.date,
    )
    return ParsedDiet(
        ok[DIET_COLUMNS].sort_values("diet_date").reset_index(drop=True), cycles.copy(), rejects
    )
