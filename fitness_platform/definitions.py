"""The code location: merges every layer's definitions and picks the resources."""

from __future__ import annotations

from dagster import Definitions, colored_console_logger, in_process_executor

from fitness_platform.cli_logging import terminal_logger
from fitness_platform.delivery.assets import build_delivery_assets
from fitness_platform.delivery.schedules import build_weekly_schedule
from fitness_platform.environment import build_resources
from fitness_platform.features.assets import weekly_features
from fitness_platform.gold.assets import gold_views
from fitness_platform.jobs import build_jobs
from fitness_platform.partitions import weekly_partitions
from fitness_platform.raw.assets import hevy_api, raw_exports
from fitness_platform.raw.sensors import build_hevy_sync_schedule, build_raw_sensor
from fitness_platform.settings import Settings
from fitness_platform.silver.assets import exercise_catalog, silver_frames
from fitness_platform.site.assets import build_site_assets
from fitness_platform.site.sensors import build_refresh_sensor
from fitness_platform.warehouse.assets import warehouse_tables
from fitness_platform.warehouse.checks import WAREHOUSE_CHECKS


def build_definitions(settings: Settings) -> Definitions:
    weekly = weekly_partitions(settings.partition_start)
    ingest_job, delivery_job, hevy_sync_job = build_jobs()
    return Definitions(
        assets=[
            hevy_api,
            raw_exports,
            exercise_catalog,
            silver_frames,
            warehouse_tables,
            gold_views,
            weekly_features,
            *build_delivery_assets(weekly),
            *build_site_assets(weekly),
        ],
        asset_checks=WAREHOUSE_CHECKS,
        jobs=[ingest_job, delivery_job, hevy_sync_job],
        schedules=[
            build_weekly_schedule(delivery_job),
            build_hevy_sync_schedule(hevy_sync_job, settings.hevy_sync_minutes),
        ],
        sensors=[build_raw_sensor(ingest_job), build_refresh_sensor(delivery_job, weekly)],
        resources=build_resources(settings),
        # The console logger stays Dagster's own; the command line configures this one instead.
        loggers={"console": colored_console_logger, "terminal": terminal_logger},
        # Steps run in the run's own process: a full backfill is one process, no per-step spawn.
        executor=in_process_executor,
    )


defs = build_definitions(Settings.from_env())
