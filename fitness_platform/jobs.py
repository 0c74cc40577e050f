"""The jobs: ingestion (raw → silver → warehouse → gold), the weekly delivery, and the Hevy API
sync."""

from dagster import AssetSelection, define_asset_job

from fitness_platform.raw.assets import HEVY_API

INGEST_GROUPS = ("raw", "silver", "warehouse", "gold", "features")


def build_jobs():
    ingest_job = define_asset_job(
        "ingest_job",
        selection=AssetSelection.groups(*INGEST_GROUPS) - AssetSelection.assets(HEVY_API),
        description="Scan the raw exports, validate them, load changed athletes, refresh Gold and "
        "the feature table.",
    )
    delivery_job = define_asset_job(
        "weekly_delivery_job",
        selection=AssetSelection.groups("delivery"),
        description="Weekly payloads and reports for the selected week(s), in one run.",
    )
    hevy_sync_job = define_asset_job(
        "hevy_sync_job",
        selection=AssetSelection.assets(HEVY_API),
        description="Sync every connected Hevy account into its athlete's raw folder.",
    )
    return ingest_job, delivery_job, hevy_sync_job
