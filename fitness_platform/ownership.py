"""Who answers for the platform's assets (shown in the Dagster UI on every asset)."""

OWNERS = ["team:fitness-platform"]
