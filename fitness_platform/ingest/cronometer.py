"""Cronometer's daily-summary export; its days take their cycle from the athlete's cycles file."""

from __future__ import annotations

from datetime import date, datetime, timedelta

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
    """A day as Cronometer's exports write it, ``2026-01-05`` (origins: ORIGINS.md); anything else
    is None (a slash date such as ``1/5/2026`` could be either day first or month first)."""
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
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


# --- the Servings export: one row per food logged ---------------------------------------------
# Origin: a real export committed in davidgma/cron-csv (servings.csv): Day, Time (blank, or
# "11:31 AM"), Group, Food Name, Amount ("158.00 g"), Energy (kcal), then every nutrient Cronometer
# tracks (Carbs (g), Fat (g) and Protein (g) among them), then Category. A nutrient Cronometer
# does not know for a food is left blank.
SERVINGS_KEYS = ["Day", "Group", "Food Name", "Amount", "Energy (kcal)"]
MAX_DAY_KCAL = 15_000  # the diet rules' calories_absurd


def is_cronometer_servings_header(header: list[str]) -> bool:
    return all(c in header for c in SERVINGS_KEYS)


def parse_cronometer_servings(
    table: CsvTable, *, athlete_key: str, cycles: pd.DataFrame, today: date | None = None
) -> ParsedDiet:
    """The servings summed into one row per day, like the daily summary. A serving that breaks a
    rule is quarantined, and so is the rest of its day (``serving_day_incomplete``): a day is
    loaded whole or not at all, never as a silent undercount. A nutrient left blank counts 0."""
    missing = [c for c in ["Day", *CRONOMETER_COLUMNS] if c not in table.header]
    if missing:
        raise ExportError(
            table.path,
            "missing required column of a Cronometer servings export",
            line=1,
            column=missing[0],
        )
    require_rows(table, "Cronometer servings export")
    raw = raw_frame(table, [])
    quarantine = Quarantine()
    frame = pd.DataFrame(index=raw.index)
    frame["diet_date"] = pd.to_datetime(raw["Day"].map(parse_day), errors="coerce").astype(
        "datetime64[us]"
    )
    quarantine.add(frame["diet_date"].isna(), "diet_date_unparseable")
    for source, column in CRONOMETER_COLUMNS.items():
        values, bad = to_number(raw[source])
        quarantine.add(bad, f"{column}_not_numeric")
        quarantine.add(values < 0, f"{column}_negative")
        frame[column] = values.fillna(0.0)
    horizon = pd.Timestamp((today or date.today()) + timedelta(days=1))
    quarantine.add(frame["diet_date"] > horizon, "diet_date_in_future")
    totals = frame.groupby("diet_date")["calories_kcal"].transform("sum")
    quarantine.add(totals > MAX_DAY_KCAL, "calories_absurd")  # the day's sum, as the summary's
    broken_days = set(frame.loc[quarantine.labels, "diet_date"].dropna())
    quarantine.add(
        frame["diet_date"].isin(broken_days) & ~frame.index.isin(quarantine.labels),
        "serving_day_incomplete",
    )
    ok = frame.drop(index=quarantine.labels)
    days = ok.groupby("diet_date", sort=True)
    summed = days[list(CRONOMETER_COLUMNS.values())].sum().round(2)
    summed["source_line"] = days.apply(lambda g: int(raw.at[g.index[0], "_line"]))
    summed = summed.reset_index()
    summed["diet_date"] = summed["diet_date"].dt.date
    summed["cardio_weekly_min"] = float("nan")
    summed["bodyweight_kg"] = float("nan")
    summed["notes"] = ""
    summed["cycle_number"] = summed["diet_date"].map(lambda d: cycle_on(cycles, d)).astype("Int64")
    summed["athlete_key"] = athlete_key
    summed["source_file"] = table.path.name
    rejects = quarantine.rejects(
        raw,
        athlete_key=athlete_key,
        source_file=table.path.name,
        row_dates=frame["diet_date"].dt.date,
    )
    return ParsedDiet(summed[DIET_COLUMNS].reset_index(drop=True), cycles.copy(), rejects)
