"""Body measurements: Hevy's measurements export (``measurement_data.csv``) and the body
measurements the Hevy API sync mirrors; one row per athlete, day and source.

The export's header (origins in ``fitness_platform_tests/fixtures/ORIGINS.md``) is
``date,weight_kg,fat_percent,`` then fourteen circumferences, each ``<part>_cm`` or ``<part>_in``
after the account's length unit; dates are written like the workout export's (``9 Feb 2023,
00:00``, also in the account's language). Every real export and importer we found writes the weight
as ``weight_kg`` in kilograms whatever the account's unit, so a ``weight_lbs`` column, which no real
file shows, is refused rather than guessed at. Circumferences in inches are converted to cm."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from fitness_platform.errors import ExportError
from fitness_platform.ingest.csvfile import CsvTable
from fitness_platform.ingest.rules import Quarantine, to_number
from fitness_platform.ingest.sets import parse_times, raw_frame, require_rows

PARTS = [
    "neck",
    "shoulder",
    "chest",
    "left_bicep",
    "right_bicep",
    "left_forearm",
    "right_forearm",
    "abdomen",
    "waist",
    "hips",
    "left_thigh",
    "right_thigh",
    "left_calf",
    "right_calf",
]
LENGTHS = [f"{p}_cm" for p in PARTS]
CM_PER_INCH = 2.54
BODY_COLUMNS = [
    "athlete_key",
    "source_file",
    "source_line",
    "measured_on",
    "source",
    "weight_kg",
    "fat_percent",
    "lean_mass_kg",
    *LENGTHS,
]
VALUES = ["weight_kg", "fat_percent", "lean_mass_kg", *LENGTHS]
"""The measured values, in the warehouse's units (what the load stores)."""
# Plausible ranges: outside them a value is a typing slip, quarantined under the rule's name.
BODYWEIGHT_RANGE = (25.0, 350.0)
FAT_PERCENT_RANGE = (2.0, 75.0)
LENGTH_RANGE_CM = (5.0, 250.0)
SOURCE_EXPORT = "hevy_export"
SOURCE_API = "hevy_api"


def is_hevy_measurements_header(header: list[str]) -> bool:
    lengths = {f"{p}_{u}" for p in PARTS for u in ("cm", "in")}
    return "date" in header and "fat_percent" in header and bool(lengths & set(header))


def _length_unit(table: CsvTable) -> str:
    units = {h.rsplit("_", 1)[1] for h in table.header if h.rsplit("_", 1)[0] in PARTS}
    if len(units) > 1:
        raise ExportError(
            table.path,
            "circumferences in both cm and inches; a Hevy export uses one length unit",
            line=1,
        )
    return units.pop() if units else "cm"


def parse_hevy_measurements(
    table: CsvTable, *, athlete_key: str, today: date, source: str = SOURCE_EXPORT
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """(measurements, rejects, facts) of a Hevy measurements export, or of the API's body
    measurements laid out the same way (``source='hevy_api'``)."""
    if "weight_lbs" in table.header:
        raise ExportError(
            table.path,
            "a weight_lbs column: Hevy's measurements export writes weight_kg (in kg) for every "
            "account, and no real export with pounds is known, so this file is not read",
            line=1,
            column="weight_lbs",
        )
    missing = [c for c in ("date", "weight_kg") if c not in table.header]
    if missing:
        raise ExportError(
            table.path,
            "missing required column of a Hevy measurements export",
            line=1,
            column=missing[0],
        )
    require_rows(table, "Hevy measurements export")
    unit = _length_unit(table)
    given = {p: f"{p}_{unit}" for p in PARTS if f"{p}_{unit}" in table.header}
    optional = ["fat_percent", "lean_mass_kg", *given.values()]
    raw = raw_frame(table, optional)
    quarantine = Quarantine()
    frame = pd.DataFrame(index=raw.index)
    moment = parse_times(raw["date"])
    frame["measured_on"] = moment.dt.date
    quarantine.add(moment.isna(), "measurement_date_unparseable")
    quarantine.add(moment >= pd.Timestamp(today + timedelta(days=2)), "measurement_in_future")
    weight, bad = to_number(raw["weight_kg"])
    quarantine.add(bad, "weight_not_numeric")
    low, high = BODYWEIGHT_RANGE
    quarantine.add((weight < low) | (weight > high), "bodyweight_absurd")
    frame["weight_kg"] = weight.round(2)
    for column in ("fat_percent", "lean_mass_kg"):
        values, bad = to_number(raw[column])
        quarantine.add(bad, f"{column}_not_numeric")
        frame[column] = values.round(2)
    low, high = FAT_PERCENT_RANGE
    quarantine.add(
        (frame["fat_percent"] < low) | (frame["fat_percent"] > high), "fat_percent_absurd"
    )
    low, high = BODYWEIGHT_RANGE
    quarantine.add(frame["lean_mass_kg"] > high, "lean_mass_absurd")
    factor = CM_PER_INCH if unit == "in" else 1.0
    for part in PARTS:
        column = f"{part}_cm"
        if part in given:
            values, bad = to_number(raw[given[part]])
            quarantine.add(bad, f"{part}_not_numeric")
            frame[column] = (values * factor).round(1)
        else:
            frame[column] = float("nan")
    lengths = frame[LENGTHS]
    low, high = LENGTH_RANGE_CM
    quarantine.add(((lengths < low) | (lengths > high)).any(axis=1), "circumference_absurd")
    blank = raw[["weight_kg", *optional]].apply(lambda column: column.str.strip() == "")
    quarantine.add(blank.all(axis=1) & moment.notna(), "measurement_empty")
    ok = frame.drop(index=quarantine.labels)
    quarantine.add_labels(ok.index[ok["measured_on"].duplicated().to_numpy()], "duplicate_day")
    ok = frame.drop(index=quarantine.labels).copy()
    ok["athlete_key"] = athlete_key
    ok["source_file"] = table.path.name
    ok["source_line"] = raw.loc[ok.index, "_line"].astype("int64")
    ok["source"] = source
    rejects = quarantine.rejects(
        raw, athlete_key=athlete_key, source_file=table.path.name, row_dates=frame["measured_on"]
    )
    facts = {"lengths": unit, "weight": "kg", "measurements": len(ok)}
    return ok[BODY_COLUMNS].sort_values("measured_on").reset_index(drop=True), rejects, facts


# The API's body-measurement fields (its OpenAPI BodyMeasurement): some lengths carry "_cm",
# some do not; all are centimetres.
API_FIELDS = {
    "weight_kg": "weight_kg",
    "fat_percent": "fat_percent",
    "lean_mass_kg": "lean_mass_kg",
    **{f"{p}_cm": f"{p}_cm" for p in PARTS[:7]},
    **{f"{p}_cm": p for p in PARTS[7:]},
}


def parse_api_measurements(
    path, measurements: list[dict], *, athlete_key: str, today: date, first_line: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The mirrored body measurements through the export's rules (one row per day), numbered
    from ``first_line`` within the mirror's records."""
    if not measurements:
        return pd.DataFrame(columns=BODY_COLUMNS), None
    header = ["date", *API_FIELDS]
    rows, lines = [], []
    ordered = sorted(measurements, key=lambda m: str(m.get("date")))
    for number, m in enumerate(ordered, start=first_line):
        day = str(m.get("date") or "")
        cells = [f"{day}T00:00:00" if len(day) == 10 else day]
        for api_name in API_FIELDS.values():
            value = m.get(api_name, m.get(f"{api_name}_cm"))
            cells.append("" if value is None or isinstance(value, bool) else str(value))
        rows.append(cells)
        lines.append(number)
    table = CsvTable(path, header, rows, lines, ",")
    frame, rejects, _ = parse_hevy_measurements(
        table, athlete_key=athlete_key, today=today, source=SOURCE_API
    )
    return frame, rejects if not rejects.empty else None
