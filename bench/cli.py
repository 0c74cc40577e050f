"""The whole ``fitness-platform run``, the way users run it: ``python -m bench.cli --sizes 10``.

For each size: N generated athletes (``bench/generate.py``) in a fresh database of the bench's
embedded PostgreSQL; then, each as its own ``fitness-platform run`` subprocess (ingestion, Gold,
payloads, offline reports, site, e-mail step, every week with data): a fresh run, a replay with
nothing changed, a run after one set of one athlete was edited, one after it was put back, a
replay, and the same edit and put-back again. The first edit runs just after the fresh run, whose
outputs (20 GB at 1,000 athletes) have pushed the program's files and the database's pages out of
the page cache; the second runs after three more runs, as a coach's daily run on a machine that
does little else. Prints the times and ratios; ``bench.run --profile full`` records them in
bench/results.json under ``cli``. At 1,000 athletes the fresh run takes about 30 minutes here."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

from bench.run import ROOT, WORKDIR, _drop_database, _new_database


def _run(env: dict, parts: dict | None = None) -> float:
    """Seconds of one ``fitness-platform run``; ``parts``, when given, gets the seconds its
    ingestion and its delivery said they took (``ingest_s``, ``deliver_s``)."""
    binary = Path(sys.executable).with_name("fitness-platform")
    started = time.perf_counter()
    done = subprocess.run(
        [str(binary), "run"], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(
            f"fitness-platform run failed ({done.returncode}): {done.stderr[-2000:]}"
        )
    if parts is not None:
        parts.update(step_seconds(done.stdout))
    return seconds


def step_seconds(output: str) -> dict[str, float]:
    """``{"ingest_s": …, "deliver_s": …}`` from the command's "[1/2] ingest" and "[2/2] deliver"
    lines and the "done in … s" line each ends with (a step with nothing to do has none)."""
    found, step = {}, None
    for line in output.splitlines():
        started = re.match(r"\[\d/\d\] (\w+)", line)
        if started:
            step = started.group(1)
        done = re.match(r"\s+done in ([\d.]+) s", line)
        if done and step:
            found[f"{step}_s"] = float(done.group(1))
    return found


def _edit_and_put_back(env: dict, hevy: Path) -> tuple[float, float]:
    """A run after one set of ``hevy`` was edited, and one after it was put back (one edited set
    too: a second sample of the same run)."""
    from bench.generate import edit_one_set

    original = edit_one_set(hevy)
    try:
        edited = _run(env)
    finally:
        hevy.write_bytes(original)
    return edited, _run(env)


def measure(size: int) -> dict:
    from bench.generate import add_next_week, athlete_key, generate
    from fitness_platform.resources.warehouse import embedded_url

    raw = generate(WORKDIR / "raw" / f"n{size}", size)
    admin = embedded_url(WORKDIR / "pg")
    name = f"bench_cli_{size}_{uuid.uuid4().hex[:6]}"
    url = _new_database(admin, name)
    work = WORKDIR / f"cli_{name}"
    env = dict(
        os.environ,
        FITNESS_DATABASE_URL=url,
        FITNESS_RAW_DIR=str(raw),
        FITNESS_OUTPUT_DIR=str(work / "out"),
        FITNESS_STATE_DIR=str(work / "state"),
        FITNESS_STORAGE="local",
        FITNESS_LLM="offline",
        DAGSTER_HOME=str(work / "dagster_home"),
    )
    # As on a user's machine, the first run leaves the package's bytecode behind for the next
    # ones: a shell that sets PYTHONDONTWRITEBYTECODE would have every run compile its 87
    # modules again (0.16 s), which no user's run pays.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    (work / "dagster_home").mkdir(parents=True, exist_ok=True)
    # The instance settings `make dev` and the command use (its storage among them).
    (work / "dagster_home" / "dagster.yaml").write_bytes((ROOT / "dagster.yaml").read_bytes())
    out: dict = {"athletes": size}
    try:
        out["fresh_s"] = _run(env)
        out["replay_s"] = _run(env)
        hevy = raw / athlete_key(0) / "hevy_workouts_raw.csv"
        out["edit_s"], out["edit_back_s"] = _edit_and_put_back(env, hevy)
        out["replay_after_edit_s"] = _run(env)
        out["edit_again_s"], out["edit_again_back_s"] = _edit_and_put_back(env, hevy)
        out["replay_pct_of_fresh"] = 100 * out["replay_s"] / out["fresh_s"]
        # Last, as the database goes with it: every athlete's next weekly re-export.
        originals: dict[Path, bytes] = {}
        try:
            for i in range(size):
                originals |= add_next_week(raw / athlete_key(i))
            parts: dict = {}
            out["new_week_s"] = _run(env, parts)
            out.update({f"new_week_{k}": v for k, v in parts.items()})
            out["new_week_pct_of_fresh"] = 100 * out["new_week_s"] / out["fresh_s"]
        finally:
            for path, data in originals.items():
                path.write_bytes(data)
    finally:
        _drop_database(admin, name)
        # Its outputs, state and Dagster home: 15 GB of files at 1,000 athletes.
        shutil.rmtree(work, ignore_errors=True)
    return out


def table(results: dict) -> str:
    lines = [
        "| athletes | fresh run | replay (% of fresh) | one edited set (and put back) "
        "| the same, three runs later | a new week for every athlete (% of fresh; ingest, deliver) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for n, r in results.items():
        back = f" ({r['edit_back_s']:.1f} s)" if "edit_back_s" in r else ""
        again = (
            f"{r['edit_again_s']:.1f} s ({r['edit_again_back_s']:.1f} s)"
            if "edit_again_s" in r
            else "not measured"
        )
        week = (
            f"{r['new_week_s']:.1f} s ({r['new_week_pct_of_fresh']:.0f}%; "
            f"{r.get('new_week_ingest_s', 0):.1f} s, {r.get('new_week_deliver_s', 0):.1f} s)"
            if "new_week_s" in r
            else "not measured"
        )
        lines.append(
            f"| {n} | {r['fresh_s']:.1f} s | {r['replay_s']:.1f} s "
            f"({r['replay_pct_of_fresh']:.2f}%) | {r['edit_s']:.1f} s{back} | {again} | {week} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 1000])
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)
    results = {}
    for size in args.sizes:
        print(f"whole CLI run, {size} athlete(s)…", flush=True)
        results[str(size)] = measure(size)
    if args.json_out:
        args.json_out.write_text(json.dumps(results))
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
