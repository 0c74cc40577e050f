"""Syncing every athlete who connected a Hevy account: one mirror per athlete, athletes isolated."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import date

from fitness_platform.errors import ExportError, FitnessError
from fitness_platform.ingest.hevy_api import (
    MIRROR_FILE,
    SYNC_STATE_FILE,
    Mirror,
    SyncSummary,
    sync,
)
from fitness_platform.ingest.profile import SETTINGS_FILE, load_profile
from fitness_platform.resources.hevy_api import HevyApiResource
from fitness_platform.resources.raw_files import RawFilesResource


@dataclass
class AthleteSync:
    athlete_key: str
    key_env: str
    status: str  # synced | unchanged | failed
    error: str | None = None
    summary: SyncSummary = field(default_factory=SyncSummary)
    mirror: str | None = None

    def as_row(self) -> dict:
        return {"athlete": self.athlete_key, "status": self.status, **asdict(self.summary)}


def connected_athletes(raw_files: RawFilesResource) -> dict[str, str]:
    """Athlete → the name of the environment variable holding their key (from athlete.toml)."""
    found = {}
    for athlete in raw_files.athletes_with(SETTINGS_FILE):
        settings = raw_files.read(athlete, SETTINGS_FILE)
        # Parsed only when it can name the key (the name itself, or an escape that might spell
        # it): a coach's roster of athlete.toml files is read before every run.
        if settings is None or (b"hevy_api_key_env" not in settings and b"\\" not in settings):
            continue
        try:
            profile = load_profile(raw_files.local_dir() / athlete / SETTINGS_FILE, settings)
        except ExportError:
            continue  # the ingestion refuses this athlete, naming the file; nothing to sync
        if profile.get("hevy_api_key_env"):
            found[athlete] = profile["hevy_api_key_env"]
    return found


def _sync_state(data: bytes | None) -> dict:
    """The sync's bookkeeping beside the mirror; a missing or unreadable file is a fresh start."""
    try:
        state = json.loads(data) if data else {}
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}


def sync_athletes(
    raw_files: RawFilesResource,
    api: HevyApiResource,
    *,
    only: list[str] | None = None,
    today: date | None = None,
) -> list[AthleteSync]:
    """Sync each connected athlete (or the ones named); a failure is that athlete's alone. The
    key is read from the variable the athlete names, at the moment of the sync, and goes no
    further than the request header."""
    today = today or date.today()
    results = []
    for athlete, key_env in sorted(connected_athletes(raw_files).items()):
        if only and athlete not in only:
            continue
        result = AthleteSync(athlete, key_env, "failed")
        key = os.environ.get(key_env, "").strip()
        if not key:
            result.error = f"athlete.toml names {key_env} for the Hevy API key, but it is not set"
            results.append(result)
            continue
        client = api.client(key, key_env)
        try:
            previous = Mirror.from_bytes(raw_files.read(athlete, MIRROR_FILE))
            state = _sync_state(raw_files.read(athlete, SYNC_STATE_FILE))
            mirror, result.summary = sync(
                client, previous, today=today, measured_on=state.get("measurements_day")
            )
            if result.summary.changed:
                result.mirror = raw_files.write(athlete, MIRROR_FILE, mirror.to_bytes())
            if result.summary.measurements_fetched:
                # After the mirror: lost between the two, measurements are only read again.
                state["measurements_day"] = today.isoformat()
                raw_files.write(athlete, SYNC_STATE_FILE, json.dumps(state).encode() + b"\n")
            result.status = "synced" if result.summary.changed else "unchanged"
        except (FitnessError, ValueError) as exc:
            result.error = str(exc)
        finally:
            result.summary.calls = client.calls
            client.close()
        results.append(result)
    return results
