"""Set-based load of one athlete: COPY into staging tables, then one upsert per table.

Everything for one athlete happens in the caller's transaction, so a failure (or a killed
process) leaves the warehouse exactly as it was."""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, text

from fitness_platform.errors import LoadRefused
from fitness_platform.ingest.athlete import AthleteSilver
from fitness_platform.ingest.body import VALUES as BODY_VALUES
from fitness_platform.ingest.diet import DIET_COLUMNS
from fitness_platform.ingest.sets import CORRECTION_FIELDS, row_keys
from fitness_platform.sqlfiles import (
    fetch_all,
    load_sql,
    query,
    run_file,
    state_sql,
    statements,
)
from fitness_platform.warehouse.tables import TABLES

MAX_DELETE_FRACTION = 0.10
# Advisory lock keys (arbitrary constants): the shared exercise dimension, and a namespace for one
# lock per athlete, so that two runs loading the same data never interleave.
DIMENSION_LOCK_KEY = 0x66697433
ATHLETE_LOCK_NAMESPACE = 0x6669
# ``load_athlete(seen_fingerprint=NOT_CHECKED)``: load whatever is stored (tests, benchmarks).
NOT_CHECKED = object()


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


# COPY text format: a backslash, tab, newline or carriage return inside a value is escaped, and
# \N is NULL (so an empty string and a missing value stay different, unlike COPY CSV).
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"


def _copy_cell(value, kind: str) -> str:
    if kind == "M":
        return value.isoformat(sep=" ")
    if kind == "b":
        return "t" if value else "f"
    if kind in "iu":
        return str(int(value))
    if kind == "f":
        return repr(float(value))
    return str(value).translate(_COPY_ESCAPES)


def _copy_column(series: pd.Series) -> list[str]:
    """One column as COPY text cells. Export columns hold few distinct values (workout times,
    weights, titles), so each distinct value is formatted once and the cells are a lookup."""
    codes, uniques = pd.factorize(series)  # missing values get code -1
    kind = series.dtype.kind
    cells = np.array([_copy_cell(v, kind) for v in uniques] + [_NULL], dtype=object)
    return cells[codes].tolist()


def copy_text(frame: pd.DataFrame, columns: list[str]) -> str:
    """``frame[columns]`` as the body of a ``COPY ... FROM STDIN`` in text format."""
    cells = [_copy_column(frame[column]) for column in columns]
    return "".join(f"{line}\n" for line in map("\t".join, zip(*cells, strict=True)))


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
    """Bulk COPY ``frame`` into ``table`` through psycopg 3: one text payload, no per-row round
    trips and no per-row Python formatting. ``source_columns`` name the frame's columns when they
    differ from the table's."""
    if frame.empty:
        return 0
    data = copy_text(frame, source_columns or columns)
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write(data)
    return len(frame)


def athlete_id_for(
    conn: Connection, athlete_key: str, profile: dict | None = None
) -> tuple[int, bool]:
    """The athlete's id, creating the athlete if new (settings from athlete.toml kept up to date);
    returns (id, created)."""
    profile = profile or {}
    (row,) = fetch_all(
        conn,
        load_sql("05_upsert_athlete.sql"),
        {
            "key": athlete_key,
            "name": profile.get("display_name"),
            "tz": profile.get("time_zone"),
            "sessions": profile.get("target_sessions_per_week"),
            "kcal": profile.get("target_calories_kcal"),
            "protein": profile.get("target_protein_g"),
            # The unit the athlete reads weights in (reports and charts; data stays in kg).
            "unit": "lb" if profile.get("weight_unit") in {"lb", "lbs"} else "kg",
            "recipients": list(profile.get("report_email_to") or []),
        },
    )
    return row[0], bool(row[1])


EXERCISE_COLUMNS = {  # stage_exercises column: silver column
    "exercise_key": "exercise_key",
    "exercise_name": "exercise_title",
    "exercise_type": "exercise_type",
    "equipment": "equipment",
    "is_cardio": "is_cardio",
    "catalog_source": "catalog_source",
    "primary_muscle_group": "primary_muscle_group",
    "secondary_muscle_groups": "secondary_muscle_groups",
}
BLOCK_KEY = ["source", "start_time", "exercise_order"]
BLOCK_COLUMNS = [*BLOCK_KEY, "exercise_key", "superset_id", "notes"]
SET_VALUES = [
    "set_index",
    "set_type",
    "weight_kg",
    "reps",
    "distance_km",
    "duration_seconds",
    "rpe",
]
SET_STAGE_COLUMNS = [*BLOCK_KEY, *SET_VALUES]
SETS_TABLE_COLUMNS = ["workout_exercise_id", *SET_VALUES]
DELETION_COLUMNS = ["hevy_id", "deleted_at", "start_time", "title"]
BODY_TABLE_COLUMNS = ["measured_on", "source", *BODY_VALUES]
# The diet columns the table holds (silver's provenance columns stay in silver).
DIET_TABLE_COLUMNS = [
    c for c in DIET_COLUMNS if c not in {"athlete_key", "source_file", "source_line"}
]


def upsert_exercises(conn: Connection, exercises: pd.DataFrame) -> dict[str, TableCounts]:
    """The shared dimension the exercises need: muscle groups, exercises and their map, written
    only where they changed. A load of many athletes runs this once, in its own transaction,
    so that the athletes' own transactions never wait on each other for these shared rows."""
    exercises = exercises.drop_duplicates("exercise_key")
    # Concurrent runs upserting overlapping exercise sets in different orders could deadlock.
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": DIMENSION_LOCK_KEY})
    run_file(conn, load_sql("09_stage_exercises.sql"))
    staged = copy_rows(
        conn, "stage_exercises", exercises, list(EXERCISE_COLUMNS), list(EXERCISE_COLUMNS.values())
    )
    groups = run_file(conn, load_sql("10_upsert_muscle_groups.sql"))
    upserted = run_file(conn, load_sql("11_upsert_exercises.sql"))
    mapping = run_file(conn, load_sql("12_upsert_exercise_muscle_map.sql"))
    if int(upserted["updated"]) or int(mapping["deleted"]):
        run_file(conn, load_sql("13_mark_gold_stale.sql"))
    return {
        "muscle_groups": TableCounts(inserted=int(groups["inserted"])),
        "exercises": _counts(upserted, staged),
        "exercise_muscle_map": TableCounts(
            inserted=int(mapping["inserted"]),
            deleted=int(mapping["deleted"]),
            unchanged=int(mapping["staged"]) - int(mapping["inserted"]),
        ),
    }


def create_staging_tables(conn: Connection) -> None:
    """The staging tables, unless this connection's session has them already: they live as long
    as the session and are emptied by every commit (and, as any rows, by a rollback). Created
    per load and dropped at its commit, the ten tables' catalog rows were made and removed for
    every athlete (9.6 ms of the server's 177 ms a new athlete, in a 20-athlete statement log),
    leaving dead catalog rows for autovacuum. The check runs in the load's own transaction, so it
    holds behind a pooler that hands each transaction another server session too."""
    if conn.exec_driver_sql("SELECT to_regclass('pg_temp.wanted_bodyweight')").scalar() is None:
        run_file(conn, load_sql("00_stage_tables.sql"))


def stage(conn: Connection, silver: AthleteSilver, *, new_athlete: bool = False) -> dict[str, int]:
    """COPY one athlete's workouts, diet and quarantine into the staging tables (blocks and sets
    are staged later, and only when stored ones must be merged). A new athlete's diet days are
    not staged (``copy_new_diet`` writes them), and nothing is analysed: with no stored rows to
    join, the planner's estimates change nothing."""
    create_staging_tables(conn)
    workouts = silver.sets.drop_duplicates(["source", "start_time"])
    staged = {
        "workouts": copy_rows(
            conn,
            "stage_workouts",
            workouts,
            ["source", "start_time", "end_time", "workout_name", "description"],
        ),
        "cycles": copy_rows(
            conn,
            "stage_cycles",
            silver.cycles,
            [
                "cycle_number",
                "cycle_name",
                "cycle_type",
                "start_date",
                "end_date",
                "target_calories_kcal",
                "target_protein_g",
            ],
        ),
        "diet_daily": len(silver.diet)
        if new_athlete
        else copy_rows(conn, "stage_diet", silver.diet, DIET_TABLE_COLUMNS),
        "body_measurements": copy_rows(conn, "stage_body", silver.body, BODY_TABLE_COLUMNS),
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
    deletions = pd.DataFrame(silver.deletions, columns=DELETION_COLUMNS)
    copy_rows(conn, "stage_hevy_deletions", deletions, DELETION_COLUMNS)
    if not new_athlete:
        # Temporary tables are never auto-analysed; the planner needs their sizes for the joins.
        conn.exec_driver_sql("ANALYZE stage_workouts, stage_diet")
    return staged


def _fetch_frame(conn: Connection, name: str, params: dict, columns: list[str]) -> pd.DataFrame:
    """The rows of ``sql/load/<name>`` as a frame, through psycopg directly (the file uses
    psycopg's ``%(name)s`` placeholders): building a frame from SQLAlchemy rows probes every row's
    attributes, which costs more than the query itself at a million sets."""
    (statement,) = statements(load_sql(name))
    with conn.connection.driver_connection.cursor() as cur:
        cur.execute(statement, params)
        return pd.DataFrame(cur.fetchall(), columns=columns)


def _attach(frame: pd.DataFrame, ids: pd.DataFrame, keys: list[str], what: str) -> pd.DataFrame:
    """``frame`` with the id column of ``ids`` (its last) looked up on ``keys``; every row must
    find exactly one id. The keys are coded as integers and looked up, not merged: a merge
    copies and re-sorts both frames, three times per athlete."""
    if "start_time" in keys:
        ids["start_time"] = ids["start_time"].astype("datetime64[us]")
    # One number per row of ids then of frame, equal exactly when every key is equal.
    columns = (pd.concat([ids[key], frame[key]], ignore_index=True) for key in keys)
    codes = pd.Index(row_keys(columns, len(ids) + len(frame)))
    stored = codes[: len(ids)]
    if not stored.is_unique:
        raise LoadRefused(f"internal: {what} with two stored parent rows; nothing was changed")
    found = stored.get_indexer(codes[len(ids) :])
    if (found < 0).any():
        raise LoadRefused(f"internal: {what} without its parent row; nothing was changed")
    id_column = ids.columns[-1]
    return frame.assign(**{id_column: ids[id_column].to_numpy(dtype="int64")[found]})


def copy_new_blocks(
    conn: Connection, athlete_id: int, silver: AthleteSilver
) -> tuple[TableCounts, np.ndarray]:
    """The exercise blocks of sources with no stored workouts: nothing to merge, so they are
    COPYed straight into fitness.workout_exercises, keyed by the workouts just inserted.

    Returns the counts and each set's ``workout_exercise_id`` (aligned with ``silver.sets``), so
    that the sets need no join of their own."""
    sets = silver.sets
    # Block number of every set, in order of first appearance (the order of the blocks below).
    codes = sets.groupby(BLOCK_KEY, sort=False, dropna=False).ngroup().to_numpy()
    first = np.unique(codes, return_index=True)[1]
    blocks = sets.iloc[first][BLOCK_COLUMNS].reset_index(drop=True)
    workouts = _fetch_frame(
        conn,
        "23_workout_ids.sql",
        {"athlete_id": athlete_id},
        ["source", "start_time", "workout_id"],
    )
    exercises = _fetch_frame(
        conn,
        "24_exercise_ids.sql",
        {"keys": list(pd.unique(blocks["exercise_key"]))},
        ["exercise_key", "exercise_id"],
    )
    rows = _attach(blocks, workouts, ["source", "start_time"], "an exercise block")
    rows = _attach(rows, exercises, ["exercise_key"], "an exercise block")
    copy_rows(
        conn,
        "fitness.workout_exercises",
        rows,
        ["workout_id", "exercise_id", "exercise_order", "superset_id", "notes"],
    )
    # The ids just assigned, found on integer keys (workout, position in it).
    ids = _fetch_frame(
        conn,
        "32_block_ids.sql",
        {"athlete_id": athlete_id},
        ["workout_id", "exercise_order", "workout_exercise_id"],
    )
    keyed = _attach(rows, ids, ["workout_id", "exercise_order"], "an exercise block")
    return TableCounts(inserted=len(rows)), keyed["workout_exercise_id"].to_numpy()[codes]


def copy_new_sets(conn: Connection, sets: pd.DataFrame, block_ids: np.ndarray) -> TableCounts:
    """The sets of sources with no stored workouts: nothing to update or delete, so they are
    COPYed straight into fitness.sets, with the ids of the blocks just inserted. Silver already
    refused duplicate (block, set_index) pairs; the unique key still guards."""
    rows = sets.assign(workout_exercise_id=block_ids)
    copy_rows(conn, "fitness.sets", rows, SETS_TABLE_COLUMNS)
    return TableCounts(inserted=len(rows))


def copy_new_diet(conn: Connection, athlete_id: int, diet: pd.DataFrame) -> TableCounts:
    """A new athlete's diet days: nothing stored to update or delete, so they are COPYed straight
    into fitness.diet_daily (silver has one row per date; the key still guards)."""
    copy_rows(
        conn,
        "fitness.diet_daily",
        diet.assign(athlete_id=athlete_id),
        ["athlete_id", *DIET_TABLE_COLUMNS],
    )
    return TableCounts(inserted=len(diet))


# The tables fitness.count_athlete_rows counts (schema 011), for a new athlete's first counts.
ATHLETE_ROW_TABLES = (
    "cycles",
    "workouts",
    "workout_exercises",
    "sets",
    "diet_daily",
    "body_measurements",
    "bodyweight_daily",
    "hevy_deletions",
    "rejected_rows",
)


def record_row_counts(
    conn: Connection, athlete_id: int, counts: dict[str, TableCounts], *, new_athlete: bool
) -> None:
    """Keep how many rows of each table are the athlete's (``table_row_counts`` sums them). A
    new athlete's rows are exactly the ones this load inserted, so the load's own counts are
    kept; otherwise the athlete's rows are counted (8 of the server's 180 ms per athlete)."""
    if not new_athlete:
        run_file(conn, state_sql("count_athlete_rows.sql"), {"athlete_id": athlete_id})
        return
    conn.execute(
        query(state_sql("record_new_athlete_rows.sql")),
        {
            "athlete_id": athlete_id,
            "tables": list(ATHLETE_ROW_TABLES),
            "rows": [counts[t].inserted for t in ATHLETE_ROW_TABLES],
        },
    )


def lock_athlete(conn: Connection, athlete_key: str, *, on_wait=None) -> None:
    """Hold this athlete's lock until the transaction ends, waiting while another run holds it."""
    params = {"namespace": ATHLETE_LOCK_NAMESPACE, "key": athlete_key}
    if conn.execute(
        text("SELECT pg_try_advisory_xact_lock(:namespace, hashtext(:key))"), params
    ).scalar_one():
        return
    if on_wait is not None:
        on_wait(f"athlete {athlete_key}: another run is loading this athlete; waiting for it")
    conn.execute(text("SELECT pg_advisory_xact_lock(:namespace, hashtext(:key))"), params)


def load_athlete(
    conn: Connection,
    silver: AthleteSilver,
    *,
    fingerprint: str,
    files: list[dict],
    allow_mass_delete: bool = False,
    timings: dict | None = None,
    dimensions: bool = True,
    on_wait=None,
    seen_fingerprint: str | None | object = NOT_CHECKED,
) -> dict[str, TableCounts] | None:
    """Upsert one athlete's silver rows; returns per-table inserted/updated/deleted/unchanged,
    or None when another run committed this very load while this one waited: the stored
    fingerprint is no longer ``seen_fingerprint`` (what the caller read before parsing) but
    already the one being loaded.

    ``dimensions=False`` when the caller has already upserted the shared exercise dimension
    (``upsert_exercises``) for this athlete's exercises. ``timings``, when given, accumulates
    seconds per step (``copy_sets``, ``upsert_sets``, …). ``on_wait`` is told, in a sentence,
    when another run holds this athlete's lock."""
    lock_athlete(conn, silver.athlete_key, on_wait=on_wait)
    if seen_fingerprint is not NOT_CHECKED:
        stored = fetch_all(
            conn, state_sql("athlete_fingerprint.sql"), {"athlete_key": silver.athlete_key}
        )
        stored_fingerprint = stored[0][0] if stored else None
        if stored_fingerprint != seen_fingerprint and stored_fingerprint == fingerprint:
            return None
    athlete_id, created = athlete_id_for(conn, silver.athlete_key, silver.profile)
    with timed(timings, "stage"):
        staged = stage(conn, silver, new_athlete=created)
    has_diet = staged["diet_daily"] > 0 or staged["cycles"] > 0
    params = {
        "athlete_id": athlete_id,
        "has_diet": has_diet,
        "has_body": staged["body_measurements"] > 0,
    }

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
    if dimensions:
        with timed(timings, "dimensions"):
            counts |= upsert_exercises(conn, silver.exercises)
    else:
        counts |= {t: TableCounts() for t in ("muscle_groups", "exercises", "exercise_muscle_map")}
    counts["workouts"] = _counts(
        run_file(conn, load_sql("21_upsert_workouts.sql"), params), staged["workouts"]
    )
    if guard["workouts_existing"] == 0 and silver.sets.empty:
        # A diet-only athlete, or an account with no workouts yet: nothing to store or merge.
        counts["workout_exercises"], counts["sets"] = TableCounts(), TableCounts()
    elif guard["workouts_existing"] == 0:
        # Nothing stored for these sources: blocks and sets go straight in by COPY.
        with timed(timings, "blocks"):
            counts["workout_exercises"], block_ids = copy_new_blocks(conn, athlete_id, silver)
        with timed(timings, "copy_sets"):
            counts["sets"] = copy_new_sets(conn, silver.sets, block_ids)
    else:
        with timed(timings, "blocks"):
            blocks = silver.sets.drop_duplicates(BLOCK_KEY)
            copy_rows(conn, "stage_blocks", blocks, BLOCK_COLUMNS)
            conn.exec_driver_sql("ANALYZE stage_blocks")
            counts["workout_exercises"] = _counts(
                run_file(conn, load_sql("30_upsert_workout_exercises.sql"), params), len(blocks)
            )
        with timed(timings, "copy_sets"):
            copy_rows(conn, "stage_sets", silver.sets, SET_STAGE_COLUMNS)
            conn.exec_driver_sql("ANALYZE stage_sets")
        with timed(timings, "upsert_sets"):
            counts["sets"] = _counts(
                run_file(conn, load_sql("40_upsert_sets.sql"), params), len(silver.sets)
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
    if created:
        counts["diet_daily"] = copy_new_diet(conn, athlete_id, silver.diet)
    else:
        counts["diet_daily"] = _counts(
            run_file(conn, load_sql("60_upsert_diet.sql"), params), staged["diet_daily"]
        )
    counts["body_measurements"] = _counts(
        run_file(conn, load_sql("65_upsert_body_measurements.sql"), params),
        staged["body_measurements"],
    )
    bodyweight = run_file(conn, load_sql("66_replace_bodyweight_daily.sql"), params)
    counts["bodyweight_daily"] = _counts(bodyweight, int(bodyweight["staged"]))
    counts["rejected_rows"] = _counts(
        run_file(conn, load_sql("70_upsert_rejected_rows.sql"), params), staged["rejected_rows"]
    )
    run_file(conn, load_sql("80_replace_corrections.sql"), params)
    counts["hevy_deletions"] = TableCounts(
        inserted=int(run_file(conn, load_sql("85_upsert_hevy_deletions.sql"), params)["inserted"])
    )
    record_row_counts(conn, athlete_id, counts, new_athlete=created)
    run_file(
        conn,
        state_sql("record_load.sql"),
        {"athlete_id": athlete_id, "fingerprint": fingerprint, "files": json.dumps(files)},
    )
    return counts


def table_row_counts(conn: Connection) -> dict[str, int]:
    """Row count of every warehouse table. A table of athletes' rows sums the counts each load
    keeps of its athlete's rows (``fitness.count_athlete_rows``); the shared tables (athletes,
    exercises, the calendar) are small and counted. Table names come from the fixed list above."""
    kept = dict(fetch_all(conn, state_sql("table_row_counts.sql")))
    return {
        t: int(kept[t])
        if t in kept
        else conn.execute(text(f"SELECT count(*) FROM fitness.{t}")).scalar_one()
        for t in TABLES
    }
