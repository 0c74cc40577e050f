"""After ingestion changed Gold, deliver in one run from the first week whose outputs change to
the last week with data (``site/pending.py``, the plan ``fitness-platform run`` follows too)."""

from dagster import (
    AssetKey,
    AssetRecordsFilter,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from fitness_platform.delivery.payload import athlete_keys
from fitness_platform.delivery.publish import data_weeks, outside_partitions_warning
from fitness_platform.delivery.reporters import ReporterResource
from fitness_platform.delivery.schedules import range_run_tags
from fitness_platform.gold.assets import gold_key
from fitness_platform.resources.email import EmailResource
from fitness_platform.resources.storage import StorageResource
from fitness_platform.resources.warehouse import WarehouseResource
from fitness_platform.site.pending import delivery_last_week, plan_delivery

PLAN_REASON_TAG = "fitness/plan"
"""Why the run was started and where it starts (the plan's reason), shown with the run."""

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
    def weekly_refresh_sensor(
        context: SensorEvaluationContext,
        warehouse: WarehouseResource,
        storage: StorageResource,
        reporter: ReporterResource,
        email: EmailResource,
    ):
        """After Gold was built or refreshed, deliver what changed in one run: from the first
        week whose payload or report changes to the last week with data, or nothing when every
        output is current (the plan of ``fitness-platform run``).

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
            athletes = athlete_keys(conn)
        warning = outside_partitions_warning(weeks, keys[0] if keys else "")
        if warning:
            context.log.warning(warning)
        if weeks.first is None:
            return SkipReason("no complete week holds data yet: nothing to deliver")
        last = delivery_last_week(storage, athletes, weeks.last, keys)
        plan = plan_delivery(warehouse, storage, reporter, email, weeks.first, last)
        if plan is None:
            return SkipReason(
                f"Gold was refreshed, but the payloads and reports of {weeks.first}..."
                f"{last} are current: nothing to deliver"
            )
        reason = plan.reason
        if plan.unchanged_before:
            reason += f"; the {plan.unchanged_before} weeks before {plan.first} are unchanged"
        context.log.info(f"delivering {plan.first}...{plan.last}: {reason}")
        return RunRequest(
            run_key=f"refresh-{records[-1].storage_id}",
            tags={**range_run_tags(plan.first, plan.last), PLAN_REASON_TAG: reason},
        )

    return weekly_refresh_sensor
