"""``fitness-platform validate``: read exports without loading them and report every problem."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from fitness_platform.errors import ExportError
from fitness_platform.ingest.athlete import sniff_kind
from fitness_platform.ingest.catalog import load_catalog, resolve_exercises
from fitness_platform.ingest.csvfile import read_csv_table
from fitness_platform.ingest.diet import parse_diet
from fitness_platform.ingest.hevy import parse_hevy
from fitness_platform.paths import CATALOG_PATH

MAX_PROBLEMS_SHOWN = 50


def validate_file(path: Path, catalog, out: TextIO) -> bool:
    """Print the report for one file; False when the file would be refused."""
    out.write(f"{path}\n")
    athlete = path.parent.name or "athlete"
    try:
        table = read_csv_table(path)
        kind = sniff_kind(table.header)
        if kind == "hevy":
            parsed = parse_hevy(table, athlete_key=athlete)
            sets, rejects = parsed.sets, parsed.rejects
            units = parsed.units
            out.write(f"  kind: Hevy workout export ({'quoted' if '\"' in _first_line(path) else 'bare'} header)\n")
            out.write(f"  units: weight {units['weight']}, distance {units['distance']}\n")
            if not sets.empty:
                out.write(f"  dates: {sets['start_time'].min():%Y-%m-%d} to "
                          f"{sets['start_time'].max():%Y-%m-%d}\n")
            out.write(f"  workouts: {sets['start_time'].nunique()}, sets: {len(sets)}, "
                      f"exercises: {sets['exercise_title'].nunique()}\n")
            resolved = resolve_exercises(sets["exercise_title"], catalog)
            outside = resolved[resolved["catalog_source"] == "inferred"]
            if len(outside):
                out.write(f"  outside the catalog ({len(outside)}):\n")
                for row in outside.itertuples():
                    out.write(f"    {row.exercise_title} → {row.primary_muscle_group} (inferred)\n")
        elif kind == "diet":
            diet = parse_diet(table, athlete_key=athlete)
            rejects = diet.rejects
            out.write("  kind: diet log (personal SQLite export)\n")
            if not diet.days.empty:
                out.write(f"  dates: {diet.days['diet_date'].min()} to {diet.days['diet_date'].max()}\n")
            out.write(f"  days: {len(diet.days)}, cycles: {len(diet.cycles)}\n")
        else:
            raise ExportError(path, "not a recognised export (expected a Hevy workout export or a "
                              "diet log)", line=1)
    except ExportError as exc:
        out.write(f"  REFUSED: {exc}\n")
        return False
    if rejects.empty:
        out.write("  problems: none\n")
    else:
        out.write(f"  problems ({len(rejects)} rows would be quarantined):\n")
        for row in rejects.sort_values(["source_line", "rule"]).head(MAX_PROBLEMS_SHOWN).itertuples():
            out.write(f"    line {row.source_line}: {row.rule}\n")
        if len(rejects) > MAX_PROBLEMS_SHOWN:
            out.write(f"    … {len(rejects) - MAX_PROBLEMS_SHOWN} more\n")
    return True


def _first_line(path: Path) -> str:
    with path.open("rb") as f:
        return f.readline().decode("utf-8", "replace")


def validate_files(paths: list[Path], out: TextIO) -> int:
    catalog = load_catalog(CATALOG_PATH)
    accepted = [validate_file(p, catalog, out) for p in paths]
    refused = accepted.count(False)
    out.write(f"{len(paths)} files checked, {refused} would be refused\n")
    return 1 if refused else 0
