"""Silver for one athlete: recognise each export by its header, parse it, resolve exercises."""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from fitness_platform.errors import ExportError
from fitness_platform.ingest.catalog import resolve_exercises
from fitness_platform.ingest.cronometer import (
    is_cronometer_header,
    is_cycles_header,
    parse_cronometer,
    parse_cycles_file,
)
from fitness_platform.ingest.csvfile import CsvTable, count_records, read_csv_table, read_head
from fitness_platform.ingest.diet import CYCLE_COLUMNS, DIET_COLUMNS, is_diet_header, parse_diet
from fitness_platform.ingest.hevy import SET_COLUMNS, is_hevy_header, parse_hevy
from fitness_platform.ingest.profile import SETTINGS_FILE, load_profile
from fitness_platform.ingest.rules import REJECT_COLUMNS
from fitness_platform.ingest.strong import (
    is_strong_header,
    nearest_layout,
    parse_strong,
    reads_by_position,
)

# Bump when parsing or loading semantics change: every athlete is then reloaded once.
PARSER_VERSION = "2"
KINDS = {
    "hevy": "workouts",
    "strong": "workouts",
    "diet": "diet",
    "cronometer": "diet",
    "cycles": "diet",
    "settings": "settings",
}
KIND_NAMES = {
    "hevy": "Hevy workout export",
    "strong": "Strong workout export",
    "diet": "diet log (personal SQLite export)",
    "cronometer": "Cronometer daily summary",
    "cycles": "diet cycles file",
    "settings": "athlete settings",
}


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


def sniff_kind(header: list[str], rows: list[list[str]] | None = None) -> str:
    """The kind of an export, from its header (never from the file name), and for a Strong export
    in an unknown language from the shape of its first rows."""
    if is_strong_header(header):
        return "strong"
    if is_hevy_header(header):
        return "hevy"
    if is_cronometer_header(header):
        return "cronometer"
    if is_cycles_header(header):
        return "cycles"
    if is_diet_header(header):
        return "diet"
    if rows is not None and reads_by_position(header, rows):
        return "strong"
    return "unknown"


def unrecognised(table: CsvTable) -> ExportError:
    """The refusal of a file of no known kind, naming the nearest layout when one is close."""
    near = nearest_layout(table.header)
    if near is not None:
        return ExportError(
            table.path,
            f"not a recognised export: the header is close to {near[0]} but has columns it "
            f"does not know: {', '.join(repr(h) for h in near[1])}",
            line=1,
        )
    return ExportError(
        table.path,
        "not a recognised export (expected Hevy or Strong workouts, a diet log, a Cronometer "
        f"daily summary or a cycles file); header starts {', '.join(table.header[:4])}",
        line=1,
    )


def describe_file(athlete_key: str, path: Path) -> SourceFile:
    """Hash a file and recognise its kind from the header; unreadable files get kind ``unknown``."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if path.name == SETTINGS_FILE:
        return SourceFile(athlete_key, path, "settings", digest, 0, len(data))
    try:
        # The header says the kind; rows are counted without a full parse (silver parses later,
        # and only for athletes whose files changed).
        header, first_rows = read_head(path, data)
        kind, rows = sniff_kind(header, first_rows), count_records(data)
    except (ExportError, UnicodeDecodeError):
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
        for path in sorted([*athlete_dir.glob("*.csv"), *athlete_dir.glob(SETTINGS_FILE)]):
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
    units: dict = field(default_factory=dict)
    profile: dict = field(default_factory=dict)
    file_hashes: dict[str, str] = field(default_factory=dict)
    """sha256 of the bytes each file was parsed from (by file name): what the load records."""


def parse_athlete(
    athlete_key: str,
    files: list[SourceFile],
    *,
    catalog: pd.DataFrame,
    corrections: pd.DataFrame,
    now: datetime | None = None,
) -> AthleteSilver:
    """Parse every export of one athlete; the first unreadable file refuses the athlete whole.

    Order matters: settings first (units for exports that do not state them), then a cycles file
    (for diet logs without a cycle column), then diet logs, then workouts."""
    now = now or datetime.now()
    # Each file is read once, and its bytes are both parsed and hashed: a file edited after the
    # scan is loaded, and recorded, with the content actually parsed.
    contents = {f.path.name: read_bytes(f.path) for f in files}
    file_hashes = {name: hashlib.sha256(data).hexdigest() for name, data in contents.items()}
    profile: dict = {}
    settings = [f for f in files if f.path.name == SETTINGS_FILE]
    if settings:
        profile = load_profile(settings[0].path, contents[SETTINGS_FILE])
    tables = []
    for f in files:
        if f.path.name == SETTINGS_FILE:
            continue
        table = read_csv_table(f.path, contents[f.path.name])
        kind = sniff_kind(table.header, table.rows)
        if kind == "unknown":
            raise unrecognised(table)
        tables.append((kind, table))
    cycles_file = None
    for kind, table in tables:
        if kind == "cycles":
            cycles_file = parse_cycles_file(table, athlete_key=athlete_key)
    diet_tables = [(k, t) for k, t in tables if k in {"diet", "cronometer"}]
    if len(diet_tables) > 1:
        raise ExportError(
            diet_tables[1][1].path,
            "a second diet log for the same athlete (one "
            f"is allowed; the first is {diet_tables[0][1].path.name})",
        )
    sets, diets, cycles, rejects, applied, units = [], [], [], [], [], {}
    for kind, table in tables:
        if kind in {"hevy", "strong"}:
            if kind == "hevy":
                parsed = parse_hevy(
                    table, athlete_key=athlete_key, corrections=corrections, now=now
                )
            else:
                parsed = parse_strong(
                    table,
                    athlete_key=athlete_key,
                    corrections=corrections,
                    now=now,
                    weight_unit=profile.get("weight_unit"),
                    distance_unit=profile.get("distance_unit"),
                )
            sets.append(parsed.sets)
            rejects.append(parsed.rejects)
            applied.extend(parsed.corrections)
            units[table.path.name] = parsed.units
        elif kind in {"diet", "cronometer"}:
            if kind == "diet":
                diet = parse_diet(
                    table, athlete_key=athlete_key, today=now.date(), cycles_file=cycles_file
                )
            else:
                diet = parse_cronometer(
                    table,
                    athlete_key=athlete_key,
                    today=now.date(),
                    cycles=cycles_file
                    if cycles_file is not None
                    else pd.DataFrame(columns=CYCLE_COLUMNS),
                )
            diets.append(diet.days)
            cycles.append(diet.cycles)
            rejects.append(diet.rejects)
    if not diets and cycles_file is not None:
        cycles.append(cycles_file)
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
        profile=profile,
        file_hashes=file_hashes,
    )


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ExportError(path, f"cannot be read ({exc.strerror})") from exc


# Below this many athletes to parse, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 8
PR_SET_PDEATHSIG = 1  # linux/prctl.h
WATCHDOG_SECONDS = 0.5


def parse_one(
    athlete: str, files: list[SourceFile], catalog: pd.DataFrame, corrections: pd.DataFrame
) -> tuple[str, AthleteSilver | None, str | None]:
    """Parse one athlete; a refusal comes back as text (it may cross a process boundary)."""
    try:
        return (
            athlete,
            parse_athlete(athlete, files, catalog=catalog, corrections=corrections),
            None,
        )
    except ExportError as exc:
        return athlete, None, str(exc)


def _die_with_parent(parent_pid: int) -> None:
    """Worker initializer: end this worker as soon as the process that started it is gone (a
    parent killed with SIGKILL runs no cleanup, and an orphaned worker would parse on for
    minutes). Linux is told directly; a watchdog thread covers every platform."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while True:
            if os.getppid() != parent_pid:
                os._exit(1)
            time.sleep(WATCHDOG_SECONDS)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def parse_pool(workers: int) -> ProcessPoolExecutor:
    """Spawned (not forked: the caller holds threads and connections) workers that end when
    their parent does."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    )


def parse_many(
    todo: dict[str, list[SourceFile]], catalog: pd.DataFrame, corrections: pd.DataFrame, log=None
) -> list[tuple]:
    """Parse athletes, on every core when there are enough of them, in athlete order.

    Workers are spawned, not forked (the caller holds threads and database connections). If the
    pool cannot run (a broken worker, a platform without spawn support), parsing simply happens
    in this process."""
    workers = min(os.cpu_count() or 1, len(todo))
    if workers >= 2 and len(todo) >= PARALLEL_THRESHOLD:
        try:
            with parse_pool(workers) as pool:
                return list(
                    pool.map(
                        parse_one,
                        todo.keys(),
                        todo.values(),
                        [catalog] * len(todo),
                        [corrections] * len(todo),
                        chunksize=4,
                    )
                )
        except (BrokenProcessPool, OSError) as exc:
            if log is not None:
                log(f"parallel parsing unavailable ({exc}); parsing in one process")
    return [parse_one(a, files, catalog, corrections) for a, files in todo.items()]


def concat_frames(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]
