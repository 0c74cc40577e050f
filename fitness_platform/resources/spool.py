"""Where silver leaves its frames for the warehouse: one file per frame and athlete, written as
each athlete is parsed.

Silver hands the warehouse a small ``SpooledFrames`` mapping (athlete → frame) instead of every
athlete's rows: the warehouse reads an athlete's rows only while it loads them. Peak memory is then
set by the parse workers and the load's connections, not by how many athletes exist.

A spool belongs to one run (``<base>/<run id>``). The warehouse step removes it once every athlete
of the run is committed or refused; a spool left by a failed step is kept for its re-execution and
removed after ``KEEP_DAYS``. Steps that read it must share the spool's file system (the in-process
and multiprocess executors do; an executor that runs each step on its own machine needs
``FITNESS_STATE_DIR`` on a shared volume)."""

from __future__ import annotations

import pickle
import shutil
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from dagster import ConfigurableResource

from fitness_platform.errors import FitnessError
from fitness_platform.spoolfiles import spool_file, write_frames

KEEP_DAYS = 7


class SpoolMissing(FitnessError):
    """A step asked for frames whose spool is gone (removed after its load, or by hand)."""


@dataclass(frozen=True)
class SpooledFrames(Mapping):
    """One silver frame per athlete (``athlete_key → DataFrame``), read from disk on access."""

    directory: str
    name: str
    athletes: tuple[str, ...]
    rows: int = 0

    @classmethod
    def empty(cls, name: str) -> SpooledFrames:
        """No athlete's rows (every athlete unchanged or refused)."""
        return cls("", name, ())

    def _path(self, athlete: str) -> Path:
        return spool_file(Path(self.directory), self.name, athlete)

    def __getitem__(self, athlete: str) -> pd.DataFrame:
        if athlete not in self.athletes:
            raise KeyError(athlete)
        path = self._path(athlete)
        try:
            with path.open("rb") as fh:
                return pickle.load(fh)
        except FileNotFoundError:
            raise SpoolMissing(
                f"silver's {self.name} rows of athlete {athlete} are no longer at {path} (the "
                "spool is removed once its load is done): materialize silver again"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.athletes)

    def __len__(self) -> int:
        return len(self.athletes)


class FrameSpool:
    """The writer of one run's spool."""

    def __init__(self, directory: Path):
        self.directory = directory
        self._athletes: dict[str, list[str]] = {}
        self._rows: dict[str, int] = {}

    def put(self, athlete: str, frames: dict[str, pd.DataFrame]) -> None:
        """Write one athlete's frames (a later ``put`` of the same athlete replaces them)."""
        self.record(athlete, write_frames(self.directory, athlete, frames))

    def record(self, athlete: str, rows: dict[str, int]) -> None:
        """Count frames another process wrote into this spool (``spoolfiles.write_frames``):
        ``rows`` is each frame's row count."""
        for name, count in rows.items():
            names = self._athletes.setdefault(name, [])
            if athlete not in names:
                names.append(athlete)
            self._rows[f"{name}/{athlete}"] = count

    def frames(self, name: str) -> SpooledFrames:
        athletes = tuple(self._athletes.get(name, []))
        rows = sum(self._rows[f"{name}/{a}"] for a in athletes)
        return SpooledFrames(str(self.directory), name, athletes, rows)


def open_spool(base: Path, run_id: str) -> FrameSpool:
    """A fresh spool for this run (a re-executed silver step starts its own over), after removing
    spools older than ``KEEP_DAYS``."""
    prune(base)
    directory = base / run_id
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)
    return FrameSpool(directory)


def release(frames: Mapping) -> None:
    """Remove the spool these frames were read from (nothing for an in-memory mapping)."""
    if isinstance(frames, SpooledFrames) and frames.directory:
        shutil.rmtree(frames.directory, ignore_errors=True)


def prune(base: Path, now: float | None = None) -> int:
    """Remove spools not touched for ``KEEP_DAYS``; returns how many were removed."""
    if not base.is_dir():
        return 0
    cutoff = (now if now is not None else time.time()) - KEEP_DAYS * 86400
    removed = 0
    for directory in base.iterdir():
        try:
            if directory.is_dir() and directory.stat().st_mtime < cutoff:
                shutil.rmtree(directory, ignore_errors=True)
                removed += 1
        except OSError:
            continue
    return removed


class SilverSpoolResource(ConfigurableResource):
    """A folder on the machine that runs the ingestion (``FITNESS_STATE_DIR/spool``): one
    sub-folder per run, removed once the run's load is done."""

    base_dir: str

    def open(self, run_id: str) -> FrameSpool:
        return open_spool(Path(self.base_dir), run_id)
