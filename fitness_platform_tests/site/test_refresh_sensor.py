"""The refresh sensor, evaluated in process against a real Dagster instance that holds the Gold
materializations it reads (before, it crashed on every tick and no test saw it)."""

from __future__ import annotations

from datetime import date

from dagster import DagsterInstance

from fitness_platform.resources.warehouse import WarehouseResource
from fitness_platform.site.sensors import PLAN_REASON_TAG
from fitness_platform_tests.helpers import (
    EDIT_WEEK,
    SAMPLE_EXPORT_NAME,
    definitions,
    edit_one_set,
    run_delivery,
    run_ingest,
    sensor_tick,
)

RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"
FIRST, LAST = "2023-05-01", "2026-01-12"  # the sample's first and last complete week with data


def tick(sensor, instance, cursor, warehouse, defs=None):
    """One evaluation with the code location's own storage, reporter and e-mail resources."""
    resources = (defs or definitions()).resources
    return sensor_tick(
        sensor,
        instance,
        cursor,
        warehouse=warehouse,
        **{key: resources[key] for key in ("storage", "reporter", "email")},
    )


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
        assert request.tags[RANGE_START] == FIRST
        assert request.tags[RANGE_END] == LAST
        assert request.tags[PLAN_REASON_TAG] == "no complete delivery is recorded"
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
    assert defs.resolve_sensor_def("weekly_refresh_sensor").required_resource_keys == {
        "warehouse",
        "storage",
        "reporter",
        "email",
    }
    assert isinstance(defs.resources["warehouse"], WarehouseResource)


def test_refresh_sensor_delivers_from_the_first_week_that_changes(platform_env, raw_dir, warehouse):
    """Once a delivery is recorded, a Gold refresh asks for a run from the week of the edit (no
    week before it can change: every metric looks back), and a refresh that changes no output
    (an edit put back before the sensor looked) asks for none."""
    defs = definitions()
    sensor = defs.resolve_sensor_def("weekly_refresh_sensor")
    with DagsterInstance.ephemeral() as instance:
        assert run_ingest(defs, instance=instance).success
        first = tick(sensor, instance, None, warehouse)
        (request,) = first.run_requests
        assert run_delivery(request.tags[RANGE_START], request.tags[RANGE_END], defs).success

        export = raw_dir / "demo" / SAMPLE_EXPORT_NAME
        original = export.read_bytes()
        edit_one_set(raw_dir)
        assert run_ingest(defs, instance=instance).success
        edited = tick(sensor, instance, first.cursor, warehouse)
        (request,) = edited.run_requests
        before = (date.fromisoformat(EDIT_WEEK) - date.fromisoformat(FIRST)).days // 7
        assert (request.tags[RANGE_START], request.tags[RANGE_END]) == (EDIT_WEEK, LAST)
        assert request.tags[PLAN_REASON_TAG] == (
            f"demo's data changed; the {before} weeks before {EDIT_WEEK} are unchanged"
        )

        # The edit is put back before anything was delivered: Gold is refreshed again, and
        # every stored output is already what the warehouse gives.
        export.write_bytes(original)
        assert run_ingest(defs, instance=instance).success
        restored = tick(sensor, instance, edited.cursor, warehouse)
        assert restored.run_requests == []
        assert restored.skip_message == (
            f"Gold was refreshed, but the payloads and reports of {FIRST}...{LAST} are current: "
            "nothing to deliver"
        )
