"""Every export variant of the real-world issue, each from a small fixture named for what it
exercises; expected values worked out by hand in the comments."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from fitness_platform.errors import ExportError
from fitness_platform.ingest.athlete import discover, parse_athlete
from fitness_platform.ingest.catalog import load_catalog
from fitness_platform.ingest.corrections import load_corrections
from fitness_platform.ingest.csvfile import read_csv_table
from fitness_platform.ingest.strong import parse_duration
from fitness_platform.paths import CATALOG_PATH
from fitness_platform_tests.helpers import FIXTURES

NOW = datetime(2026, 11, 21, 12, 0)
CATALOG = load_catalog(CATALOG_PATH)
NO_CORRECTIONS = load_corrections(Path("/nonexistent"))


def athlete_dir(tmp_path: Path, *names: str, rename: dict | None = None) -> list:
    folder = tmp_path / "raw" / "ana"
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        target = (rename or {}).get(name, name)
        shutil.copy(FIXTURES / name, folder / target)
    return discover(tmp_path / "raw")


def parse(tmp_path: Path, *names: str, rename: dict | None = None):
    files = athlete_dir(tmp_path, *names, rename=rename)
    return parse_athlete("ana", files, catalog=CATALOG, corrections=NO_CORRECTIONS, now=NOW)


# --- Hevy variants ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, start, end",
    [
        ("hevy_times_iso.csv", datetime(2026, 1, 13, 18, 43), datetime(2026, 1, 13, 19, 50)),
        ("hevy_times_us.csv", datetime(2026, 1, 13, 18, 43), datetime(2026, 1, 13, 19, 50)),
        ("hevy_times_pt.csv", datetime(2026, 9, 4, 15, 16), datetime(2026, 9, 4, 16, 20)),
        ("hevy_times_fr.csv", datetime(2026, 9, 4, 15, 16), datetime(2026, 9, 4, 16, 20)),
        # ends after midnight: 23:30 → 00:45 the next day, 75 minutes
        ("hevy_past_midnight.csv", datetime(2026, 3, 12, 23, 30), datetime(2026, 3, 13, 0, 45)),
    ],
)
def test_hevy_time_layouts(tmp_path, name, start, end):
    silver = parse(tmp_path, name)
    assert silver.rejects.empty
    assert silver.sets["start_time"].unique().tolist() == [pd.Timestamp(start)]
    assert silver.sets["end_time"].unique().tolist() == [pd.Timestamp(end)]
    assert silver.sets["weight_kg"].tolist() == [80.0, 85.0]


def test_a_time_layout_without_a_real_sample_is_quarantined_by_name(tmp_path):
    # "4. Sept. 2026, 15:16": a layout we hold no real export of (ORIGINS.md) is not guessed at.
    silver = parse(tmp_path, "hevy_times_unverified_language.csv")
    assert silver.sets.empty
    assert sorted(set(map(tuple, silver.rejects[["source_line", "rule"]].values.tolist()))) == [
        (2, "end_time_unparseable"),
        (2, "start_time_unparseable"),
        (3, "end_time_unparseable"),
        (3, "start_time_unparseable"),
    ]


def test_bare_header_crlf_bom_no_trailing_newline(tmp_path):
    silver = parse(tmp_path, "hevy_bare_header_crlf_bom.csv")
    assert silver.rejects.empty and len(silver.sets) == 2
    assert silver.sets["source_line"].tolist() == [2, 3]


def test_quoted_fields_newlines_emoji(tmp_path):
    silver = parse(tmp_path, "hevy_quoted_fields.csv")
    assert silver.rejects.empty
    sets = silver.sets
    assert sets["workout_name"].iloc[0] == "Push, heavy"
    # The two sets of the Bench block carry different notes: the block keeps both, in order
    # (the second one's literal \n, as typed in the app, is a line break).
    both = 'grip "wide", elbows in\nsecond line\npause 2s\nthen explode'
    assert sets["notes"].iloc[0] == sets["notes"].iloc[1] == both
    assert "Lat Pulldown (Cable) 💪" in set(sets["exercise_title"])
    assert "🏋️‍♀️ felt strong 👨‍👩‍👧" in set(sets["notes"])  # joiners kept
    assert "Squat (Barbell)" in set(sets["exercise_title"])  # zero-width space dropped
    # a quoted field spans lines 2-3, so the next record starts on line 4
    assert sets["source_line"].tolist() == [2, 4, 5, 6]
    catalog_titles = dict(
        zip(silver.exercises["exercise_title"], silver.exercises["catalog_source"], strict=True)
    )
    assert catalog_titles["Squat (Barbell)"] == "catalog"


def test_superset_zero_and_index_gaps(tmp_path):
    silver = parse(tmp_path, "hevy_superset_zero_and_gaps.csv")
    assert silver.rejects.empty
    assert silver.sets["superset_id"].tolist() == [0, 0, 0, 0]
    assert silver.sets["set_index"].tolist() == [0, 2, 0, 5]
    assert silver.sets["exercise_order"].tolist() == [1, 1, 2, 2]


def test_resaved_file_without_optional_columns(tmp_path):
    silver = parse(tmp_path, "hevy_resaved_without_optional_columns.csv")
    assert silver.rejects.empty and len(silver.sets) == 2
    assert silver.sets["rpe"].isna().all() and silver.sets["superset_id"].isna().all()


def test_pound_weights_stored_in_kg_stay(tmp_path):
    silver = parse(tmp_path, "hevy_lb_typed_stored_in_kg.csv")
    assert silver.sets["weight_kg"].tolist() == [45.36, 72.57]


def test_utf16_with_bom_is_read(tmp_path):
    silver = parse(tmp_path, "hevy_utf16_with_bom.csv")
    assert len(silver.sets) == 1 and silver.sets["weight_kg"].iloc[0] == 80.0


# --- Strong -------------------------------------------------------------------------------


def test_strong_classic(tmp_path):
    silver = parse(
        tmp_path,
        "strong_classic.csv",
        "athlete_lb.toml",
        rename={"athlete_lb.toml": "athlete.toml"},
    )
    sets = silver.sets
    assert set(sets["source"]) == {"strong"}
    # "1h 6m" after 09:15 → 10:21
    leg_day = sets[sets["workout_name"] == "Leg Day"]
    assert leg_day["end_time"].iloc[0] == pd.Timestamp("2026-01-10 10:21")
    squat = leg_day[leg_day["exercise_title"] == "Squat (Barbell)"]
    assert squat["set_type"].tolist() == ["warmup", "normal", "normal"]
    assert squat["set_index"].tolist() == [0, 1, 2]
    # weights in the athlete's unit (lb): 100 lb × 0.45359237 = 45.359 → 45.36 kg; 60 lb → 27.22
    assert squat["weight_kg"].tolist() == [27.22, 45.36, 45.36]
    assert squat["rpe"].tolist()[1:] == [8.0, 8.5]
    extension = leg_day[leg_day["exercise_title"] == "Leg Extension (Machine)"]
    assert extension["set_type"].tolist() == ["normal", "dropset"]
    assert extension["reps"].tolist() == [12, 10]  # written as 12.0 and 10.0
    running = leg_day[leg_day["exercise_title"] == "Running"]
    # 3.2 mi × 1.609344 = 5.150 km; 1200.0 s
    assert running["distance_km"].tolist() == [5.15] and running["duration_seconds"].tolist() == [
        1200
    ]
    upper = sets[sets["workout_name"] == "Upper"]
    assert upper["end_time"].iloc[0] == pd.Timestamp("2026-01-12 18:35")  # "35m"
    assert upper["set_type"].tolist()[:2] == ["normal", "failure"]
    # the unknown marker "X" (line 11) is quarantined, not guessed
    assert silver.rejects[["source_line", "rule"]].values.tolist() == [[11, "set_order_unknown"]]
    assert silver.profile["display_name"] == "Ana Souza"


def test_strong_v2_pounds_and_rest_timer(tmp_path):
    silver = parse(tmp_path, "strong_v2_lbs_rest_timer.csv")
    sets = silver.sets
    assert len(sets) == 3  # the Rest Timer row is not a set
    bench = sets[sets["exercise_title"] == "Bench Press (Barbell)"]
    assert bench["weight_kg"].tolist() == [102.06, 102.06]  # 225 lb
    assert bench["set_index"].tolist() == [0, 1]
    assert bench["reps"].tolist() == [5, 4]
    rowing = sets[sets["exercise_title"] == "Rowing (Machine)"]
    assert rowing["distance_km"].tolist() == [2.0]  # 2000 meters
    assert sets["end_time"].iloc[0] == pd.Timestamp("2026-02-01 08:15")  # 2700 s
    units = silver.units["strong_v2_lbs_rest_timer.csv"]
    assert units["layout"] == "v2" and units["rest_timer_rows"] == 1 and units["weight"] == "lb"


def test_strong_semicolon_units_per_row(tmp_path):
    silver = parse(tmp_path, "strong_semicolon_units.csv")
    deadlift = silver.sets[silver.sets["exercise_title"] == "Deadlift (Barbell)"]
    assert deadlift["weight_kg"].tolist() == [142.88, 140.0]  # 315 lb = 142.88 kg; 140 kg stays
    cycling = silver.sets[silver.sets["exercise_title"] == "Cycling"]
    assert cycling["distance_km"].tolist() == [8.047]  # 5 mi
    assert silver.units["strong_semicolon_units.csv"]["layout"] == "semicolon"


@pytest.mark.parametrize(
    "name, language, rest_timers",
    [
        # The real French header (fixtures/ORIGINS.md), with its rest-timer rows.
        ("strong_french.csv", "fr", 3),
        # The real Portuguese header.
        ("strong_portuguese.csv", "pt", 0),
        # Twelve columns in a language without a verified vocabulary: read by position, and
        # the textual marker on a row with only seconds is the rest timer.
        ("strong_unverified_language.csv", "unknown language, read by column position", 1),
    ],
)
def test_strong_localized_headers(tmp_path, name, language, rest_timers):
    silver = parse(tmp_path, name)
    assert silver.sets["weight_kg"].tolist() == [60.0, 100.0, 100.0]  # no unit anywhere: kg
    assert silver.sets["set_type"].tolist() == ["warmup", "normal", "normal"]
    assert silver.sets["reps"].tolist() == [10, 5, 5]
    assert silver.sets["rpe"].tolist()[1:] == [8.0, 8.5]
    # "1h 6min" (or "1h 6m") after 09:15 → 10:21
    assert silver.sets["end_time"].iloc[0] == pd.Timestamp("2026-01-10 10:21")
    units = silver.units[name]
    assert (units["language"], units["layout"]) == (language, "classic")
    assert units["rest_timer_rows"] == rest_timers
    assert units["assumed"] == ["weight in kg (no unit in the file and no athlete.toml)"]
    assert silver.rejects.empty


def test_a_header_close_to_a_known_layout_names_what_did_not_match(tmp_path):
    # "Ordre des séries" and "Répétitions" are not what the French app writes ("Ordre de la
    # série", "Réps"): the file is refused with those two columns and the layout it is near.
    with pytest.raises(ExportError) as info:
        parse(tmp_path, "strong_near_miss_french.csv")
    assert info.value.line == 1
    assert info.value.reason == (
        "not a recognised export: the header is close to Strong classic (French) but has "
        "columns it does not know: 'Ordre des séries', 'Répétitions'"
    )


def test_a_known_layout_missing_a_required_column_names_the_nearest_layout(tmp_path):
    folder = tmp_path / "raw" / "ana"
    folder.mkdir(parents=True)
    text = (FIXTURES / "strong_french.csv").read_text(encoding="utf-8")
    (folder / "export.csv").write_text(text.replace("Réps", "Répétitions", 1), encoding="utf-8")
    with pytest.raises(ExportError) as info:
        parse_athlete(
            "ana", discover(tmp_path / "raw"), catalog=CATALOG, corrections=NO_CORRECTIONS, now=NOW
        )
    assert (info.value.line, info.value.column) == (1, "Réps")
    assert "nearest layout is Strong classic (French), which has no column 'Répétitions'" in (
        info.value.reason
    )


def test_strong_legacy_layout(tmp_path):
    silver = parse(tmp_path, "strong_legacy_no_duration_no_rpe.csv")
    assert silver.units["strong_legacy_no_duration_no_rpe.csv"]["layout"] == "legacy"
    # no duration: the workout ends when it starts (the warehouse duration check lists it)
    assert (silver.sets["end_time"] == silver.sets["start_time"]).all()
    assert silver.sets["rpe"].isna().all()


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("35m", 2100),
        ("1h 6m", 3960),
        ("9min", 540),
        ("1h", 3600),
        ("45s", 45),
        ("2700", 2700),
        ("soon", None),
    ],
)
def test_strong_durations(text, seconds):
    assert parse_duration(text) == seconds


def test_strong_titles_map_to_muscle_groups(tmp_path):
    silver = parse(tmp_path, "strong_library_titles.csv")
    merged = silver.sets.merge(silver.exercises, on="exercise_title")
    mapped = (merged["primary_muscle_group"] != "other").mean()
    assert mapped >= 0.95, merged.loc[
        merged["primary_muscle_group"] == "other", "exercise_title"
    ].unique()


# --- Diet logs and cycles -------------------------------------------------------------------


def test_cronometer_with_cycles_file(tmp_path):
    silver = parse(tmp_path, "cronometer_daily_summary.csv", "cycles.csv")
    diet = silver.diet
    # 7 Jan is missing from the export: three days, not four
    assert diet["diet_date"].tolist() == [date(2026, 1, 5), date(2026, 1, 6), date(2026, 1, 8)]
    assert diet["calories_kcal"].tolist() == [2210.5, 2050.0, 1980.0]
    # 5 and 6 Jan fall in cycle 1 (to 6 Jan), 8 Jan in the open cycle 2
    assert diet["cycle_number"].tolist() == [1, 1, 2]
    assert silver.cycles[["cycle_number", "cycle_type"]].values.tolist() == [
        [1, "cutting"],
        [2, "bulking"],
    ]


def test_cronometer_slash_dates_are_quarantined_not_guessed(tmp_path):
    # Cronometer's real exports write 2026-01-05 (ORIGINS.md); "1/5/2026" is 5 January or 1 May.
    silver = parse(tmp_path, "cronometer_slash_dates.csv")
    assert silver.diet.empty
    assert silver.rejects[["source_line", "rule"]].values.tolist() == [
        [2, "diet_date_unparseable"],
        [3, "diet_date_unparseable"],
    ]


def test_diet_log_without_cycle_column_uses_cycles_file(tmp_path):
    silver = parse(tmp_path, "diet_without_cycle_column.csv", "cycles.csv")
    assert silver.diet["cycle_number"].tolist() == [1, 2]


# --- Hostile input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, message, line",
    [
        ("hostile_empty.csv", "the file is empty", None),
        ("hostile_header_only.csv", "a header but no rows", 2),
        ("hostile_binary.csv", "binary data, not a CSV export", 1),
        ("hostile_utf16_without_bom.csv", "UTF-16 text without a byte-order mark", 1),
        ("hostile_latin1.csv", "not UTF-8 text", 2),
        ("hostile_not_an_export.csv", "not a recognised export", 1),
    ],
)
def test_unreadable_files_are_refused_by_name(tmp_path, name, message, line):
    with pytest.raises(ExportError, match=message) as info:
        parse(tmp_path, name)
    assert info.value.path.endswith(name) and info.value.line == line


def test_a_diet_log_named_like_a_workout_export_is_read_as_diet(tmp_path):
    silver = parse(
        tmp_path,
        "diet_without_cycle_column.csv",
        rename={"diet_without_cycle_column.csv": "hevy_workouts.csv"},
    )
    assert len(silver.diet) == 2 and silver.sets.empty


def test_duplicated_rows_are_quarantined(tmp_path):
    silver = parse(tmp_path, "hostile_duplicated_rows.csv")
    assert silver.rejects[["source_line", "rule"]].values.tolist() == [[3, "duplicate_row"]]
    assert silver.sets["set_index"].tolist() == [0, 1]


def test_absurd_values_are_quarantined(tmp_path):
    silver = parse(tmp_path, "hostile_absurd_values.csv")
    assert silver.rejects[["source_line", "rule"]].values.tolist() == [
        [2, "weight_negative"],
        [3, "weight_absurd"],
        [4, "reps_suspect"],
        [5, "workout_in_future"],
        [6, "end_before_start"],
    ]
    assert silver.sets["source_line"].tolist() == [7]


def test_an_enormous_note_is_quarantined_but_its_set_is_kept(tmp_path):
    folder = tmp_path / "raw" / "ana"
    folder.mkdir(parents=True)
    text = (FIXTURES / "hevy_times_iso.csv").read_text()
    lines = text.splitlines()
    huge = lines[2].replace('"normal"', '"normal"').split('","')
    huge[6] = "x" * 2_000_000
    (folder / "big.csv").write_text("\n".join([lines[0], lines[1], '","'.join(huge)]) + "\n")
    silver = parse_athlete(
        "ana", discover(tmp_path / "raw"), catalog=CATALOG, corrections=NO_CORRECTIONS, now=NOW
    )
    # The note goes to the quarantine (with the row's cells); the lift of line 3 is loaded.
    assert silver.rejects[["source_line", "rule"]].values.tolist() == [[3, "notes_too_long"]]
    assert silver.sets["source_line"].tolist() == [2, 3]
    assert silver.sets["weight_kg"].tolist() == [80.0, 85.0]
    assert silver.sets["notes"].tolist() == ["", ""]


def test_sql_and_formulas_are_data(tmp_path):
    silver = parse(tmp_path, "hostile_sql_and_formulas.csv")
    assert silver.rejects.empty
    assert "Robert'); DROP TABLE fitness.sets;--" in set(silver.sets["exercise_title"])
    # Both formula-looking notes of the block, verbatim, one per line.
    assert silver.sets["notes"].iloc[0] == '=HYPERLINK("http://evil","x")\n+cmd|\' /C calc\'!A0'


def test_csv_reader_reports_field_count_line(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("a,b,c\n1,2,3\n4,5\n", encoding="utf-8")
    with pytest.raises(ExportError, match="expected 3 fields, found 2") as info:
        read_csv_table(path)
    assert info.value.line == 3


def test_a_block_repeated_after_another_workout_is_quarantined(tmp_path):
    # Push's Bench block (lines 2-4) reappears as lines 11-13, after Legs' rows: a copy, not a
    # second block (it would add 3 sets and 100×5 + 100×5 + 100×6 = 1,600 kg of tonnage).
    silver = parse(tmp_path, "hostile_duplicated_block.csv")
    assert silver.rejects[["source_line", "rule"]].values.tolist() == [
        [11, "duplicate_block"],
        [12, "duplicate_block"],
        [13, "duplicate_block"],
    ]
    assert len(silver.sets) == 9
    push = silver.sets[silver.sets["workout_name"] == "Push"]
    assert (push["weight_kg"] * push["reps"]).sum() == 1600 + 60 * 10 + 60 * 10 + 60 * 9


def test_notes_and_descriptions_on_later_rows_are_kept(tmp_path):
    silver = parse(tmp_path, "hevy_notes_on_later_rows.csv")
    sets = silver.sets
    # The description is written on the second row only; the block's notes differ by row.
    assert set(sets["description"]) == {"slept badly"}
    assert set(sets["notes"]) == {"belt on\ngrip gave out"}
    assert len(sets) == 4 and silver.rejects.empty


def test_cronometer_servings_are_summed_into_whole_days(tmp_path):
    silver = parse(tmp_path, "cronometer_servings.csv", "cycles.csv")
    diet = silver.diet
    # 6 Jan holds a serving whose energy reads "2oo.00": that serving and the rest of its day are
    # quarantined, so the day is absent rather than undercounted.
    assert diet["diet_date"].tolist() == [date(2026, 1, 5), date(2026, 1, 7)]
    # 5 Jan: 303.2 + 2.4 + 330 + 325 kcal; carbs 54.2 + (blank) + 0 + 70.5; fat 5.5 + 7.2 + 0.7;
    # protein 10.5 + 0.3 + 62 + 6.7.
    first = diet.iloc[0]
    assert (first["calories_kcal"], first["carbs_g"], first["fat_g"], first["protein_g"]) == (
        960.6,
        124.7,
        13.4,
        79.5,
    )
    assert diet.iloc[1]["calories_kcal"] == 312.0
    assert diet["cycle_number"].tolist() == [1, 2]  # cycles.csv: cycle 1 to 6 Jan, then 2
    rules = sorted(zip(silver.rejects["source_line"], silver.rejects["rule"], strict=True))
    assert rules == [
        (6, "serving_day_incomplete"),
        (7, "serving_day_incomplete"),
        (8, "calories_kcal_not_numeric"),
    ]
