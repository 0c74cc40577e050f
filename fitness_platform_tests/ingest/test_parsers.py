"""Pure parsing functions, without Dagster or a database; expected values worked out by hand."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from fitness_platform.errors import ExportError
from fitness_platform.ingest.catalog import exercise_key, infer_exercise, load_catalog
from fitness_platform.ingest.csvfile import count_records, read_csv_table
from fitness_platform.ingest.cycles import cycle_type_of, parse_cycle_label
from fitness_platform.ingest.diet import parse_diet
from fitness_platform.ingest.hevy import parse_hevy
from fitness_platform.ingest.rules import to_number
from fitness_platform.ingest.timeparse import parse_workout_time
from fitness_platform.paths import CATALOG_PATH
from fitness_platform_tests.helpers import SAMPLE_HEVY

HEADER = (
    '"title","start_time","end_time","description","exercise_title","superset_id",'
    '"exercise_notes","set_index","set_type","weight_kg","reps","distance_km",'
    '"duration_seconds","rpe"\n'
)


def hevy(tmp_path: Path, rows: list[str], name: str = "hevy.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return parse_hevy(read_csv_table(path), athlete_key="a", now=datetime(2026, 11, 21))


def row(
    title="W",
    start="6 Jan 2026, 07:00",
    end="6 Jan 2026, 08:00",
    exercise="Squat (Barbell)",
    index=0,
    kind="normal",
    weight="100",
    reps="5",
    notes="",
):
    return (
        f'"{title}","{start}","{end}","","{exercise}","","{notes}","{index}","{kind}",'
        f'"{weight}","{reps}","","",""'
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        # the layouts of real exports and importers (fixtures/ORIGINS.md, "Hevy")
        ("13 Jan 2026, 18:43", datetime(2026, 1, 13, 18, 43)),
        ("2026-01-13T18:43:00", datetime(2026, 1, 13, 18, 43)),
        ("2026-02-03 07:30:00", datetime(2026, 2, 3, 7, 30)),
        ("2024-05-14 11:11", datetime(2024, 5, 14, 11, 11)),
        ("Jan 13, 2026, 6:43 PM", datetime(2026, 1, 13, 18, 43)),
        ("Sep 21, 2026, 9:22\u202fPM", datetime(2026, 9, 21, 21, 22)),
        ("4 de set. de 2026, 15:16", datetime(2026, 9, 4, 15, 16)),
        ("28 de fev. de 2026, 17:05", datetime(2026, 2, 28, 17, 5)),
        ("3 févr. 2026, 18:00", datetime(2026, 2, 3, 18, 0)),
        ("Jan 12, 2026, 12:05 am", datetime(2026, 1, 12, 0, 5)),  # 12 AM is just after midnight
        ("Jan 12, 2026, 13:05 PM", None),  # no 13 o'clock on a 12-hour clock
        ("not a date", None),
        # no real sample holds these: refused, never guessed (a slash date is ambiguous)
        ("Jan 13, 2026 at 6:43 PM", None),
        ("4 sept. 2026 à 15:16", None),
        ("4. Sept. 2026, 15:16", None),
        ("4 ene 2026, 15:16", None),
        ("03/02/2026 07:30", None),
    ],
)
def test_workout_times(text, expected):
    assert parse_workout_time(text) == expected


@pytest.mark.parametrize(
    "label, expected",
    [
        (
            "1Cutting I (01/05/2023 - 17/09/2023)",
            (1, "Cutting I", "cutting", date(2023, 5, 1), date(2023, 9, 17)),
        ),
        (
            "10Cutting V (06/10/2025 - XX/XX/XXXX)",
            (10, "Cutting V", "cutting", date(2025, 10, 6), None),
        ),
        (
            "9Manutenção I (18/04/2025 - 05/10/2025)",
            (9, "Manutenção I", "maintenance", date(2025, 4, 18), date(2025, 10, 5)),
        ),
        (
            "2Reversa I (18/09/2023 - 29/10/2023)",
            (2, "Reversa I", "reverse", date(2023, 9, 18), date(2023, 10, 29)),
        ),
        (
            "11Bulking III (02/01/2026 - XX/XX/XXXX)",
            (11, "Bulking III", "bulking", date(2026, 1, 2), None),
        ),
    ],
)
def test_cycle_labels_parse_by_rule(label, expected):
    parsed = parse_cycle_label(label)
    assert (
        parsed["cycle_number"],
        parsed["cycle_name"],
        parsed["cycle_type"],
        parsed["start_date"],
        parsed["end_date"],
    ) == expected


@pytest.mark.parametrize(
    "label",
    ["Cutting I", "3Cutting (31/02/2024 - 01/03/2024)", "4Reversa (10/03/2024 - 01/03/2024)"],
)
def test_bad_cycle_labels(label):
    assert parse_cycle_label(label) is None


def test_cycle_type_words():
    assert [cycle_type_of(n) for n in ("Cut 2", "Bulk", "Manutencao", "Deload")] == [
        "cutting",
        "bulking",
        "maintenance",
        "other",
    ]


def test_exercise_keys_are_stable_slugs():
    assert exercise_key("Bench Press (Barbell)") == "bench_press_barbell"
    assert exercise_key("Elevação Pélvica") == "elevacao_pelvica"
    assert exercise_key("💪").startswith("exercise_")


def test_name_heuristic():
    guess = infer_exercise("Rosca Scott (Machine)")
    assert (guess["primary_muscle_group"], guess["equipment"], guess["catalog_source"]) == (
        "biceps",
        "machine",
        "inferred",
    )
    assert infer_exercise("Esteira Inclinada")["is_cardio"] is True
    assert infer_exercise("Zercher Squat (Barbell)")["primary_muscle_group"] == "quadriceps"


def test_catalog_covers_every_sample_title():
    catalog = load_catalog(CATALOG_PATH)
    assert len(catalog) >= 250
    sample = pd.read_csv(SAMPLE_HEVY)
    assert set(sample["exercise_title"]) <= set(catalog["exercise_title"])


def test_numbers_with_decimal_commas():
    values, bad = to_number(pd.Series(["52,5", "60", "", "x", "1.5"]))
    assert values.tolist()[:2] == [52.5, 60.0] and pd.isna(values[2]) and values[4] == 1.5
    assert bad.tolist() == [False, False, False, True, False]


def test_blocks_split_on_exercise_change_and_index_restart(tmp_path):
    parsed = hevy(
        tmp_path,
        [
            row(exercise="Squat (Barbell)", index=0),
            row(exercise="Squat (Barbell)", index=1),
            row(exercise="Leg Extension (Machine)", index=0),
            row(exercise="Squat (Barbell)", index=0),
            row(exercise="Squat (Barbell)", index=0, weight="80"),  # same title, index restarts
        ],
    )
    assert parsed.sets["exercise_order"].tolist() == [1, 1, 2, 3, 4]
    assert parsed.sets["block_occurrence"].tolist() == [1, 1, 1, 2, 3]


def test_row_rules_quarantine_with_line_numbers(tmp_path):
    parsed = hevy(
        tmp_path,
        [
            row(index=0),
            row(index=1, weight="-5"),
            row(index=2, reps="111"),
            row(index=3, kind="superset"),
            row(title="X", start="7 Jan 2026, 09:00", end="7 Jan 2026, 08:00"),
            row(title="Y", start="1 Jan 2099, 09:00", end="1 Jan 2099, 10:00"),
        ],
    )
    rules = sorted(zip(parsed.rejects["source_line"], parsed.rejects["rule"], strict=True))
    assert rules == [
        (3, "weight_negative"),
        (4, "reps_suspect"),
        (5, "set_type_unknown"),
        (6, "end_before_start"),
        (7, "workout_in_future"),
    ]
    assert len(parsed.sets) == 1


def test_quoted_newlines_keep_line_numbers(tmp_path):
    parsed = hevy(
        tmp_path,
        [
            row(index=0, notes='line one\nline "two"'.replace('"', '""')),
            row(index=1, reps="x"),
        ],
    )
    assert parsed.sets["notes"].iloc[0] == 'line one\nline "two"'
    assert parsed.rejects[["source_line", "rule"]].values.tolist() == [[4, "reps_not_numeric"]]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "the file is empty"),
        (b"\x00\x01\x02binary", "binary data"),
        (b"title,start_time\n\xe9t\xe9,x\n", "not UTF-8 text"),
    ],
)
def test_unreadable_files(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ExportError, match=message) as info:
        read_csv_table(path)
    assert "bad.csv" in str(info.value)


def test_missing_column_names_the_column(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(HEADER.replace('"exercise_title",', "") + "\n", encoding="utf-8")
    with pytest.raises(ExportError) as info:
        parse_hevy(read_csv_table(path), athlete_key="a")
    assert info.value.column == "exercise_title" and info.value.line == 1
    assert (
        str(info.value) == f"{path}, line 1, column 'exercise_title': missing required column "
        "of a Hevy export"
    )


def test_diet_one_row_per_day(tmp_path):
    path = tmp_path / "diet.csv"
    path.write_text(
        "data,carboidratos_g,proteinas_g,gorduras_g,kcal,cardio_semanal_min,cicle,peso_kg,"
        "observacoes\n"
        "2025-01-06,200,150,60,1940,150,8Cutting IV (02/01/2025 - 17/04/2025),80.1,\n"
        "2025-01-06,210,150,60,1980,150,8Cutting IV (02/01/2025 - 17/04/2025),80.0,dup\n"
        "2025-01-07,abc,150,60,1940,150,8Cutting IV (02/01/2025 - 17/04/2025),,\n",
        encoding="utf-8",
    )
    parsed = parse_diet(read_csv_table(path), athlete_key="a", today=date(2026, 1, 1))
    assert len(parsed.days) == 1
    assert parsed.rejects[["source_line", "rule"]].values.tolist() == [
        [3, "duplicate_day"],
        [4, "carbs_g_not_numeric"],
    ]
    assert parsed.cycles["cycle_type"].tolist() == ["cutting"]


def test_regressions_found_by_the_property_tests(tmp_path):
    # an empty set_index cell, and numbers that overflow to infinity
    parsed = hevy(
        tmp_path,
        [row(index=0), row(index=""), row(index=2, weight="1e400"), row(index=3, reps="inf")],
    )
    assert parsed.rejects[["source_line", "rule"]].values.tolist() == [
        [3, "set_index_missing"],
        [4, "weight_not_numeric"],
        [5, "reps_not_numeric"],
    ]
    assert len(parsed.sets) == 1


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"a,b\n1,2\n3,4\n", 2),
        (b"a,b\n1,2\n3,4", 2),  # no final line break
        (b"a,b\n", 0),
        (b"a,b", 0),
        (b"", 0),
        (b'a,b\n"x\ny",2\n3,4\n', 2),  # a line break inside a quoted field
        (b'a,b\n"he said ""hi""",2\n\n   \n3,4\r\n', 2),  # doubled quotes, blank lines
        ("a,b\n1,2\n".encode("utf-16"), 1),
    ],
)
def test_count_records_by_hand(data, expected):
    assert count_records(data) == expected


def test_a_nul_byte_is_reported_where_it_is(tmp_path):
    path = tmp_path / "nul.csv"
    lines = [HEADER.rstrip("\n"), *[f'"Push","{i}"' for i in range(3)], 'ab\x00c"', '"last"']
    path.write_bytes("\n".join(lines).encode())
    with pytest.raises(ExportError) as info:
        read_csv_table(path)
    # Line 5 of the file (header, three rows, then the damaged one), third character.
    assert (info.value.line, info.value.column) == (5, None)
    assert "a NUL byte at character 3" in str(info.value)
