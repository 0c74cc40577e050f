"""``fitness-platform validate``: read exports without loading them and report every problem."""

import csv
import json
from pathlib import Path
from typing import TextIO

import pandas as pd

from fitness_platform.errors import ExportError
from fitness_platform.ingest.athlete import KIND_NAMES, sniff_kind, unrecognised
from fitness_platform.ingest.catalog import load_catalog, resolve_exercises
from fitness_platform.ingest.corrections import load_corrections
from fitness_platform.ingest.cronometer import parse_cronometer, parse_cycles_file
from fitness_platform.ingest.csvfile import read_csv_table
from fitness_platform.ingest.diet import CYCLE_COLUMNS, parse_diet
from fitness_platform.ingest.hevy import parse_hevy
from fitness_platform.ingest.profile import SETTINGS_FILE, load_profile
from fitness_platform.ingest.strong import parse_strong
from fitness_platform.paths import CATALOG_PATH, CORRECTIONS_PATH

MAX_PROBLEMS_SHOWN = 50
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """A cell that a spreadsheet will show as text: formula-looking values get a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _profile_for(path: Path) -> dict:
    settings = path.parent / SETTINGS_FILE
    return load_profile(settings) if settings.exists() else {}


def _workouts(out: TextIO, sets: pd.DataFrame, catalog) -> None:
    if not sets.empty:
        out.write(
            f"  dates: {sets['start_time'].min():%Y-%m-%d} to {sets['start_time'].max():%Y-%m-%d}\n"
        )
    out.write(
        f"  workouts: {sets['start_time'].nunique()}, sets: {len(sets)}, "
        f"exercises: {sets['exercise_title'].nunique()}\n"
    )
    resolved = resolve_exercises(sets["exercise_title"], catalog)
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
    """Print the report of one file; returns (accepted, the rows it would quarantine)."""
    out.write(f"{path}\n")
    athlete = path.parent.name or "athlete"
    rejects = pd.DataFrame()
    try:
        if path.name == SETTINGS_FILE:
            profile = load_profile(path)
            out.write(f"  kind: {KIND_NAMES['settings']}\n")
            out.write("  " + ", ".join(f"{k}: {v}" for k, v in profile.items() if v) + "\n")
            return True, rejects
        table = read_csv_table(path)
        kind = sniff_kind(table.header, table.rows)
        profile = _profile_for(path)
        if kind == "hevy":
            parsed = parse_hevy(table, athlete_key=athlete, corrections=corrections)
            quoted = '"' in path.open("rb").readline().decode("utf-8", "replace")
            out.write(f"  kind: {KIND_NAMES[kind]} ({'quoted' if quoted else 'bare'} header)\n")
            _units(out, parsed.units)
            _workouts(out, parsed.sets, catalog)
            rejects = parsed.rejects
        elif kind == "strong":
            parsed = parse_strong(
                table,
                athlete_key=athlete,
                corrections=corrections,
                weight_unit=profile.get("weight_unit"),
                distance_unit=profile.get("distance_unit"),
            )
            u = parsed.units
            out.write(
                f"  kind: {KIND_NAMES[kind]}, layout {u['layout']}, headers in "
                f"{u['language']}; {u['rest_timer_rows']} rest-timer rows skipped\n"
            )
            _units(out, u)
            _workouts(out, parsed.sets, catalog)
            rejects = parsed.rejects
        elif kind in {"diet", "cronometer"}:
            cycles = pd.DataFrame(columns=CYCLE_COLUMNS)
            cycles_path = path.parent / "cycles.csv"
            if cycles_path.exists() and cycles_path != path:
                cycles = parse_cycles_file(read_csv_table(cycles_path), athlete_key=athlete)
            if kind == "diet":
                diet = parse_diet(
                    table, athlete_key=athlete, cycles_file=cycles if not cycles.empty else None
                )
            else:
                diet = parse_cronometer(table, athlete_key=athlete, cycles=cycles)
            out.write(f"  kind: {KIND_NAMES[kind]}\n")
            if not diet.days.empty:
                out.write(
                    f"  dates: {diet.days['diet_date'].min()} to {diet.days['diet_date'].max()}\n"
                )
            out.write(f"  days: {len(diet.days)}, cycles: {len(diet.cycles)}\n")
            rejects = diet.rejects
        elif kind == "cycles":
            cycles = parse_cycles_file(table, athlete_key=athlete)
            out.write(f"  kind: {KIND_NAMES[kind]}\n  cycles: {len(cycles)}\n")
        else:
            raise unrecognised(table)
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
