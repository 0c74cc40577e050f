"""What silver hands the warehouse: per athlete, the frames of their load and its bookkeeping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

AthleteFrames = Mapping[str, pd.DataFrame]
"""One silver frame per athlete loaded in this run (athlete_key → rows): a ``SpooledFrames``
read from disk one athlete at a time (``resources/spool.py``)."""


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
