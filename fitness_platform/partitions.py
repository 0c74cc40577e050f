"""The weekly partitions: Monday-to-Sunday ISO weeks, the same weeks as the Gold views."""

from dagster import WeeklyPartitionsDefinition

from fitness_platform.settings import DEFAULT_PARTITION_START


def weekly_partitions(start: str = DEFAULT_PARTITION_START) -> WeeklyPartitionsDefinition:
    """One partition per week starting on Monday (``day_offset=1``), from ``start``."""
    return WeeklyPartitionsDefinition(start_date=start, day_offset=1)
