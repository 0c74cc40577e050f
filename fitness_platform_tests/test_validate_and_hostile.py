"""The validate command, spreadsheet-safe CSV output, hostile text in the warehouse, and a
property-based test: the parsers only ever raise the platform's own errors."""

from __future__ import annotations

import contextlib
import csv
import random
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from fitness_platform.errors import ExportError, FitnessError
from fitness_platform.ingest.athlete import discover, parse_athlete
from fitness_platform.ingest.catalog import load_catalog
from fitness_platform.ingest.corrections import load_corrections
from fitness_platform.paths import CATALOG_PATH
from fitness_platform.validate import spreadsheet_safe
from fitness_platform.warehouse.load import load_athlete
from fitness_platform_tests.conftest import FIXTURES, SAMPLE_HEVY

CATALOG = load_catalog(CATALOG_PATH)
NO_FIXES = load_corrections(Path("/nonexistent"))
NOW = datetime(2026, 11, 21)


def validate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fitness_platform.cli", "validate", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_validate_reports_each_file():
    result = validate(
        str(FIXTURES / "strong_v2_lbs_rest_timer.csv"),
        str(FIXTURES / "hostile_absurd_values.csv"),
        str(FIXTURES / "hostile_sql_and_formulas.csv"),
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "kind: Strong workout export, layout v2, headers in en; 1 rest-timer rows skipped" in out
    assert "units: weight lb, distance km" in out
    assert "dates: 2026-02-01 to 2026-02-01" in out
    assert "workouts: 1, sets: 3, exercises: 2" in out
    assert "line 3: weight_absurd" in out and "line 6: end_before_start" in out
    assert "Robert'); DROP TABLE fitness.sets;-- → other (by name)" in out
    assert out.strip().endswith("3 files checked, 0 would be refused")


def test_validate_exit_status_when_a_file_would_be_refused():
    result = validate(
        str(FIXTURES / "hevy_missing_exercise_title.csv"), str(FIXTURES / "cycles.csv")
    )
    assert result.returncode == 1
    assert "REFUSED:" in result.stdout and "column 'exercise_title'" in result.stdout
    assert "1 would be refused" in result.stdout


def test_rejects_csv_escapes_formulas(tmp_path):
    source = tmp_path / "formulas.csv"
    rows = (FIXTURES / "hostile_sql_and_formulas.csv").read_text().splitlines()
    # make the formula row break a rule so that it lands in the quarantine
    rows[1] = rows[1].replace('"80","8"', '"80","eight"')
    source.write_text("\n".join(rows) + "\n")
    out = tmp_path / "rejects.csv"
    result = validate(str(source), "--rejects-csv", str(out))
    assert result.returncode == 0
    with out.open(newline="") as f:
        written = list(csv.DictReader(f))
    assert len(written) == 1 and written[0]["rule"] == "reps_not_numeric"
    assert written[0]["exercise_notes"] == '\'=HYPERLINK("http://evil","x")'
    assert written[0]["title"] == "'=1+1"
    assert written[0]["exercise_title"] == "Robert'); DROP TABLE fitness.sets;--"


def test_spreadsheet_safe():
    assert [spreadsheet_safe(v) for v in ("=SUM(A1)", "+1", "-2", "@x", "plain", None)] == [
        "'=SUM(A1)",
        "'+1",
        "'-2",
        "'@x",
        "plain",
        "",
    ]


def test_sql_looking_text_is_stored_verbatim(warehouse, tmp_path):
    folder = tmp_path / "raw" / "mallory"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "hostile_sql_and_formulas.csv", folder / "export.csv")
    silver = parse_athlete(
        "mallory", discover(tmp_path / "raw"), catalog=CATALOG, corrections=NO_FIXES, now=NOW
    )
    with warehouse.begin() as conn:
        load_athlete(conn, silver, fingerprint="x", files=[])
    with warehouse.connect() as conn:
        names = {r[0] for r in conn.execute(text("SELECT exercise_name FROM fitness.exercises"))}
        notes = {r[0] for r in conn.execute(text("SELECT notes FROM fitness.workout_exercises"))}
        titles = {r[0] for r in conn.execute(text("SELECT workout_name FROM fitness.workouts"))}
        sets = conn.execute(text("SELECT count(*) FROM fitness.sets")).scalar_one()
    assert "Robert'); DROP TABLE fitness.sets;--" in names and "@SUM(A1:A9)" in names
    # The block's two notes are both stored (before, the second row's note was dropped).
    assert '=HYPERLINK("http://evil","x")\n+cmd|\' /C calc\'!A0' in notes and titles == {"=1+1"}
    assert sets == 3


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


def test_validate_reports_a_duplicated_block():
    import io

    from fitness_platform.validate import validate_files

    out = io.StringIO()
    assert validate_files([FIXTURES / "hostile_duplicated_block.csv"], out=out) == 0
    report = out.getvalue()
    assert "workouts: 2, sets: 9" in report
    assert "problems (3 would be quarantined):" in report
    for line in (11, 12, 13):
        assert f"line {line}: duplicate_block" in report
