"""The warehouse checks: what an athlete-scoped check finds is kept per athlete and looked at again
only for the athletes loaded since, and what a constraint guarantees is read from the catalog, but
each still fails when its rows are wrong."""

from __future__ import annotations

import csv
import dataclasses
import shutil
from pathlib import Path

from sqlalchemy import text

from fitness_platform.warehouse.checks import (
    NATURAL_KEYS_UNIQUE,
    REFERENTIAL_INTEGRITY,
    ROW_CHECKS,
    evaluate,
    natural_keys_unique,
    referential_integrity,
)
from fitness_platform.warehouse.tables import WAREHOUSE_TABLES
from fitness_platform_tests.helpers import check_evaluation, edit_one_set, run_ingest

DURATION = "workout_duration_bounds"
# One workout of the sample (13 Jan 2026, 18:43 to 19:43): every one of its rows gets this end,
# 300 minutes after its start, over the check's bound of 240. The sample itself has no workout
# outside 10-240 minutes (its 476 workouts last 50 to 101 minutes).
LONG_START, LONG_END = "13 Jan 2026, 18:43", "13 Jan 2026, 23:43"


def stretch_one_workout(athlete_dir: Path) -> None:
    path = athlete_dir / "hevy_workouts_raw.csv"
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    col = rows[0].index("end_time")
    changed = 0
    for row in rows[1:]:
        if row[rows[0].index("start_time")] == LONG_START:
            row[col] = LONG_END
            changed += 1
    assert changed
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)


def plain_count(warehouse, check) -> int:
    """The check's query over every row, run on its own: what the kept findings must add up to."""
    with warehouse.connect() as conn:
        return len(conn.execute(text(check.sql.rstrip().rstrip(";")), check.params).all())


def test_findings_are_kept_per_athlete_and_only_loaded_athletes_are_looked_at(
    platform_env, warehouse, raw_dir
):
    second = raw_dir / "second"
    shutil.copytree(raw_dir / "demo", second)
    original = (second / "hevy_workouts_raw.csv").read_bytes()
    stretch_one_workout(second)
    check = next(c for c in ROW_CHECKS if c.name == DURATION)

    first = check_evaluation(run_ingest(), DURATION)
    assert not first.passed
    assert first.metadata["out_of_bounds"].value == 1 == plain_count(warehouse, check)
    assert first.metadata["athletes_looked_at"].value == 2
    (row,) = first.metadata["sample"].value
    assert row["athlete_key"] == "second" and row["duration_minutes"] == "300.00"
    assert "athlete_id" not in row

    # Another athlete's edit: only they are looked at again, and second's finding still counts.
    edit_one_set(raw_dir)
    after_edit = check_evaluation(run_ingest(), DURATION)
    assert not after_edit.passed and after_edit.metadata["out_of_bounds"].value == 1
    assert after_edit.metadata["athletes_looked_at"].value == 1

    # Second's export fixed: they are looked at again, and nothing is left.
    (second / "hevy_workouts_raw.csv").write_bytes(original)
    fixed = check_evaluation(run_ingest(), DURATION)
    assert fixed.passed and fixed.metadata["out_of_bounds"].value == 0
    assert fixed.metadata["athletes_looked_at"].value == 1
    assert plain_count(warehouse, check) == 0


def test_a_changed_query_looks_at_every_athlete_again(platform_env, warehouse):
    assert run_ingest().success
    kcal = next(c for c in ROW_CHECKS if c.name == "kcal_matches_macros")
    strict = dataclasses.replace(kcal, params={"tolerance": 0})
    with warehouse.begin() as conn:
        loose = evaluate(conn, kcal)
        assert loose.athletes_checked == 0  # the run looked already: nothing loaded since
        tight = evaluate(conn, strict)
        assert tight.athletes_checked == 1
    # Logged kcal rarely equals 4·C + 4·P + 9·F to the unit: a tolerance of 0 finds more days.
    assert (
        tight.found == plain_count(warehouse, strict) > loose.found == plain_count(warehouse, kcal)
    )


def test_constraints_are_read_from_the_catalog_and_scanned_for_without_them(
    platform_env, warehouse
):
    assert run_ingest().success
    unique = natural_keys_unique(warehouse=warehouse)
    assert unique.passed
    keyed = {t.name for t in WAREHOUSE_TABLES if t.natural_key}
    assert set(unique.metadata["enforced_by_index"].value) == keyed
    integrity = referential_integrity(warehouse=warehouse)
    assert integrity.passed
    assert set(integrity.metadata["enforced_by_constraint"].value) == {
        "sets_without_a_block",
        "blocks_without_a_workout",
        "diet_days_with_an_unknown_cycle",
    }

    with warehouse.begin() as conn:
        # Without its unique constraint, a workout copied under a new id is a duplicate key.
        conn.execute(
            text(
                "ALTER TABLE fitness.workouts DROP CONSTRAINT workouts_athlete_id_source_start_time_key"
            )
        )
        conn.execute(
            text(
                "INSERT INTO fitness.workouts (athlete_id, source, start_time, end_time, "
                "workout_date, duration_minutes, workout_name) SELECT athlete_id, source, "
                "start_time, end_time, workout_date, duration_minutes, workout_name "
                "FROM fitness.workouts ORDER BY workout_id LIMIT 1"
            )
        )
        # Without its foreign key, a set can point at a block that does not exist.
        conn.execute(text("ALTER TABLE fitness.sets DROP CONSTRAINT sets_workout_exercise_id_fkey"))
        conn.execute(
            text(
                "INSERT INTO fitness.sets (workout_exercise_id, set_index, set_type) "
                "VALUES (-1, 0, 'normal')"
            )
        )
        # A block emptied of its sets, seen once the athlete's rows are loaded again.
        conn.execute(
            text(
                "DELETE FROM fitness.sets WHERE workout_exercise_id = "
                "(SELECT min(workout_exercise_id) FROM fitness.workout_exercises)"
            )
        )
        conn.execute(text("UPDATE fitness.athlete_loads SET load_id = nextval('fitness.load_ids')"))

    unique = natural_keys_unique(warehouse=warehouse)
    assert not unique.passed and unique.metadata["workouts"].value == 1
    assert "workouts" not in unique.metadata["enforced_by_index"].value
    integrity = referential_integrity(warehouse=warehouse)
    assert not integrity.passed
    assert integrity.metadata["sets_without_a_block"].value == 1
    assert integrity.metadata["blocks_without_sets"].value == 1
    assert integrity.metadata["blocks_without_a_workout"].value == 0
    assert "sets_without_a_block" not in integrity.metadata["enforced_by_constraint"].value


def test_the_ingest_run_counts_what_each_query_finds_over_every_row(platform_env, warehouse):
    result = run_ingest()
    assert result.success
    for name in (REFERENTIAL_INTEGRITY, NATURAL_KEYS_UNIQUE):
        assert check_evaluation(result, name).passed, name
    for check in ROW_CHECKS:
        evaluation = check_evaluation(result, check.name)
        found = plain_count(warehouse, check)
        assert evaluation.metadata[check.metric].value == found, check.name
        assert evaluation.passed == (found == 0), check.name
