"""The silver spool: each athlete's frames on disk, read back one athlete at a time."""

from __future__ import annotations

import os
import pickle
import time

import pandas as pd
import pytest

from fitness_platform.resources.spool import (
    KEEP_DAYS,
    SilverSpoolResource,
    SpooledFrames,
    SpoolMissing,
    prune,
    release,
)


def test_frames_round_trip_one_athlete_at_a_time(tmp_path):
    spool = SilverSpoolResource(base_dir=str(tmp_path)).open("run-1")
    a = pd.DataFrame({"exercise_title": ["Squat", "Bench"], "weight_kg": [100.0, 60.5]})
    b = pd.DataFrame({"exercise_title": ["Deadlift"], "weight_kg": [140.0]})
    spool.put("anna", {"workout_sets": a, "diet_days": pd.DataFrame({"kcal": [2100]})})
    spool.put("ben", {"workout_sets": b, "diet_days": pd.DataFrame({"kcal": []})})
    sets = spool.frames("workout_sets")
    # What crosses between steps is small: a folder, a name, the athletes and a row count.
    assert len(pickle.dumps(sets)) < 400
    assert list(sets) == ["anna", "ben"] and len(sets) == 2 and sets.rows == 3
    pd.testing.assert_frame_equal(sets["anna"], a)
    pd.testing.assert_frame_equal(pickle.loads(pickle.dumps(sets))["ben"], b)
    assert spool.frames("diet_days").rows == 1
    with pytest.raises(KeyError):
        sets["carla"]
    # Every file is complete: no partial file is left beside them.
    assert sorted(p.name for p in (tmp_path / "run-1" / "workout_sets").iterdir()) == [
        "anna.pkl",
        "ben.pkl",
    ]


def test_released_spool_names_what_is_gone(tmp_path):
    spool = SilverSpoolResource(base_dir=str(tmp_path)).open("run-2")
    spool.put("anna", {"workout_sets": pd.DataFrame({"reps": [5]})})
    sets = spool.frames("workout_sets")
    release(sets)
    assert not (tmp_path / "run-2").exists()
    with pytest.raises(SpoolMissing, match="workout_sets rows of athlete anna"):
        sets["anna"]
    release(SpooledFrames.empty("workout_sets"))  # nothing on disk: nothing to remove
    assert SpooledFrames.empty("diet_days").rows == 0


def test_old_spools_are_pruned_and_a_rerun_starts_its_own_over(tmp_path):
    resource = SilverSpoolResource(base_dir=str(tmp_path))
    old = resource.open("old-run")
    old.put("anna", {"workout_sets": pd.DataFrame({"reps": [5]})})
    stale = time.time() - (KEEP_DAYS + 1) * 86400
    os.utime(tmp_path / "old-run", (stale, stale))
    recent = resource.open("recent-run")
    recent.put("ben", {"workout_sets": pd.DataFrame({"reps": [3]})})
    assert not (tmp_path / "old-run").exists()  # opening a spool prunes the old ones
    assert prune(tmp_path) == 0
    again = resource.open("recent-run")  # a re-executed silver step
    assert not (tmp_path / "recent-run" / "workout_sets").exists()
    assert len(again.frames("workout_sets")) == 0
