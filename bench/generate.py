"""Scaled synthetic data: N athletes, each with a history like the sample's, deterministic per seed.

Athlete i is the sample generator run with seed ``base_seed + i`` (different session counts, loads,
notes, diet noise, same calendar and cycles), without the sample's exact row-count fitting."""

from __future__ import annotations

import json
from pathlib import Path

from fitness_platform.sample.generator import write_sample

GENERATOR_VERSION = 1


def athlete_key(i: int) -> str:
    return f"athlete_{i:04d}"


def generate(raw_dir: Path, athletes: int, base_seed: int = 1000) -> Path:
    """Write (or reuse) ``athletes`` athlete folders under ``raw_dir``; returns ``raw_dir``."""
    marker = raw_dir / ".bench.json"
    wanted = {"athletes": athletes, "base_seed": base_seed, "version": GENERATOR_VERSION}
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        return raw_dir
    raw_dir.mkdir(parents=True, exist_ok=True)
    for i in range(athletes):
        folder = raw_dir / athlete_key(i)
        if not (folder / "hevy_workouts_raw.csv").exists():
            write_sample(raw_dir, athlete=athlete_key(i), seed=base_seed + i, target_rows=None)
    marker.write_text(json.dumps(wanted))
    return raw_dir


def edit_one_set(path: Path) -> bytes:
    """Add 2.5 kg to the first working set of a Hevy export, in its newest workout (the
    benchmarks' one edited set: a warm-up's weight would change no payload); returns the
    original bytes, for the caller to put back."""
    original = path.read_bytes()
    lines = original.decode().split("\n")
    row = next(i for i, line in enumerate(lines[1:], 1) if '","normal","' in line)
    cells = lines[row].split('","')
    cells[9] = str(float(cells[9] or 0) + 2.5) if cells[9] else "42.5"
    lines[row] = '","'.join(cells)
    path.write_text("\n".join(lines))
    return original
