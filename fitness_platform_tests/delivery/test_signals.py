"""Stall, deload, acute:chronic ratio and streak on a hand-made fixture (hevy_signals.csv): one
exercise, Leg Extension (Machine) (quadriceps only), every set 10 reps, on these Mondays:

    week  2025-01-06  4 sets x 50 kg   e1RM 50 x (1 + 10/30) = 66.67 (a first best)
    week  2025-01-13  4 sets x 50 kg   66.67: not above 66.67 -> 1 trained week since the best
    week  2025-01-20  4 sets x 50 kg   2 weeks since
    week  2025-01-27  4 sets x 50 kg   3 weeks since: stalled (from 3)
    week  2025-02-03  2 sets x 50 kg   4 weeks since, stalled; a deload: 2 sets <= 60% of the
                                       mean of the 4 weeks before (4) = 2.4, and tonnage 1,000
                                       <= 60% of 2,000; ACWR 2 / 4 = 0.5, below 0.8
    week  2025-02-10  6 sets x 52.5    e1RM 52.5 x (1 + 10/30) = 70: a new best, 0 since, no
                                       stall; ACWR 6 / mean(4, 4, 4, 2) = 6 / 3.5 = 1.71, above
    week  2025-02-17  none             (no payload: no data that week)
    week  2025-02-24  4 sets x 52.5    streak 1 (the week before had no session); ACWR
                                       4 / mean(4, 2, 6, 0) = 4 / 3 = 1.33, above 1.3; 70 is not
                                       above 70: 1 week since the best
"""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from fitness_platform.delivery.payload import build_payload
from fitness_platform.resources.warehouse import WarehouseResource
from fitness_platform_tests.helpers import FIXTURES, run_ingest

MONDAYS = {
    "w1": date(2025, 1, 6),
    "w4": date(2025, 1, 27),
    "w5": date(2025, 2, 3),
    "w6": date(2025, 2, 10),
    "w8": date(2025, 2, 24),
}


@pytest.fixture
def signals(platform_env, tmp_path, monkeypatch):
    folder = tmp_path / "signals_raw" / "lee"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "hevy_signals.csv", folder / "workouts.csv")
    monkeypatch.setenv("FITNESS_RAW_DIR", str(folder.parent))
    assert run_ingest().success
    with WarehouseResource(database_url=platform_env["FITNESS_DATABASE_URL"]).connect() as conn:
        return {k: build_payload(conn, "lee", w)["signals"] for k, w in MONDAYS.items()}


def test_stall_deload_ratio_and_streak_by_hand(signals):
    (w1,), (w4,), (w5,), (w6,), (w8,) = (signals[k]["stalls"] for k in MONDAYS)
    assert (w1["weeks_since_best"], w1["stalled"], w1["previous_best_e1rm_kg"]) == (0, False, None)
    assert (w4["weeks_since_best"], w4["stalled"]) == (3, True)
    assert (w5["weeks_since_best"], w5["stalled"], w5["best_e1rm_kg"]) == (4, True, 66.67)
    assert (w6["weeks_since_best"], w6["stalled"], w6["best_e1rm_kg"]) == (0, False, 70.0)
    assert (w8["weeks_since_best"], w8["previous_best_e1rm_kg"]) == (1, 70.0)

    # A deload needs four weeks of history: week 4 has three.
    assert signals["w4"]["deload"]["baseline_sets"] is None
    assert not signals["w4"]["deload"]["is_deload"]
    deload = signals["w5"]["deload"]
    assert deload == {
        "is_deload": True,
        "working_sets": 2,
        "baseline_sets": 4.0,
        "tonnage_kg": 1000.0,
        "baseline_tonnage_kg": 2000.0,
    }
    assert not signals["w6"]["deload"]["is_deload"] and not signals["w8"]["deload"]["is_deload"]

    def quads(key):
        (ratio,) = [a for a in signals[key]["acwr"] if a["muscle_group"] == "quadriceps"]
        return ratio["ratio"], ratio["outside_band"]

    assert signals["w4"]["acwr"][0]["ratio"] is None  # three earlier weeks only
    assert quads("w5") == (0.5, True)
    assert quads("w6") == (1.71, True)  # 6 / 3.5
    assert quads("w8") == (1.33, True)  # 4 / 3: above 1.3

    assert [signals[k]["streak_weeks"] for k in MONDAYS] == [1, 4, 5, 6, 1]
