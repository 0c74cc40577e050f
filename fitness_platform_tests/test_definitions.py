"""The code location loads cleanly, with the assets, lineage and partitions it declares."""

from __future__ import annotations

import warnings


def test_definitions_load_without_warnings_of_ours(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from fitness_platform.definitions import build_definitions
        from fitness_platform.settings import Settings

        defs = build_definitions(Settings.from_env({}))
        defs.resolve_all_job_defs()
    ours = [w for w in caught if "fitness_platform" in (w.filename or "")]
    assert ours == [], [str(w.message) for w in ours]
    keys = {k.to_user_string() for k in defs.resolve_all_asset_keys()}
    assert {
        "raw/workout_exports",
        "silver/workout_sets",
        "fitness/sets",
        "fitness/gold_weekly_fitness_summary",
        "delivery/weekly_payload",
        "delivery/weekly_report",
    } <= keys
    # Each warehouse table declares the silver assets it is really loaded from.
    deps = {
        spec.key.to_user_string(): {d.asset_key.to_user_string() for d in spec.deps}
        for spec in defs.resolve_all_asset_specs()
    }
    assert deps["fitness/sets"] == {"silver/workout_sets"}
    assert deps["fitness/diet_daily"] == {"silver/diet_days"}
    assert deps["fitness/cycles"] == {"silver/diet_cycles"}
    assert deps["fitness/exercises"] == {"silver/exercise_catalog", "silver/workout_sets"}
    weekly = defs.resolve_job_def("weekly_delivery_job").partitions_def
    # Early enough for any tracker history (a Monday); the sample's weeks lie well inside.
    assert weekly.get_partition_keys()[0] == "2010-01-04"


def test_the_hevy_sync_runs_hourly_unless_configured(monkeypatch, tmp_path):
    import pytest

    from fitness_platform.definitions import build_definitions
    from fitness_platform.errors import ConfigurationError
    from fitness_platform.settings import Settings

    monkeypatch.chdir(tmp_path)
    hourly = build_definitions(Settings.from_env({})).resolve_schedule_def("hevy_sync_schedule")
    assert hourly.cron_schedule == "0 * * * *" and hourly.job_name == "hevy_sync_job"
    for minutes, cron in [("15", "*/15 * * * *"), ("360", "0 */6 * * *"), ("1440", "0 0 * * *")]:
        defs = build_definitions(Settings.from_env({"FITNESS_HEVY_SYNC_MINUTES": minutes}))
        assert defs.resolve_schedule_def("hevy_sync_schedule").cron_schedule == cron
    with pytest.raises(ConfigurationError, match="FITNESS_HEVY_SYNC_MINUTES must be one of"):
        Settings.from_env({"FITNESS_HEVY_SYNC_MINUTES": "7"})
    with pytest.raises(ConfigurationError, match="FITNESS_HEVY_API_URL must be an http"):
        Settings.from_env({"FITNESS_HEVY_API_URL": "api.hevyapp.com"})
    # The sync runs alone in its pool: one Hevy sync at a time.
    from dagster import AssetKey

    sync = build_definitions(Settings.from_env({})).resolve_assets_def(
        AssetKey(["raw", "hevy_api"])
    )
    assert sync.op.pool == "hevy_api" and sync.group_names_by_key[sync.key] == "raw"
