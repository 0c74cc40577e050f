"""``fitness-platform validate``: read exports without loading them and report every problem."""

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import TextIO

import pandas as pd

from fitness_platform.errors import ExportError
from fitness_platform.ingest.athlete import athlete_files, read_bytes
from fitness_platform.ingest.catalog import load_catalog, resolve_exercises
from fitness_platform.ingest.corrections import load_corrections
from fitness_platform.ingest.csvfile import read_csv_table
from fitness_platform.ingest.sources import (
    SourceInput,
    by_file_name,
    kind_named,
    recognise,
    unrecognised,
)
from fitness_platform.paths import CATALOG_PATH, CORRECTIONS_PATH

MAX_PROBLEMS_SHOWN = 50
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """A cell that a spreadsheet will show as text: formula-looking values get a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _neighbours(path: Path, now: datetime) -> tuple[dict, pd.DataFrame | None]:
    """The settings and cycles a load would give this file: from the other files of its folder,
    recognised as the load recognises them (by the registry, never by their names alone)."""
    profile, cycles = {}, None
    for f in athlete_files(path.parent):
        if f.path == path or f.kind not in {"settings", "cycles"}:
            continue
        kind = kind_named(f.kind)
        data = f.path.read_bytes()
        table = read_csv_table(f.path, data) if kind.is_csv else None
        result = kind.parse(
            SourceInput(f.path, data, table, path.parent.name or "athlete", None, now)
        )
        if result.profile is not None:
            profile = result.profile
        elif result.cycles is not None:
            cycles = result.cycles
    return profile, cycles


def _workouts(out: TextIO, sets: pd.DataFrame, catalog, templates: list[dict]) -> None:
    if not sets.empty:
        out.write(
            f"  dates: {sets['start_time'].min():%Y-%m-%d} to {sets['start_time'].max():%Y-%m-%d}\n"
        )
    out.write(
        f"  workouts: {sets['start_time'].nunique()}, sets: {len(sets)}, "
        f"exercises: {sets['exercise_title'].nunique()}\n"
    )
    resolved = resolve_exercises(sets["exercise_title"], catalog, templates)
    by_template = resolved[resolved["catalog_source"] == "hevy"]
    if len(by_template):
        out.write(f"  classified by the athlete's Hevy exercise templates ({len(by_template)}):\n")
        for row in by_template.itertuples():
            out.write(f"    {row.exercise_title} → {row.primary_muscle_group}\n")
    outside = resolved[resolved["catalog_source"] == "inferred"]
    if len(outside):
        out.write(f"  outside the catalog ({len(outside)}):\n")
        for row in outside.itertuples():
            out.write(f"    {row.exercise_title} → {row.primary_muscle_group} (by name)\n")


def _units(out: TextIO, units: dict) -> None:
    out.write(f"  units: weight {units['weight']}, distance {units['distance']}\n")
    for note in units.get("assumed", []):
        out.write(f"  assumed: {note}\n")


def validate_file(
    path: Path, catalog, out: TextIO, corrections: pd.DataFrame | None = None
) -> tuple[bool, pd.DataFrame]:
    """Print the report of one file; returns (accepted, the rows it would quarantine). The file is
    recognised and parsed exactly as a load would (the source registry), with its folder's
    settings and cycles."""
    out.write(f"{path}\n")
    athlete = path.parent.name or "athlete"
    rejects = pd.DataFrame()
    now = datetime.now()
    try:
        data = read_bytes(path)
        kind = by_file_name(path.name)
        table = None
        if kind is None:
            table = read_csv_table(path, data)
            kind = recognise(table.header, table.rows)
            if kind is None:
                raise unrecognised(table)
        profile, cycles = (
            _neighbours(path, now) if kind.role in {"workouts", "diet"} else ({}, None)
        )
        result = kind.parse(
            SourceInput(path, data, table, athlete, corrections, now, profile, cycles)
        )
        out.write(f"  kind: {kind.label}{kind.describe(result)}\n")
        if result.profile is not None:
            out.write("  " + ", ".join(f"{k}: {v}" for k, v in result.profile.items() if v) + "\n")
        if result.sets is not None:
            _units(out, result.facts)
            _workouts(out, result.sets, catalog, result.templates)
        if result.diet is not None:
            days = result.diet
            if not days.empty:
                out.write(f"  dates: {days['diet_date'].min()} to {days['diet_date'].max()}\n")
            cycle_count = 0 if result.cycles is None else len(result.cycles)
            out.write(f"  days: {len(days)}, cycles: {cycle_count}\n")
        elif result.cycles is not None:
            out.write(f"  cycles: {len(result.cycles)}\n")
        if result.rejects is not None:
            rejects = result.rejects
    except ExportError as exc:
        out.write(f"  REFUSED: {exc}\n")
        return False, rejects
    if rejects.empty:
        out.write("  problems: none\n")
    else:
        out.write(f"  problems ({len(rejects)} would be quarantined):\n")
        for row in rejects.head(MAX_PROBLEMS_SHOWN).itertuples():
            out.write(f"    line {row.source_line}: {row.rule}\n")
        if len(rejects) > MAX_PROBLEMS_SHOWN:
            out.write(f"    … {len(rejects) - MAX_PROBLEMS_SHOWN} more\n")
    return True, rejects


def write_rejects_csv(path: Path, rejects: pd.DataFrame) -> None:
    """The quarantined rows, one column per source cell, safe to open in a spreadsheet: a cell
    that looks like a formula is written with a leading quote, so it is shown, never run."""
    rows = [
        (r.source_file, r.source_line, r.rule, json.loads(r.raw_values))
        for r in rejects.itertuples()
    ]
    cells = sorted({key for *_, values in rows for key in values})
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["source_file", "source_line", "rule", *cells])
        for source_file, line, rule, values in rows:
            writer.writerow(
                [
                    spreadsheet_safe(source_file),
                    line,
                    rule,
                    *(spreadsheet_safe(values.get(c)) for c in cells),
                ]
            )


def validate_files(paths: list[Path], out: TextIO, rejects_csv: Path | None = None) -> int:
    catalog = load_catalog(CATALOG_PATH)
    corrections = load_corrections(CORRECTIONS_PATH)
    results = [validate_file(p, catalog, out, corrections) for p in paths]
    refused = sum(1 for ok, _ in results if not ok)
    if rejects_csv is not None:
        frames = [r for _, r in results if not r.empty]
        write_rejects_csv(
            rejects_csv,
            pd.concat(frames)
            if frames
            else pd.DataFrame(columns=["source_file", "source_line", "rule", "raw_values"]),
        )
        out.write(f"quarantine written to {rejects_csv}\n")
    out.write(f"{len(paths)} files checked, {refused} would be refused\n")
    return 1 if refused else 0
