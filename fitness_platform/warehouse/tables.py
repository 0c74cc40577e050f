"""The warehouse tables, declared once: name, meaning, natural key and the silver assets each one
is loaded from. The assets, their lineage, the uniqueness check and the row counts read this."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WarehouseTable:
    name: str
    description: str
    natural_key: str | None
    upstream: tuple[str, ...]
    """Names of the silver assets (``silver/<name>``) whose rows this table is loaded from."""

    @property
    def key(self) -> list[str]:
        return ["fitness", self.name]


WAREHOUSE_TABLES = (
    WarehouseTable(
        "calendar",
        "One row per date from 1990 to 2069: ISO year, week and weekday, the week's Monday and "
        "Sunday, the month (filled once by migration 007; Gold joins it for athletes' days).",
        "day",
        (),
    ),
    WarehouseTable(
        "athletes",
        "One row per athlete (the raw sub-folder name is the athlete_key).",
        "athlete_key",
        ("load_batches",),
    ),
    WarehouseTable(
        "cycles",
        "One row per athlete and diet cycle.",
        "athlete_id, cycle_number",
        ("diet_cycles",),
    ),
    WarehouseTable(
        "exercises",
        "One row per exercise used in any export; catalog or inferred classification.",
        "exercise_key",
        ("exercise_catalog", "workout_sets"),
    ),
    WarehouseTable(
        "muscle_groups",
        "One row per muscle group.",
        "muscle_group",
        ("exercise_catalog", "workout_sets"),
    ),
    WarehouseTable(
        "exercise_muscle_map",
        "One row per exercise and muscle group, role primary or secondary.",
        "exercise_id, muscle_group_id",
        ("exercise_catalog", "workout_sets"),
    ),
    WarehouseTable(
        "workouts",
        "One row per workout; natural key (athlete, source, start_time).",
        "athlete_id, source, start_time",
        ("workout_sets",),
    ),
    WarehouseTable(
        "workout_exercises",
        "One row per exercise block of a workout; key (workout, exercise_order).",
        "workout_id, exercise_order",
        ("workout_sets",),
    ),
    WarehouseTable(
        "sets",
        "One row per set; natural key (workout exercise block, set_index).",
        "workout_exercise_id, set_index",
        ("workout_sets",),
    ),
    WarehouseTable(
        "diet_daily",
        "One row per athlete and logged day.",
        "athlete_id, diet_date",
        ("diet_days",),
    ),
    WarehouseTable(
        "body_measurements",
        "One row per athlete, day and source of body measurements (Hevy export, Hevy API).",
        "athlete_id, measured_on, source",
        ("body_measurements",),
    ),
    WarehouseTable(
        "bodyweight_daily",
        "One row per athlete and day with a weigh-in: the bodyweight of that day and its source "
        "(diet log, then Hevy API, then Hevy export).",
        "athlete_id, measured_on",
        ("diet_days", "body_measurements"),
    ),
    WarehouseTable(
        "hevy_deletions",
        "One row per athlete and workout deleted in Hevy (seen through the API), recorded once.",
        "athlete_id, hevy_id",
        ("load_batches",),
    ),
    WarehouseTable(
        "rejected_rows",
        "One row per quarantined source row and the rule it broke.",
        "athlete_id, source_file, source_line, rule",
        ("rejected_rows",),
    ),
)
TABLES = [t.name for t in WAREHOUSE_TABLES]
TABLES_BY_NAME = {t.name: t for t in WAREHOUSE_TABLES}
