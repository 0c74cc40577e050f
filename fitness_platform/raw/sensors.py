"""Notices new or changed exports under FITNESS_RAW_DIR and starts ingestion."""


import hashlib
from pathlib import Path

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

from fitness_platform.resources.raw_files import RawFilesResource


def folder_state(raw_dir: Path) -> str:
    """A cheap fingerprint of the raw folder: every CSV's path, size and modification time."""
    digest = hashlib.sha256()
    if raw_dir.is_dir():
        for path in sorted(raw_dir.glob("*/*.csv")):
            stat = path.stat()
            digest.update(f"{path.relative_to(raw_dir)}\t{stat.st_size}\t{stat.st_mtime_ns}\n"
                          .encode())
    return digest.hexdigest()


def build_raw_sensor(ingest_job):
    @sensor(job=ingest_job, name="raw_exports_sensor", minimum_interval_seconds=30,
            default_status=DefaultSensorStatus.RUNNING)
    def raw_exports_sensor(context: SensorEvaluationContext, raw_files: RawFilesResource):
        """Start an ingestion run when a file under the raw folder appears, changes or goes away.
        Unchanged athletes cost nothing in that run: their fingerprint matches the last load."""
        state = folder_state(Path(raw_files.raw_dir))
        if state == context.cursor:
            return SkipReason("no export changed")
        context.update_cursor(state)
        return RunRequest(run_key=f"raw-{state[:16]}")

    return raw_exports_sensor
