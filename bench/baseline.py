"""The original loader's approach, kept here only as the benchmarks' baseline: per workout a
SELECT then an INSERT, per exercise block and per set a SELECT then an INSERT, all through
SQLAlchemy in one transaction. Never used by the platform."""

from __future__ import annotations

import math

from sqlalchemy import Connection, text

from fitness_platform.ingest.athlete import AthleteSilver


def _value(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    try:
        import pandas as pd

        if v is pd.NA or v is pd.NaT:
            return None
    except ImportError:
        pass
    return v.item() if hasattr(v, "item") else v


def load_row_by_row(conn: Connection, silver: AthleteSilver) -> int:
    """Insert one athlete's sets the slow way; returns the number of sets written."""
    athlete_id = conn.execute(
        text(
            "INSERT INTO fitness.athletes (athlete_key) VALUES (:k) ON CONFLICT (athlete_key) "
            "DO UPDATE SET athlete_key = EXCLUDED.athlete_key RETURNING athlete_id"
        ),
        {"k": silver.athlete_key},
    ).scalar_one()
    exercise_ids = {}
    for e in silver.exercises.to_dict("records"):
        found = conn.execute(
            text("SELECT exercise_id FROM fitness.exercises WHERE exercise_key = :k"),
            {"k": e["exercise_key"]},
        ).scalar()
        if found is None:
            found = conn.execute(
                text(
                    "INSERT INTO fitness.exercises (exercise_key, exercise_name, exercise_type, "
                    "equipment, is_cardio, catalog_source) VALUES (:k, :n, :t, :e, :c, :s) "
                    "RETURNING exercise_id"
                ),
                {
                    "k": e["exercise_key"],
                    "n": e["exercise_title"],
                    "t": e["exercise_type"],
                    "e": e["equipment"],
                    "c": bool(e["is_cardio"]),
                    "s": e["catalog_source"],
                },
            ).scalar_one()
        exercise_ids[e["exercise_key"]] = found
    workouts, blocks, written = {}, {}, 0
    for s in silver.sets.to_dict("records"):
        wkey = s["start_time"]
        if wkey not in workouts:
            found = conn.execute(
                text(
                    "SELECT workout_id FROM fitness.workouts WHERE athlete_id = :a AND source = :s "
                    "AND start_time = :t"
                ),
                {"a": athlete_id, "s": s["source"], "t": wkey},
            ).scalar()
            if found is None:
                found = conn.execute(
                    text(
                        "INSERT INTO fitness.workouts (athlete_id, source, start_time, end_time, "
                        "workout_date, duration_minutes, workout_name, description) VALUES "
                        "(:a, :s, :t, :e, :d, :m, :n, :desc) RETURNING workout_id"
                    ),
                    {
                        "a": athlete_id,
                        "s": s["source"],
                        "t": wkey,
                        "e": s["end_time"],
                        "d": wkey.date(),
                        "m": (s["end_time"] - wkey).total_seconds() / 60,
                        "n": s["workout_name"],
                        "desc": s["description"],
                    },
                ).scalar_one()
            workouts[wkey] = found
        bkey = (wkey, s["exercise_order"])
        if bkey not in blocks:
            found = conn.execute(
                text(
                    "SELECT workout_exercise_id FROM fitness.workout_exercises "
                    "WHERE workout_id = :w AND exercise_order = :o"
                ),
                {"w": workouts[wkey], "o": int(s["exercise_order"])},
            ).scalar()
            if found is None:
                found = conn.execute(
                    text(
                        "INSERT INTO fitness.workout_exercises (workout_id, exercise_id, "
                        "exercise_order, superset_id, notes) VALUES (:w, :e, :o, :s, :n) "
                        "RETURNING workout_exercise_id"
                    ),
                    {
                        "w": workouts[wkey],
                        "e": exercise_ids[s["exercise_key"]],
                        "o": int(s["exercise_order"]),
                        "s": _value(s["superset_id"]),
                        "n": s["notes"],
                    },
                ).scalar_one()
            blocks[bkey] = found
        exists = conn.execute(
            text(
                "SELECT set_id FROM fitness.sets WHERE workout_exercise_id = :b AND set_index = :i"
            ),
            {"b": blocks[bkey], "i": int(s["set_index"])},
        ).scalar()
        if exists is None:
            conn.execute(
                text(
                    "INSERT INTO fitness.sets (workout_exercise_id, set_index, set_type, weight_kg, "
                    "reps, distance_km, duration_seconds, rpe) VALUES (:b, :i, :t, :w, :r, :d, :s, "
                    ":rpe)"
                ),
                {
                    "b": blocks[bkey],
                    "i": int(s["set_index"]),
                    "t": s["set_type"],
                    "w": _value(s["weight_kg"]),
                    "r": _value(s["reps"]),
                    "d": _value(s["distance_km"]),
                    "s": _value(s["duration_seconds"]),
                    "rpe": _value(s["rpe"]),
                },
            )
            written += 1
    return written
