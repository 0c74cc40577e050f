"""What the tests share that is not a fixture: paths of the sample and fixtures, a fresh database on
the session's server, running the platform's jobs, reading run results, editing the sample."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from dagster import DagsterInstance, build_sensor_context
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from fitness_platform.definitions import build_definitions
from fitness_platform.delivery.schedules import range_run_tags
from fitness_platform.paths import DATA_DIR
from fitness_platform.resources import warehouse as warehouse_module
from fitness_platform.settings import Settings

QUIET = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
SAMPLE_DIR = DATA_DIR / "raw" / "demo"
SAMPLE_HEVY = SAMPLE_DIR / "hevy_workouts_raw.csv"
SAMPLE_DIET = SAMPLE_DIR / "diet_daily_raw_export.csv"
FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE_DELIVERY = ("2023-11-20", "2026-01-12")
"""The weeks the session's sample run delivers (``conftest.sample_run``)."""


@contextlib.contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """A new, empty database on the session's server; dropped when the block ends."""
    name = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        engine = warehouse_module._ENGINES.pop(url, None)
        if engine is not None:
            engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def definitions():
    return build_definitions(Settings.from_env())


def run_ingest(defs=None, instance=None, run_config=None):
    defs = defs or definitions()
    config = dict(QUIET, **(run_config or {}))
    return defs.resolve_job_def("ingest_job").execute_in_process(
        instance=instance or DagsterInstance.ephemeral(), run_config=config, raise_on_error=False
    )


def run_delivery(first: str, last: str, defs=None, instance=None):
    defs = defs or definitions()
    return defs.resolve_job_def("weekly_delivery_job").execute_in_process(
        instance=instance or DagsterInstance.ephemeral(),
        run_config=QUIET,
        tags=range_run_tags(first, last),
        raise_on_error=False,
    )


def materialization_metadata(result, key_path: tuple[str, ...]) -> dict:
    """Metadata values of the (first) materialization of an asset in a run result."""
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        if tuple(mat.asset_key.path) == key_path:
            return {k: v.value for k, v in mat.metadata.items()}
    raise AssertionError(f"no materialization of {key_path}")


def check_results(result) -> dict[str, bool]:
    return {
        e.event_specific_data.check_name: e.event_specific_data.passed
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }


def check_evaluation(result, check_name: str):
    """The (first) evaluation of an asset check in a run result: passed, severity, metadata."""
    for event in result.all_events:
        if (
            event.event_type_value == "ASSET_CHECK_EVALUATION"
            and event.event_specific_data.check_name == check_name
        ):
            return event.event_specific_data
    raise AssertionError(f"check {check_name} was not evaluated")


def tree_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root``, by relative path."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def recorded_calls(monkeypatch, owner, name: str, pick) -> list:
    """Replace ``owner.name`` (a module's function or a class's method) by one that appends
    ``pick(*args)`` of every call to the returned list, then calls the original."""
    calls: list = []
    original = getattr(owner, name)

    def recording(*args, **kwargs):
        calls.append(pick(*args))
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, recording)
    return calls


# The set ``edit_one_set`` changes: a normal Leg Press set of Thursday 15 August 2024.
EDIT_TITLE, EDIT_DAY, EDIT_WEEK = "Leg Press (Machine)", "15 Aug 2024", "2024-08-12"
SAMPLE_EXPORT_NAME = "hevy_workouts_raw.csv"


def edit_one_set(raw_dir: Path, new_weight: str = "300", athlete: str = "demo") -> Decimal:
    """Set the weight of the first normal Leg Press set of 15 Aug 2024 in an athlete's copy of
    the sample; return the tonnage that adds, worked out from the raw row: (new − old) × reps."""
    path = raw_dir / athlete / SAMPLE_EXPORT_NAME
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    row = next(
        r
        for r in body
        if r[col["exercise_title"]] == EDIT_TITLE
        and r[col["start_time"]].startswith(EDIT_DAY)
        and r[col["set_type"]] == "normal"
    )
    added = (Decimal(new_weight) - Decimal(row[col["weight_kg"]])) * int(row[col["reps"]])
    row[col["weight_kg"]] = new_weight
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows([header, *body])
    return added


def sensor_tick(sensor, instance, cursor, **resources):
    """One evaluation of a sensor against a real instance, with the given resources."""
    context = build_sensor_context(instance=instance, cursor=cursor, resources=resources)
    return sensor.evaluate_tick(context)
