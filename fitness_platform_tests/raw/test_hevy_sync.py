"""The Hevy API sync against the fake Hevy API: paging, the cursor, events, every failure the issue
lists, and what the mirror turns into in silver. No database here (see test_hevy_pipeline.py)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from fitness_platform.ingest.athlete import athlete_files, parse_athlete
from fitness_platform.ingest.hevy_api import (
    MALFORMED,
    MIRROR_FILE,
    Mirror,
    apply_events,
    parse_api_time,
)
from fitness_platform.raw.hevy_sync import sync_athletes
from fitness_platform.resources import hevy_api as hevy_api_module
from fitness_platform.resources.hevy_api import HevyApiResource
from fitness_platform.resources.raw_files import RawFilesResource
from fitness_platform_tests.hevy_fake import fill, history, workout

KEY_ENV = "ANA_HEVY_API_KEY"
TODAY = date(2026, 1, 20)


@pytest.fixture
def raw(tmp_path: Path, monkeypatch, hevy_server) -> Path:
    """A raw folder with one connected athlete, ``ana`` (only her athlete.toml), on UTC."""
    root = tmp_path / "raw"
    connect(root, "ana", KEY_ENV, "UTC")
    monkeypatch.setenv(KEY_ENV, hevy_server.key)
    return root


def connect(root: Path, athlete: str, key_env: str, zone: str) -> None:
    (root / athlete).mkdir(parents=True, exist_ok=True)
    (root / athlete / "athlete.toml").write_text(
        f'time_zone = "{zone}"\nhevy_api_key_env = "{key_env}"\n'
    )


def run_sync(raw: Path, server, today: date = TODAY, **resource):
    api = HevyApiResource(base_url=server.url, backoff_seconds=0.01, **resource)
    (result,) = [r for r in sync_athletes(RawFilesResource(raw_dir=str(raw)), api, today=today)]
    return result


def mirror_of(raw: Path, athlete: str = "ana") -> Mirror:
    return Mirror.from_bytes((raw / athlete / MIRROR_FILE).read_bytes())


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """The delays the client waited, without waiting them."""
    waited: list[float] = []
    monkeypatch.setattr(hevy_api_module.time, "sleep", waited.append)
    return waited


def test_timestamps_are_compared_as_times_in_every_spelling():
    spelled = ["2025-11-03T07:30:12Z", "2025-11-03T07:30:12.000Z", "2025-11-03T07:30:12+00:00"]
    assert {parse_api_time(s) for s in spelled} == {datetime(2025, 11, 3, 7, 30, 12, tzinfo=UTC)}
    # As strings, "…12.5Z" sorts before "…12Z"; as times it is half a second later.
    assert "2025-11-03T07:30:12.5Z" < "2025-11-03T07:30:12Z"
    assert parse_api_time("2025-11-03T07:30:12.5Z") > parse_api_time("2025-11-03T07:30:12Z")
    assert parse_api_time("2025-11-03T09:30:12+02:00") == parse_api_time("2025-11-03T07:30:12Z")
    assert parse_api_time("03/11/2025") is None and parse_api_time(None) is None


def test_first_sync_walks_every_page_then_reads_only_events(raw, hevy_server):
    fill(hevy_server, history(23))
    first = run_sync(raw, hevy_server)
    assert first.status == "synced" and first.summary.first_sync
    pages = hevy_server.calls_to("/v1/workouts")
    # 23 workouts at the API's maximum of 10 a page: pages 1, 2 and 3, then templates and
    # body measurements: five calls in all.
    assert [c.query["page"] for c in pages] == ["1", "2", "3"]
    assert {c.query["pageSize"] for c in pages} == {"10"}
    assert first.summary.calls == 5 == len(hevy_server.calls)
    assert sorted(mirror_of(raw).workouts) == [f"w-{n:03d}" for n in range(23)]

    hevy_server.calls.clear()
    again = run_sync(raw, hevy_server)
    # Nothing changed: one events call (body measurements were read today already), no write.
    assert again.status == "unchanged" and not again.summary.first_sync
    assert [c.path for c in hevy_server.calls] == ["/v1/workouts/events"]
    # The cursor is the server's clock when the walk began, less five minutes of overlap.
    since = parse_api_time(hevy_server.calls[0].query["since"])
    assert since == parse_api_time(mirror_of(raw).cursor) - timedelta(minutes=5)


def test_an_edit_a_new_workout_and_deletions_arrive_as_events(raw, hevy_server):
    fill(hevy_server, history(5))
    run_sync(raw, hevy_server)
    hevy_server.edit("w-002", lambda w: w["exercises"][0]["sets"][1].update(weight_kg=72.5))
    hevy_server.add(workout(99, datetime(2026, 1, 12, 17, 0, 5, tzinfo=UTC)))
    hevy_server.delete("w-000")
    hevy_server.delete("w-001", with_time=False)  # deleted_at may be absent
    before = mirror_of(raw)
    result = run_sync(raw, hevy_server)
    after = mirror_of(raw)
    assert result.status == "synced"
    assert (result.summary.updated, result.summary.deleted) == (2, 2)
    assert sorted(after.workouts) == ["w-002", "w-003", "w-004", "w-099"]
    assert after.workouts["w-002"]["exercises"][0]["sets"][1]["weight_kg"] == 72.5
    assert sorted(after.deletions) == ["w-000", "w-001"]
    assert after.deletions["w-001"]["deleted_at"] is None
    # The start of a deleted workout is kept, so that an export listing it cannot bring it back.
    assert after.deletions["w-000"]["start_time"] == before.workouts["w-000"]["start_time"]
    assert parse_api_time(after.cursor) > parse_api_time(before.cursor)


def test_the_same_events_applied_twice_change_nothing(raw, hevy_server):
    fill(hevy_server, history(4))
    run_sync(raw, hevy_server)
    hevy_server.edit("w-001", lambda w: w.update(title="Renamed"))
    hevy_server.delete("w-003")
    run_sync(raw, hevy_server)
    once = mirror_of(raw)
    events = json.loads(
        json.dumps(
            [
                {"type": "updated", "workout": {**once.workouts["w-001"]}},
                {"type": "deleted", "id": "w-003", "deleted_at": "2026-01-12T18:05:00.000Z"},
            ]
        )
    )
    again = Mirror.from_bytes(once.to_bytes())
    assert apply_events(again, events) == (0, 0, 0)
    assert again.to_bytes() == once.to_bytes()
    # And a sync whose overlap re-reads the same events writes nothing.
    hevy_server.calls.clear()
    assert run_sync(raw, hevy_server).status == "unchanged"


def test_an_older_copy_arriving_after_a_newer_one_is_ignored():
    newer = {"id": "w-1", "updated_at": "2026-01-10T10:00:00Z", "title": "B", "exercises": []}
    older = {"id": "w-1", "updated_at": "2026-01-10T09:59:59.900Z", "title": "A", "exercises": []}
    mirror = Mirror()
    # Newest first, as the API lists them: the older copy is applied first, then replaced.
    apply_events(
        mirror, [{"type": "updated", "workout": newer}, {"type": "updated", "workout": older}]
    )
    assert mirror.workouts["w-1"]["title"] == "B"
    apply_events(mirror, [{"type": "updated", "workout": older}])
    assert mirror.workouts["w-1"]["title"] == "B"


def test_a_workout_logged_during_the_walk_is_neither_lost_nor_doubled(raw, hevy_server):
    fill(hevy_server, history(14))
    # Logged while the client reads page 1: page 2 then repeats page 1's last workout.
    hevy_server.shift_after_first_page = workout(50, datetime(2026, 1, 12, 6, 0, tzinfo=UTC))
    first = run_sync(raw, hevy_server)
    walked = [c.query["page"] for c in hevy_server.calls_to("/v1/workouts")]
    assert walked == ["1", "2"] and first.summary.workouts == 14
    assert "w-050" not in mirror_of(raw).workouts
    second = run_sync(raw, hevy_server)  # its event is after the walk began
    assert second.status == "synced"
    assert sorted(mirror_of(raw).workouts) == sorted([f"w-{n:03d}" for n in range(14)] + ["w-050"])


def test_a_refused_key_fails_that_athlete_at_once_naming_the_variable(
    raw, hevy_server, monkeypatch, sleeps
):
    fill(hevy_server, history(3))
    connect(raw, "bea", "BEA_HEVY_API_KEY", "UTC")
    monkeypatch.setenv("BEA_HEVY_API_KEY", "0f6b4c1e-wrong-key")
    api = HevyApiResource(base_url=hevy_server.url, backoff_seconds=0.01)
    results = {
        r.athlete_key: r
        for r in sync_athletes(RawFilesResource(raw_dir=str(raw)), api, today=TODAY)
    }
    bea = results["bea"]
    assert bea.status == "failed"
    assert bea.error == ("the Hevy API key in BEA_HEVY_API_KEY was refused (401: InvalidApiKey)")
    assert "0f6b4c1e-wrong-key" not in bea.error and sleeps == []  # at once, no retry
    assert not (raw / "bea" / MIRROR_FILE).exists()
    assert results["ana"].status == "synced"  # the other athlete is synced


def test_a_403_is_a_refused_key_too(raw, hevy_server, sleeps):
    hevy_server.inject("/v1/workouts", 403, body="Forbidden")
    result = run_sync(raw, hevy_server)
    assert result.error == "the Hevy API key in ANA_HEVY_API_KEY was refused (403: Forbidden)"
    assert sleeps == []


def test_an_unset_key_variable_is_named(raw, monkeypatch):
    monkeypatch.delenv(KEY_ENV)
    api = HevyApiResource(base_url="http://127.0.0.1:9")
    (result,) = sync_athletes(RawFilesResource(raw_dir=str(raw)), api, today=TODAY)
    assert result.error == (
        "athlete.toml names ANA_HEVY_API_KEY for the Hevy API key, but it is not set"
    )


def test_429_is_retried_after_the_time_the_server_asks(raw, hevy_server, sleeps):
    fill(hevy_server, history(3))
    hevy_server.inject("/v1/workouts", 429, times=2, headers={"Retry-After": "7"})
    result = run_sync(raw, hevy_server)
    assert result.status == "synced"
    # Backoff 0.01 s, 0.02 s: the server's 7 s is longer, so 7 s each time.
    assert sleeps == [7.0, 7.0]
    assert [c.status for c in hevy_server.calls_to("/v1/workouts")] == [429, 429, 200]


def test_5xx_and_timeouts_are_retried_with_growing_backoff(raw, hevy_server, sleeps, caplog):
    fill(hevy_server, history(3))
    hevy_server.inject("/v1/workouts", 500, times=1, body="Internal Server Error")
    hevy_server.inject("/v1/workouts", 503, times=1)
    hevy_server.stall("/v1/exercise_templates", 1.0)
    with caplog.at_level(logging.WARNING):
        result = run_sync(raw, hevy_server, timeout_seconds=0.3)
    assert result.status == "synced"
    # 0.01 × 2^(attempt − 1): 0.01 and 0.02 s for the workouts, 0.01 s after the timeout.
    assert sleeps == [0.01, 0.02, 0.01]
    assert "ReadTimeout on /v1/exercise_templates" in caplog.text


def test_a_walk_that_does_not_finish_changes_nothing(raw, hevy_server, sleeps):
    fill(hevy_server, history(12))
    run_sync(raw, hevy_server)
    kept = (raw / "ana" / MIRROR_FILE).read_bytes()
    hevy_server.edit("w-004", lambda w: w.update(title="Edited"))
    for n in range(11):  # two pages of events, the second failing every time
        hevy_server.edit(f"w-{n:03d}", lambda w: w.update(description="again"))
    original = hevy_server._route

    def route(path, query):
        if path == "/v1/workouts/events" and query.get("page") == "2":
            return 502, {"Content-Type": "text/html"}, "<html>Bad Gateway</html>"
        return original(path, query)

    hevy_server._route = route
    failed = run_sync(raw, hevy_server, max_attempts=3)
    assert failed.status == "failed"
    assert failed.error == (
        "the Hevy API answered 502 to /v1/workouts/events (page 2) 3 times; try again later"
    )
    # Nothing half-applied: the mirror, and so the cursor, are as they were.
    assert (raw / "ana" / MIRROR_FILE).read_bytes() == kept
    hevy_server._route = original
    hevy_server.calls.clear()
    healed = run_sync(raw, hevy_server)
    assert healed.status == "synced"
    assert hevy_server.calls[0].query["since"] == failed_since(kept)
    assert mirror_of(raw).workouts["w-004"]["title"] == "Edited"


def failed_since(mirror_bytes: bytes) -> str:
    cursor = parse_api_time(Mirror.from_bytes(mirror_bytes).cursor) - timedelta(minutes=5)
    return cursor.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_the_fake_enforces_the_page_size_limit(hevy_server):
    import requests

    reply = requests.get(
        hevy_server.url + "/v1/workouts",
        params={"page": 1, "pageSize": 11},
        headers={"api-key": hevy_server.key},
        timeout=5,
    )
    assert reply.status_code == 400
    refused = requests.get(hevy_server.url + "/v1/workouts", timeout=5)
    assert (refused.status_code, refused.text) == (401, "InvalidApiKey")
    assert refused.headers["Content-Type"].startswith("text/plain")


def test_a_malformed_workout_is_quarantined_and_the_rest_loaded(raw, hevy_server):
    fill(hevy_server, history(3))
    run_sync(raw, hevy_server)
    broken = workout(7, datetime(2026, 1, 11, 9, 0, tzinfo=UTC))
    broken["exercises"][1]["sets"] = "not a list"
    hevy_server.add(broken)
    result = run_sync(raw, hevy_server)
    assert result.status == "synced"
    parsed = parse_athlete("ana", athlete_files(raw / "ana"))
    assert sorted(parsed.sets["workout_name"].unique()) == ["Session 0", "Session 1", "Session 2"]
    (row,) = parsed.rejects[parsed.rejects["rule"] == MALFORMED].itertuples()
    assert json.loads(row.raw_values)["hevy_workout_id"] == "w-007"
    assert row.source_file == MIRROR_FILE


def test_both_superset_spellings_and_superset_zero_reach_silver(raw, hevy_server):
    # The fake alternates the spelling workout by workout (supersets_id, superset_id, ...).
    fill(
        hevy_server,
        [workout(n, datetime(2026, 1, 5 + n, 8, tzinfo=UTC), superset=0) for n in range(2)],
    )
    run_sync(raw, hevy_server)
    spellings = {
        key
        for w in mirror_of(raw).workouts.values()
        for e in w["exercises"]
        for key in e
        if key.startswith("superset")
    }
    assert spellings == {"superset_id", "supersets_id"}
    parsed = parse_athlete("ana", athlete_files(raw / "ana"))
    assert parsed.sets["superset_id"].tolist() == [0] * 6


def test_api_times_become_the_athletes_local_minutes(raw, hevy_server):
    connect(raw, "ana", KEY_ENV, "America/Sao_Paulo")
    # 10:59:59.700 UTC is 07:59 in São Paulo (UTC−3), the minute a CSV export would write.
    late = workout(1, datetime(2026, 1, 6, 10, 59, 59, 700_000, tzinfo=UTC))
    fill(hevy_server, [late])
    run_sync(raw, hevy_server)
    parsed = parse_athlete("ana", athlete_files(raw / "ana"))
    assert {str(t) for t in parsed.sets["start_time"]} == {"2026-01-06 07:59:00"}


def test_only_a_sync_that_brought_something_starts_an_ingestion(raw, hevy_server):
    fill(hevy_server, history(3))
    raw_files = RawFilesResource(raw_dir=str(raw))
    run_sync(raw, hevy_server)
    seen = raw_files.state()  # what the raw sensor compares
    assert run_sync(raw, hevy_server).status == "unchanged"
    # A new day reads the body measurements again; the same ones write nothing.
    hevy_server.calls.clear()
    assert run_sync(raw, hevy_server, today=TODAY + timedelta(days=1)).status == "unchanged"
    assert "/v1/body_measurements" in {c.path for c in hevy_server.calls}
    assert raw_files.state() == seen
    hevy_server.measurements = [{"date": "2026-01-21", "weight_kg": 71.4}]
    assert run_sync(raw, hevy_server, today=TODAY + timedelta(days=2)).status == "synced"
    assert raw_files.state() != seen
    assert mirror_of(raw).body_measurements == {"2026-01-21": hevy_server.measurements[0]}


def test_connected_athletes_are_found_from_one_listing(tmp_path):
    """Only folders that hold an athlete.toml are read, and only those naming a key count; a
    dotted folder (an editor's or the scan's own) is not an athlete."""
    from fitness_platform.raw.hevy_sync import connected_athletes

    connect(tmp_path, "ana", "ANA_KEY", "UTC")
    connect(tmp_path, "bea", "BEA_KEY", "Europe/Madrid")
    (tmp_path / "cid").mkdir()
    (tmp_path / "cid" / "athlete.toml").write_text('time_zone = "UTC"\n')  # no key
    (tmp_path / "dan").mkdir()  # exports only
    (tmp_path / "dan" / "export.csv").write_text("x\n")
    (tmp_path / ".trash" / "athlete.toml").parent.mkdir()
    (tmp_path / ".trash" / "athlete.toml").write_text('hevy_api_key_env = "X"\n')
    resource = RawFilesResource(raw_dir=str(tmp_path))
    assert resource.athletes_with("athlete.toml") == ["ana", "bea", "cid"]
    assert connected_athletes(resource) == {"ana": "ANA_KEY", "bea": "BEA_KEY"}
