"""Effective load for every kind of move, on a fixture worked out by hand (FIXTURES/ORIGINS.md):
external weight, bodyweight, bodyweight plus added weight, bodyweight less assistance, and a set
that needs a bodyweight no source gives."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from sqlalchemy import text

from fitness_platform.delivery.contract import schema_errors
from fitness_platform.delivery.offline_report import render_report
from fitness_platform.delivery.payload import build_payload
from fitness_platform.resources.warehouse import WarehouseResource
from fitness_platform_tests.helpers import FIXTURES, run_ingest

WEEK_A, WEEK_B, WEEK_C = date(2025, 3, 3), date(2025, 3, 24), date(2025, 5, 5)


@pytest.fixture
def payloads(platform_env, tmp_path, monkeypatch):
    folder = tmp_path / "kinds_raw" / "kinds"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "hevy_every_move_kind.csv", folder / "workouts.csv")
    shutil.copy(FIXTURES / "hevy_measurements_cm.csv", folder / "measurement_data.csv")
    monkeypatch.setenv("FITNESS_RAW_DIR", str(folder.parent))
    assert run_ingest().success
    warehouse = WarehouseResource(database_url=platform_env["FITNESS_DATABASE_URL"])
    with warehouse.connect() as conn:
        built = {w: build_payload(conn, "kinds", w) for w in (WEEK_A, WEEK_B, WEEK_C)}
        series = conn.execute(
            text("SELECT measured_on, bodyweight_kg, source FROM fitness.bodyweight_daily")
        ).all()
        rules = conn.execute(text("SELECT rule FROM fitness.rejected_rows ORDER BY rule")).all()
    return built, series, [r[0] for r in rules]


def by_name(payload: dict) -> dict[str, dict]:
    return {e["exercise_name"]: e for e in payload["exercises"]}


def test_every_kind_of_move_is_loaded_by_its_own_rule(payloads):
    built, series, rules = payloads
    # The measurements export gives two weigh-ins; its three bad rows are quarantined.
    assert sorted((str(d), float(w), s) for d, w, s in series) == [
        ("2025-03-01", 80.0, "hevy_export"),
        ("2025-04-02", 78.5, "hevy_export"),
    ]
    assert rules == ["measurement_empty", "measurement_in_future", "weight_not_numeric"]

    week = by_name(built[WEEK_A])  # bodyweight 80.0 kg (1 March, two days before)
    bench, pull, dip, assisted = (
        week["Bench Press (Barbell)"],
        week["Pull Up"],
        week["Triceps Dip (Weighted)"],
        week["Pull Up (Assisted)"],
    )
    assert [e["load_basis"] for e in (bench, pull, dip, assisted)] == [
        "external",
        "bodyweight",
        "bodyweight_plus_added",
        "bodyweight_minus_assistance",
    ]
    # Bench: 2 × 100 kg × 5 (the warm-up is not a working set); e1RM 100 × (1 + 5/30).
    assert bench["current_week"]["tonnage_kg"] == 1000.0
    assert bench["current_week"]["best_e1rm_kg"] == 116.67
    # Plain pull-ups: bodyweight × reps = 80 × (8 + 6); e1RM 80 × (1 + 8/30) = 101.33.
    assert (pull["current_week"]["tonnage_kg"], pull["current_week"]["top_load_kg"]) == (1120, 80)
    assert pull["current_week"]["best_e1rm_kg"] == 101.33
    # Weighted dips: (80 + 10) × 10 + (80 + 20) × 6 = 1,500; top 100; both e1RMs are 120.
    assert dip["current_week"]["tonnage_kg"] == 1500.0
    assert (dip["current_week"]["top_load_kg"], dip["current_week"]["best_e1rm_kg"]) == (100, 120)
    assert (dip["current_week"]["logged_min_kg"], dip["current_week"]["logged_max_kg"]) == (10, 20)
    # Assisted: (80 − 30) × 8 + (80 − 25) × 8 = 840; the top load is the least assisted set.
    assert assisted["current_week"]["tonnage_kg"] == 840.0
    assert assisted["current_week"]["top_load_kg"] == 55.0
    assert assisted["current_week"]["logged_min_kg"] == 25.0
    assert built[WEEK_A]["training_overview"]["tonnage_kg"] == 1000 + 1120 + 1500 + 840
    assert built[WEEK_A]["data_quality"]["sets_without_bodyweight"] == 0
    assert schema_errors(built[WEEK_A]) == []


def test_less_assistance_is_progress(payloads):
    built, _, _ = payloads
    # 24 March: no weigh-in in the 14 days before (1 March is 23 days back), so the first one
    # after, 78.5 kg on 2 April (9 days later). Assistance 20 kg: load 58.5 kg.
    assisted = by_name(built[WEEK_B])["Pull Up (Assisted)"]
    assert assisted["current_week"]["top_load_kg"] == 58.5
    assert assisted["current_week"]["tonnage_kg"] == 2 * 58.5 * 8
    delta = assisted["delta_vs_previous_session_week"]
    assert delta["weeks_since"] == 3
    assert delta["top_load_kg"] == 58.5 - 55.0  # more load ...
    assert delta["logged_min_kg"] == 20.0 - 25.0  # ... from less assistance
    # e1RM 58.5 × (1 + 8/30) = 74.1 against 55 × (1 + 8/30) = 69.67: a new best, and progress.
    assert delta["best_e1rm_kg"] == 4.43
    assert assisted["records"]["top_load"]["all_time"] is True
    report = render_report(built[WEEK_B])
    progressed = report.split("## Progressed", 1)[1].split("\n## ", 1)[0]
    assert "**Pull Up (Assisted)**" in progressed
    assert "least assistance 20.0 kg (-5.0 kg)" in progressed


def test_a_set_without_any_bodyweight_counts_in_data_quality_and_adds_nothing(payloads):
    built, _, _ = payloads
    # 5 May: the last weigh-in (2 April) is 33 days back and none follows.
    week = by_name(built[WEEK_C])
    for name in ("Pull Up", "Triceps Dip (Weighted)"):
        current = week[name]["current_week"]
        assert current["sets_without_bodyweight"] == 1
        assert current["tonnage_kg"] is None and current["top_load_kg"] is None
    assert week["Triceps Dip (Weighted)"]["current_week"]["logged_max_kg"] == 10.0
    assert built[WEEK_C]["training_overview"]["tonnage_kg"] == 105 * 5  # the bench only
    assert built[WEEK_C]["data_quality"]["sets_without_bodyweight"] == 2
    assert schema_errors(built[WEEK_C]) == []


def test_targets_that_are_not_set_give_null_adherence(payloads):
    built, _, _ = payloads
    adherence = built[WEEK_A]["adherence"]  # this athlete has no athlete.toml, no cycles.csv
    for key in ("planned_sessions", "training", "calorie_target_kcal", "calories", "protein"):
        assert adherence[key] is None, key
    assert (adherence["intake_logged_days"], adherence["weigh_in_days"]) == (0, 0)
