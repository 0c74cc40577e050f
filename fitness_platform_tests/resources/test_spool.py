"""The silver spool: each athlete's frames on disk, read back one athlete at a time."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time

import pandas as pd
import pytest

from fitness_platform.ingest.athlete import athlete_files, parse_athlete
from fitness_platform.ingest.corrections import load_corrections
from fitness_platform.paths import CORRECTIONS_PATH
from fitness_platform.resources.spool import (
    KEEP_DAYS,
    SilverSpoolResource,
    SpooledFrames,
    SpoolMissing,
    prune,
    release,
)
from fitness_platform.silver.batches import SpoolWhereParsed
from fitness_platform.spoolfiles import SpoolUnwritable, write_frames
from fitness_platform_tests.helpers import SAMPLE_DIR


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


def test_a_parse_worker_spools_an_athlete_and_sends_back_only_the_record(tmp_path):
    """What ``parse_many`` runs where an athlete was parsed: the frames go to the spool, and what
    comes back is what silver records. The sample's files under another athlete's name, whom
    data/corrections.csv does not fix: 9,541 sets and the 111-reps typo quarantined as
    reps_suspect (the counts test_parallel_parse_path loads)."""
    spool = SilverSpoolResource(base_dir=str(tmp_path)).open("run-3")
    files = athlete_files(SAMPLE_DIR)
    parsed = parse_athlete("copy", files, corrections=load_corrections(CORRECTIONS_PATH))
    record = SpoolWhereParsed(str(spool.directory))(parsed)
    assert record.athlete_key == "copy" and record.rules == {"reps_suspect": 1}
    assert record.rows["workout_sets"] == 9541 and record.rows["rejected_rows"] == 1
    assert record.rows["diet_days"] == len(parsed.diet) > 0
    assert "Squat (Barbell)" in record.titles and record.titles == sorted(record.titles)
    assert sorted(record.exercise_keys) == sorted(set(parsed.sets["exercise_key"]))
    assert len(pickle.dumps(record)) < len(pickle.dumps(parsed)) / 100
    spool.record("copy", record.rows)
    pd.testing.assert_frame_equal(spool.frames("workout_sets")["copy"], parsed.sets)
    assert spool.frames("workout_sets").rows == 9541


def test_a_spool_that_cannot_be_written_says_where(tmp_path):
    """Not an OSError, which the parse pool would take for its own failure."""
    blocked = tmp_path / "run-4"
    blocked.write_text("a file where the run's folder should be")
    with pytest.raises(SpoolUnwritable, match=r"cannot be written at .*run-4/workout_sets"):
        write_frames(blocked, "anna", {"workout_sets": pd.DataFrame({"reps": [5]})})


def test_the_parse_workers_writer_does_not_import_dagster():
    """Parse workers unpickle ``SpoolWhereParsed``: importing its module must not cost them
    Dagster's import (about 0.45 s a worker)."""
    probe = "import sys, fitness_platform.silver.batches; print('dagster' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
