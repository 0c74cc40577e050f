"""Shared fixtures: one real embedded PostgreSQL for the session, a fresh database per test.

Constants and plain helpers live in ``helpers.py``; this file holds fixtures and hooks only."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from fitness_platform.paths import DATA_DIR
from fitness_platform.resources.warehouse import WarehouseResource, embedded_url
from fitness_platform_tests.helpers import SAMPLE_DELIVERY, SAMPLE_HEVY, fresh_database
from fitness_platform_tests.hevy_fake import FakeHevy

_GIT_BEFORE = pytest.StashKey[set | None]()


def _git_status() -> set[str] | None:
    """The checkout's ``git status --porcelain`` lines (None outside a git checkout)."""
    try:
        done = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all"],
            cwd=DATA_DIR.parent,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return set(done.stdout.splitlines()) if done.returncode == 0 else None


def pytest_sessionstart(session):
    session.config.stash[_GIT_BEFORE] = _git_status()


def pytest_sessionfinish(session, exitstatus):
    """Tests never write into the repository: the suite fails if the checkout changed."""
    before = session.config.stash.get(_GIT_BEFORE, None)
    after = _git_status()
    if before is None or after is None:
        return
    written = sorted(after - before)
    if written:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line("the test suite changed the checkout:", red=True)
            for line in written:
                reporter.write_line(f"  {line}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def pg_admin_url(tmp_path_factory) -> str:
    """A real PostgreSQL 16 (pgserver) shared by the whole session."""
    return embedded_url(tmp_path_factory.mktemp("pg") / "data")


@pytest.fixture
def database_url(pg_admin_url: str):
    """A new, empty database for one test; dropped afterwards."""
    with fresh_database(pg_admin_url) as url:
        yield url


@pytest.fixture
def warehouse(database_url: str) -> WarehouseResource:
    return WarehouseResource(database_url=database_url)


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    """A raw folder holding a copy of the committed sample, athlete ``demo`` (its exports, its
    athlete.toml and its cycles.csv)."""
    target = tmp_path / "raw" / "demo"
    shutil.copytree(SAMPLE_HEVY.parent, target)
    return tmp_path / "raw"


@pytest.fixture
def platform_env(monkeypatch, database_url: str, tmp_path: Path, raw_dir: Path) -> dict:
    """The environment of DESIGN.md pointing at this test's database and folders."""
    env = {
        "FITNESS_DATABASE_URL": database_url,
        "FITNESS_RAW_DIR": str(raw_dir),
        "FITNESS_OUTPUT_DIR": str(tmp_path / "out"),
        "FITNESS_STORAGE": "local",
        "FITNESS_LLM": "offline",
        # Local state (Dagster home, IO storage) in the test's folder, never in the checkout.
        "FITNESS_STATE_DIR": str(tmp_path / "state"),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def hevy_server():
    """A fake Hevy API on 127.0.0.1 (``.url``), behind a key made up for this test (``.key``)."""
    fake = FakeHevy(str(uuid.uuid4()))
    fake.url = fake.start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory, pg_admin_url):
    """The platform run once on the committed sample for the whole session: ingestion, then the
    delivery of every week with training. (database URL, output folder)."""
    from fitness_platform_tests.helpers import run_delivery, run_ingest

    name = "s_" + uuid.uuid4().hex[:10]
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)
    out = tmp_path_factory.mktemp("sample_out")
    mp = pytest.MonkeyPatch()
    mp.setenv("FITNESS_DATABASE_URL", url)
    mp.setenv("FITNESS_RAW_DIR", str(SAMPLE_HEVY.parent.parent))
    mp.setenv("FITNESS_OUTPUT_DIR", str(out))
    mp.setenv("FITNESS_STATE_DIR", str(tmp_path_factory.mktemp("sample_state")))
    try:
        assert run_ingest().success
        assert run_delivery(*SAMPLE_DELIVERY).success
    finally:
        mp.undo()
    return url, out


@pytest.fixture(scope="session")
def sample_week_payloads(sample_run) -> dict:
    """The payload of every week of the sample (week → payload), built from its Gold."""
    from datetime import date

    from fitness_platform.delivery.payload import build_payload, weeks_with_data

    url, _ = sample_run
    with WarehouseResource(database_url=url).connect() as conn:
        weeks = [w for _, w in weeks_with_data(conn, date(2000, 1, 3), date(2100, 1, 4))]
        return {w: build_payload(conn, "demo", w) for w in weeks}
