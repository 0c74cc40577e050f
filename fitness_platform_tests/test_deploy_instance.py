"""deploy/dagster.yaml against a real PostgreSQL: runs and events are stored there."""

from __future__ import annotations

import shutil
import uuid

from dagster import DagsterEventType, DagsterInstance
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from fitness_platform.paths import REPO_ROOT
from fitness_platform_tests.helpers import run_delivery, run_ingest


def test_production_instance_stores_runs_in_postgres(
    platform_env, pg_admin_url, monkeypatch, tmp_path
):
    name = "dagster_" + uuid.uuid4().hex[:8]
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_admin_url).set(drivername="postgresql+psycopg2", database=name)
    monkeypatch.setenv("DAGSTER_PG_URL", url.render_as_string(hide_password=False))

    # As the file says: copied into a DAGSTER_HOME of its own (instance files land there, never
    # in the checkout's deploy/ folder).
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    instance = DagsterInstance.from_config(str(home))
    try:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        ingest = run_ingest(instance=instance)
        delivery = run_delivery("2024-01-01", "2024-01-29", instance=instance)
        assert ingest.success and delivery.success
        stored = instance.get_run_by_id(delivery.run_id)
        assert stored.is_success
        materialized = instance.get_records_for_run(
            delivery.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION
        ).records
        # Four assets (payload, report, site, e-mail) × five weekly partitions, in the one run.
        assert len(materialized) == 20
    finally:
        instance.dispose()
    # Read back with plain SQL: the rows are really in PostgreSQL.
    engine = create_engine(url.set(drivername="postgresql+psycopg"))
    with engine.connect() as conn:
        runs = {r[0] for r in conn.execute(text("SELECT run_id FROM runs"))}
        events = conn.execute(
            text("SELECT count(*) FROM event_logs WHERE run_id = :r"), {"r": delivery.run_id}
        ).scalar_one()
    engine.dispose()
    assert {ingest.run_id, delivery.run_id} <= runs
    assert events > 10
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))


def test_ecs_instance_launches_runs_as_ecs_tasks(database_url, monkeypatch, tmp_path):
    """deploy/dagster.ecs.yaml builds an instance whose runs start as ECS tasks (no cluster runs
    here: the launcher's AWS clients talk to moto), with the same storage as dagster.yaml."""
    import boto3
    import yaml
    from dagster_aws.ecs import EcsRunLauncher
    from moto import mock_aws

    deploy = REPO_ROOT / "deploy"
    ecs = yaml.safe_load((deploy / "dagster.ecs.yaml").read_text())
    base = yaml.safe_load((deploy / "dagster.yaml").read_text())
    # The ECS file is dagster.yaml plus a launcher and more room for shard runs.
    same = {"storage", "run_coordinator", "scheduler", "run_retries", "telemetry"}
    assert {k: ecs[k] for k in same} == {k: base[k] for k in same}
    assert set(ecs) == set(base) | {"run_launcher"}
    assert (
        ecs["concurrency"]["runs"]["max_concurrent_runs"]
        > base["concurrency"]["runs"]["max_concurrent_runs"]
    )
    url = make_url(database_url).set(drivername="postgresql+psycopg2")
    monkeypatch.setenv("DAGSTER_PG_URL", url.render_as_string(hide_password=False))
    monkeypatch.setenv("DAGSTER_RUN_TASK_DEFINITION", "fitness-platform-run:1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(deploy / "dagster.ecs.yaml", home / "dagster.yaml")
    with mock_aws():
        # The launcher checks that the task definition exists and holds the "run" container.
        boto3.client("ecs", region_name="eu-west-1").register_task_definition(
            family="fitness-platform-run",
            containerDefinitions=[{"name": "run", "image": "fitness-platform:1", "memory": 4096}],
        )
        instance = DagsterInstance.from_config(str(home))
        try:
            launcher = instance.run_launcher
            assert isinstance(launcher, EcsRunLauncher)
            assert launcher.task_definition.endswith(":task-definition/fitness-platform-run:1")
            assert launcher.container_name == "run"
            assert launcher.include_sidecars is False
            assert launcher.secrets_tags == ["fitness-platform"]
            assert "FITNESS_S3_BUCKET" in launcher.env_vars
            assert launcher.run_resources == {"cpu": "1024", "memory": "4096"}
            assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        finally:
            instance.dispose()
    # No secret is written in the file: the database URLs come from the environment.
    text_ = (deploy / "dagster.ecs.yaml").read_text()
    assert "postgresql+psycopg2://" not in text_.split("storage:")[1]
