"""Notices new or changed exports under FITNESS_RAW_DIR and starts ingestion."""

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

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
