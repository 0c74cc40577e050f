"""Data-quality checks on the warehouse tables; each failing check carries a sample of its rows."""

from dagster import AssetCheckResult, AssetCheckSeverity, AssetKey, MetadataValue, asset_check
from sqlalchemy import text

from fitness_platform.resources.warehouse import WarehouseResource
from fitness_platform.warehouse.assets import WAREHOUSE_KEYS
from fitness_platform.warehouse.tables import WAREHOUSE_TABLES

REFERENTIAL_INTEGRITY = "referential_integrity"
NATURAL_KEYS_UNIQUE = "natural_keys_unique"
SET_INDEX_CONTIGUOUS = "set_index_contiguous"
WORKOUT_DURATION_BOUNDS = "workout_duration_bounds"
KCAL_MATCHES_MACROS = "kcal_matches_macros"
DIET_DATES_IN_CYCLE = "diet_dates_in_cycle"
UNMAPPED_EXERCISES = "unmapped_exercises"
QUARANTINED_ROWS = "quarantined_rows"
SAMPLE = 10
KCAL_TOLERANCE = 25

NATURAL_KEYS = {t.name: t.natural_key for t in WAREHOUSE_TABLES if t.natural_key}
# Children that must point at an existing parent, and parents that must not be empty.
ORPHANS = {
    "sets without a block": "SELECT s.set_id FROM fitness.sets s LEFT JOIN "
    "fitness.workout_exercises we USING (workout_exercise_id) WHERE we.workout_exercise_id IS NULL",
    "blocks without a workout": "SELECT we.workout_exercise_id FROM fitness.workout_exercises we "
    "LEFT JOIN fitness.workouts w USING (workout_id) WHERE w.workout_id IS NULL",
    "blocks without sets": "SELECT we.workout_exercise_id FROM fitness.workout_exercises we "
    "WHERE NOT EXISTS (SELECT 1 FROM fitness.sets s "
    "WHERE s.workout_exercise_id = we.workout_exercise_id)",
    "diet days with an unknown cycle": "SELECT d.diet_date FROM fitness.diet_daily d WHERE "
    "d.cycle_number IS NOT NULL AND NOT EXISTS (SELECT 1 FROM fitness.cycles c WHERE "
    "c.athlete_id = d.athlete_id AND c.cycle_number = d.cycle_number)",
    "exercises without a primary muscle": "SELECT e.exercise_key FROM fitness.exercises e WHERE "
    "NOT EXISTS (SELECT 1 FROM fitness.exercise_muscle_map m WHERE m.exercise_id = e.exercise_id "
    "AND m.role = 'primary')",
}


def _rows(warehouse: WarehouseResource, sql: str, params: dict | None = None) -> list[dict]:
    with warehouse.connect() as conn:
        return [dict(r) for r in conn.execute(text(sql), params or {}).mappings().all()]


def _sample(rows: list[dict]) -> MetadataValue:
    return MetadataValue.json([{k: str(v) for k, v in r.items()} for r in rows[:SAMPLE]])


@asset_check(
    asset=AssetKey(WAREHOUSE_KEYS["sets"]),
    name=REFERENTIAL_INTEGRITY,
    blocking=True,
    description="Every set has a block, every block a workout and sets, every diet day "
    "a known cycle, every exercise a primary muscle group.",
)
def referential_integrity(warehouse: WarehouseResource) -> AssetCheckResult:
    found = {}
    with warehouse.connect() as conn:
        for label, sql in ORPHANS.items():
            found[label] = conn.execute(text(f"SELECT count(*) FROM ({sql}) x")).scalar_one()
    return AssetCheckResult(
        passed=not any(found.values()),
        metadata={label.replace(" ", "_"): n for label, n in found.items()},
    )


@asset_check(
    asset=AssetKey(WAREHOUSE_KEYS["sets"]),
    name=NATURAL_KEYS_UNIQUE,
    blocking=True,
    description="No natural key appears twice in any warehouse table.",
)
def natural_keys_unique(warehouse: WarehouseResource) -> AssetCheckResult:
    dupes = {}
    with warehouse.connect() as conn:
        for table, key in NATURAL_KEYS.items():
            dupes[table] = conn.execute(
                text(
                    f"SELECT count(*) FROM (SELECT {key} FROM fitness.{table} GROUP BY {key} "
                    "HAVING count(*) > 1) d"
                )
            ).scalar_one()
    return AssetCheckResult(passed=not any(dupes.values()), metadata=dupes)


@asset_check(
    asset=AssetKey(WAREHOUSE_KEYS["sets"]),
    name=SET_INDEX_CONTIGUOUS,
    description="In every exercise block, set_index runs 0, 1, 2, … without gaps.",
)
def set_index_contiguous(warehouse: WarehouseResource) -> AssetCheckResult:
    rows = _rows(
        warehouse,
        """
        SELECT a.athlete_key, w.start_time, e.exercise_name, we.exercise_order,
               array_agg(s.set_index ORDER BY s.set_index) AS set_indexes
        FROM fitness.sets s
        JOIN fitness.workout_exercises we USING (workout_exercise_id)
        JOIN fitness.workouts w USING (workout_id)
        JOIN fitness.athletes a USING (athlete_id)
        JOIN fitness.exercises e ON e.exercise_id = we.exercise_id
        GROUP BY 1, 2, 3, 4
        HAVING min(s.set_index) <> 0 OR max(s.set_index) + 1 <> count(*)
        ORDER BY 1, 2, 4""",
    )
    return AssetCheckResult(
        passed=not rows,
        severity=AssetCheckSeverity.WARN,
        metadata={"blocks_with_gaps": len(rows), "sample": _sample(rows)},
    )


@asset_check(
    asset=AssetKey(WAREHOUSE_KEYS["workouts"]),
    name=WORKOUT_DURATION_BOUNDS,
    description="Workouts last between 10 minutes and 4 hours.",
)
def workout_duration_bounds(warehouse: WarehouseResource) -> AssetCheckResult:
    rows = _rows(
        warehouse,
        """
        SELECT a.athlete_key, w.start_time, w.workout_name, w.duration_minutes
        FROM fitness.workouts w JOIN fitness.athletes a USING (athlete_id)
        WHERE w.duration_minutes < 10 OR w.duration_minutes > 240
        ORDER BY 1, 2""",
    )
    return AssetCheckResult(
        passed=not rows,
        severity=AssetCheckSeverity.WARN,
        metadata={"out_of_bounds": len(rows), "sample": _sample(rows)},
    )


@asset_check(
    asset=AssetKey(WAREHOUSE_KEYS["diet_daily"]),
    name=KCAL_MATCHES_MACROS,
    description=f"Logged kcal within {KCAL_TOLERANCE} of 4·carbs + 4·protein + 9·fat.",
)
def kcal_matches_macros(warehouse: WarehouseResource) -> AssetCheckResult:
    rows = _rows(
        warehouse,
        """
        SELECT a.athlete_key, d.diet_date, d.calories_kcal,
               4 * d.carbs_g + 4 * d.protein_g + 9 * d.fat_g AS kcal_from_macros
        FROM fitness.diet_daily d JOIN fitness.athletes a USING (athlete_id)
        WHERE abs(d.calories_kcal - (4 * d.carbs_g + 4 * d.protein_g + 9 * d.fat_g)) > :tol
        ORDER BY 1, 2""",
        {"tol": KCAL_TOLERANCE},
    )
    return AssetCheckResult(
        passed=not rows,
        severity=AssetCheckSeverity.WARN,
        metadata={"days": len(rows), "sample": _sample(rows)},
    )


@asset_check(
    asset=AssetKey(WAREHOUSE_KEYS["diet_daily"]),
    name=DIET_DATES_IN_CYCLE,
    description="Each diet day lies inside the date range of the cycle it is labelled with.",
)
def diet_dates_in_cycle(warehouse: WarehouseResource) -> AssetCheckResult:
    rows = _rows(
        warehouse,
        """
        SELECT a.athlete_key, d.diet_date, c.cycle_number, c.start_date, c.end_date
        FROM fitness.diet_daily d
        JOIN fitness.athletes a USING (athlete_id)
        JOIN fitness.cycles c ON c.athlete_id = d.athlete_id AND c.cycle_number = d.cycle_number
        WHERE d.diet_date < c.start_date OR d.diet_date > c.end_date
        ORDER BY 1, 2""",
    )
    return AssetCheckResult(
        passed=not rows,
        severity=AssetCheckSeverity.WARN,
        metadata={"days": len(rows), "sample": _sample(rows)},
    )


@asset_check(
    asset=AssetKey(WAREHOUSE_KEYS["exercises"]),
    name=UNMAPPED_EXERCISES,
    description="Exercises missing from the catalog, classified by the name heuristic.",
)
def unmapped_exercises(warehouse: WarehouseResource) -> AssetCheckResult:
    rows = _rows(
        warehouse,
        """
        SELECT e.exercise_name, e.exercise_key, g.muscle_group AS inferred_primary
        FROM fitness.exercises e
        LEFT JOIN fitness.exercise_muscle_map m ON m.exercise_id = e.exercise_id AND m.role = 'primary'
        LEFT JOIN fitness.muscle_groups g USING (muscle_group_id)
        WHERE e.catalog_source = 'inferred' ORDER BY 1""",
    )
    return AssetCheckResult(
        passed=not rows,
        severity=AssetCheckSeverity.WARN,
        metadata={"inferred": len(rows), "sample": _sample(rows)},
    )


@asset_check(
    asset=AssetKey(WAREHOUSE_KEYS["rejected_rows"]),
    name=QUARANTINED_ROWS,
    description="Source rows held in quarantine, with the rule each broke.",
)
def quarantined_rows(warehouse: WarehouseResource) -> AssetCheckResult:
    rows = _rows(
        warehouse,
        """
        SELECT a.athlete_key, r.source_file, r.source_line, r.rule, r.raw_values::text AS raw_values
        FROM fitness.rejected_rows r JOIN fitness.athletes a USING (athlete_id)
        ORDER BY 1, 2, 3, 4""",
    )
    by_rule: dict[str, int] = {}
    for r in rows:
        by_rule[r["rule"]] = by_rule.get(r["rule"], 0) + 1
    return AssetCheckResult(
        passed=not rows,
        severity=AssetCheckSeverity.WARN,
        metadata={
            "rows": len(rows),
            "by_rule": MetadataValue.json(by_rule),
            "sample": _sample(rows),
        },
    )


WAREHOUSE_CHECKS = [
    referential_integrity,
    natural_keys_unique,
    set_index_contiguous,
    workout_duration_bounds,
    kcal_matches_macros,
    diet_dates_in_cycle,
    unmapped_exercises,
    quarantined_rows,
]
