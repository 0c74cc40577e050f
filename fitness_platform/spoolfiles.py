"""The spool's files: where a run's spool keeps one athlete's frame, and how it is written.

Standard library and pandas only: parse workers write an athlete's frames where they parsed them
(``silver.batches.SpoolWhereParsed``) without importing Dagster, and ``resources/spool.py`` reads
and manages the same files."""

from __future__ import annotations

import pickle
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from fitness_platform.errors import FitnessError

PICKLE_PROTOCOL = 5


class SpoolUnwritable(FitnessError):
    """A run's spool could not be written (a full or read-only state folder)."""


def spool_file(directory: Path, name: str, athlete: str) -> Path:
    """Where a run's spool (``directory``) keeps one athlete's frame ``name``."""
    return directory / name / f"{athlete}.pkl"


def write_frames(directory: Path, athlete: str, frames: Mapping[str, pd.DataFrame]) -> dict:
    """Write one athlete's frames into a run's spool, each file replaced whole (written beside
    it, then renamed); returns each frame's row count. Pandas and the standard library only:
    parse workers call it without importing Dagster."""
    rows = {}
    for name, frame in frames.items():
        target = spool_file(directory, name, athlete)
        partial = target.with_name(f".{target.name}.partial")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with partial.open("wb") as fh:
                pickle.dump(frame, fh, protocol=PICKLE_PROTOCOL)
            partial.replace(target)
        except OSError as exc:
            # Not an OSError: a worker's would read as the process pool failing.
            raise SpoolUnwritable(
                f"silver's spool cannot be written at {target.parent} "
                f"({exc.strerror or exc}): free space there, or set FITNESS_STATE_DIR"
            ) from None
        rows[name] = len(frame)
    return rows
