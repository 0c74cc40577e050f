"""An athlete connected to the (fake) Hevy API through the whole platform: a first sync, then an
edit, a new workout, a moved workout and two deletions on the server, one more sync, and the
warehouse and payloads compared with the same history loaded from a CSV export."""

from __future__ import annotations

import csv
import shutil
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from dagster import DagsterInstance
from sqlalchemy import text

from fitness_platform.delivery.payload import build_payload, weeks_with_data
from fitness_platform.raw.assets import HEVY_SYNCS_COMPLETED
from fitness_platform.resources.warehouse import WarehouseResource
from fitness_platform_tests.helpers import (
    QUIET,
    SAMPLE_HEVY,
    check_evaluation,
    definitions,
    materialization_metadata,
    run_ingest,
)
from fitness_platform_tests.hevy_fake import (
    account_from_export,
    template_id,
    write_export,
)

ZONE = "Europe/Lisbon"  # summer time: UTC+1 from March to October, UTC+0 in winter
KEY_ENV = "ANA_HEVY_API_KEY"
CUSTOM = {
    "id": template_id("Suitcase March"),
    "title": "Suitcase March",
    "type": "weight_duration",
    "primary_muscle_group": "abdominals",
    "secondary_muscle_groups": ["forearms", "glutes"],
    "is_custom": True,
}


def templates(account: list[dict]) -> list[dict]:
    titles = sorted({e["title"] for w in account for e in w["exercises"]})
    return [
        {
            "id": template_id(t),
            "title": t,
            "type": "weight_reps",
            "primary_muscle_group": "other",
            "secondary_muscle_groups": [],
            "is_custom": False,
        }
        for t in titles
    ] + [CUSTOM]


def run_sync(defs, instance):
    return defs.resolve_job_def("hevy_sync_job").execute_in_process(
        instance=instance, run_config=QUIET, raise_on_error=False
    )


def local_day(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(ZONE)).date()


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def export_workouts(path: Path) -> set[tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return {(r["start_time"], r["title"]) for r in csv.DictReader(f)}


def week_payloads(warehouse, athlete: str) -> dict[str, dict]:
    with warehouse.connect() as conn:
        weeks = [
            w for a, w in weeks_with_data(conn, date(2000, 1, 3), date(2100, 1, 4)) if a == athlete
        ]
        found = {}
        for week in weeks:
            payload = build_payload(conn, athlete, week)
            payload.pop("athlete")
            found[week.isoformat()] = payload
    return found


def test_an_api_athlete_matches_the_same_history_loaded_from_csv(
    platform_env, hevy_server, tmp_path, monkeypatch, capfd
):
    zone = ZoneInfo(ZONE)
    root = tmp_path / "hevy_raw"
    (root / "ana").mkdir(parents=True)
    (root / "ana" / "athlete.toml").write_text(
        f'display_name = "Ana"\ntime_zone = "{ZONE}"\nhevy_api_key_env = "{KEY_ENV}"\n'
    )
    # The same history as a CSV export in her folder: the API's copies must replace it.
    shutil.copy(SAMPLE_HEVY, root / "ana" / SAMPLE_HEVY.name)
    account = account_from_export(SAMPLE_HEVY, zone)
    assert len(account) == len(export_workouts(SAMPLE_HEVY)) == 476
    hevy_server.templates = templates(account)
    for w in account:
        hevy_server.add(w, logged_at=w["end_time"])
    monkeypatch.setenv("FITNESS_RAW_DIR", str(root))
    monkeypatch.setenv("FITNESS_HEVY_API_URL", hevy_server.url)
    monkeypatch.setenv(KEY_ENV, hevy_server.key)
    warehouse = WarehouseResource(database_url=platform_env["FITNESS_DATABASE_URL"])
    defs = definitions()
    instance = DagsterInstance.ephemeral()

    first = run_sync(defs, instance)
    assert first.success and check_evaluation(first, HEVY_SYNCS_COMPLETED).passed
    meta = materialization_metadata(first, ("raw", "hevy_api"))
    # 476 workouts at 10 a page; 120 exercise templates and the custom one at 100 a page; one
    # page of body measurements (none).
    assert len(hevy_server.templates) == 121
    assert (meta["changed"], meta["failed"], meta["api_calls"]) == (1, 0, 48 + 2 + 1)
    assert run_ingest(defs, instance).success

    def count(sql: str, athlete: str = "ana") -> int:
        with warehouse.connect() as conn:
            return conn.execute(
                text(sql + " WHERE a.athlete_key = :a"), {"a": athlete}
            ).scalar_one()

    workouts_sql = (
        "SELECT count(*) FROM fitness.workouts w JOIN fitness.athletes a USING (athlete_id)"
    )
    assert count(workouts_sql) == 476  # the export and the API: one copy of each workout
    before = week_payloads(warehouse, "ana")

    # --- on the server: an edit, a new workout, a moved workout, two deletions ---------------
    by_day = {}
    for w in account:
        by_day.setdefault(local_day(w["start_time"]), []).append(w)
    (edited,) = by_day[date(2024, 8, 15)]
    leg = next(e for e in edited["exercises"] if e["title"] == "Leg Press (Machine)")
    target = next(s for s in leg["sets"] if s["type"] == "normal")
    added_kg = (Decimal("300") - Decimal(str(target["weight_kg"]))) * target["reps"]

    def heavier(w):
        e = next(e for e in w["exercises"] if e["title"] == "Leg Press (Machine)")
        next(s for s in e["sets"] if s["type"] == "normal")["weight_kg"] = 300

    hevy_server.edit(edited["id"], heavier)
    gone_with_time, gone_without_time = by_day[date(2025, 6, 3)][0], by_day[date(2025, 3, 4)][0]
    hevy_server.delete(gone_with_time["id"])
    hevy_server.delete(gone_without_time["id"], with_time=False)
    (moved,) = by_day[date(2024, 3, 12)]

    def later(w):
        w["start_time"] += timedelta(hours=2)
        w["end_time"] += timedelta(hours=2)

    hevy_server.edit(moved["id"], later)
    new_start = datetime(2026, 1, 14, 18, 5, 33, tzinfo=zone)
    hevy_server.add(
        {
            "id": "2c7f6f0e-new",
            "title": "Core",
            "description": "first time",
            "start_time": new_start,
            "end_time": new_start + timedelta(minutes=31),
            "exercises": [
                {
                    "index": 0,
                    "title": "Suitcase March",
                    "notes": None,
                    "exercise_template_id": CUSTOM["id"],
                    "superset_id": None,
                    "sets": [
                        {
                            "index": i,
                            "type": "normal",
                            "weight_kg": 24,
                            "reps": None,
                            "distance_meters": None,
                            "duration_seconds": 45,
                            "rpe": None,
                            "custom_metric": None,
                        }
                        for i in range(3)
                    ],
                }
            ],
        }
    )
    hevy_server.calls.clear()
    second = run_sync(defs, instance)
    assert second.success
    assert "/v1/workouts" not in {c.path for c in hevy_server.calls}  # events only
    assert run_ingest(defs, instance).success
    after = week_payloads(warehouse, "ana")

    # --- each change reached the warehouse and the payloads -----------------------------------
    assert count(workouts_sql) == 476 + 1 - 2
    edit_week = monday(date(2024, 8, 15)).isoformat()
    tonnage = Decimal(str(after[edit_week]["training_overview"]["tonnage_kg"]))
    assert tonnage == Decimal(str(before[edit_week]["training_overview"]["tonnage_kg"])) + added_kg
    for day in (date(2025, 6, 3), date(2025, 3, 4)):
        week = monday(day).isoformat()
        sessions = after[week]["training_overview"]["training_sessions"] if week in after else 0
        assert sessions == before[week]["training_overview"]["training_sessions"] - 1
    new_week = after[monday(new_start.date()).isoformat()]
    (march,) = [e for e in new_week["exercises"] if e["exercise_name"] == "Suitcase March"]
    assert march["muscle_group"] == "abdominals"  # Hevy's template, not a guess from the name
    assert march["current_week"]["total_sets"] == 3
    with warehouse.connect() as conn:
        deleted = conn.execute(
            text(
                "SELECT hevy_id, deleted_at IS NOT NULL, start_time FROM fitness.hevy_deletions "
                "ORDER BY hevy_id"
            )
        ).all()
        source = conn.execute(
            text("SELECT catalog_source FROM fitness.exercises WHERE exercise_name = :n"),
            {"n": "Suitcase March"},
        ).scalar_one()
        moved_starts = (
            conn.execute(
                text(
                    "SELECT start_time FROM fitness.workouts WHERE workout_name = :n "
                    "AND start_time::date = DATE '2024-03-12'"
                ),
                {"n": moved["title"]},
            )
            .scalars()
            .all()
        )
    assert source == "hevy"
    expected_deleted = sorted(
        [
            (gone_with_time["id"], True, gone_with_time["start_time"]),
            (gone_without_time["id"], False, gone_without_time["start_time"]),
        ]
    )
    assert [(i, has_time) for i, has_time, _ in deleted] == [(i, t) for i, t, _ in expected_deleted]
    assert [s for *_, s in deleted] == [
        s.astimezone(zone).replace(tzinfo=None, second=0) for *_, s in expected_deleted
    ]
    # Moved two hours later: once, at its new local minute (the export's copy no longer counts).
    new_local = (moved["start_time"] + timedelta(hours=2)).astimezone(zone)
    assert moved_starts == [new_local.replace(tzinfo=None, second=0)]

    # --- the same final history, exported as a CSV, gives the same warehouse and payloads ----
    (root / "twin").mkdir()
    (root / "twin" / "athlete.toml").write_text(f'time_zone = "{ZONE}"\n')
    write_export(hevy_server.workouts.values(), zone, root / "twin" / "hevy_workouts.csv")
    assert len(export_workouts(root / "twin" / "hevy_workouts.csv")) == 475
    assert run_ingest(defs, instance).success
    assert count(workouts_sql, "twin") == count(workouts_sql)
    sets_sql = (
        "SELECT count(*) FROM fitness.sets s JOIN fitness.workout_exercises we "
        "USING (workout_exercise_id) JOIN fitness.workouts w USING (workout_id) "
        "JOIN fitness.athletes a USING (athlete_id)"
    )
    assert count(sets_sql, "twin") == count(sets_sql)
    twin = week_payloads(warehouse, "twin")
    assert sorted(twin) == sorted(after)
    different = [week for week in after if after[week] != twin[week]]
    assert different == []

    # --- the key is nowhere: logs, metadata, output, files, database --------------------------
    key = hevy_server.key
    for run in instance.get_runs():
        for entry in instance.all_logs(run.run_id):
            assert key not in str(entry)
    captured = capfd.readouterr()
    assert key not in captured.out + captured.err
    for path in root.rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes()
    with warehouse.connect() as conn:
        tables = (
            conn.execute(
                text(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'fitness'"
                )
            )
            .scalars()
            .all()
        )
        for table in tables:
            rows = conn.execute(text(f'SELECT t::text FROM fitness."{table}" t')).scalars()
            assert not any(key in row for row in rows), table
    # And every call carried it, in the header only.
    assert {c.key for c in hevy_server.calls} == {key}
    assert not any(key in str(c.query) for c in hevy_server.calls)
