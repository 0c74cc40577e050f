"""The benchmark suite at its smallest size, briefly, so that it cannot rot; and the parallel
parse path the benchmarks exercise."""

from __future__ import annotations

import io
import time

import bench.run
from bench.run import CpuMeter, cpu_bound, machine, measure, server_pid, table
from fitness_platform.ingest import athlete as athlete_module
from fitness_platform_tests.helpers import materialization_metadata, run_ingest


def test_smallest_size_runs(tmp_path, pg_admin_url, monkeypatch):
    for key in ("FITNESS_DATABASE_URL", "FITNESS_RAW_DIR", "FITNESS_OUTPUT_DIR"):
        monkeypatch.delenv(key, raising=False)
    # The payload over plain views runs out of its time (1 ms) and is counted as a lower bound.
    monkeypatch.setattr(bench.run, "PLAIN_TIMEOUT_S", 0.001)
    result = measure(
        1,
        payload_samples=5,
        plain_samples=1,
        baseline=True,
        backfill=False,
        workdir=tmp_path,
        admin_url=pg_admin_url,
    )
    assert result["sets"] > 9000 and result["replay_rows_written"] == 0
    assert result["reexport_athletes_loaded"] == 1 and result["reexport_sets_updated"] == 1
    assert result["ceiling_a_per_s"] > result["ceiling_b_per_s"] > 0
    assert result["baseline_sets_per_s"] > 0 and result["payload_ms_p95"] > 0
    assert result["checks_first_s"] > 0
    assert result["load_workers"] == 1  # one athlete: one connection, whatever the cores
    # The fresh load's own high-water mark, recorded before payloads and ceilings add theirs.
    assert 0 < result["fresh_load_rss_mb"] <= result["peak_rss_mb"]
    rendered = table({"machine": machine(), "sizes": {"1": result}})
    assert "| 1 | " in rendered and "cores" in rendered
    assert "| not measured |" in rendered  # the backfill was skipped, and the table says so
    assert result["plain_payload_timeouts"] == 1 and "(≥ " in rendered
    # The embedded server runs on this machine, so the load's CPU has both halves.
    assert result["fresh_load_python_cpu_s"] > 0 and result["fresh_load_server_cpu_s"] > 0
    assert result["ceiling_b_cpu_us_per_set"] > 0


def test_cpu_meter_sees_the_servers_work_apart_from_ours(warehouse):
    """A query that keeps one server process busy shows up as server CPU close to its wall time,
    while this process, waiting for it, uses little."""
    meter = CpuMeter(server_pid(warehouse))
    with warehouse.connect() as conn:
        started = time.perf_counter()
        conn.exec_driver_sql(
            "SELECT sum(sqrt(g::float8)) FROM generate_series(1, 20000000) AS g"
        ).scalar_one()
        wall = time.perf_counter() - started
    cpu = meter.elapsed()
    assert 0.5 * wall < cpu["server_cpu_s"] < 1.5 * wall + 0.1
    assert cpu["python_cpu_s"] < 0.5 * cpu["server_cpu_s"]
    assert CpuMeter(None).elapsed()["server_cpu_s"] is None


def test_cpu_bound_of_the_fresh_load():
    """Worked by hand: 20 + 12 = 32 CPU seconds for a million sets is 32 µs a set; on 2 cores at
    least 16 s, so at most 62,500 sets/s, 42% of a 150,000/s ceiling."""
    sizes = {
        "sets": 1_000_000,
        "fresh_load_python_cpu_s": 20.0,
        "fresh_load_server_cpu_s": 12.0,
        "ceiling_b_cpu_us_per_set": 6.5,
        "ceiling_b_per_s": 150_000,
    }
    line = cpu_bound(sizes, 2)
    assert "32.0 s (Python 20.0 s" in line and "PostgreSQL 12.0 s" in line
    assert "32.0 µs per set against 6.5 µs" in line
    assert "less than 16.0 s, at most 42% of ceiling (b)" in line
    assert cpu_bound(dict(sizes, fresh_load_server_cpu_s=None), 2) is None


def test_parallel_parse_path(platform_env, raw_dir, monkeypatch, warehouse):
    import shutil

    for i in range(3):
        shutil.copytree(raw_dir / "demo", raw_dir / f"copy{i}")
    monkeypatch.setattr(athlete_module, "PARALLEL_THRESHOLD", 2)
    result = run_ingest()
    assert result.success
    meta = materialization_metadata(result, ("fitness", "sets"))
    # data/corrections.csv fixes athlete "demo" only: each copy keeps the 111-reps typo, which is
    # quarantined as reps_suspect (and its missing-weight failure set loads without a weight).
    assert meta["inserted"] == 9542 + 3 * 9541 and meta["athletes_loaded"] == 4
    rejected = materialization_metadata(result, ("fitness", "rejected_rows"))
    assert rejected["inserted"] == 3


def test_a_run_keeps_what_it_does_not_measure(tmp_path, monkeypatch):
    """``make bench`` (1 and 10 athletes) once replaced bench/results.json whole, losing the 100
    and 1,000 of ``make bench-full`` and the S3 and CLI results."""
    results = tmp_path / "results.json"
    monkeypatch.setattr(bench.run, "RESULTS", results)
    assert bench.run._kept(machine()) == {}  # nothing measured yet
    earlier = {
        "machine": machine(),
        "profile": "full",
        "sizes": {"1000": {"athletes": 1000, "commit": "abc"}},
        "s3": {"weeks": 142},
        "cli": {"1": {"fresh_s": 30.0}},
    }
    results.write_text(bench.run.json.dumps(earlier))
    assert bench.run._kept(machine()) == {
        "sizes": {"1000": {"athletes": 1000, "commit": "abc"}},
        "s3": {"weeks": 142},
        "cli": {"1": {"fresh_s": 30.0}},
    }
    # Another machine's figures cannot be compared with this one's; a damaged file is not kept.
    assert bench.run._kept({**machine(), "cores": machine()["cores"] + 1}) == {}
    results.write_text("{not json")
    assert bench.run._kept(machine()) == {}


def test_whole_cli_results_are_replaced_per_size():
    """``--cli-sizes 10 1000`` replaces those two sizes' whole-CLI runs and keeps the 1 athlete
    measured earlier; each size measured now carries the run's date and commit."""
    results = {
        "cli": {
            "1": {"fresh_s": 8.0, "commit": "old"},
            "1000": {"fresh_s": 1993.0, "edit_s": 6.4, "note": "earlier", "commit": "old"},
        },
        "s3": {"weeks": 142, "commit": "old"},
    }
    stamp = {"measured_on": "2026-12-07", "commit": "new"}
    bench.run.record(results, "cli", {"1000": {"edit_s": 4.2}, "10": {"edit_s": 3.9}}, stamp)
    assert list(results["cli"]) == ["1", "10", "1000"]
    assert results["cli"]["1"] == {"fresh_s": 8.0, "commit": "old"}
    assert results["cli"]["10"] == {"edit_s": 3.9, "measured_on": "2026-12-07", "commit": "new"}
    assert results["cli"]["1000"] == {"edit_s": 4.2, "measured_on": "2026-12-07", "commit": "new"}
    bench.run.record(results, "s3", {"weeks": 142, "s3_fresh_s": 8.2}, stamp)
    assert results["s3"] == {"weeks": 142, "s3_fresh_s": 8.2, **stamp}


def test_a_next_week_repeats_the_newest_week_seven_days_later(tmp_path):
    """``bench.generate.add_next_week`` on the sample: the rows of the Hevy export's newest seven
    days come again at its top, seven days later, and the diet log's last seven days at its end;
    everything else stays byte for byte, and the originals come back for the put-back. Expected
    rows counted apart, with pandas."""
    import shutil
    from datetime import timedelta

    import pandas as pd

    from bench.generate import add_next_week
    from fitness_platform.paths import REPO_ROOT

    folder = tmp_path / "demo"
    shutil.copytree(REPO_ROOT / "data" / "raw" / "demo", folder)
    hevy, diet = folder / "hevy_workouts_raw.csv", folder / "diet_daily_raw_export.csv"
    before = {hevy: hevy.read_bytes(), diet: diet.read_bytes()}

    old = pd.read_csv(hevy, dtype=str, keep_default_na=False)
    start = pd.to_datetime(old["start_time"], format="%d %b %Y, %H:%M")
    newest_week = old[start > start.max() - timedelta(days=7)]
    assert 0 < len(newest_week) < len(old)

    assert add_next_week(folder) == before
    new = pd.read_csv(hevy, dtype=str, keep_default_na=False)
    added = new.iloc[: len(newest_week)].reset_index(drop=True)
    assert len(new) == len(old) + len(newest_week)
    for column in ("start_time", "end_time"):
        shifted = pd.to_datetime(newest_week[column], format="%d %b %Y, %H:%M") + timedelta(days=7)
        assert (pd.to_datetime(added[column], format="%d %b %Y, %H:%M") == shifted.values).all()
    rest = [c for c in old.columns if c not in ("start_time", "end_time")]
    assert added[rest].equals(newest_week[rest].reset_index(drop=True))
    header, *_ = before[hevy].split(b"\n", 1)
    assert hevy.read_bytes().startswith(header + b"\n")
    assert hevy.read_bytes().endswith(before[hevy][len(header) + 1 :])

    assert diet.read_bytes().startswith(before[diet])
    days = pd.read_csv(diet, dtype=str, keep_default_na=False)
    dates = pd.to_datetime(days["data"])
    assert len(days) == len(pd.read_csv(io.BytesIO(before[diet]), dtype=str)) + 7
    assert (dates.iloc[-7:].values == (dates.iloc[-14:-7] + timedelta(days=7)).values).all()


def test_the_commands_step_times_and_the_weekly_column():
    """What ``bench.cli`` reads of the command's output: each step's "done in" (a delivery with
    nothing to do has none), and the table's column for the weekly re-export."""
    from bench.cli import step_seconds
    from bench.cli import table as cli_table

    output = (
        "[1/2] ingest: /raw → warehouse → gold\n"
        "      fitness/sets: inserted 75, updated 0, deleted 0, unchanged 10731\n"
        "      done in 53.4 s\n"
        "[2/2] deliver: 143 weeks 2023-05-01...2026-01-19 in one run (athlete_0000's data changed)\n"
        "      done in 25.4 s\n"
        "payloads: /out/payloads\n"
    )
    assert step_seconds(output) == {"ingest_s": 53.4, "deliver_s": 25.4}
    current = (
        "[1/2] ingest: /raw → warehouse → gold\n      done in 0.5 s\n"
        "[2/2] deliver: 142 weeks 2023-05-01...2026-01-12 are current: nothing changed\n"
    )
    assert step_seconds(current) == {"ingest_s": 0.5}
    row = {"fresh_s": 160.0, "replay_s": 2.0, "replay_pct_of_fresh": 1.25, "edit_s": 4.0}
    week = {"new_week_s": 80.0, "new_week_pct_of_fresh": 50.0, "new_week_ingest_s": 53.4}
    rendered = cli_table({"100": row | week | {"new_week_deliver_s": 25.4}, "10": row})
    assert "| 80.0 s (50%; 53.4 s, 25.4 s) |" in rendered
    assert rendered.splitlines()[-1].endswith("| not measured | not measured |")
