"""The local instance's storage (``instance.py``, selected by dagster.yaml): Dagster's own SQLite
files, written through kept connections, and read back by Dagster's stock storage."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3

import pytest
from dagster import (
    AssetKey,
    BackfillPolicy,
    DagsterInstance,
    Definitions,
    MaterializeResult,
    WeeklyPartitionsDefinition,
    asset,
    define_asset_job,
    in_process_executor,
)
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster.version import __version__ as dagster_version

from fitness_platform import instance as instance_module
from fitness_platform.delivery.schedules import range_run_tags
from fitness_platform.errors import ConfigurationError
from fitness_platform.paths import REPO_ROOT

WEEKS = WeeklyPartitionsDefinition(start_date="2024-01-01", day_offset=1)
QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}


@asset(partitions_def=WEEKS, backfill_policy=BackfillPolicy.single_run())
def weekly(context) -> MaterializeResult:
    for week in context.partition_keys:
        context.add_asset_metadata({"week": week}, partition_key=week)
    return MaterializeResult()


JOB = Definitions(
    assets=[weekly], jobs=[define_asset_job("weekly_job")], executor=in_process_executor
).resolve_job_def("weekly_job")


def _home(tmp_path, monkeypatch):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    return home


def _run(instance, first: str, last: str):
    result = JOB.execute_in_process(
        instance=instance, run_config=QUIET, tags=range_run_tags(first, last)
    )
    assert result.success
    return result.run_id


def test_the_repository_instance_writes_dagster_files_that_dagsters_own_storage_reads(
    tmp_path, monkeypatch
):
    home = _home(tmp_path, monkeypatch)
    with DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, instance_module.PooledSqliteEventLogStorage)
        first = _run(instance, "2024-01-01", "2024-03-25")  # 13 weeks
        second = _run(instance, "2024-03-25", "2024-04-01")
    # The same folder without the setting: Dagster's stock SQLite storage.
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    with DagsterInstance.get() as stock:
        assert type(stock.event_log_storage) is SqliteEventLogStorage
        assert {r.run_id for r in stock.get_runs()} == {first, second}
        records = stock.fetch_materializations(AssetKey("weekly"), limit=100).records
        assert len(records) == 13 + 2
        by_week = {}
        for record in records:  # newest first: the second run's 2024-03-25 wins
            by_week.setdefault(record.partition_key, record.run_id)
        assert len(by_week) == 14 and by_week["2024-03-25"] == second
        assert by_week["2024-01-01"] == first
        assert stock.get_latest_materialization_event(AssetKey("weekly")).run_id == second


def test_engines_are_kept_for_a_few_files_only(tmp_path, monkeypatch):
    _home(tmp_path, monkeypatch)
    monkeypatch.setattr(instance_module, "ENGINES_KEPT", 3)
    with DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        runs = [_run(instance, "2024-01-01", "2024-01-08") for _ in range(5)]
        assert len(storage._engines) == 3
        # Every run's events are still there, whether its engine was closed or not.
        for run_id in runs:
            assert len(instance.all_logs(run_id)) > 5
        storage.wipe()  # the runs' files are closed before they are deleted; the index is emptied
        assert list(storage._engines) == ["index"]
        assert instance.fetch_materializations(AssetKey("weekly"), limit=10).records == []
        after = _run(instance, "2024-01-01", "2024-01-08")
        records = instance.fetch_materializations(AssetKey("weekly"), limit=10).records
        assert records and {r.run_id for r in records} == {after}


def test_without_dagster_home_the_error_says_what_to_set(tmp_path, monkeypatch):
    home = _home(tmp_path, monkeypatch)
    monkeypatch.delenv("DAGSTER_HOME")
    with pytest.raises(ConfigurationError, match="DAGSTER_HOME"):
        DagsterInstance.from_config(str(home))


def _schema(path) -> tuple:
    """A SQLite file's tables and indexes as declared, its Alembic revision and journal mode."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        declared = conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master "
            "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
        ).fetchall()
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        journal = conn.execute("PRAGMA journal_mode").fetchone()
    return declared, revision, journal


def test_a_new_run_database_is_made_as_dagster_makes_one(tmp_path, monkeypatch):
    """A run's database is a copy of an empty one made once per Dagster version: the same tables,
    indexes, schema revision and journal mode as one Dagster's own storage makes; the copy is
    never made over a file that exists, nor for the index."""
    home = _home(tmp_path, monkeypatch)
    with DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        runs = [_run(instance, "2024-01-01", "2024-01-08") for _ in range(2)]
        folder = home / "history" / "runs"
        assert [p.name for p in (folder / ".templates").iterdir()] == [f"run-{dagster_version}.db"]
        assert sorted(storage.get_all_run_ids()) == sorted(runs)
        taken = folder / "taken.db"
        taken.write_bytes(b"another process's file")
        assert storage._copy_template("taken") is False
        assert taken.read_bytes() == b"another process's file"
        assert storage._copy_template("index") is False
    stock = SqliteEventLogStorage(str(tmp_path / "stock"))
    with stock.run_connection("made_by_dagster"):
        pass
    expected = _schema(tmp_path / "stock" / "made_by_dagster.db")
    assert expected[1] and expected[2] == ("wal",)
    for run in runs:
        assert _schema(folder / f"{run}.db") == expected
