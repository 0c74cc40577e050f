"""Delivery automation: last week's payload and report every Monday morning, and a refresh of the
weekly partitions whenever ingestion changed the Gold views."""

from dagster import (
    AssetKey,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    EventLogEntry,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    asset_sensor,
    build_schedule_from_partitioned_job,
)
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from fitness_platform.gold.assets import gold_key

REFRESH_TRIGGER = AssetKey(gold_key("gold_weekly_fitness_summary"))


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


def build_refresh_sensor(delivery_job, partitions_def):
    @asset_sensor(
        asset_key=REFRESH_TRIGGER,
        job=delivery_job,
        name="weekly_refresh_sensor",
        default_status=DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=30,
    )
    def weekly_refresh_sensor(context: SensorEvaluationContext, asset_event: EventLogEntry):
        """After Gold changed, refresh every week in one run: only payloads whose bytes change are
        rewritten, and only their reports regenerated."""
        materialization = asset_event.asset_materialization
        action = materialization.metadata.get("action") if materialization else None
        if action is None or action.value == "unchanged":
            return SkipReason("Gold was not refreshed: no week can have changed")
        keys = partitions_def.get_partition_keys()
        if not keys:
            return SkipReason("no complete week yet")
        return RunRequest(
            run_key=f"refresh-{asset_event.storage_id}", tags=range_run_tags(keys[0], keys[-1])
        )

    return weekly_refresh_sensor
