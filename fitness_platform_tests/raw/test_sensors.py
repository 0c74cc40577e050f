"""The raw-exports sensor, evaluated in process against a real Dagster instance."""

from __future__ import annotations

from dagster import DagsterInstance

from fitness_platform.resources.raw_files import RawFilesResource
from fitness_platform_tests.helpers import definitions, edit_one_set
from fitness_platform_tests.helpers import sensor_tick as tick


def test_raw_sensor_starts_ingestion_when_an_export_changes(platform_env, raw_dir):
    sensor = definitions().resolve_sensor_def("raw_exports_sensor")
    raw_files = RawFilesResource(raw_dir=str(raw_dir))
    with DagsterInstance.ephemeral() as instance:
        first = tick(sensor, instance, None, raw_files=raw_files)
        assert len(first.run_requests) == 1 and first.cursor
        same = tick(sensor, instance, first.cursor, raw_files=raw_files)
        assert same.run_requests == [] and same.skip_message == "no export changed"
        edit_one_set(raw_dir)
        changed = tick(sensor, instance, first.cursor, raw_files=raw_files)
        assert len(changed.run_requests) == 1 and changed.cursor != first.cursor
