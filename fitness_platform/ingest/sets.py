"""What every workout source shares once its own columns are read: the silver set frame, the row
rules, duplicate detection, exercise blocks, notes, and manual corrections.

A workout parser (Hevy, Strong, the API) maps its columns onto these names and hands the frame to
``finish_sets``; everything a set must satisfy, and how it is quarantined, is decided here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pandera.pandas as pa

from fitness_platform.errors import ExportError
from fitness_platform.ingest.catalog import exercise_key
from fitness_platform.ingest.csvfile import CsvTable
from fitness_platform.ingest.rules import Quarantine, map_unique, named_check
from fitness_platform.ingest.timeparse import parse_workout_time

SET_TYPE_VALUES = {"normal", "warmup", "failure", "dropset"}

KG_PER_LB = 0.45359237


KM_PER_MILE = 1.609344


SET_COLUMNS = [
    "athlete_key",
    "source",
    "source_file",
    "source_line",
    "workout_name",
    "start_time",
    "end_time",
    "description",
    "exercise_title",
    "exercise_key",
    "exercise_order",
    "block_occurrence",
    "superset_id",
    "notes",
    "set_index",
    "set_type",
    "weight_kg",
    "reps",
    "distance_km",
    "duration_seconds",
    "rpe",
]


MAX_WEIGHT_KG = 700.0


MAX_REPS = 100  # anything above is almost certainly a typo (111 for 11)


MAX_NOTES_CHARS = 10_000


@dataclass
class ParsedWorkouts:
    """Accepted sets (one row per set), quarantined rows, and the file's facts for metadata."""

    sets: pd.DataFrame
    rejects: pd.DataFrame
    corrections: list[dict] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)


def set_schema(now: datetime) -> pa.DataFrameSchema:
    """Row rules of a parsed set; each check's name is the rule a quarantined row is filed under."""
    horizon = pd.Timestamp(now + timedelta(days=1))
    return pa.DataFrameSchema(
        {
            "exercise_title": pa.Column(
                str, named_check(lambda s: s.str.len() > 0, "exercise_title_missing")
            ),
            "set_type": pa.Column(
                str, named_check(lambda s: s.isin(SET_TYPE_VALUES), "set_type_unknown")
            ),
            "weight_kg": pa.Column(
                float,
                [
                    named_check(lambda s: s >= 0, "weight_negative"),
                    named_check(lambda s: s <= MAX_WEIGHT_KG, "weight_absurd"),
                ],
                nullable=True,
            ),
            "reps": pa.Column(
                float,
                [
                    named_check(lambda s: s >= 0, "reps_negative"),
                    named_check(lambda s: s <= MAX_REPS, "reps_suspect"),
                    named_check(lambda s: s == s.round(), "reps_not_whole"),
                ],
                nullable=True,
            ),
            "set_index": pa.Column(
                float, named_check(lambda s: s >= 0, "set_index_negative"), nullable=True
            ),
            "distance_km": pa.Column(
                float,
                [
                    named_check(lambda s: s >= 0, "distance_negative"),
                    named_check(lambda s: s <= 1000, "distance_absurd"),
                ],
                nullable=True,
            ),
            "duration_seconds": pa.Column(
                float,
                [
                    named_check(lambda s: s >= 0, "duration_negative"),
                    named_check(lambda s: s <= 86_400, "duration_absurd"),
                ],
                nullable=True,
            ),
            "rpe": pa.Column(
                float,
                named_check(lambda s: (s >= 1) & (s <= 10), "rpe_out_of_range"),
                nullable=True,
            ),
            "start_time": pa.Column(
                "datetime64[us]",
                named_check(lambda s: s <= horizon, "workout_in_future"),
                nullable=True,
            ),
        },
        checks=[
            named_check(
                lambda d: (
                    d["end_time"].isna()
                    | d["start_time"].isna()
                    | (d["end_time"] >= d["start_time"])
                ),
                "end_before_start",
            )
        ],
        coerce=False,
    )


def require_rows(table: CsvTable, what: str) -> None:
    if not table.rows:
        raise ExportError(
            table.path,
            f"a header but no rows: an empty {what}, probably a failed export (nothing was loaded)",
            line=2,
        )


def raw_frame(table: CsvTable, optional: list[str]) -> pd.DataFrame:
    """The file's cells as strings (missing optional columns blank), with the source line.
    The CSV reader only ever yields strings, so there is nothing missing to fill. A header that
    names one column twice is refused: which of the two to read cannot be told."""
    repeated = pd.Index(table.header).duplicated()
    if repeated.any():
        column = table.header[int(repeated.argmax())]
        raise ExportError(table.path, "the header names this column twice", line=1, column=column)
    # Through one 2-D object array: building a frame from a list of row lists is much slower.
    cells = table.cells
    if cells is None:
        cells = np.array(table.rows, dtype=object).reshape(len(table.rows), len(table.header))
    raw = pd.DataFrame(cells, columns=table.header, dtype=object)
    for column in optional:
        if column not in raw.columns:
            raw[column] = ""
    raw["_line"] = table.lines
    return raw


def row_keys(columns: Iterable, rows: int) -> np.ndarray:
    """One number per row, the same for rows whose cells are all the same: each column's cells
    numbered by value, and the numbers combined column by column (renumbered after each column,
    so the combination never overflows). Also the load's lookup of stored ids by key."""
    key = np.zeros(rows, dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(column)  # missing: -1
        key = pd.factorize(key * (len(uniques) + 1) + (codes + 1))[0]
    return key


def quarantine_duplicate_rows(
    raw: pd.DataFrame, workout: pd.Series, quarantine: Quarantine
) -> None:
    """Re-saved duplicates: a row identical to the row before it, the second copy of every row of
    a workout that appears twice in full (a file appended to itself), and a block of a workout's
    rows that reappears after another workout's rows (``duplicate_block``: an export lists each
    workout's rows together, so rows of the same workout separated by another one, identical to
    rows already seen, are a copy). An identical row next to its workout's other rows can be a
    real set (a repeated block with the same first set) and is kept."""
    cells = (raw[c].to_numpy(dtype=object) for c in raw.columns if c != "_line")
    keys = pd.Series(row_keys(cells, len(raw)), index=raw.index)
    same_as_previous = keys == keys.shift()
    repeated = keys.duplicated(keep="first")
    quarantine.add(same_as_previous, "duplicate_row")
    if not repeated.any():
        return
    codes = pd.factorize(workout)[0]
    copies = np.bincount(codes, weights=repeated.to_numpy(dtype=float))
    doubled = pd.Series((copies * 2 == np.bincount(codes))[codes], index=raw.index)
    quarantine.add(repeated & doubled, "duplicate_row")
    # Runs of consecutive rows of one workout; a workout seen in a second run is out of place.
    segment = np.cumsum(np.r_[True, codes[1:] != codes[:-1]])
    first_segment = pd.Series(segment).groupby(codes).transform("min").to_numpy()
    frame = pd.DataFrame({"w": codes, "k": keys.to_numpy(), "s": segment})
    key_first_segment = frame.groupby(["w", "k"])["s"].transform("min").to_numpy()
    copied = (segment != first_segment) & (key_first_segment < segment)
    quarantine.add(pd.Series(copied, index=raw.index) & ~doubled, "duplicate_block")


def notes_text(series: pd.Series) -> pd.Series:
    """Notes as typed: exports write line breaks as a literal backslash-n."""
    return series.astype(str).str.replace("\\n", "\n", regex=False)


def parse_times(values: pd.Series) -> pd.Series:
    """Parse each distinct timestamp string once; unparseable ones become NaT."""
    codes, uniques = pd.factorize(values)
    parsed = pd.to_datetime(
        pd.Series([parse_workout_time(value) for value in uniques], dtype=object), errors="coerce"
    ).astype("datetime64[us]")
    cells = np.append(parsed.to_numpy(), np.datetime64("NaT", "us"))  # code -1: a missing cell
    return pd.Series(cells[codes], index=values.index, name=values.name)


def finish_sets(
    frame: pd.DataFrame,
    raw: pd.DataFrame,
    quarantine: Quarantine,
    *,
    table: CsvTable,
    athlete_key: str,
    corrections: pd.DataFrame | None,
    now: datetime | None,
    source: str,
    units: dict,
) -> ParsedWorkouts:
    """The tracker-independent half: corrections, row rules, duplicates, final types."""
    frame["exercise_key"] = map_unique(frame["exercise_title"], exercise_key)
    applied = _apply_corrections(frame, corrections, athlete_key=athlete_key, source=source)
    keep_every_note(frame, quarantine)
    quarantine.add_schema_failures(frame, set_schema(now or datetime.now()))
    # Only the columns these two rules read, of the rows no rule took yet.
    ok = frame.loc[
        ~frame.index.isin(quarantine.labels),
        ["start_time", "exercise_order", "set_index", "workout_name"],
    ]
    # Two sets of one block with the same index cannot both be right: keep neither silently.
    dup = ok.duplicated(["start_time", "exercise_order", "set_index"], keep="first")
    quarantine.add_labels(ok.index[dup.to_numpy()], "duplicate_set")
    # A workout is identified by its start time; one start with two titles is ambiguous.
    titles = ok.groupby("start_time")["workout_name"].transform("nunique")
    quarantine.add(titles > 1, "workout_conflict")
    ok = frame.drop(index=quarantine.labels).copy()

    ok["athlete_key"] = athlete_key
    ok["source"] = source
    ok["source_file"] = table.path.name
    ok["source_line"] = raw.loc[ok.index, "_line"].astype("int64")
    ok["set_index"] = ok["set_index"].astype("int64")
    ok["superset_id"] = ok["superset_id"].round().astype("Int64")
    ok["duration_seconds"] = ok["duration_seconds"].round().astype("Int64")
    ok["reps"] = ok["reps"].astype("Int64")
    rejects = quarantine.rejects(
        raw,
        athlete_key=athlete_key,
        source_file=table.path.name,
        row_dates=frame["start_time"].dt.date,
    )
    return ParsedWorkouts(ok[SET_COLUMNS].reset_index(drop=True), rejects, applied, units)


def keep_every_note(frame: pd.DataFrame, quarantine: Quarantine) -> None:
    """A block's notes and a workout's description are whatever any of its rows carry: every
    distinct text, in file order, one per line (a tracker may repeat the note on every row, or
    write a different one on a later row). A text over the length limit is dropped from the set
    and filed in the quarantine under its rule; the set itself is kept.

    A column of notes holds few distinct texts (most cells are blank or repeat the row above),
    so each test is made once per distinct text and the rows only carry its number."""
    workouts = frame.groupby("start_time", sort=False, dropna=False).ngroup().to_numpy()
    blocks = frame.groupby(["start_time", "exercise_order"], sort=False, dropna=False).ngroup()
    for column, rule, groups in (
        ("notes", "notes_too_long", blocks.to_numpy()),
        ("description", "description_too_long", workouts),
    ):
        codes, texts = _distinct_texts(frame[column])
        long = np.array([len(text) > MAX_NOTES_CHARS for text in texts], dtype=bool)[codes]
        quarantine.keep(pd.Series(long, index=frame.index), rule)
        codes = np.where(long, len(texts) - 1, codes)  # a dropped text counts as the blank
        frame[column] = pd.Series(_joined(codes, texts, groups), index=frame.index, dtype=object)


def _distinct_texts(texts: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each row's number in the list of distinct texts (a missing cell counts as a blank one)."""
    codes, uniques = pd.factorize(texts.to_numpy(dtype=object))
    return np.where(codes < 0, len(uniques), codes), [*map(str, uniques), ""]


def _joined(codes: np.ndarray, texts: list[str], groups: np.ndarray) -> np.ndarray:
    """Each row's group's distinct non-blank texts, in order of first appearance, joined by a
    line break; "" for a group with none."""
    blank = np.array([not text.strip() for text in texts], dtype=bool)
    present = ~blank[codes]
    out = np.full(groups.max() + 1 if len(groups) else 0, "", dtype=object)
    if present.any():
        pairs = pd.DataFrame({"g": groups[present], "t": codes[present]}).drop_duplicates()
        found: dict[int, list[str]] = {}
        for group, code in zip(pairs["g"].tolist(), pairs["t"].tolist(), strict=True):
            found.setdefault(group, []).append(texts[code])
        for group, parts in found.items():
            out[group] = "\n".join(parts)
    return out[groups]


def assign_blocks(frame: pd.DataFrame, workout: pd.Series, order: pd.Series) -> None:
    """Number exercise blocks within each workout in file order.

    A block starts when the exercise changes or ``order`` (the set number) stops increasing, so one
    exercise in two separate blocks (or twice in a row) gets two blocks and none of their sets
    collide. Also records the nth block of that exercise in the workout (for corrections)."""
    # Integer codes instead of strings (a missing title gets a code of its own per row, so that,
    # as with NaN, it never continues the block before it).
    titles, _ = pd.factorize(frame["exercise_title"])
    missing = np.flatnonzero(titles == -1)
    titles[missing] = -1 - np.arange(len(missing))
    keyed = pd.DataFrame({"w": pd.factorize(workout)[0], "t": titles, "i": order.to_numpy()})
    keyed = keyed.sort_values("w", kind="stable")  # stable: file order within each workout
    new_block = (
        keyed["w"].ne(keyed["w"].shift())
        | keyed["t"].ne(keyed["t"].shift())
        | keyed["i"].le(keyed["i"].shift())
    )
    keyed["block"] = new_block.astype("int64").groupby(keyed["w"]).cumsum()
    starts = keyed[new_block]
    keyed["occ"] = (starts.groupby(["w", "t"]).cumcount() + 1).reindex(keyed.index).ffill()
    keyed = keyed.sort_index()
    frame["exercise_order"] = keyed["block"].to_numpy()
    frame["block_occurrence"] = keyed["occ"].to_numpy().astype("int64")


# What the record of one applied (or skipped) correction holds, besides its status.
CORRECTION_FIELDS = [
    "workout_start",
    "exercise_title",
    "block",
    "set_index",
    "field",
    "old_value",
    "new_value",
    "reason",
]


CORRECTABLE = {"weight_kg", "reps", "set_type", "distance_km", "duration_seconds", "rpe"}


def _apply_corrections(
    frame: pd.DataFrame, corrections: pd.DataFrame | None, *, athlete_key: str, source: str
) -> list[dict]:
    """Apply manual fixes keyed by natural key; each one applied is returned for the record.

    A fix applies only while the export still holds the value it was written against
    (``old_value``), so a set edited since in the tracker is never overwritten."""
    if corrections is None or corrections.empty:
        return []
    mine = corrections[(corrections["athlete"] == athlete_key) & (corrections["source"] == source)]
    applied = []
    for fix in mine.to_dict("records"):
        match = frame[
            (frame["start_time"] == fix["workout_start"])
            & (frame["exercise_title"] == fix["exercise_title"])
            & (frame["block_occurrence"] == fix["block"])
            & (frame["set_index"] == fix["set_index"])
        ]
        status = "applied"
        if len(match) != 1:
            status = "not_found"
        else:
            label = match.index[0]
            current = frame.at[label, fix["field"]]
            old = fix["old_value"]
            if not _same(current, old):
                status = "stale"
            else:
                frame.at[label, fix["field"]] = _typed(fix["field"], fix["new_value"])
        applied.append(
            {
                **{k: fix[k] for k in CORRECTION_FIELDS},
                "status": status,
            }
        )
    return applied


def _same(current, old: str) -> bool:
    if old == "":
        return current is None or (not isinstance(current, str) and pd.isna(current))
    if isinstance(current, str):
        return current == old
    try:
        return not pd.isna(current) and float(current) == float(old)
    except ValueError:
        return False


def _typed(field_name: str, value: str):
    return value if field_name == "set_type" else float(value)
