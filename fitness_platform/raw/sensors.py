"""Notices new or changed exports under FITNESS_RAW_DIR and starts ingestion; syncs the Hevy
accounts on a schedule."""

from dagster import (
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleDefinition,
    SensorEvaluationContext,
    SkipReason,
    sensor,
)

from fitness_platform.resources.raw_files import RawFilesResource


def build_raw_sensor(ingest_job):
    @sensor(
        job=ingest_job,
        name="raw_exports_sensor",
        minimum_interval_seconds=30,
        default_status=DefaultSensorStatus.RUNNING,
    )
    def raw_exports_sensor(context: SensorEvaluationContext, raw_files: RawFilesResource):
        """Start an ingestion run when an export appears, changes or goes away. Unchanged athletes
        cost nothing in that run: their fingerprint matches their last load."""
        state = raw_files.state()
        if state == context.cursor:
            return SkipReason("no export changed")
        context.update_cursor(state)
        return RunRequest(run_key=f"raw-{state[:16]}")

    return raw_exports_sensor


def sync_cron(minutes: int) -> str:
    """A cron expression for "every ``minutes`` minutes" (a divisor of an hour or of a day)."""
    if minutes < 60:
        return f"*/{minutes} * * * *"
    if minutes == 60:
        return "0 * * * *"
    if minutes == 1440:
        return "0 0 * * *"
    return f"0 */{minutes // 60} * * *"


def build_hevy_sync_schedule(hevy_sync_job, minutes: int) -> ScheduleDefinition:
    """The Hevy API sync every ``minutes`` (FITNESS_HEVY_SYNC_MINUTES, hourly by default). A sync
    that brings nothing writes nothing, so nothing downstream runs."""
    return ScheduleDefinition(
        name="hevy_sync_schedule",
        job=hevy_sync_job,
        cron_schedule=sync_cron(minutes),
        default_status=DefaultScheduleStatus.RUNNING,
        description="Sync every connected Hevy account; an ingestion follows only when events "
        "arrived (the raw sensor sees a mirror change).",
    )
