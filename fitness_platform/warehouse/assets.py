"""Warehouse layer: the PostgreSQL tables of schema ``fitness``, loaded per athlete in one
transaction each from the silver frames."""

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetIn,
    AssetSpec,
    MaterializeResult,
    MetadataValue,
    TableColumn,
    TableSchema,
    multi_asset,
)

from fitness_platform.errors import LoadRefused
from fitness_platform.ingest.athlete import AthleteSilver
from fitness_platform.ingest.catalog import resolve_exercises
from fitness_platform.ownership import OWNERS
from fitness_platform.resources.spool import SpooledFrames, release
from fitness_platform.resources.warehouse import WarehouseResource
from fitness_platform.silver.assets import EXERCISE_CATALOG, SILVER_KEYS
from fitness_platform.silver.batches import AthleteFrames, LoadBatch
from fitness_platform.sqlfiles import fetch_all, state_sql
from fitness_platform.warehouse.load import (
    TableCounts,
    load_athlete,
    table_row_counts,
    upsert_exercises,
)
from fitness_platform.warehouse.tables import TABLES, WAREHOUSE_TABLES

WAREHOUSE_KEYS = {t.name: t.key for t in WAREHOUSE_TABLES}
ATHLETE_LOADS_COMMITTED = "athlete_loads_committed"
# Up to this many athletes in one load, each gets a log line with its per-table counts.
PER_ATHLETE_LOG_LIMIT = 20


def _table_schemas(conn, tables: list[str]) -> dict[str, TableSchema]:
    columns: dict[str, list[TableColumn]] = {table: [] for table in tables}
    for table, name, kind in fetch_all(conn, state_sql("table_columns.sql"), {"tables": tables}):
        columns[table].append(TableColumn(name=name, type=kind))
    return {table: TableSchema(columns=found) for table, found in columns.items()}


def silver_for(
    batch: LoadBatch, frames: Mapping[str, AthleteFrames], exercises: pd.DataFrame
) -> AthleteSilver:
    """One athlete's silver rows (silver hands them over per athlete) and the exercise rows of
    their titles, from the exercises resolved once for every title of the load."""
    athlete = batch.athlete_key
    sets = frames["workout_sets"][athlete]
    titles = pd.unique(sets["exercise_title"])
    return AthleteSilver(
        athlete_key=athlete,
        sets=sets,
        diet=frames["diet_days"][athlete],
        cycles=frames["diet_cycles"][athlete],
        body=frames["body_measurements"][athlete],
        rejects=frames["rejected_rows"][athlete],
        exercises=exercises[exercises["exercise_title"].isin(titles)].reset_index(drop=True),
        corrections=list(batch.corrections),
        profile=dict(batch.profile),
        deletions=list(batch.deletions),
    )


def all_titles(batches: list[LoadBatch]) -> pd.Series:
    """Every distinct exercise title of the load's sets (silver records each athlete's)."""
    return pd.Series(sorted({t for b in batches for t in b.titles}), dtype=object)


def _silver_key(name: str) -> list[str]:
    return EXERCISE_CATALOG if name == "exercise_catalog" else SILVER_KEYS[name]


@multi_asset(
    specs=[
        AssetSpec(
            t.key,
            group_name="warehouse",
            owners=OWNERS,
            kinds={"postgres"},
            description=t.description,
            deps=[_silver_key(name) for name in t.upstream],
            metadata={"natural_key": t.natural_key or ""},
        )
        for t in WAREHOUSE_TABLES
    ],
    ins={name: AssetIn(key=key) for name, key in SILVER_KEYS.items()}
    | {"catalog": AssetIn(key=EXERCISE_CATALOG)},
    check_specs=[
        AssetCheckSpec(
            ATHLETE_LOADS_COMMITTED,
            asset=WAREHOUSE_KEYS["athletes"],
            description="Every athlete marked for loading was committed; a load the warehouse "
            "refused (the mass-deletion guard) fails this check with its reason.",
        )
    ],
)
def warehouse_tables(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    workout_sets: SpooledFrames,
    diet_days: SpooledFrames,
    diet_cycles: SpooledFrames,
    body_measurements: SpooledFrames,
    rejected_rows: SpooledFrames,
    load_batches: list[LoadBatch],
    catalog: pd.DataFrame,
):
    """Upsert every athlete marked for loading, each in its own transaction; report per table what
    was inserted, updated, deleted and left unchanged. An athlete whose load is refused leaves the
    warehouse as it was for that athlete and fails the ``athlete_loads_committed`` check; every
    other athlete is committed and Gold and delivery go on for them."""
    frames = {
        "workout_sets": workout_sets,
        "diet_days": diet_days,
        "diet_cycles": diet_cycles,
        "body_measurements": body_measurements,
        "rejected_rows": rejected_rows,
    }
    totals = {t: TableCounts() for t in TABLES}
    refused: dict[str, str] = {}
    loaded, meanwhile, timings = [], [], {}
    todo = [b for b in load_batches if b.status == "load"]
    templates = [t for b in todo for t in b.templates]
    exercises = resolve_exercises(all_titles(todo), catalog, templates)
    if todo:
        # The shared exercise dimension first, once, in its own transaction: the athletes'
        # transactions then only read it, so they can run side by side without waiting.
        with warehouse.begin() as conn:
            for table, c in upsert_exercises(conn, exercises).items():
                totals[table].add(c)

    def load_one(batch: LoadBatch) -> tuple[str, dict | None, str | None, dict]:
        athlete, steps = batch.athlete_key, {}
        silver = silver_for(batch, frames, exercises)
        try:
            with warehouse.begin() as conn:
                counts = load_athlete(
                    conn,
                    silver,
                    fingerprint=batch.fingerprint,
                    files=batch.files,
                    allow_mass_delete=warehouse.allow_mass_delete,
                    timings=steps,
                    dimensions=False,
                    on_wait=context.log.warning,
                    seen_fingerprint=batch.seen_fingerprint,
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
                if counts is None:
                    meanwhile.append(athlete)
                    context.log.info(f"athlete {athlete}: loaded by another run meanwhile")
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
    # Every athlete of the run is committed or refused: the spooled rows are not needed again.
    for by_athlete in frames.values():
        release(by_athlete)

    parse_refused = sum(b.status == "refused" for b in load_batches)
    with warehouse.connect() as conn:
        row_counts = table_row_counts(conn)
        schemas = _table_schemas(conn, list(WAREHOUSE_KEYS))
        for table, key in WAREHOUSE_KEYS.items():
            c = totals[table]
            yield MaterializeResult(
                asset_key=key,
                metadata={
                    "dagster/row_count": row_counts[table],
                    "dagster/column_schema": schemas[table],
                    "inserted": c.inserted,
                    "updated": c.updated,
                    "deleted": c.deleted,
                    "unchanged": c.unchanged,
                    "athletes_loaded": len(loaded),
                    "athletes_loaded_by_another_run": len(meanwhile),
                    "athletes_unchanged": sum(b.status == "unchanged" for b in load_batches),
                    "athletes_refused": len(refused) + parse_refused,
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
    yield AssetCheckResult(
        check_name=ATHLETE_LOADS_COMMITTED,
        asset_key=WAREHOUSE_KEYS["athletes"],
        passed=not refused,
        severity=AssetCheckSeverity.ERROR,
        metadata={
            "committed": len(loaded),
            "refused": len(refused),
            "refusals": MetadataValue.json(refused),
        },
    )
