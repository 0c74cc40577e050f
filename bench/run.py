"""The benchmark runner: ``python -m bench.run --profile quick|full``.

Each size runs in its own process (so peak memory is that size's alone) against the embedded
PostgreSQL under .fitness/bench, in a fresh database. Results go to stdout as a table and to
bench/results.json. Timings are wall-clock on a shared machine: compare the ratios of one run."""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path

PROFILES = {"quick": [1, 10], "full": [1, 10, 100, 1000]}
BASELINE_SIZES = {1, 10}
PLAIN_TIMEOUT_S = 120  # the longest a payload over plain views may take
ROOT = Path(__file__).resolve().parents[1]
WORKDIR = ROOT / ".fitness" / "bench"
RESULTS = ROOT / "bench" / "results.json"


def machine() -> dict:
    meminfo = Path("/proc/meminfo")
    total = None
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                total = round(int(line.split()[1]) / 1024 / 1024, 1)
    return {
        "cores": os.cpu_count(),
        "memory_gib": total,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.machine()}",
    }


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _new_database(admin_url: str, name: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop_database(admin_url: str, name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _execute(job, **kwargs):
    """``job.execute_in_process`` on an ephemeral instance disposed here, in this thread. Left to
    the garbage collector, an instance's SQLite connection was closed from whichever thread the
    collector ran in (a pool's), and SQLite printed a traceback for each."""
    from dagster import DagsterInstance

    with DagsterInstance.ephemeral() as instance:
        return job.execute_in_process(instance=instance, **kwargs)


def _meta(result, key: tuple[str, ...]) -> dict:
    for event in result.get_asset_materialization_events():
        mat = event.event_specific_data.materialization
        if tuple(mat.asset_key.path) == key:
            return {k: v.value for k, v in mat.metadata.items()}
    return {}


class CpuMeter:
    """CPU seconds (user and system) of this process with its waited-for children (the parse
    workers), and of the PostgreSQL server with all its processes when it runs on this machine
    (found from a backend's parent; autovacuum included), since the meter was made.

    Wall time on a shared machine says how long; CPU time says how much work. The fresh-load
    target compares wall times, and on ``n`` cores no schedule runs work of ``c`` CPU seconds in
    less than ``c / n`` seconds (``cpu_bound``: the best ratio to ceiling (b) the work allows)."""

    def __init__(self, server_pid: int | None):
        import psutil

        try:
            self._server = psutil.Process(server_pid) if server_pid else None
        except psutil.Error:
            self._server = None
        self._start = self._read()

    def _read(self) -> tuple[float, float | None]:
        import psutil

        python = sum(
            r.ru_utime + r.ru_stime
            for r in (
                resource.getrusage(resource.RUSAGE_SELF),
                resource.getrusage(resource.RUSAGE_CHILDREN),
            )
        )
        if self._server is None:
            return python, None
        try:
            t = self._server.cpu_times()
            server = t.user + t.system + t.children_user + t.children_system
            for child in self._server.children():
                try:
                    c = child.cpu_times()
                except psutil.Error:  # ended between the listing and the reading
                    continue
                server += c.user + c.system
        except psutil.Error:
            return python, None
        return python, server

    def elapsed(self) -> dict:
        """{"python_cpu_s", "server_cpu_s"} since the meter was made (server None if unknown)."""
        (p0, s0), (p1, s1) = self._start, self._read()
        return {
            "python_cpu_s": p1 - p0,
            "server_cpu_s": None if s0 is None or s1 is None else s1 - s0,
        }


def server_pid(warehouse) -> int | None:
    """The PostgreSQL server's process id when it runs on this machine, else None."""
    import psutil

    with warehouse.connect() as conn:
        backend = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    try:
        parent = psutil.Process(backend).parent()
    except psutil.Error:  # a server on another machine: its backend is not ours to see
        return None
    return parent.pid if parent is not None and "postgres" in parent.name() else None


def measure(
    size: int,
    payload_samples: int = 200,
    plain_samples: int | None = None,
    baseline: bool | None = None,
    backfill: bool = True,
    workdir: Path = WORKDIR,
    admin_url: str | None = None,
) -> dict:
    """Every measurement of one size, in this process."""
    import psycopg
    from dagster import AssetKey, DagsterInstance, materialize
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from bench.baseline import load_row_by_row
    from bench.generate import athlete_key, edit_one_set, generate
    from fitness_platform.cli import PLANNED_EVENTS_SWITCH
    from fitness_platform.definitions import build_definitions
    from fitness_platform.delivery.assets import REPORT_KEY
    from fitness_platform.delivery.payload import build_payload, serialise
    from fitness_platform.delivery.schedules import range_run_tags
    from fitness_platform.environment import build_resources
    from fitness_platform.gold.assets import gold_views
    from fitness_platform.gold.views import build_views
    from fitness_platform.ingest.athlete import discover, parse_athlete
    from fitness_platform.ingest.catalog import load_catalog
    from fitness_platform.ingest.corrections import load_corrections
    from fitness_platform.paths import CATALOG_PATH, CORRECTIONS_PATH
    from fitness_platform.raw.assets import raw_exports
    from fitness_platform.resources.warehouse import WarehouseResource, embedded_url
    from fitness_platform.settings import Settings
    from fitness_platform.silver.assets import exercise_catalog, silver_frames
    from fitness_platform.sqlfiles import discover_views
    from fitness_platform.warehouse.assets import warehouse_tables
    from fitness_platform.warehouse.checks import WAREHOUSE_CHECKS

    out: dict = {"athletes": size}
    if plain_samples is None:
        # Payloads over plain views take tens of seconds each (or PLAIN_TIMEOUT_S): a few samples.
        plain_samples = 3 if size <= 10 else 0
    raw = generate(workdir / "raw" / f"n{size}", size)
    admin = admin_url or embedded_url(workdir / "pg")
    db = f"bench_{size}_{uuid.uuid4().hex[:6]}"
    url = _new_database(admin, db)
    os.environ.update(
        FITNESS_DATABASE_URL=url,
        FITNESS_RAW_DIR=str(raw),
        FITNESS_OUTPUT_DIR=str(workdir / f"out_{db}"),
        FITNESS_STATE_DIR=str(workdir / f"state_{db}"),
    )
    # As `fitness-platform run` has Dagster record them: one planned event per asset of a run
    # over many weeks, not one per week and asset (see the README's "The command line").
    os.environ.setdefault(PLANNED_EVENTS_SWITCH, "true")
    quiet = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
    settings = Settings.from_env()
    defs = build_definitions(settings)
    ingest = defs.resolve_job_def("ingest_job")
    warehouse = WarehouseResource(database_url=url)
    resources = build_resources(settings)
    out["load_workers"] = resources["warehouse"].workers_for(size)

    def run(assets):
        """Materialize exactly these assets (no checks), in process; returns (result, seconds)."""
        started = time.perf_counter()
        with DagsterInstance.ephemeral() as instance:
            result = materialize(assets, resources=resources, instance=instance, run_config=quiet)
        assert result.success
        return result, time.perf_counter() - started

    load_assets = [raw_exports, exercise_catalog, silver_frames, warehouse_tables]
    try:
        # Raw CSV to committed warehouse (what the load target is about), then Gold on its own.
        pid = server_pid(warehouse)
        meter = CpuMeter(pid)
        result, out["fresh_load_s"] = run(load_assets)
        out.update({f"fresh_load_{k}": v for k, v in meter.elapsed().items()})
        # Each size runs in its own process: the high-water mark now is the fresh load's own
        # (this process plus its largest parse worker), before payloads and ceilings add theirs.
        out["fresh_load_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out["fresh_load_worker_rss_mb"] = (
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        )
        _, out["gold_create_s"] = run([gold_views])
        # The warehouse checks' first look at every athlete, as a fresh `run` gives it (the
        # materializations above run no checks): later runs look only at the athletes loaded.
        started = time.perf_counter()
        for check in WAREHOUSE_CHECKS:
            check(warehouse=resources["warehouse"])
        out["checks_first_s"] = time.perf_counter() - started
        sets_meta = _meta(result, ("fitness", "sets"))
        out["sets"] = sets_meta["dagster/row_count"]
        out["fresh_sets_per_s"] = out["sets"] / out["fresh_load_s"]
        step = sets_meta.get("seconds_copy_sets", 0) + sets_meta.get("seconds_upsert_sets", 0)
        out["sets_step_s"] = step
        out["sets_step_per_s"] = out["sets"] / step if step else None

        started = time.perf_counter()
        replay = _execute(ingest, run_config=quiet)
        out["replay_s"] = time.perf_counter() - started
        out["replay_rows_written"] = sum(
            sum(_meta(replay, ("fitness", t)).get(k, 0) for k in ("inserted", "updated", "deleted"))
            for t in ("workouts", "workout_exercises", "sets", "diet_daily", "cycles")
        )

        hevy = raw / athlete_key(0) / "hevy_workouts_raw.csv"
        original = edit_one_set(hevy)
        try:
            edit, out["reexport_s"] = run(load_assets)
            _, out["gold_refresh_s"] = run([gold_views])
            edit_meta = _meta(edit, ("fitness", "sets"))
            out["reexport_athletes_loaded"] = edit_meta["athletes_loaded"]
            out["reexport_sets_updated"] = edit_meta["updated"]
        finally:
            hevy.write_bytes(original)
            run(load_assets)
            run([gold_views])

        with warehouse.connect() as conn:
            pairs = [
                tuple(r)
                for r in conn.execute(
                    text("SELECT athlete_key, week_start FROM fitness.gold_weekly_fitness_summary")
                )
            ]
            rng = random.Random(size)
            chosen = [rng.choice(pairs) for _ in range(payload_samples)]
            build_payload(conn, *chosen[0])  # warm the plan cache
            times = []
            for athlete, week in chosen:
                started = time.perf_counter()
                serialise(build_payload(conn, athlete, week))
                times.append((time.perf_counter() - started) * 1000)
        out["payload_ms_p50"] = statistics.median(times)
        out["payload_ms_p95"] = _percentile(times, 0.95)
        out["athlete_weeks"] = len(pairs)

        # The same payloads over plain (non-materialized) views, for the README's choice.
        plain, materialized = discover_views(force_kind="view"), discover_views()
        if not plain_samples:
            plain = materialized
        with warehouse.begin() as conn:
            if plain_samples:
                # Statistics first: the tables were just loaded, and whether autovacuum has
                # analysed them yet decided the plans over the plain views (one payload section
                # 0.4 s with statistics, more than 60 s without, at 10 athletes).
                conn.exec_driver_sql("ANALYZE")
            build_views(conn, plain, refresh=False)
        try:
            with warehouse.connect() as conn:
                # One plan over the plain views once ran for more than 10 minutes: each payload
                # gets PLAIN_TIMEOUT_S, and one that runs out counts as that long (a lower bound).
                conn.exec_driver_sql(f"SET statement_timeout = '{PLAIN_TIMEOUT_S}s'")
                times = []
                for athlete, week in chosen[:plain_samples]:
                    started = time.perf_counter()
                    try:
                        serialise(build_payload(conn, athlete, week))
                    except (DBAPIError, psycopg.Error):  # psycopg's own from a pipeline
                        conn.rollback()
                        conn.exec_driver_sql(f"SET statement_timeout = '{PLAIN_TIMEOUT_S}s'")
                        out["plain_payload_timeouts"] = out.get("plain_payload_timeouts", 0) + 1
                    times.append((time.perf_counter() - started) * 1000)
            if times:
                out["plain_payload_ms_p50"] = statistics.median(times)
                out["plain_payload_ms_p95"] = _percentile(times, 0.95)
        finally:
            started = time.perf_counter()
            with warehouse.begin() as conn:
                build_views(conn, materialized, refresh=False)
            out["gold_build_s"] = time.perf_counter() - started

        out.update(ceilings(warehouse, pid))

        if backfill:
            weeks = sorted({w for _, w in pairs})
            keys = defs.resolve_job_def("weekly_delivery_job").partitions_def.get_partition_keys()
            first = next(k for k in keys if date.fromisoformat(k) >= weeks[0])
            last = max(k for k in keys if date.fromisoformat(k) <= weeks[-1])
            # Payloads and offline reports (with their checks), what the backfill target names;
            # the site and e-mail steps of the delivery job are not part of it (bench/cli.py
            # runs them, at sizes where rendering every week's page fits).
            reports_only = [AssetKey(["delivery", "weekly_payload"]), REPORT_KEY]
            started = time.perf_counter()
            delivery = _execute(
                defs.resolve_job_def("weekly_delivery_job"),
                run_config=quiet,
                tags=range_run_tags(first, last),
                asset_selection=reports_only,
            )
            out["backfill_s"] = time.perf_counter() - started
            out["backfill_payloads"] = _meta(delivery, ("delivery", "weekly_payload"))[
                "run_written"
            ]
            out["backfill_reports"] = _meta(delivery, ("delivery", "weekly_report"))["run_written"]
            out["backfill_weeks"] = keys.index(last) - keys.index(first) + 1

            def whole_run() -> tuple[float, object]:
                """What ``fitness-platform run`` does before the site, in this process: the
                ingest job (load, Gold, checks), then the payloads and reports of every week."""
                started = time.perf_counter()
                assert _execute(ingest, run_config=quiet).success
                result = _execute(
                    defs.resolve_job_def("weekly_delivery_job"),
                    run_config=quiet,
                    tags=range_run_tags(first, last),
                    asset_selection=reports_only,
                )
                assert result.success
                return time.perf_counter() - started, result

            out["fresh_run_s"] = (
                out["fresh_load_s"]
                + out["gold_create_s"]
                + out["checks_first_s"]
                + out["backfill_s"]
            )
            out["replay_run_s"], _ = whole_run()
            original = edit_one_set(hevy)
            try:
                out["edit_run_s"], edited = whole_run()
                out["edit_run_payloads_written"] = _meta(edited, ("delivery", "weekly_payload"))[
                    "run_written"
                ]
            finally:
                hevy.write_bytes(original)
    finally:
        _drop_database(admin, db)
        # Payloads and reports of every week: 15 GB of files at 1,000 athletes.
        for folder in (f"out_{db}", f"state_{db}"):
            shutil.rmtree(workdir / folder, ignore_errors=True)

    if baseline if baseline is not None else size in BASELINE_SIZES:
        base_db = f"baseline_{size}_{uuid.uuid4().hex[:6]}"
        base = WarehouseResource(database_url=_new_database(admin, base_db))
        try:
            catalog, fixes = load_catalog(CATALOG_PATH), load_corrections(CORRECTIONS_PATH)
            files = discover(raw)
            athletes = sorted({f.athlete_key for f in files})
            silvers = [
                parse_athlete(
                    a, [f for f in files if f.athlete_key == a], catalog=catalog, corrections=fixes
                )
                for a in athletes
            ]
            started = time.perf_counter()
            written = 0
            with base.begin() as conn:
                for silver in silvers:
                    written += load_row_by_row(conn, silver)
            out["baseline_s"] = time.perf_counter() - started
            out["baseline_sets_per_s"] = written / out["baseline_s"]
        finally:
            base.engine().dispose()
            _drop_database(admin, base_db)

    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def ceilings(warehouse, pid: int | None = None) -> dict:
    """COPY of the same set rows (a) into an unlogged, unindexed table and (b) into an empty copy of
    the sets table with the same keys and foreign key: the physical limits of a set write. With
    the server's process id, also the CPU seconds of (b) (``CpuMeter``)."""
    rows = []
    with warehouse.connect() as conn:
        raw = conn.connection.driver_connection
        with raw.cursor() as cur:
            # A rate needs no more than a million rows; more would only inflate this process.
            cur.execute(
                "SELECT workout_exercise_id, set_index, set_type, weight_kg, reps, "
                "distance_km, duration_seconds, rpe FROM fitness.sets ORDER BY set_id "
                "LIMIT 1000000"
            )
            rows = cur.fetchall()
    result = {}
    columns = (
        "workout_exercise_id, set_index, set_type, weight_kg, reps, distance_km, "
        "duration_seconds, rpe"
    )
    setups = {
        "ceiling_a_per_s": "CREATE UNLOGGED TABLE bench_copy_a (workout_exercise_id bigint, "
        "set_index int, set_type text, weight_kg numeric(8,2), reps int, "
        "distance_km numeric(10,3), duration_seconds int, rpe numeric(3,1))",
        "ceiling_b_per_s": "CREATE TABLE bench_copy_b (LIKE fitness.sets INCLUDING ALL); "
        "ALTER TABLE bench_copy_b ADD FOREIGN KEY (workout_exercise_id) "
        "REFERENCES fitness.workout_exercises (workout_exercise_id)",
    }
    for key, ddl in setups.items():
        table = "bench_copy_a" if key.endswith("a_per_s") else "bench_copy_b"
        with warehouse.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
            for statement in ddl.split("; "):
                conn.exec_driver_sql(statement)
        with warehouse.begin() as conn:
            raw = conn.connection.driver_connection
            meter = CpuMeter(pid)
            started = time.perf_counter()
            with raw.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            result[key] = len(rows) / (time.perf_counter() - started)
            if key == "ceiling_b_per_s":
                cpu = meter.elapsed()
                if cpu["server_cpu_s"] is not None:
                    result["ceiling_b_cpu_us_per_set"] = (
                        (cpu["python_cpu_s"] + cpu["server_cpu_s"]) / len(rows) * 1e6
                    )
        with warehouse.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE {table}")
    return result


def cpu_bound(s: dict, cores: int) -> str | None:
    """What the fresh load's CPU time allows on this machine: its CPU per set against ceiling
    (b)'s, and the best ratio to ceiling (b) any schedule on ``cores`` cores could reach."""
    server = s.get("fresh_load_server_cpu_s")
    if server is None or "ceiling_b_cpu_us_per_set" not in s:
        return None
    cpu = s["fresh_load_python_cpu_s"] + server
    best_s = cpu / cores
    return (
        f"CPU of the fresh load: {cpu:.1f} s (Python {s['fresh_load_python_cpu_s']:.1f} s with "
        f"the parse workers, PostgreSQL {server:.1f} s), {cpu / s['sets'] * 1e6:.1f} µs per set "
        f"against {s['ceiling_b_cpu_us_per_set']:.1f} µs for ceiling (b); on {cores} cores no "
        f"schedule takes less than {best_s:.1f} s, at most "
        f"{s['sets'] / best_s / s['ceiling_b_per_s']:.0%} of ceiling (b)"
    )


def _ms(value) -> str:
    return "not measured" if value is None else f"{value:,.0f} ms"


def table(results: dict) -> str:
    m = results["machine"]
    sizes = results["sizes"]
    base_rate = next(
        (
            s["baseline_sets_per_s"]
            for s in reversed(list(sizes.values()))
            if "baseline_sets_per_s" in s
        ),
        None,
    )
    head = (
        f"machine: {m['cores']} cores, {m['memory_gib']} GiB, {m['system']}, Python {m['python']}"
    )
    workers = sorted({s["load_workers"] for s in sizes.values() if "load_workers" in s})
    if workers:
        head += f"; athletes loaded on {'/'.join(map(str, workers))} connection(s) at once"
    lines = [
        head,
        "",
        "| athletes | sets | fresh load | sets/s (× baseline) | sets step (% of ceiling b) "
        "| replay (% of fresh, rows written) | re-export 1 set | Gold create / refresh "
        "| payload p50 / p95 (plain views p95) | backfill (weeks) "
        "| RSS fresh load (parse worker) / peak | commit |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for n, s in sizes.items():
        ratio = f"{s['fresh_sets_per_s'] / base_rate:.0f}×" if base_rate else "n/a"
        step = (
            f"{s['sets_step_per_s']:,.0f}/s ({s['sets_step_per_s'] / s['ceiling_b_per_s']:.0%})"
            if s.get("sets_step_per_s")
            else "n/a"
        )
        lines.append(
            f"| {n} | {s['sets']:,} | {s['fresh_load_s']:.1f} s | "
            f"{s['fresh_sets_per_s']:,.0f} ({ratio}) | {step} | "
            f"{s['replay_s']:.2f} s ({s['replay_s'] / s['fresh_load_s']:.1%}, "
            f"{s['replay_rows_written']}) | {s['reexport_s']:.2f} s "
            f"({s['reexport_athletes_loaded']} athlete, {s['reexport_sets_updated']} set) | "
            f"{s['gold_create_s']:.1f} / {s['gold_refresh_s']:.1f} s | "
            f"{s['payload_ms_p50']:.1f} / {s['payload_ms_p95']:.1f} ms "
            f"({'≥ ' if s.get('plain_payload_timeouts') else ''}"
            f"{_ms(s.get('plain_payload_ms_p95'))}) | "
            + (
                f"{s['backfill_s']:.1f} s ({s['backfill_weeks']}) | "
                if "backfill_s" in s
                else "not measured | "
            )
            + (
                f"{s['fresh_load_rss_mb']:,.0f} ({s['fresh_load_worker_rss_mb']:,.0f}) / "
                if "fresh_load_rss_mb" in s
                else ""
            )
            + f"{s['peak_rss_mb']:,.0f} MB | {s.get('commit') or '—'} |"
        )
    lines += [
        "",
        "baseline (row by row, SELECT then INSERT per workout, block and set): "
        + ", ".join(
            f"{n} athletes {s['baseline_sets_per_s']:,.0f} sets/s"
            for n, s in sizes.items()
            if "baseline_sets_per_s" in s
        ),
    ]
    lines += [
        "ceilings (COPY of the same set rows): "
        + ", ".join(
            f"{n} athletes (a) {s['ceiling_a_per_s']:,.0f}/s, (b) {s['ceiling_b_per_s']:,.0f}/s"
            for n, s in sizes.items()
        )
    ]
    lines += targets(results)
    return "\n".join(lines)


def targets(results: dict) -> list[str]:
    """The lines that compare sizes and steps (issue 16's targets), from what was measured."""
    sizes = results["sizes"]
    out = ["", "targets:"]
    small, large = sizes.get("10"), sizes.get("1000") or sizes.get("100")
    if small and large and "gold_refresh_s" in large:
        one_edit = {n: s["reexport_s"] + s["gold_refresh_s"] for n, s in sizes.items()}
        out.append(
            f"- one edited set, load + Gold: {one_edit['10']:.1f} s at 10 athletes, "
            f"{one_edit[str(large['athletes'])]:.1f} s at {large['athletes']} "
            f"({one_edit[str(large['athletes'])] / one_edit['10']:.1f}×)"
        )
    if "100" in sizes and "1000" in sizes and "fresh_load_rss_mb" in sizes["1000"]:
        a, b = sizes["100"].get("fresh_load_rss_mb"), sizes["1000"]["fresh_load_rss_mb"]
        if a:
            out.append(
                f"- peak RSS of a fresh load: {b:,.0f} MB at 1,000 athletes, {a:,.0f} MB at 100 "
                f"({b / a:.2f}×)"
            )
    runs = {n: s for n, s in sizes.items() if "edit_run_s" in s}
    if runs:
        for n, s in runs.items():
            out.append(
                f"- whole run (ingest job, payloads and reports of every week) at {n} athletes: fresh "
                f"{s['fresh_run_s']:.0f} s; replay {s['replay_run_s']:.1f} s "
                f"({s['replay_run_s'] / s['fresh_run_s']:.1%} of fresh); one edited set "
                f"{s['edit_run_s']:.1f} s ({s['edit_run_payloads_written']} payloads written)"
            )
        if "10" in runs and len(runs) > 1:
            top = max(runs, key=int)
            out.append(
                f"- one edited set, whole run: {runs[top]['edit_run_s'] / runs['10']['edit_run_s']:.1f}"
                f"× at {top} athletes against 10"
            )
    for n, s in sizes.items():
        if "ceiling_b_per_s" in s and int(n) >= 100:
            out.append(
                f"- fresh load at {n} athletes: {s['fresh_sets_per_s']:,.0f} sets/s end to end, "
                f"{s['fresh_sets_per_s'] / s['ceiling_b_per_s']:.0%} of ceiling (b)"
            )
            bound = cpu_bound(s, results["machine"]["cores"])
            if bound:
                out.append(f"  {bound}")
        if "backfill_s" in s and int(n) >= 100:
            out.append(
                f"- backfill at {n} athletes: {s['backfill_s']:.0f} s for "
                f"{s['backfill_payloads']:,} payloads and {s['backfill_reports']:,} reports"
            )
    if "s3" in results:
        from bench.s3 import table as s3_table

        out.append("- " + s3_table(results["s3"]))
    if "cli" in results:
        from bench.cli import table as cli_table

        cli = results["cli"]
        out += ["", "whole `fitness-platform run` (bench/cli.py):", cli_table(cli)]
        top = max(cli, key=int)
        edits = {n: min(r["edit_s"], r.get("edit_back_s", r["edit_s"])) for n, r in cli.items()}
        line = f"- one edited set, whole CLI run at {top} athletes: {edits[top]:.1f} s"
        if "10" in edits and top != "10":
            line += f" ({edits[top] / edits['10']:.1f}× the {edits['10']:.1f} s at 10)"
        out.append(line)
        again = {
            n: min(r["edit_again_s"], r["edit_again_back_s"])
            for n, r in cli.items()
            if "edit_again_s" in r
        }
        if top in again:
            line = f"- the same three runs later: {again[top]:.1f} s"
            if "10" in again and top != "10":
                line += f" ({again[top] / again['10']:.1f}× the {again['10']:.1f} s at 10)"
            out.append(line)
        out.append(
            f"- replay with nothing changed, whole CLI run at {top} athletes: "
            f"{cli[top]['replay_s']:.1f} s, {cli[top]['replay_pct_of_fresh']:.2f}% of the "
            f"{cli[top]['fresh_s']:.0f} s fresh run"
        )
        if "new_week_s" in cli[top]:
            # Not a target of its own: the weekly loop the product is for, at this size.
            out.append(
                f"- a new week for every athlete, whole CLI run at {top} athletes: "
                f"{cli[top]['new_week_s']:.1f} s, {cli[top]['new_week_pct_of_fresh']:.0f}% of "
                "the fresh run"
            )
    return out if len(out) > 2 else []


def _kept(this_machine: dict) -> dict:
    """What bench/results.json holds of earlier runs on this machine: every size (each names its
    date and commit) and the S3 and CLI results. A run replaces only what it measures, so that
    ``make bench`` (1 and 10 athletes) does not throw away the 100 and 1,000 of ``make bench-full``;
    another machine's figures are not comparable and are dropped."""
    if not RESULTS.exists():
        return {}
    try:
        previous = json.loads(RESULTS.read_text())
    except ValueError:
        return {}
    if previous.get("machine") != this_machine:
        return {}
    kept = {k: previous[k] for k in ("s3", "cli") if k in previous}
    return kept | {"sizes": previous.get("sizes", {})}


def record(results: dict, name: str, measured: dict, stamp: dict) -> None:
    """Put what ``bench.<name>`` measured into ``results``, stamped with its date and commit: the
    S3 comparison whole; the whole-CLI runs per size, as the in-process sizes (a size not measured
    now stays as it was)."""
    if name != "cli":
        results[name] = measured | stamp
        return
    merged = results.get("cli", {}) | {size: r | stamp for size, r in measured.items()}
    results["cli"] = dict(sorted(merged.items(), key=lambda kv: int(kv[0])))


def _commit() -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="quick")
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="*",
        help="measure only these sizes, none with --sizes alone (every run keeps the sizes, S3 "
        "and CLI results already in bench/results.json that it does not measure; each records "
        "when and on which commit)",
    )
    parser.add_argument(
        "--no-backfill", action="store_true", help="skip the full backfill (long at 1,000)"
    )
    parser.add_argument(
        "--cli-sizes",
        type=int,
        nargs="*",
        help="sizes for the whole-CLI runs of bench/cli.py (full profile default: 1 10 1000; "
        "none: skip)",
    )
    parser.add_argument(
        "--no-s3", action="store_true", help="skip the S3 against local folder delivery"
    )
    parser.add_argument(
        "--no-plain",
        action="store_true",
        help="skip the payloads over plain views (at 10 athletes they can take minutes each)",
    )
    parser.add_argument("--size", type=int, help="measure one size in this process (internal)")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)
    if args.size is not None:
        result = measure(
            args.size, backfill=not args.no_backfill, plain_samples=0 if args.no_plain else None
        )
        if args.json_out:
            args.json_out.write_text(json.dumps(result))
        else:
            print(json.dumps(result, indent=2))
        return 0
    WORKDIR.mkdir(parents=True, exist_ok=True)
    results = {"machine": machine(), "profile": args.profile, "sizes": {}}
    sizes = PROFILES[args.profile] if args.sizes is None else args.sizes
    results |= _kept(results["machine"])
    for size in sizes:
        print(f"measuring {size} athlete(s)…", flush=True)
        target = WORKDIR / f"result_{size}.json"
        command = [sys.executable, "-m", "bench.run", "--size", str(size)]
        command += ["--json-out", str(target)] + (["--no-backfill"] if args.no_backfill else [])
        command += ["--no-plain"] if args.no_plain else []
        subprocess.run(command, check=True, cwd=ROOT)
        measured = json.loads(target.read_text())
        measured |= {"measured_on": date.today().isoformat(), "commit": _commit()}
        results["sizes"][str(size)] = measured
        results["sizes"] = dict(sorted(results["sizes"].items(), key=lambda kv: int(kv[0])))
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    cli_sizes = args.cli_sizes
    if cli_sizes is None:
        cli_sizes = [1, 10, 1000] if args.profile == "full" and args.sizes is None else []
    extra = [] if args.no_s3 or (args.profile != "full" or args.sizes is not None) else ["s3"]
    extra += ["cli"] if cli_sizes else []
    for name in extra:
        print(f"measuring {name}…", flush=True)
        target = WORKDIR / f"result_{name}.json"
        command = [sys.executable, "-m", f"bench.{name}", "--json-out", str(target)]
        if name == "cli":
            command += ["--sizes", *map(str, cli_sizes)]
        subprocess.run(command, check=True, cwd=ROOT)
        stamp = {"measured_on": date.today().isoformat(), "commit": _commit()}
        record(results, name, json.loads(target.read_text()), stamp)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print(f"\nwritten to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
