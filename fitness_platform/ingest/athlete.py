"""Silver for one athlete: recognise each export by its header, parse it, resolve exercises."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from fitness_platform.errors import ExportError
from fitness_platform.ingest.catalog import resolve_exercises
from fitness_platform.ingest.csvfile import read_csv_table
from fitness_platform.ingest.diet import CYCLE_COLUMNS, DIET_COLUMNS, is_diet_header, parse_diet
from fitness_platform.ingest.hevy import SET_COLUMNS, is_hevy_header, parse_hevy
from fitness_platform.ingest.rules import REJECT_COLUMNS

# Bump when parsing or loading semantics change: every athlete is then reloaded once.
PARSER_VERSION = "1"
KINDS = {"hevy": "workouts", "diet": "diet"}


@dataclass(frozen=True)
class SourceFile:
    """One export found under ``raw_dir/<athlete>/``."""

    athlete_key: str
    path: Path
    kind: str  # hevy | diet | unknown
    sha256: str
    rows: int
    size: int

    @property
    def layer(self) -> str:
        return KINDS.get(self.kind, "unknown")


def sniff_kind(header: list[str]) -> str:
    if is_hevy_header(header):
        return "hevy"
    if is_diet_header(header):
        return "diet"
    return "unknown"


def describe_file(athlete_key: str, path: Path) -> SourceFile:
    """Hash a file and recognise its kind from the header; unreadable files get kind ``unknown``."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    try:
        table = read_csv_table(path, data)
        kind, rows = sniff_kind(table.header), len(table.rows)
    except ExportError:
        kind, rows = "unknown", 0
    return SourceFile(athlete_key, path, kind, digest, rows, len(data))


def discover(raw_dir: Path) -> list[SourceFile]:
    """Every ``*.csv`` under ``raw_dir/<athlete>/``, sorted by athlete then file name."""
    found = []
    if not raw_dir.is_dir():
        return found
    for athlete_dir in sorted(p for p in raw_dir.iterdir() if p.is_dir()):
        if athlete_dir.name.startswith("."):
            continue
        for path in sorted(athlete_dir.glob("*.csv")):
            found.append(describe_file(athlete_dir.name, path))
    return found


def fingerprint(files: list[SourceFile], context: str) -> str:
    """What an athlete's load is built from: their files, the catalog, the corrections, the parser."""
    digest = hashlib.sha256(f"{PARSER_VERSION}\n{context}\n".encode())
    for f in sorted(files, key=lambda f: f.path.name):
        digest.update(f"{f.path.name}\t{f.sha256}\n".encode())
    return digest.hexdigest()


@dataclass
class AthleteSilver:
    athlete_key: str
    sets: pd.DataFrame
    diet: pd.DataFrame
    cycles: pd.DataFrame
    rejects: pd.DataFrame
    exercises: pd.DataFrame
    corrections: list[dict] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)


def parse_athlete(athlete_key: str, files: list[SourceFile], *, catalog: pd.DataFrame,
                  corrections: pd.DataFrame, now: datetime | None = None) -> AthleteSilver:
    """Parse every export of one athlete; the first unreadable file refuses the athlete whole."""
    sets, diets, cycles, rejects, applied, units = [], [], [], [], [], {}
    for f in files:
        table = read_csv_table(f.path)
        kind = sniff_kind(table.header)
        if kind == "hevy":
            parsed = parse_hevy(table, athlete_key=athlete_key, corrections=corrections, now=now)
            sets.append(parsed.sets)
            rejects.append(parsed.rejects)
            applied.extend(parsed.corrections)
            units = parsed.units
        elif kind == "diet":
            diet = parse_diet(table, athlete_key=athlete_key,
                              today=(now or datetime.now()).date())
            diets.append(diet.days)
            cycles.append(diet.cycles)
            rejects.append(diet.rejects)
        else:
            raise ExportError(f.path, "not a recognised export (expected a Hevy workout export or a "
                              f"diet log); header starts {', '.join(table.header[:4])}", line=1)
    if len(diets) > 1:
        raise ExportError(files[-1].path, "a second diet log for the same athlete")
    sets_frame = concat_frames(sets, SET_COLUMNS)
    return AthleteSilver(
        athlete_key=athlete_key,
        sets=sets_frame,
        diet=concat_frames(diets, DIET_COLUMNS),
        cycles=concat_frames(cycles, CYCLE_COLUMNS),
        rejects=concat_frames(rejects, REJECT_COLUMNS),
        exercises=resolve_exercises(sets_frame["exercise_title"], catalog),
        corrections=applied,
        units=units,
    )


def concat_frames(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]
