"""The two jobs: ingestion (raw → silver → warehouse → gold) and the weekly delivery."""

from dagster import AssetSelection, define_asset_job

INGEST_GROUPS = ("raw", "silver", "warehouse", "gold")


def build_jobs():
    ingest_job = define_asset_job(
        "ingest_job",
        selection=AssetSelection.groups(*INGEST_GROUPS),
        description="Scan the raw exports, validate them, load changed athletes, refresh Gold.",
    )
    delivery_job = define_asset_job(
        "weekly_delivery_job",
        selection=AssetSelection.groups("delivery"),
        description="Weekly payloads and reports for the selected week(s), in one run.",
    )
    return ingest_job, delivery_job
