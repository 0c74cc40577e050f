"""The shared row rules: numbers parsed from cells, and the rules' own evaluation
(``rules.schema_failures``) against pandera's lazy validation: the same rows under the same rule
names, and pandera whenever it cannot be sure."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pytest

from fitness_platform.ingest.diet import diet_schema
from fitness_platform.ingest.rules import Quarantine, schema_failures, to_number
from fitness_platform.ingest.sets import set_schema

NOW = datetime(2024, 6, 1, 12, 0)
TODAY = date(2024, 6, 1)


def _by_pandera(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> set[tuple[int, str]]:
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        cases = cases[cases["index"].notna()]
        return {(int(i), str(c)) for i, c in zip(cases["index"], cases["check"], strict=True)}
    return set()


def _pairs(found) -> set[tuple[int, str]]:
    return {(int(label), rule) for labels, rule in found for label in labels}


def _sets(rows: list[dict]) -> pd.DataFrame:
    base = {
        "exercise_title": "Squat (Barbell)",
        "set_type": "normal",
        "weight_kg": 100.0,
        "reps": 5.0,
        "set_index": 0.0,
        "distance_km": np.nan,
        "duration_seconds": np.nan,
        "rpe": np.nan,
        "start_time": pd.Timestamp("2024-05-13 18:00"),
        "end_time": pd.Timestamp("2024-05-13 19:00"),
    }
    frame = pd.DataFrame([{**base, **row} for row in rows])
    # Labels that are not positions, as after rows were dropped: failures must name labels.
    frame.index = pd.Index([10 * i + 3 for i in range(len(frame))])
    for column in ("start_time", "end_time"):
        frame[column] = frame[column].astype("datetime64[us]")
    return frame


BAD_SETS = [
    {},  # 3: clean
    {"weight_kg": -2.5},  # 13
    {"weight_kg": 750.0},  # 23
    {"reps": 150.0},  # 33
    {"reps": 2.5, "rpe": 11.0},  # 43: two rules at once
    {"reps": np.nan, "weight_kg": np.nan, "rpe": np.nan},  # 53: blanks are allowed
    {"exercise_title": ""},  # 63
    {"set_type": "superset"},  # 73
    {"set_index": -1.0},  # 83
    {"distance_km": 1200.0, "duration_seconds": -5.0},  # 93
    {"duration_seconds": 90_000.0},  # 103
    {"start_time": pd.Timestamp("2024-07-01 09:00"), "end_time": pd.NaT},  # 113: future
    {"end_time": pd.Timestamp("2024-05-13 17:00")},  # 123: ends before it starts
    {"start_time": pd.NaT, "end_time": pd.NaT},  # 133
]


def test_set_rules_find_the_rows_pandera_finds():
    frame = _sets(BAD_SETS)
    schema = set_schema(NOW)
    found = schema_failures(frame, schema)
    assert found is not None
    expected = {
        (13, "weight_negative"),
        (23, "weight_absurd"),
        (33, "reps_suspect"),
        (43, "reps_not_whole"),
        (43, "rpe_out_of_range"),
        (63, "exercise_title_missing"),
        (73, "set_type_unknown"),
        (83, "set_index_negative"),
        (93, "distance_absurd"),
        (93, "duration_negative"),
        (103, "duration_absurd"),
        (113, "workout_in_future"),
        (123, "end_before_start"),
    }
    assert _pairs(found) == expected
    assert _by_pandera(frame, schema) == expected


def test_a_clean_frame_breaks_nothing():
    frame = _sets([{}, {"reps": np.nan}, {"weight_kg": 0.0, "rpe": 10.0}])
    assert schema_failures(frame, set_schema(NOW)) == []
    assert _by_pandera(frame, set_schema(NOW)) == set()


def test_diet_rules_find_the_rows_pandera_finds():
    frame = pd.DataFrame(
        {
            "diet_date": pd.to_datetime(
                ["2024-05-13", "2024-05-14", "2024-06-09", None, "2024-05-16", "2024-05-17"]
            ).astype("datetime64[us]"),
            "carbs_g": [250.0, -1.0, 200.0, 100.0, np.nan, 100.0],
            "protein_g": [180.0, 180.0, 180.0, 180.0, np.nan, 180.0],
            "fat_g": [70.0, 70.0, 70.0, 70.0, np.nan, 70.0],
            "calories_kcal": [2350.0, 2300.0, 2300.0, 16_000.0, np.nan, 2300.0],
            "cardio_weekly_min": [np.nan] * 6,
            "bodyweight_kg": [80.0, 80.2, np.nan, 80.1, 12.0, 80.0],
        }
    )
    schema = diet_schema(TODAY)
    found = schema_failures(frame, schema)
    expected = {
        (1, "carbs_g_negative"),
        (2, "diet_date_in_future"),
        (3, "calories_absurd"),
        (4, "bodyweight_absurd"),
    }
    assert found is not None and _pairs(found) == expected
    assert _by_pandera(frame, schema) == expected


@pytest.mark.parametrize(
    "change",
    [
        # A null where none is allowed: pandera names it "not_nullable".
        lambda f: f.assign(exercise_title=f["exercise_title"].astype(object).where(f.index != 3)),
        # Numbers held as text: a dtype failure.
        lambda f: f.assign(weight_kg=f["weight_kg"].astype(str)),
        # A rule's column missing altogether.
        lambda f: f.drop(columns="rpe"),
    ],
    ids=["null_title", "text_weights", "missing_column"],
)
def test_what_only_pandera_can_name_goes_to_pandera(change):
    frame = change(_sets([{}, {"weight_kg": -1.0}]))
    assert schema_failures(frame, set_schema(NOW)) is None
    # ...and the quarantine still files what pandera found, as before.
    quarantine = Quarantine()
    quarantine.add_schema_failures(frame, set_schema(NOW))
    assert {(int(i), r) for labels, r in quarantine._hits for i in labels} == _by_pandera(
        frame, set_schema(NOW)
    )


def test_a_null_title_is_filed_by_pandera():
    frame = _sets([{}, {"weight_kg": -1.0}])
    frame["exercise_title"] = frame["exercise_title"].astype(object).where(frame.index != 3)
    quarantine = Quarantine()
    quarantine.add_schema_failures(frame, set_schema(NOW))
    assert {(int(i), r) for labels, r in quarantine._hits for i in labels} == {
        (3, "not_nullable"),
        (13, "weight_negative"),
    }


def test_a_check_over_the_whole_column_goes_to_pandera():
    schema = pa.DataFrameSchema(
        {"reps": pa.Column(float, pa.Check(lambda s: s.mean() < 50, name="mean_reps"))}
    )
    frame = pd.DataFrame({"reps": [5.0, 200.0]})
    assert schema_failures(frame, schema) is None
    with pytest.raises(pa.errors.SchemaErrors):
        schema.validate(frame, lazy=True)


@pytest.mark.parametrize("dtype", [object, "str"])
def test_numbers_from_cells(dtype):
    cells = ["52,5", " 100 ", "", "abc", "1e400", "nan", "1.5", "52,5"]
    values, bad = to_number(pd.Series(cells, dtype=dtype, index=range(5, 13)))
    expected = [52.5, 100.0, np.nan, np.nan, np.nan, np.nan, 1.5, 52.5]
    np.testing.assert_array_equal(values.to_numpy(), np.array(expected))
    assert bad.tolist() == [False, False, False, True, True, True, False, False]
    assert values.index.tolist() == list(range(5, 13))


def test_a_missing_cell_is_a_blank_one():
    values, bad = to_number(pd.Series(["3", None, np.nan, 4.0], dtype=object))
    np.testing.assert_array_equal(values.to_numpy(), np.array([3.0, np.nan, np.nan, 4.0]))
    assert not bad.any()
