"""The sensors and the schedule, evaluated in process against a real Dagster instance that holds
the events they read (before, ``weekly_refresh_sensor`` crashed on every tick and no test saw it)."""

from __future__ import annotations

from datetime import datetime

from dagster import DagsterInstance, build_schedule_context, build_sensor_context

from fitness_platform.resources.raw_files import RawFilesResource
from fitness_platform.resources.warehouse import WarehouseResource
from fitness_platform_tests.helpers import definitions, edit_one_set, run_ingest

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


def tick(sensor, instance, cursor, **resources):
    context = build_sensor_context(instance=instance, cursor=cursor, resources=resources)
    return sensor.evaluate_tick(context)


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


def test_refresh_sensor_follows_gold_builds_only(platform_env, raw_dir, warehouse):
    defs = definitions()
    sensor = defs.resolve_sensor_def("weekly_refresh_sensor")
    with DagsterInstance.ephemeral() as instance:
        # No Gold build yet: nothing to do, and nothing crashes.
        empty = tick(sensor, instance, None, warehouse=warehouse)
        assert empty.run_requests == [] and "not built" in empty.skip_message

        assert run_ingest(defs, instance=instance).success  # Gold created
        built = tick(sensor, instance, None, warehouse=warehouse)
        (request,) = built.run_requests
        # Only the weeks that hold data (the sample's first to last week), in one run.
        assert request.tags[RANGE_START] == "2023-05-01"
        assert request.tags[RANGE_END] == "2026-01-12"
        assert request.run_key == f"refresh-{built.cursor}"

        # A replay builds nothing (Gold is current): the sensor waits.
        assert run_ingest(defs, instance=instance).success
        quiet = tick(sensor, instance, built.cursor, warehouse=warehouse)
        assert quiet.run_requests == [] and quiet.cursor in (None, built.cursor)

        # An edited export refreshes Gold: one new request, with a new key.
        edit_one_set(raw_dir)
        assert run_ingest(defs, instance=instance).success
        again = tick(sensor, instance, built.cursor, warehouse=warehouse)
        (second,) = again.run_requests
        assert int(again.cursor) > int(built.cursor)
        assert second.run_key != request.run_key


def test_refresh_sensor_sees_a_refresh_behind_a_later_unchanged_build(
    platform_env, raw_dir, warehouse
):
    """Two Gold materializations between ticks, the newer one 'unchanged': still one refresh."""
    defs = definitions()
    sensor = defs.resolve_sensor_def("weekly_refresh_sensor")
    with DagsterInstance.ephemeral() as instance:
        assert run_ingest(defs, instance=instance).success
        cursor = tick(sensor, instance, None, warehouse=warehouse).cursor
        edit_one_set(raw_dir)
        assert run_ingest(defs, instance=instance).success  # refreshed
        # Re-materialize Gold alone: current, so every view reports "unchanged".
        gold = [s.key for s in defs.resolve_all_asset_specs() if s.group_name == "gold"]
        rerun = defs.resolve_job_def("ingest_job").execute_in_process(
            instance=instance, asset_selection=gold, raise_on_error=False
        )
        assert rerun.success
        result = tick(sensor, instance, cursor, warehouse=warehouse)
        assert len(result.run_requests) == 1


def test_weekly_schedule_builds_the_week_that_just_ended(platform_env):
    schedule = definitions().resolve_schedule_def("weekly_delivery_schedule")
    with DagsterInstance.ephemeral() as instance:
        context = build_schedule_context(
            instance=instance, scheduled_execution_time=datetime(2026, 11, 30, 6, 0)
        )
        (request,) = schedule.evaluate_tick(context).run_requests
    # Monday 30 November 2026, 06:00: the week of Monday 23 November is complete.
    assert request.partition_key == "2026-11-23"


def test_raw_and_warehouse_resources_fit_the_sensors():
    """The sensors declare exactly the resources the code location provides."""
    defs = definitions()
    assert defs.resolve_sensor_def("raw_exports_sensor").required_resource_keys == {"raw_files"}
    assert defs.resolve_sensor_def("weekly_refresh_sensor").required_resource_keys == {"warehouse"}
    assert isinstance(defs.resources["warehouse"], WarehouseResource)
