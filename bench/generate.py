"""Scaled synthetic data: N athletes, each with a history like the sample's, deterministic per seed.

Athlete i is the sample generator run with seed ``base_seed + i`` (different session counts, loads,
notes, diet noise, same calendar and cycles), without the sample's exact row-count fitting."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

from fitness_platform.ingest.timeparse import parse_workout_time
from fitness_platform.sample.generator import hevy_time, write_sample

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


WEEK = timedelta(days=7)


def _later(text: str) -> str:
    """A time of the Hevy export, seven days later, written as the sample generator writes it."""
    return hevy_time(parse_workout_time(text) + WEEK)


def _rows(text: str) -> tuple[str, list[list[str]]]:
    """The header line and the records of a generated export (one record per line)."""
    header, *lines = [line for line in text.split("\n") if line]
    return header, [next(csv.reader([line])) for line in lines]


def _lines(rows: list[list[str]], quoting: int) -> list[str]:
    out = io.StringIO()
    csv.writer(out, quoting=quoting, lineterminator="\n").writerows(rows)
    return out.getvalue().splitlines()


def add_next_week(folder: Path) -> dict[Path, bytes]:
    """The week after an athlete's last one, as the next re-export would bring it: the workouts
    of the newest seven days of the Hevy export again, seven days later, at its top (newest
    first), and the diet log's last seven days again, seven days later, at its end. Returns the
    original bytes of each file changed, for the caller to put back."""
    hevy, diet = folder / "hevy_workouts_raw.csv", folder / "diet_daily_raw_export.csv"
    originals = {hevy: hevy.read_bytes(), diet: diet.read_bytes()}

    header, rows = _rows(originals[hevy].decode())
    starts = [parse_workout_time(row[1]) for row in rows]
    newest = max(starts)
    later = [
        [row[0], _later(row[1]), _later(row[2]), *row[3:]]
        for row, start in zip(rows, starts, strict=True)
        if start > newest - WEEK
    ]
    lines = [header, *_lines(later, csv.QUOTE_ALL), *_lines(rows, csv.QUOTE_ALL)]
    hevy.write_text("\n".join(lines) + "\n", encoding="utf-8")

    header, rows = _rows(originals[diet].decode())
    later = [[str(date.fromisoformat(row[0]) + WEEK), *row[1:]] for row in rows[-7:]]
    lines = [header, *_lines(rows, csv.QUOTE_MINIMAL), *_lines(later, csv.QUOTE_MINIMAL)]
    diet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return originals
