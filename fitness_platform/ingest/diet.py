"""Daily diet logs (the personal SQLite export, Portuguese columns); cycles come from their labels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
import pandera.pandas as pa

from fitness_platform.errors import ExportError
from fitness_platform.ingest.csvfile import CsvTable
from fitness_platform.ingest.cycles import CYCLE_COLUMNS, cycle_on, parse_cycle_label, with_targets
from fitness_platform.ingest.rules import Quarantine, named_check, to_number
from fitness_platform.ingest.sets import raw_frame, require_rows

DIET_RENAME = {
    "data": "diet_date",
    "carboidratos_g": "carbs_g",
    "proteinas_g": "protein_g",
    "gorduras_g": "fat_g",
    "kcal": "calories_kcal",
    "cardio_semanal_min": "cardio_weekly_min",
    "cicle": "cycle_label",
    "peso_kg": "bodyweight_kg",
    "observacoes": "notes",
}
DIET_REQUIRED = ["data", "carboidratos_g", "proteinas_g", "gorduras_g", "kcal"]
DIET_COLUMNS = [
    "athlete_key",
    "source_file",
    "source_line",
    "diet_date",
    "carbs_g",
    "protein_g",
    "fat_g",
    "calories_kcal",
    "cardio_weekly_min",
    "cycle_number",
    "bodyweight_kg",
    "notes",
]
NUMERIC = ["carbs_g", "protein_g", "fat_g", "calories_kcal", "cardio_weekly_min", "bodyweight_kg"]


def is_diet_header(header: list[str]) -> bool:
    return "kcal" in header and "data" in header or len(set(DIET_RENAME) & set(header)) >= 5


def parse_diet_date(value: str) -> date | None:
    value = value.strip()
    for layout in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d"):
        try:
            return datetime.strptime(value, layout).date()
        except ValueError:
            continue
    return None


@dataclass
class ParsedDiet:
    days: pd.DataFrame
    cycles: pd.DataFrame
    rejects: pd.DataFrame


def diet_schema(today: date) -> pa.DataFrameSchema:
    horizon = pd.Timestamp(today + timedelta(days=1))
    return pa.DataFrameSchema(
        {
            "diet_date": pa.Column(
                "datetime64[us]",
                named_check(lambda s: s <= horizon, "diet_date_in_future"),
                nullable=True,
            ),
            **{
                c: pa.Column(float, named_check(lambda s: s >= 0, f"{c}_negative"), nullable=True)
                for c in ["carbs_g", "protein_g", "fat_g", "calories_kcal", "cardio_weekly_min"]
            },
            "bodyweight_kg": pa.Column(
                float,
                named_check(lambda s: (s >= 25) & (s <= 400), "bodyweight_absurd"),
                nullable=True,
            ),
        },
        checks=[
            named_check(
                lambda d: d["calories_kcal"].isna() | (d["calories_kcal"] <= 15_000),
                "calories_absurd",
            )
        ],
    )


def parse_diet(
    table: CsvTable,
    *,
    athlete_key: str,
    today: date | None = None,
    cycles_file: pd.DataFrame | None = None,
) -> ParsedDiet:
    """Rename to English, parse numbers and dates, one row per day, cycles from the labels (or,
    when the log has no cycle column or it is empty, from the athlete's ``cycles.csv``)."""
    path = table.path
    missing = [c for c in DIET_REQUIRED if c not in table.header]
    if missing:
        raise ExportError(
            path, "missing required column of a diet export", line=1, column=missing[0]
        )
    require_rows(table, "diet log")
    raw = raw_frame(table, list(DIET_RENAME))
    today = today or date.today()
    quarantine = Quarantine()
    frame = pd.DataFrame(index=raw.index)
    # ISO dates in one vectorised pass; only what is left goes through the slower layouts.
    iso = pd.to_datetime(raw["data"].str.strip(), format="%Y-%m-%d", errors="coerce")
    rest = iso.isna() & (raw["data"].str.strip() != "")
    if rest.any():
        iso = iso.where(
            ~rest, pd.to_datetime(raw.loc[rest, "data"].map(parse_diet_date), errors="coerce")
        )
    frame["diet_date"] = iso.astype("datetime64[us]")
    quarantine.add(frame["diet_date"].isna(), "diet_date_unparseable")
    for source_name, column in DIET_RENAME.items():
        if column in NUMERIC:
            values, bad = to_number(raw[source_name])
            quarantine.add(bad, f"{column}_not_numeric")
            frame[column] = values
    frame["notes"] = raw["observacoes"]
    labels = raw["cicle"].str.strip()
    parsed = {label: parse_cycle_label(label) for label in pd.unique(labels) if label}
    quarantine.add(
        labels.map(lambda v: bool(v) and parsed.get(v) is None), "cycle_label_unparseable"
    )
    frame["cycle_number"] = labels.map(
        lambda v: parsed[v]["cycle_number"] if parsed.get(v) else None
    ).astype("Int64")
    # One number, two different labels: the rows carrying the later-seen label are refused.
    first_label: dict[int, str] = {}
    for label, info in parsed.items():
        if info is not None:
            first_label.setdefault(info["cycle_number"], label)
    quarantine.add(
        labels.map(lambda v: bool(parsed.get(v)) and first_label[parsed[v]["cycle_number"]] != v),
        "cycle_conflict",
    )
    quarantine.add_schema_failures(frame, diet_schema(today))
    ok = frame.drop(index=quarantine.labels)
    dup = ok["diet_date"].duplicated(keep="first")
    quarantine.add_labels(ok.index[dup.to_numpy()], "duplicate_day")
    ok = frame.drop(index=quarantine.labels).copy()
    ok["athlete_key"] = athlete_key
    ok["source_file"] = path.name
    ok["source_line"] = raw.loc[ok.index, "_line"].astype("int64")
    ok["diet_date"] = ok["diet_date"].dt.date
    if cycles_file is not None and not labels.astype(bool).any():
        ok["cycle_number"] = ok["diet_date"].map(lambda d: cycle_on(cycles_file, d)).astype("Int64")
        first_label = {}
    cycles = (
        pd.DataFrame(
            [{"athlete_key": athlete_key, **parsed[label]} for label in first_label.values()],
            columns=CYCLE_COLUMNS,
        )
        .sort_values("cycle_number")
        .reset_index(drop=True)
    )
    if cycles_file is not None and not first_label:
        cycles = cycles_file.copy()
    elif cycles_file is not None:
        cycles = with_targets(cycles, cycles_file, path.with_name("cycles.csv"))
    rejects = quarantine.rejects(
        raw, athlete_key=athlete_key, source_file=path.name, row_dates=frame["diet_date"].dt.date
    )
    return ParsedDiet(
        ok[DIET_COLUMNS].sort_values("diet_date").reset_index(drop=True), cycles, rejects
    )
