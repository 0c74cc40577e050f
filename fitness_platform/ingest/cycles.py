"""Diet cycles (cut, bulk, reverse, maintenance): read by rule from the diet log's labels, or from
an athlete's own ``cycles.csv``; and which cycle holds a given day."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

import pandas as pd

from fitness_platform.errors import ExportError
from fitness_platform.ingest.csvfile import CsvTable

CYCLE_COLUMNS = [
    "athlete_key",
    "cycle_number",
    "cycle_name",
    "cycle_type",
    "start_date",
    "end_date",
    "target_calories_kcal",
    "target_protein_g",
]
# Optional columns of cycles.csv: the cycle's daily targets, which adherence is measured against.
TARGET_COLUMNS = {"target_kcal": "target_calories_kcal", "target_protein_g": "target_protein_g"}
TARGET_RANGES = {"target_kcal": (500.0, 10_000.0), "target_protein_g": (10.0, 1_000.0)}


_LABEL = re.compile(
    r"^\s*(?P<number>\d+)\s*(?P<name>.*?)\s*\(\s*(?P<start>\d{1,2}/\d{1,2}/\d{4})\s*[-–]\s*"
    r"(?P<end>\d{1,2}/\d{1,2}/\d{4}|[Xx?]{1,2}/[Xx?]{1,2}/[Xx?]{2,4}|\.\.\.|)\s*\)\s*$"
)


# The first word of a cycle name decides its type, in Portuguese or English.
_TYPE_STEMS = [
    ("cut", "cutting"),
    ("defin", "cutting"),
    ("bulk", "bulking"),
    ("ganho", "bulking"),
    ("revers", "reverse"),
    ("manut", "maintenance"),
    ("maint", "maintenance"),
]


CYCLE_FILE_COLUMNS = ["number", "name", "type", "start", "end"]


CYCLE_TYPES = {"cutting", "bulking", "reverse", "maintenance", "other"}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def cycle_type_of(name: str) -> str:
    word = _fold(name).split()[0] if name.strip() else ""
    for stem, kind in _TYPE_STEMS:
        if word.startswith(stem):
            return kind
    return "other"


def parse_cycle_label(label: str) -> dict | None:
    """``10Cutting V (06/10/2025 - XX/XX/XXXX)`` → number 10, name, type, start, open end."""
    match = _LABEL.match(label)
    if not match:
        return None
    try:
        start = datetime.strptime(match["start"], "%d/%m/%Y").date()
        end_text = match["end"]
        end = datetime.strptime(end_text, "%d/%m/%Y").date() if end_text[:1].isdigit() else None
    except ValueError:
        return None
    if end is not None and end < start:
        return None
    name = match["name"].strip()
    if not name:
        return None
    return {
        "cycle_number": int(match["number"]),
        "cycle_name": name,
        "cycle_type": cycle_type_of(name),
        "start_date": start,
        "end_date": end,
    }


def is_cycles_header(header: list[str]) -> bool:
    return [h.strip().lower() for h in header][:5] == CYCLE_FILE_COLUMNS


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
                **_targets(table, row, line),
            }
        )
    frame = pd.DataFrame(rows, columns=CYCLE_COLUMNS)
    if frame["cycle_number"].duplicated().any():
        line = table.lines[int(frame.index[frame["cycle_number"].duplicated()][0])]
        raise ExportError(table.path, "a cycle number appears twice", line=line, column="number")
    frame = frame.sort_values("cycle_number").reset_index(drop=True)
    frame.attrs["path"] = table.path  # named by the refusal of a target the diet log lacks
    return frame


def _targets(table: CsvTable, row: dict, line: int) -> dict:
    """The cycle's targets (blank: none); anything else than a plausible number refuses the file."""
    found = {}
    for column, field in TARGET_COLUMNS.items():
        text = row.get(column, "")
        if not text:
            found[field] = None
            continue
        low, high = TARGET_RANGES[column]
        try:
            value = float(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise ExportError(
                table.path,
                f"{column} must be a number from {low:g} to {high:g}",
                line=line,
                column=column,
            )
        found[field] = value
    return found


def with_targets(cycles: pd.DataFrame, cycles_file: pd.DataFrame | None, path) -> pd.DataFrame:
    """The diet log's own cycles with the daily targets ``cycles.csv`` gives them, matched by cycle
    number; a cycles.csv cycle the log does not have refuses the file, naming it."""
    if cycles_file is None or cycles_file.empty:
        return cycles
    targets = cycles_file.set_index("cycle_number")[list(TARGET_COLUMNS.values())]
    unknown = sorted(set(targets.index) - set(cycles["cycle_number"]))
    if unknown:
        raise ExportError(
            cycles_file.attrs.get("path", path),
            f"cycle {unknown[0]} is not one the diet log names; beside a diet log with its own "
            "cycles, a cycles file only gives their targets (matched by number)",
            column="number",
        )
    merged = cycles.drop(columns=list(TARGET_COLUMNS.values()))
    merged = merged.merge(targets, left_on="cycle_number", right_index=True, how="left")
    return merged[CYCLE_COLUMNS]


def _cycle_day(text: str) -> date | None:
    for layout in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, layout).date()
        except ValueError:
            continue
    return None


def cycle_on(cycles: pd.DataFrame, day: date) -> int | None:
    """The cycle whose range holds ``day`` (the later start wins an overlap), or None."""
    holding = cycles[
        (cycles["start_date"] <= day) & (cycles["end_date"].isna() | (cycles["end_date"] >= day))
    ]
    if holding.empty:
        return None
    return int(holding.sort_values(["start_date", "cycle_number"]).iloc[-1]["cycle_number"])
