"""Cronometer's daily-summary export and a stand-alone cycles file (``cycles.csv``)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from fitness_platform.errors import ExportError
from fitness_platform.ingest.csvfile import CsvTable
from fitness_platform.ingest.diet import (
    CYCLE_COLUMNS,
    DIET_COLUMNS,
    ParsedDiet,
    cycle_type_of,
    diet_schema,
)
from fitness_platform.ingest.hevy import raw_frame, require_rows
from fitness_platform.ingest.rules import Quarantine, to_number

CRONOMETER_COLUMNS = {
    "Energy (kcal)": "calories_kcal",
    "Protein (g)": "protein_g",
    "Carbs (g)": "carbs_g",
    "Fat (g)": "fat_g",
}
CYCLE_FILE_COLUMNS = ["number", "name", "type", "start", "end"]
CYCLE_TYPES = {"cutting", "bulking", "reverse", "maintenance", "other"}


def is_cronometer_header(header: list[str]) -> bool:
    return "Date" in header and "Energy (kcal)" in header


def is_cycles_header(header: list[str]) -> bool:
    return [h.strip().lower() for h in header][:5] == CYCLE_FILE_COLUMNS


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


def cycle_on(cycles: pd.DataFrame, day: date) -> int | None:
    """The cycle whose range holds ``day`` (the later start wins an overlap), or None."""
    holding = cycles[
        (cycles["start_date"] <= day) & (cycles["end_date"].isna() | (cycles["end_date"] >= day))
    ]
    if holding.empty:
        return None
    return int(holding.sort_values(["start_date", "cycle_number"]).iloc[-1]["cycle_number"])


def parse_cycles_file(table: CsvTable, *, athlete_key: str) -> pd.DataFrame:
    """``number,name,type,start,end``; dates ISO or DD/MM/YYYY; an empty end is an open cycle.
    The file is small and hand-written: any bad cell refuses it, naming line and column."""
    header = [h.strip().lower() for h in table.header]
    rows = []
    for line, cells in zip(table.lines, table.rows, strict=True):
        row = dict(zip(header, (c.strip() for c in cells), strict=True))
        if not row["number"].isdigit():
            raise ExportError(
                table.path, "cycle number must be a whole number", line=line, column="number"
            )
        if not row["name"]:
            raise ExportError(table.path, "cycle name is empty", line=line, column="name")
        kind = (
            row["type"].lower()
            if row["type"].lower() in CYCLE_TYPES
            else cycle_type_of(row["type"] or row["name"])
        )
        start = _cycle_day(row["start"])
        if start is None:
            raise ExportError(
                table.path, "not a date (YYYY-MM-DD or DD/MM/YYYY)", line=line, column="start"
            )
        end = (
            _cycle_day(row["end"])
            if row["end"] and not row["end"].upper().startswith("X")
            else None
        )
        if row["end"] and end is None and not row["end"].upper().startswith("X"):
            raise ExportError(
                table.path, "not a date (YYYY-MM-DD or DD/MM/YYYY)", line=line, column="end"
            )
        if end is not None and end < start:
            raise ExportError(
                table.path, "the cycle ends before it starts", line=line, column="end"
            )
        rows.append(
            {
                "athlete_key": athlete_key,
                "cycle_number": int(row["number"]),
                "cycle_name": row["name"],
                "cycle_type": kind,
                "start_date": start,
                "end_date": end,
            }
        )
    frame = pd.DataFrame(rows, columns=CYCLE_COLUMNS)
    if frame["cycle_number"].duplicated().any():
        line = table.lines[int(frame.index[frame["cycle_number"].duplicated()][0])]
        raise ExportError(table.path, "a cycle number appears twice", line=line, column="number")
    return frame.sort_values("cycle_number").reset_index(drop=True)


def _cycle_day(text: str) -> date | None:
    for layout in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    return None
