"""Raw → silver → warehouse against a real PostgreSQL: the acceptance of the foundation issue."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from dagster import AssetCheckSeverity
from sqlalchemy import text

from fitness_platform.errors import LoadRefused
from fitness_platform.ingest.athlete import discover, parse_athlete
from fitness_platform.ingest.catalog import load_catalog
from fitness_platform.ingest.corrections import load_corrections
from fitness_platform.paths import CATALOG_PATH, CORRECTIONS_PATH
from fitness_platform.resources.warehouse import WarehouseResource
from fitness_platform.silver.assets import EXPORTS_READABLE
from fitness_platform.sqlfiles import run_file, state_sql
from fitness_platform.warehouse.load import (
    ATHLETE_ROW_TABLES,
    _attach,
    athlete_id_for,
    copy_rows,
    load_athlete,
    stage,
    table_row_counts,
    upsert_exercises,
)
from fitness_platform.warehouse.tables import TABLES
from fitness_platform_tests.helpers import (
    FIXTURES,
    QUIET,
    SAMPLE_HEVY,
    check_evaluation,
    definitions,
    edit_one_set,
    fresh_database,
    materialization_metadata,
    run_ingest,
)


def snapshot(warehouse) -> dict[str, list]:
    """Every row of every warehouse table, for before/after equality.

    Rows are sorted in Python on their whole content: ``ORDER BY 1`` is not a total order for
    tables keyed on two columns (``diet_daily``, ``exercise_muscle_map``), and the plan that
    breaks its ties can change when autovacuum re-analyzes a table between two snapshots.
    """
    with warehouse.connect() as conn:
        return {
            t: sorted(
                (tuple(r) for r in conn.execute(text(f"SELECT * FROM fitness.{t}"))), key=repr
            )
            for t in TABLES
        }


def load_dir(warehouse, raw_dir: Path, athlete: str = "demo", **kwargs):
    files = [f for f in discover(raw_dir) if f.athlete_key == athlete]
    silver = parse_athlete(
        athlete,
        files,
        catalog=load_catalog(CATALOG_PATH),
        corrections=load_corrections(CORRECTIONS_PATH),
    )
    with warehouse.begin() as conn:
        return load_athlete(conn, silver, fingerprint="test", files=[], **kwargs)


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def scalar(warehouse, sql: str, **params):
    with warehouse.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def test_sample_loads_completely(platform_env, warehouse):
    result = run_ingest()
    assert result.success
    header, rows = read_rows(SAMPLE_HEVY)
    # Independent counts straight from the CSV.
    col = {name: i for i, name in enumerate(header)}
    assert len(rows) == 9542
    assert len({r[col["exercise_title"]] for r in rows}) == 120
    assert scalar(warehouse, "SELECT count(*) FROM fitness.sets") == 9542
    assert scalar(warehouse, "SELECT count(*) FROM fitness.exercises") == 120
    assert scalar(warehouse, "SELECT count(*) FROM fitness.workouts") == len(
        {r[col["start_time"]] for r in rows}
    )
    assert scalar(warehouse, "SELECT count(*) FROM fitness.rejected_rows") == 0
    assert scalar(warehouse, "SELECT count(*) FROM fitness.diet_daily") == 982
    corrected_weight = scalar(
        warehouse,
        """
        SELECT s.weight_kg FROM fitness.sets s
        JOIN fitness.workout_exercises we USING (workout_exercise_id)
        JOIN fitness.workouts w USING (workout_id) JOIN fitness.exercises e USING (exercise_id)
        WHERE e.exercise_name = 'Bicep Curl (Machine)' AND w.start_time = '2024-05-14 11:11'
          AND s.set_index = 2""",
    )
    corrected_reps = scalar(
        warehouse,
        """
        SELECT s.reps FROM fitness.sets s
        JOIN fitness.workout_exercises we USING (workout_exercise_id)
        JOIN fitness.workouts w USING (workout_id) JOIN fitness.exercises e USING (exercise_id)
        WHERE e.exercise_name = 'Preacher Curl (Machine)' AND w.start_time = '2024-01-23 11:09'
          AND s.set_index = 1""",
    )
    assert float(corrected_weight) == 54.0
    assert corrected_reps == 11
    with warehouse.connect() as conn:
        cycles = conn.execute(
            text(
                "SELECT cycle_number, cycle_type, start_date::text, "
                "end_date::text FROM fitness.cycles ORDER BY 1"
            )
        ).all()
    assert [tuple(c) for c in cycles] == [
        (1, "cutting", "2023-05-01", "2023-09-17"),
        (2, "reverse", "2023-09-18", "2023-10-29"),
        (3, "cutting", "2023-10-30", "2024-02-23"),
        (4, "reverse", "2024-02-24", "2024-03-22"),
        (5, "bulking", "2024-03-23", "2024-05-19"),
        (6, "cutting", "2024-05-20", "2024-09-28"),
        (7, "bulking", "2024-10-28", "2025-01-01"),
        (8, "cutting", "2025-01-02", "2025-04-17"),
        (9, "maintenance", "2025-04-18", "2025-10-05"),
        (10, "cutting", "2025-10-06", None),
    ]
    meta = materialization_metadata(result, ("fitness", "sets"))
    assert meta["inserted"] == 9542 and meta["updated"] == 0 and meta["deleted"] == 0
    # Each table's column schema is its own columns in order, read here from pg_attribute
    # (information_schema, which the asset reads, spells every array type "ARRAY").
    for table in ("sets", "diet_daily", "athletes"):
        with warehouse.connect() as conn:
            expected = [
                (name, "ARRAY" if kind.endswith("[]") else kind)
                for name, kind in conn.execute(
                    text(
                        "SELECT attname, format_type(atttypid, NULL) FROM pg_attribute "
                        "WHERE attrelid = CAST(:table AS regclass) AND attnum > 0 "
                        "AND NOT attisdropped ORDER BY attnum"
                    ),
                    {"table": f"fitness.{table}"},
                )
            ]
        schema = materialization_metadata(result, ("fitness", table))["dagster/column_schema"]
        got = [(c.name, c.type) for c in schema.columns]
        assert got == expected, table


def test_repeated_blocks_keep_every_set(platform_env, warehouse):
    assert run_ingest().success
    header, rows = read_rows(SAMPLE_HEVY)
    col = {name: i for i, name in enumerate(header)}
    # A block boundary is a change of exercise inside a workout; count blocks per (workout, title).
    repeated, previous = {}, None
    for r in rows:
        key = (r[col["start_time"]], r[col["exercise_title"]])
        if key != previous:
            repeated[key] = repeated.get(key, 0) + 1
        previous = key
    twice = {k for k, n in repeated.items() if n > 1}
    assert len({k[0] for k in twice}) >= 5
    for start, title in twice:
        expected = sum(
            1 for r in rows if r[col["start_time"]] == start and r[col["exercise_title"]] == title
        )
        stored = scalar(
            warehouse,
            """
            SELECT count(*) FROM fitness.sets s
            JOIN fitness.workout_exercises we USING (workout_exercise_id)
            JOIN fitness.workouts w USING (workout_id) JOIN fitness.exercises e USING (exercise_id)
            WHERE e.exercise_name = :title
              AND to_char(w.start_time, 'DD Mon YYYY, HH24:MI') = :start""",
            title=title,
            start=start,
        )
        assert stored == expected, (start, title)


def test_replay_changes_nothing(platform_env, warehouse):
    assert run_ingest().success
    before = snapshot(warehouse)
    again = run_ingest()
    assert again.success
    # Unchanged exports: silver says so, and the warehouse, Gold and their checks do not run.
    batches = materialization_metadata(again, ("silver", "load_batches"))
    assert (batches["unchanged"], batches["to_load"], batches["refused"]) == (1, 0, 0)
    skipped = {e.step_key for e in again.all_events if e.event_type_value == "STEP_SKIPPED"}
    assert {"warehouse_tables", "gold_views"} <= skipped
    assert not [
        e
        for e in again.get_asset_materialization_events()
        if e.event_specific_data.materialization.asset_key.path[0] == "fitness"
    ]
    # Forced, every row is compared and none is written.
    forced = run_ingest(run_config={"ops": {"silver_frames": {"config": {"force_reload": True}}}})
    meta = materialization_metadata(forced, ("fitness", "sets"))
    assert (meta["inserted"], meta["updated"], meta["deleted"], meta["unchanged"]) == (
        0,
        0,
        0,
        9542,
    )
    assert snapshot(warehouse) == before


def test_edited_weight_updates_exactly_one_row(warehouse, raw_dir):
    load_dir(warehouse, raw_dir)
    path = raw_dir / "demo" / SAMPLE_HEVY.name
    header, rows = read_rows(path)
    col = {name: i for i, name in enumerate(header)}
    target = next(
        i
        for i, r in enumerate(rows)
        if r[col["exercise_title"]] == "Leg Press (Machine)" and r[col["set_type"]] == "normal"
    )
    rows[target][col["weight_kg"]] = "301.5"
    write_rows(path, header, rows)
    counts = load_dir(warehouse, raw_dir)
    assert (counts["sets"].inserted, counts["sets"].updated, counts["sets"].deleted) == (0, 1, 0)
    assert counts["workouts"].written == 0 and counts["workout_exercises"].written == 0
    assert scalar(warehouse, "SELECT count(*) FROM fitness.sets WHERE weight_kg = 301.5") == 1


def test_dropped_workout_deletes_it_and_its_sets(warehouse, raw_dir):
    load_dir(warehouse, raw_dir)
    path = raw_dir / "demo" / SAMPLE_HEVY.name
    header, rows = read_rows(path)
    col = {name: i for i, name in enumerate(header)}
    dropped = rows[0][col["start_time"]]
    dropped_sets = sum(1 for r in rows if r[col["start_time"]] == dropped)
    dropped_blocks = len(
        {(r[col["exercise_title"]]) for r in rows if r[col["start_time"]] == dropped}
    )
    write_rows(path, header, [r for r in rows if r[col["start_time"]] != dropped])
    counts = load_dir(warehouse, raw_dir)
    assert counts["workouts"].deleted == 1 and counts["workouts"].inserted == 0
    assert counts["sets"].deleted == dropped_sets and counts["sets"].updated == 0
    assert counts["workout_exercises"].deleted == dropped_blocks
    assert scalar(warehouse, "SELECT count(*) FROM fitness.sets") == 9542 - dropped_sets


def test_kept_row_counts_equal_a_count_of_every_table(warehouse, raw_dir):
    """``table_row_counts`` sums what each load kept of its athlete's rows: after a first load, a
    second athlete, a dropped workout and a new weight it is what counting every table gives."""

    def counted() -> dict[str, int]:
        return {t: scalar(warehouse, f"SELECT count(*) FROM fitness.{t}") for t in TABLES}

    def kept() -> dict[str, int]:
        with warehouse.connect() as conn:
            return table_row_counts(conn)

    load_dir(warehouse, raw_dir)
    assert kept() == counted() and kept()["sets"] == 9542
    shutil.copytree(raw_dir / "demo", raw_dir / "second")
    load_dir(warehouse, raw_dir, athlete="second")
    assert kept() == counted()
    before_drop = counted()["sets"]
    path = raw_dir / "second" / SAMPLE_HEVY.name
    header, rows = read_rows(path)
    col = {name: i for i, name in enumerate(header)}
    dropped = rows[0][col["start_time"]]
    dropped_sets = sum(1 for r in rows if r[col["start_time"]] == dropped)
    write_rows(path, header, [r for r in rows if r[col["start_time"]] != dropped])
    load_dir(warehouse, raw_dir, athlete="second")
    assert kept() == counted() and kept()["sets"] == before_drop - dropped_sets
    edit_one_set(raw_dir)
    load_dir(warehouse, raw_dir)
    assert kept() == counted()


def test_athlete_lookups_read_only_the_athletes_rows(warehouse, raw_dir):
    """The per-athlete lookups of a load (its row counts, its block ids) go through the indexes
    on tables never analysed, as in a fresh load of many athletes: no scan of every athlete's
    blocks or sets, which made each athlete's load cost more than the one before."""
    for name in ("second", "third", "fourth"):
        shutil.copytree(raw_dir / "demo", raw_dir / name)
    for name in ("demo", "second", "third", "fourth"):
        load_dir(warehouse, raw_dir, athlete=name)
    with warehouse.begin() as conn:
        athlete_id = conn.execute(
            text("SELECT athlete_id FROM fitness.athletes WHERE athlete_key = 'demo'")
        ).scalar_one()
        counts = dict(
            conn.execute(
                text("SELECT table_name, rows FROM fitness.count_athlete_rows(:a)"),
                {"a": athlete_id},
            ).all()
        )
        blocks = conn.execute(
            text("SELECT count(*) FROM fitness.athlete_blocks(:a)"), {"a": athlete_id}
        ).scalar_one()
        scans = dict(
            conn.execute(
                text(
                    "SELECT relname, seq_scan FROM pg_stat_xact_user_tables "
                    "WHERE schemaname = 'fitness' AND relname IN ('sets', 'workout_exercises')"
                )
            ).all()
        )
    # The sample's own count (test_sample_loads_completely), and a plain count of its blocks.
    assert counts["sets"] == 9542
    assert (
        blocks
        == counts["workout_exercises"]
        == scalar(
            warehouse,
            "SELECT count(*) FROM fitness.workout_exercises we JOIN fitness.workouts w "
            "USING (workout_id) JOIN fitness.athletes a USING (athlete_id) "
            "WHERE a.athlete_key = 'demo'",
        )
    )
    assert scans == {"sets": 0, "workout_exercises": 0}


def test_truncated_export_is_refused_and_changes_nothing(warehouse, raw_dir):
    load_dir(warehouse, raw_dir)
    before = snapshot(warehouse)
    path = raw_dir / "demo" / SAMPLE_HEVY.name
    header, rows = read_rows(path)
    write_rows(path, header, rows[: len(rows) // 2])
    with pytest.raises(LoadRefused, match=r"would delete \d+ of 476 stored workouts"):
        load_dir(warehouse, raw_dir)
    assert snapshot(warehouse) == before
    # Confirmed through configuration, the deletion goes ahead.
    counts = load_dir(warehouse, raw_dir, allow_mass_delete=True)
    assert counts["workouts"].deleted > 0


def test_pound_export_loads_in_kilograms(warehouse, tmp_path):
    athlete = tmp_path / "raw" / "lbs"
    athlete.mkdir(parents=True)
    shutil.copy(FIXTURES / "hevy_lbs_miles.csv", athlete / "hevy.csv")
    load_dir(warehouse, tmp_path / "raw", athlete="lbs")
    with warehouse.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT set_index, weight_kg::float, reps, distance_km::float FROM fitness.sets "
                "ORDER BY workout_exercise_id, set_index"
            )
        ).all()
    # 225 lb × 0.45359237 = 102.058 → 102.06 kg; 135 lb → 61.23 kg; 1 mile → 1.609 km
    assert [tuple(r) for r in rows] == [
        (0, 61.23, 10, None),
        (1, 102.06, 5, None),
        (0, None, None, 1.609),
    ]


def test_non_numeric_reps_are_quarantined(warehouse, tmp_path):
    athlete = tmp_path / "raw" / "q"
    athlete.mkdir(parents=True)
    shutil.copy(FIXTURES / "hevy_reps_not_numeric.csv", athlete / "hevy.csv")
    load_dir(warehouse, tmp_path / "raw", athlete="q")
    with warehouse.connect() as conn:
        rejected = conn.execute(
            text(
                "SELECT source_file, source_line, rule, raw_values->>'reps' FROM fitness.rejected_rows"
            )
        ).all()
        indexes = [
            r[0]
            for r in conn.execute(text("SELECT set_index FROM fitness.sets ORDER BY set_index"))
        ]
    assert [tuple(r) for r in rejected] == [("hevy.csv", 3, "reps_not_numeric", "ten")]
    assert indexes == [0, 2]


def test_missing_column_fails_naming_file_and_column(platform_env, warehouse, raw_dir):
    assert run_ingest().success
    before = snapshot(warehouse)
    shutil.copy(FIXTURES / "hevy_missing_exercise_title.csv", raw_dir / "demo" / "extra.csv")
    result = run_ingest()
    # The run goes on (Gold, other athletes); the refusal is a failed ERROR check naming the file.
    assert result.success
    check = check_evaluation(result, EXPORTS_READABLE)
    assert not check.passed and check.severity == AssetCheckSeverity.ERROR
    message = check.metadata["refusals"].value["demo"]
    assert "extra.csv" in message and "exercise_title" in message and "line 1" in message
    assert snapshot(warehouse) == before


def test_other_athletes_load_when_one_is_refused(platform_env, warehouse, raw_dir):
    broken = raw_dir / "broken"
    broken.mkdir()
    shutil.copy(FIXTURES / "hevy_missing_exercise_title.csv", broken / "export.csv")
    result = run_ingest()
    assert result.success
    assert list(check_evaluation(result, EXPORTS_READABLE).metadata["refusals"].value) == ["broken"]
    assert scalar(warehouse, "SELECT count(*) FROM fitness.sets") == 9542
    assert (
        scalar(warehouse, "SELECT count(*) FROM fitness.athletes WHERE athlete_key = 'broken'") == 0
    )


KILL_SCRIPT = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from fitness_platform.ingest.athlete import discover, parse_athlete
    from fitness_platform.ingest.catalog import load_catalog
    from fitness_platform.ingest.corrections import load_corrections
    from fitness_platform.paths import CATALOG_PATH, CORRECTIONS_PATH
    from fitness_platform.resources.warehouse import WarehouseResource
    from fitness_platform.warehouse.load import load_athlete
    url, raw_dir, marker = sys.argv[1:]
    files = discover(Path(raw_dir))
    silver = parse_athlete("demo", files, catalog=load_catalog(CATALOG_PATH),
                           corrections=load_corrections(CORRECTIONS_PATH))
    with WarehouseResource(database_url=url).begin() as conn:
        load_athlete(conn, silver, fingerprint="killed", files=[])
        Path(marker).write_text("written, not committed")
        time.sleep(120)
""")


def test_killed_load_leaves_database_as_before(database_url, warehouse, raw_dir, tmp_path):
    load_dir(warehouse, raw_dir)
    path = raw_dir / "demo" / SAMPLE_HEVY.name
    header, rows = read_rows(path)
    write_rows(path, header, rows[1:])  # the re-export drops one workout's first set
    before = snapshot(warehouse)
    marker = tmp_path / "marker"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, database_url, str(raw_dir), str(marker)],
        env=os.environ.copy(),
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None, "the loading process exited early"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert snapshot(warehouse) == before


def test_copy_text_round_trips_awkward_values(warehouse):
    """What COPY stores is what the frame held: escapes, empty text versus NULL, missing numbers,
    booleans and timestamps (each expected value is the input itself, written out by hand)."""
    frame = pd.DataFrame(
        {
            "note": ["tab\there", "line\nbreak\r\n", "back\\slash \\N", "", None, "ünï ✓"],
            "flag": [True, False, True, False, True, False],
            "reps": pd.array([1, None, 3, 0, 5, 6], dtype="Int64"),
            "weight": [52.5, float("nan"), 0.0, 1e-05, 700.0, 2.25],
            "at": pd.to_datetime(
                ["2024-01-02 06:07:08", None, "2024-12-31 23:59:59.500000", "2024-01-02 06:07:08"]
                + ["2023-05-01 00:00:00", "2026-11-21 12:00:00"],
                format="ISO8601",
            ).astype("datetime64[us]"),
        }
    )
    with warehouse.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TEMP TABLE copy_probe (note text, flag boolean, reps integer, "
            "weight numeric(10, 5), at timestamp) ON COMMIT DROP"
        )
        copy_rows(conn, "copy_probe", frame, ["note", "flag", "reps", "weight", "at"])
        stored = conn.exec_driver_sql(
            "SELECT note, flag, reps, weight::text, at::text FROM copy_probe"
        ).all()
    assert [tuple(r) for r in stored] == [
        ("tab\there", True, 1, "52.50000", "2024-01-02 06:07:08"),
        ("line\nbreak\r\n", False, None, None, None),
        ("back\\slash \\N", True, 3, "0.00000", "2024-12-31 23:59:59.5"),
        ("", False, 0, "0.00001", "2024-01-02 06:07:08"),
        (None, True, 5, "700.00000", "2023-05-01 00:00:00"),
        ("ünï ✓", False, 6, "2.25000", "2026-11-21 12:00:00"),
    ]


def test_ids_are_attached_on_every_key_and_a_missing_or_doubled_parent_refuses():
    """The id lookup that joins blocks to their workouts and exercises: rows find the id of the
    row equal on every key (text stored as plain strings, looked up from pandas' string dtype,
    timestamps with and without microseconds), in the frame's own order; a row without a parent,
    or a parent stored twice, refuses the load. Expected ids written out by hand."""
    frame = pd.DataFrame(
        {
            "source": pd.array(["hevy", "strong", "hevy", "hevy", "strong"], dtype="string"),
            "start_time": pd.to_datetime(
                ["2024-01-01 06:00", "2024-01-01 06:00", "2024-01-02 06:00:00.5"]
                + ["2024-01-01 06:00", "2024-01-02 06:00:00.5"],
                format="ISO8601",
            ).astype("datetime64[us]"),
            "exercise_order": [0, 0, 1, 1, 0],
        }
    )
    stored = pd.DataFrame(
        {
            "source": ["strong", "hevy", "hevy", "strong"],
            "start_time": [
                datetime(2024, 1, 2, 6, 0, 0, 500000),
                datetime(2024, 1, 2, 6, 0, 0, 500000),
                datetime(2024, 1, 1, 6),
                datetime(2024, 1, 1, 6),
            ],
            "workout_id": [40, 30, 10, 20],
        }
    )
    joined = _attach(frame, stored.copy(), ["source", "start_time"], "a block")
    assert joined["workout_id"].tolist() == [10, 20, 30, 10, 40]
    assert joined["exercise_order"].tolist() == [0, 0, 1, 1, 0]
    assert str(joined["workout_id"].dtype) == "int64"
    with pytest.raises(LoadRefused, match="a block without its parent row"):
        _attach(frame, stored.iloc[1:].copy(), ["source", "start_time"], "a block")
    doubled = pd.concat([stored, stored.iloc[[0]].assign(workout_id=99)], ignore_index=True)
    with pytest.raises(LoadRefused, match="a block with two stored parent rows"):
        _attach(frame, doubled, ["source", "start_time"], "a block")


NATURAL_SETS = """
    SELECT a.athlete_key, w.source, w.start_time, w.workout_name, we.exercise_order,
           e.exercise_key, we.notes, s.set_index, s.set_type, s.weight_kg, s.reps, s.distance_km,
           s.duration_seconds, s.rpe
    FROM fitness.sets s
    JOIN fitness.workout_exercises we USING (workout_exercise_id)
    JOIN fitness.workouts w USING (workout_id)
    JOIN fitness.athletes a USING (athlete_id)
    JOIN fitness.exercises e ON e.exercise_id = we.exercise_id
"""


def _athletes_from_sample(raw_dir: Path, keys: list[str]) -> None:
    """Copies of the sample athlete under other names (their rows differ only by athlete)."""
    for key in keys:
        shutil.copytree(raw_dir / "demo", raw_dir / key)


def test_parallel_load_stores_what_a_sequential_load_stores(
    platform_env, warehouse, raw_dir, monkeypatch, pg_admin_url
):
    _athletes_from_sample(raw_dir, ["coach_a", "coach_b", "coach_c"])
    monkeypatch.setenv("FITNESS_LOAD_WORKERS", "3")
    parallel = run_ingest()
    assert parallel.success
    meta = materialization_metadata(parallel, ("fitness", "sets"))
    assert (meta["athletes_loaded"], meta["load_connections"]) == (4, 3)
    with warehouse.connect() as conn:
        side_by_side = sorted(tuple(r) for r in conn.execute(text(NATURAL_SETS)))
    # data/corrections.csv is keyed by athlete, so only demo's two planted errors are fixed: each
    # copy quarantines the set typed with 111 reps and keeps the curl set without its weight.
    assert len(side_by_side) == 9542 + 3 * 9541
    per_athlete = {}
    for row in side_by_side:
        per_athlete.setdefault(row[0], []).append(row[1:])
    assert sorted(per_athlete) == ["coach_a", "coach_b", "coach_c", "demo"]
    assert per_athlete["coach_a"] == per_athlete["coach_b"] == per_athlete["coach_c"]
    only_demo = set(per_athlete["demo"]) - set(per_athlete["coach_a"])
    only_copy = set(per_athlete["coach_a"]) - set(per_athlete["demo"])
    fixed = sorted(only_demo, key=lambda r: r[4])  # columns as in NATURAL_SETS, athlete dropped
    assert [r[4] for r in fixed] == ["bicep_curl_machine", "preacher_curl_machine"]
    assert fixed[0][8] == Decimal("54.00") and fixed[1][9] == 11
    (unfixed,) = only_copy
    assert unfixed[4] == "bicep_curl_machine" and unfixed[8] is None
    assert unfixed[:8] + unfixed[9:] == fixed[0][:8] + fixed[0][9:]
    # The same exports loaded one athlete at a time into a second database: the same rows.
    with fresh_database(pg_admin_url) as second_url:
        monkeypatch.setenv("FITNESS_DATABASE_URL", second_url)
        monkeypatch.setenv("FITNESS_LOAD_WORKERS", "1")
        assert run_ingest().success
        with WarehouseResource(database_url=second_url).connect() as conn:
            one_by_one = sorted(tuple(r) for r in conn.execute(text(NATURAL_SETS)))
    assert one_by_one == side_by_side


def test_staging_tables_outlive_a_load_and_start_every_load_empty(warehouse, raw_dir):
    """One connection loads three times: demo (nothing stored: the tables are created), a copy
    of demo whose transaction is rolled back after staging, then the copy for real, then demo
    again with one weight edited (the merge path, which stages blocks and sets too). The tables
    are the same ones throughout, and each load sees only its own athlete's rows."""
    _athletes_from_sample(raw_dir, ["coach_a"])
    files = discover(raw_dir)
    catalog, corrections = load_catalog(CATALOG_PATH), load_corrections(CORRECTIONS_PATH)

    def silver(key):
        mine = [f for f in files if f.athlete_key == key]
        return parse_athlete(key, mine, catalog=catalog, corrections=corrections)

    def staging(conn):
        return tuple(
            conn.execute(
                text("SELECT 'pg_temp.stage_workouts'::regclass::oid, count(*) FROM stage_workouts")
            ).one()
        )

    def staging_now(conn):
        with conn.begin():
            return staging(conn)

    demo, copy = silver("demo"), silver("coach_a")
    with warehouse.connect() as conn:
        with conn.begin():
            load_athlete(conn, demo, fingerprint="a", files=[])
            table, staged_demo = staging(conn)
        assert staging_now(conn) == (table, 0)  # emptied by the commit, not dropped
        with pytest.raises(RuntimeError), conn.begin():
            stage(conn, copy)
            raise RuntimeError("the load fails after staging")
        assert staging_now(conn) == (table, 0)
        with conn.begin():
            load_athlete(conn, copy, fingerprint="b", files=[])
            assert staging(conn) == (table, staged_demo)  # only coach_a's workouts
    stored = scalar(
        warehouse,
        "SELECT count(*) FROM fitness.workouts w JOIN fitness.athletes a USING (athlete_id) "
        "WHERE a.athlete_key = 'coach_a'",
    )
    assert staged_demo == stored > 0

    path = raw_dir / "demo" / SAMPLE_HEVY.name
    header, rows = read_rows(path)
    col = {name: i for i, name in enumerate(header)}
    target = next(i for i, r in enumerate(rows) if r[col["set_type"]] == "normal")
    rows[target][col["weight_kg"]] = "301.5"
    write_rows(path, header, rows)
    files = discover(raw_dir)
    with warehouse.connect() as conn, conn.begin():
        counts = load_athlete(conn, silver("demo"), fingerprint="c", files=[])
    assert (counts["sets"].inserted, counts["sets"].updated, counts["sets"].deleted) == (0, 1, 0)


def test_a_new_athletes_direct_writes_store_what_the_merge_path_stores(warehouse, raw_dir):
    """A new athlete's diet days go straight into the table and their row counts are the load's
    own; an athlete stored before its first export goes through staging, the upsert and a count.
    The same export stores the same rows and keeps the same counts either way, and the kept counts
    are what counting the athlete's rows gives."""
    # Copies of the sample (demo's own corrections would make demo's rows differ).
    _athletes_from_sample(raw_dir, ["fresh", "known"])
    with warehouse.begin() as conn:
        athlete_id_for(conn, "known")  # stored before its first load: the merge path
    assert load_dir(warehouse, raw_dir, athlete="fresh")["athletes"].inserted == 1
    assert load_dir(warehouse, raw_dir, athlete="known")["athletes"].inserted == 0

    def rows(athlete, sql):
        with warehouse.connect() as conn:
            return sorted(tuple(r) for r in conn.execute(text(sql), {"key": athlete}))

    diet = (
        "SELECT d.diet_date, d.carbs_g, d.protein_g, d.fat_g, d.calories_kcal, "
        "d.cardio_weekly_min, d.cycle_number, d.bodyweight_kg, d.notes FROM fitness.diet_daily d "
        "JOIN fitness.athletes a USING (athlete_id) WHERE a.athlete_key = :key"
    )
    kept = (
        "SELECT k.table_name, k.rows FROM fitness.athlete_row_counts k "
        "JOIN fitness.athletes a USING (athlete_id) WHERE a.athlete_key = :key"
    )
    counted = (
        "SELECT c.table_name, c.rows FROM fitness.athletes a "
        "CROSS JOIN LATERAL fitness.count_athlete_rows(a.athlete_id) c WHERE a.athlete_key = :key"
    )
    assert len(rows("fresh", diet)) > 100
    assert rows("fresh", diet) == rows("known", diet)
    assert rows("fresh", kept) == rows("known", kept) == rows("fresh", counted)
    assert {table for table, _ in rows("fresh", kept)} == set(ATHLETE_ROW_TABLES)


def test_a_reclassified_exercise_puts_behind_only_the_athletes_who_trained_it(warehouse, raw_dir):
    """Gold is rebuilt only for the athletes a load changed, so a change to the shared exercise
    dimension (a title reclassified) must put behind every athlete who trained that exercise, and
    no one else (``13_mark_gold_stale.sql``). ``legless`` is the sample without its leg press."""
    shutil.copytree(raw_dir / "demo", raw_dir / "legless")
    path = raw_dir / "legless" / SAMPLE_HEVY.name
    header, rows = read_rows(path)
    title = header.index("exercise_title")
    kept = [r for r in rows if r[title] != "Leg Press (Machine)"]
    assert 0 < len(kept) < len(rows)
    write_rows(path, header, kept)
    demo = parse_athlete(
        "demo",
        [f for f in discover(raw_dir) if f.athlete_key == "demo"],
        catalog=load_catalog(CATALOG_PATH),
    )
    load_dir(warehouse, raw_dir)
    load_dir(warehouse, raw_dir, athlete="legless")
    with warehouse.begin() as conn:  # Gold built for both: each athlete's load recorded
        ids = [r[0] for r in conn.execute(text("SELECT athlete_id FROM fitness.athletes"))]
        run_file(conn, state_sql("record_gold_athletes.sql"), {"athletes": ids})

    def current() -> list[str]:
        with warehouse.connect() as conn:
            return (
                conn.execute(
                    text(
                        "SELECT a.athlete_key FROM fitness.gold_athlete_state g "
                        "JOIN fitness.athletes a USING (athlete_id) ORDER BY 1"
                    )
                )
                .scalars()
                .all()
            )

    assert current() == ["demo", "legless"]
    leg_press = demo.exercises[demo.exercises["exercise_key"] == "leg_press_machine"]
    assert leg_press["equipment"].tolist() == ["machine"]
    with warehouse.begin() as conn:  # the same classification again: nothing changes
        same = upsert_exercises(conn, leg_press)
    assert same["exercises"].updated == 0 and current() == ["demo", "legless"]
    with warehouse.begin() as conn:
        moved = upsert_exercises(conn, leg_press.assign(equipment="barbell"))
    assert moved["exercises"].updated == 1
    assert current() == ["legless"]


def test_load_workers_setting_is_validated(monkeypatch):
    from fitness_platform.errors import ConfigurationError
    from fitness_platform.settings import Settings

    monkeypatch.setenv("FITNESS_LOAD_WORKERS", "two")
    with pytest.raises(ConfigurationError, match="FITNESS_LOAD_WORKERS must be a whole number"):
        Settings.from_env()
    monkeypatch.setenv("FITNESS_LOAD_WORKERS", "3")
    assert Settings.from_env().load_workers == 3
    assert WarehouseResource(load_workers=3).workers_for(2) == 2  # never more than athletes
    assert WarehouseResource(load_workers=1).workers_for(50) == 1


def test_a_file_edited_during_a_run_is_recorded_with_what_was_parsed(platform_env, warehouse):
    """The scan fingerprints one content (A'), the file changes again (A''), silver parses A''.
    The load must be recorded as A'': recorded as A', the warehouse would keep A'' for good once
    the file is put back to A' (its fingerprint would then equal the recorded one)."""
    raw_dir = Path(platform_env["FITNESS_RAW_DIR"])
    export = raw_dir / "demo" / SAMPLE_HEVY.name
    defs = definitions()
    job = defs.resolve_job_def("ingest_job")
    assert run_ingest(defs).success
    leg_press = """
        SELECT max(s.weight_kg) FROM fitness.sets s
        JOIN fitness.workout_exercises we USING (workout_exercise_id)
        JOIN fitness.workouts w USING (workout_id)
        JOIN fitness.exercises e ON e.exercise_id = we.exercise_id
        WHERE e.exercise_name = 'Leg Press (Machine)' AND w.workout_date = '2024-08-15'"""

    edit_one_set(raw_dir, new_weight="333")
    scanned = export.read_bytes()  # A'
    groups = {s.key: s.group_name for s in defs.resolve_all_asset_specs()}
    scan = job.execute_in_process(
        run_config=QUIET, asset_selection=[k for k, g in groups.items() if g == "raw"]
    )
    assert scan.success
    edit_one_set(raw_dir, new_weight="444")  # A'': after the scan, before the parse
    rest = job.execute_in_process(
        run_config=QUIET,
        asset_selection=[k for k, g in groups.items() if g in {"silver", "warehouse", "gold"}],
    )
    assert rest.success
    assert scalar(warehouse, leg_press) == Decimal("444.00")

    export.write_bytes(scanned)  # back to A'
    assert run_ingest(defs).success
    assert scalar(warehouse, leg_press) == Decimal("333.00")


def test_a_load_waits_for_another_run_holding_the_athlete_and_says_so(warehouse, raw_dir):
    """Two loads of one athlete never interleave: the second waits for the first's lock, is told
    so, and finds the load done when the other run committed the same content."""
    import threading

    from fitness_platform.warehouse.load import lock_athlete

    files = [f for f in discover(raw_dir) if f.athlete_key == "demo"]
    silver = parse_athlete(
        "demo",
        files,
        catalog=load_catalog(CATALOG_PATH),
        corrections=load_corrections(CORRECTIONS_PATH),
    )
    messages, outcome = [], {}
    holder = warehouse.engine().connect()
    holder.begin()
    lock_athlete(holder, "demo")

    def second_run():
        with warehouse.begin() as conn:
            outcome["counts"] = load_athlete(
                conn,
                silver,
                fingerprint="fp",
                files=[],
                on_wait=messages.append,
                seen_fingerprint=None,
            )

    thread = threading.Thread(target=second_run)
    thread.start()
    deadline = time.monotonic() + 10
    while not messages and time.monotonic() < deadline:
        time.sleep(0.05)
    assert messages == ["athlete demo: another run is loading this athlete; waiting for it"]
    assert thread.is_alive()  # still waiting
    # The first run commits this very load (same fingerprint), then releases the lock.
    load_athlete(holder, silver, fingerprint="fp", files=[])
    holder.commit()
    holder.close()
    thread.join(timeout=30)
    assert outcome["counts"] is None  # nothing left to do
    assert scalar(warehouse, "SELECT count(*) FROM fitness.sets") == 9542
