"""Manual corrections (``data/corrections.csv``), keyed by natural key, never by row number."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from fitness_platform.errors import ExportError
from fitness_platform.ingest.csvfile import read_csv_table
from fitness_platform.ingest.sets import CORRECTABLE, CORRECTION_FIELDS
from fitness_platform.ingest.timeparse import parse_workout_time

CORRECTION_COLUMNS = ["athlete", "source", *CORRECTION_FIELDS]


def load_corrections(path: Path) -> pd.DataFrame:
    """One row per fix. ``workout_start`` is the local start time; ``block`` the nth block of that
    exercise in the workout (1 unless it was repeated); ``old_value`` what the export holds."""
    if not path.exists():
        return pd.DataFrame(columns=CORRECTION_COLUMNS)
    table = read_csv_table(path)
    missing = [c for c in CORRECTION_COLUMNS if c not in table.header]
    if missing:
        raise ExportError(path, "missing column", line=1, column=missing[0])
    frame = pd.DataFrame(table.rows, columns=table.header, dtype=object).fillna("")
    for i, row in frame.iterrows():
        line = table.lines[i]
        start = parse_workout_time(row["workout_start"])
        if start is None:
            raise ExportError(path, "unreadable time", line=line, column="workout_start")
        frame.at[i, "workout_start"] = pd.Timestamp(start)
        for column in ("block", "set_index"):
            if not str(row[column]).strip().isdigit():
                raise ExportError(path, "must be a whole number", line=line, column=column)
        if row["field"] not in CORRECTABLE:
            raise ExportError(path, f"cannot correct {row['field']!r}", line=line, column="field")
        if row["field"] != "set_type":
            try:
                float(row["new_value"])
            except ValueError:
                raise ExportError(
                    path, "new_value must be a number", line=line, column="new_value"
                ) from None
    frame["block"] = frame["block"].astype(int)
    frame["set_index"] = frame["set_index"].astype(int)
    return frame[CORRECTION_COLUMNS]
