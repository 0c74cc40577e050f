"""The canonical weekly payload: one JSON document per athlete and week, byte-deterministic.

Every number is read from the Gold views; this module only shapes, rounds and serialises."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Connection

from fitness_platform.sqlfiles import fetch_all, fetch_mappings, payload_sql

SCHEMA_VERSION = "2.0"
METRICS = [
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
COUNTS = {
    "total_sets",
    "failure_sets",
    "total_reps",
    "sessions_count",
    "training_sessions",
    "logged_days",
    "sessions",
    "weeks_since",
    "cycle_number",
    "diet_days_missing",
    "bodyweight_days_missing",
    "kcal_mismatch_days",
    "quarantined_rows",
    "corrected_values",
    "sets_without_bodyweight",
}
_CENT = Decimal("0.01")


def number(value, key: str = ""):
    """Counts as ints; everything else rounded half-up to 2 decimals; None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if key in COUNTS:
        return int(value)
    rounded = Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP)
    result = float(rounded)
    return 0.0 if result == 0 else result  # never "-0.0"


def _count(value) -> int | None:
    return None if value is None else int(value)


def _obj(row, keys: list[str], prefix: str = "") -> dict:
    return {k: number(row[prefix + k], k) for k in keys}


def weeks_with_data(conn: Connection, start: date, end: date) -> list[tuple[str, date]]:
    """(athlete, week) pairs of the fitness summary within [start, end]."""
    rows = fetch_all(conn, payload_sql("weeks_with_data.sql"), {"start": start, "end": end})
    return [(r[0], r[1]) for r in rows]


def athlete_keys(conn: Connection) -> list[str]:
    return [r[0] for r in fetch_all(conn, payload_sql("athletes.sql"))]


def build_payload(conn: Connection, athlete_key: str, week_start: date) -> dict | None:
    """The payload of one athlete-week, or None when the athlete has no data that week."""
    params = {"athlete": athlete_key, "week": week_start}
    found = fetch_mappings(conn, payload_sql("week_summary.sql"), params)
    s = found[0] if found else None
    if s is None:
        return None
    ids = {"athlete_id": s["athlete_id"], "week": week_start}
    muscles = fetch_mappings(conn, payload_sql("week_muscle_groups.sql"), ids)
    exercises = fetch_mappings(conn, payload_sql("week_exercises.sql"), ids)
    cycle = None
    if s["cycle_number"] is not None:
        cycle = {
            "cycle_number": int(s["cycle_number"]),
            "cycle_name": s["cycle_name"],
            "cycle_type": s["cycle_type"],
        }
    vs_last_week = None
    if s["has_last_week"]:
        vs_last_week = _obj(
            s, ["training_sessions", "total_sets", "tonnage_kg", "training_minutes"], "lw_"
        )
    return {
        "schema_version": SCHEMA_VERSION,
        "athlete": {"athlete_key": athlete_key, "display_name": s["display_name"]},
        "week_start": week_start.isoformat(),
        "week_end": (week_start + timedelta(days=6)).isoformat(),
        "cycle": cycle,
        "diet": {
            **_obj(
                s,
                [
                    "avg_calories_kcal",
                    "avg_carbs_g",
                    "avg_protein_g",
                    "avg_fat_g",
                    "avg_bodyweight_kg",
                    "cardio_weekly_min",
                    "logged_days",
                ],
            ),
            "protein_g_per_kg": number(s["protein_g_per_kg"]),
            "bodyweight_change_kg": number(s["bodyweight_change_kg"]),
        },
        "body": {
            "trend_weight_kg": number(s["trend_kg"]),
            "trend_change_kg_per_week": number(s["trend_rate_kg_per_week"]),
            "trend_change_pct_per_week": number(s["trend_rate_pct_per_week"]),
            "trend_change_note": s["trend_rate_note"],
            "expenditure_kcal": number(s["expenditure_kcal"]),
            "expenditure_confidence": s["expenditure_confidence"],
            "expenditure_note": s["expenditure_note"],
            "expenditure_intake_days": _count(s["intake_days_28d"]),
            "expenditure_weigh_ins": _count(s["weigh_ins_28d"]),
        },
        "adherence": {
            "planned_sessions": number(s["target_sessions_per_week"]),
            "training": number(s["training_adherence"]),
            "calorie_target_kcal": number(s["target_calories_kcal"]),
            "calorie_days_on_target": _count(s["calorie_days_on_target"]),
            "calories": number(s["calorie_adherence"]),
            "protein_target_g": number(s["target_protein_g"]),
            "protein_days_on_target": _count(s["protein_days_on_target"]),
            "protein": number(s["protein_adherence"]),
            "intake_logged_days": _count(s["intake_logged_days"]) or 0,
            "weigh_in_days": _count(s["weigh_in_days"]) or 0,
        },
        "training_overview": {
            **_obj(
                s,
                [
                    "training_sessions",
                    "total_sets",
                    "failure_sets",
                    "avg_reps_per_set",
                    "tonnage_kg",
                    "training_minutes",
                ],
            ),
            "vs_last_week": vs_last_week,
        },
        "cardio": {
            "sessions": number(s["cardio_sessions"], "sessions"),
            "minutes": number(s["cardio_minutes"]),
            "distance_km": number(s["cardio_distance_km"]),
        },
        "muscle_groups": [
            {
                "muscle_group": m["muscle_group"],
                "hard_sets": number(m["hard_sets"]),
                "tonnage_kg": number(m["tonnage_kg"]),
            }
            for m in muscles
        ],
        "exercises": [_exercise(e) for e in exercises],
        "data_quality": {
            "has_training": bool(s["has_training"]),
            "has_diet": bool(s["has_diet"]),
            "diet_days_missing": int(s["diet_days_missing"]),
            "bodyweight_days_missing": int(s["bodyweight_days_missing"]),
            "kcal_mismatch_days": int(s["kcal_mismatch_days"]),
            "quarantined_rows": int(s["quarantined_rows"]),
            "corrected_values": int(s["corrected_values"]),
            "sets_without_bodyweight": int(s["sets_without_bodyweight"]),
            "inferred_exercises": list(s["inferred_exercises"] or []),
        },
    }


def _exercise(e) -> dict:
    delta_last = _obj(e, METRICS, "lw_") if e["has_last_week"] else None
    delta_session = None
    if e["previous_session_week"] is not None:
        delta_session = {
            **_obj(e, METRICS, "ps_"),
            "weeks_since": number(e["ps_weeks_since"], "weeks_since"),
        }
    return {
        "exercise_key": e["exercise_key"],
        "exercise_name": e["exercise_name"],
        "muscle_group": e["muscle_group"],
        "load_basis": e["load_basis"],
        "current_week": {
            **_obj(e, METRICS),
            "sets_without_bodyweight": int(e["sets_without_bodyweight"]),
        },
        "delta_vs_last_week": delta_last,
        "delta_vs_previous_session_week": delta_session,
        "records": {
            "top_load": {
                "all_time": e["top_load_all_time"],
                "last_52_weeks": e["top_load_last_52_weeks"],
                "last_8_weeks": e["top_load_last_8_weeks"],
            },
            "best_e1rm": {
                "all_time": e["best_e1rm_all_time"],
                "last_52_weeks": e["best_e1rm_last_52_weeks"],
                "last_8_weeks": e["best_e1rm_last_8_weeks"],
            },
        },
    }


def serialise(payload: dict) -> bytes:
    """Canonical bytes: fixed key order (as built), 2-space indent, UTF-8, final newline."""
    return (json.dumps(payload, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def payload_key(athlete_key: str, week_start: date | str) -> str:
    return f"payloads/athlete={athlete_key}/week_start={week_start}/weekly_fitness_context.json"


def report_key(athlete_key: str, week_start: date | str) -> str:
    return f"reports/athlete={athlete_key}/week_start={week_start}/weekly_report.md"


def report_meta_key(athlete_key: str, week_start: date | str) -> str:
    return f"reports/athlete={athlete_key}/week_start={week_start}/weekly_report.meta.json"
