"""What silver hands the warehouse: per athlete, the frames of their load and its bookkeeping."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from fitness_platform.ingest.athlete import AthleteSilver
from fitness_platform.spoolfiles import write_frames

AthleteFrames = Mapping[str, pd.DataFrame]
"""One silver frame per athlete loaded in this run (athlete_key → rows): a ``SpooledFrames``
read from disk one athlete at a time (``resources/spool.py``)."""


@dataclass
class SpooledAthlete:
    """One athlete's parse once its frames are in the spool: what silver records of it, without
    its rows."""

    athlete_key: str
    rows: dict[str, int]
    """Rows of each frame written to the spool."""
    exercise_keys: list[str]
    titles: list[str]
    rules: Counter
    """Quarantined rows by rule."""
    file_hashes: dict[str, str]
    corrections: list[dict]
    profile: dict
    units: dict
    deletions: list[dict]
    templates: list[dict]


@dataclass(frozen=True)
class SpoolWhereParsed:
    """``parse_many``'s ``keep``: writes each athlete's frames into the run's spool in the
    process that parsed them, so that the rows are pickled once, into the spool, instead of once
    to the step's process and again into the spool there (about 1 s of the step's process at
    100 athletes, on the cores the parse workers need)."""

    directory: str

    def __call__(self, parsed: AthleteSilver) -> SpooledAthlete:
        frames = {
            "workout_sets": parsed.sets,
            "diet_days": parsed.diet,
            "diet_cycles": parsed.cycles,
            "body_measurements": parsed.body,
            "rejected_rows": parsed.rejects,
        }
        return SpooledAthlete(
            athlete_key=parsed.athlete_key,
            rows=write_frames(Path(self.directory), parsed.athlete_key, frames),
            exercise_keys=list(pd.unique(parsed.sets["exercise_key"])),
            titles=sorted(pd.unique(parsed.sets["exercise_title"])),
            rules=Counter(parsed.rejects["rule"]),
            file_hashes=parsed.file_hashes,
            corrections=parsed.corrections,
            profile=parsed.profile,
            units=parsed.units,
            deletions=parsed.deletions,
            templates=parsed.templates,
        )


@dataclass
class LoadBatch:
    """One athlete in one ingestion: what their load is built from and what became of it."""

    athlete_key: str
    fingerprint: str
    seen_fingerprint: str | None
    """The fingerprint stored when silver looked (None for a new athlete): the load compares it
    again under the athlete's lock, to notice another run that loaded the same content."""
    status: str  # load | unchanged | refused
    files: list[dict]
    error: str | None = None
    corrections: list[dict] = field(default_factory=list)
    profile: dict = field(default_factory=dict)
    units: dict = field(default_factory=dict)
    sets: int = 0
    diet_days: int = 0
    rejected: int = 0
    deletions: list[dict] = field(default_factory=list)
    """Workouts deleted at a live source (the Hevy API), for fitness.hevy_deletions."""
    templates: list[dict] = field(default_factory=list)
    """Hevy's exercise templates of the titles used: classification for titles the catalog lacks."""
    titles: list[str] = field(default_factory=list)
    """The distinct exercise titles of the athlete's sets: the load resolves every athlete's
    titles at once without reading their rows."""

    def as_row(self) -> dict:
        return {
            "athlete_key": self.athlete_key,
            "status": self.status,
            "sets": self.sets,
            "diet_days": self.diet_days,
            "rejected": self.rejected,
            "error": self.error or "",
        }
