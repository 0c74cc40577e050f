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
