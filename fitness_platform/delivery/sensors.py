"""After ingestion changed Gold, refresh every week that holds data in one run."""

from dagster import (
    AssetKey,
    AssetRecordsFilter,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from fitness_platform.delivery.publish import data_weeks, outside_partitions_warning
from fitness_platform.delivery.schedules import range_run_tags
from fitness_platform.gold.assets import gold_key
from fitness_platform.resources.warehouse import WarehouseResource

REFRESH_TRIGGER = AssetKey(gold_key("gold_weekly_fitness_summary"))
# More Gold builds than this between two ticks (30 s apart) cannot happen; the cursor moves on.
MAX_EVENTS_PER_TICK = 1000


def gold_changed(records) -> bool:
    """Whether any of these Gold materializations created or refreshed the views."""
    for record in records:
        action = record.asset_materialization.metadata.get("action")
        if action is not None and action.value != "unchanged":
            return True
    return False


def build_refresh_sensor(delivery_job, partitions_def):
    @sensor(
        job=delivery_job,
        name="weekly_refresh_sensor",
        default_status=DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=30,
    )
    def weekly_refresh_sensor(context: SensorEvaluationContext, warehouse: WarehouseResource):
        """After Gold was built or refreshed, rebuild every week with data in one run: only
        payloads whose bytes change are rewritten, and only their reports regenerated.

        The cursor is the storage id of the last Gold materialization seen, and every one since
        is read (not only the newest), so a refresh is never hidden by a later unchanged build."""
        after = int(context.cursor) if context.cursor else None
        records = context.instance.fetch_materializations(
            AssetRecordsFilter(asset_key=REFRESH_TRIGGER, after_storage_id=after),
            ascending=True,
            limit=MAX_EVENTS_PER_TICK,
        ).records
        if not records:
            return SkipReason("Gold was not built since the last tick")
        context.update_cursor(str(records[-1].storage_id))
        if not gold_changed(records):
            return SkipReason("Gold was not refreshed: no week can have changed")
        keys = partitions_def.get_partition_keys()
        with warehouse.connect() as conn:
            weeks = data_weeks(conn, keys)
        warning = outside_partitions_warning(weeks, keys[0] if keys else "")
        if warning:
            context.log.warning(warning)
        if weeks.first is None:
            return SkipReason("no complete week holds data yet: nothing to deliver")
        return RunRequest(
            run_key=f"refresh-{records[-1].storage_id}",
            tags=range_run_tags(weeks.first, weeks.last),
        )

    return weekly_refresh_sensor
