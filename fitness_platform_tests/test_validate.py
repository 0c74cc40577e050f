"""The validate command, spreadsheet-safe CSV output, and hostile text stored verbatim."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from sqlalchemy import text

from fitness_platform.ingest.athlete import discover, parse_athlete
from fitness_platform.ingest.catalog import load_catalog
from fitness_platform.ingest.corrections import load_corrections
from fitness_platform.paths import CATALOG_PATH
from fitness_platform.validate import spreadsheet_safe
from fitness_platform.warehouse.load import load_athlete
from fitness_platform_tests.helpers import FIXTURES

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


def test_validate_reads_a_hevy_api_mirror(tmp_path):
    from datetime import UTC

    from fitness_platform.ingest.hevy_api import MIRROR_FILE, Mirror, upsert_workout
    from fitness_platform_tests.hevy_fake import spell, workout

    built = workout(1, datetime(2026, 1, 5, 7, 0, 9, tzinfo=UTC))
    done = {k: spell(v, "z") if isinstance(v, datetime) else v for k, v in built.items()}
    done["updated_at"] = "2026-01-05T08:00:00Z"
    done["exercises"].append(
        {
            "index": 2,
            "title": "Suitcase March",
            "exercise_template_id": "c-1",
            "sets": [{"index": 0, "type": "normal", "weight_kg": 20, "duration_seconds": 40}],
        }
    )
    mirror = Mirror(cursor="2026-01-05T08:00:00Z")
    upsert_workout(mirror, done)
    mirror.templates = {
        "c-1": {
            "id": "c-1",
            "title": "Suitcase March",
            "type": "weight_duration",
            "primary_muscle_group": "abdominals",
            "secondary_muscle_groups": [],
            "is_custom": True,
        }
    }
    folder = tmp_path / "ana"
    folder.mkdir()
    (folder / MIRROR_FILE).write_bytes(mirror.to_bytes())
    (folder / "athlete.toml").write_text('time_zone = "Europe/Lisbon"\n')
    result = validate(str(folder / MIRROR_FILE))
    assert result.returncode == 0, result.stdout
    assert "kind: Hevy API mirror (1 workouts, cursor 2026-01-05T08:00:00Z)" in result.stdout
    # 07:00:09 UTC on 5 January is 07:00 in Lisbon (UTC+0 in winter).
    assert "dates: 2026-01-05 to 2026-01-05" in result.stdout
    assert "workouts: 1, sets: 4, exercises: 3" in result.stdout
    assert "Suitcase March → abdominals" in result.stdout
