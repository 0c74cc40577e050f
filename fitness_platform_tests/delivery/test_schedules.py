"""The weekly delivery schedule."""

from __future__ import annotations

from datetime import datetime

from dagster import DagsterInstance, build_schedule_context

from fitness_platform_tests.helpers import definitions


def test_weekly_schedule_builds_the_week_that_just_ended(platform_env):
    schedule = definitions().resolve_schedule_def("weekly_delivery_schedule")
    with DagsterInstance.ephemeral() as instance:
        context = build_schedule_context(
            instance=instance, scheduled_execution_time=datetime(2026, 11, 30, 6, 0)
        )
        (request,) = schedule.evaluate_tick(context).run_requests
    # Monday 30 November 2026, 06:00: the week of Monday 23 November is complete.
    assert request.partition_key == "2026-11-23"
