"""Hostile input, generated: whatever the rows or mutations of a real-format file, the parsers
only ever raise the platform's own errors (never a library traceback)."""

from __future__ import annotations

import contextlib
import csv
import random
from datetime import datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fitness_platform.errors import ExportError, FitnessError
from fitness_platform.ingest.athlete import discover, parse_athlete
from fitness_platform.ingest.catalog import load_catalog
from fitness_platform.ingest.corrections import load_corrections
from fitness_platform.paths import CATALOG_PATH
from fitness_platform_tests.helpers import SAMPLE_HEVY

CATALOG = load_catalog(CATALOG_PATH)
NO_FIXES = load_corrections(Path("/nonexistent"))
NOW = datetime(2026, 11, 21)


# --- property-based: any input yields data or an ExportError, never a library traceback ---

HEADER_CELLS = [
    "title",
    "start_time",
    "end_time",
    "description",
    "exercise_title",
    "superset_id",
    "exercise_notes",
    "set_index",
    "set_type",
    "weight_kg",
    "weight_lbs",
    "reps",
    "distance_km",
    "duration_seconds",
    "rpe",
    "Date",
    "Workout Name",
    "Exercise Name",
    "Set Order",
    "Weight",
    "Reps",
    "Duration",
    "data",
    "kcal",
    "carboidratos_g",
    "proteinas_g",
    "gorduras_g",
    "cicle",
    "Energy (kcal)",
    "Protein (g)",
    "Carbs (g)",
    "Fat (g)",
    "number",
    "name",
    "type",
    "start",
    "end",
]
cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "8.0",
            "1e309",
            "nan",
            "13 Jan 2026, 18:43",
            "2026-01-13 18:43:00",
            "Jan 13, 2026, 6:43 PM",
            "W",
            "D",
            "F",
            "Rest Timer",
            "warmup",
            "failure",
            "1h 6m",
            "35m",
            "=1+1",
            '"',
            "\n",
            ",",
            ";",
            "\x00",
            "2026-02-30",
            "31/02/2024",
            "1Cutting I (01/05/2023 - XX/XX/XXXX)",
        ]
    ),
)


def parse_dir(folder: Path):
    # The platform's own, typed, named refusal is an accepted outcome; anything else fails.
    with contextlib.suppress(FitnessError):
        parse_athlete(
            folder.name, discover(folder.parent), catalog=CATALOG, corrections=NO_FIXES, now=NOW
        )


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    header=st.lists(st.sampled_from(HEADER_CELLS), min_size=1, max_size=14, unique=True),
    rows=st.lists(st.lists(cell, min_size=0, max_size=16), max_size=8),
    delimiter=st.sampled_from([",", ";"]),
)
def test_generated_rows_only_raise_typed_errors(tmp_path_factory, header, rows, delimiter):
    folder = tmp_path_factory.mktemp("gen") / "raw" / "athlete"
    folder.mkdir(parents=True)
    with (folder / "export.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(header)
        for r in rows:
            writer.writerow((r + [""] * len(header))[: len(header)])
    parse_dir(folder)


SEED_LINES = SAMPLE_HEVY.read_bytes().splitlines(keepends=True)[:40]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(seed=st.integers(0, 2**32 - 1), mutations=st.integers(1, 6))
def test_mutated_real_files_only_raise_typed_errors(tmp_path_factory, seed, mutations):
    rng = random.Random(seed)
    data = bytearray(b"".join(SEED_LINES))
    for _ in range(mutations):
        choice = rng.randrange(6)
        position = rng.randrange(len(data) or 1)
        if choice == 0 and data:
            del data[position]
        elif choice == 1:
            data[position:position] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 6)))
        elif choice == 2:
            data = data[:position]
        elif choice == 3:
            data[position:position] = rng.choice(
                [b'"', b",", b"\n", b"\r\n", b";", b"\xff", b"\x00", b"-999", b"1e400"]
            )
        elif choice == 4 and b"\n" in data:
            lines = data.split(b"\n")
            a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
            lines[a], lines[b] = lines[b], lines[a]
            data = bytearray(b"\n".join(lines))
        else:
            data = bytearray(data.replace(b"Jan", rng.choice([b"Foo", b"", b"13", b"J\xc3\xa4n"])))
    folder = tmp_path_factory.mktemp("mut") / "raw" / "athlete"
    folder.mkdir(parents=True)
    (folder / "export.csv").write_bytes(bytes(data))
    parse_dir(folder)


def test_unterminated_quote_names_file_and_line(tmp_path):
    import pytest

    folder = tmp_path / "raw" / "a"
    folder.mkdir(parents=True)
    (folder / "x.csv").write_bytes(b'title,start_time\nok,1\n"unterminated,1\n')
    with pytest.raises(ExportError, match=r"x\.csv, line \d+: malformed CSV"):
        parse_athlete("a", discover(tmp_path / "raw"), catalog=CATALOG, corrections=NO_FIXES)


def _refusal(tmp_path, header: list[str], row: list[str]) -> ExportError:
    import pytest

    folder = tmp_path / "raw" / "a"
    folder.mkdir(parents=True)
    with (folder / "export.csv").open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, row])
    with pytest.raises(ExportError) as refused:
        parse_athlete("a", discover(tmp_path / "raw"), catalog=CATALOG, corrections=NO_FIXES)
    return refused.value


def test_two_languages_naming_one_strong_column_are_refused_by_name(tmp_path):
    """Hypothesis found it: English "Date" beside Portuguese "Data" (both the date) gave the
    frame two "date" columns and a pandas traceback."""
    header = ["Date", "Workout Name", "Exercise Name", "Set Order", "Reps", "Data"]
    error = _refusal(tmp_path, header, ["2024-01-01 08:00:00", "A", "Squat", "1", "5", "x"])
    assert (error.path, error.line, error.column) == (
        str(tmp_path / "raw" / "a" / "export.csv"),
        1,
        "Data",
    )
    assert error.reason.startswith("the columns 'Date' and 'Data' both mean 'date' in a Strong")


def test_a_header_naming_a_column_twice_is_refused_by_name(tmp_path):
    """A Hevy header (taken literally) with one name twice: which column to read is unknown."""
    with SAMPLE_HEVY.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header, row = next(reader), next(reader)  # the header and the first set
    error = _refusal(tmp_path, [*header, "reps"], [*row, "5"])
    assert (error.line, error.column) == (1, "reps")
    assert error.reason == "the header names this column twice"


def test_a_diet_log_naming_a_column_twice_is_refused_by_name(tmp_path):
    """The diet log (its header taken literally, as Hevy's) goes through the same check."""
    from fitness_platform_tests.helpers import SAMPLE_DIET

    with SAMPLE_DIET.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header, row = next(reader), next(reader)
    error = _refusal(tmp_path, [*header, header[0]], [*row, row[0]])
    assert (error.line, error.column, error.reason) == (
        1,
        header[0],
        "the header names this column twice",
    )
