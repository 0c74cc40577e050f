"""Set-based load of one athlete: COPY into staging tables, then one upsert per table.

Everything for one athlete happens in the caller's transaction, so a failure (or a killed
process) leaves the warehouse exactly as it was."""

from __future__ import annotations

import json
import math
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import pandas as pd
from sqlalchemy import Connection, text

from fitness_platform.errors import LoadRefused
from fitness_platform.ingest.athlete import AthleteSilver
from fitness_platform.ingest.hevy import CORRECTION_FIELDS
from fitness_platform.sqlfiles import load_sql, run_file

MAX_DELETE_FRACTION = 0.10
TABLES = [
    "athletes",
    "cycles",
    "exercises",
    "muscle_groups",
    "exercise_muscle_map",
    "workouts",
    "workout_exercises",
    "sets",
    "diet_daily",
    "rejected_rows",
]


@dataclass
class TableCounts:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    def add(self, other: TableCounts) -> None:
        for key, value in asdict(other).items():
            setattr(self, key, getattr(self, key) + value)

    @property
    def written(self) -> int:
        return self.inserted + self.updated + self.deleted


def _counts(row: dict | None, staged: int) -> TableCounts:
    row = row or {}
    inserted, updated = int(row.get("inserted") or 0), int(row.get("updated") or 0)
    return TableCounts(
        inserted, updated, int(row.get("deleted") or 0), max(staged - inserted - updated, 0)
    )


def _rows(frame: pd.DataFrame, columns: list[str]):
    """Plain Python tuples for COPY, with NaN/NA as NULL."""
    data = frame[columns].astype(object)
    for values in data.itertuples(index=False, name=None):
        yield tuple(
            None
            if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT
            else v
            for v in values
        )


@contextmanager
def timed(timings: dict | None, step: str):
    """Add the block's wall time to ``timings[step]`` (when timings are being collected)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        if timings is not None:
            timings[step] = timings.get(step, 0.0) + time.perf_counter() - started


def copy_rows(
    conn: Connection,
    table: str,
    frame: pd.DataFrame,
    columns: list[str],
    source_columns: list[str] | None = None,
) -> int:
    """Bulk COPY ``frame`` into a staging table through psycopg 3 (no per-row round trips)."""
    if frame.empty:
        return 0
    raw = conn.connection.driver_connection
    cols = ", ".join(columns)
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        for row in _rows(frame, source_columns or columns):
            copy.write_row(row)
    return len(frame)


def copy_csv(conn: Connection, table: str, frame: pd.DataFrame, columns: list[str]) -> int:
    """Bulk COPY through CSV text written by pandas: for large frames whose text columns are never
    empty strings (CSV cannot tell an empty string from NULL, which is what a blank cell means)."""
    if frame.empty:
        return 0
    data = frame[columns].to_csv(index=False, header=False, date_format="%Y-%m-%d %H:%M:%S")
    raw = conn.connection.driver_connection
    with (
        raw.cursor() as cur,
        cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)") as copy,
    ):
        copy.write(data)
    return len(frame)


def athlete_id_for(
    conn: Connection, athlete_key: str, profile: dict | None = None
) -> tuple[int, bool]:
    """The athlete's id, creating the athlete if new (settings from athlete.toml kept up to date);
    returns (id, created)."""
    profile = profile or {}
    row = conn.execute(
        text(
            "INSERT INTO fitness.athletes (athlete_key, display_name, time_zone) "
            "VALUES (:key, :name, :tz) "
            "ON CONFLICT (athlete_key) DO UPDATE SET display_name = EXCLUDED.display_name, "
            "time_zone = EXCLUDED.time_zone "
            "RETURNING athlete_id, (xmax = 0) AS created"
        ),
        {"key": athlete_key, "name": profile.get("display_name"), "tz": profile.get("time_zone")},
    ).one()
    return row[0], bool(row[1])


def stage(conn: Connection, silver: AthleteSilver, timings: dict | None = None) -> dict[str, int]:
    """COPY one athlete's silver frames into the per-transaction staging tables."""
    run_file(conn, load_sql("00_stage_tables.sql"))
    sets = silver.sets
    exercises = silver.exercises.drop_duplicates("exercise_key")
    workouts = sets.drop_duplicates(["source", "start_time"])
    blocks = sets.drop_duplicates(["source", "start_time", "exercise_order"])
    staged = {
        "exercises": copy_rows(
            conn,
            "stage_exercises",
            exercises,
            [
                "exercise_key",
                "exercise_name",
                "exercise_type",
                "equipment",
                "is_cardio",
                "catalog_source",
                "primary_muscle_group",
                "secondary_muscle_groups",
            ],
            [
                "exercise_key",
                "exercise_title",
                "exercise_type",
                "equipment",
                "is_cardio",
                "catalog_source",
                "primary_muscle_group",
                "secondary_muscle_groups",
            ],
        ),
        "workouts": copy_rows(
            conn,
            "stage_workouts",
            workouts,
            ["source", "start_time", "end_time", "workout_name", "description"],
        ),
        "workout_exercises": copy_rows(
            conn,
            "stage_blocks",
            blocks,
            ["source", "start_time", "exercise_order", "exercise_key", "superset_id", "notes"],
        ),
    }
    staged["sets"] = len(sets)  # staged later, and only when existing sets must be merged
    staged |= {
        "cycles": copy_rows(
            conn,
            "stage_cycles",
            silver.cycles,
            ["cycle_number", "cycle_name", "cycle_type", "start_date", "end_date"],
        ),
        "diet_daily": copy_rows(
            conn,
            "stage_diet",
            silver.diet,
            [
                "diet_date",
                "carbs_g",
                "protein_g",
                "fat_g",
                "calories_kcal",
                "cardio_weekly_min",
                "cycle_number",
                "bodyweight_kg",
                "notes",
            ],
        ),
        "rejected_rows": copy_rows(
            conn,
            "stage_rejected",
            silver.rejects,
            ["source_file", "source_line", "rule", "row_date", "raw_values"],
        ),
    }
    corrections = pd.DataFrame(
        [c for c in silver.corrections if c["status"] == "applied"], columns=CORRECTION_FIELDS
    )
    copy_rows(conn, "stage_corrections", corrections, list(corrections.columns))
    # Temporary tables are never auto-analysed; the planner needs their sizes for the joins.
    conn.exec_driver_sql("ANALYZE stage_workouts, stage_blocks, stage_diet")
    return staged


SETS_TABLE_COLUMNS = [
    "workout_exercise_id",
    "set_index",
    "set_type",
    "weight_kg",
    "reps",
    "distance_km",
    "duration_seconds",
    "rpe",
]


def copy_new_sets(conn: Connection, athlete_id: int, sets: pd.DataFrame) -> TableCounts:
    """The sets of an athlete with nothing stored yet for these sources: nothing to update or
    delete, so they are COPYed straight into fitness.sets (their blocks were just upserted).
    Silver already refused duplicate (block, set_index) pairs; the unique key still guards."""
    blocks = pd.DataFrame(
        conn.execute(
            text(
                "SELECT w.source, w.start_time, we.exercise_order, we.workout_exercise_id "
                "FROM fitness.workout_exercises we JOIN fitness.workouts w USING (workout_id) "
                "WHERE w.athlete_id = :a"
            ),
            {"a": athlete_id},
        ).all(),
        columns=["source", "start_time", "exercise_order", "workout_exercise_id"],
    )
    blocks["start_time"] = blocks["start_time"].astype("datetime64[us]")
    rows = sets.merge(
        blocks, on=["source", "start_time", "exercise_order"], how="left", validate="many_to_one"
    )
    if rows["workout_exercise_id"].isna().any():
        raise LoadRefused("internal: a set without its exercise block; nothing was changed")
    rows["workout_exercise_id"] = rows["workout_exercise_id"].astype("int64")
    copy_csv(conn, "fitness.sets", rows, SETS_TABLE_COLUMNS)
    return TableCounts(inserted=len(rows))


def load_athlete(
    conn: Connection,
    silver: AthleteSilver,
    *,
    fingerprint: str,
    files: list[dict],
    allow_mass_delete: bool = False,
    timings: dict | None = None,
) -> dict[str, TableCounts]:
    """Upsert one athlete's silver rows; returns per-table inserted/updated/deleted/unchanged.

    ``timings``, when given, accumulates seconds per step (``copy_sets``, ``upsert_sets``, …)."""
    athlete_id, created = athlete_id_for(conn, silver.athlete_key, silver.profile)
    with timed(timings, "stage"):
        staged = stage(conn, silver, timings)
    has_diet = staged["diet_daily"] > 0 or staged["cycles"] > 0
    params = {"athlete_id": athlete_id, "has_diet": has_diet}

    guard = run_file(conn, load_sql("20_count_workout_deletions.sql"), params)
    for what, doomed, existing in [
        ("workouts", guard["workouts_to_delete"], guard["workouts_existing"]),
        ("diet days", guard["diet_days_to_delete"], guard["diet_days_existing"]),
    ]:
        if existing and doomed > MAX_DELETE_FRACTION * existing and not allow_mass_delete:
            raise LoadRefused(
                f"athlete '{silver.athlete_key}': the new export would delete {doomed} of "
                f"{existing} stored {what} (more than {MAX_DELETE_FRACTION:.0%}); it looks like a "
                "partial export. Nothing was changed. If the deletions are intended, set "
                "FITNESS_ALLOW_MASS_DELETE=1 (or the run config allow_mass_delete: true)."
            )

    counts: dict[str, TableCounts] = {"athletes": TableCounts(int(created), 0, 0, int(not created))}
    groups = run_file(conn, load_sql("10_upsert_muscle_groups.sql"), params)
    counts["muscle_groups"] = TableCounts(inserted=int(groups["inserted"]))
    counts["exercises"] = _counts(
        run_file(conn, load_sql("11_upsert_exercises.sql"), params), staged["exercises"]
    )
    mapping = run_file(conn, load_sql("12_upsert_exercise_muscle_map.sql"), params)
    counts["exercise_muscle_map"] = TableCounts(
        inserted=int(mapping["inserted"]),
        deleted=int(mapping["deleted"]),
        unchanged=int(mapping["staged"]) - int(mapping["inserted"]),
    )
    counts["workouts"] = _counts(
        run_file(conn, load_sql("21_upsert_workouts.sql"), params), staged["workouts"]
    )
    counts["workout_exercises"] = _counts(
        run_file(conn, load_sql("30_upsert_workout_exercises.sql"), params),
        staged["workout_exercises"],
    )
    if guard["workouts_existing"] == 0:
        with timed(timings, "copy_sets"):
            counts["sets"] = copy_new_sets(conn, athlete_id, silver.sets)
    else:
        with timed(timings, "copy_sets"):
            copy_csv(
                conn,
                "stage_sets",
                silver.sets,
                [
                    "source",
                    "start_time",
                    "exercise_order",
                    "set_index",
                    "set_type",
                    "weight_kg",
                    "reps",
                    "distance_km",
                    "duration_seconds",
                    "rpe",
                ],
            )
            conn.exec_driver_sql("ANALYZE stage_sets")
        with timed(timings, "upsert_sets"):
            counts["sets"] = _counts(
                run_file(conn, load_sql("40_upsert_sets.sql"), params), staged["sets"]
            )
    counts["workout_exercises"].deleted = int(
        run_file(conn, load_sql("31_delete_workout_exercises.sql"), params)["deleted"]
    )
    counts["workouts"].deleted = int(
        run_file(conn, load_sql("22_delete_workouts.sql"), params)["deleted"]
    )
    counts["cycles"] = _counts(
        run_file(conn, load_sql("50_upsert_cycles.sql"), params), staged["cycles"]
    )
    counts["diet_daily"] = _counts(
        run_file(conn, load_sql("60_upsert_diet.sql"), params), staged["diet_daily"]
    )
    counts["rejected_rows"] = _counts(
        run_file(conn, load_sql("70_upsert_rejected_rows.sql"), params), staged["rejected_rows"]
    )
    run_file(conn, load_sql("80_replace_corrections.sql"), params)
    conn.execute(
        text(
            "INSERT INTO fitness.athlete_loads (athlete_id, fingerprint, files) "
            "VALUES (:athlete_id, :fingerprint, CAST(:files AS jsonb)) "
            "ON CONFLICT (athlete_id) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, "
            "files = EXCLUDED.files, loaded_at = now()"
        ),
        {"athlete_id": athlete_id, "fingerprint": fingerprint, "files": json.dumps(files)},
    )
    return counts


def loaded_fingerprints(conn: Connection) -> dict[str, str]:
    return dict(
        conn.execute(
            text(
                "SELECT a.athlete_key, l.fingerprint FROM fitness.athlete_loads l "
                "JOIN fitness.athletes a USING (athlete_id)"
            )
        ).all()
    )


def table_row_counts(conn: Connection) -> dict[str, int]:
    """Row count of every warehouse table (table names come from the fixed list above)."""
    return {t: conn.execute(text(f"SELECT count(*) FROM fitness.{t}")).scalar_one() for t in TABLES}
