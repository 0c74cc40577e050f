"""`fitness-platform run` as users run it, from a subprocess: the failures found when it was tried
by hand (stale Gold, one refused athlete, bad raw folders, an unreachable warehouse)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from fitness_platform.definitions import build_definitions
from fitness_platform.settings import Settings
from fitness_platform_tests.helpers import EDIT_WEEK, QUIET, SAMPLE_HEVY, edit_one_set, tree_hashes

BAD_EXPORT = "a,b,c\n1,2,3\n"
DELIVERY_ASSETS = {
    ("delivery", "weekly_payload"),
    ("delivery", "weekly_report"),
    ("delivery", "athlete_site"),
    ("delivery", "report_email"),
}


def cli(tmp_path: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fitness_platform.cli", *args],
        env={**os.environ, "FITNESS_STATE_DIR": str(tmp_path / "state"), **env},
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )


@pytest.fixture
def cli_env(database_url, raw_dir, tmp_path) -> dict:
    return {
        "FITNESS_DATABASE_URL": database_url,
        "FITNESS_RAW_DIR": str(raw_dir),
        "FITNESS_OUTPUT_DIR": str(tmp_path / "out"),
    }


def payload(out: Path, athlete: str, week: str) -> dict:
    path = out / f"payloads/athlete={athlete}/week_start={week}/weekly_fitness_context.json"
    return json.loads(path.read_text())


def ingest_without_gold(env: dict, monkeypatch) -> None:
    """An ingestion that commits its loads and stops before Gold (as a killed run does)."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    defs = build_definitions(Settings.from_env())
    keys = [
        spec.key
        for spec in defs.resolve_all_asset_specs()
        if spec.group_name in {"raw", "silver", "warehouse"}
    ]
    result = defs.resolve_job_def("ingest_job").execute_in_process(
        run_config=QUIET, asset_selection=keys, raise_on_error=False
    )
    assert result.success
    started = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
    assert "warehouse_tables" in started and "gold_views" not in started


def test_gold_left_behind_by_a_stopped_run_is_caught_up(cli_env, raw_dir, tmp_path, monkeypatch):
    out = tmp_path / "out"
    # A fresh database whose first ingestion stopped before Gold: the views do not exist yet.
    # (Before the fix every later run crashed with UndefinedTable until some export changed.)
    ingest_without_gold(cli_env, monkeypatch)
    first = cli(tmp_path, cli_env, "run")
    assert first.returncode == 0, first.stdout + first.stderr
    assert len(list(out.glob("payloads/athlete=demo/*/*.json"))) == 142
    before = payload(out, "demo", EDIT_WEEK)["training_overview"]["tonnage_kg"]

    # A loaded database: an edit is committed by a run that stops before Gold. The next run
    # sees unchanged fingerprints, yet must refresh Gold (before the fix: exit 0, stale payload).
    added = edit_one_set(raw_dir)
    ingest_without_gold(cli_env, monkeypatch)
    second = cli(tmp_path, cli_env, "run")
    assert second.returncode == 0, second.stdout + second.stderr
    after = payload(out, "demo", EDIT_WEEK)["training_overview"]["tonnage_kg"]
    assert Decimal(str(after)) == Decimal(str(before)) + added


def _whole_delivery(tmp_path, cli_env, pg_admin_url) -> dict[str, str]:
    """The output tree (``tree_hashes``) of a whole run of the raw folder as it is now, from
    nothing: a new database, output and state folder."""
    from fitness_platform_tests.helpers import fresh_database

    with fresh_database(pg_admin_url) as url:
        whole = {
            **cli_env,
            "FITNESS_DATABASE_URL": url,
            "FITNESS_OUTPUT_DIR": str(tmp_path / "whole"),
            "FITNESS_STATE_DIR": str(tmp_path / "whole_state"),
        }
        assert cli(tmp_path, whole, "run").returncode == 0
    return tree_hashes(tmp_path / "whole")


def test_an_edit_is_delivered_from_its_week_with_a_whole_deliverys_outputs(
    cli_env, raw_dir, tmp_path, pg_admin_url
):
    """One edited set: the delivery run starts at the week of the edit (no week before it can
    change: every metric looks back, never forward), and what it leaves is byte for byte what a
    whole delivery of the edited exports from nothing writes."""
    from datetime import date

    assert cli(tmp_path, cli_env, "run").returncode == 0
    edit_one_set(raw_dir)
    edited = cli(tmp_path, cli_env, "run")
    assert edited.returncode == 0, edited.stdout + edited.stderr
    first, edit_week, last = date(2023, 5, 1), date.fromisoformat(EDIT_WEEK), date(2026, 1, 12)
    weeks, before = (last - edit_week).days // 7 + 1, (edit_week - first).days // 7
    assert (
        f"deliver: {weeks} week(s) {EDIT_WEEK}...{last} in one run (demo's data changed; "
        f"the {before} weeks before {EDIT_WEEK} are unchanged)" in edited.stdout
    )
    again = cli(tmp_path, cli_env, "run")
    assert "are current: nothing changed" in again.stdout
    assert tree_hashes(tmp_path / "out") == _whole_delivery(tmp_path, cli_env, pg_admin_url)


def test_a_new_week_taken_out_again_leaves_nothing_of_it(cli_env, raw_dir, tmp_path, pg_admin_url):
    """A week added after the last (``bench.generate.add_next_week``) and then taken out of the
    exports again: its payload, report and page go with it. A delivery ran up to the last week
    with data, so the week after it, all of whose data had gone, kept its outputs. What the run
    leaves is byte for byte what a whole delivery of the exports from nothing writes."""
    from bench.generate import add_next_week

    out, new_week = tmp_path / "out", "2026-01-19"  # the sample's last week is 2026-01-12
    originals = add_next_week(raw_dir / "demo")
    assert cli(tmp_path, cli_env, "run").returncode == 0
    added = [k for k in tree_hashes(out) if new_week in k]
    assert {k.split("/")[0] for k in added} == {"payloads", "reports", "site"}
    for path, data in originals.items():
        path.write_bytes(data)
    back = cli(tmp_path, cli_env, "run")
    assert back.returncode == 0, back.stdout + back.stderr
    assert f"...{new_week} in one run" in back.stdout
    assert not [k for k in tree_hashes(out) if new_week in k]
    assert tree_hashes(out) == _whole_delivery(tmp_path, cli_env, pg_admin_url)


def test_one_refused_athlete_does_not_stop_the_others(cli_env, raw_dir, tmp_path):
    out = tmp_path / "out"
    twin = raw_dir / "twin"
    shutil.copytree(raw_dir / "demo", twin)
    assert cli(tmp_path, cli_env, "run").returncode == 0
    twin_before = {k: v for k, v in tree_hashes(out).items() if "athlete=twin" in k}
    delivered = [k for k in twin_before if k.startswith(("payloads/", "reports/"))]
    assert len(delivered) == 142 * 4  # payload, report, its sidecar and its verification record
    # ... and the athlete's site: a page per week, latest.html, the index and a page for each of
    # the ten diet cycles of cycles.csv.
    assert len([k for k in twin_before if k.startswith("site/")]) == 142 + 1 + 1 + 10

    # twin's export becomes unreadable, demo's changes, and a new athlete's only file is junk.
    (twin / SAMPLE_HEVY.name).write_text(BAD_EXPORT)
    (raw_dir / "bad").mkdir()
    (raw_dir / "bad" / "x.csv").write_text(BAD_EXPORT)
    added = edit_one_set(raw_dir)
    before = payload(out, "demo", EDIT_WEEK)["training_overview"]["tonnage_kg"]
    result = cli(tmp_path, cli_env, "run")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "refused (2 athlete(s)" in result.stdout
    assert f"twin: {twin / SAMPLE_HEVY.name}, line 1" in result.stdout
    assert f"bad: {raw_dir / 'bad' / 'x.csv'}, line 1" in result.stdout
    # The healthy athlete is delivered in the same run; the refused one keeps its outputs.
    after = payload(out, "demo", EDIT_WEEK)["training_overview"]["tonnage_kg"]
    assert Decimal(str(after)) == Decimal(str(before)) + added
    assert {k: v for k, v in tree_hashes(out).items() if "athlete=twin" in k} == twin_before
    assert not list(out.glob("payloads/athlete=bad/*"))

    # The junk removed: the next run is clean, and nothing is rebuilt that did not change.
    shutil.rmtree(raw_dir / "bad")
    shutil.copy(raw_dir / "demo" / SAMPLE_HEVY.name, twin / SAMPLE_HEVY.name)
    again = cli(tmp_path, cli_env, "run")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "refused (" not in again.stdout


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_a_missing_raw_dir_is_an_error(cli_env, tmp_path, kind):
    raw = tmp_path / "no_such_folder"
    if kind == "file":
        raw.write_text("not a folder")
    result = cli(tmp_path, {**cli_env, "FITNESS_RAW_DIR": str(raw)}, "run")
    assert result.returncode == 2
    expected = "does not exist" if kind == "missing" else "is a file, not a folder"
    assert f"error: the raw exports {'folder' if kind == 'missing' else 'location'} {raw}" in (
        result.stderr
    )
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_an_empty_raw_dir_says_so(cli_env, tmp_path):
    raw = tmp_path / "empty_raw"
    (raw / "nobody").mkdir(parents=True)
    result = cli(tmp_path, {**cli_env, "FITNESS_RAW_DIR": str(raw)}, "run")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"no exports found under {raw}" in result.stdout + result.stderr
    assert "athlete folder 'nobody' holds no exports" in result.stdout + result.stderr
    assert "nothing to deliver" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_an_unreachable_warehouse_is_one_clear_line(cli_env, tmp_path):
    with socket_port() as port:
        url = f"postgresql://coach:hunter2-secret@127.0.0.1:{port}/fitness"
        result = cli(tmp_path, {**cli_env, "FITNESS_DATABASE_URL": url}, "run")
    assert result.returncode == 3
    assert result.stderr.strip().splitlines() == [
        f"error: cannot connect to the warehouse at 127.0.0.1:{port}/fitness: connection to "
        f'server at "127.0.0.1", port {port} failed: Connection refused Is the server running '
        "on that host and accepting TCP/IP connections?"
    ]
    assert "hunter2" not in result.stdout + result.stderr


class socket_port:
    """A loopback port with nothing listening on it (bound, never listened on, then closed)."""

    def __enter__(self) -> int:
        import socket

        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        port = self._socket.getsockname()[1]
        self._socket.close()
        return port

    def __exit__(self, *exc) -> None:
        return None


def test_an_unusable_output_folder_is_its_own_exit_code(cli_env, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    result = cli(tmp_path, {**cli_env, "FITNESS_OUTPUT_DIR": str(blocker / "out")}, "run")
    assert result.returncode == 4, result.stdout + result.stderr
    assert f"cannot write {blocker / 'out'}" in result.stdout
    assert not list(tmp_path.rglob("*.tmp"))


def test_two_runs_at_once_both_succeed(cli_env, tmp_path):
    """Before: the loser failed with UniqueViolation on pg_namespace (both creating the schema) or
    FileNotFoundError on a shared '.json.tmp'. Same fresh database, same output folder."""
    command = [sys.executable, "-m", "fitness_platform.cli", "run"]
    procs = [
        subprocess.Popen(
            command,
            env={**os.environ, **cli_env, "FITNESS_STATE_DIR": str(tmp_path / f"state{i}")},
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    results = [p.communicate(timeout=300) + (p.returncode,) for p in procs]
    for out, err, code in results:
        assert code == 0, out + err
        assert "Traceback" not in out + err
    from sqlalchemy import create_engine, text

    engine = create_engine(cli_env["FITNESS_DATABASE_URL"])
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM fitness.sets")).scalar_one() == 9542
        assert conn.execute(text("SELECT count(*) FROM fitness.athletes")).scalar_one() == 1
    engine.dispose()
    out = tmp_path / "out"
    assert len(list(out.glob("payloads/athlete=demo/*/*.json"))) == 142
    assert not list(out.rglob("*.tmp"))


def test_runs_are_kept_in_the_persistent_dagster_home(cli_env, tmp_path, monkeypatch):
    from dagster import DagsterEventType, DagsterInstance

    from fitness_platform.instance import PooledSqliteEventLogStorage

    assert cli(tmp_path, cli_env, "run").returncode == 0
    home = tmp_path / "state" / "dagster_home"
    assert (home / "dagster.yaml").exists()
    monkeypatch.setenv("DAGSTER_HOME", str(home))  # as `make dev` reads it
    with DagsterInstance.from_config(str(home)) as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        runs = {run.job_name: run for run in instance.get_runs()}
        assert sorted(runs) == ["ingest_job", "weekly_delivery_job"]
        delivery = runs["weekly_delivery_job"]
        planned = instance.get_records_for_run(
            delivery.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION_PLANNED
        ).records
        done = instance.get_records_for_run(
            delivery.run_id, of_type=DagsterEventType.ASSET_MATERIALIZATION
        ).records
    # The sample's 142 weeks: one planned event per delivery asset (the run's weeks as one subset,
    # cli.PLANNED_EVENTS_SWITCH), not one per week and asset; still a materialization per week.
    assets = {tuple(e.event_log_entry.dagster_event.asset_key.path) for e in planned}
    assert len(planned) == len(DELIVERY_ASSETS) and assets == DELIVERY_ASSETS
    subsets = [
        e.event_log_entry.dagster_event.event_specific_data.partitions_subset for e in planned
    ]
    assert all(len(subset) == 142 for subset in subsets)
    assert len(done) == 142 * len(DELIVERY_ASSETS)


def test_sync_then_run_for_an_athlete_who_has_only_a_hevy_key(tmp_path, cli_env, hevy_server):
    from datetime import UTC, datetime

    from fitness_platform_tests.hevy_fake import fill, workout

    raw = tmp_path / "api_raw"
    (raw / "bea").mkdir(parents=True)
    (raw / "bea" / "athlete.toml").write_text(
        'time_zone = "UTC"\nhevy_api_key_env = "BEA_HEVY_API_KEY"\n'
    )
    # Two sessions in the week of Monday 5 January 2026, each with a 40×10 warm-up (not tonnage)
    # and a 60×8 working set of bench press: 2 × 480 kg.
    fill(
        hevy_server,
        [
            workout(1, datetime(2026, 1, 5, 7, tzinfo=UTC)),
            workout(2, datetime(2026, 1, 8, 7, tzinfo=UTC)),
        ],
    )
    env = {
        **cli_env,
        "FITNESS_RAW_DIR": str(raw),
        "FITNESS_HEVY_API_URL": hevy_server.url,
        "BEA_HEVY_API_KEY": hevy_server.key,
    }
    synced = cli(tmp_path, env, "sync", "--athlete", "bea")
    assert synced.returncode == 0, synced.stderr
    assert "1 athlete(s), 1 with news, 0 failed, 3 API calls" in synced.stdout
    assert (raw / "bea" / "hevy-api.json").is_file()

    ran = cli(tmp_path, env, "run")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    week = payload(Path(cli_env["FITNESS_OUTPUT_DIR"]), "bea", "2026-01-05")
    assert week["training_overview"]["training_sessions"] == 2
    assert week["training_overview"]["tonnage_kg"] == 2 * 60 * 8
    for done in (synced, ran):
        assert hevy_server.key not in done.stdout + done.stderr

    unknown = cli(tmp_path, env, "sync", "--athlete", "cid")
    assert unknown.returncode == 2
    assert "athlete 'cid' has no hevy_api_key_env in its athlete.toml" in unknown.stderr

    refused = cli(tmp_path, {**env, "BEA_HEVY_API_KEY": "not-the-key"}, "run")
    assert refused.returncode == 1
    assert "bea: the Hevy API key in BEA_HEVY_API_KEY was refused (401: InvalidApiKey)" in (
        refused.stdout
    )
    assert "not-the-key" not in refused.stdout + refused.stderr


def test_garbage_collection_is_off_only_while_the_command_starts(tmp_path):
    """``entry`` turns the collector off while the modules load; every command turns it back
    on once started (``run`` and ``sync`` first freeze what exists by then). A ``main`` called
    with the collector on (as here, or from any other program) leaves it alone."""
    import gc

    from fitness_platform import cli

    bad = tmp_path / "x.csv"
    bad.write_text("not,an,export\n1,2,3\n")
    assert gc.isenabled()
    assert cli.main(["validate", str(bad)]) != 0
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    try:
        cli.main(["validate", str(bad)])  # as started by ``entry``
        assert gc.isenabled() and gc.get_freeze_count() == 0
        gc.disable()
        cli._startup_done(freeze=True)  # what ``run`` and ``sync`` do once their definitions exist
        assert gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.enable()


KILL_AFTER_RUN = """
import os, signal, sys, time
# The signals as a shell hands them over, whatever this test's own process inherited: a suite
# started in the background of a script ignores SIGINT, and an in-process Dagster run there then
# sets SIGTERM to ignored as well, which a child would inherit.
signal.signal(signal.SIGTERM, signal.SIG_DFL)
if sys.argv[1] == "background":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # what a script's `command &` starts with
else:
    signal.signal(signal.SIGINT, signal.default_int_handler)
from fitness_platform import cli
code = cli.main(["run"])
print("ran", code, flush=True)
os.kill(os.getpid(), signal.SIGTERM)
time.sleep(30)
print("outlived SIGTERM", flush=True)
"""


@pytest.mark.parametrize("started", ["background", "foreground"])
def test_sigterm_still_ends_the_command_after_a_run(cli_env, tmp_path, started):
    """Dagster maps SIGTERM to SIGINT's handler after an in-process run: in the background
    (SIGINT ignored) a `kill` was then ignored, in a terminal it became a KeyboardInterrupt.
    After a whole `run` (a short one: no exports) SIGTERM ends the process, by the signal."""
    raw = tmp_path / "empty_raw"
    (raw / "nobody").mkdir(parents=True)
    result = subprocess.run(
        [sys.executable, "-c", KILL_AFTER_RUN, started],
        env={**os.environ, **cli_env, "FITNESS_RAW_DIR": str(raw)},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert "ran 0" in result.stdout, result.stdout + result.stderr
    assert "outlived SIGTERM" not in result.stdout
    assert "KeyboardInterrupt" not in result.stderr
    assert result.returncode == -signal.SIGTERM, result.stdout + result.stderr


STOP_DURING = """
import os, signal
import {module} as module
real = module.{function}

def then_stop(*args, **kwargs):  # as if `kill` arrived just as the step got here
    os.kill(os.getpid(), signal.SIGTERM)
    return real(*args, **kwargs)

module.{function} = then_stop
from fitness_platform import cli
print("exit", cli.main(["run"]), flush=True)
"""


def run_stopped_during(module: str, function: str, env: dict, tmp_path: Path):
    """``fitness-platform run`` in a subprocess that gets SIGTERM when ``module.function`` is
    first called (from within a step)."""
    return subprocess.run(
        [sys.executable, "-c", STOP_DURING.format(module=module, function=function)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )


def test_sigterm_during_a_run_stops_it_with_a_sentence(cli_env, tmp_path):
    """A `kill` while a run executes fails its step with a sentence (no traceback), delivers
    nothing, exits 130; the next run loads and delivers everything."""
    env = {**cli_env, "FITNESS_STATE_DIR": str(tmp_path / "state")}
    stopped = run_stopped_during("fitness_platform.warehouse.assets", "load_athlete", env, tmp_path)
    assert "exit 130" in stopped.stdout, stopped.stdout + stopped.stderr
    assert (
        "FAILED warehouse_tables: stopped by a signal (SIGTERM or SIGINT); what was committed "
        "stays, and the next run carries on from it"
    ) in stopped.stdout
    assert "No weekly outputs were refreshed" in stopped.stdout
    assert "Traceback" not in stopped.stdout + stopped.stderr
    assert not (tmp_path / "out" / "payloads").exists()
    again = cli(tmp_path, cli_env, "run")
    assert again.returncode == 0, again.stdout + again.stderr
    assert payload(tmp_path / "out", "demo", EDIT_WEEK)["athlete"]["athlete_key"] == "demo"


def test_sigterm_during_the_sync_stops_the_whole_command(cli_env, tmp_path, hevy_server):
    """A `run` whose Hevy sync is stopped by a signal goes no further: no ingestion starts."""
    raw = tmp_path / "api_raw"
    (raw / "bea").mkdir(parents=True)
    (raw / "bea" / "athlete.toml").write_text(
        'time_zone = "UTC"\nhevy_api_key_env = "BEA_HEVY_API_KEY"\n'
    )
    env = {
        **cli_env,
        "FITNESS_RAW_DIR": str(raw),
        "FITNESS_HEVY_API_URL": hevy_server.url,
        "BEA_HEVY_API_KEY": hevy_server.key,
        "FITNESS_STATE_DIR": str(tmp_path / "state"),
    }
    stopped = run_stopped_during("fitness_platform.raw.assets", "sync_athletes", env, tmp_path)
    assert "exit 130" in stopped.stdout, stopped.stdout + stopped.stderr
    assert "FAILED raw__hevy_api: stopped by a signal (SIGTERM or SIGINT)" in stopped.stdout
    assert "[1/2] ingest" not in stopped.stdout
    assert "stopped before anything else was run" in stopped.stdout
    assert "Traceback" not in stopped.stdout + stopped.stderr
