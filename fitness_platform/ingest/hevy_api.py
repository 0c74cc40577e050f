"""The Hevy API as a source: a mirror of the athlete's account, kept in their raw folder.

A sync writes ``hevy-api.json`` in the athlete's folder: every workout of the account by its Hevy
id, the deletions it has seen, the exercise templates, the body measurements and the cursor (the
newest server time seen). The first sync walks every workout page; later ones read
``/v1/workouts/events`` since the cursor minus a few minutes of overlap. The walk is complete
before anything is written, and the new mirror (cursor included) replaces the old one in one
atomic rename, only when it changed: a sync that fails part way leaves the mirror, and so the
cursor, as they were; applying the same events twice gives the same bytes. The day body
measurements were last read is bookkeeping, not data, so it lives beside the mirror in
``hevy-api.sync.json`` (a file no ingestion reads): a new day alone never reloads the athlete.

The mirror is then a source like an export: the registry recognises it by its name, discovery
fingerprints it and silver parses it here into the Hevy set layout, so every row rule, duplicate
check and correction applies to it as to a CSV.

Same workout from the API and a CSV export: a workout is identified, for the athlete, by its
source (``hevy`` for both) and its start minute on the athlete's local wall clock (the CSV writes
local times to the minute; the API, UTC to the second, converted with ``time_zone`` from
``athlete.toml``). The API's copy wins (it is the live account, with Hevy's ids and edit times),
and a workout deleted in Hevy after the first sync is removed even while an older CSV still lists
it. A workout only in the CSV (older than the account, or deleted before the first sync) stays."""

from __future__ import annotations

import hashlib
import json
import zoneinfo
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pandas as pd

from fitness_platform.errors import ExportError
from fitness_platform.ingest.body import parse_api_measurements
from fitness_platform.ingest.csvfile import CsvTable
from fitness_platform.ingest.hevy import parse_hevy
from fitness_platform.ingest.rules import REJECT_COLUMNS
from fitness_platform.ingest.sets import SET_COLUMNS

MIRROR_FILE = "hevy-api.json"
SYNC_STATE_FILE = "hevy-api.sync.json"
MIRROR_VERSION = 1
OVERLAP = timedelta(minutes=5)
EPOCH = "1970-01-01T00:00:00Z"
SOURCE = "hevy"
ROWS_HEADER = [
    "hevy_workout_id",  # not a Hevy export column: it names the API record in the quarantine
    "title",
    "start_time",
    "end_time",
    "description",
    "exercise_title",
    "superset_id",
    "exercise_notes",
    "set_index",
    "set_type",
    "weight_kg",
    "reps",
    "distance_km",
    "duration_seconds",
    "rpe",
]
MALFORMED = "api_record_malformed"


def parse_api_time(value) -> datetime | None:
    """An API timestamp as an aware UTC datetime: ``…Z`` with or without fractional seconds, or
    an offset such as ``+00:00``. Compared as datetimes, never as strings."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Mirror:
    """What the platform holds of one Hevy account."""

    cursor: str | None = None
    workouts: dict[str, dict] = field(default_factory=dict)
    deletions: dict[str, dict] = field(default_factory=dict)
    templates: dict[str, dict] = field(default_factory=dict)
    body_measurements: dict[str, dict] = field(default_factory=dict)
    malformed: dict[str, dict] = field(default_factory=dict)
    moved: dict[str, list[str]] = field(default_factory=dict)
    """Workout id → the start times it had before an edit moved it (an export may still list
    it there)."""

    @classmethod
    def from_bytes(cls, data: bytes | None) -> Mirror:
        if not data:
            return cls()
        body = json.loads(data)
        if body.get("version") != MIRROR_VERSION:
            raise ValueError(f"unknown mirror version {body.get('version')!r}")
        return cls(
            cursor=body.get("cursor"),
            workouts=dict(body.get("workouts") or {}),
            deletions=dict(body.get("deletions") or {}),
            templates=dict(body.get("exercise_templates") or {}),
            body_measurements=dict(body.get("body_measurements") or {}),
            malformed=dict(body.get("malformed") or {}),
            moved=dict(body.get("moved") or {}),
        )

    def to_bytes(self) -> bytes:
        """Canonical bytes (keys sorted): the same account state always gives the same file."""
        body = {
            "version": MIRROR_VERSION,
            "source": "Hevy public API v1",
            "cursor": self.cursor,
            "workouts": self.workouts,
            "deletions": self.deletions,
            "exercise_templates": self.templates,
            "body_measurements": self.body_measurements,
            "malformed": self.malformed,
            "moved": self.moved,
        }
        return (json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()


@dataclass
class SyncSummary:
    first_sync: bool = False
    events: int = 0
    updated: int = 0
    deleted: int = 0
    malformed: int = 0
    templates_fetched: bool = False
    measurements_fetched: bool = False
    changed: bool = False
    workouts: int = 0
    calls: int = 0


def _keep_malformed(mirror: Mirror, record) -> None:
    text = json.dumps(record, ensure_ascii=False, sort_keys=True, default=str)
    mirror.malformed[hashlib.sha256(text.encode()).hexdigest()[:16]] = {"record": record}


def _workout_id(workout) -> str | None:
    if isinstance(workout, dict) and isinstance(workout.get("id"), str) and workout["id"]:
        return workout["id"]
    return None


def upsert_workout(mirror: Mirror, workout) -> bool:
    """Store a workout by its id, whole (its exercises and sets replace the stored ones), unless
    the stored copy is newer (an out-of-order duplicate). True when something changed."""
    wid = _workout_id(workout)
    if wid is None:
        _keep_malformed(mirror, workout)
        return False
    stored = mirror.workouts.get(wid)
    new_time, old_time = parse_api_time(workout.get("updated_at")), None
    if stored is not None:
        old_time = parse_api_time(stored.get("updated_at"))
        if old_time and new_time and old_time > new_time:
            return False
    deletion = mirror.deletions.get(wid)
    if deletion is not None:
        deleted_at = parse_api_time(deletion.get("deleted_at"))
        if deleted_at and new_time and new_time <= deleted_at:
            return False  # an update older than the deletion that followed it
        del mirror.deletions[wid]
    changed = stored != workout
    if stored is not None and _moved(stored, workout):
        earlier = mirror.moved.setdefault(wid, [])
        if stored["start_time"] not in earlier:
            earlier.append(stored["start_time"])
    mirror.workouts[wid] = workout
    return changed


def _moved(stored: dict, workout: dict) -> bool:
    before, after = (
        parse_api_time(stored.get("start_time")),
        parse_api_time(workout.get("start_time")),
    )
    return before is not None and before != after


def delete_workout(mirror: Mirror, event: dict) -> bool:
    """Remove a workout, recording the deletion (with the workout's start, when it was known, so
    that an older CSV listing the same workout no longer brings it back). Idempotent."""
    wid = event.get("id")
    if not isinstance(wid, str) or not wid:
        _keep_malformed(mirror, event)
        return False
    stored = mirror.workouts.pop(wid, None)
    if wid in mirror.deletions:
        return stored is not None
    mirror.deletions[wid] = {
        "id": wid,
        "deleted_at": event.get("deleted_at"),
        "start_time": stored.get("start_time") if stored else None,
        "title": stored.get("title") if stored else None,
    }
    return True


def apply_events(mirror: Mirror, events: list) -> tuple[int, int, int]:
    """Apply events (as the API lists them, newest first) oldest first; (updated, deleted,
    malformed) counts of what changed."""
    updated = deleted = malformed = 0
    for event in reversed(events):
        kind = event.get("type") if isinstance(event, dict) else None
        if kind == "updated":
            if _workout_id(event.get("workout")) is None:
                malformed += 1
                _keep_malformed(mirror, event)
            elif upsert_workout(mirror, event["workout"]):
                updated += 1
        elif kind == "deleted":
            if delete_workout(mirror, event):
                deleted += 1
        else:
            malformed += 1
            _keep_malformed(mirror, event)
    return updated, deleted, malformed


def newest_time(mirror: Mirror, events: list | None = None) -> datetime | None:
    """The newest server time seen: the cursor, any workout's update, any deletion."""
    times = [parse_api_time(mirror.cursor)]
    times += [parse_api_time(w.get("updated_at")) for w in mirror.workouts.values()]
    times += [parse_api_time(d.get("deleted_at")) for d in mirror.deletions.values()]
    for event in events or []:
        if isinstance(event, dict):
            workout = event.get("workout")
            if isinstance(workout, dict):
                times.append(parse_api_time(workout.get("updated_at")))
            times.append(parse_api_time(event.get("deleted_at")))
    times = [t for t in times if t is not None]
    return max(times) if times else None


def sync(
    client, previous: Mirror, *, today: date, measured_on: str | None = None
) -> tuple[Mirror, SyncSummary]:
    """One sync of one account: the new mirror and what happened. Raises (and changes nothing)
    if any call fails; ``client`` is a ``resources.hevy_api.HevyClient``. Body measurements have
    no events, so they are read on the first sync and then once a day (``measured_on`` is the
    day they were last read)."""
    mirror = Mirror.from_bytes(previous.to_bytes())  # a copy: the caller's stays as it was
    summary = SyncSummary(first_sync=previous.cursor is None)
    if summary.first_sync:
        mirror.workouts = {}
        for workout in client.workouts():
            upsert_workout(mirror, workout)
        mirror.templates = _by_id(client.exercise_templates())
        summary.templates_fetched = True
        summary.updated = len(mirror.workouts)
        events: list = []
    else:
        since = parse_api_time(mirror.cursor) - OVERLAP
        events = list(client.events(iso(since)))
        summary.events = len(events)
        summary.updated, summary.deleted, summary.malformed = apply_events(mirror, events)
        # Templates are read again only when an arriving workout uses one not yet known (a new
        # custom exercise); one missing from the listing is not asked for on every sync.
        wanted = {
            e.get("exercise_template_id")
            for event in events
            if isinstance(event, dict) and isinstance(event.get("workout"), dict)
            for e in (event["workout"].get("exercises") or [])
            if isinstance(e, dict) and e.get("exercise_template_id")
        }
        if wanted - set(mirror.templates):
            mirror.templates = _by_id(client.exercise_templates())
            summary.templates_fetched = True
    if summary.first_sync or measured_on != today.isoformat():
        mirror.body_measurements = {
            m["date"]: m
            for m in client.body_measurements()
            if isinstance(m, dict) and isinstance(m.get("date"), str)
        }
        summary.measurements_fetched = True
    newest = newest_time(mirror, events)
    if summary.first_sync and client.first_reply_at is not None:
        # The server's clock when the walk began: whatever changed while it ran (on a page
        # already read) comes back as an event after this time.
        newest = client.first_reply_at
    mirror.cursor = iso(newest) if newest else EPOCH
    summary.changed = mirror.to_bytes() != previous.to_bytes()
    summary.workouts = len(mirror.workouts)
    summary.calls = client.calls
    return mirror, summary


def _by_id(items) -> dict[str, dict]:
    return {t["id"]: t for t in items if isinstance(t, dict) and isinstance(t.get("id"), str)}


# --- the mirror as a source ---------------------------------------------------------------


def local_minute(value, zone: zoneinfo.ZoneInfo) -> str:
    """An API time as the athlete's local wall clock, to the minute (how a CSV export writes it);
    "" when it cannot be read (the row rules then quarantine it)."""
    moment = parse_api_time(value)
    if moment is None:
        return "" if value is None else str(value)
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M:00")


def _cell(value) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _order(item: dict) -> float:
    """An exercise's or set's position (``index``); one without a number goes last."""
    index = item.get("index")
    return float(index) if isinstance(index, (int, float)) else float("inf")


def _superset(exercise: dict):
    # The spec spells it supersets_id; live replies say superset_id. 0 is a real superset.
    return exercise["superset_id"] if "superset_id" in exercise else exercise.get("supersets_id")


def _well_formed(workout: dict) -> bool:
    """A workout whose exercises are a list of objects, each with a list of set objects (the
    values inside are judged by the row rules, as a CSV's cells are)."""
    exercises = workout.get("exercises")
    return isinstance(exercises, list) and all(
        isinstance(e, dict)
        and isinstance(e.get("sets"), list)
        and all(isinstance(s, dict) for s in e["sets"])
        for e in exercises
    )


def mirror_rows(mirror: Mirror, zone: zoneinfo.ZoneInfo) -> tuple[list, list, list]:
    """(rows in the Hevy export layout, their record numbers, records that are not workouts)."""
    rows, lines, bad = [], [], []
    ordered = sorted(mirror.workouts.values(), key=lambda w: (str(w.get("start_time")), w["id"]))
    number = 0
    for workout in ordered:
        if not _well_formed(workout):
            bad.append(workout)  # whole: no set of a workout that is not one is loaded
            continue
        start = local_minute(workout.get("start_time"), zone)
        end = local_minute(workout.get("end_time"), zone)
        for exercise in sorted(workout["exercises"], key=_order):
            for s in sorted(exercise["sets"], key=_order):
                number += 1
                meters = s.get("distance_meters")
                rows.append(
                    [
                        workout["id"],
                        _cell(workout.get("title")),
                        start,
                        end,
                        _cell(workout.get("description")),
                        _cell(exercise.get("title")),
                        _cell(_superset(exercise)),
                        _cell(exercise.get("notes")),
                        _cell(s.get("index")),
                        _cell(s.get("type")),
                        _cell(s.get("weight_kg")),
                        _cell(s.get("reps")),
                        _cell(meters / 1000 if isinstance(meters, (int, float)) else meters),
                        _cell(s.get("duration_seconds")),
                        _cell(s.get("rpe")),
                    ]
                )
                lines.append(number)
    return rows, lines, bad + [m["record"] for m in mirror.malformed.values()]


def _malformed_cells(record) -> str:
    """A quarantine row's cells for an API record that is not a workout: its id and the record."""
    wid = record.get("id") if isinstance(record, dict) else None
    if wid is None and isinstance(record, dict) and isinstance(record.get("workout"), dict):
        wid = record["workout"].get("id")
    text = json.dumps(record, ensure_ascii=False, sort_keys=True, default=str)
    return json.dumps(
        {"hevy_workout_id": "" if wid is None else str(wid), "record": text[:4000]},
        ensure_ascii=False,
        sort_keys=True,
    )


def zone_of(profile: dict) -> tuple[zoneinfo.ZoneInfo, list[str]]:
    name = profile.get("time_zone")
    if name:
        return zoneinfo.ZoneInfo(name), []
    return zoneinfo.ZoneInfo("UTC"), ["API times read as UTC (no time_zone in athlete.toml)"]


def parse_mirror(path, content: bytes, *, athlete_key: str, profile: dict, corrections, now):
    """The mirror's workouts as silver sets (through the Hevy parser), with what the load needs
    besides: the deletions to audit, the templates of the exercises used, and the start minutes
    for which the API's copy replaces a CSV's."""
    try:
        mirror = Mirror.from_bytes(content)
    except (ValueError, AttributeError) as exc:
        raise ExportError(path, f"not a Hevy API mirror ({exc})") from None
    zone, assumed = zone_of(profile)
    rows, lines, bad = mirror_rows(mirror, zone)
    table = CsvTable(path, ROWS_HEADER, rows, lines, ",")
    if rows:
        parsed = parse_hevy(
            table, athlete_key=athlete_key, corrections=corrections, now=now, source=SOURCE
        )
        sets, rejects, applied = parsed.sets, parsed.rejects, parsed.corrections
    else:
        sets, rejects, applied = pd.DataFrame(columns=SET_COLUMNS), None, []
    # A record that is not a workout at all is quarantined whole, numbered after the sets (its
    # cells, its id among them, are what the quarantine shows).
    distinct = {_malformed_cells(r) for r in bad}
    malformed = pd.DataFrame(
        [
            {
                "athlete_key": athlete_key,
                "source_file": path.name,
                "source_line": len(rows) + i,
                "rule": MALFORMED,
                "row_date": None,
                "raw_values": text,
            }
            for i, text in enumerate(sorted(distinct), start=1)
        ],
        columns=REJECT_COLUMNS,
    )
    # Body measurements after both, numbered on (so a record number names one record).
    body, body_rejects = parse_api_measurements(
        path,
        list(mirror.body_measurements.values()),
        athlete_key=athlete_key,
        today=(now or datetime.now()).date(),
        first_line=len(rows) + len(distinct) + 1,
    )
    parts = [r for r in (rejects, malformed, body_rejects) if r is not None and not r.empty]
    rejects = pd.concat(parts, ignore_index=True) if parts else None
    starts = {
        pd.Timestamp(local_minute(w.get("start_time"), zone))
        for w in mirror.workouts.values()
        if parse_api_time(w.get("start_time"))
    }
    earlier = [d.get("start_time") for d in mirror.deletions.values()]
    earlier += [start for starts in mirror.moved.values() for start in starts]
    removed = {
        pd.Timestamp(local_minute(start, zone)) for start in earlier if parse_api_time(start)
    } - starts
    titles = set(sets["exercise_title"]) if not sets.empty else set()
    templates = [t for t in mirror.templates.values() if t.get("title") in titles]
    deletions = [
        {
            "hevy_id": d["id"],
            "deleted_at": d.get("deleted_at"),
            "start_time": local_minute(d["start_time"], zone) if d.get("start_time") else None,
            "title": d.get("title"),
        }
        for d in sorted(mirror.deletions.values(), key=lambda d: d["id"])
    ]
    facts = {
        "weight": "kg",
        "distance": "km",
        "layout": "Hevy API mirror",
        "workouts": len(mirror.workouts),
        "cursor": mirror.cursor,
        "assumed": assumed,
    }
    return (
        sets,
        rejects,
        applied,
        facts,
        {
            "authoritative_starts": starts,
            "removed_starts": removed,
            "deletions": deletions,
            "templates": templates,
            "body": body,
        },
    )
