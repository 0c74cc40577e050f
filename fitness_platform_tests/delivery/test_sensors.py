"""The refresh sensor, evaluated in process against a real Dagster instance that holds the Gold
materializations it reads (before, it crashed on every tick and no test saw it)."""

from __future__ import annotations

from dagster import DagsterInstance

from fitness_platform.resources.warehouse import WarehouseResource
from fitness_platform_tests.helpers import definitions, edit_one_set, run_ingest
from fitness_platform_tests.helpers import sensor_tick as tick

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"


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


def test_raw_and_warehouse_resources_fit_the_sensors():
    """The sensors declare exactly the resources the code location provides."""
    defs = definitions()
    assert defs.resolve_sensor_def("raw_exports_sensor").required_resource_keys == {"raw_files"}
    assert defs.resolve_sensor_def("weekly_refresh_sensor").required_resource_keys == {"warehouse"}
    assert isinstance(defs.resources["warehouse"], WarehouseResource)
