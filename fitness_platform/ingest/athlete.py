"""Silver for one athlete: each file recognised and parsed through the source registry."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from fitness_platform.errors import ExportError
from fitness_platform.ingest.body import BODY_COLUMNS
from fitness_platform.ingest.catalog import resolve_exercises
from fitness_platform.ingest.csvfile import count_records, read_csv_table, read_head
from fitness_platform.ingest.cycles import CYCLE_COLUMNS
from fitness_platform.ingest.diet import DIET_COLUMNS
from fitness_platform.ingest.rules import REJECT_COLUMNS
from fitness_platform.ingest.scan_cache import ScanCache, now_ns
from fitness_platform.ingest.sets import SET_COLUMNS, parse_times
from fitness_platform.ingest.sources import (
    ROLES,
    SourceInput,
    SourceKind,
    by_file_name,
    kind_named,
    kinds,
    recognise,
    unrecognised,
)
from fitness_platform.processes import worker_pool

# Bump when parsing or loading semantics change: every athlete is then reloaded once.
PARSER_VERSION = "4"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class SourceFile:
    """One file found under ``raw_dir/<athlete>/``, with the kind the registry recognised
    (``unknown`` when none did: silver then refuses it by name)."""

    athlete_key: str
    path: Path
    kind: str
    sha256: str
    rows: int
    size: int

    @property
    def role(self) -> str:
        kind = kind_named(self.kind)
        return kind.role if kind else UNKNOWN


def describe_file(
    athlete_key: str,
    path: Path,
    cache: ScanCache | None = None,
    stat: os.stat_result | None = None,
) -> SourceFile:
    """Hash a file and recognise its kind (by name for the settings file, else from the header and
    first rows); rows are counted without a full parse (silver parses later, and only for
    athletes whose files changed). An unreadable file gets kind ``unknown``.

    With a scan cache, a file unchanged by its metadata since the last scan is not read
    (``stat``: its metadata, when the caller has it already)."""
    if cache is not None:
        started = now_ns()
        stat = stat or path.stat()
        known = cache.lookup(path, stat)
        if known is not None:
            digest, kind_name, rows = known
            return SourceFile(athlete_key, path, kind_name, digest, rows, stat.st_size)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    named = by_file_name(path.name)
    if named is not None:
        found = SourceFile(athlete_key, path, named.name, digest, 0, len(data))
    else:
        try:
            header, first_rows = read_head(path, data)
            kind, rows = recognise(header, first_rows), count_records(data)
        except (ExportError, UnicodeDecodeError):
            kind, rows = None, 0
        found = SourceFile(
            athlete_key, path, kind.name if kind else UNKNOWN, digest, rows, len(data)
        )
    if cache is not None and stat.st_size == len(data):
        cache.record(path, stat, started, digest, found.kind, found.rows)
    return found


def discover(raw_dir: Path, cache: ScanCache | None = None) -> list[SourceFile]:
    """Every ``*.csv`` (and named non-CSV source) under ``raw_dir/<athlete>/``, sorted by athlete
    then file name."""
    found = []
    if not raw_dir.is_dir():
        return found
    # One listing of each folder (os.scandir: the entry says whether it is a folder or a file,
    # without a stat each), for the scan that starts every run of up to 1,000s of athletes.
    with os.scandir(raw_dir) as entries:
        folders = sorted(e.name for e in entries if not e.name.startswith(".") and e.is_dir())
    for name in folders:
        found += athlete_files(raw_dir / name, cache)
    return found


def athlete_files(folder: Path, cache: ScanCache | None = None) -> list[SourceFile]:
    """The files of one athlete folder, by name: every ``*.csv``, and the sources the registry
    knows by file name."""
    named = {k.file_name for k in kinds() if k.file_name}
    try:
        with os.scandir(folder) as entries:
            files = sorted(
                (
                    e
                    for e in entries
                    if (e.name.endswith(".csv") or e.name in named) and e.is_file()
                ),
                key=lambda e: e.name,
            )
    except (FileNotFoundError, NotADirectoryError):  # removed since it was listed
        return []
    return [
        describe_file(folder.name, folder / e.name, cache, e.stat() if cache else None)
        for e in files
    ]


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
    exercises: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The exercise dimension rows of this athlete's titles (resolved by the caller: the load
    resolves every athlete's titles once)."""
    corrections: list[dict] = field(default_factory=list)
    units: dict = field(default_factory=dict)
    profile: dict = field(default_factory=dict)
    file_hashes: dict[str, str] = field(default_factory=dict)
    """sha256 of the bytes each file was parsed from (by file name): what the load records."""
    body: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=BODY_COLUMNS))
    """Body measurements, one row per day and source (``ingest/body.py``)."""
    deletions: list[dict] = field(default_factory=list)
    """Workouts deleted at a live source (the Hevy API), for the audit table."""
    templates: list[dict] = field(default_factory=list)
    """A source's own classification of the exercises used (Hevy exercise templates)."""


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ExportError(path, f"cannot be read ({exc.strerror})") from exc


def _kind_of(f: SourceFile, data: bytes, digest: str):
    """(kind, cells) of a file about to be parsed: the kind the scan recognised, unless the file
    changed since (then recognised again from what is read now)."""
    kind = kind_named(f.kind) if digest == f.sha256 else by_file_name(f.path.name)
    if kind is not None and not kind.is_csv:
        return kind, None
    table = read_csv_table(f.path, data)
    if kind is None:
        kind = recognise(table.header, table.rows)
    if kind is None:
        raise unrecognised(table)
    return kind, table


def parse_athlete(
    athlete_key: str,
    files: list[SourceFile],
    *,
    corrections: pd.DataFrame | None = None,
    now: datetime | None = None,
    catalog: pd.DataFrame | None = None,
) -> AthleteSilver:
    """Parse every file of one athlete, role by role (``sources.ROLES``); the first file that
    cannot be read refuses the athlete whole. Each file is read once, and its bytes are both parsed
    and hashed: a file edited after the scan is loaded, and recorded, with the content parsed.

    Given a ``catalog``, the athlete's exercises are resolved too (a single-athlete load outside
    Dagster); the silver asset resolves every athlete's titles once instead."""
    now = now or datetime.now()
    contents = {f.path.name: read_bytes(f.path) for f in files}
    file_hashes = {name: hashlib.sha256(data).hexdigest() for name, data in contents.items()}
    entries: list[tuple[SourceKind, SourceFile, object]] = []
    for f in sorted(files, key=lambda f: f.path.name):
        kind, table = _kind_of(f, contents[f.path.name], file_hashes[f.path.name])
        entries.append((kind, f, table))
    for role, what in (("diet", "diet log"), ("body", "measurements export")):
        found = [f for kind, f, _ in entries if kind.role == role]
        if len(found) > 1:
            raise ExportError(
                found[1].path,
                f"a second {what} for the same athlete (one is allowed; the first is "
                f"{found[0].path.name})",
            )
    profile: dict = {}
    cycles_file = None
    sets, diets, cycles, rejects, applied, units = [], [], [], [], [], {}
    bodies = []
    live: list = []  # results whose workouts replace other files' copies (the Hevy API)
    deletions, templates = [], []
    for role in ROLES:
        for kind, f, table in (e for e in entries if e[0].role == role):
            result = kind.parse(
                SourceInput(
                    path=f.path,
                    content=contents[f.path.name],
                    table=table,
                    athlete_key=athlete_key,
                    corrections=corrections,
                    now=now,
                    profile=profile,
                    cycles=cycles_file,
                )
            )
            if result.profile is not None:
                profile = result.profile
            if role == "cycles":
                cycles_file = result.cycles
            elif result.cycles is not None:
                cycles.append(result.cycles)
            if result.sets is not None:
                sets.append(result.sets)
                units[f.path.name] = result.facts
                if result.authoritative_starts or result.removed_starts:
                    live.append(result)
            deletions += result.deletions
            templates += result.templates
            if result.diet is not None:
                diets.append(result.diet)
            if result.body is not None:
                bodies.append(result.body)
                if result.sets is None:
                    units[f.path.name] = result.facts
            if result.rejects is not None:
                rejects.append((result.rejects, result))
            applied.extend(result.corrections)
    if not diets and cycles_file is not None:
        cycles.append(cycles_file)
    sets = [_without_superseded(frame, live) for frame in sets]
    rejects = [_rejects_without_superseded(frame, result, live) for frame, result in rejects]
    sets_frame = concat_frames(sets, SET_COLUMNS)
    return AthleteSilver(
        athlete_key=athlete_key,
        sets=sets_frame,
        diet=concat_frames(diets, DIET_COLUMNS),
        body=concat_frames(bodies, BODY_COLUMNS),
        cycles=concat_frames(cycles, CYCLE_COLUMNS),
        rejects=concat_frames(rejects, REJECT_COLUMNS),
        exercises=(
            resolve_exercises(sets_frame["exercise_title"], catalog, templates)
            if catalog is not None
            else pd.DataFrame()
        ),
        corrections=applied,
        units=units,
        profile=profile,
        file_hashes=file_hashes,
        deletions=deletions,
        templates=templates,
    )


def _without_superseded(frame: pd.DataFrame, live: list) -> pd.DataFrame:
    """A file's sets without the workouts a live source (the Hevy API) holds or deleted: the
    live copy of a workout wins over an export's, matched on source and start minute."""
    for result in live:
        if frame is result.sets or frame.empty:
            continue
        source = set(result.sets["source"]) if not result.sets.empty else {"hevy"}
        gone = result.authoritative_starts | result.removed_starts
        frame = frame[~(frame["source"].isin(source) & frame["start_time"].isin(gone))]
    return frame


def _rejects_without_superseded(rejects: pd.DataFrame, owner, live: list) -> pd.DataFrame:
    """A file's quarantined rows without those of workouts a live source replaced: the live
    copy's own rows are what count (an export's bad row of the same workout is not counted
    twice)."""
    if not live or any(owner is r for r in live) or owner.sets is None or rejects.empty:
        return rejects
    starts = rejects["raw_values"].map(lambda cells: json.loads(cells).get("start_time") or "")
    when = parse_times(starts.astype(str))
    for result in live:
        if not set(owner.sets["source"]) & set(result.sets["source"]):
            continue
        gone = result.authoritative_starts | result.removed_starts
        rejects = rejects[~when.loc[rejects.index].isin(gone)]
    return rejects


# Below this many athletes to parse, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 8


def parse_one(
    athlete: str, files: list[SourceFile], corrections: pd.DataFrame, keep=None
) -> tuple[str, object | None, str | None]:
    """Parse one athlete; a refusal comes back as text (it may cross a process boundary). With
    ``keep``, what comes back is ``keep(parsed)``, made where the athlete was parsed."""
    try:
        parsed = parse_athlete(athlete, files, corrections=corrections)
    except ExportError as exc:
        return athlete, None, str(exc)
    return athlete, parsed if keep is None else keep(parsed), None


def parse_many(
    todo: dict[str, list[SourceFile]], corrections: pd.DataFrame, log=None, keep=None
) -> Iterator[tuple[str, object | None, str | None]]:
    """Parse athletes, on every core when there are enough of them, yielding each as it is done,
    in athlete order (the caller keeps only what it needs of each: memory does not grow with the
    number of athletes). ``keep`` (picklable, importable without Dagster) runs on each parsed
    athlete in the process that parsed it, and its result is what is yielded in place of the
    ``AthleteSilver``.

    Workers are spawned, not forked (the caller holds threads and database connections). If the
    pool cannot run (a broken worker, a platform without spawn support), the athletes not yet
    parsed are parsed in this process."""
    workers = min(os.cpu_count() or 1, len(todo))
    done: set[str] = set()
    if workers >= 2 and len(todo) >= PARALLEL_THRESHOLD:
        try:
            with worker_pool(workers) as pool:
                results = pool.map(
                    parse_one,
                    todo.keys(),
                    todo.values(),
                    [corrections] * len(todo),
                    [keep] * len(todo),
                    chunksize=4,
                )
                for result in results:
                    done.add(result[0])
                    yield result
            return
        except (BrokenProcessPool, OSError) as exc:
            if log is not None:
                log(f"parallel parsing unavailable ({exc}); parsing in one process")
    for athlete, files in todo.items():
        if athlete not in done:
            yield parse_one(athlete, files, corrections, keep)


def concat_frames(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]
