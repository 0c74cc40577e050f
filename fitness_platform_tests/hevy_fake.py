"""A fake Hevy public API (v1) on 127.0.0.1, for the sync's tests.

It reproduces what the API documents and what its clients have met, and nothing invented (the
origins are in ``fixtures/ORIGINS.md``, "Hevy API"):

- every call needs the ``api-key`` header; a wrong or missing key answers 401 with the plain-text
  body ``InvalidApiKey`` (not JSON);
- listings are paged with ``page`` (from 1) and ``pageSize`` (at most 10; 100 for exercise
  templates; more answers 400) and answer ``{page, page_count, <items>}``; a page past the last
  answers 404;
- ``/v1/workouts`` lists newest first; ``/v1/workouts/events?since=`` lists the events strictly
  after ``since``, newest first: ``{"type": "updated", "workout": {...}}`` or ``{"type":
  "deleted", "id": ..., "deleted_at": ...}`` (``deleted_at`` may be absent);
- exercises carry their superset as ``superset_id`` (live replies) or ``supersets_id`` (the
  spec's spelling), and times are written ``…Z``, ``….123Z`` or ``…+00:00``;
- a workout logged while a client walks the pages shifts the offsets, so the next page repeats
  an item (``shift_after_first_page``);
- failures can be injected: any status (429 with ``Retry-After``, 500, ...) for the next calls
  to a path, or a stall longer than the client's timeout.
"""

from __future__ import annotations

import copy
import csv
import email.utils
import hashlib
import json
import math
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

TIME_SPELLINGS = ("z", "fraction", "offset")
PAGE_LIMITS = {
    "/v1/workouts": 10,
    "/v1/workouts/events": 10,
    "/v1/body_measurements": 10,
    "/v1/exercise_templates": 100,
}


def spell(moment: datetime, spelling: str) -> str:
    moment = moment.astimezone(UTC)
    if spelling == "fraction":
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    if spelling == "offset":
        return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def read_since(text: str) -> datetime:
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    moment = datetime.fromisoformat(value)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


@dataclass
class Injected:
    path: str
    status: int
    times: int
    headers: dict = field(default_factory=dict)
    body: str = ""
    stall_seconds: float = 0.0


@dataclass
class Call:
    path: str
    query: dict
    key: str | None
    status: int


class FakeHevy:
    """One account behind one key. Workouts are stored with datetimes and written out, per
    workout, in one of the time spellings and one of the superset spellings."""

    def __init__(self, key: str):
        self.key = key
        self.clock = datetime(2026, 1, 12, 18, 0, 0, 250_000, tzinfo=UTC)
        self.workouts: dict[str, dict] = {}
        self.events: list[tuple[datetime, dict]] = []
        self.templates: list[dict] = []
        self.measurements: list[dict] = []
        self.calls: list[Call] = []
        self.injected: list[Injected] = []
        self.shift_after_first_page: dict | None = None
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._count = 0

    # --- the account, as the athlete changes it in the app ------------------------------------

    def tick(self, seconds: float = 61.5) -> datetime:
        self.clock += timedelta(seconds=seconds)
        return self.clock

    def add(self, workout: dict, *, logged_at: datetime | None = None) -> None:
        """A workout logged (``logged_at`` for history older than the clock): an updated event."""
        with self._lock:
            self._add(workout, logged_at)

    def _add(self, workout: dict, logged_at: datetime | None) -> None:
        self._count += 1
        workout = copy.deepcopy(workout)
        moment = logged_at or self.tick()
        workout.setdefault("created_at", moment)
        workout["updated_at"] = moment
        workout["_spelling"] = TIME_SPELLINGS[self._count % len(TIME_SPELLINGS)]
        workout["_superset_key"] = "supersets_id" if self._count % 2 else "superset_id"
        self.workouts[workout["id"]] = workout
        self.events.append((moment, {"type": "updated", "id": workout["id"]}))

    def edit(self, workout_id: str, change) -> None:
        """``change(workout)`` edits it in place; its ``updated_at`` moves and an event follows."""
        with self._lock:
            workout = self.workouts[workout_id]
            change(workout)
            workout["updated_at"] = self.tick()
            self.events.append((workout["updated_at"], {"type": "updated", "id": workout_id}))

    def delete(self, workout_id: str, *, with_time: bool = True) -> None:
        with self._lock:
            del self.workouts[workout_id]
            moment = self.tick()
            event = {"type": "deleted", "id": workout_id}
            if with_time:
                event["deleted_at"] = spell(moment, "fraction")
            self.events.append((moment, event))

    # --- failures -----------------------------------------------------------------------------

    def inject(self, path: str, status: int, *, times: int = 1, headers=None, body="") -> None:
        """The next ``times`` calls to ``path`` answer ``status``."""
        self.injected.append(Injected(path, status, times, dict(headers or {}), body))

    def stall(self, path: str, seconds: float, *, times: int = 1) -> None:
        """The next ``times`` calls to ``path`` answer only after ``seconds``."""
        self.injected.append(Injected(path, 200, times, stall_seconds=seconds))

    # --- the server ---------------------------------------------------------------------------

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the stdlib's name)
                fake._serve(self)

            def log_message(self, *args):  # quiet
                return

            def date_time_string(self, timestamp=None):  # the Date header: the fake's clock
                return email.utils.format_datetime(fake.clock, usegmt=True)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def calls_to(self, path: str) -> list[Call]:
        return [c for c in self.calls if c.path == path]

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        url = urlparse(handler.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        key = handler.headers.get("api-key")
        status, headers, body = self._answer(url.path, query, key)
        with self._lock:
            self.calls.append(Call(url.path, query, key, status))
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        data = body.encode()
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _answer(self, path: str, query: dict, key: str | None) -> tuple[int, dict, str]:
        text = {"Content-Type": "text/plain; charset=utf-8"}
        if key != self.key:
            return 401, text, "InvalidApiKey"
        with self._lock:
            injected = next((i for i in self.injected if i.path == path and i.times > 0), None)
            if injected is not None:
                injected.times -= 1
        if injected is not None:
            if injected.stall_seconds:
                threading.Event().wait(injected.stall_seconds)  # not time.sleep: tests patch it
            else:
                return injected.status, {**text, **injected.headers}, injected.body
        with self._lock:
            return self._route(path, query)

    def _route(self, path: str, query: dict) -> tuple[int, dict, str]:
        as_json = {"Content-Type": "application/json; charset=utf-8"}
        if path == "/v1/workouts/count":
            return 200, as_json, json.dumps({"workout_count": len(self.workouts)})
        if (
            path.startswith("/v1/workouts/")
            and path.count("/") == 3
            and path != ("/v1/workouts/events")
        ):
            workout = self.workouts.get(path.rsplit("/", 1)[1])
            if workout is None:
                return 404, as_json, json.dumps({"error": "Workout not found"})
            return 200, as_json, json.dumps(self._render(workout))
        if path not in PAGE_LIMITS:
            return 404, as_json, json.dumps({"error": "Not found"})
        try:
            page = int(query.get("page", "1"))
            size = int(query.get("pageSize", "5"))
        except ValueError:
            return 400, as_json, json.dumps({"error": "page and pageSize must be integers"})
        if page < 1 or size < 1 or size > PAGE_LIMITS[path]:
            return (
                400,
                as_json,
                json.dumps({"error": f"pageSize must be between 1 and {PAGE_LIMITS[path]}"}),
            )
        if path == "/v1/workouts":
            items_key = "workouts"
            items = [
                self._render(w)
                for w in sorted(self.workouts.values(), key=lambda w: w["start_time"], reverse=True)
            ]
        elif path == "/v1/workouts/events":
            if "since" not in query:
                return 400, as_json, json.dumps({"error": "since is required"})
            since = read_since(query["since"])
            items_key = "events"
            items = [
                self._event(e)
                for moment, e in sorted(self.events, key=lambda m: m[0], reverse=True)
                if moment > since
            ]
            items = [e for e in items if e is not None]
        elif path == "/v1/exercise_templates":
            items_key, items = "exercise_templates", list(self.templates)
        else:
            items_key, items = "body_measurements", list(self.measurements)
        page_count = math.ceil(len(items) / size)
        if page > max(page_count, 1):
            return 404, as_json, json.dumps({"error": "Page not found"})
        chunk = items[(page - 1) * size : page * size]
        if page == 1 and path == "/v1/workouts" and self.shift_after_first_page is not None:
            # Logged while the client walks: it lands first, every later item moves one down.
            workout, self.shift_after_first_page = self.shift_after_first_page, None
            self._add(workout, None)
        body = {"page": page, "page_count": page_count, items_key: chunk}
        return 200, as_json, json.dumps(body)

    def _event(self, event: dict) -> dict | None:
        if event["type"] == "deleted":
            return dict(event)
        workout = self.workouts.get(event["id"])
        if workout is None:
            return None  # deleted since: its deletion event stands for it
        return {"type": "updated", "workout": self._render(workout)}

    def _render(self, workout: dict) -> dict:
        spelling = workout["_spelling"]
        out = {}
        for name, value in workout.items():
            if name.startswith("_"):
                continue
            out[name] = spell(value, spelling) if isinstance(value, datetime) else value
        out["exercises"] = []
        for exercise in workout["exercises"]:
            rendered = {k: v for k, v in exercise.items() if k != "superset_id"}
            rendered[workout["_superset_key"]] = exercise.get("superset_id")
            out["exercises"].append(rendered)
        return out


# --- the same history as an export and as an account ------------------------------------------
# Written here from the two formats' descriptions alone (no platform code), so that the test's
# comparison of an API athlete with a CSV athlete checks the platform rather than itself.

EXPORT_TIME = "%d %b %Y, %H:%M"  # the sample's Hevy time layout, "13 Jan 2026, 18:43"
NUMERIC = ("set_index", "weight_kg", "reps", "distance_km", "duration_seconds", "rpe")
EXPORT_COLUMNS = [
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


def _clean(row: dict) -> bool:
    for name in NUMERIC:
        if row[name].strip():
            try:
                float(row[name])
            except ValueError:
                return False
    try:
        datetime.strptime(row["start_time"], EXPORT_TIME)
        datetime.strptime(row["end_time"], EXPORT_TIME)
    except ValueError:
        return False
    return bool(row["exercise_title"].strip() and row["set_index"].strip())


def _number(text: str):
    if not text.strip():
        return None
    value = float(text)
    return int(value) if value.is_integer() else value


def template_id(title: str) -> str:
    return "tpl-" + hashlib.sha1(title.encode()).hexdigest()[:10]


def account_from_export(path, zone: ZoneInfo) -> list[dict]:
    """The well-formed workouts of a Hevy export as the API would hold them: UTC times (with
    seconds, which the export drops), exercises in order, sets indexed, ids of their own."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if _clean(r)]
    workouts: dict[tuple, dict] = {}
    seen: set[tuple] = set()
    for row in rows:
        identity = tuple(row[c] for c in EXPORT_COLUMNS)
        if identity in seen:
            continue
        seen.add(identity)
        key = (row["start_time"], row["title"])
        workout = workouts.get(key)
        if workout is None:
            start = datetime.strptime(row["start_time"], EXPORT_TIME).replace(tzinfo=zone)
            end = datetime.strptime(row["end_time"], EXPORT_TIME).replace(tzinfo=zone)
            workout = workouts[key] = {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, "|".join(key))),
                "title": row["title"],
                "description": row["description"] or None,
                "start_time": start.astimezone(UTC) + timedelta(seconds=17),
                "end_time": end.astimezone(UTC) + timedelta(seconds=41),
                "exercises": [],
            }
        exercises = workout["exercises"]
        index = int(float(row["set_index"]))
        last = exercises[-1] if exercises else None
        if last is None or last["title"] != row["exercise_title"] or index <= last["_last"]:
            last = {
                "index": len(exercises),
                "title": row["exercise_title"],
                "notes": row["exercise_notes"] or None,
                "exercise_template_id": template_id(row["exercise_title"]),
                "superset_id": _number(row["superset_id"]),
                "sets": [],
                "_last": -1,
            }
            exercises.append(last)
        last["_last"] = index
        last["notes"] = last["notes"] or row["exercise_notes"] or None
        km = _number(row["distance_km"])
        last["sets"].append(
            {
                "index": index,
                "type": row["set_type"] or "normal",
                "weight_kg": _number(row["weight_kg"]),
                "reps": _number(row["reps"]),
                "distance_meters": None if km is None else round(km * 1000),
                "duration_seconds": _number(row["duration_seconds"]),
                "rpe": _number(row["rpe"]),
                "custom_metric": None,
            }
        )
    for workout in workouts.values():
        for exercise in workout["exercises"]:
            del exercise["_last"]
    return list(workouts.values())


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def write_export(workouts, zone: ZoneInfo, path) -> int:
    """An account's workouts as the Hevy app exports them (local minutes, newest first, km);
    returns the number of set rows."""
    rows = []
    for workout in sorted(workouts, key=lambda w: w["start_time"], reverse=True):
        start = workout["start_time"].astimezone(zone).strftime(EXPORT_TIME)
        end = workout["end_time"].astimezone(zone).strftime(EXPORT_TIME)
        for exercise in workout["exercises"]:
            for s in exercise["sets"]:
                meters = s["distance_meters"]
                rows.append(
                    [
                        workout["title"],
                        start,
                        end,
                        workout["description"] or "",
                        exercise["title"],
                        _cell(exercise.get("superset_id")),
                        exercise["notes"] or "",
                        str(s["index"]),
                        s["type"],
                        _cell(s["weight_kg"]),
                        _cell(s["reps"]),
                        "" if meters is None else _cell(meters / 1000),
                        _cell(s["duration_seconds"]),
                        _cell(s["rpe"]),
                    ]
                )
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        writer.writerows(rows)
    return len(rows)


# --- small accounts of our own ---------------------------------------------------------------


def workout(n: int, start: datetime, *, weight: float = 60.0, superset=None) -> dict:
    """A small workout of our own: two exercises, three sets."""
    return {
        "id": f"w-{n:03d}",
        "title": f"Session {n}",
        "description": None,
        "start_time": start,
        "end_time": start + timedelta(minutes=55, seconds=13),
        "exercises": [
            {
                "index": 0,
                "title": "Bench Press (Barbell)",
                "notes": None,
                "exercise_template_id": "79D0BB3A",
                "superset_id": superset,
                "sets": [
                    {"index": 0, "type": "warmup", "weight_kg": 40, "reps": 10},
                    {"index": 1, "type": "normal", "weight_kg": weight, "reps": 8, "rpe": 8.5},
                ],
            },
            {
                "index": 1,
                "title": "Pull Up",
                "notes": "strict",
                "exercise_template_id": "1B2B1E7C",
                "superset_id": superset,
                "sets": [{"index": 0, "type": "failure", "weight_kg": None, "reps": 9}],
            },
        ],
    }


def history(count: int) -> list[dict]:
    first = datetime(2025, 11, 3, 7, 30, 12, tzinfo=UTC)
    return [workout(n, first + timedelta(days=2 * n)) for n in range(count)]


TEMPLATES = [  # the account's exercise templates of the exercises above (our values)
    {
        "id": "79D0BB3A",
        "title": "Bench Press (Barbell)",
        "type": "weight_reps",
        "primary_muscle_group": "chest",
        "secondary_muscle_groups": ["triceps", "shoulders"],
        "is_custom": False,
    },
    {
        "id": "1B2B1E7C",
        "title": "Pull Up",
        "type": "bodyweight_reps",
        "primary_muscle_group": "lats",
        "secondary_muscle_groups": ["biceps"],
        "is_custom": False,
    },
]


def fill(server, workouts: list[dict]) -> None:
    server.templates = list(TEMPLATES)
    for w in workouts:
        server.add(w, logged_at=w["end_time"])
