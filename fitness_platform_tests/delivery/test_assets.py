"""Weekly delivery end to end: determinism, idempotence, targeted rewrites, reports, the CLI."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from fitness_platform.delivery.contract import schema_errors
from fitness_platform.delivery.numbers import names_in, untraceable_numbers
from fitness_platform.delivery.offline_report import render_report
from fitness_platform.delivery.reference import REFERENCE_CONSTANTS
from fitness_platform_tests import reference as ref
from fitness_platform_tests.helpers import (
    FIXTURES,
    SAMPLE_DIET,
    SAMPLE_HEVY,
    check_evaluation,
    check_results,
    materialization_metadata,
    run_delivery,
    run_ingest,
    tree_hashes,
)

FIRST, LAST = "2023-05-01", "2026-01-12"


def run_all() -> tuple:
    ingest = run_ingest()
    assert ingest.success
    delivery = run_delivery(FIRST, LAST)
    assert delivery.success
    return ingest, delivery


def test_every_week_gets_a_valid_payload_and_report(platform_env):
    _, delivery = run_all()
    out = Path(platform_env["FITNESS_OUTPUT_DIR"])
    payloads = sorted(out.glob("payloads/athlete=demo/week_start=*/weekly_fitness_context.json"))
    reports = sorted(out.glob("reports/athlete=demo/week_start=*/weekly_report.md"))
    assert len(payloads) == 142 and len(reports) == 142
    # The sample's weeks: every Monday from the first diet week to the last workout's week.
    weeks = {p.parent.name.split("=")[1] for p in payloads}
    assert min(weeks) == FIRST and max(weeks) == LAST
    for path in payloads:
        assert schema_errors(json.loads(path.read_text())) == []
    checks = check_results(delivery)
    assert checks["payload_matches_json_schema"] is True
    assert checks["report_numbers_traceable"] is True
    meta = materialization_metadata(delivery, ("delivery", "weekly_payload"))
    assert meta["run_written"] == 142 and meta["run_unchanged"] == 0


def test_replay_and_fresh_database_give_identical_bytes(
    platform_env, pg_admin_url, monkeypatch, tmp_path
):
    run_all()
    out = Path(platform_env["FITNESS_OUTPUT_DIR"])
    first = tree_hashes(out)
    # Replay: nothing is rewritten, no byte changes.
    _, delivery = run_all()
    payloads = materialization_metadata(delivery, ("delivery", "weekly_payload"))
    reports = materialization_metadata(delivery, ("delivery", "weekly_report"))
    assert payloads["run_written"] == 0
    assert reports["run_written"] == 0
    # The only athlete is skipped whole: its manifests record every week as current.
    assert (payloads["run_athletes_skipped"], reports["run_athletes_skipped"]) == (1, 1)
    assert tree_hashes(out) == first
    # Without the manifests, every payload is built and compared with the stored bytes again:
    # the same bytes, and the manifests come back as they were.
    shutil.rmtree(out / "delivery_state")
    _, delivery = run_all()
    payloads = materialization_metadata(delivery, ("delivery", "weekly_payload"))
    assert (payloads["run_written"], payloads["run_athletes_skipped"]) == (0, 0)
    assert payloads["run_unchanged"] == sum(k.startswith("payloads/") for k in first)
    assert tree_hashes(out) == first
    # A fresh database and a fresh output folder: the same bytes.
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = "fresh_" + uuid.uuid4().hex[:8]
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    monkeypatch.setenv(
        "FITNESS_DATABASE_URL", make_url(pg_admin_url).set(database=name).render_as_string(False)
    )
    monkeypatch.setenv("FITNESS_OUTPUT_DIR", str(tmp_path / "out2"))
    run_all()
    assert tree_hashes(tmp_path / "out2") == first


def _expected_changed_weeks(
    sets: pd.DataFrame, edited: pd.DataFrame, title: str, week: date, weeks: set[date]
) -> set[date]:
    """Weeks (of ``weeks``, those with a payload) whose payload must change when one set of
    ``title`` (never a main lift, so no stall or cycle lift moves) in ``week`` changes weight."""
    trained = sorted(sets.loc[(sets["exercise_title"] == title) & sets["working"], "week"].unique())
    later = [w for w in trained if w > week]
    changed = {week, week + timedelta(days=7)}
    if later:
        changed.add(later[0])  # its delta against the previous session week
    for metric in ("top_load_kg", "best_e1rm_kg"):
        before = ref.weekly_series(sets, title, metric)
        after = ref.weekly_series(edited, title, metric)
        changed |= {w for w in later if ref.record_flags(before, w) != ref.record_flags(after, w)}
    # The week's tonnage is in the 8-week history of the seven weeks after it.
    changed |= {week + timedelta(days=7 * n) for n in range(1, 8)}
    return changed & weeks


def test_one_edited_set_rewrites_only_the_weeks_it_affects(platform_env, raw_dir):
    run_all()
    out = Path(platform_env["FITNESS_OUTPUT_DIR"])
    before = tree_hashes(out)
    path = raw_dir / "demo" / SAMPLE_HEVY.name
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    # Not a main lift in any week (reference.main_lifts), so stalls and cycle lifts stay put.
    title, start = "Seated Leg Curl (Machine)", "29 Aug 2024"
    target = next(
        i
        for i, r in enumerate(body)
        if r[col["exercise_title"]] == title
        and r[col["start_time"]].startswith(start)
        and r[col["set_type"]] == "normal"
    )
    body[target][col["weight_kg"]] = "300"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerows([header, *body])

    sets = ref.sets_frame()
    edited = sets.copy()
    edited.loc[
        (edited["exercise_title"] == title)
        & edited["start_time"].str.startswith(start)
        & (edited["set_index"] == int(body[target][col["set_index"]])),
        "weight_kg",
    ] = 300.0
    edited = ref.add_loads(edited, ref.weigh_ins(ref.diet_frame()))  # the load follows the weight
    week = date(2024, 8, 26)
    with_payload = {
        date.fromisoformat(k.split("week_start=")[1][:10])
        for k in before
        if k.startswith("payloads/")
    }
    expected = _expected_changed_weeks(sets, edited, title, week, with_payload)

    _, delivery = run_all()
    after = tree_hashes(out)
    changed = {k for k in after if before.get(k) != after[k] and k.startswith("payloads/")}
    changed_weeks = {date.fromisoformat(k.split("week_start=")[1][:10]) for k in changed}
    assert changed_weeks == expected
    meta = materialization_metadata(delivery, ("delivery", "weekly_payload"))
    assert meta["run_written"] == len(expected)
    reports = {k for k in after if before.get(k) != after[k] and k.endswith("weekly_report.md")}
    assert len(reports) <= len(expected)


def test_offline_report_states_only_payload_numbers(platform_env):
    run_all()
    out = Path(platform_env["FITNESS_OUTPUT_DIR"])
    payload = json.loads(
        (
            out / "payloads/athlete=demo/week_start=2024-05-13/weekly_fitness_context.json"
        ).read_text()
    )
    report = (out / "reports/athlete=demo/week_start=2024-05-13/weekly_report.md").read_text()
    assert report == render_report(payload)
    assert (
        untraceable_numbers(
            report, payload, constants=REFERENCE_CONSTANTS, ignore_text=names_in(payload)
        )
        == []
    )
    tampered = report + "\nYou squatted 187.5 kg for 3 reps.\n"
    assert "187.5" in untraceable_numbers(
        tampered, payload, constants=REFERENCE_CONSTANTS, ignore_text=names_in(payload)
    )


def test_cli_run_twice(database_url, raw_dir, tmp_path):
    env = dict(os.environ, FITNESS_DATABASE_URL=database_url)
    command = [
        sys.executable,
        "-m",
        "fitness_platform.cli",
        "run",
        "--raw-dir",
        str(raw_dir),
        "--output-dir",
        str(tmp_path / "out"),
    ]
    first = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert first.returncode == 0, first.stdout + first.stderr
    assert "142 weeks 2023-05-01...2026-01-12" in first.stdout
    assert f"reports:  {tmp_path / 'out' / 'reports'}" in first.stdout
    hashes = tree_hashes(tmp_path / "out")
    second = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert second.returncode == 0, second.stderr
    # Nothing changed: the delivery run is not even started.
    assert "142 weeks 2023-05-01...2026-01-12 are current" in second.stdout
    assert "delivery/weekly_payload" not in second.stdout
    assert tree_hashes(tmp_path / "out") == hashes
    # Started anyway, it finds every payload unchanged and writes nothing.
    third = subprocess.run(
        [*command, "--force-delivery"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert third.returncode == 0, third.stderr
    assert "delivery/weekly_payload: deleted 0, written 0, unchanged 142" in third.stdout
    assert tree_hashes(tmp_path / "out") == hashes


def partition_metadata(result, key_path: tuple[str, ...]) -> dict[str, dict]:
    """Each partition's materialization metadata in a range run, by week."""
    found = {}
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        if tuple(mat.asset_key.path) == key_path:
            found[mat.partition] = {k: v.value for k, v in mat.metadata.items()}
    return found


def test_each_week_of_a_range_run_has_its_own_metadata(platform_env):
    assert run_ingest().success
    # The sample's last two weeks with data, and two later (complete, empty) weeks.
    delivery = run_delivery("2026-01-05", "2026-01-26")
    assert delivery.success
    weeks = partition_metadata(delivery, ("delivery", "weekly_payload"))
    assert sorted(weeks) == ["2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26"]
    for week in ("2026-01-05", "2026-01-12"):
        assert weeks[week]["has_data"] is True and weeks[week]["written"] == 1
        assert weeks[week]["path"].endswith(
            f"athlete=demo/week_start={week}/weekly_fitness_context.json"
        )
        assert f'"week_start": "{week}"' in weeks[week]["preview"]
    for week in ("2026-01-19", "2026-01-26"):
        assert weeks[week]["has_data"] is False and "path" not in weeks[week]
        assert "no athlete has data this week" in weeks[week]["note"]
    # Run-wide numbers are named as such and say which weeks had nothing.
    assert weeks["2026-01-19"]["run_weeks"] == 4
    assert weeks["2026-01-19"]["run_weeks_without_data"] == 2
    assert weeks["2026-01-19"]["run_weeks_without_data_list"] == "2026-01-19…2026-01-26"
    reports = partition_metadata(delivery, ("delivery", "weekly_report"))
    assert reports["2026-01-12"]["path"].endswith("week_start=2026-01-12/weekly_report.md")
    assert reports["2026-01-26"]["has_data"] is False


def test_report_check_covers_unchanged_reports(platform_env):
    run_all()
    _, again = run_all()
    check = next(
        e.event_specific_data
        for e in again.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
        and e.event_specific_data.check_name == "report_numbers_traceable"
    )
    meta = {k: v.value for k, v in check.metadata.items()}
    assert check.passed
    assert (meta["reports_checked"], meta["reports_written"]) == (142, 0)


def test_reference_windows_are_the_ones_the_sql_and_the_report_use():
    from fitness_platform.delivery.reference import HARD_SET_RANGE, RECORD_WINDOWS_WEEKS
    from fitness_platform.paths import GOLD_SQL_DIR

    sql = (GOLD_SQL_DIR / "gold_exercise_records.sql").read_text()
    for weeks in RECORD_WINDOWS_WEEKS:
        assert f"interval '{weeks * 7} days' PRECEDING" in sql
    from fitness_platform.delivery import reference as r

    daily = (GOLD_SQL_DIR / "gold_daily_body.sql").read_text()
    weekly = (GOLD_SQL_DIR / "gold_weekly_body.sql").read_text()
    assert f"d.day, {r.TREND_SMOOTHING_PCT / 100:g}) OVER running" in daily
    assert f"lag(t.trend_kg, {r.RATE_WINDOW_DAYS})" in daily
    assert f"lag(t.trend_kg, {r.EXPENDITURE_WINDOW_DAYS})" in daily
    assert f"{r.EXPENDITURE_WINDOW_DAYS - 1} PRECEDING" in daily
    assert f"/ {r.RATE_WINDOW_DAYS} * 7" in weekly
    assert f"weigh_ins_21d >= {r.RATE_MIN_WEIGH_INS}" in weekly
    assert f"intake_days_28d >= {r.EXPENDITURE_MIN_INTAKE_DAYS}" in weekly
    assert f"weigh_ins_28d >= {r.EXPENDITURE_MIN_WEIGH_INS}" in weekly
    high_intake, high_weigh_ins = r.EXPENDITURE_HIGH_CONFIDENCE
    assert f"intake_days_28d >= {high_intake} AND weigh_ins_28d >= {high_weigh_ins}" in weekly
    assert f"* {r.KCAL_PER_KG} / {r.EXPENDITURE_WINDOW_DAYS}" in weekly
    assert f"<= {r.CALORIE_TOLERANCE_PCT / 100:.2f} * target_calories_kcal" in weekly
    assert f">= {r.PROTEIN_MIN_PCT / 100:.2f} * target_protein_g" in weekly
    # A payload whose only record is an 8-week best: the offline report names the window, and
    # the number check accepts it (before, "8" was reported as untraceable).
    exercise = {
        "exercise_key": "squat_barbell",
        "exercise_name": "Squat (Barbell)",
        "muscle_group": "quadriceps",
        "load_basis": "external",
        "current_week": dict.fromkeys(
            [
                "total_sets",
                "failure_sets",
                "total_reps",
                "avg_reps",
                "avg_load_kg",
                "top_load_kg",
                "best_e1rm_kg",
                "tonnage_kg",
                "sessions_count",
                "logged_min_kg",
                "logged_max_kg",
            ]
        )
        | {"top_load_kg": 121.5, "sets_without_bodyweight": 0},
        "delta_vs_last_week": None,
        "delta_vs_previous_session_week": None,
        "records": {
            "top_load": {"all_time": False, "last_52_weeks": False, "last_8_weeks": True},
            "best_e1rm": {"all_time": False, "last_52_weeks": False, "last_8_weeks": False},
        },
    }
    payload = json.loads((FIXTURES / "payload_demo_2024-05-13.json").read_text())
    payload["exercises"] = [exercise]
    report = render_report(payload)
    assert f"best top load of the past {RECORD_WINDOWS_WEEKS[0]} weeks (121.5 kg)" in report
    assert (
        f"The common weekly range is {HARD_SET_RANGE[0]} to {HARD_SET_RANGE[1]} hard sets" in report
    )
    assert (
        untraceable_numbers(
            report, payload, constants=REFERENCE_CONSTANTS, ignore_text=names_in(payload)
        )
        == []
    )


def test_data_before_the_first_partition_is_warned_about(platform_env, monkeypatch):
    """A history that starts before FITNESS_PARTITION_START cannot be delivered; it must be said."""
    monkeypatch.setenv("FITNESS_PARTITION_START", "2024-01-01")
    assert run_ingest().success
    delivery = run_delivery("2024-01-01", "2024-01-08")
    assert delivery.success
    # Independently: the Mondays of every diet day and workout of the raw sample before 2024.
    diet = pd.read_csv(SAMPLE_DIET)["data"].map(date.fromisoformat)
    workouts = ref.sets_frame()["start"].dt.date
    mondays = {d - timedelta(days=d.weekday()) for d in [*diet, *workouts]}
    before = sorted(m for m in mondays if m < date(2024, 1, 1))
    check = check_evaluation(delivery, "data_inside_partitions")
    assert not check.passed and check.severity.value == "WARN"
    assert check.metadata["weeks_before_first_partition"].value == len(before)
    assert check.metadata["earliest_data_week"].value == str(before[0])
