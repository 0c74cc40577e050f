"""Warehouse layer: the PostgreSQL tables of schema ``fitness``, loaded per athlete in one
transaction each from the silver frames."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetIn,
    AssetSpec,
    Failure,
    MaterializeResult,
    MetadataValue,
    TableColumn,
    TableSchema,
    multi_asset,
)
from sqlalchemy import text

from fitness_platform.errors import LoadRefused
from fitness_platform.ingest.athlete import AthleteSilver
from fitness_platform.ingest.catalog import resolve_exercises
from fitness_platform.resources.warehouse import WarehouseResource
from fitness_platform.silver.assets import EXERCISE_CATALOG, SILVER_KEYS
from fitness_platform.warehouse.load import (
    TABLES,
    TableCounts,
    load_athlete,
    table_row_counts,
    upsert_exercises,
)

TABLE_DESCRIPTIONS = {
    "athletes": "One row per athlete (the raw sub-folder name is the athlete_key).",
    "cycles": "One row per athlete and diet cycle.",
    "exercises": "One row per exercise used in any export; catalog or inferred classification.",
    "muscle_groups": "One row per muscle group.",
    "exercise_muscle_map": "One row per exercise and muscle group, role primary or secondary.",
    "workouts": "One row per workout; natural key (athlete, source, start_time).",
    "workout_exercises": "One row per exercise block of a workout; key (workout, exercise_order).",
    "sets": "One row per set; natural key (workout exercise block, set_index).",
    "diet_daily": "One row per athlete and logged day.",
    "rejected_rows": "One row per quarantined source row and the rule it broke.",
}
WAREHOUSE_KEYS = {t: ["fitness", t] for t in TABLES}
# Up to this many athletes in one load, each gets a log line with its per-table counts.
PER_ATHLETE_LOG_LIMIT = 20


def _table_schema(conn, table: str) -> TableSchema:
    rows = conn.execute(
        text(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_schema = 'fitness' AND table_name = :t ORDER BY ordinal_position"
        ),
        {"t": table},
    ).all()
    return TableSchema(columns=[TableColumn(name=r[0], type=r[1]) for r in rows])


def silver_for(
    athlete: str,
    frames: dict[str, pd.DataFrame],
    groups: dict[str, dict[str, np.ndarray]],
    exercises: pd.DataFrame,
    batch: dict,
) -> AthleteSilver:
    """One athlete's silver rows, from the frames' positions per athlete (``split_by_athlete``)
    and the exercises resolved once for every title of the load."""
    pick = {
        name: frame.iloc[groups[name].get(athlete, np.array([], dtype="int64"))]
        for name, frame in frames.items()
    }
    titles = pd.unique(pick["workout_sets"]["exercise_title"])
    return AthleteSilver(
        athlete_key=athlete,
        sets=pick["workout_sets"],
        diet=pick["diet_days"],
        cycles=pick["diet_cycles"],
        rejects=pick["rejected_rows"],
        exercises=exercises[exercises["exercise_title"].isin(titles)].reset_index(drop=True),
        corrections=list(batch["corrections"]),
        profile=dict(batch.get("profile") or {}),
    )


def split_by_athlete(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each athlete's row positions, found in one pass (a mask per athlete would rescan every
    row each time); rows are copied only when that athlete is loaded."""
    if frame.empty:
        return {}
    return frame.groupby("athlete_key", sort=False).indices


@multi_asset(
    specs=[
        AssetSpec(
            key,
            group_name="warehouse",
            kinds={"postgres"},
            description=TABLE_DESCRIPTIONS[t],
            deps=[*SILVER_KEYS.values(), EXERCISE_CATALOG],
        )
        for t, key in WAREHOUSE_KEYS.items()
    ],
    ins={name: AssetIn(key=key) for name, key in SILVER_KEYS.items()}
    | {"catalog": AssetIn(key=EXERCISE_CATALOG)},
)
def warehouse_tables(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    workout_sets: pd.DataFrame,
    diet_days: pd.DataFrame,
    diet_cycles: pd.DataFrame,
    rejected_rows: pd.DataFrame,
    load_batches: pd.DataFrame,
    catalog: pd.DataFrame,
):
    """Upsert every athlete marked for loading, each in its own transaction; report per table what
    was inserted, updated, deleted and left unchanged. Refused athletes fail the step at the end,
    after every other athlete has been committed."""
    frames = {
        "workout_sets": workout_sets,
        "diet_days": diet_days,
        "diet_cycles": diet_cycles,
        "rejected_rows": rejected_rows,
    }
    totals = {t: TableCounts() for t in TABLES}
    refused = {
        b["athlete_key"]: b["error"]
        for b in load_batches.to_dict("records")
        if b["status"] == "refused"
    }
    loaded, timings = [], {}
    todo = [b for b in load_batches.to_dict("records") if b["status"] == "load"]
    exercises = resolve_exercises(workout_sets["exercise_title"], catalog)
    if todo:
        # The shared exercise dimension first, once, in its own transaction: the athletes'
        # transactions then only read it, so they can run side by side without waiting.
        with warehouse.begin() as conn:
            for table, c in upsert_exercises(conn, exercises).items():
                totals[table].add(c)
    groups = {name: split_by_athlete(frame) for name, frame in frames.items()}

    def load_one(batch: dict) -> tuple[str, dict | None, str | None, dict]:
        athlete, steps = batch["athlete_key"], {}
        silver = silver_for(athlete, frames, groups, exercises, batch)
        try:
            with warehouse.begin() as conn:
                counts = load_athlete(
                    conn,
                    silver,
                    fingerprint=batch["fingerprint"],
                    files=batch["files"],
                    allow_mass_delete=warehouse.allow_mass_delete,
                    timings=steps,
                    dimensions=False,
                )
        except LoadRefused as exc:
            return athlete, None, str(exc), steps
        return athlete, counts, None, steps

    workers = warehouse.workers_for(len(todo))
    context.log.info(f"loading {len(todo)} athletes on {workers} connection(s)")
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="load") as pool:
        try:
            # Results come back in athlete order; each athlete commits (or not) on its own.
            results = pool.map(load_one, todo)
            for done, (athlete, counts, error, steps) in enumerate(results, start=1):
                for step, seconds in steps.items():
                    timings[step] = timings.get(step, 0.0) + seconds
                if error is not None:
                    refused[athlete] = error
                    context.log.error(error)
                    continue
                loaded.append(athlete)
                for table, c in counts.items():
                    totals[table].add(c)
                if len(todo) <= PER_ATHLETE_LOG_LIMIT:
                    context.log.info(
                        f"athlete {athlete}: "
                        + ", ".join(
                            f"{t} +{c.inserted} ~{c.updated} -{c.deleted}"
                            for t, c in counts.items()
                        )
                    )
                elif done % max(1, len(todo) // 10) == 0:
                    # Hundreds of athletes: progress every tenth rather than a line each (every
                    # log line is an event in the run's log), totals in the metadata below.
                    context.log.info(f"loaded {len(loaded)} of {len(todo)} athletes")
        except BaseException:
            # An unexpected failure stops the load: athletes not yet started are not started.
            pool.shutdown(wait=True, cancel_futures=True)
            raise

    with warehouse.connect() as conn:
        row_counts = table_row_counts(conn)
        for table, key in WAREHOUSE_KEYS.items():
            c = totals[table]
            yield MaterializeResult(
                asset_key=key,
                metadata={
                    "dagster/row_count": row_counts[table],
                    "dagster/column_schema": _table_schema(conn, table),
                    "inserted": c.inserted,
                    "updated": c.updated,
                    "deleted": c.deleted,
                    "unchanged": c.unchanged,
                    "athletes_loaded": len(loaded),
                    "athletes_unchanged": int((load_batches["status"] == "unchanged").sum()),
                    "athletes_refused": len(refused),
                    "warehouse": warehouse.describe(),
                    **(
                        {
                            "load_connections": workers,
                            **{f"seconds_{k}": round(v, 3) for k, v in timings.items()},
                        }
                        if table == "sets"
                        else {}
                    ),
                },
            )
    if refused:
        raise Failure(
            description="Refused exports (nothing from these athletes was loaded; every other "
            "athlete was):\n" + "\n".join(f"- {a}: {e}" for a, e in refused.items()),
            metadata={"refused": MetadataValue.json(refused)},
        )
