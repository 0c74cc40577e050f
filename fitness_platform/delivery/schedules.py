"""The delivery schedule: last week's payload and report every Monday morning."""

from dagster import DefaultScheduleStatus, build_schedule_from_partitioned_job
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)


def build_weekly_schedule(delivery_job):
    """Mondays at 06:00 (local to the daemon): the week that ended on Sunday."""
    return build_schedule_from_partitioned_job(
        delivery_job,
        hour_of_day=6,
        minute_of_hour=0,
        name="weekly_delivery_schedule",
        default_status=DefaultScheduleStatus.RUNNING,
    )


def range_run_tags(first_key: str, last_key: str) -> dict[str, str]:
    """Tags that make one run cover a whole partition range (single-run backfill policy)."""
    return {ASSET_PARTITION_RANGE_START_TAG: first_key, ASSET_PARTITION_RANGE_END_TAG: last_key}
