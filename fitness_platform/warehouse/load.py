"""Set-based load of one athlete: COPY into staging tables, then one upsert per table.

Everything for one athlete happens in the caller's transaction, so a failure (or a killed
process) leaves the warehouse exactly as it was."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass

import pandas as pd
from sqlalchemy import Connection, text

from fitness_platform.errors import LoadRefused
from fitness_platform.ingest.athlete import AthleteSilver
from fitness_platform.sqlfiles import load_sql, run_file

MAX_DELETE_FRACTION = 0.10
TABLES = ["athletes", "cycles", "exercises", "muscle_groups", "exercise_muscle_map", "workouts",
          "workout_exercises", "sets", "diet_daily", "rejected_rows"]


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
    return TableCounts(inserted, updated, int(row.get("deleted") or 0),
                       max(staged - inserted - updated, 0))


def _rows(frame: pd.DataFrame, columns: list[str]):
    """Plain Python tuples for COPY, with NaN/NA as NULL."""
    data = frame[columns].astype(object)
    for values in data.itertuples(index=False, name=None):
        yield tuple(None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA
                    or v is pd.NaT else v for v in values)


def copy_rows(conn: Connection, table: str, frame: pd.DataFrame, columns: list[str],
              source_columns: list[str] | None = None) -> int:
    """Bulk COPY ``frame`` into a staging table through psycopg 3 (no per-row round trips)."""
    if frame.empty:
        return 0
    raw = conn.connection.driver_connection
    cols = ", ".join(columns)
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        for row in _rows(frame, source_columns or columns):
            copy.write_row(row)
    return len(frame)


def athlete_id_for(conn: Connection, athlete_key: str, profile: dict | None = None
                   ) -> tuple[int, bool]:
    """The athlete's id, creating the athlete if new (settings from athlete.toml kept up to date);
    returns (id, created)."""
    profile = profile or {}
    row = conn.execute(text(
        "INSERT INTO fitness.athletes (athlete_key, display_name, time_zone) "
        "VALUES (:key, :name, :tz) "
        "ON CONFLICT (athlete_key) DO UPDATE SET display_name = EXCLUDED.display_name, "
        "time_zone = EXCLUDED.time_zone "
        "RETURNING athlete_id, (xmax = 0) AS created"),
        {"key": athlete_key, "name": profile.get("display_name"),
         "tz": profile.get("time_zone")}).one()
    return row[0], bool(row[1])


def stage(conn: Connection, silver: AthleteSilver) -> dict[str, int]:
    """COPY one athlete's silver frames into the per-transaction staging tables."""
    run_file(conn, load_sql("00_stage_tables.sql"))
    sets = silver.sets
    exercises = silver.exercises.drop_duplicates("exercise_key")
    workouts = sets.drop_duplicates(["source", "start_time"])
    blocks = sets.drop_duplicates(["source", "start_time", "exercise_order"])
    staged = {
        "exercises": copy_rows(conn, "stage_exercises", exercises, [
            "exercise_key", "exercise_name", "exercise_type", "equipment", "is_cardio",
            "catalog_source", "primary_muscle_group", "secondary_muscle_groups"], [
            "exercise_key", "exercise_title", "exercise_type", "equipment", "is_cardio",
            "catalog_source", "primary_muscle_group", "secondary_muscle_groups"]),
        "workouts": copy_rows(conn, "stage_workouts", workouts, [
            "source", "start_time", "end_time", "workout_name", "description"]),
        "workout_exercises": copy_rows(conn, "stage_blocks", blocks, [
            "source", "start_time", "exercise_order", "exercise_key", "superset_id", "notes"]),
        "sets": copy_rows(conn, "stage_sets", sets, [
            "source", "start_time", "exercise_order", "set_index", "set_type", "weight_kg", "reps",
            "distance_km", "duration_seconds", "rpe"]),
        "cycles": copy_rows(conn, "stage_cycles", silver.cycles, [
            "cycle_number", "cycle_name", "cycle_type", "start_date", "end_date"]),
        "diet_daily": copy_rows(conn, "stage_diet", silver.diet, [
            "diet_date", "carbs_g", "protein_g", "fat_g", "calories_kcal", "cardio_weekly_min",
            "cycle_number", "bodyweight_kg", "notes"]),
        "rejected_rows": copy_rows(conn, "stage_rejected", silver.rejects, [
            "source_file", "source_line", "rule", "row_date", "raw_values"]),
    }
    corrections = pd.DataFrame([c for c in silver.corrections if c["status"] == "applied"],
                               columns=["workout_start", "exercise_title", "block", "set_index",
                                        "field", "old_value", "new_value", "reason"])
    copy_rows(conn, "stage_corrections", corrections, list(corrections.columns))
    # Temporary tables are never auto-analysed; the planner needs their sizes for the joins.
    conn.exec_driver_sql("ANALYZE stage_workouts, stage_blocks, stage_sets, stage_diet")
    return staged


def load_athlete(conn: Connection, silver: AthleteSilver, *, fingerprint: str, files: list[dict],
                 allow_mass_delete: bool = False) -> dict[str, TableCounts]:
    """Upsert one athlete's silver rows; returns per-table inserted/updated/deleted/unchanged."""
    athlete_id, created = athlete_id_for(conn, silver.athlete_key, silver.profile)
    staged = stage(conn, silver)
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
    counts["exercises"] = _counts(run_file(conn, load_sql("11_upsert_exercises.sql"), params),
                                  staged["exercises"])
    mapping = run_file(conn, load_sql("12_upsert_exercise_muscle_map.sql"), params)
    counts["exercise_muscle_map"] = TableCounts(
        inserted=int(mapping["inserted"]), deleted=int(mapping["deleted"]),
        unchanged=int(mapping["staged"]) - int(mapping["inserted"]))
    counts["workouts"] = _counts(run_file(conn, load_sql("21_upsert_workouts.sql"), params),
                                 staged["workouts"])
    counts["workout_exercises"] = _counts(
        run_file(conn, load_sql("30_upsert_workout_exercises.sql"), params),
        staged["workout_exercises"])
    counts["sets"] = _counts(run_file(conn, load_sql("40_upsert_sets.sql"), params),
                             staged["sets"])
    counts["workout_exercises"].deleted = int(
        run_file(conn, load_sql("31_delete_workout_exercises.sql"), params)["deleted"])
    counts["workouts"].deleted = int(
        run_file(conn, load_sql("22_delete_workouts.sql"), params)["deleted"])
    counts["cycles"] = _counts(run_file(conn, load_sql("50_upsert_cycles.sql"), params),
                               staged["cycles"])
    counts["diet_daily"] = _counts(run_file(conn, load_sql("60_upsert_diet.sql"), params),
                                   staged["diet_daily"])
    counts["rejected_rows"] = _counts(
        run_file(conn, load_sql("70_upsert_rejected_rows.sql"), params), staged["rejected_rows"])
    run_file(conn, load_sql("80_replace_corrections.sql"), params)
    conn.execute(text(
        "INSERT INTO fitness.athlete_loads (athlete_id, fingerprint, files) "
        "VALUES (:athlete_id, :fingerprint, CAST(:files AS jsonb)) "
        "ON CONFLICT (athlete_id) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, "
        "files = EXCLUDED.files, loaded_at = now()"),
        {"athlete_id": athlete_id, "fingerprint": fingerprint, "files": json.dumps(files)})
    return counts


def loaded_fingerprints(conn: Connection) -> dict[str, str]:
    return dict(conn.execute(text(
        "SELECT a.athlete_key, l.fingerprint FROM fitness.athlete_loads l "
        "JOIN fitness.athletes a USING (athlete_id)")).all())


def table_row_counts(conn: Connection) -> dict[str, int]:
    """Row count of every warehouse table (table names come from the fixed list above)."""
    return {t: conn.execute(text(f"SELECT count(*) FROM fitness.{t}")).scalar_one() for t in TABLES}
