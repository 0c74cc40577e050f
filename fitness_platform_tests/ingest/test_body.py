"""Body measurements: Hevy's measurements export (cm and inches), the API's, and which weigh-in a
day's bodyweight comes from when several sources have one."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from sqlalchemy import text

from fitness_platform.errors import ExportError
from fitness_platform.ingest.body import parse_hevy_measurements
from fitness_platform.ingest.csvfile import read_csv_table
from fitness_platform.ingest.hevy_api import MIRROR_FILE, Mirror
from fitness_platform.ingest.sources import recognise
from fitness_platform_tests.helpers import FIXTURES, run_ingest

TODAY = date(2026, 11, 21)


def table_of(path):
    return read_csv_table(path, path.read_bytes())


def test_the_export_is_recognised_by_its_header_not_as_workouts():
    for name in ("hevy_measurements_cm.csv", "hevy_measurements_inches.csv"):
        table = table_of(FIXTURES / name)
        assert recognise(table.header, table.rows).name == "hevy_measurements"


def test_inches_become_centimetres():
    body, rejects, facts = parse_hevy_measurements(
        table_of(FIXTURES / "hevy_measurements_inches.csv"), athlete_key="a", today=TODAY
    )
    assert rejects.empty and facts["lengths"] == "in"
    first, second = body.to_dict("records")
    assert (first["measured_on"], first["weight_kg"]) == (date(2023, 2, 9), 83.69)
    assert second["measured_on"] == date(2024, 1, 3)  # "3 Jan 2024, 07:30": the day counts
    # 15 in × 2.54 = 38.1; 40 in = 101.6; 14.5 in = 36.83 → 36.8; 32 in = 81.28 → 81.3 (0.1 cm).
    assert (second["neck_cm"], second["chest_cm"]) == (38.1, 101.6)
    assert (second["left_bicep_cm"], second["waist_cm"]) == (36.8, 81.3)
    assert second["fat_percent"] == 18.0 and second["weight_kg"] == 82.1


def test_a_pound_weight_column_is_refused_naming_it(tmp_path):
    path = tmp_path / "measurement_data.csv"
    path.write_text('"date","weight_lbs","fat_percent","waist_in"\n"9 Feb 2023, 00:00",184.5,,\n')
    with pytest.raises(ExportError) as refused:
        parse_hevy_measurements(table_of(path), athlete_key="a", today=TODAY)
    assert refused.value.column == "weight_lbs" and refused.value.line == 1
    assert "no real export with pounds is known" in str(refused.value)


def test_bad_rows_are_quarantined_under_named_rules(tmp_path):
    path = tmp_path / "measurement_data.csv"
    path.write_text(
        '"date","weight_kg","fat_percent","waist_cm"\n'
        '"someday",80,,\n'
        '"2 Feb 2025, 00:00",8000,,\n'
        '"3 Feb 2025, 00:00",80,90,\n'
        '"4 Feb 2025, 00:00",80,,900\n'
        '"5 Feb 2025, 00:00",80,,\n'
        '"5 Feb 2025, 00:00",81,,\n'
    )
    body, rejects, _ = parse_hevy_measurements(table_of(path), athlete_key="a", today=TODAY)
    assert sorted(zip(rejects["source_line"], rejects["rule"], strict=True)) == [
        (2, "measurement_date_unparseable"),
        (3, "bodyweight_absurd"),
        (4, "fat_percent_absurd"),
        (5, "circumference_absurd"),
        (7, "duplicate_day"),
    ]
    assert body["measured_on"].tolist() == [date(2025, 2, 5)]


def test_a_days_bodyweight_comes_from_the_diet_log_then_the_api_then_the_export(
    platform_env, tmp_path, monkeypatch
):
    folder = tmp_path / "bw_raw" / "ana"
    folder.mkdir(parents=True)
    # Diet log: 5 Jan 80.2 kg, 7 Jan 80.4 kg.
    shutil.copy(FIXTURES / "diet_without_cycle_column.csv", folder / "diet.csv")
    shutil.copy(FIXTURES / "cycles.csv", folder / "cycles.csv")
    (folder / "measurement_data.csv").write_text(
        '"date","weight_kg","fat_percent","waist_cm"\n'
        '"5 Jan 2026, 00:00",81,,\n'
        '"6 Jan 2026, 00:00",80.9,,\n'
        '"9 Jan 2026, 00:00",79.9,,\n'
    )
    mirror = Mirror(
        cursor="2026-01-10T00:00:00Z",
        body_measurements={
            "2026-01-06": {"date": "2026-01-06", "weight_kg": 80.7, "waist": 84},
            "2026-01-08": {"date": "2026-01-08", "weight_kg": 80.1},
        },
    )
    (folder / MIRROR_FILE).write_bytes(mirror.to_bytes())
    monkeypatch.setenv("FITNESS_RAW_DIR", str(folder.parent))
    assert run_ingest().success
    from fitness_platform.resources.warehouse import WarehouseResource

    warehouse = WarehouseResource(database_url=platform_env["FITNESS_DATABASE_URL"])
    with warehouse.connect() as conn:
        series = conn.execute(
            text("SELECT measured_on, bodyweight_kg, source FROM fitness.bodyweight_daily")
        ).all()
        measurements = conn.execute(
            text("SELECT source, count(*), max(waist_cm) FROM fitness.body_measurements GROUP BY 1")
        ).all()
    assert sorted((str(d), float(w), s) for d, w, s in series) == [
        ("2026-01-05", 80.2, "diet_log"),
        ("2026-01-06", 80.7, "hevy_api"),
        ("2026-01-07", 80.4, "diet_log"),
        ("2026-01-08", 80.1, "hevy_api"),
        ("2026-01-09", 79.9, "hevy_export"),
    ]
    # Every measurement is kept with its source (the API's "waist" is in cm).
    assert sorted((s, n, w and float(w)) for s, n, w in measurements) == [
        ("hevy_api", 2, 84.0),
        ("hevy_export", 3, None),
    ]
